package bench

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunCountsWhatWentWrong: a status the flow does not document is an
// error of that operation, a lifecycle that fails midway is not verified
// (it never finished), and one whose Verify fails is listed as missing.
func TestRunCountsWhatWentWrong(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flaky" && calls.Add(1)%4 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	var finished atomic.Int64
	flow := Flow{
		Name: "demo",
		Run: func(c *Client) (string, error) {
			id := c.ID()
			if _, err := c.Do(Request{Op: "demo step", Mutating: true, Method: "POST", Path: "/flaky", Want: 200}); err != nil {
				return "", err
			}
			if _, err := c.Do(Request{Op: "demo read", Method: "GET", Path: "/read", Want: 200}); err != nil {
				return "", err
			}
			finished.Add(1)
			return id, nil
		},
		Verify: func(c *Client, id string) error {
			if strings.HasSuffix(id, "3") {
				return errors.New("not there")
			}
			return nil
		},
	}
	res, err := Run(context.Background(), Config{BaseURL: srv.URL, Duration: 300 * time.Millisecond, Conns: 2, Flows: []Flow{flow}})
	if err != nil {
		t.Fatal(err)
	}
	failed := res.Errors["demo step: status 503, want 200"]
	if failed == 0 || res.ErrorCount() != failed {
		t.Errorf("errors %v, want only 503s of demo step", res.Errors)
	}
	if got := int64(res.Lifecycles["demo"]); got != finished.Load() {
		t.Errorf("%d lifecycles counted, %d finished", got, finished.Load())
	}
	if res.Verified+len(res.Unverified) != res.Lifecycles["demo"] || len(res.Unverified) == 0 || res.Verified == 0 {
		t.Errorf("verified %d, unverified %d of %d", res.Verified, len(res.Unverified), res.Lifecycles["demo"])
	}
	for _, u := range res.Unverified {
		if !strings.HasPrefix(u, "demo ") || !strings.HasSuffix(u, "3: not there") {
			t.Errorf("unverified entry %q", u)
		}
	}
	var steps, reads int
	for _, op := range res.Ops {
		switch op.Name {
		case "demo step":
			steps = op.Count
		case "demo read":
			reads = op.Count
		}
	}
	if res.Mutating != steps || res.Requests != steps+reads || reads != int(finished.Load()) {
		t.Errorf("requests %d, state-changing %d; ops: %d steps, %d reads", res.Requests, res.Mutating, steps, reads)
	}
	var out bytes.Buffer
	Report{Server: res, Baseline: res, Conns: 2}.Write(&out)
	for _, want := range []string{"  demo step: status 503, want 200 ×", " missing or unbalanced\n  demo "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestIDsAreUnique: lifecycle ids of one run never repeat across workers.
func TestIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for w := range 3 {
		c := &Client{worker: w}
		for range 5000 {
			id := c.ID()
			if seen[id] {
				t.Fatalf("id %s twice", id)
			}
			seen[id] = true
		}
	}
}
