package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// End-to-end tests of the emulated YooKassa API v3 (design §5) used the way
// a YooKassa client library uses it: HTTP Basic shopId:secretKey, JSON, an
// Idempotence-Key on every POST, YooKassa's error object.

const (
	ykShop   = "100500"
	ykSecret = "test_sandbox_secret"
)

// ykRequest sends a YooKassa request: Basic user:pass (user "" sends no
// Authorization), Idempotence-Key key ("" sends none) and body as is.
func (s *sandbox) ykRequest(method, path, user, pass, key, body string) response {
	s.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+"/yookassa/v3"+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	if key != "" {
		req.Header.Set("Idempotence-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// yk sends a request as the default shop and requires the status.
func (s *sandbox) yk(status int, method, path, key, body string) map[string]any {
	s.t.Helper()
	r := s.ykRequest(method, path, ykShop, ykSecret, key, body)
	if r.status != status {
		s.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		s.t.Errorf("%s %s: Content-Type %q, want application/json", method, path, ct)
	}
	return r.json(s.t)
}

// ykError checks YooKassa's error object.
func ykError(t *testing.T, m map[string]any, code, parameter, descriptionPart string) {
	t.Helper()
	if m["type"] != "error" || m["code"] != code {
		t.Errorf("error object %v: want type error, code %s", m, code)
	}
	if id, _ := m["id"].(string); len(id) != 36 {
		t.Errorf("error object %v: id is not a request id", m)
	}
	if p, _ := m["parameter"].(string); p != parameter {
		t.Errorf("error object %v: parameter %q, want %q", m, p, parameter)
	}
	if d, _ := m["description"].(string); !strings.Contains(d, descriptionPart) {
		t.Errorf("error object %v: description lacks %q", m, descriptionPart)
	}
}

// confirmPayment is the payer confirming through the control API.
func (s *sandbox) confirmPayment(id string) map[string]any {
	s.t.Helper()
	r := s.do("POST", "/sandbox/v1/yookassa/payments/"+id+"/confirm", "", nil)
	if r.status != http.StatusOK {
		s.t.Fatalf("confirm %s: %d %s", id, r.status, r.body)
	}
	return r.json(s.t)
}

// TestYooKassaClientLibraryFlow walks a two-stage payment and a one-stage
// payment through every operation, as a client library would.
func TestYooKassaClientLibraryFlow(t *testing.T) {
	s := startSandbox(t, "")

	// Create with an Idempotence-Key: a pending payment with its redirect page.
	create := `{"amount":{"value":"2.00","currency":"RUB"},"capture":false,` +
		`"confirmation":{"type":"redirect","return_url":"https://shop.example/return"},` +
		`"description":"Заказ №72","metadata":{"order_id":"72"}}`
	first := s.ykRequest("POST", "/payments", ykShop, ykSecret, "order-72-create", create)
	if first.status != 200 {
		t.Fatalf("create: %d %s", first.status, first.body)
	}
	p := first.json(t)
	id := p["id"].(string)
	check(t, p, "pending", "status")
	check(t, p, false, "paid")
	check(t, p, "2.00", "amount", "value")
	check(t, p, "RUB", "amount", "currency")
	check(t, p, "72", "metadata", "order_id")
	check(t, p, true, "test")
	check(t, p, false, "refundable")
	check(t, p, ykShop, "recipient", "account_id")
	check(t, p, "redirect", "confirmation", "type")
	if u := at(t, p, "confirmation", "confirmation_url").(string); !strings.HasSuffix(u, "/sandbox/v1/yookassa/confirm/"+id) {
		t.Errorf("confirmation_url %s", u)
	}

	// The same key and body: the stored answer, byte for byte; nothing new is created.
	again := s.ykRequest("POST", "/payments", ykShop, ykSecret, "order-72-create", create)
	if again.status != 200 || !bytes.Equal(again.body, first.body) {
		t.Errorf("replay differs:\n%s\n%s", first.body, again.body)
	}
	// The same key, another body: refused.
	dup := s.ykRequest("POST", "/payments", ykShop, ykSecret, "order-72-create", strings.Replace(create, "2.00", "3.00", 1))
	if dup.status != 400 {
		t.Fatalf("same key, other body: %d %s", dup.status, dup.body)
	}
	ykError(t, dup.json(t), "invalid_request", "Idempotence-Key", "Idempotence key duplicated")

	// GET shows it; the payer confirms: waiting_for_capture, no confirmation any more.
	check(t, s.yk(200, "GET", "/payments/"+id, "", ""), "pending", "status")
	check(t, s.confirmPayment(id), "waiting_for_capture", "status")
	held := s.yk(200, "GET", "/payments/"+id, "", "")
	check(t, held, true, "paid")
	if _, ok := held["confirmation"]; ok {
		t.Errorf("a waiting_for_capture payment shows its confirmation: %v", held)
	}
	if _, ok := held["expires_at"]; !ok {
		t.Errorf("a waiting_for_capture payment has no expires_at: %v", held)
	}

	// Capture 1.50 of 2.00 (no commission: income = amount); capturing again is refused.
	captured := s.yk(200, "POST", "/payments/"+id+"/capture", "capture-72", `{"amount":{"value":"1.50","currency":"RUB"}}`)
	check(t, captured, "succeeded", "status")
	check(t, captured, "1.50", "amount", "value")
	check(t, captured, "1.50", "income_amount", "value")
	check(t, captured, true, "refundable")
	ykError(t, s.yk(400, "POST", "/payments/"+id+"/capture", "capture-72-again", `{}`), "invalid_request", "payment_id", "waiting_for_capture")
	ykError(t, s.yk(400, "POST", "/payments/"+id+"/cancel", "cancel-72", ""), "invalid_request", "payment_id", "waiting_for_capture")

	// Refund 1.00, read it back; more than the 0.50 left is refused.
	refund := s.yk(200, "POST", "/refunds", "refund-72-1", `{"payment_id":"`+id+`","amount":{"value":"1.00","currency":"RUB"},"description":"Возврат"}`)
	check(t, refund, "succeeded", "status")
	check(t, refund, id, "payment_id")
	got := s.yk(200, "GET", "/refunds/"+refund["id"].(string), "", "")
	check(t, got, "1.00", "amount", "value")
	check(t, got, "Возврат", "description")
	ykError(t, s.yk(400, "POST", "/refunds", "refund-72-2", `{"payment_id":"`+id+`","amount":{"value":"0.51","currency":"RUB"}}`),
		"invalid_request", "amount.value", "exceeds")
	after := s.yk(200, "GET", "/payments/"+id, "", "")
	check(t, after, "1.00", "refunded_amount", "value")
	check(t, after, true, "refundable")

	// A second two-stage payment, canceled by the merchant while held.
	p2 := s.yk(200, "POST", "/payments", "order-73", `{"amount":{"value":"5.00","currency":"RUB"},"confirmation":{"type":"embedded"}}`)
	id2 := p2["id"].(string)
	check(t, p2, "ct-"+id2, "confirmation", "confirmation_token")
	ykError(t, s.yk(400, "POST", "/refunds", "refund-73", `{"payment_id":"`+id2+`","amount":{"value":"1.00","currency":"RUB"}}`),
		"invalid_request", "payment_id", "succeeded")
	s.confirmPayment(id2)
	canceled := s.yk(200, "POST", "/payments/"+id2+"/cancel", "cancel-73", "")
	check(t, canceled, "canceled", "status")
	check(t, canceled, "merchant", "cancellation_details", "party")
	check(t, canceled, "canceled_by_merchant", "cancellation_details", "reason")

	// Unknown ids are YooKassa's 404s.
	ykError(t, s.yk(404, "GET", "/payments/2f8e6c1a-000f-5000-9000-000000000000", "", ""), "not_found", "payment_id", "Payment doesn't exist")
	ykError(t, s.yk(404, "GET", "/refunds/2f8e6d4b-0015-5000-8000-000000000000", "", ""), "not_found", "refund_id", "Refund doesn't exist")
	ykError(t, s.yk(404, "POST", "/refunds", "refund-x", `{"payment_id":"2f8e6c1a-000f-5000-9000-000000000000","amount":{"value":"1.00","currency":"RUB"}}`),
		"not_found", "payment_id", "")
}

// TestYooKassaBasicAuthFailures: no credentials, a wrong secret key and an
// unknown shop are all 401 invalid_credentials, before any validation.
func TestYooKassaBasicAuthFailures(t *testing.T) {
	s := startSandbox(t, "")
	for _, c := range []struct{ name, user, pass string }{
		{"no Authorization", "", ""},
		{"wrong secret key", ykShop, "wrong"},
		{"unknown shop", "999999", ykSecret},
		{"empty secret key", ykShop, ""},
	} {
		r := s.ykRequest("POST", "/payments", c.user, c.pass, "", `{"amount":"not an object"}`)
		if r.status != 401 || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("%s: %d %s %s", c.name, r.status, r.header.Get("Content-Type"), r.body)
			continue
		}
		ykError(t, r.json(t), "invalid_credentials", "Authorization", "Error in shopId or secret key")
		if g := s.ykRequest("GET", "/payments/2f8e6c1a-000f-5000-9000-000000000000", c.user, c.pass, "", ""); g.status != 401 {
			t.Errorf("%s: GET %d %s", c.name, g.status, g.body)
		}
	}
}

// TestYooKassaValidationAndRoutes: schema breaks are 400 invalid_request
// naming the parameter; unknown routes, wrong methods, big bodies and armed
// faults answer in the error object too.
func TestYooKassaValidationAndRoutes(t *testing.T) {
	s := startSandbox(t, "")
	cases := []struct {
		name, key, body, parameter, description string
	}{
		{"no Idempotence-Key", "", `{"amount":{"value":"1.00","currency":"RUB"}}`, "Idempotence-Key", "Idempotence-Key header is required"},
		{"malformed Idempotence-Key", "a b", `{"amount":{"value":"1.00","currency":"RUB"}}`, "Idempotence-Key", "Invalid Idempotence-Key"},
		{"no amount", "k-1", `{"description":"x"}`, "amount", "Missing required parameter amount"},
		{"no currency", "k-2", `{"amount":{"value":"1.00"}}`, "amount.currency", "Missing required parameter amount.currency"},
		{"bad value", "k-3", `{"amount":{"value":"1,00","currency":"RUB"}}`, "amount.value", "Invalid value of amount.value"},
		{"zero amount", "k-4", `{"amount":{"value":"0.00","currency":"RUB"}}`, "amount.value", "greater than 0"},
		{"unknown currency", "k-5", `{"amount":{"value":"1.00","currency":"XYZ"}}`, "amount.currency", "Supported currencies"},
		{"bad confirmation type", "k-6", `{"amount":{"value":"1.00","currency":"RUB"},"confirmation":{"type":"qr"}}`, "confirmation.type", "Invalid value of confirmation.type"},
		{"not JSON", "k-7", `{"amount":`, "", "not valid JSON"},
	}
	for _, c := range cases {
		r := s.ykRequest("POST", "/payments", ykShop, ykSecret, c.key, c.body)
		if r.status != 400 {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
			continue
		}
		ykError(t, r.json(t), "invalid_request", c.parameter, c.description)
	}

	r := s.ykRequest("GET", "/nothing", ykShop, ykSecret, "", "")
	if r.status != 404 {
		t.Fatalf("unknown route: %d %s", r.status, r.body)
	}
	ykError(t, r.json(t), "not_found", "", "No such")
	r = s.ykRequest("DELETE", "/payments", ykShop, ykSecret, "", "")
	if r.status != 405 || r.header.Get("Allow") != "POST" {
		t.Fatalf("wrong method: %d Allow %q %s", r.status, r.header.Get("Allow"), r.body)
	}
	ykError(t, r.json(t), "invalid_request", "", "not allowed")
	r = s.ykRequest("POST", "/payments", ykShop, ykSecret, "big", `{"description":"`+strings.Repeat("x", 1<<20)+`"}`)
	if r.status != 413 {
		t.Fatalf("big body: %d %s", r.status, r.body)
	}
	ykError(t, r.json(t), "invalid_request", "", "1 MiB")

	// An armed fault: 500 internal_server_error, once.
	s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "yookassa", "operationId": "createPayment", "times": 1})
	body := `{"amount":{"value":"1.00","currency":"RUB"}}`
	ykError(t, s.yk(500, "POST", "/payments", "fault-1", body), "internal_server_error", "", "Internal server error")
	s.yk(200, "POST", "/payments", "fault-1", body) // not stored: the same key works afterwards
}

