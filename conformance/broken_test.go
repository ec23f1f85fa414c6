package conformance

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// rewrite wraps a handler: when match says so, the real answer is
// replaced by what change makes of it (status, body).
func rewrite(match func(r *http.Request, status int) bool, change func(status int, body []byte) (int, []byte)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			status, body := rec.Code, rec.Body.Bytes()
			if match(r, status) {
				status, body = change(status, body)
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Del("Content-Length")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		})
	}
}

// TestSuiteDetectsBrokenServer proves the suite bites: each subtest breaks
// one behaviour of the real server with a middleware and asserts that the
// check guarding it fails (and names the problem).
func TestSuiteDetectsBrokenServer(t *testing.T) {
	getOrderV3 := func(r *http.Request, status int) bool {
		return r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/medusa/v3.0/orders/")
	}
	for _, tc := range []struct {
		name     string
		breakage func(http.Handler) http.Handler
		run      string // the checks to run
		check    string // the check that must fail
		says     string // and what its failure must mention
	}{
		{
			name: "getOrderV3 answers 200 {} where the spec documents 404",
			breakage: rewrite(func(r *http.Request, s int) bool { return getOrderV3(r, s) && s == http.StatusNotFound },
				func(int, []byte) (int, []byte) { return http.StatusOK, []byte(`{}`) }),
			run:   `^example/medusa/getOrderV3/`,
			check: "example/medusa/getOrderV3/404/notFound",
			says:  "status 200, the example documents 404",
		},
		{
			name: "getOrderV3's 404 carries another errorCode",
			breakage: rewrite(func(r *http.Request, s int) bool { return getOrderV3(r, s) && s == http.StatusNotFound },
				func(s int, b []byte) (int, []byte) {
					return s, bytes.Replace(b, []byte(`"NotFoundError"`), []byte(`"ValidationError"`), 1)
				}),
			run:   `^example/medusa/getOrderV3/`,
			check: "example/medusa/getOrderV3/404/notFound",
			says:  `/Errors/0/errorCode is "ValidationError", the example has "NotFoundError"`,
		},
		{
			name: "a 200 of getOrderV3 loses a required field",
			breakage: rewrite(func(r *http.Request, s int) bool { return getOrderV3(r, s) && s == http.StatusOK },
				func(s int, b []byte) (int, []byte) {
					return s, bytes.Replace(b, []byte(`"state":`), []byte(`"status":`), 1)
				}),
			run:   `^example/medusa/getOrderV3/`,
			check: "example/medusa/getOrderV3/200/newOrder",
			says:  `property "state" is missing`,
		},
		{
			name: "a step not allowed now is answered 200",
			breakage: rewrite(func(r *http.Request, s int) bool {
				return strings.HasSuffix(r.URL.Path, "/mark_order_paid_by_acquirer") && s == http.StatusBadRequest
			}, func(int, []byte) (int, []byte) {
				return http.StatusOK, []byte(`{"Data":{"result":"waiting_services"},"Links":{"self":"http://x/"},"Meta":{"totalPages":1}}`)
			}),
			run:   `^lifecycle/medusa/(step/paid|repeat)/markOrderPaidByAcquirer`,
			check: "lifecycle/medusa/step/paid/markOrderPaidByAcquirer/refused",
			says:  "status 200, want 400",
		},
		{
			name: "an invalid body is a server error",
			breakage: rewrite(func(r *http.Request, s int) bool {
				return r.URL.Path == "/medusa/v3.0/orders" && s == http.StatusBadRequest
			}, func(_ int, b []byte) (int, []byte) { return http.StatusInternalServerError, b }),
			run:   `^negative/medusa/createOrderV3/Data\.Services\[0\]\.price/missing$`,
			check: "negative/medusa/createOrderV3/Data.Services[0].price/missing",
			says:  "a server error (500)",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := Run(context.Background(), Config{BaseURL: startServer(t, tc.breakage), Run: regexp.MustCompile(tc.run)})
			if len(rep.Results) == 0 {
				t.Fatalf("no check matched %s", tc.run)
			}
			var found *Result
			for i := range rep.Results {
				if rep.Results[i].Name == tc.check {
					found = &rep.Results[i]
				}
			}
			if found == nil {
				t.Fatalf("check %s did not run", tc.check)
			}
			if found.Passed {
				t.Fatalf("%s passed against the broken server", tc.check)
			}
			if !strings.Contains(found.Failure, tc.says) {
				t.Errorf("%s failed, but its message does not say %q:\n%s", tc.check, tc.says, found.Failure)
			}
			if rep.Failed() == 0 {
				t.Error("the report counts no failure")
			}
		})
	}
}
