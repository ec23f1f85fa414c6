package main

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// End-to-end tests of the Cryptomus API (design §4) through real HTTP: the
// seed's own request and every error it documents, to the letter.

const (
	cmMerchant  = "8b03432e-385b-4670-8d06-064591096795" // the seed's example merchant, the default one
	cmKey       = "cryptomus-sandbox-key"
	cmPayoutKey = "cryptomus-sandbox-payout-key"
	cmAddress   = "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm" // the seed's refund address
)

// The seed's request example (Ejemplo de solicitud), byte for byte as its
// curl -d sends it, and its answers (Ejemplo de respuesta, Posibles errores).
const (
	seedRefundBody = `{
"uuid": "8b03432e-385b-4670-8d06-064591096795",
"address": "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm",
"is_subtract": "true"
}`
	seedOK              = `{"state": 0, "result": []}`
	seedNotFound        = `{"state": 1, "message": "Payment was not found"}`
	seedRequiredWithout = `{"state": 1, "errors": {"uuid": ["validation.required_without"], "order_id": ["validation.required_without"]}}`
	seedForbidden       = `{"state": 1, "message": "You are forbidden"}`
	seedNoWallet        = `{"state": 1, "message": "Undefined merchant wallet"}`
	seedNotCompleted    = `{"state": 1, "message": "Refunds are made only for completed payments"}`
	seedMoreThanPaid    = `{"state": 1, "message": "The refund amount should not be more than the amount paid"}`
	seedServerError     = `{"state": 1, "message": "Server error"}`
	invalidSign         = `{"state": 1, "message": "Invalid Sign."}`
)

// cmSign is Cryptomus's signature, written here from the documentation
// (not taken from the server's code): md5 hex of base64(body) + key.
func cmSign(body, key string) string {
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString([]byte(body)) + key))
	return hex.EncodeToString(sum[:])
}

