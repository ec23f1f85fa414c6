package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/server"
	"github.com/paysandbox/paysandbox/sqlitedb"
)

// benchHandler is the real handler on a temp-file database, logging nowhere.
func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	ctx := context.Background()
	db, err := sqlitedb.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	h, err := server.New(ctx, server.NewConfig(db, "http://sandbox.test", slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		b.Fatal(err)
	}
	return h
}

func call(b *testing.B, h http.Handler, method, path, body string, want int) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+medusa.DefaultToken)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
}

// BenchmarkMedusaLifecycle is one whole order per op: create (v3) → Step02
// → 03A → 04 → 05 → 06 → 07, each request validated, applied and committed.
func BenchmarkMedusaLifecycle(b *testing.B) {
	h := benchHandler(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		order := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
		svc := fmt.Sprintf("%08x-0000-4000-9000-%012x", i, i)
		call(b, h, "POST", "/medusa/v3.0/orders", `{"Data":{"extId":"`+order+`","IncomingPayment":{"type":"acquiring","Details":{"sbpNeeded":true,"cardNeeded":true,"redirectUrl":"https://a","failRedirectUrl":"https://b","ttl":60,"purpose":"x"}},"Services":[{"extId":"`+svc+`","price":"1000.00","commission":"100.00","Recipient":{"extId":"`+medusa.DefaultRecipientExtID+`","payoutExtId":"`+medusa.DefaultPayoutMethodExtID+`"},"startDecision":"confirmed"}]}}`, 200)
		o := `{"orderExtId":"` + order + `"}`
		s := `{"serviceExtId":"` + svc + `"}`
		call(b, h, "POST", "/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", o, 200)
		call(b, h, "POST", "/medusa/v1.0/sandbox/proceed_service_payout_to_recipient", s, 200)
		call(b, h, "POST", "/medusa/v1.0/sandbox/proceed_service_payout_commission", s, 200)
		call(b, h, "POST", "/medusa/v1.0/sandbox/proceed_acquiring_commission", o, 200)
		call(b, h, "POST", "/medusa/v1.0/sandbox/move_platform_commission_to_commission_account", o, 200)
		call(b, h, "POST", "/medusa/v1.0/sandbox/proceed_platform_commission", o, 200)
	}
}

// BenchmarkMedusaLifecycleParallel runs lifecycles from GOMAXPROCS goroutines:
// what the HTTP layer costs beside the serialized writes.
func BenchmarkMedusaLifecycleParallel(b *testing.B) {
	h := benchHandler(b)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			order := fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
			svc := fmt.Sprintf("%08x-0000-4000-9000-%012x", i, i)
			call(b, h, "POST", "/medusa/v3.0/orders", `{"Data":{"extId":"`+order+`","IncomingPayment":{"type":"acquiring","Details":{"sbpNeeded":true,"cardNeeded":true,"redirectUrl":"https://a","failRedirectUrl":"https://b","ttl":60,"purpose":"x"}},"Services":[{"extId":"`+svc+`","price":"1000.00","commission":"100.00","Recipient":{"extId":"`+medusa.DefaultRecipientExtID+`","payoutExtId":"`+medusa.DefaultPayoutMethodExtID+`"},"startDecision":"confirmed"}]}}`, 200)
			o := `{"orderExtId":"` + order + `"}`
			s := `{"serviceExtId":"` + svc + `"}`
			for _, step := range []struct{ path, body string }{
				{"mark_order_paid_by_acquirer", o}, {"proceed_service_payout_to_recipient", s}, {"proceed_service_payout_commission", s},
				{"proceed_acquiring_commission", o}, {"move_platform_commission_to_commission_account", o}, {"proceed_platform_commission", o},
			} {
				call(b, h, "POST", "/medusa/v1.0/sandbox/"+step.path, step.body, 200)
			}
		}
	})
}
