package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/gen/yookassaapi"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/server"
	"github.com/paysandbox/paysandbox/yookassa"
)

// Hostile input (issue #7): oversized and deeply nested bodies, entity
// tricks, invalid UTF-8, absurd numbers and amounts, duplicate JSON keys and
// slow clients, on every API. Each gets a clear error in the API's own
// envelope, never a 5xx.
//
// Decisions these tests pin down (see also server/json_body.go):
//   - Bodies over 1 MiB are 413 in the API's envelope, announced length or
//     chunked.
//   - JSON: invalid UTF-8 (raw, or an escaped half of a surrogate pair), a
//     member name twice in one object, a number beyond float64 and nesting
//     over 10000 levels are refused as invalid requests naming the field,
//     because kin-openapi (a map) and the handlers (structs) would otherwise
//     read different values, or U+FFFD for what was sent. Cryptomus keeps
//     Laravel's reading instead: its rules decide on the raw bytes the sign
//     covers, invalid UTF-8 is no input (every required field fails) and
//     the last duplicate wins, as in PHP's json_decode.
//   - XML (PaymentCommit): deeper than 256 levels is refused, entities other
//     than XML's own are a syntax error, so no DTD expands anything.
//   - Forms (PaymentCommit): names are case-insensitive and the first one in
//     the body wins; values must be UTF-8.
//   - Amounts: Medusa, YooKassa and PaymentCommit take at most 2 decimals
//     and refuse negatives, naming the field; Cryptomus takes any exact
//     decimal (cryptocurrencies have up to 18) above zero. No API has an
//     upper bound but the body size.
//   - Slow clients: net/http's ReadHeaderTimeout cuts off headers that
//     trickle in (no handler runs); a body that trickles past ReadTimeout
//     is answered 408 in the API's envelope.

// --- the APIs and their envelopes ---

// envelope checks that an error answer is in one API's own shape and
// returns its human-readable message.
type envelope func(status int, header http.Header, body []byte) (string, error)

