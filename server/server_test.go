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

func newServer(t *testing.T) (*httptest.Server, *sqlitedb.DB, *syncBuffer) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	logs := &syncBuffer{}
	h, err := server.New(ctx, server.NewConfig(db, "http://sandbox.test", slog.New(slog.NewJSONHandler(logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts, db, logs
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
	ts, _, logs := newServer(t)
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
		status, m := post(t, ts.URL+"/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", tc.token, tc.body)
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
	ts, db, logs := newServer(t)
	db.Close()
	status, m := post(t, ts.URL+"/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", medusa.DefaultToken,
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
