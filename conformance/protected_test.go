package conformance

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/server"
)

// startProtectedServer is startServer with a control token.
func startProtectedServer(t *testing.T, token string) string {
	t.Helper()
	return startConfiguredServer(t, nil, func(cfg *server.Config) { cfg.ControlToken = token })
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
