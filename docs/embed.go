// Package docs embeds the HTML API references that `make docs` builds, one per
// spec in openapi/, so that the server serves them at /docs/{name} without
// Node at run time.
//
// `make docs` writes the standalone pages (`redocly build-docs --inlineBundle`)
// to dist/<name>.html. Each of them inlines the same 2.2 MB Redoc bundle, so
// the committed form keeps that bundle once, in redoc.js, and each
// <name>.html holds the rest of its page with Placeholder where the bundle
// was: on its own it is not a working page. Open puts them back together, byte
// for byte the standalone page of dist/ (split.go checks this when it splits).
// The files are generated: never edit them by hand; `make check-docs` fails
// when they are stale.
package docs

import (
	"bytes"
	"embed"
	"fmt"
	"html"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

var (
	//go:embed *.html
	shells embed.FS
	//go:embed redoc.js
	bundle []byte
)

// Placeholder stands for the Redoc bundle in the committed <name>.html files
// (inside the page's <script type="module">, so it is a JavaScript comment).
const Placeholder = "/*paysandbox: the Redoc bundle of docs/redoc.js goes here*/"

// Page is one API's standalone HTML reference.
type Page struct {
	// Name is the spec's name, e.g. "medusa".
	Name string
	// Title is the page's <title>: the spec's info.title.
	Title      string
	head, tail []byte
}

var pages = sync.OnceValues(func() (map[string]*Page, error) {
	entries, err := fs.ReadDir(shells, ".")
	if err != nil {
		return nil, err
	}
	m := make(map[string]*Page, len(entries))
	for _, e := range entries {
		name, _ := strings.CutSuffix(e.Name(), ".html")
		shell, err := shells.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		head, tail, ok := bytes.Cut(shell, []byte(Placeholder))
		if !ok {
			return nil, fmt.Errorf("docs: %s has no bundle placeholder", e.Name())
		}
		m[name] = &Page{Name: name, Title: title(head), head: head, tail: tail}
	}
	return m, nil
})

// Names lists the embedded references (the spec names, e.g. "medusa"), sorted.
func Names() []string {
	m, _ := pages()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open returns the reference of the spec called name.
func Open(name string) (*Page, error) {
	m, err := pages()
	if err != nil {
		return nil, err
	}
	p, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("docs: no reference %q", name)
	}
	return p, nil
}

// Len is the size of the page in bytes.
func (p *Page) Len() int { return len(p.head) + len(bundle) + len(p.tail) }

// WriteTo writes the whole page to w.
func (p *Page) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for _, part := range [][]byte{p.head, bundle, p.tail} {
		n, err := w.Write(part)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Bytes returns the whole page.
func (p *Page) Bytes() []byte {
	var b bytes.Buffer
	b.Grow(p.Len())
	_, _ = p.WriteTo(&b)
	return b.Bytes()
}

func title(head []byte) string {
	_, rest, ok := bytes.Cut(head, []byte("<title>"))
	if !ok {
		return ""
	}
	t, _, _ := bytes.Cut(rest, []byte("</title>"))
	return html.UnescapeString(string(t))
}