// TestYooKassaConfirmAndCancelAsThePayer: the control API's payer steps,
// and their refusals.
func TestYooKassaConfirmAndCancelAsThePayer(t *testing.T) {
	s := startSandbox(t, "")
	p := s.yk(200, "POST", "/payments", "payer-1", `{"amount":{"value":"3.00","currency":"RUB"},"capture":true}`)
	id := p["id"].(string)
	confirmed := s.confirmPayment(id)
	check(t, confirmed, "succeeded", "status")
	check(t, confirmed, true, "paid")
	r := s.do("POST", "/sandbox/v1/yookassa/payments/"+id+"/confirm", "", nil)
	if r.status != 409 || !strings.Contains(string(r.body), `"code":"invalid_state"`) {
		t.Errorf("confirm twice: %d %s", r.status, r.body)
	}
	paid := s.yk(200, "GET", "/payments/"+id, "", "")
	check(t, paid, "3.00", "income_amount", "value")

	p2 := s.yk(200, "POST", "/payments", "payer-2", `{"amount":{"value":"3.00","currency":"RUB"}}`)
	id2 := p2["id"].(string)
	r = s.do("POST", "/sandbox/v1/yookassa/payments/"+id2+"/cancel", "", nil)
	if r.status != 200 {
		t.Fatalf("payer cancel: %d %s", r.status, r.body)
	}
	check(t, r.json(t), "expired_on_confirmation", "cancellation_details", "reason")
	check(t, s.yk(200, "GET", "/payments/"+id2, "", ""), "yoo_money", "cancellation_details", "party")
	r = s.do("POST", "/sandbox/v1/yookassa/payments/2f8e6c1a-000f-5000-9000-000000000000/confirm", "", nil)
	if r.status != 404 {
		t.Errorf("confirm unknown: %d %s", r.status, r.body)
	}
}
