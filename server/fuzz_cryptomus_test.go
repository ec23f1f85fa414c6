package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/cryptomus"
)

var cryptomusFuzzPaths = []string{"/v1/payment", "/v1/payment/info", "/v1/payment/refund", "/v1/payment/services"}

// Ways to sign a fuzzed Cryptomus body; only the first three (and the
// payout key on refunds) authenticate.
const (
	signPayment    = iota // the merchant's payment key
	signPayout            // its payout key (refunds only)
	signUpper             // the payment key's sign in upper case
	signMissing           // no sign header
	signStranger          // a merchant that does not exist, signed with the payment key
	signOtherBytes        // the sign of other bytes (the body with a space after it)
	signWays
)

// FuzzCryptomusRequest sends arbitrary bodies and content types to every
// Cryptomus operation, signed in several ways inside the fuzz function so
// that most inputs get past the sign check and reach the Laravel rules and
// the handlers: whatever arrives, the answer is never a 5xx, every error is
// Cryptomus's {"state":1,…}, every success {"state":0,…}, and a request that
// is not signed over its exact bytes with a key of the merchant is 401.
func FuzzCryptomusRequest(f *testing.F) {
	f.Add(uint8(0), uint8(signPayment), "application/json", `{"amount":"10.28","currency":"USDT","order_id":"fz-1"}`)
	f.Add(uint8(0), uint8(signPayment), "application/json", `{"amount":10.28,"currency":"usdt","order_id":"fz-2","network":"tron","url_callback":"https://x.example/cb","lifetime":"600","accuracy_payment_percent":5,"additional_data":"x"}`)
	f.Add(uint8(0), uint8(signUpper), "application/json", `{"amount":"1e999999","currency":"USDT","order_id":"fz-3"}`)
	f.Add(uint8(0), uint8(signPayment), "application/json", `{"amount":"-0.00000001","currency":"ABCDEFGHIJK","order_id":"a b","lifetime":299}`)
	f.Add(uint8(0), uint8(signPayment), "text/plain", `{"amount":"123456789012345678901234567890.123456789","currency":"BTC","order_id":"fz-4"}`)
	f.Add(uint8(0), uint8(signPayment), "application/json", `{"amount":"-1","currency":"USDT","order_id":"fz-5","amount":"2"}`)
	f.Add(uint8(0), uint8(signPayment), "application/json", "{\"amount\":\"1\",\"currency\":\"USDT\",\"order_id\":\"fz-6\",\"url_return\":\"\xff\xfe\"}")
	f.Add(uint8(1), uint8(signPayment), "application/json", `{"order_id":"fuzz-paid-1"}`)
	f.Add(uint8(1), uint8(signPayment), "application/json", `{"uuid":"3F6C2A9E-4B7D-4C1E-9A8B-2D5E7F9A1C3B","order_id":" "}`)
	f.Add(uint8(1), uint8(signStranger), "application/json", `{"order_id":"fuzz-paid-1"}`)
	f.Add(uint8(2), uint8(signPayout), "application/json", `{"order_id":"fuzz-paid-1","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":"true"}`)
	f.Add(uint8(2), uint8(signPayment), "application/json", `{"order_id":"fuzz-paid-2","address":"T1","is_subtract":0}`)
	f.Add(uint8(2), uint8(signPayment), "application/json", `{"order_id":"fuzz-paid-3","address":"T1","is_subtract":" 1 "}`)
	f.Add(uint8(2), uint8(signOtherBytes), "application/json", `{"order_id":"fuzz-paid-3","address":"T1","is_subtract":true}`)
	f.Add(uint8(2), uint8(signMissing), "application/json", `{"order_id":"fuzz-paid-3","address":"T1","is_subtract":true}`)
	f.Add(uint8(2), uint8(signPayment), "application/json", `[{"uuid":null}]`)
	f.Add(uint8(0), uint8(signPayment), "application/json", `{"a":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}`)
	f.Add(uint8(3), uint8(signPayment), "application/json", `{}`)
	f.Fuzz(func(t *testing.T, path, sign uint8, contentType, body string) {
		w := sharedWorld(t)
		p := cryptomusFuzzPaths[int(path)%len(cryptomusFuzzPaths)]
		way := int(sign) % signWays
		h := http.Header{}
		h.Set("Content-Type", contentType)
		raw := []byte(body)
		switch way {
		case signPayment:
			cryptomusSign(h, raw)
		case signPayout:
			h.Set("merchant", cryptomus.DefaultMerchantUUID)
			h.Set("sign", cryptomus.Sign(raw, cryptomus.DefaultPayoutKey))
		case signUpper:
			h.Set("merchant", cryptomus.DefaultMerchantUUID)
			h.Set("sign", strings.ToUpper(cryptomus.Sign(raw, cryptomus.DefaultPaymentKey)))
		case signMissing:
			h.Set("merchant", cryptomus.DefaultMerchantUUID)
		case signStranger:
			h.Set("merchant", "00000000-0000-4000-8000-00000000beef")
			h.Set("sign", cryptomus.Sign(raw, cryptomus.DefaultPaymentKey))
		case signOtherBytes:
			h.Set("merchant", cryptomus.DefaultMerchantUUID)
			h.Set("sign", cryptomus.Sign(append(raw, ' '), cryptomus.DefaultPaymentKey))
		}
		rec := w.do(http.MethodPost, p, h, body)
		if rec.Code >= 500 {
			t.Fatalf("%d for %s %q %q: %s", rec.Code, p, contentType, body, rec.Body)
		}
		if rec.Code >= 400 {
			if _, err := cryptomusEnvelope(rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
				t.Fatal(err)
			}
		} else {
			var ok struct {
				State  *int            `json:"state"`
				Result json.RawMessage `json:"result"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &ok); err != nil || ok.State == nil || *ok.State != 0 || len(ok.Result) == 0 {
				t.Fatalf("%d is not Cryptomus's success: %s", rec.Code, rec.Body)
			}
		}
		documented := p != "/v1/payment/services"
		signed := way == signPayment || way == signUpper || (way == signPayout && p == "/v1/payment/refund")
		if documented && !signed && rec.Code != http.StatusUnauthorized && rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("not signed (way %d) but %d for %s %q: %s", way, rec.Code, p, body, rec.Body)
		}
	})
}
