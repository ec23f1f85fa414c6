package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/yookassa"
)

// yookassaFuzzOps are the operations the fuzzer picks from; {waiting},
// {waiting2} and {succeeded} are the world's payments.
var yookassaFuzzOps = []struct{ method, path string }{
	{http.MethodPost, "/yookassa/v3/payments"},
	{http.MethodPost, "/yookassa/v3/payments/{waiting}/capture"},
	{http.MethodPost, "/yookassa/v3/payments/{waiting2}/cancel"},
	{http.MethodPost, "/yookassa/v3/refunds"},
	{http.MethodGet, "/yookassa/v3/payments/{succeeded}"},
	{http.MethodPost, "/yookassa/v3/payments/{id}/capture"},
	{http.MethodGet, "/yookassa/v3/refunds/{id}"},
	{http.MethodPost, "/yookassa/v3/payments/{succeeded}/cancel"},
	{http.MethodDelete, "/yookassa/v3/payments/{succeeded}"},
}

// Ways to authenticate a fuzzed YooKassa request; only the first does.
const (
	basicRight = iota
	basicWrongSecret
	basicMissing
	basicMalformed
	basicBearer
	basicWays
)

// FuzzYooKassaRequest sends arbitrary bodies, Idempotence-Keys and
// credentials to every YooKassa operation (an id of the fuzzer's own in the
// paths that take one, the world's payments in the others): never a 5xx,
// every error YooKassa's error object, and nothing but 401 without the
// shop's credentials.
func FuzzYooKassaRequest(f *testing.F) {
	f.Add(uint8(0), uint8(basicRight), "fz-key-1", "", `{"amount":{"value":"100.00","currency":"RUB"},"capture":true,"confirmation":{"type":"embedded"},"description":"Order 1"}`)
	f.Add(uint8(0), uint8(basicRight), "fz-key-2", "", `{"amount":{"value":"2.00","currency":"USD"},"confirmation":{"type":"redirect","return_url":"https://shop.example/ok"},"metadata":{"order_id":"72","a":"b"}}`)
	f.Add(uint8(0), uint8(basicRight), "fz-key-2", "", `{"amount":{"value":"3.00","currency":"USD"}}`)
	f.Add(uint8(0), uint8(basicRight), "fz-key-3", "", `{"amount":{"value":"1.001","currency":"RUB"},"capture":"yes","metadata":{"`+strings.Repeat("k", 40)+`":1}}`)
	f.Add(uint8(0), uint8(basicRight), strings.Repeat("k", 65), "", `{"amount":{"value":1e999999,"currency":"RUB"},"amount":{"value":"1.00"}}`)
	f.Add(uint8(0), uint8(basicRight), "fz-key-4", "", "{\"amount\":{\"value\":\"1.00\",\"currency\":\"RUB\"},\"description\":\"\xff\"}")
	f.Add(uint8(1), uint8(basicRight), "fz-key-5", "", `{"amount":{"value":"50.00","currency":"RUB"}}`)
	f.Add(uint8(1), uint8(basicRight), "fz-key-6", "", ``)
	f.Add(uint8(2), uint8(basicRight), "fz-key-7", "", `{}`)
	f.Add(uint8(3), uint8(basicRight), "fz-key-8", "", `{"payment_id":"$PAY","amount":{"value":"10.00","currency":"RUB"},"description":"part"}`)
	f.Add(uint8(3), uint8(basicRight), "fz-key-9", "", `{"payment_id":"$PAY","amount":{"value":"1000.00","currency":"RUB"}}`)
	f.Add(uint8(3), uint8(basicRight), "fz-key-10", "", `{"payment_id":"$WAIT","amount":{"value":"-1","currency":"RUB"}}`)
	f.Add(uint8(4), uint8(basicRight), "", "", ``)
	f.Add(uint8(4), uint8(basicWrongSecret), "", "", ``)
	f.Add(uint8(5), uint8(basicRight), "fz-key-11", "2f8e6c1a-000f-5000-9000-1b68e7b15f3f", `{}`)
	f.Add(uint8(5), uint8(basicRight), "fz-key-12", "../../refunds", `{}`)
	f.Add(uint8(6), uint8(basicRight), "", "%ff\x00", ``)
	f.Add(uint8(7), uint8(basicMalformed), "fz-key-13", "", `{}`)
	f.Add(uint8(0), uint8(basicBearer), "fz-key-14", "", `{"amount":{"value":"1.00","currency":"RUB"}}`)
	f.Add(uint8(0), uint8(basicMissing), "fz-key-15", "", `{"amount":{"value":"1.00","currency":"RUB"}}`)
	f.Add(uint8(8), uint8(basicRight), "fz-key-16", "", ``)
	f.Fuzz(func(t *testing.T, op, auth uint8, idempotenceKey, id, body string) {
		w := sharedWorld(t)
		o := yookassaFuzzOps[int(op)%len(yookassaFuzzOps)]
		path := strings.NewReplacer("{waiting}", w.waiting, "{waiting2}", w.waiting2, "{succeeded}", w.succeeded,
			"{id}", url.PathEscape(id)).Replace(o.path)
		h := http.Header{}
		h.Set("Content-Type", "application/json")
		if idempotenceKey != "" {
			h.Set("Idempotence-Key", idempotenceKey)
		}
		way := int(auth) % basicWays
		switch way {
		case basicRight:
			h.Set("Authorization", basicAuth(yookassa.DefaultShopID, yookassa.DefaultSecretKey))
		case basicWrongSecret:
			h.Set("Authorization", basicAuth(yookassa.DefaultShopID, "wrong_secret"))
		case basicMalformed:
			h.Set("Authorization", "Basic !!!"+idempotenceKey)
		case basicBearer:
			h.Set("Authorization", "Bearer test_sandbox_secret")
		}
		rec := w.do(o.method, path, h, w.expand(body))
		if rec.Code >= 500 {
			t.Fatalf("%d for %s %s %q: %s", rec.Code, o.method, path, body, rec.Body)
		}
		if rec.Code >= 400 {
			if _, err := yookassaEnvelope(rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
				t.Fatal(err)
			}
		} else {
			var obj map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &obj); err != nil || obj["id"] == nil {
				t.Fatalf("%d is not a YooKassa object: %s", rec.Code, rec.Body)
			}
		}
		if way != basicRight && rec.Code < 400 {
			t.Fatalf("credentials way %d but %d for %s %s: %s", way, rec.Code, o.method, path, rec.Body)
		}
	})
}
