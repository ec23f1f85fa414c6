package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/cryptomus"
)

// headerFuzzTargets are one valid request of each API (and of the control
// API, in both its envelopes) whose headers the fuzzer replaces.
var headerFuzzTargets = []struct {
	method, path, body string
	envelope           envelope // nil: PaymentCommitResponse
}{
	{http.MethodPost, "/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", `{"orderExtId":"00000000-0000-4000-8000-00000000fe11"}`, medusaEnvelope},
	{http.MethodGet, "/medusa/v3.0/orders/00000000-0000-4000-8000-00000000fe11", "", medusaEnvelope},
	{http.MethodPost, "/v1/payment/info", `{"order_id":"fuzz-paid-1"}`, cryptomusEnvelope},
	{http.MethodPost, "/v1/payment", `{"amount":"1.00","currency":"USDT","order_id":"fz-hdr-1"}`, cryptomusEnvelope},
	{http.MethodPost, "/yookassa/v3/payments", `{"amount":{"value":"1.00","currency":"RUB"}}`, yookassaEnvelope},
	{http.MethodGet, "/yookassa/v3/payments/$PAY", "", yookassaEnvelope},
	{http.MethodPost, "/api/yookassa/PaymentCommit", `{"Amount":1.00,"ApiParams":{"Url":"$URL","Login":"100500","Password":"test_sandbox_secret","IdempotenceKey":"fz-hdr-1"}}`, nil},
	{http.MethodPost, "/api/yookassa/PaymentCommit", `<PaymentCommitRequest><Amount>1.00</Amount><ApiParams><Url>$URL</Url><Login>100500</Login><Password>test_sandbox_secret</Password></ApiParams></PaymentCommitRequest>`, nil},
	{http.MethodPost, "/api/yookassa/PaymentCommit", `Amount=1.00&ApiParams.Url=$URL&ApiParams.Login=100500&ApiParams.Password=test_sandbox_secret`, nil},
	{http.MethodGet, "/sandbox/v1/medusa/orders/00000000-0000-4000-8000-00000000fe11/ledger", "", medusaEnvelope},
	{http.MethodPost, "/sandbox/v1/medusa/tokens", `{"platform":"fz-hdr","token":"fz-hdr-token","permissions":["medusa"]}`, controlEnvelope},
}

// FuzzHeaders sends a valid request of each API with fuzzed header values:
// Authorization, merchant, sign, Content-Type, Accept and Idempotence-Key
// (an empty value leaves the header out; $TOKEN, $MERCHANT, $BASIC and
// $SIGN stand for the valid credentials, so mutations of valid headers are
// tried too). Whatever the headers: never a 5xx, and every error is in the
// API's own envelope.
func FuzzHeaders(f *testing.F) {
	type seed struct {
		target                                                      uint8
		authorization, merchant, sign, contentType, accept, idemKey string
	}
	for _, s := range []seed{
		{0, "Bearer $TOKEN", "", "", "application/json", "", ""},
		{0, "bearer $TOKEN", "", "", "application/json; charset=utf-8", "", ""},
		{0, "Bearer  $TOKEN ", "", "", "APPLICATION/JSON", "application/xml", ""},
		{0, "Bearer \xff", "", "", "application/json;;;", "", ""},
		{1, "Bearer $TOKEN", "", "", "", "*/*", ""},
		{1, "Basic $BASIC", "", "", "", "", ""},
		{2, "", "$MERCHANT", "$SIGN", "application/json", "", ""},
		{2, "", "$MERCHANT", "$SIGN", "text/plain", "", ""},
		{2, "", " $MERCHANT", "$SIGN ", "application/json", "", ""},
		{2, "", "$MERCHANT", "", "application/json", "", ""},
		{3, "", "8B03432E-385B-4670-8D06-064591096795", "$SIGN", "application/json", "", ""},
		{3, "", "$MERCHANT", "d41d8cd98f00b204e9800998ecf8427e", "application/json", "", ""},
		{4, "Basic $BASIC", "", "", "application/json", "", "fz-hdr-key-1"},
		{4, "Basic $BASIC", "", "", "application/json", "", strings.Repeat("k", 65)},
		{4, "Basic $BASIC", "", "", "application/json", "", "key with spaces"},
		{4, "Basic MTAwNTAwOg==", "", "", "application/json", "", "fz-hdr-key-2"},
		{4, "Basic", "", "", "application/json", "", "fz-hdr-key-3"},
		{4, "Basic $BASIC", "", "", "application/x-www-form-urlencoded", "", "fz-hdr-key-4"},
		{5, "Basic $BASIC", "", "", "", "", ""},
		{5, "Basic $BASIC$BASIC", "", "", "", "", ""},
		{6, "", "", "", "application/json", "application/xml", ""},
		{6, "", "", "", "text/json", "text/xml;q=0.9, application/json;q=0.1", ""},
		{6, "", "", "", "multipart/form-data; boundary=x", "*/*;q=x", ""},
		{7, "", "", "", "application/xml", "text/xml", ""},
		{7, "", "", "", "text/xml; charset=windows-1251", "", ""},
		{8, "", "", "", "application/x-www-form-urlencoded", "", ""},
		{8, "", "", "", "application/x-www-form-urlencoded; charset=\"", "application/json;q=0", ""},
		{9, "Bearer $TOKEN", "", "", "", "", ""},
		{9, "", "", "", "", "", ""},
		{10, "", "", "", "application/json", "", ""},
		{10, "", "", "", "application/merge-patch+json", "", ""},
	} {
		f.Add(s.target, s.authorization, s.merchant, s.sign, s.contentType, s.accept, s.idemKey)
	}
	f.Fuzz(func(t *testing.T, target uint8, authorization, merchant, sign, contentType, accept, idemKey string) {
		w := sharedWorld(t)
		tg := headerFuzzTargets[int(target)%len(headerFuzzTargets)]
		body := w.expand(tg.body)
		h := http.Header{}
		for name, v := range map[string]string{"Authorization": authorization, "merchant": merchant, "sign": sign,
			"Content-Type": contentType, "Accept": accept, "Idempotence-Key": idemKey} {
			v = fuzzCredentials.Replace(v)
			v = strings.ReplaceAll(v, "$SIGN", cryptomus.Sign([]byte(body), cryptomus.DefaultPaymentKey))
			if v != "" {
				h.Set(name, v)
			}
		}
		rec := w.do(tg.method, w.expand(tg.path), h, body)
		if tg.envelope == nil {
			checkCommitResponse(t, rec.Code, rec.Header(), rec.Body.Bytes())
			return
		}
		if rec.Code >= 500 {
			t.Fatalf("%d for %s %s with %v: %s", rec.Code, tg.method, tg.path, h, rec.Body)
		}
		if rec.Code >= 400 {
			if _, err := tg.envelope(rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
				t.Fatalf("%v (headers %v)", err, h)
			}
		}
	})
}