func medusaEnvelope(status int, _ http.Header, body []byte) (string, error) {
	var env struct {
		Code    string `json:"code"`
		ID      string `json:"id"`
		Message string `json:"message"`
		Errors  []struct {
			ErrorCode string `json:"errorCode"`
			Message   string `json:"message"`
			URL       string `json:"url"`
		} `json:"Errors"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Code != fmt.Sprint(status) || env.ID == "" || env.Message == "" ||
		len(env.Errors) != 1 || env.Errors[0].ErrorCode == "" || env.Errors[0].Message == "" {
		return "", fmt.Errorf("%d is not Tochka's envelope: %s", status, body)
	}
	return env.Errors[0].ErrorCode + ": " + env.Errors[0].Message, nil
}

func cryptomusEnvelope(status int, _ http.Header, body []byte) (string, error) {
	var env struct {
		State   *int                `json:"state"`
		Message *string             `json:"message"`
		Errors  map[string][]string `json:"errors"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.State == nil || *env.State != 1 {
		return "", fmt.Errorf("%d is not Cryptomus's error: %s", status, body)
	}
	switch {
	case env.Message != nil && env.Errors == nil && *env.Message != "":
		return *env.Message, nil
	case env.Message == nil && len(env.Errors) > 0 && status == http.StatusUnprocessableEntity:
		raw, _ := json.Marshal(env.Errors)
		return string(raw), nil
	}
	return "", fmt.Errorf("%d is not Cryptomus's error: %s", status, body)
}

var yookassaCodes = map[string]int{"invalid_request": 400, "invalid_credentials": 401, "forbidden": 403, "not_found": 404,
	"too_many_requests": 429, "internal_server_error": 500}

func yookassaEnvelope(status int, _ http.Header, body []byte) (string, error) {
	var env struct {
		Type        string  `json:"type"`
		ID          string  `json:"id"`
		Code        string  `json:"code"`
		Description string  `json:"description"`
		Parameter   *string `json:"parameter"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Type != "error" || env.ID == "" || env.Description == "" {
		return "", fmt.Errorf("%d is not YooKassa's error object: %s", status, body)
	}
	if _, ok := yookassaCodes[env.Code]; !ok {
		return "", fmt.Errorf("%d has an unknown YooKassa code: %s", status, body)
	}
	if env.Parameter != nil {
		return env.Description + " [" + *env.Parameter + "]", nil
	}
	return env.Description, nil
}

// lcmanagerEnvelope checks PaymentCommitResponse, in JSON or XML as the
// Content-Type says, with a non-zero ErrorCode.
func lcmanagerEnvelope(status int, header http.Header, body []byte) (string, error) {
	if strings.Contains(header.Get("Content-Type"), "xml") {
		var env struct {
			XMLName   xml.Name `xml:"PaymentCommitResponse"`
			ErrorCode *int     `xml:"ErrorCode"`
			Message   string   `xml:"Message"`
		}
		if err := xml.Unmarshal(body, &env); err != nil || env.ErrorCode == nil || *env.ErrorCode == 0 || env.Message == "" {
			return "", fmt.Errorf("%d is not PaymentCommitResponse in XML with an ErrorCode: %s", status, body)
		}
		return fmt.Sprintf("ErrorCode %d: %s", *env.ErrorCode, env.Message), nil
	}
	var env map[string]any
	if err := json.Unmarshal(body, &env); err != nil {
		return "", fmt.Errorf("%d is not PaymentCommitResponse: %s", status, body)
	}
	for _, k := range []string{"PaymentId", "RefundId", "Status", "ConfirmationToken", "IdempotenceKey", "ErrorCode", "Message"} {
		if _, ok := env[k]; !ok {
			return "", fmt.Errorf("%d: PaymentCommitResponse lacks %s: %s", status, k, body)
		}
	}
	code, _ := env["ErrorCode"].(float64)
	msg, _ := env["Message"].(string)
	if code == 0 || msg == "" {
		return "", fmt.Errorf("%d: PaymentCommitResponse without an ErrorCode: %s", status, body)
	}
	return fmt.Sprintf("ErrorCode %d: %s", int(code), msg), nil
}

func controlEnvelope(status int, _ http.Header, body []byte) (string, error) {
	var env struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Error.Code == "" || env.Error.Message == "" {
		return "", fmt.Errorf("%d is not the control API's error: %s", status, body)
	}
	return env.Error.Code + ": " + env.Error.Message, nil
}

// hostileAPI is one operation of one API with its credentials.
type hostileAPI struct {
	name        string
	path        string
	contentType string
	accept      string
	auth        func(h http.Header, body []byte)
	envelope    envelope
}

func medusaAuthHeader(h http.Header, _ []byte) { h.Set("Authorization", "Bearer "+medusa.DefaultToken) }

// cryptomusSign signs the raw bytes with the default merchant's payment key.
func cryptomusSign(h http.Header, body []byte) {
	h.Set("merchant", cryptomus.DefaultMerchantUUID)
	h.Set("sign", cryptomus.Sign(body, cryptomus.DefaultPaymentKey))
}

// yookassaAuthHeader authenticates the default shop with a fresh key.
func yookassaAuthHeader(h http.Header, _ []byte) {
	h.Set("Authorization", basicAuth(yookassa.DefaultShopID, yookassa.DefaultSecretKey))
	h.Set("Idempotence-Key", uuid.NewString())
}

func basicAuth(user, password string) string {
	r, _ := http.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth(user, password)
	return r.Header.Get("Authorization")
}

var (
	apiMedusa     = hostileAPI{"medusa", "/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", "application/json", "", medusaAuthHeader, medusaEnvelope}
	apiMedusaV3   = hostileAPI{"medusa v3", "/medusa/v3.0/orders", "application/json", "", medusaAuthHeader, medusaEnvelope}
	apiCryptomus  = hostileAPI{"cryptomus", "/v1/payment", "application/json", "", cryptomusSign, cryptomusEnvelope}
	apiYooKassa   = hostileAPI{"yookassa", "/yookassa/v3/payments", "application/json", "", yookassaAuthHeader, yookassaEnvelope}
	apiLCJSON     = hostileAPI{"lcmanager json", "/api/yookassa/PaymentCommit", "application/json", "", nil, lcmanagerEnvelope}
	apiLCTextJSON = hostileAPI{"lcmanager text/json", "/api/yookassa/PaymentCommit", "text/json", "", nil, lcmanagerEnvelope}
	apiLCXML      = hostileAPI{"lcmanager xml", "/api/yookassa/PaymentCommit", "application/xml", "application/xml", nil, lcmanagerEnvelope}
	apiLCTextXML  = hostileAPI{"lcmanager text/xml", "/api/yookassa/PaymentCommit", "text/xml", "text/xml", nil, lcmanagerEnvelope}
	apiLCForm     = hostileAPI{"lcmanager form", "/api/yookassa/PaymentCommit", "application/x-www-form-urlencoded", "", nil, lcmanagerEnvelope}
	apiControl    = hostileAPI{"control", "/sandbox/v1/medusa/tokens", "application/json", "", nil, controlEnvelope}
)

// send posts body (from r when not nil, so that its length is unknown and
// it goes chunked) to the API and returns the answer.
func (a hostileAPI) send(t *testing.T, base string, body []byte, r io.Reader) (int, http.Header, []byte) {
	t.Helper()
	if r == nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(http.MethodPost, base+a.path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", a.contentType)
	if a.accept != "" {
		req.Header.Set("Accept", a.accept)
	}
	if a.auth != nil {
		a.auth(req.Header, body)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", a.name, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s: %v", a.name, err)
	}
	return res.StatusCode, res.Header, raw
}

// expectError sends body and checks the status, the API's envelope and
// that the message contains each of want.
func (a hostileAPI) expectError(t *testing.T, base string, body []byte, status int, want ...string) string {
	t.Helper()
	got, header, raw := a.send(t, base, body, nil)
	return a.checkError(t, got, header, raw, status, want...)
}

func (a hostileAPI) checkError(t *testing.T, got int, header http.Header, raw []byte, status int, want ...string) string {
	t.Helper()
	if got != status {
		t.Errorf("%s: status %d, want %d: %s", a.name, got, status, shortBody(raw))
		return ""
	}
	msg, err := a.envelope(got, header, raw)
	if err != nil {
		t.Errorf("%s: %v", a.name, err)
		return ""
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("%s: message %q lacks %q", a.name, msg, w)
		}
	}
	return msg
}

func shortBody(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// The valid bodies the hostile ones are made of.

func medusaOrderBody(price, commission string) string {
	return `{"Data":{"extId":"` + uuid.NewString() + `","IncomingPayment":{"type":"acquiring","Details":{"sbpNeeded":true,"cardNeeded":true,"redirectUrl":"https://shop.example/ok","failRedirectUrl":"https://shop.example/fail","ttl":60,"purpose":"Order 1"}},` +
		`"Services":[{"extId":"` + uuid.NewString() + `","price":` + price + `,"commission":` + commission + `,"Recipient":{"extId":"` + medusa.DefaultRecipientExtID + `","payoutExtId":"` + medusa.DefaultPayoutMethodExtID + `"},"startDecision":"not_decided"}]}}`
}

func cryptomusInvoiceBody(amount string) string {
	return `{"amount":` + amount + `,"currency":"USDT","order_id":"` + strings.ReplaceAll(uuid.NewString(), "-", "") + `"}`
}

func yookassaPaymentBody(value string) string {
	return `{"amount":{"value":` + value + `,"currency":"RUB"},"capture":true,"description":"hostile"}`
}

func commitJSON(base, amount string) string {
	return `{"Refund":false,"Amount":` + amount + `,"Description":"hostile","PaymentRefund":null,"ApiParams":{"Url":"` + base +
		`/yookassa/v3","Login":"100500","Password":"test_sandbox_secret","IdempotenceKey":"` + uuid.NewString() + `"}}`
}

func commitXML(base, amount, description string) string {
	return `<PaymentCommitRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Request.YooKassaRequest">` +
		`<Amount>` + amount + `</Amount><ApiParams><IdempotenceKey>` + uuid.NewString() + `</IdempotenceKey><Login>100500</Login><Password>test_sandbox_secret</Password><Url>` + base + `/yookassa/v3</Url></ApiParams>` +
		`<Description>` + description + `</Description><PaymentRefund i:nil="true"/><Refund>false</Refund></PaymentCommitRequest>`
}

func commitForm(base, amount, description string) string {
	return "Refund=false&Amount=" + amount + "&Description=" + description + "&ApiParams.Url=" + base +
		"/yookassa/v3&ApiParams.Login=100500&ApiParams.Password=test_sandbox_secret&ApiParams.IdempotenceKey=" + uuid.NewString()
}

// --- 413 ---

// TestHostileBodyTooLarge: a body of 1 MiB + 1 byte is 413 in every API's
// envelope, whether its length is announced or it comes chunked; 1 MiB
// exactly is read.
func TestHostileBodyTooLarge(t *testing.T) {
	base, _, _ := startServer(t, serverOptions{})
	over := bytes.Repeat([]byte(" "), server.MaxBodyBytes+1)
	for _, a := range []hostileAPI{apiMedusa, apiCryptomus, apiYooKassa, apiLCJSON, apiLCXML, apiLCForm, apiControl} {
		a.expectError(t, base, over, http.StatusRequestEntityTooLarge, "larger than 1 MiB")
		status, header, raw := a.send(t, base, over, io.MultiReader(bytes.NewReader(over)))
		a.checkError(t, status, header, raw, http.StatusRequestEntityTooLarge, "larger than 1 MiB")
	}
	// exactly 1 MiB: a valid request padded with spaces is served
	exact := func(body string) []byte {
		return append([]byte(body), bytes.Repeat([]byte(" "), server.MaxBodyBytes-len(body))...)
	}
	if status, _, raw := apiMedusaV3.send(t, base, exact(medusaOrderBody(`"1000.00"`, `"100.00"`)), nil); status != http.StatusOK {
		t.Errorf("medusa, 1 MiB: %d %s", status, shortBody(raw))
	}
	if status, _, raw := apiCryptomus.send(t, base, exact(cryptomusInvoiceBody(`"10.00"`)), nil); status != http.StatusOK {
		t.Errorf("cryptomus, 1 MiB: %d %s", status, shortBody(raw))
	}
	if status, _, raw := apiYooKassa.send(t, base, exact(yookassaPaymentBody(`"10.00"`)), nil); status != http.StatusOK {
		t.Errorf("yookassa, 1 MiB: %d %s", status, shortBody(raw))
	}
	if status, _, raw := apiLCJSON.send(t, base, exact(commitJSON(base, "10.00")), nil); status != http.StatusOK || !bytes.Contains(raw, []byte(`"ErrorCode":0`)) {
		t.Errorf("lcmanager, 1 MiB: %d %s", status, shortBody(raw))
	}
}

// --- nesting and entities ---

// TestHostileDeepNesting: JSON nested 100000 levels deep (arrays or
// objects) is refused as an invalid request saying so; Cryptomus reads it
// as no JSON at all, as Laravel does. XML deeper than 256 levels is
// refused by PaymentCommit.
func TestHostileDeepNesting(t *testing.T) {
	base, _, _ := startServer(t, serverOptions{})
	const depth = 100000
	arrays := []byte(`{"a":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) + `}`)
	objects := []byte(strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth))
	for _, body := range [][]byte{arrays, objects} {
		apiMedusa.expectError(t, base, body, 400, "ValidationError", "nested more than 10000 levels deep")
		apiYooKassa.expectError(t, base, body, 400, "nested more than 10000 levels deep")
		apiLCJSON.expectError(t, base, body, 400, "ErrorCode 1", "nested more than 10000 levels deep")
		apiLCTextJSON.expectError(t, base, body, 400, "ErrorCode 1", "nested more than 10000 levels deep")
		apiControl.expectError(t, base, body, 400, "invalid_request", "nested more than 10000 levels deep")
		apiCryptomus.expectError(t, base, body, 422, `"amount":["validation.required"]`)
	}
	// 10000 levels is encoding/json's own limit: still read (and refused
	// by the schema, not the nesting)
	ok := []byte(`{"orderExtId":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`)
	if msg := apiMedusa.expectError(t, base, ok, 400, "ValidationError"); strings.Contains(msg, "nested") {
		t.Errorf("9999 levels: %s", msg)
	}

	deepXML := func(n int) []byte {
		return []byte(`<PaymentCommitRequest><Amount>1</Amount>` + strings.Repeat("<a>", n) + strings.Repeat("</a>", n) + `</PaymentCommitRequest>`)
	}
	for _, a := range []hostileAPI{apiLCXML, apiLCTextXML} {
		a.expectError(t, base, deepXML(depth), 400, "ErrorCode 1", "nested more than 256 levels deep")
		a.expectError(t, base, deepXML(256), 400, "ErrorCode 1", "nested more than 256 levels deep")
		if msg := a.expectError(t, base, deepXML(254), 200, "ErrorCode 1"); strings.Contains(msg, "nested") {
			t.Errorf("%s, 255 levels: %s", a.name, msg)
		}
	}
}

// TestHostileXMLEntities: encoding/xml expands no entity but XML's five
// and the character references, and Strict mode makes any other an error
// ("invalid character entity &lol9;", worded without quoting the body), so
// the billion laughs and external entities are a 400 at once, and no file
// or URL is read.
func TestHostileXMLEntities(t *testing.T) {
	base, _, _ := startServer(t, serverOptions{})
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">` +
		`<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">`
	for i := 2; i <= 9; i++ {
		laughs += fmt.Sprintf(`<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	laughs += `]>` + commitXML(base, "1.00", "&lol9;")
	xxe := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + commitXML(base, "1.00", "&xxe;")
	param := `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>` + commitXML(base, "1.00", "x")
	for _, a := range []hostileAPI{apiLCXML, apiLCTextXML} {
		start := time.Now()
		a.expectError(t, base, []byte(laughs), 400, "ErrorCode 1", "The request body cannot be read: XML syntax error on line 1")
		msg := a.expectError(t, base, []byte(xxe), 400, "ErrorCode 1", "The request body cannot be read: XML syntax error on line 1")
		if strings.Contains(msg, "root:") {
			t.Errorf("%s: the file was read: %s", a.name, msg)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("%s: entities took %s", a.name, time.Since(start))
		}
		// A DTD with nothing to expand is just ignored; the request is served.
		if status, header, raw := a.send(t, base, []byte(param), nil); status != 200 || !strings.Contains(string(raw), "<ErrorCode xmlns=\"http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Abstractions\">0<") {
			t.Errorf("%s: a DTD without entity references: %d %v %s", a.name, status, header, shortBody(raw))
		}
	}
}

// --- invalid UTF-8 ---

// TestHostileInvalidUTF8: a string with bytes that are not UTF-8 is an
// invalid request in every API (Cryptomus: no input, as in Laravel),
// never stored with U+FFFD in their place.
func TestHostileInvalidUTF8(t *testing.T) {
	base, _, _ := startServer(t, serverOptions{})
	const bad = "caf\xe9 \xff\xfe"
	apiMedusaV3.expectError(t, base, []byte(strings.Replace(medusaOrderBody(`"1000.00"`, `"100.00"`), "Order 1", bad, 1)), 400,
		"ValidationError", "request body is not valid UTF-8")
	apiYooKassa.expectError(t, base, []byte(strings.Replace(yookassaPaymentBody(`"10.00"`), "hostile", bad, 1)), 400,
		"The request body is not valid UTF-8")
	apiControl.expectError(t, base, []byte(`{"platform":"p`+bad+`","token":"t-utf8","permissions":["medusa"]}`), 400,
		"invalid_request", "request body is not valid UTF-8")
	// Cryptomus: a field whose only rule is string would have taken it
	apiCryptomus.expectError(t, base, []byte(`{"amount":"10.00","currency":"USDT","order_id":"utf8-1","url_return":"`+bad+`"}`), 422,
		`"amount":["validation.required"]`, `"currency":["validation.required"]`)
	for _, a := range []hostileAPI{apiLCJSON, apiLCTextJSON} {
		a.expectError(t, base, []byte(strings.Replace(commitJSON(base, "10.00"), "hostile", bad, 1)), 400,
			"ErrorCode 1", "The request body is not valid UTF-8")
	}
	for _, a := range []hostileAPI{apiLCXML, apiLCTextXML} {
		a.expectError(t, base, []byte(commitXML(base, "10.00", bad)), 400, "ErrorCode 1", "invalid UTF-8")
	}
	apiLCForm.expectError(t, base, []byte(commitForm(base, "10.00", "caf%E9")), 400, "ErrorCode 1", "The request body is not valid UTF-8")
	// raw (not percent-encoded) bytes in a form too
	apiLCForm.expectError(t, base, []byte(commitForm(base, "10.00", bad)), 400, "ErrorCode 1", "not valid UTF-8")

	// half a UTF-16 surrogate pair as an escape: valid JSON syntax, no
	// character at all; encoding/json would read U+FFFD
	const lone = `\ud83d and \ude00`
	apiYooKassa.expectError(t, base, []byte(strings.Replace(yookassaPaymentBody(`"10.00"`), "hostile", lone, 1)), 400,
		`The request body is not valid UTF-8: \ud83d is half of a UTF-16 surrogate pair`)
	apiMedusaV3.expectError(t, base, []byte(strings.Replace(medusaOrderBody(`"1000.00"`, `"100.00"`), "Order 1", `\ude00`, 1)), 400,
		"ValidationError", `\ude00 is half of a UTF-16 surrogate pair`)
	apiLCJSON.expectError(t, base, []byte(strings.Replace(commitJSON(base, "10.00"), "hostile", lone, 1)), 400,
		"ErrorCode 1", "The request body is not valid UTF-8")
	apiCryptomus.expectError(t, base, []byte(`{"amount":"10.00","currency":"USDT","order_id":"utf8-2","url_return":"`+lone+`"}`), 422,
		`"amount":["validation.required"]`)
	// a whole pair is a character like any other
	if status, _, raw := apiYooKassa.send(t, base, []byte(strings.Replace(yookassaPaymentBody(`"10.00"`), "hostile", `\ud83d\ude00 \\ud800`, 1)), nil); status != 200 ||
		!strings.Contains(string(raw), `"description":"😀 \\ud800"`) {
		t.Errorf("a surrogate pair: %d %s", status, raw)
	}
}

// --- numbers and amounts ---

// TestHostileNumbers: numbers beyond float64, amounts with more digits than
// any currency, negative amounts and amounts with more decimals than the
// API allows get the API's validation error naming the field.
func TestHostileNumbers(t *testing.T) {
	base, _, _ := startServer(t, serverOptions{})
	const huge, long = "1e999999", "123456789012345678901234567890.123456789"
	// Medusa: amounts are strings of at most 2 decimals
	for _, c := range []struct{ price, want string }{
		{huge, "Data.Services.0.price is a number out of range: 1e999999"},
		{`"` + huge + `"`, `is not a decimal amount`},
		{`"` + long + `"`, "has more than 2 decimal places"},
		{`"1000.001"`, "has more than 2 decimal places"},
		{`"-1000.00"`, "must not be negative"},
	} {
		apiMedusaV3.expectError(t, base, []byte(medusaOrderBody(c.price, `"100.00"`)), 400, "ValidationError", c.want)
	}
	apiMedusaV3.expectError(t, base, []byte(medusaOrderBody(`"1000.00"`, `"-1.00"`)), 400, "ValidationError", "commission")

	// YooKassa: amount.value is a string of at most 2 decimals, above zero
	for _, c := range []struct{ value, want string }{
		{huge, "is a number out of range: 1e999999 [amount.value]"},
		{`"` + huge + `"`, "[amount.value]"},
		{`"` + long + `"`, "[amount.value]"},
		{`"1.001"`, "[amount.value]"},
		{`"-1.00"`, "[amount.value]"},
		{`"0.00"`, "greater than 0 [amount.value]"},
	} {
		apiYooKassa.expectError(t, base, []byte(yookassaPaymentBody(c.value)), 400, c.want)
	}

	// Cryptomus: numeric (as text or JSON number, |exponent| ≤ 100), above zero, any decimals
	for _, c := range []struct{ amount, want string }{
		{huge, `"amount":["validation.numeric"]`},
		{`"` + huge + `"`, `"amount":["validation.numeric"]`},
		{`"-1"`, `"amount":["validation.min.numeric"]`},
		{`-0.00000001`, `"amount":["validation.min.numeric"]`},
		{`"0"`, `"amount":["validation.min.numeric"]`},
		{`"1` + strings.Repeat("0", 100) + `"`, `"amount":["validation.numeric"]`},
	} {
		apiCryptomus.expectError(t, base, []byte(cryptomusInvoiceBody(c.amount)), 422, c.want)
	}
	for _, amount := range []string{long, "0.123456789012345678"} {
		status, _, raw := apiCryptomus.send(t, base, []byte(cryptomusInvoiceBody(`"`+amount+`"`)), nil)
		if status != 200 || !strings.Contains(string(raw), `"amount":"`+amount+`"`) {
			t.Errorf("cryptomus %s: %d %s", amount, status, shortBody(raw))
		}
	}

	// PaymentCommit: Amount is a number above zero with at most 2 decimals;
	// a body that cannot be read is 400, a refused value 200 with ErrorCode 1
	for _, a := range []hostileAPI{apiLCJSON, apiLCTextJSON} {
		a.expectError(t, base, []byte(commitJSON(base, huge)), 400, "ErrorCode 1", "Amount is a number out of range: 1e999999")
		a.expectError(t, base, []byte(commitJSON(base, long)), 200, "ErrorCode 1", "Amount must have at most 2 decimal places")
		a.expectError(t, base, []byte(commitJSON(base, "1.001")), 200, "ErrorCode 1", "Amount must have at most 2 decimal places")
		a.expectError(t, base, []byte(commitJSON(base, "-1")), 200, "ErrorCode 1", "Amount must be greater than 0")
		a.expectError(t, base, []byte(commitJSON(base, `"ten"`)), 400, "ErrorCode 1", "Amount")
	}
	for _, a := range []hostileAPI{apiLCXML, apiLCTextXML} {
		a.expectError(t, base, []byte(commitXML(base, huge, "x")), 400, "ErrorCode 1", "Amount must be a number")
		a.expectError(t, base, []byte(commitXML(base, long, "x")), 200, "ErrorCode 1", "Amount must have at most 2 decimal places")
		a.expectError(t, base, []byte(commitXML(base, "-1", "x")), 200, "ErrorCode 1", "Amount must be greater than 0")
	}
	apiLCForm.expectError(t, base, []byte(commitForm(base, huge, "x")), 400, "ErrorCode 1", "Amount must be a number")
	apiLCForm.expectError(t, base, []byte(commitForm(base, long, "x")), 200, "ErrorCode 1", "Amount must have at most 2 decimal places")
	apiLCForm.expectError(t, base, []byte(commitForm(base, "-1", "x")), 200, "ErrorCode 1", "Amount must be greater than 0")
}

// --- duplicate keys ---

// TestDuplicateKeysReadDifferently is why duplicate keys are refused: the
// validator reads a map, where the last duplicate wins whole, and the
// handlers read structs, into which encoding/json merges the duplicates,
// so the two would see different values.
func TestDuplicateKeysReadDifferently(t *testing.T) {
	body := []byte(`{"amount":{"value":"1.00","currency":"RUB"},"metadata":{"a":"1"},"amount":{"value":"2.00"},"metadata":{"b":"2"}}`)
	var asMap map[string]any
	var asStruct yookassaapi.CreatePaymentRequest
	if err := json.Unmarshal(body, &asMap); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(body, &asStruct); err != nil {
		t.Fatal(err)
	}
	validated, _ := json.Marshal(asMap["metadata"])
	handled, _ := json.Marshal(asStruct.Metadata)
	if string(validated) == string(handled) || asStruct.Amount.Currency != "RUB" {
		t.Fatalf("encoding/json now reads duplicates alike (%s, %s, %q): revisit json_body.go", validated, handled, asStruct.Amount.Currency)
	}
}

// TestHostileDuplicateKeys: a key twice in one object is an invalid
// request naming it (in any API that validates with the spec), wherever it
// is, whichever value is valid; Cryptomus reads it as PHP does (the last
// wins), over the very bytes the sign covers. Form and XML fields take the
// first.
func TestHostileDuplicateKeys(t *testing.T) {
	base, _, _ := startServer(t, serverOptions{})
	const order = `"00000000-0000-4000-8000-00000000d0d0"`
	for _, body := range []string{`{"orderExtId":` + order + `,"orderExtId":"x"}`, `{"orderExtId":"x","orderExtId":` + order + `}`} {
		apiMedusa.expectError(t, base, []byte(body), 400, "ValidationError", "orderExtId appears twice in the same object")
	}
	nested := strings.Replace(medusaOrderBody(`"1000.00"`, `"100.00"`), `"price":"1000.00"`, `"price":"1000.00","price":"1000.00"`, 1)
	apiMedusaV3.expectError(t, base, []byte(nested), 400, "ValidationError", "Data.Services.0.price appears twice in the same object")

	for _, body := range []string{
		`{"amount":{"value":"1.00","currency":"RUB"},"amount":{"value":"2.00"}}`,
		`{"amount":{"value":"2.00"},"amount":{"value":"1.00","currency":"RUB"}}`,
		`{"amount":{"value":"1.00","currency":"RUB","value":"1.00"}}`,
		`{"amount":{"value":"1.00","currency":"RUB"},"metadata":{"a":"1"},"metadata":{"b":"2"}}`,
	} {
		apiYooKassa.expectError(t, base, []byte(body), 400, "appears twice in the same object [")
	}
	// two spellings of one field: encoding/json would fill the field with
	// either, so they are duplicates too
	apiYooKassa.expectError(t, base, []byte(`{"amount":{"value":"1.00","currency":"RUB"},"Amount":{"value":"5.00","currency":"RUB"}}`), 400,
		`appears twice in the same object (as "Amount" too: field names are matched without regard to case) [amount]`)
	apiYooKassa.expectError(t, base, []byte(`{"amount":{"value":"1.00","currency":"RUB","VALUE":"5.00"}}`), 400, "[amount.value]")
	apiMedusaV3.expectError(t, base, []byte(strings.Replace(medusaOrderBody(`"1000.00"`, `"100.00"`), `"price":"1000.00"`, `"price":"1000.00","Price":"1.00"`, 1)), 400,
		"ValidationError", "Data.Services.0.price appears twice in the same object")
	// keys that differ in case are different keys (metadata may have both)
	if status, _, raw := apiYooKassa.send(t, base, []byte(`{"amount":{"value":"1.00","currency":"RUB"},"metadata":{"a":"1","A":"2"}}`), nil); status != 200 ||
		!strings.Contains(string(raw), `"metadata":{"A":"2","a":"1"}`) {
		t.Errorf("metadata a and A: %d %s", status, raw)
	}
	for _, a := range []hostileAPI{apiLCJSON, apiLCTextJSON} {
		a.expectError(t, base, []byte(`{"Amount":-1,`+commitJSON(base, "1.00")[1:]), 400, "ErrorCode 1", "Amount appears twice in the same object")
		a.expectError(t, base, []byte(strings.Replace(commitJSON(base, "1.00"), `"Login"`, `"Login":"x","Login"`, 1)), 400,
			"ErrorCode 1", "ApiParams.Login appears twice in the same object")
	}
	// one spelling in another case is PaymentCommit's field, as in ASP.NET
	camel := strings.NewReplacer(`"Amount"`, `"amount"`, `"ApiParams"`, `"apiParams"`, `"Url"`, `"url"`).Replace(commitJSON(base, "1.00"))
	if status, _, raw := apiLCJSON.send(t, base, []byte(camel), nil); status != 200 || !strings.Contains(string(raw), `"ErrorCode":0`) {
		t.Errorf("camelCase PaymentCommit: %d %s", status, raw)
	}
	apiLCJSON.expectError(t, base, []byte(`{"amount":2,`+commitJSON(base, "1.00")[1:]), 400, "ErrorCode 1", "appears twice in the same object")
	apiControl.expectError(t, base, []byte(`{"platform":"p","token":"t-dup","token":"t-dup2","permissions":[]}`), 400,
		"invalid_request", "token appears twice")

	// Cryptomus: the last wins, over the raw bytes the sign covers
	last := `{"amount":"-1","currency":"USDT","order_id":"dup-last","amount":"2.50"}`
	status, _, raw := apiCryptomus.send(t, base, []byte(last), nil)
	if status != 200 || !strings.Contains(string(raw), `"amount":"2.50"`) {
		t.Errorf("cryptomus, last valid: %d %s", status, raw)
	}
	apiCryptomus.expectError(t, base, []byte(`{"amount":"2.50","currency":"USDT","order_id":"dup-first","amount":"-1"}`), 422,
		`"amount":["validation.min.numeric"]`)
	// signed over what the server would make of it rather than the bytes sent: refused
	signedOther := hostileAPI{apiCryptomus.name, apiCryptomus.path, apiCryptomus.contentType, "", func(h http.Header, _ []byte) {
		cryptomusSign(h, []byte(`{"amount":"2.50","currency":"USDT","order_id":"dup-last"}`))
	}, cryptomusEnvelope}
	signedOther.expectError(t, base, []byte(last), 401, cryptomus.MsgInvalidSign)

	// forms: the first of names equal but for case, in the body's order,
	// every time (not as a map happens to iterate)
	for range 20 {
		apiLCForm.expectError(t, base, []byte("amount=-1&"+commitForm(base, "1.00", "x")), 200, "ErrorCode 1", "Amount must be greater than 0")
		apiLCXML.expectError(t, base, []byte(strings.Replace(commitXML(base, "1.00", "x"), "<Amount>", "<Amount>-1</Amount><Amount>", 1)), 200,
			"ErrorCode 1", "Amount must be greater than 0")
	}
}

// --- slow clients ---

// slowTimeouts are main.go's http.Server timeouts, shortened.
func slowTimeouts(s *http.Server) {
	s.ReadHeaderTimeout = 300 * time.Millisecond
	s.ReadTimeout = time.Second
	s.WriteTimeout = time.Second
	s.IdleTimeout = 5 * time.Second
}

// TestHostileSlowClients runs the handler behind an http.Server built as
// cmd/paysandbox does, with shorter timeouts: headers that trickle in are
// cut off at ReadHeaderTimeout by net/http itself (a plain "400 Bad
// Request" and the connection closed; no handler runs, so no API's
// envelope); a body that trickles past ReadTimeout is answered 408 in the
// API's envelope (even though WriteTimeout, counted from the headers, has
// run out by then) and the connection is closed.
func TestHostileSlowClients(t *testing.T) {
	base, _, logs := startServer(t, serverOptions{http: slowTimeouts})
	addr := strings.TrimPrefix(base, "http://")

	t.Run("headers", func(t *testing.T) {
		t.Parallel()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		closed := make(chan error, 1)
		go func() {
			got, err := io.ReadAll(conn)
			if len(got) > 0 && !strings.HasPrefix(string(got), "HTTP/1.1 400 Bad Request\r\n") {
				err = fmt.Errorf("answered %q", got)
			}
			closed <- err
		}()
		header := "POST /medusa/v1.0/sandbox/proceed_refund HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + medusa.DefaultToken + "\r\n"
		for i := 0; i < len(header); i++ {
			if _, err := conn.Write([]byte{header[i]}); err != nil {
				break // cut off
			}
			select {
			case err := <-closed:
				if err != nil && !isReset(err) {
					t.Fatalf("read: %v (want net/http's 400 and the connection closed)", err)
				}
				if d := time.Since(start); d < 250*time.Millisecond || d > 5*time.Second {
					t.Errorf("closed after %s, want about 300ms", d)
				}
				if strings.Contains(logs.String(), "proceed_refund") {
					t.Errorf("the handler ran: %s", logs.String())
				}
				return
			case <-time.After(50 * time.Millisecond):
			}
		}
		t.Fatal("the server was still reading trickled headers")
	})

	for _, a := range []hostileAPI{apiMedusa, apiCryptomus, apiYooKassa, apiLCJSON, apiLCXML, apiControl} {
		t.Run("body "+a.name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			h := http.Header{}
			h.Set("Content-Type", a.contentType)
			if a.accept != "" {
				h.Set("Accept", a.accept)
			}
			if a.auth != nil {
				a.auth(h, []byte(`{"orderExtId":"x"}`))
			}
			var head strings.Builder
			fmt.Fprintf(&head, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n", a.path)
			_ = h.Write(&head)
			head.WriteString("\r\n{")
			start := time.Now()
			if _, err := conn.Write([]byte(head.String())); err != nil {
				t.Fatal(err)
			}
			// one more byte now and then, never the whole body
			stop := make(chan struct{})
			defer close(stop)
			go func() {
				for {
					select {
					case <-stop:
						return
					case <-time.After(100 * time.Millisecond):
						if _, err := conn.Write([]byte(" ")); err != nil {
							return
						}
					}
				}
			}()
			_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer after %s: %v", time.Since(start), err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if d := time.Since(start); d < 900*time.Millisecond || d > 6*time.Second {
				t.Errorf("answered after %s, want about ReadTimeout (1s)", d)
			}
			a.checkError(t, res.StatusCode, res.Header, raw, http.StatusRequestTimeout, "not received in time")
			if !res.Close && res.Header.Get("Connection") != "close" {
				t.Errorf("the connection stays open after a timed-out body")
			}
		})
	}
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && strings.Contains(op.Err.Error(), "reset")
}
