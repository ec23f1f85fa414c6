package bench

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestConnKeepsAlive: the generator's connection sends method, path (under
// the base URL's path), headers and body as net/http would receive them,
// reads fixed-length and chunked answers, reuses one TCP connection, and
// dials again after the server closes one.
func TestConnKeepsAlive(t *testing.T) {
	var dials atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/base/echo":
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprintf(w, "%s %s %s %s %d", r.Method, r.Header.Get("X-Test"), r.Header.Get("Content-Type"), body, r.ContentLength)
		case "/base/chunked":
			w.(http.Flusher).Flush() // no Content-Length: the answer is chunked
			io.WriteString(w, strings.Repeat("c", 5000))
		case "/base/close":
			w.Header().Set("Connection", "close")
			io.WriteString(w, "bye")
		default:
			http.Error(w, "no", http.StatusNotFound)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			dials.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()

	c, err := newConn(srv.URL + "/base/")
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	h := http.Header{"X-Test": {"yes"}, "Content-Type": {"application/json"}}
	for i := 0; i < 3; i++ {
		status, body, err := c.roundTrip("POST", "/echo", h, []byte(`{"a":1}`))
		if err != nil || status != 200 || string(body) != `POST yes application/json {"a":1} 7` {
			t.Fatalf("echo %d: %d %q %v", i, status, body, err)
		}
	}
	// A body without a Content-Type goes as JSON.
	if status, body, err := c.roundTrip("POST", "/echo", http.Header{"X-Test": {"no type"}}, []byte(`{}`)); err != nil || string(body) != `POST no type application/json {} 2` {
		t.Fatalf("default type: %d %q %v", status, body, err)
	}
	status, body, err := c.roundTrip("GET", "/chunked", nil, nil)
	if err != nil || status != 200 || len(body) != 5000 {
		t.Fatalf("chunked: %d %d bytes %v", status, len(body), err)
	}
	status, body, err = c.roundTrip("GET", "/missing", nil, nil)
	if err != nil || status != 404 || !strings.Contains(string(body), "no") {
		t.Fatalf("missing: %d %q %v", status, body, err)
	}
	if n := dials.Load(); n != 1 {
		t.Fatalf("%d connections for five requests, want 1", n)
	}
	if status, body, err = c.roundTrip("GET", "/close", nil, nil); err != nil || status != 200 || string(body) != "bye" {
		t.Fatalf("close: %d %q %v", status, body, err)
	}
	if status, _, err = c.roundTrip("POST", "/echo", h, nil); err != nil || status != 200 {
		t.Fatalf("after close: %d %v", status, err)
	}
	if n := dials.Load(); n != 2 {
		t.Fatalf("%d connections, want 2 (one more after the server closed the first)", n)
	}
}

func TestNewConnRefusesOtherSchemes(t *testing.T) {
	for _, base := range []string{"ftp://x", "127.0.0.1:8080", "http://"} {
		if _, err := newConn(base); err == nil {
			t.Errorf("%q: no error", base)
		}
	}
}
