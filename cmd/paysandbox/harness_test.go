package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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

// request sends body ("" sends none; otherwise as application/json) to url
// with header set on top, and reads the whole answer.
func request(method, url string, header map[string]string, body string) (response, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return response{}, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return response{}, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}, nil
}

// syncBuffer collects what a server writes from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// --- the real binary, as its own process ---

// buildBinary builds this package's binary into a temp dir and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "paysandbox")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// serverProc is a running `paysandbox serve`.
type serverProc struct {
	url    string
	cmd    *exec.Cmd
	stderr *syncBuffer
	exited chan error
}

// tail is the end of the server's log, for failure messages.
func (p *serverProc) tail() string {
	s := p.stderr.String()
	if len(s) > 4000 {
		s = "…" + s[len(s)-4000:]
	}
	return s
}

// lineWatch sends the listening address once the banner prints it.
type lineWatch struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	addr chan string
	sent bool
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if m := listenLine.FindStringSubmatch(w.buf.String()); m != nil && !w.sent {
		w.sent = true
		w.addr <- m[1]
	}
	return len(p), nil
}

// startServer runs bin as `paysandbox serve` on 127.0.0.1 and db, with
// extra serve flags if any; exited gets Wait's result, and t.Cleanup kills
// the process.
func startServer(t *testing.T, bin, db string, extra ...string) *serverProc {
	t.Helper()
	watch := &lineWatch{addr: make(chan string, 1)}
	p := &serverProc{stderr: &syncBuffer{}, exited: make(chan error, 1)}
	p.cmd = exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", db}, extra...)...)
	p.cmd.Stdout, p.cmd.Stderr = watch, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait() }()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	select {
	case a := <-watch.addr:
		p.url = "http://" + a
	case err := <-p.exited:
		t.Fatalf("the server exited at start: %v\n%s", err, p.stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("the server did not start within 20s\n%s", p.stderr.String())
	}
	return p
}
