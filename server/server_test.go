package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/server"
	"github.com/paysandbox/paysandbox/sqlitedb"
)

// syncBuffer collects log lines from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serverOptions adjust startServer; the zero value serves the defaults.
type serverOptions struct {
	dbPath    string               // the database file; "" for test.db in a new t.TempDir()
	publicURL string               // the config's public URL; "" for the listener's own URL
	config    func(*server.Config) // if set, edits the config before server.New
	http      func(*http.Server)   // if set, edits the http.Server (its timeouts) before it starts
}

// startServer serves the real handler of server.New on 127.0.0.1, logging
// JSON to a syncBuffer; t.Cleanup stops it and closes the database. It
// returns the listener's URL, the database and the log.
func startServer(t *testing.T, opts serverOptions) (string, *sqlitedb.DB, *syncBuffer) {
	t.Helper()
	ctx := context.Background()
	if opts.dbPath == "" {
		opts.dbPath = filepath.Join(t.TempDir(), "test.db")
	}
	db, err := sqlitedb.Open(ctx, opts.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &syncBuffer{}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	publicURL := opts.publicURL
	if publicURL == "" {
		publicURL = base
	}
	cfg := server.NewConfig(db, publicURL, slog.New(slog.NewJSONHandler(logs, nil)))
	if opts.config != nil {
		opts.config(&cfg)
	}
	h, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = h
	if opts.http != nil {
		opts.http(ts.Config)
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return base, db, logs
}

func post(t *testing.T, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not JSON: %s", raw)
	}
	return res.StatusCode, m
}

// TestErrorIDIsLoggedAndSecretsAreNot: the id of every error response is in
// that request's log line, and no token ever reaches the log.
func TestErrorIDIsLoggedAndSecretsAreNot(t *testing.T) {
	base, _, logs := startServer(t, serverOptions{publicURL: "http://sandbox.test"})
	ids := map[string]int{}
	for _, tc := range []struct {
		token, body string
		status      int
	}{
		{"", `{"orderExtId":"x"}`, 401},
		{"wrong-secret-token", `{"orderExtId":"x"}`, 401},
		{medusa.DefaultToken, `{}`, 400},
		{medusa.DefaultToken, `{"orderExtId":"00000000-0000-4000-8000-00000000dead"}`, 404},
	} {
		status, m := post(t, base+"/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", tc.token, tc.body)
		if status != tc.status {
			t.Fatalf("status %d, want %d: %v", status, tc.status, m)
		}
		ids[m["id"].(string)] = status
	}
	text := logs.String()
	for id := range ids {
		if !strings.Contains(text, `"error_id":"`+id+`"`) {
			t.Errorf("error id %s is not in the log:\n%s", id, text)
		}
	}
	for _, secret := range []string{medusa.DefaultToken, "wrong-secret-token"} {
		if strings.Contains(text, secret) {
			t.Errorf("the log contains %q:\n%s", secret, text)
		}
	}
}

// TestRealFaultIsEnvelopedWithoutGoText: when the database fails under a
// request, the client gets Medusa's 500 envelope and no Go error text.
func TestRealFaultIsEnvelopedWithoutGoText(t *testing.T) {
	base, db, logs := startServer(t, serverOptions{publicURL: "http://sandbox.test"})
	db.Close()
	status, m := post(t, base+"/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", medusa.DefaultToken,
		`{"orderExtId":"00000000-0000-4000-8000-00000000beef"}`)
	if status != 500 {
		t.Fatalf("status %d: %v", status, m)
	}
	errs := m["Errors"].([]any)[0].(map[string]any)
	if errs["errorCode"] != "HTTPInternalError" || m["code"] != "500" {
		t.Errorf("envelope %v", m)
	}
	raw, _ := json.Marshal(m)
	for _, leak := range []string{"sql", "database", "closed", ".go"} {
		if strings.Contains(strings.ToLower(string(raw)), leak) {
			t.Errorf("response leaks %q: %s", leak, raw)
		}
	}
	if !strings.Contains(logs.String(), `"status":500`) {
		t.Errorf("the 500 is not logged:\n%s", logs.String())
	}
}
