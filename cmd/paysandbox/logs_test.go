package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// Secrets never reach the request log or any answer (issue #7): a full
// session through every API with every kind of credential, right and
// wrong, against the real server in both log formats; then the captured
// log (stderr) and every response body are searched for each secret.
//
// The startup banner on stdout prints the default credentials on purpose:
// they are public (README, specs) and the banner is what a developer reads
// to start. It never prints the control token, which is checked here too.

func randomHex(t *testing.T) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// secretSession sends requests and keeps every answer body, and the
// secrets the requests carried.
type secretSession struct {
	t       *testing.T
	s       *sandbox
	control string
	secrets map[string]string // secret → what it is
	bodies  []recordedBody
}

type recordedBody struct {
	what string
	body string
	// echoes is a secret this answer returns by contract (the token
	// createMedusaToken was just given); it is not searched for in it.
	echoes string
}

func (ss *secretSession) secret(what, value string) string {
	ss.secrets[value] = what
	return value
}

// send sends one request and records its answer.
func (ss *secretSession) send(what, method, path string, header map[string]string, body string) response {
	ss.t.Helper()
	r, err := request(method, ss.s.url+path, header, body)
	if err != nil {
		ss.t.Fatalf("%s: %v", what, err)
	}
	ss.bodies = append(ss.bodies, recordedBody{what: what, body: string(r.body)})
	return r
}

// expect sends and requires the status.
func (ss *secretSession) expect(status int, what, method, path string, header map[string]string, body string) response {
	ss.t.Helper()
	r := ss.send(what, method, path, header, body)
	if r.status != status {
		ss.t.Fatalf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
	}
	return r
}

// ctl is a control API call with the control token.
func (ss *secretSession) ctl(status int, what, method, path, body string) map[string]any {
	ss.t.Helper()
	r := ss.expect(status, what, method, path, map[string]string{"X-Sandbox-Control-Token": ss.control}, body)
	if len(r.body) == 0 {
		return nil
	}
	return r.json(ss.t)
}

func (ss *secretSession) medusa(status int, what, token, method, path, body string) map[string]any {
	ss.t.Helper()
	return ss.expect(status, what, method, path, map[string]string{"Authorization": "Bearer " + token}, body).json(ss.t)
}

// cryptomus signs body with key (the sign is a secret too).
func (ss *secretSession) cryptomus(status int, what, merchant, key, path, body string) map[string]any {
	ss.t.Helper()
	sign := ss.secret("the sign of "+what, cmSign(body, key))
	return ss.expect(status, what, "POST", path, map[string]string{"merchant": merchant, "sign": sign}, body).json(ss.t)
}

func (ss *secretSession) yookassa(status int, what, shop, secret, method, path, key, body string) map[string]any {
	ss.t.Helper()
	basic := ss.secret("the Basic credentials of "+what, base64.StdEncoding.EncodeToString([]byte(shop+":"+secret)))
	h := map[string]string{"Authorization": "Basic " + basic}
	if key != "" {
		h["Idempotence-Key"] = key
	}
	return ss.expect(status, what, method, "/yookassa/v3"+path, h, body).json(ss.t)
}

// commit posts PaymentCommit in a media type and returns ErrorCode and the
// answer (JSON unless accept asks for XML).
func (ss *secretSession) commit(what, contentType, accept, body string) commitAnswer {
	ss.t.Helper()
	h := map[string]string{"Content-Type": contentType}
	if accept != "" {
		h["Accept"] = accept
	}
	r := ss.send(what, "POST", "/api/yookassa/PaymentCommit", h, body)
	if strings.Contains(accept, "xml") {
		return decodeCommitXML(ss.t, r)
	}
	return decodeCommit(ss.t, r)
}

func TestSecretsNeverLoggedNorEchoed(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) { secretsSession(t, format) })
	}
}

