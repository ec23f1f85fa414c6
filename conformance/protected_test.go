package conformance

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/server"
	"github.com/paysandbox/paysandbox/sqlitedb"
)

// startProtectedServer is startServer with a control token.
func startProtectedServer(t *testing.T, token string) string {
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
	cfg.ControlToken = token
	h, err := server.New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return ts.URL
}

// TestConformanceWithControlToken: the whole suite passes against a server
// started with a control token when it is given the token, and then
// replays the control API's 401 examples too (skipped without a token).
func TestConformanceWithControlToken(t *testing.T) {
	const token = "conformance-control-token-7f3a"
	base := startProtectedServer(t, token)
	rep := Run(context.Background(), Config{BaseURL: base, ControlToken: token})
	if rep.Failed() > 0 {
		var sb strings.Builder
		rep.WriteSummary(&sb, false)
		t.Fatalf("against a protected server with its token:\n%s", sb.String())
	}
	unauthorized := 0
	for _, r := range rep.Results {
		if strings.HasPrefix(r.Name, "example/sandbox/") && strings.Contains(r.Name, "/401/unauthorized") && !strings.Contains(r.Name, "getMedusaOrderLedger") {
			if !r.Passed {
				t.Errorf("%s: not passed (%s)", r.Name, r.Failure)
			}
			unauthorized++
		}
	}
	if unauthorized != 10 {
		t.Errorf("%d control 401 examples ran, want 10", unauthorized)
	}

	// Without the token the control API refuses the suite's calls.
	rep = Run(context.Background(), Config{BaseURL: base, Run: regexp.MustCompile(`^example/sandbox/createMedusaToken/201/`)})
	if rep.Failed() != 1 || !strings.Contains(rep.Results[0].Failure, "401") {
		t.Errorf("without the token: %+v", rep.Results)
	}
}
