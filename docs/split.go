//go:build ignore

// split.go turns the standalone pages that `redocly build-docs --inlineBundle`
// wrote into the committed form of this package: the Redoc bundle, identical
// in every page, once in redoc.js, and each page with Placeholder in its place.
// It checks that putting them back together gives the standalone page byte for
// byte, and removes the committed pages of specs that are gone.
//
//	go run docs/split.go <dir of the standalone pages> <docs dir> <name>...
package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// What redocly build-docs 2.77.0 writes around the inlined bundle.
const (
	before      = "<script type=\"module\">\n      "
	after       = "\n\n      const __redoc_definition = "
	placeholder = "/*paysandbox: the Redoc bundle of docs/redoc.js goes here*/" // = docs.Placeholder
)

func main() {
	if len(os.Args) < 4 {
		fail("usage: go run docs/split.go <pages dir> <docs dir> <name>...")
	}
	from, to, names := os.Args[1], os.Args[2], os.Args[3:]
	var bundle []byte
	for _, name := range names {
		page, err := os.ReadFile(filepath.Join(from, name+".html"))
		if err != nil {
			fail(err.Error())
		}
		if bytes.Count(page, []byte(before)) != 1 || bytes.Count(page, []byte(placeholder)) != 0 {
			fail(name + ".html: not the layout of redocly build-docs --inlineBundle this script knows")
		}
		start := bytes.Index(page, []byte(before)) + len(before)
		end := bytes.Index(page[start:], []byte(after))
		if end < 0 {
			fail(name + ".html: no __redoc_definition after the bundle")
		}
		head, b, tail := page[:start], page[start:start+end], page[start+end:]
		switch {
		case bundle == nil:
			bundle = b
		case !bytes.Equal(bundle, b):
			fail(name + ".html inlines another Redoc bundle than " + names[0] + ".html")
		}
		shell := slices.Concat(head, []byte(placeholder), tail)
		if joined := slices.Concat(head, bundle, tail); !bytes.Equal(joined, page) {
			fail(name + ".html: the split form does not give the page back")
		}
		write(filepath.Join(to, name+".html"), shell)
	}
	write(filepath.Join(to, "redoc.js"), bundle)

	old, _ := filepath.Glob(filepath.Join(to, "*.html"))
	for _, p := range old {
		if !slices.Contains(names, strings.TrimSuffix(filepath.Base(p), ".html")) {
			if err := os.Remove(p); err != nil {
				fail(err.Error())
			}
		}
	}
}

func write(path string, b []byte) {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fail(err.Error())
	}
	fmt.Printf("%s (%d KiB)\n", path, (len(b)+1023)/1024)
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "docs/split.go:", msg)
	os.Exit(1)
}