func secretsSession(t *testing.T, format string) {
	banner, logs := &syncBuffer{}, &syncBuffer{}
	control := "ctl-" + randomHex(t) + "-token"
	s := startSandboxOutput(t, banner, logs, "", "--log-format", format, "--control-token", control)
	ss := &secretSession{t: t, s: s, control: control, secrets: map[string]string{}}
	ss.secret("the control token", control)
	rnd := randomHex(t)

	// --- control API: the token right, missing and wrong ---
	wrongControl := ss.secret("a wrong control token", "wrong-ctl-"+rnd)
	ss.expect(401, "control without a token", "POST", "/sandbox/v1/faults", nil, `{"api":"medusa","operationId":"getOrderV3"}`)
	ss.expect(401, "control with a wrong token", "POST", "/sandbox/v1/reset", map[string]string{"X-Sandbox-Control-Token": wrongControl}, "")
	medusaToken := ss.secret("a created Medusa token", "logs.medusa."+rnd)
	created := ss.ctl(201, "createMedusaToken", "POST", "/sandbox/v1/medusa/tokens",
		`{"platform":"logs-`+rnd+`","token":"`+medusaToken+`","permissions":["medusa"]}`)
	ss.bodies[len(ss.bodies)-1].echoes = medusaToken // the token is the answer's documented `token`
	if created["token"] != medusaToken {
		t.Fatalf("createMedusaToken: %v", created)
	}
	cmPay := ss.secret("a created merchant's payment key", "logs-cm-pay-"+rnd)
	cmPayout := ss.secret("a created merchant's payout key", "logs-cm-payout-"+rnd)
	merchant := ss.ctl(201, "createCryptomusMerchant", "POST", "/sandbox/v1/cryptomus/merchants",
		`{"paymentKey":"`+cmPay+`","payoutKey":"`+cmPayout+`","wallets":["USDT"]}`)["merchant"].(string)
	ss.ctl(200, "getCryptomusMerchant", "GET", "/sandbox/v1/cryptomus/merchants/"+merchant, "")
	ss.ctl(201, "armFault", "POST", "/sandbox/v1/faults", `{"api":"medusa","operationId":"getOrderV3"}`)
	ss.ctl(204, "clearFaults", "DELETE", "/sandbox/v1/faults", "")

	// --- Medusa: the default token, a created one, a wrong one ---
	ss.secret("the default Medusa token", defaultToken)
	wrongMedusa := ss.secret("a wrong Medusa token", "wrong.medusa."+rnd)
	recipient := "11111111-1111-4111-8111-" + rnd
	ss.medusa(200, "createRecipient", medusaToken, "POST", "/medusa/v1.0/recipients",
		`{"Data":{"extId":"`+recipient+`","name":"Ivan Petrov","Sbp":{"phone":"+79001234567","firstName":"Ivan","lastName":"Petrov"}}}`)
	ss.medusa(200, "getRecipient", medusaToken, "GET", "/medusa/v2.0/recipients/"+recipient, "")
	ss.medusa(200, "getRecipient (default token)", defaultToken, "GET", "/medusa/v2.0/recipients/00000000-0000-4000-8000-000000000001", "")
	ss.medusa(401, "Medusa with a wrong token", wrongMedusa, "GET", "/medusa/v2.0/recipients/"+recipient, "")
	// The ledger takes the Medusa token, not the control token.
	ss.medusa(404, "ledger", medusaToken, "GET", "/sandbox/v1/medusa/orders/00000000-0000-4000-8000-"+rnd+"/ledger", "")
	ss.medusa(401, "ledger with a wrong token", wrongMedusa, "GET", "/sandbox/v1/medusa/orders/00000000-0000-4000-8000-"+rnd+"/ledger", "")

	// --- Cryptomus: payment and payout keys of two merchants, a wrong sign ---
	ss.secret("the default payment key", cmKey)
	ss.secret("the default payout key", "cryptomus-sandbox-payout-key")
	for _, m := range []struct{ merchant, pay, payout string }{{cmMerchant, cmKey, "cryptomus-sandbox-payout-key"}, {merchant, cmPay, cmPayout}} {
		order := "logs-" + rnd + "-" + m.merchant[:4]
		inv := ss.cryptomus(200, "createInvoice", m.merchant, m.pay, "/v1/payment", `{"amount":"10.28","currency":"USDT","order_id":"`+order+`"}`)
		uuid := at(t, inv, "result", "uuid").(string)
		ss.cryptomus(200, "paymentInfo", m.merchant, m.pay, "/v1/payment/info", `{"order_id":"`+order+`"}`)
		ss.ctl(200, "setCryptomusInvoiceStatus", "POST", "/sandbox/v1/cryptomus/invoices/"+uuid+"/status", `{"status":"paid","paymentAmount":"10.28"}`)
		ss.cryptomus(200, "refund (payout key)", m.merchant, m.payout, "/v1/payment/refund",
			`{"uuid":"`+uuid+`","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":"true"}`)
	}
	wrongSign := ss.secret("a wrong sign", cmSign(`{"order_id":"x"}`, "not-the-key-"+rnd))
	ss.expect(401, "Cryptomus with a wrong sign", "POST", "/v1/payment/info", map[string]string{"merchant": cmMerchant, "sign": wrongSign}, `{"order_id":"x"}`)

	// --- YooKassa: HTTP Basic right and wrong ---
	ss.secret("the YooKassa secret key", ykSecret)
	wrongYK := ss.secret("a wrong YooKassa secret", "wrong-yk-"+rnd)
	p := ss.yookassa(200, "createPayment", ykShop, ykSecret, "POST", "/payments", "logs-"+rnd,
		`{"amount":{"value":"5.00","currency":"RUB"},"capture":true,"confirmation":{"type":"embedded"}}`)
	pid := p["id"].(string)
	ss.yookassa(200, "getPayment", ykShop, ykSecret, "GET", "/payments/"+pid, "", "")
	ss.ctl(200, "confirmYooKassaPayment", "POST", "/sandbox/v1/yookassa/payments/"+pid+"/confirm", "")
	ss.yookassa(200, "createRefund", ykShop, ykSecret, "POST", "/refunds", "logs-refund-"+rnd,
		`{"payment_id":"`+pid+`","amount":{"value":"1.00","currency":"RUB"}}`)
	ss.yookassa(401, "YooKassa with a wrong secret", ykShop, wrongYK, "GET", "/payments/"+pid, "", "")

	// --- PaymentCommit: Login/Password in JSON, XML and a form ---
	up := s.upstream()
	params := func(password, key string) string {
		return `"ApiParams":{"Url":"` + up + `","Login":"` + ykShop + `","Password":"` + password + `","IdempotenceKey":"` + key + `"}`
	}
	a := ss.commit("PaymentCommit JSON", "application/json", "", `{"Refund":false,"Amount":3.00,"Description":"logs",`+params(ykSecret, "lj-"+rnd)+`}`)
	if a.ErrorCode != 0 {
		t.Fatalf("PaymentCommit JSON: %v", a)
	}
	ss.ctl(200, "confirm", "POST", "/sandbox/v1/yookassa/payments/"+*a.PaymentID+"/confirm", "")
	if r := ss.commit("PaymentCommit JSON refund", "text/json", "", `{"Refund":true,"Amount":1.00,"PaymentRefund":"`+*a.PaymentID+`",`+params(ykSecret, "ljr-"+rnd)+`}`); r.ErrorCode != 0 {
		t.Fatalf("PaymentCommit JSON refund: %v", r)
	}
	xmlBody := func(password string) string {
		return `<PaymentCommitRequest xmlns="` + lcRequestNS + `"><Amount>2.50</Amount><ApiParams><IdempotenceKey>lx-` + rnd +
			`</IdempotenceKey><Login>` + ykShop + `</Login><Password>` + password + `</Password><Url>` + up + `</Url></ApiParams><Refund>false</Refund></PaymentCommitRequest>`
	}
	if x := ss.commit("PaymentCommit XML", "application/xml", "application/xml", xmlBody(ykSecret)); x.ErrorCode != 0 {
		t.Fatalf("PaymentCommit XML: %v", x)
	}
	form := url.Values{"Amount": {"4.00"}, "ApiParams.Url": {up}, "ApiParams.Login": {ykShop}, "ApiParams.Password": {ykSecret}, "ApiParams.IdempotenceKey": {"lf-" + rnd}}
	if f := ss.commit("PaymentCommit form", "application/x-www-form-urlencoded", "", form.Encode()); f.ErrorCode != 0 {
		t.Fatalf("PaymentCommit form: %v", f)
	}
	// Failures, whose Message is logged: a wrong password (3), a password
	// in the Url's user information or query (2), and bodies that break
	// their syntax inside the password (1).
	wrongPass := ss.secret("a wrong PaymentCommit password", "wrong-lc-"+rnd)
	expectCode(t, "wrong password", ss.commit("PaymentCommit wrong password", "application/json", "", `{"Amount":1,`+params(wrongPass, "lw-"+rnd)+`}`), 3, "refused the credentials")
	urlPass := ss.secret("a password in ApiParams.Url", "urlpass"+rnd)
	for _, u := range []string{
		strings.Replace(up, "http://", "http://"+ykShop+":"+urlPass+"@", 1),
		up + "?password=" + urlPass,
		up + "#" + urlPass,
		"http://" + ykShop + ":" + urlPass + "@[bad",
	} {
		expectCode(t, "Url "+u, ss.commit("PaymentCommit Url", "application/json", "", `{"Amount":1,"ApiParams":{"Url":"`+u+`","Login":"`+ykShop+`","Password":"x"}}`), 2, "not an allowed upstream")
	}
	ampPass := ss.secret("an XML password with a bare &", "amp"+rnd)
	expectCode(t, "XML with a bare &", ss.commit("PaymentCommit bad XML", "application/xml", "", xmlBody("x&"+ampPass)), 1, "XML syntax error")
	ltPass := ss.secret("an XML password with a bare <", "lt"+rnd)
	expectCode(t, "XML with a bare <", ss.commit("PaymentCommit bad XML", "application/xml", "application/xml", xmlBody("x<"+ltPass)), 1, "XML syntax error")
	pctPass := "pct%g" + rnd // the form decoder quotes the 3 characters of a bad escape
	ss.secret("the bad escape of a form password", "%g"+rnd[:1])
	expectCode(t, "form with a bad escape", ss.commit("PaymentCommit bad form", "application/x-www-form-urlencoded", "",
		"Amount=1&ApiParams.Url="+url.QueryEscape(up)+"&ApiParams.Password="+pctPass), 1, "invalid URL escape")

	s.stop() // every request line is written

	// --- the log and the answers hold no secret ---
	out := logs.String()
	requests := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if format == "json" {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Errorf("a log line is not JSON: %q", line)
			} else if m["msg"] == "request" {
				requests++
			}
		} else if strings.Contains(line, " msg=request ") {
			requests++
		}
	}
	if requests < len(ss.bodies) {
		t.Errorf("%d request lines for %d requests: the log was not captured\n%s", requests, len(ss.bodies), out)
	}
	for secret, what := range ss.secrets {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %s (%q)", what, secret)
		}
		for _, b := range ss.bodies {
			if secret != b.echoes && strings.Contains(b.body, secret) {
				t.Errorf("the answer to %s holds %s (%q): %s", b.what, what, secret, b.body)
			}
		}
	}
	for _, part := range []string{"MTAwNTAwOnRlc3Rf", "Basic ", "Bearer "} { // base64 of "100500:test_"
		if strings.Contains(out, part) {
			t.Errorf("the log holds %q", part)
		}
	}
	// The banner: the public defaults, never the control token.
	b := banner.String()
	if !strings.Contains(b, defaultToken) || !strings.Contains(b, "X-Sandbox-Control-Token") {
		t.Errorf("banner:\n%s", b)
	}
	if strings.Contains(b, control) {
		t.Errorf("the banner holds the control token:\n%s", b)
	}
}
