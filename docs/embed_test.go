package docs_test

import (
	"bytes"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/docs"
	"github.com/paysandbox/paysandbox/openapi"
)

// remote finds a script, module, style sheet, font, image or frame the page
// would load from the network.
var remote = regexp.MustCompile(`<(script|link|img|iframe|source)\b[^>]*\b(src|href)=["']?(https?:)?//|url\(["']?(https?:)?//|@import\s+["']?(https?:)?//|\bfrom\s*["'](https?:)?//`)

// TestEveryReferenceIsAWholePage: there is a reference for every spec and no
// other, and each is a whole offline page: the Redoc bundle back in place,
// nothing loaded from elsewhere, telemetry off.
func TestEveryReferenceIsAWholePage(t *testing.T) {
	if got, want := docs.Names(), openapi.Names(); !slices.Equal(got, want) {
		t.Fatalf("references %v, specs %v: run 'make docs'", got, want)
	}
	for _, name := range docs.Names() {
		p, err := docs.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		page := p.Bytes()
		if len(page) != p.Len() {
			t.Errorf("%s: Len %d, page of %d bytes", name, p.Len(), len(page))
		}
		if p.Title == "" || !bytes.Contains(page, []byte("<title>")) {
			t.Errorf("%s: no title", name)
		}
		for _, want := range []string{
			"<!DOCTYPE html>",
			"export{RedocStandalone,hydrate,init}", // the end of the inlined bundle
			`"disableTelemetry":true`,
			"hydrate(__redoc_definition, __redoc_options",
		} {
			if !bytes.Contains(page, []byte(want)) {
				t.Errorf("%s: page lacks %q", name, want)
			}
		}
		if bytes.Contains(page, []byte(docs.Placeholder)) {
			t.Errorf("%s: the bundle placeholder is left in the page", name)
		}
		if m := remote.Find(page); m != nil {
			t.Errorf("%s: page loads %s", name, m)
		}
	}
}

func TestUnknownName(t *testing.T) {
	for _, name := range []string{"nope", "redoc", "../openapi/medusa", strings.Repeat("x", 300)} {
		if _, err := docs.Open(name); err == nil {
			t.Errorf("Open(%q) succeeded", name)
		}
	}
}
