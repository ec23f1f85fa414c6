package server_test

import (
	"context"
	"encoding/json"
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
	"github.com/paysandbox/paysandbox/yookassa"
)

// Each benchmark is one API's hot path (validation, transition, commit):
// one whole lifecycle per op, sent straight to the real handler of
// server.New on a temp-file SQLite, so that benchstat compares them.

// benchConfig is the default configuration at publicURL on a temp-file
// database, logging nowhere.
func benchConfig(b *testing.B, publicURL string) server.Config {
	b.Helper()
	db, err := sqlitedb.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return server.NewConfig(db, publicURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// benchNew is the real handler of cfg.
func benchNew(b *testing.B, cfg server.Config) http.Handler {
	b.Helper()
	h, err := server.New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	return h
}

// benchHandler is the real handler on a temp-file database, logging nowhere.
func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	return benchNew(b, benchConfig(b, "http://sandbox.test"))
}

// benchSelfUpstream is benchHandler also served on a real listener on
// 127.0.0.1, whose /yookassa/v3 is the one allowed upstream, so that
// PaymentCommit reaches this server's own YooKassa over HTTP. It returns
// the handler and that upstream's URL; the listener closes with b.
func benchSelfUpstream(b *testing.B) (http.Handler, string) {
	b.Helper()
	ts := httptest.NewUnstartedServer(nil) // listens on 127.0.0.1:0 already
	base := "http://" + ts.Listener.Addr().String()
	cfg := benchConfig(b, base)
	b.Cleanup(ts.Close) // before the database closes
	upstream := base + "/yookassa/v3"
	cfg.UpstreamAllow = []string{upstream}
	h := benchNew(b, cfg)
	ts.Config.Handler = h
	ts.Start()
	return h, upstream
}

// medusaAuth is the default Medusa platform's bearer token.
var medusaAuth = http.Header{"Authorization": {"Bearer " + medusa.DefaultToken}}

// call sends one Medusa request (JSON, the default token) to h and fails
// unless h answers want.
func call(b *testing.B, h http.Handler, method, path, body string, want int) {
	callWith(b, h, medusaAuth, method, path, body, want)
}

// callWith sends one request to h with header and, when body is not empty,
// a JSON body; it fails unless h answers want and returns the answer.
func callWith(b *testing.B, h http.Handler, header http.Header, method, path, body string, want int) []byte {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// decode reads the JSON answer of method path into v.
func decode(b *testing.B, path string, raw []byte, v any) {
	if err := json.Unmarshal(raw, v); err != nil {
		b.Fatalf("%s: %v: %s", path, err, raw)
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

// cryptomusSigned are the headers of a Cryptomus request of the default
// merchant: its uuid and the sign of body with its payment key.
func cryptomusSigned(body string) http.Header {
	h := http.Header{}
	cryptomusSign(h, []byte(body))
	return h
}

// BenchmarkCryptomusRefundLifecycle is one whole invoice per op: create
// (signed) → paid (control API) → refund of all of it (signed, Cryptomus's
// documented body) → refund_paid (control API).
func BenchmarkCryptomusRefundLifecycle(b *testing.B) {
	h := benchHandler(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		create := fmt.Sprintf(`{"amount":"10.28","currency":"USDT","order_id":"bench-%d"}`, i)
		var inv struct {
			Result struct {
				UUID string `json:"uuid"`
			} `json:"result"`
		}
		decode(b, "/v1/payment", callWith(b, h, cryptomusSigned(create), "POST", "/v1/payment", create, 200), &inv)
		if inv.Result.UUID == "" {
			b.Fatalf("/v1/payment: no uuid for %s", create)
		}
		status := "/sandbox/v1/cryptomus/invoices/" + inv.Result.UUID + "/status"
		callWith(b, h, nil, "POST", status, `{"status":"paid","paymentAmount":"10.28"}`, 200)
		refund := `{"uuid":"` + inv.Result.UUID + `","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":"true"}`
		callWith(b, h, cryptomusSigned(refund), "POST", "/v1/payment/refund", refund, 200)
		callWith(b, h, nil, "POST", status, `{"status":"refund_paid"}`, 200)
	}
}

// yookassaBasic is the default shop's HTTP Basic credentials.
var yookassaBasic = basicAuth(yookassa.DefaultShopID, yookassa.DefaultSecretKey)

// yookassaAuth are the headers of a YooKassa POST of the default shop.
func yookassaAuth(key string) http.Header {
	return http.Header{"Authorization": {yookassaBasic}, "Idempotence-Key": {key}}
}

// BenchmarkYooKassaPaymentLifecycle is one whole payment of the default
// shop per op: create (YooKassa's default, capture false) → the payer
// confirms (control API), which leaves it waiting_for_capture → capture of
// all of it → one refund of all of it; each POST with its own
// Idempotence-Key.
func BenchmarkYooKassaPaymentLifecycle(b *testing.B) {
	h := benchHandler(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		key := fmt.Sprintf("bench-%d-", i)
		var p struct {
			ID string `json:"id"`
		}
		decode(b, "/yookassa/v3/payments", callWith(b, h, yookassaAuth(key+"create"), "POST", "/yookassa/v3/payments",
			`{"amount":{"value":"100.00","currency":"RUB"},"confirmation":{"type":"redirect","return_url":"https://shop.example/return"},"description":"bench"}`, 200), &p)
		if p.ID == "" {
			b.Fatal("/yookassa/v3/payments: no id")
		}
		callWith(b, h, nil, "POST", "/sandbox/v1/yookassa/payments/"+p.ID+"/confirm", "", 200)
		callWith(b, h, yookassaAuth(key+"capture"), "POST", "/yookassa/v3/payments/"+p.ID+"/capture", `{}`, 200)
		callWith(b, h, yookassaAuth(key+"refund"), "POST", "/yookassa/v3/refunds",
			`{"payment_id":"`+p.ID+`","amount":{"value":"100.00","currency":"RUB"}}`, 200)
	}
}

// paymentCommit sends one JSON PaymentCommit to h and fails unless it
// succeeds: HTTP 200 and ErrorCode 0. It returns the PaymentId and the
// RefundId of the answer.
func paymentCommit(b *testing.B, h http.Handler, body string) (payment, refund string) {
	const path = "/api/yookassa/PaymentCommit"
	var res struct {
		ErrorCode int    `json:"ErrorCode"`
		Message   string `json:"Message"`
		PaymentID string `json:"PaymentId"`
		RefundID  string `json:"RefundId"`
	}
	decode(b, path, callWith(b, h, nil, "POST", path, body, 200), &res)
	if res.ErrorCode != 0 {
		b.Fatalf("%s: ErrorCode %d: %s", path, res.ErrorCode, res.Message)
	}
	return res.PaymentID, res.RefundID
}

// BenchmarkPaymentCommitLifecycle is one LCManager payment per op:
// PaymentCommit (JSON) creates a one-stage payment → the payer confirms
// (control API) → PaymentCommit refunds all of it. Each PaymentCommit
// makes its real HTTP call to this server's own YooKassa on 127.0.0.1 (on
// a new connection: the upstream client keeps none alive), so an op is
// also two YooKassa requests served over TCP.
func BenchmarkPaymentCommitLifecycle(b *testing.B) {
	h, upstream := benchSelfUpstream(b)
	params := fmt.Sprintf(`"ApiParams":{"Url":%q,"Login":%q,"Password":%q,"IdempotenceKey":`, upstream, yookassa.DefaultShopID, yookassa.DefaultSecretKey)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id, _ := paymentCommit(b, h, fmt.Sprintf(`{"Refund":false,"Amount":100.00,"Description":"bench","PaymentRefund":null,%s"bench-%d-pay"}}`, params, i))
		if id == "" {
			b.Fatal("PaymentCommit (payment): no PaymentId")
		}
		callWith(b, h, nil, "POST", "/sandbox/v1/yookassa/payments/"+id+"/confirm", "", 200)
		if _, refund := paymentCommit(b, h, fmt.Sprintf(`{"Refund":true,"Amount":100.00,"Description":"bench refund","PaymentRefund":%q,%s"bench-%d-refund"}}`, id, params, i)); refund == "" {
			b.Fatal("PaymentCommit (refund): no RefundId")
		}
	}
}
