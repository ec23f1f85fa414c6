package conformance

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/paysandbox/paysandbox/server"
	"github.com/paysandbox/paysandbox/sqlitedb"
)

// startServer runs the real server in-process on 127.0.0.1 with a temp
// database, like server/server_test.go; wrap, when set, wraps its handler
// (to break it on purpose). Only the tests of this package start it: the
// suite itself speaks HTTP only.
func startServer(t testing.TB, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	return startConfiguredServer(t, wrap, nil)
}

// startConfiguredServer is startServer whose configure, when set, edits the
// server's config first.
func startConfiguredServer(t testing.TB, wrap func(http.Handler) http.Handler, configure func(*server.Config)) string {
	t.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "conformance.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ts := httptest.NewUnstartedServer(nil)
	url := "http://" + ts.Listener.Addr().String()
	cfg := server.NewConfig(db, url, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if configure != nil {
		configure(&cfg)
	}
	h, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if wrap != nil {
		h = wrap(h)
	}
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL
}
