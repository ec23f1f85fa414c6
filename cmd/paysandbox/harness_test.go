package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// sandbox is a real paysandbox process-in-a-goroutine: the same run() as the
// binary, on 127.0.0.1 with a temp-file database, stopped by t.Cleanup.
type sandbox struct {
	t      *testing.T
	url    string
	dbPath string
	stop   func()
}

var listenLine = regexp.MustCompile(`listening on (\S+)`)

// startSandbox starts the server on dbPath ("" for a new temp file), with
// extra serve flags if any.
func startSandbox(t *testing.T, dbPath string, extra ...string) *sandbox {
	t.Helper()
	return startSandboxOutput(t, io.Discard, io.Discard, dbPath, extra...)
}

// startSandboxOutput is startSandbox that copies the server's stdout (the
// banner) to banner and its stderr (the log) to logs; both must be safe
// for concurrent writes.
func startSandboxOutput(t *testing.T, banner, logs io.Writer, dbPath string, extra ...string) *sandbox {
	t.Helper()
	if dbPath == "" {
		dbPath = filepath.Join(t.TempDir(), "paysandbox.db")
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--db", dbPath, "--log-format", "json"}, extra...)
		done <- run(ctx, args, pw, logs)
		pw.Close()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			fmt.Fprintln(banner, sc.Text())
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	var a string
	select {
	case a = <-addr:
	case err := <-done:
		cancel()
		t.Fatalf("server did not start: %v", err)
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("server did not start within 20s")
	}
	s := &sandbox{t: t, url: "http://" + a, dbPath: dbPath}
	stopped := false
	s.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server stopped with error: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("server did not stop within 20s")
		}
	}
	t.Cleanup(s.stop)
	return s
}

// response is a decoded HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

const defaultToken = "sandbox.jwt.token"

// do sends a request with the default token (token "" sends none).
func (s *sandbox) do(method, path, token string, body any) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// must sends a request with the default token and requires the status.
func (s *sandbox) must(status int, method, path string, body any) map[string]any {
	s.t.Helper()
	r := s.do(method, path, defaultToken, body)
	if r.status != status {
		s.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, status, r.body)
	}
	if len(r.body) == 0 {
		return nil
	}
	return r.json(s.t)
}

// at walks a decoded JSON value: at(m, "Data", "Services", 0, "state").
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: %v is not an object", path, v)
			}
			v, ok = m[k]
			if !ok {
				t.Fatalf("at %v: no key %q in %v", path, k, m)
			}
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				t.Fatalf("at %v: %v has no index %d", path, v, k)
			}
			v = a[k]
		}
	}
	return v
}