// cmRaw sends body exactly as given with the merchant and sign headers
// (merchant "" sends no merchant header, sign "" no sign header).
func (s *sandbox) cmRaw(path, merchant, sign, body string) response {
	s.t.Helper()
	req, err := http.NewRequest("POST", s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if merchant != "" {
		req.Header.Set("merchant", merchant)
	}
	if sign != "" {
		req.Header.Set("sign", sign)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// cmBody is body as raw JSON text: a string as is, anything else marshalled.
func cmBody(t *testing.T, body any) string {
	t.Helper()
	if s, ok := body.(string); ok {
		return s
	}
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// cm sends a request of the default merchant signed with its payment key.
func (s *sandbox) cm(path string, body any) response {
	s.t.Helper()
	b := cmBody(s.t, body)
	return s.cmRaw(path, cmMerchant, cmSign(b, cmKey), b)
}

// cmMust sends a signed request of the default merchant and requires the status.
func (s *sandbox) cmMust(status int, path string, body any) map[string]any {
	s.t.Helper()
	r := s.cm(path, body)
	if r.status != status {
		s.t.Fatalf("POST %s %s: status %d, want %d\n%s", path, cmBody(s.t, body), r.status, status, r.body)
	}
	return r.json(s.t)
}

// cmExpect requires status and a body equal to want, as JSON and to the
// letter: the same keys in the same order (Cryptomus's), without the
// insignificant whitespace of the documentation's examples.
func cmExpect(t *testing.T, r response, status int, want string) {
	t.Helper()
	var got, exp any
	if err := json.Unmarshal(r.body, &got); err != nil {
		t.Fatalf("answer is not JSON: %v\n%s", err, r.body)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatalf("bad expectation %s: %v", want, err)
	}
	var compact bytes.Buffer
	_ = json.Compact(&compact, []byte(want))
	if r.status != status || !reflect.DeepEqual(got, exp) {
		t.Errorf("answer %d %s\nwant   %d %s", r.status, r.body, status, want)
	} else if strings.TrimSuffix(string(r.body), "\n") != compact.String() {
		t.Errorf("answer %s\nis not written as %s", r.body, compact.String())
	}
}

var cmOrders atomic.Int64

// cmOrderID is a fresh order_id.
func cmOrderID() string { return fmt.Sprintf("e2e-%d-%d", time.Now().UnixNano()%1e9, cmOrders.Add(1)) }

// cmInvoice creates an invoice of the default merchant and returns its uuid.
func (s *sandbox) cmInvoice(amount, currency string, extra map[string]any) string {
	s.t.Helper()
	body := map[string]any{"amount": amount, "currency": currency, "order_id": cmOrderID()}
	for k, v := range extra {
		body[k] = v
	}
	res := s.cmMust(200, "/v1/payment", body)
	return at(s.t, res, "result", "uuid").(string)
}

// cmSetStatus is the payer's result through the control API.
func (s *sandbox) cmSetStatus(uuid, status, amount string) map[string]any {
	s.t.Helper()
	body := map[string]any{"status": status}
	if amount != "" {
		body["paymentAmount"] = amount
	}
	return s.must(200, "POST", "/sandbox/v1/cryptomus/invoices/"+uuid+"/status", body)
}

// cmPaid creates an invoice and pays it in full.
func (s *sandbox) cmPaid(amount, currency string) string {
	s.t.Helper()
	uuid := s.cmInvoice(amount, currency, nil)
	s.cmSetStatus(uuid, "paid", amount)
	return uuid
}

func (s *sandbox) cmInfo(uuid string) map[string]any {
	s.t.Helper()
	return at(s.t, s.cmMust(200, "/v1/payment/info", map[string]any{"uuid": uuid}), "result").(map[string]any)
}

// cmBalance is the default merchant's balance of currency (control API).
func (s *sandbox) cmBalance(currency string) string {
	s.t.Helper()
	m := s.must(200, "GET", "/sandbox/v1/cryptomus/merchants/"+cmMerchant, nil)
	for _, w := range at(s.t, m, "wallets").([]any) {
		if w := w.(map[string]any); w["currency"] == currency {
			return w["balance"].(string)
		}
	}
	s.t.Fatalf("merchant has no %s wallet: %v", currency, m)
	return ""
}

func (s *sandbox) cmRefund(uuid string, isSubtract any) response {
	s.t.Helper()
	return s.cm("/v1/payment/refund", map[string]any{"uuid": uuid, "address": cmAddress, "is_subtract": isSubtract})
}

// TestCryptomusSeedRefund: the seed's own curl body (is_subtract "true"),
// its uuid replaced by a paid invoice's, signed with the merchant's key,
// refunds it: the seed's answer, refund_process, then refund_paid.
func TestCryptomusSeedRefund(t *testing.T) {
	s := startSandbox(t, "")
	uuid := s.cmPaid("10.28", "USDT")
	if got := s.cmBalance("USDT"); got != "10.28" {
		t.Fatalf("balance after the payment %s, want 10.28", got)
	}
	body := strings.Replace(seedRefundBody, "8b03432e-385b-4670-8d06-064591096795", uuid, 1)
	r := s.cmRaw("/v1/payment/refund", cmMerchant, cmSign(body, cmKey), body)
	cmExpect(t, r, 200, seedOK)
	if string(r.body) != `{"state":0,"result":[]}`+"\n" {
		t.Errorf("answer %q, want the seed's {\"state\":0,\"result\":[]}", r.body)
	}
	inv := s.cmInfo(uuid)
	check(t, inv, "refund_process", "status")
	check(t, inv, "refund_process", "payment_status")
	check(t, inv, false, "is_final")
	// is_subtract true: the payer gets 10.28, the 1% fee (0.1028) comes from the balance.
	if got := s.cmBalance("USDT"); got != "-0.10280000" {
		t.Errorf("balance after the refund %s, want -0.10280000 (the fee has 8 decimals)", got)
	}
	s.cmSetStatus(uuid, "refund_paid", "")
	inv = s.cmInfo(uuid)
	check(t, inv, "refund_paid", "status")
	check(t, inv, true, "is_final")
}

// TestCryptomusSeedErrors: each error the seed documents, produced by the
// situation it describes, equal to the seed's body.
func TestCryptomusSeedErrors(t *testing.T) {
	s := startSandbox(t, "")
	refund := func(body any) response { return s.cm("/v1/payment/refund", body) }

	t.Run("Payment was not found", func(t *testing.T) {
		cmExpect(t, s.cmRefund("3f6c2a9e-4b7d-4c1e-9a8b-2d5e7f9a1c3b", "true"), 422, seedNotFound)
		cmExpect(t, refund(map[string]any{"order_id": "no-such-order", "address": cmAddress, "is_subtract": true}), 422, seedNotFound)
		// another merchant's invoice does not exist for this one
		other := s.must(201, "POST", "/sandbox/v1/cryptomus/merchants", map[string]any{"paymentKey": "other-merchant-key"})
		b := cmBody(t, map[string]any{"amount": "5", "currency": "USDT", "order_id": "theirs"})
		created := s.cmRaw("/v1/payment", other["merchant"].(string), cmSign(b, "other-merchant-key"), b)
		if created.status != 200 {
			t.Fatalf("other merchant's invoice: %d %s", created.status, created.body)
		}
		theirs := at(t, created.json(t), "result", "uuid").(string)
		s.cmSetStatus(theirs, "paid", "5")
		cmExpect(t, s.cmRefund(theirs, "true"), 422, seedNotFound)
		cmExpect(t, s.cm("/v1/payment/info", map[string]any{"uuid": theirs}), 422, seedNotFound)
	})
	t.Run("required_without", func(t *testing.T) {
		cmExpect(t, refund(map[string]any{"address": cmAddress, "is_subtract": "true"}), 422, seedRequiredWithout)
		cmExpect(t, refund(`{"address":"`+cmAddress+`","is_subtract":"true","uuid":"","order_id":"  "}`), 422, seedRequiredWithout)
	})
	t.Run("You are forbidden", func(t *testing.T) {
		uuid := s.cmPaid("10.00", "USDT")
		s.must(200, "PATCH", "/sandbox/v1/cryptomus/merchants/"+cmMerchant, map[string]any{"paymentsBlocked": true})
		cmExpect(t, s.cmRefund(uuid, "true"), 422, seedForbidden)
		s.must(200, "PATCH", "/sandbox/v1/cryptomus/merchants/"+cmMerchant, map[string]any{"paymentsBlocked": false})
		cmExpect(t, s.cmRefund(uuid, "true"), 200, seedOK)
	})
	t.Run("Undefined merchant wallet", func(t *testing.T) {
		uuid := s.cmPaid("10.00", "USDT")
		s.must(200, "PATCH", "/sandbox/v1/cryptomus/merchants/"+cmMerchant, map[string]any{"wallets": []string{"BTC", "ETH", "TRX", "USD"}})
		cmExpect(t, s.cmRefund(uuid, "true"), 422, seedNoWallet)
		s.must(200, "PATCH", "/sandbox/v1/cryptomus/merchants/"+cmMerchant, map[string]any{"wallets": []string{"USDT", "BTC", "ETH", "TRX", "USD"}})
		cmExpect(t, s.cmRefund(uuid, "true"), 200, seedOK)
	})
	t.Run("Refunds are made only for completed payments", func(t *testing.T) {
		unpaid := s.cmInvoice("10.00", "USDT", nil)
		cmExpect(t, s.cmRefund(unpaid, "true"), 422, seedNotCompleted)
		paid := s.cmPaid("10.00", "USDT")
		cmExpect(t, s.cmRefund(paid, "true"), 200, seedOK)
		cmExpect(t, s.cmRefund(paid, "true"), 422, seedNotCompleted) // a second refund of the same invoice
		cmExpect(t, s.cmRefund(paid, false), 422, seedNotCompleted)
	})
	t.Run("The refund amount should not be more than the amount paid", func(t *testing.T) {
		// 2% accuracy: 14.70 of 15.00 counts as paid, but 15.00 cannot go back.
		uuid := s.cmInvoice("15.00", "USDT", map[string]any{"accuracy_payment_percent": 2})
		inv := at(t, s.cmSetStatus(uuid, "paid", "14.70"), "status")
		if inv != "paid" {
			t.Fatalf("status %v", inv)
		}
		cmExpect(t, s.cmRefund(uuid, "true"), 422, seedMoreThanPaid)
	})
	t.Run("Server error", func(t *testing.T) {
		uuid := s.cmPaid("10.00", "USDT")
		s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "cryptomus", "operationId": "refund"})
		cmExpect(t, s.cmRefund(uuid, "true"), 422, seedServerError)
		check(t, s.cmInfo(uuid), "paid", "status") // nothing happened
		cmExpect(t, s.cmRefund(uuid, "true"), 200, seedOK)
		// whatever status is armed, Cryptomus's shape is 422 Server error
		s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "cryptomus", "operationId": "paymentInfo", "status": 502})
		cmExpect(t, s.cm("/v1/payment/info", map[string]any{"uuid": uuid}), 422, seedServerError)
		s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "cryptomus", "operationId": "createInvoice", "times": 2})
		for range 2 {
			cmExpect(t, s.cm("/v1/payment", map[string]any{"amount": "1", "currency": "USDT", "order_id": cmOrderID()}), 422, seedServerError)
		}
		s.cmInvoice("1", "USDT", nil)
	})
}

