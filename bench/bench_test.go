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
	var calls, reads, lifecycles atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/flaky" && calls.Add(1)%4 == 0 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path == "/read" && reads.Add(1)%5 == 0 {
			_, _ = w.Write([]byte(`{"ErrorCode":7}`)) // a documented status the flow cannot use
			return
		}
		_, _ = w.Write([]byte(`{"ErrorCode":0}`))
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
			raw, err := c.Do(Request{Op: "demo read", Method: "GET", Path: "/read", Want: 200})
			if err != nil {
				return "", err
			}
			if string(raw) != `{"ErrorCode":0}` {
				return "", BadAnswer("demo read", "ErrorCode 7", raw)
			}
			if lifecycles.Add(1)%6 == 0 {
				return "", errors.New("something else") // counted under the flow's name
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
	for _, key := range []string{"demo step: status 503, want 200", "demo read: ErrorCode 7", "demo: lifecycle failed"} {
		if res.Errors[key] == 0 {
			t.Errorf("no %q among the errors %v", key, res.Errors)
		}
	}
	if len(res.Errors) != 3 {
		t.Errorf("errors %v, want only those three kinds", res.Errors)
	}
	if got, want := res.ErrorSamples["demo read: ErrorCode 7"], `{"ErrorCode":7}`; got != want {
		t.Errorf("sample %q, want %q", got, want)
	}
	// Every lifecycle either finished or failed, and each failure counted once.
	if started := res.ErrorCount() + res.Lifecycles["demo"]; int64(started) != calls.Load() {
		t.Errorf("%d errors + %d lifecycles, %d started", res.ErrorCount(), res.Lifecycles["demo"], calls.Load())
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
	var steps, readOps int
	for _, op := range res.Ops {
		switch op.Name {
		case "demo step":
			steps = op.Count
		case "demo read":
			readOps = op.Count
		}
	}
	if res.Mutating != steps || res.Requests != steps+readOps || int64(steps) != calls.Load() || int64(readOps) != reads.Load() {
		t.Errorf("requests %d, state-changing %d; ops: %d steps, %d reads", res.Requests, res.Mutating, steps, readOps)
	}
	var out bytes.Buffer
	Report{Server: res, Baseline: res, Conns: 2}.Write(&out)
	for _, want := range []string{"  demo step: status 503, want 200 ×", ` (the first: "busy\n")`, "  demo read: ErrorCode 7 ×", " missing or unbalanced\n  demo "} {
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
