package server

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNormalizeUpstream(t *testing.T) {
	for in, want := range map[string]string{
		"http://localhost:8080/yookassa/v3":         "http://localhost:8080/yookassa/v3",
		"HTTP://LocalHost:8080/yookassa/v3/":        "http://localhost:8080/yookassa/v3",
		"http://localhost:80/yookassa/v3":           "http://localhost/yookassa/v3",
		"https://api.yookassa.ru:443/v3":            "https://api.yookassa.ru/v3",
		"https://api.yookassa.ru":                   "https://api.yookassa.ru",
		"https://api.yookassa.ru/":                  "https://api.yookassa.ru",
		"http://127.0.0.1:8080/yookassa/x/../v3//":  "http://127.0.0.1:8080/yookassa/v3",
		" http://[::1]:8080/yookassa/v3 ":           "http://[::1]:8080/yookassa/v3",
		"http://127.0.0.1:8080/yookassa/V3":         "http://127.0.0.1:8080/yookassa/V3",
		"http://127.0.0.1:8080/yookassa/v3%2Fextra": "http://127.0.0.1:8080/yookassa/v3/extra", // compared as it is called
	} {
		got, err := normalizeUpstream(in)
		if err != nil || got.String() != want {
			t.Errorf("normalizeUpstream(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{
		"", "sample string 1", "ftp://host/v3", "file:///etc/passwd", "http://user:pw@host/v3",
		"http://host/v3?x=1", "http://host/v3#f", "http:///v3", "//host/v3", "mailto:a@b",
	} {
		if got, err := normalizeUpstream(bad); err == nil {
			t.Errorf("normalizeUpstream(%q) = %v, want an error", bad, got)
		}
	}
}

func TestUpstreamAllowList(t *testing.T) {
	u, err := newUpstreams([]string{"http://localhost:8080/yookassa/v3/", "https://api.yookassa.ru/v3"}, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for raw, ok := range map[string]bool{
		"http://localhost:8080/yookassa/v3":   true,
		"http://LOCALHOST:8080/yookassa/v3/":  true,
		"https://api.yookassa.ru:443/v3":      true,
		"http://api.yookassa.ru/v3":           false, // another scheme
		"http://localhost:8081/yookassa/v3":   false,
		"http://127.0.0.1:8080/yookassa/v3":   false, // another host, though the same machine
		"http://localhost:8080/yookassa":      false,
		"http://localhost:8080/yookassa/v3/x": false,
		"http://localhost:8080/yookassa/v3?a": false,
	} {
		if _, got := u.allow(raw); got != ok {
			t.Errorf("allow(%q) = %v, want %v", raw, got, ok)
		}
	}
	if _, err := newUpstreams([]string{"not a url"}, time.Second); err == nil {
		t.Error("a bad allow-list entry is accepted")
	}
}

func TestLimitedBody(t *testing.T) {
	read := func(n int) error {
		b := &limitedBody{rc: io.NopCloser(strings.NewReader(strings.Repeat("x", n))), left: 10}
		_, err := io.ReadAll(b)
		return err
	}
	if err := read(10); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
	if err := read(11); !errors.Is(err, errUpstreamTooLarge) {
		t.Errorf("one byte over: %v", err)
	}
}

func TestNegotiate(t *testing.T) {
	for accept, want := range map[string]string{
		"":                                   "application/json",
		"*/*":                                "application/json",
		"text/html":                          "application/json",
		"application/xml":                    "application/xml",
		"TEXT/XML":                           "text/xml",
		"text/json":                          "text/json",
		"text/*":                             "text/json",
		"application/json;q=0.5, text/xml":   "text/xml",
		"application/xml;q=0.1, */*;q=0.2":   "application/json",
		"application/xml, application/json":  "application/xml",
		"text/html, application/xml;q=0.9":   "application/xml",
		"application/xml;q=0, text/xml;q=0":  "application/json",
		"garbage;;;, application/xml; q=0.3": "application/xml",
	} {
		r, _ := http.NewRequest("POST", "/", nil)
		if accept != "" {
			r.Header.Set("Accept", accept)
		}
		if got := negotiate(r); got != want {
			t.Errorf("Accept %q: %s, want %s", accept, got, want)
		}
	}
}

func TestUpstreamKey(t *testing.T) {
	if got := upstreamKey("7c1f0a52-9d2e-4b8a-a3f1-5e6d7c8b9a01"); got != "7c1f0a52-9d2e-4b8a-a3f1-5e6d7c8b9a01" {
		t.Errorf("a key YooKassa takes is changed: %s", got)
	}
	a, b := upstreamKey("sample string 4"), upstreamKey("sample string 4")
	if a != b || len(a) != 36 || a == upstreamKey("sample string 5") {
		t.Errorf("derived keys: %s %s", a, b)
	}
	if got := upstreamKey(strings.Repeat("k", 65)); len(got) != 36 {
		t.Errorf("a key over 64 characters: %s", got)
	}
}