// TestCryptomusFieldErrors: every field rule of the seed with Laravel's
// key, and several failing fields reported together.
func TestCryptomusFieldErrors(t *testing.T) {
	s := startSandbox(t, "")
	uuid := "3f6c2a9e-4b7d-4c1e-9a8b-2d5e7f9a1c3b"
	long := strings.Repeat("x", 129)
	for _, c := range []struct {
		name string
		body string
		want string
	}{
		{"address required", `{"uuid":"` + uuid + `","is_subtract":true}`, `{"address":["validation.required"]}`},
		{"address blank", `{"uuid":"` + uuid + `","is_subtract":true,"address":"   "}`, `{"address":["validation.required"]}`},
		{"address not a string", `{"uuid":"` + uuid + `","is_subtract":true,"address":42}`, `{"address":["validation.string"]}`},
		{"is_subtract required", `{"uuid":"` + uuid + `","address":"T1"}`, `{"is_subtract":["validation.required"]}`},
		{"is_subtract null", `{"uuid":"` + uuid + `","address":"T1","is_subtract":null}`, `{"is_subtract":["validation.required"]}`},
		{"is_subtract yes", `{"uuid":"` + uuid + `","address":"T1","is_subtract":"yes"}`, `{"is_subtract":["validation.boolean"]}`},
		{"is_subtract TRUE", `{"uuid":"` + uuid + `","address":"T1","is_subtract":"TRUE"}`, `{"is_subtract":["validation.boolean"]}`},
		{"is_subtract 2", `{"uuid":"` + uuid + `","address":"T1","is_subtract":2}`, `{"is_subtract":["validation.boolean"]}`},
		{"uuid malformed", `{"uuid":"not-a-uuid","address":"T1","is_subtract":true}`, `{"uuid":["validation.uuid"]}`},
		{"uuid not a string", `{"uuid":12345,"address":"T1","is_subtract":true}`, `{"uuid":["validation.uuid"]}`},
		{"order_id alpha_dash", `{"order_id":"order 1","address":"T1","is_subtract":true}`, `{"order_id":["validation.alpha_dash"]}`},
		{"order_id max", `{"order_id":"` + long + `","address":"T1","is_subtract":true}`, `{"order_id":["validation.max.string"]}`},
		{"order_id min", `{"uuid":"` + uuid + `","order_id":false,"address":"T1","is_subtract":true}`, `{"order_id":["validation.string","validation.min.string","validation.alpha_dash"]}`},
		{"order_id checked even with uuid", `{"uuid":"` + uuid + `","order_id":"a/b","address":"T1","is_subtract":true}`, `{"order_id":["validation.alpha_dash"]}`},
		{"neither uuid nor order_id", `{"address":"T1","is_subtract":true}`, `{"uuid":["validation.required_without"],"order_id":["validation.required_without"]}`},
		{"not a JSON object", `["uuid"]`, `{"address":["validation.required"],"is_subtract":["validation.required"],"uuid":["validation.required_without"],"order_id":["validation.required_without"]}`},
		{"not JSON", `uuid=1`, `{"address":["validation.required"],"is_subtract":["validation.required"],"uuid":["validation.required_without"],"order_id":["validation.required_without"]}`},
		{"empty body", ``, `{"address":["validation.required"],"is_subtract":["validation.required"],"uuid":["validation.required_without"],"order_id":["validation.required_without"]}`},
		{"several at once", `{"is_subtract":"yes","order_id":"` + long + `"}`, `{"address":["validation.required"],"is_subtract":["validation.boolean"],"order_id":["validation.max.string"]}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmExpect(t, s.cm("/v1/payment/refund", c.body), 422, `{"state":1,"errors":`+c.want+`}`)
		})
	}
	// The same rules on the invoice calls.
	cmExpect(t, s.cm("/v1/payment", `{"order_id":"x y","lifetime":100,"amount":"-1","currency":"US DT"}`), 422,
		`{"state":1,"errors":{"amount":["validation.min.numeric"],"currency":["validation.alpha_num"],"order_id":["validation.alpha_dash"],"lifetime":["validation.between.numeric"]}}`)
	cmExpect(t, s.cm("/v1/payment", `{}`), 422,
		`{"state":1,"errors":{"amount":["validation.required"],"currency":["validation.required"],"order_id":["validation.required"]}}`)
	cmExpect(t, s.cm("/v1/payment/info", `{"uuid":"nope"}`), 422, `{"state":1,"errors":{"uuid":["validation.uuid"]}}`)
	cmExpect(t, s.cm("/v1/payment/info", `{}`), 422, `{"state":1,"errors":{"uuid":["validation.required_without"],"order_id":["validation.required_without"]}}`)
	// Field errors come in the order of the request's fields, as Cryptomus writes them.
	r := s.cm("/v1/payment/refund", `{}`)
	if want := `{"state":1,"errors":{"address":["validation.required"],"is_subtract":["validation.required"],"uuid":["validation.required_without"],"order_id":["validation.required_without"]}}` + "\n"; string(r.body) != want {
		t.Errorf("answer %s, want %s", r.body, want)
	}
}

// TestCryptomusIsSubtractForms: the 8 accepted forms of is_subtract; true
// takes the fee from the balance, false from the refunded amount.
func TestCryptomusIsSubtractForms(t *testing.T) {
	s := startSandbox(t, "")
	for _, c := range []struct {
		form     string
		subtract bool
	}{
		{`true`, true}, {`false`, false}, {`"true"`, true}, {`"false"`, false},
		{`"1"`, true}, {`"0"`, false}, {`1`, true}, {`0`, false},
		{`" true "`, true}, // Laravel trims strings first
	} {
		t.Run(c.form, func(t *testing.T) {
			uuid := s.cmPaid("10.00", "USDT")
			before := s.cmBalance("USDT")
			body := `{"uuid":"` + uuid + `","address":"` + cmAddress + `","is_subtract":` + c.form + `}`
			cmExpect(t, s.cm("/v1/payment/refund", body), 200, seedOK)
			after := s.cmBalance("USDT")
			// the refund debits 10.00, plus the 0.10 fee when subtract
			want := map[bool]string{true: "-10.10", false: "-10.00"}[c.subtract]
			if diff := decDiff(t, after, before, 2); diff != want {
				t.Errorf("is_subtract %s: balance %s → %s (%s), want %s", c.form, before, after, diff, want)
			}
		})
	}
}

// decDiff is after − before, exactly, with places decimals.
func decDiff(t *testing.T, after, before string, places int) string {
	t.Helper()
	x, ok1 := new(big.Rat).SetString(after)
	y, ok2 := new(big.Rat).SetString(before)
	if !ok1 || !ok2 {
		t.Fatalf("not decimals: %q, %q", after, before)
	}
	return x.Sub(x, y).FloatString(places)
}

// TestCryptomusSigning: the sign is over the raw bytes; refunds also take
// the payout key, the other calls do not; anything else is 401 Invalid Sign.
func TestCryptomusSigning(t *testing.T) {
	s := startSandbox(t, "")
	uuid := s.cmPaid("10.00", "USDT")
	refund := `{"uuid":"` + uuid + `","address":"` + cmAddress + `","is_subtract":false}`
	create := `{"amount":"1.00","currency":"USDT","order_id":"payout-key"}`
	info := `{"uuid":"` + uuid + `"}`

	cmExpect(t, s.cmRaw("/v1/payment", cmMerchant, cmSign(create, cmPayoutKey), create), 401, invalidSign)
	cmExpect(t, s.cmRaw("/v1/payment/info", cmMerchant, cmSign(info, cmPayoutKey), info), 401, invalidSign)
	for name, r := range map[string]response{
		"wrong sign":             s.cmRaw("/v1/payment/refund", cmMerchant, cmSign(refund, "wrong-key"), refund),
		"no sign":                s.cmRaw("/v1/payment/refund", cmMerchant, "", refund),
		"no merchant":            s.cmRaw("/v1/payment/refund", "", cmSign(refund, cmKey), refund),
		"unknown merchant":       s.cmRaw("/v1/payment/refund", "6a1d3c5e-7f9b-4d2a-8c4e-0b2d4f6a8c1e", cmSign(refund, cmKey), refund),
		"sign of other bytes":    s.cmRaw("/v1/payment/refund", cmMerchant, cmSign(refund+" ", cmKey), refund),
		"invalid body, bad sign": s.cmRaw("/v1/payment/refund", cmMerchant, "0123", `{}`), // 401 before the field rules
	} {
		t.Run(name, func(t *testing.T) { cmExpect(t, r, 401, invalidSign) })
	}
	check(t, s.cmInfo(uuid), "paid", "status")

	// Whitespace and key order are the client's: the sign covers them as sent.
	spaced := "{ \"is_subtract\" : false ,\n \"address\": \"" + cmAddress + "\", \"uuid\": \"" + uuid + "\" }"
	cmExpect(t, s.cmRaw("/v1/payment/refund", cmMerchant, strings.ToUpper(cmSign(spaced, cmPayoutKey)), spaced), 200, seedOK)
	// the payment key signs refunds too
	other := s.cmPaid("3.00", "USDT")
	cmExpect(t, s.cmRefund(other, 1), 200, seedOK)
}

// TestCryptomusRacingRefunds: 50 refunds of one invoice at once → exactly
// one succeeds, the wallet is debited once.
func TestCryptomusRacingRefunds(t *testing.T) {
	s := startSandbox(t, "")
	uuid := s.cmPaid("10.00", "USDT")
	const n = 50
	results := make([]response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			body := `{"uuid":"` + uuid + `","address":"` + cmAddress + `","is_subtract":true}`
			results[i] = s.cmRaw("/v1/payment/refund", cmMerchant, cmSign(body, cmKey), body)
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, r := range results {
		switch {
		case r.status == 200:
			ok++
			cmExpect(t, r, 200, seedOK)
		default:
			cmExpect(t, r, 422, seedNotCompleted)
		}
	}
	if ok != 1 {
		t.Fatalf("%d refunds succeeded, want exactly 1", ok)
	}
	// 10.00 paid, 10.00 + 0.10 fee refunded, once
	if got := s.cmBalance("USDT"); got != "-0.10000000" {
		t.Errorf("balance %s, want -0.10000000 (one refund)", got)
	}
	check(t, s.cmInfo(uuid), "refund_process", "status")
}

// TestCryptomusEightDecimals: a crypto amount keeps its 8 decimals through
// create → info → payment → refund fee arithmetic.
func TestCryptomusEightDecimals(t *testing.T) {
	s := startSandbox(t, "")
	// The fee is 1% of 0.12345678 = 0.0012345678 → 0.00123457 (8 decimals, half up).
	for _, subtract := range []bool{true, false} {
		t.Run(fmt.Sprint("is_subtract=", subtract), func(t *testing.T) {
			res := s.cmMust(200, "/v1/payment", map[string]any{"amount": "0.12345678", "currency": "BTC", "order_id": cmOrderID()})
			check(t, res, "0.12345678", "result", "amount")
			uuid := at(t, res, "result", "uuid").(string)
			if a := at(t, res, "result", "address").(string); !strings.HasPrefix(a, "bc1q") {
				t.Errorf("BTC deposit address %q", a)
			}
			check(t, s.cmInfo(uuid), "0.12345678", "amount")
			s.cmSetStatus(uuid, "paid", "0.12345678")
			inv := s.cmInfo(uuid)
			for _, f := range []string{"amount", "payment_amount", "payer_amount", "merchant_amount"} {
				check(t, inv, "0.12345678", f)
			}
			check(t, inv, "BTC", "payer_currency")
			paid := s.cmBalance("BTC")
			cmExpect(t, s.cmRefund(uuid, subtract), 200, seedOK)
			after := s.cmBalance("BTC")
			// subtract: the wallet pays 0.12345678 + 0.00123457; else only 0.12345678
			want := map[bool]string{true: "-0.12469135", false: "-0.12345678"}[subtract]
			if got := decDiff(t, after, paid, 8); got != want {
				t.Errorf("balance %s → %s (%s), want %s", paid, after, got, want)
			}
		})
	}
	if got := s.cmBalance("BTC"); got != "-0.00123457" {
		t.Errorf("BTC balance %s, want -0.00123457", got)
	}
}

var cmTimeRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+03:00$`)

// TestCryptomusInvoices: the invoice's shape, dedupe by order_id, info by
// uuid or order_id (order_id wins), refund by uuid or order_id (uuid wins),
// locked is final.
func TestCryptomusInvoices(t *testing.T) {
	s := startSandbox(t, "")
	res := s.cm("/v1/payment", `{"amount":"10.28","currency":"usdt","order_id":"order-1001"}`)
	if res.status != 200 || !strings.HasPrefix(string(res.body), `{"state":0,"result":{"uuid":"`) {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	inv := at(t, res.json(t), "result").(map[string]any)
	uuid := inv["uuid"].(string)
	keys := []string{"uuid", "order_id", "amount", "payment_amount", "payer_amount", "discount_percent", "discount",
		"payer_currency", "currency", "comments", "merchant_amount", "network", "address", "from", "txid",
		"payment_status", "url", "expired_at", "status", "is_final", "additional_data", "created_at", "updated_at"}
	if len(inv) != len(keys) {
		t.Errorf("invoice has %d keys, want %d: %v", len(inv), len(keys), inv)
	}
	for _, k := range keys {
		if _, ok := inv[k]; !ok {
			t.Errorf("invoice lacks %q", k)
		}
	}
	for k, want := range map[string]any{"order_id": "order-1001", "amount": "10.28", "currency": "USDT", "status": "check",
		"payment_status": "check", "is_final": false, "discount": "0.00", "payment_amount": nil, "txid": nil, "from": nil,
		"network": nil, "url": s.publicURL() + "/sandbox/v1/cryptomus/pay/" + uuid} {
		check(t, inv, want, k)
	}
	if a, _ := inv["address"].(string); !strings.HasPrefix(a, "T") || len(a) != 34 {
		t.Errorf("USDT deposit address %v", inv["address"])
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if !cmTimeRE.MatchString(inv[k].(string)) {
			t.Errorf("%s %v is not Cryptomus's time format", k, inv[k])
		}
	}
	if exp := int64(inv["expired_at"].(float64)); exp < time.Now().Unix()+3500 || exp > time.Now().Unix()+3700 {
		t.Errorf("expired_at %d is not an hour from now", exp)
	}

	// the same order_id again: the same invoice, whatever else the request says
	again := s.cmMust(200, "/v1/payment", map[string]any{"amount": "99.00", "currency": "BTC", "order_id": "order-1001"})
	check(t, again, uuid, "result", "uuid")
	check(t, again, "10.28", "result", "amount")

	other := s.cmInvoice("5.00", "USDT", map[string]any{"network": "tron", "additional_data": "customer 42", "lifetime": "600"})
	check(t, s.cmMust(200, "/v1/payment/info", map[string]any{"order_id": "order-1001"}), uuid, "result", "uuid")
	check(t, s.cmMust(200, "/v1/payment/info", map[string]any{"uuid": other, "order_id": "order-1001"}), uuid, "result", "uuid")
	o := s.cmInfo(other)
	check(t, o, "tron", "network")
	check(t, o, "customer 42", "additional_data")
	cmExpect(t, s.cm("/v1/payment/info", map[string]any{"order_id": "nope"}), 422, seedNotFound)

	// paid: from and txid appear
	s.cmSetStatus(uuid, "paid", "")
	p := s.cmInfo(uuid)
	check(t, p, true, "is_final")
	check(t, p, "10.28", "payment_amount")
	if p["from"] == nil || p["txid"] == nil {
		t.Errorf("a paid invoice has from %v and txid %v", p["from"], p["txid"])
	}
	s.cmSetStatus(other, "paid", "")
	// refund with both: uuid wins
	cmExpect(t, s.cm("/v1/payment/refund", map[string]any{"uuid": other, "order_id": "order-1001", "address": cmAddress, "is_subtract": true}), 200, seedOK)
	check(t, s.cmInfo(other), "refund_process", "status")
	check(t, s.cmInfo(uuid), "paid", "status")
	// refund by order_id
	cmExpect(t, s.cm("/v1/payment/refund", map[string]any{"order_id": "order-1001", "address": cmAddress, "is_subtract": true}), 200, seedOK)
	check(t, s.cmInfo(uuid), "refund_process", "status")

	// locked is final, and nothing follows it
	locked := s.cmInvoice("1.00", "USDT", nil)
	check(t, s.cmSetStatus(locked, "locked", ""), true, "is_final")
	check(t, s.cmInfo(locked), true, "is_final")
	s.must(409, "POST", "/sandbox/v1/cryptomus/invoices/"+locked+"/status", map[string]any{"status": "paid"})
}

func (s *sandbox) publicURL() string { return strings.Replace(s.url, "127.0.0.1", "localhost", 1) }

// TestCryptomusLenientInput: what Laravel's rules accept is served even
// where the spec's schema is stricter (numbers as strings and back,
// trimmed strings, blank optional fields, Unicode order ids).
func TestCryptomusLenientInput(t *testing.T) {
	s := startSandbox(t, "")
	res := s.cmMust(200, "/v1/payment", `{"amount":10.5,"currency":"USDT","order_id":" заказ-1 ","lifetime":"600","accuracy_payment_percent":"1.5","url_return":"","network":null}`)
	check(t, res, "10.5", "result", "amount")
	check(t, res, "заказ-1", "result", "order_id")
	uuid := at(t, res, "result", "uuid").(string)
	check(t, s.cmMust(200, "/v1/payment/info", `{"uuid":" `+strings.ToUpper(uuid)+` ","order_id":""}`), uuid, "result", "uuid")
	s.cmSetStatus(uuid, "paid", "10.5")
	// an armed fault fires on this path too
	s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "cryptomus", "operationId": "refund"})
	body := `{"order_id":"заказ-1","address":"` + cmAddress + `","is_subtract":" 1 ","uuid":null}`
	cmExpect(t, s.cm("/v1/payment/refund", body), 422, seedServerError)
	cmExpect(t, s.cm("/v1/payment/refund", body), 200, seedOK)
}

// TestCryptomusHTTPEdges: unknown routes, wrong methods and large bodies
// under /v1/ answer in Cryptomus's shape.
func TestCryptomusHTTPEdges(t *testing.T) {
	s := startSandbox(t, "")
	shape := func(r response, status int) {
		t.Helper()
		if r.status != status {
			t.Errorf("status %d, want %d: %s", r.status, status, r.body)
		}
		m := r.json(t)
		if m["state"] != float64(1) || m["message"] == "" || m["message"] == nil {
			t.Errorf("answer %s is not {\"state\":1,\"message\":…}", r.body)
		}
	}
	shape(s.cm("/v1/nope", `{}`), 404)
	r := s.do("GET", "/v1/payment", "", nil)
	shape(r, 405)
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	big := `{"address":"` + strings.Repeat("x", 1<<20) + `"}`
	shape(s.cm("/v1/payment/refund", big), 413)
}

// TestCryptomusRestartKeepsInvoices: invoices and balances survive a restart.
func TestCryptomusRestartKeepsInvoices(t *testing.T) {
	s := startSandbox(t, "")
	uuid := s.cmPaid("7.77", "USDT")
	s.stop()
	s2 := startSandbox(t, s.dbPath)
	inv := s2.cmInfo(uuid)
	check(t, inv, "paid", "status")
	check(t, inv, "7.77", "payment_amount")
	if got := s2.cmBalance("USDT"); got != "7.77" {
		t.Errorf("balance %s after restart, want 7.77", got)
	}
	cmExpect(t, s2.cmRefund(uuid, "true"), 200, seedOK)
}
