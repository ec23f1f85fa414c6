package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/server"
	"github.com/paysandbox/paysandbox/yookassa"
)

// The fuzz targets of Cryptomus, YooKassa, PaymentCommit and the headers
// share one real server per fuzzing process: on a real listener (so that
// PaymentCommit reaches its own YooKassa), with state the fuzzer could not
// create by itself (a paid invoice to refund, payments in each state).
// Inputs go straight to the handler, without a connection, for speed.

type fuzzWorld struct {
	h    http.Handler
	base string // the server's own URL
	// YooKassa payments of the default shop: waiting_for_capture (two: one
	// to capture, one to cancel) and succeeded (to refund and read).
	waiting, waiting2, succeeded string
	// paidOrders are Cryptomus order_ids of paid invoices (to refund).
	paidOrders []string
}

var (
	fuzzWorldOnce sync.Once
	theFuzzWorld  *fuzzWorld
)

// sharedWorld starts the server and its state the first time it is asked.
func sharedWorld(t testing.TB) *fuzzWorld {
	fuzzWorldOnce.Do(func() {
		db := openFuzzDB(t, "fuzz-world.db")
		ts := httptest.NewUnstartedServer(nil)
		base := "http://" + ts.Listener.Addr().String()
		h, err := server.New(context.Background(), server.NewConfig(db, base, slog.New(slog.NewTextHandler(io.Discard, nil))))
		if err != nil {
			t.Fatal(err)
		}
		ts.Config.Handler = h
		ts.Start() // lives as long as the process
		w := &fuzzWorld{h: h, base: base}
		w.waiting = w.payment(t, false, true)
		w.waiting2 = w.payment(t, false, true)
		w.succeeded = w.payment(t, true, true)
		for _, order := range []string{"fuzz-paid-1", "fuzz-paid-2", "fuzz-paid-3"} {
			w.paidInvoice(t, order)
			w.paidOrders = append(w.paidOrders, order)
		}
		theFuzzWorld = w
	})
	if theFuzzWorld == nil {
		t.Fatal("the fuzz world did not start")
	}
	return theFuzzWorld
}

// do serves one request and returns the recorder.
func (w *fuzzWorld) do(method, path string, header http.Header, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	for k, vs := range header {
		req.Header[k] = vs
	}
	rec := httptest.NewRecorder()
	w.h.ServeHTTP(rec, req)
	return rec
}

// mustDo is do for setup: anything but 200 or 201 stops the run.
func (w *fuzzWorld) mustDo(t testing.TB, method, path string, header http.Header, body string) map[string]any {
	rec := w.do(method, path, header, body)
	if rec.Code != http.StatusOK && rec.Code != http.StatusCreated {
		t.Fatalf("setup %s %s: %d %s", method, path, rec.Code, rec.Body)
	}
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return out
}

// payment creates a YooKassa payment and has the payer confirm it.
func (w *fuzzWorld) payment(t testing.TB, capture, confirm bool) string {
	h := http.Header{}
	yookassaAuthHeader(h, nil)
	h.Set("Content-Type", "application/json")
	body := `{"amount":{"value":"100.00","currency":"RUB"},"capture":` + map[bool]string{true: "true", false: "false"}[capture] + `}`
	p := w.mustDo(t, http.MethodPost, "/yookassa/v3/payments", h, body)
	id, _ := p["id"].(string)
	if confirm {
		w.mustDo(t, http.MethodPost, "/sandbox/v1/yookassa/payments/"+id+"/confirm", nil, "")
	}
	return id
}

// paidInvoice creates a Cryptomus invoice of 100 USDT and pays it.
func (w *fuzzWorld) paidInvoice(t testing.TB, order string) {
	body := `{"amount":"100.00","currency":"USDT","order_id":"` + order + `"}`
	h := http.Header{}
	cryptomusSign(h, []byte(body))
	h.Set("Content-Type", "application/json")
	inv := w.mustDo(t, http.MethodPost, "/v1/payment", h, body)
	res, _ := inv["result"].(map[string]any)
	uuid, _ := res["uuid"].(string)
	w.mustDo(t, http.MethodPost, "/sandbox/v1/cryptomus/invoices/"+uuid+"/status", http.Header{"Content-Type": {"application/json"}},
		`{"status":"paid","paymentAmount":"100.00"}`)
}

// expand puts the world's values in for the placeholders an input may
// carry, so that mutations of valid requests stay valid often enough to
// reach the handlers: $URL (the YooKassa base URL PaymentCommit may call),
// $PAY (a succeeded payment), $WAIT (a payment waiting for capture).
func (w *fuzzWorld) expand(s string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	return strings.NewReplacer("$URL", w.base+"/yookassa/v3", "$PAY", w.succeeded, "$WAIT", w.waiting).Replace(s)
}

// fuzzCredentials are the header placeholders of valid credentials.
var fuzzCredentials = strings.NewReplacer(
	"$TOKEN", "sandbox.jwt.token",
	"$MERCHANT", cryptomus.DefaultMerchantUUID,
	"$BASIC", strings.TrimPrefix(basicAuth(yookassa.DefaultShopID, yookassa.DefaultSecretKey), "Basic "),
)
