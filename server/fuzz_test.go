package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/server"
	"github.com/paysandbox/paysandbox/sqlitedb"
)

var (
	fuzzOnce    sync.Once
	fuzzHandler http.Handler
)

// sharedHandler is one real server for a whole fuzz run (a database per
// input would measure SQLite's file creation, not our decoding).
func sharedHandler(t testing.TB) http.Handler {
	fuzzOnce.Do(func() {
		db := openFuzzDB(t, "fuzz.db")
		h, err := server.New(context.Background(), server.NewConfig(db, "http://sandbox.test", slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			t.Fatal(err)
		}
		fuzzHandler = h
	})
	return fuzzHandler
}

var medusaFuzzPaths = []string{
	"/medusa/v1.0/sandbox/mark_order_paid_by_acquirer",
	"/medusa/v1.0/sandbox/proceed_refund",
	"/medusa/v3.0/orders",
	"/medusa/v2.0/orders",
	"/medusa/v1.0/orders",
	"/medusa/v1.0/recipients",
	"/medusa/v1.0/recipients/00000000-0000-4000-8000-000000000001/payout_methods/sbp",
	"/medusa/v1.0/orders/00000000-0000-4000-8000-0000000000ff/decisions",
}

// FuzzMedusaRequest sends arbitrary bodies and content types to Medusa's
// operations: whatever arrives, the answer is never a 5xx and every error
// is Tochka's envelope.
func FuzzMedusaRequest(f *testing.F) {
	f.Add(uint8(0), "application/json", `{"orderExtId":"00000000-0000-4000-8000-000000000001"}`)
	f.Add(uint8(0), "application/json", `{"Data":{"orderExtId":"x"}}`)
	f.Add(uint8(1), "application/json", `{"serviceExtId":1e999}`)
	f.Add(uint8(2), "application/json", `{"Data":{"extId":"00000000-0000-4000-8000-000000000003","IncomingPayment":{"type":"acquiring","Details":{"sbpNeeded":true,"cardNeeded":true,"redirectUrl":"a","failRedirectUrl":"b","ttl":60,"purpose":"p"}},"Services":[{"extId":"00000000-0000-4000-8000-000000000004","price":"100.005","commission":"-1","Recipient":{"extId":"00000000-0000-4000-8000-000000000001","payoutExtId":"00000000-0000-4000-8000-000000000002"},"startDecision":"confirmed"}]}}`)
	f.Add(uint8(4), "application/json", `{"Data":{"orderExtId":"00000000-0000-4000-8000-000000000005","orderCommission":"99999999999999999999999999999.99","IncomingPayment":{},"Services":[]}}`)
	f.Add(uint8(5), "application/json", `{"Data":{"extId":"\xff\xfe","name":"`+strings.Repeat("я", 200)+`"}}`)
	f.Add(uint8(6), "text/plain", `{"Data":{"SbpPayoutMethod":{"payoutMethodExtId":"a","bankId":"b"}}}`)
	f.Add(uint8(7), "application/json", `{"Data":{"Decisions":[{"serviceExtId":"00000000-0000-4000-8000-000000000004","decision":"confirmed"},{"serviceExtId":"00000000-0000-4000-8000-000000000004","decision":"confirmed"}]}}`)
	f.Add(uint8(3), "application/json", `{"a":`+strings.Repeat("[", 10000)+strings.Repeat("]", 10000)+`}`)
	f.Add(uint8(0), "application/json", `{"orderExtId":"a","orderExtId":"b"}`)
	f.Fuzz(func(t *testing.T, path uint8, contentType, body string) {
		h := sharedHandler(t)
		req := httptest.NewRequest(http.MethodPost, medusaFuzzPaths[int(path)%len(medusaFuzzPaths)], strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+medusa.DefaultToken)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%d for %q %q: %s", rec.Code, contentType, body, rec.Body)
		}
		if rec.Code >= 400 {
			var env struct {
				Code   string `json:"code"`
				ID     string `json:"id"`
				Errors []struct {
					ErrorCode string `json:"errorCode"`
					Message   string `json:"message"`
				} `json:"Errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Code == "" || env.ID == "" || len(env.Errors) != 1 || env.Errors[0].ErrorCode == "" {
				t.Fatalf("%d is not Tochka's envelope: %s", rec.Code, rec.Body)
			}
		}
	})
}

// openFuzzDB opens a shared fuzz database, name in a new directory: the
// fuzzing engine runs many processes, each with its own. It stays open as
// long as the process.
func openFuzzDB(t testing.TB, name string) *sqlitedb.DB {
	dir, err := os.MkdirTemp("", "paysandbox-fuzz")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlitedb.Open(context.Background(), filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return db
}
