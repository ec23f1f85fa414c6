package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/docs"
)

func getText(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(raw)
}

var href = regexp.MustCompile(`href="([^"]+)"`)

// TestDocsIndexAndPages: /docs links every API's reference and spec, each
// link answers, and each reference is the API's page.
func TestDocsIndexAndPages(t *testing.T) {
	srvURL, _, _ := startServer(t, serverOptions{publicURL: "http://sandbox.test"})
	res, index := getText(t, srvURL+"/docs")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("/docs: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	base, _ := url.Parse(srvURL + "/docs")
	var links []string
	for _, m := range href.FindAllStringSubmatch(index, -1) {
		u, err := base.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, u.Path)
	}
	titles := map[string]string{
		"medusa":    "Tochka Medusa (paysandbox)",
		"cryptomus": "Cryptomus payments (paysandbox)",
		"lcmanager": "LCManager partner API — YooKassa PaymentCommit (paysandbox)",
		"yookassa":  "YooKassa API v3 subset (paysandbox)",
		"sandbox":   "paysandbox control API",
	}
	for name, title := range titles {
		if !slices.Contains(links, "/docs/"+name) || !slices.Contains(links, "/openapi/"+name+".yaml") {
			t.Errorf("/docs does not link /docs/%s and /openapi/%s.yaml: %v", name, name, links)
		}
		if !strings.Contains(index, ">"+title+"</a>") {
			t.Errorf("/docs does not name %q", title)
		}
	}
	if len(links) != 2*len(titles) {
		t.Errorf("/docs links %v, want the %d APIs' reference and spec", links, len(titles))
	}
	for _, link := range links {
		res, body := getText(t, srvURL+link)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", link, res.StatusCode)
			continue
		}
		name, ok := strings.CutPrefix(link, "/docs/")
		if !ok {
			continue
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", link, ct)
		}
		if !strings.Contains(body, "<title>"+titles[name]+"</title>") {
			t.Errorf("%s: no <title> %q", link, titles[name])
		}
		page, err := docs.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		if body != string(page.Bytes()) {
			t.Errorf("%s is not the built page", link)
		}
	}
}

// TestDocsUnknownName: an unknown reference is 404 in the control API's error shape.
func TestDocsUnknownName(t *testing.T) {
	srvURL, _, _ := startServer(t, serverOptions{publicURL: "http://sandbox.test"})
	for _, path := range []string{"/docs/nope", "/docs/redoc", "/docs/medusa.yaml"} {
		res, body := getText(t, srvURL+path)
		var e struct {
			Error struct{ Code, Message string }
		}
		if res.StatusCode != http.StatusNotFound || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != "not_found" {
			t.Errorf("%s: %d %s", path, res.StatusCode, body)
		}
	}
}
