package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// End-to-end tests of LCManager's PaymentCommit (design §5) through real
// HTTP: the seed's samples, JSON, text/json, DataContract XML and forms in
// and out, and every ErrorCode produced by its situation, with the real
// upstream call to the built-in YooKassa (or to test servers standing in
// for a YooKassa that is down, slow, or not allowed).

// The help page's request samples, verbatim.
const (
	seedCommitJSON = `{
"Refund": true,
"Amount": 2.0,
"Description": "sample string 3",
"PaymentRefund": "sample string 4",
"ApiParams": {
"Url": "sample string 1",
"Login": "sample string 2",
"Password": "sample string 3",
"IdempotenceKey": "sample string 4"
}
}`
	seedCommitXML = `<PaymentCommitRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Request.YooKassaRequest">
<Amount>2</Amount>
<ApiParams>
<IdempotenceKey>sample string 4</IdempotenceKey>
<Login>sample string 2</Login>
<Password>sample string 3</Password>
<Url>sample string 1</Url>
</ApiParams>
<Description>sample string 3</Description>
<PaymentRefund>sample string 4</PaymentRefund>
<Refund>true</Refund>
</PaymentCommitRequest>`
)

const (
	lcRequestNS     = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Request.YooKassaRequest"
	lcResponseNS    = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Response.YooKassaResponse"
	lcAbstractionNS = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Abstractions"
)

// lcSeedJSON is the JSON sample with a real payment id and credentials in
// place of the placeholders (the IdempotenceKey stays "sample string 4").
func lcSeedJSON(upstream, paymentID string) string {
	return strings.NewReplacer(
		`"PaymentRefund": "sample string 4"`, `"PaymentRefund": "`+paymentID+`"`,
		`"Url": "sample string 1"`, `"Url": "`+upstream+`"`,
		`"Login": "sample string 2"`, `"Login": "`+ykShop+`"`,
		`"Password": "sample string 3"`, `"Password": "`+ykSecret+`"`,
	).Replace(seedCommitJSON)
}

// lcSeedXML is the XML sample with a real payment id and credentials.
func lcSeedXML(upstream, paymentID string) string {
	return strings.NewReplacer(
		`<PaymentRefund>sample string 4</PaymentRefund>`, `<PaymentRefund>`+paymentID+`</PaymentRefund>`,
		`<Url>sample string 1</Url>`, `<Url>`+upstream+`</Url>`,
		`<Login>sample string 2</Login>`, `<Login>`+ykShop+`</Login>`,
		`<Password>sample string 3</Password>`, `<Password>`+ykSecret+`</Password>`,
	).Replace(seedCommitXML)
}

// upstream is the sandbox's own YooKassa emulator as PaymentCommit's Url.
func (s *sandbox) upstream() string { return s.url + "/yookassa/v3" }

// commitRaw posts a PaymentCommit body with the given Content-Type and
// Accept ("" sends none).
func (s *sandbox) commitRaw(contentType, accept, body string) response {
	s.t.Helper()
	req, err := http.NewRequest("POST", s.url+"/api/yookassa/PaymentCommit", strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("PaymentCommit: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: raw}
}

// commitAnswer is PaymentCommitResponse, decoded from JSON or XML.
type commitAnswer struct {
	PaymentID         *string `json:"PaymentId" xml:"PaymentId"`
	RefundID          *string `json:"RefundId" xml:"RefundId"`
	Status            *string `json:"Status" xml:"Status"`
	ConfirmationToken *string `json:"ConfirmationToken" xml:"ConfirmationToken"`
	IdempotenceKey    *string `json:"IdempotenceKey" xml:"IdempotenceKey"`
	ErrorCode         int     `json:"ErrorCode" xml:"ErrorCode"`
	Message           string  `json:"Message" xml:"Message"`
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func (a commitAnswer) String() string {
	return fmt.Sprintf("{PaymentId:%s RefundId:%s Status:%s ConfirmationToken:%s IdempotenceKey:%s ErrorCode:%d Message:%q}",
		str(a.PaymentID), str(a.RefundID), str(a.Status), str(a.ConfirmationToken), str(a.IdempotenceKey), a.ErrorCode, a.Message)
}

// decodeCommit decodes a JSON answer, requiring every field to be present.
func decodeCommit(t *testing.T, r response) commitAnswer {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, r.body)
	}
	for _, k := range []string{"PaymentId", "RefundId", "Status", "ConfirmationToken", "IdempotenceKey", "ErrorCode", "Message"} {
		if _, ok := m[k]; !ok {
			t.Errorf("answer lacks %s: %s", k, r.body)
		}
	}
	var a commitAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// xmlCommitShape is the seed's XML answer: the root and its namespaces,
// ErrorCode and Message in the Abstractions namespace first, then the rest
// alphabetically, each either with a value or i:nil.
var xmlCommitShape = regexp.MustCompile(`^<PaymentCommitResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="` + regexp.QuoteMeta(lcResponseNS) + `">` +
	`<ErrorCode xmlns="` + regexp.QuoteMeta(lcAbstractionNS) + `">\d+</ErrorCode>` +
	`<Message xmlns="` + regexp.QuoteMeta(lcAbstractionNS) + `">[^<]*</Message>` +
	`(<ConfirmationToken>[^<]*</ConfirmationToken>|<ConfirmationToken i:nil="true"/>)` +
	`(<IdempotenceKey>[^<]*</IdempotenceKey>|<IdempotenceKey i:nil="true"/>)` +
	`(<PaymentId>[^<]*</PaymentId>|<PaymentId i:nil="true"/>)` +
	`(<RefundId>[^<]*</RefundId>|<RefundId i:nil="true"/>)` +
	`(<Status>[^<]*</Status>|<Status i:nil="true"/>)` +
	`</PaymentCommitResponse>$`)

// decodeCommitXML checks the seed's XML shape and decodes it (i:nil → nil).
func decodeCommitXML(t *testing.T, r response) commitAnswer {
	t.Helper()
	if !xmlCommitShape.Match(r.body) {
		t.Fatalf("the XML answer is not shaped as the seed's:\n%s", r.body)
	}
	var x struct {
		XMLName   xml.Name
		ErrorCode struct {
			XMLName xml.Name
			Value   int `xml:",chardata"`
		} `xml:"ErrorCode"`
		Message struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:"Message"`
		Fields []struct {
			XMLName xml.Name
			Nil     string `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
			Value   string `xml:",chardata"`
		} `xml:",any"`
	}
	if err := xml.Unmarshal(r.body, &x); err != nil {
		t.Fatalf("XML answer: %v\n%s", err, r.body)
	}
	if x.XMLName.Space != lcResponseNS || x.ErrorCode.XMLName.Space != lcAbstractionNS || x.Message.XMLName.Space != lcAbstractionNS {
		t.Errorf("namespaces: root %q, ErrorCode %q, Message %q", x.XMLName.Space, x.ErrorCode.XMLName.Space, x.Message.XMLName.Space)
	}
	a := commitAnswer{ErrorCode: x.ErrorCode.Value, Message: x.Message.Value}
	for _, f := range x.Fields {
		if f.XMLName.Space != lcResponseNS {
			t.Errorf("%s is in namespace %q", f.XMLName.Local, f.XMLName.Space)
		}
		var v *string
		if f.Nil != "true" {
			v = &f.Value
		}
		switch f.XMLName.Local {
		case "PaymentId":
			a.PaymentID = v
		case "RefundId":
			a.RefundID = v
		case "Status":
			a.Status = v
		case "ConfirmationToken":
			a.ConfirmationToken = v
		case "IdempotenceKey":
			a.IdempotenceKey = v
		}
	}
	return a
}

// commit sends a JSON PaymentCommit and requires HTTP 200.
func (s *sandbox) commit(req map[string]any) commitAnswer {
	s.t.Helper()
	body, err := json.Marshal(req)
	if err != nil {
		s.t.Fatal(err)
	}
	r := s.commitRaw("application/json", "", string(body))
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		s.t.Fatalf("PaymentCommit: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	return decodeCommit(s.t, r)
}

// apiParams are ApiParams for the built-in YooKassa with the default shop.
func (s *sandbox) apiParams(key string) map[string]any {
	p := map[string]any{"Url": s.upstream(), "Login": ykShop, "Password": ykSecret}
	if key != "" {
		p["IdempotenceKey"] = key
	}
	return p
}

func paymentReq(s *sandbox, amount any, key string) map[string]any {
	return map[string]any{"Refund": false, "Amount": amount, "Description": "Заказ №1001", "PaymentRefund": nil, "ApiParams": s.apiParams(key)}
}

func refundReq(s *sandbox, paymentID string, amount any, key string) map[string]any {
	return map[string]any{"Refund": true, "Amount": amount, "Description": "Возврат", "PaymentRefund": paymentID, "ApiParams": s.apiParams(key)}
}

// expectCode requires an ErrorCode and a Message containing part.
func expectCode(t *testing.T, what string, a commitAnswer, code int, part string) {
	t.Helper()
	if a.ErrorCode != code || !strings.Contains(a.Message, part) {
		t.Errorf("%s: %v, want ErrorCode %d with a Message containing %q", what, a, code, part)
	}
}

// paidPayment creates a payment of amount through PaymentCommit and has
// the payer confirm it through the control API; it returns its id.
func paidPayment(s *sandbox, amount any) string {
	s.t.Helper()
	a := s.commit(paymentReq(s, amount, ""))
	if a.ErrorCode != 0 || a.PaymentID == nil {
		s.t.Fatalf("payment: %v", a)
	}
	if got := s.confirmPayment(*a.PaymentID); got["status"] != "succeeded" {
		s.t.Fatalf("confirm: %v", got)
	}
	return *a.PaymentID
}

// TestLCManagerSeedJSONSample: the help page's JSON sample, verbatim but
// for a real payment id and credentials, refunds 2.00 of a paid payment.
// Its IdempotenceKey "sample string 4" is not one YooKassa takes; it works
// all the same, and a repeat gives the same refund.
func TestLCManagerSeedJSONSample(t *testing.T) {
	s := startSandbox(t, "")
	id := paidPayment(s, 10.0)
	body := lcSeedJSON(s.upstream(), id)
	r := s.commitRaw("application/json", "", body)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	a := decodeCommit(t, r)
	if a.ErrorCode != 0 || a.Message != "" || str(a.PaymentID) != id || a.RefundID == nil || str(a.Status) != "succeeded" ||
		str(a.IdempotenceKey) != "sample string 4" || a.ConfirmationToken != nil {
		t.Fatalf("seed sample: %v", a)
	}
	if !strings.HasPrefix(string(r.body), `{"PaymentId":`) || !strings.HasSuffix(string(r.body), `"ErrorCode":0,"Message":""}`) {
		t.Errorf("JSON field order is not the seed's: %s", r.body)
	}
	again := decodeCommit(t, s.commitRaw("application/json", "", body))
	if str(again.RefundID) != str(a.RefundID) {
		t.Errorf("repeat: %v, first %v", again, a)
	}
	p := s.yk(200, "GET", "/payments/"+id, "", "")
	check(t, p, "2.00", "refunded_amount", "value")
	rf := s.yk(200, "GET", "/refunds/"+*a.RefundID, "", "")
	check(t, rf, "2.00", "amount", "value")
	check(t, rf, "sample string 3", "description")
}

// TestLCManagerSeedXMLSample: the help page's XML sample, verbatim but for
// a real payment id and credentials, refunds 2.00; XML in, XML out.
func TestLCManagerSeedXMLSample(t *testing.T) {
	s := startSandbox(t, "")
	id := paidPayment(s, 10.0)
	r := s.commitRaw("application/xml", "application/xml", lcSeedXML(s.upstream(), id))
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/xml") {
		t.Fatalf("%d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	a := decodeCommitXML(t, r)
	if a.ErrorCode != 0 || str(a.PaymentID) != id || a.RefundID == nil || str(a.Status) != "succeeded" || str(a.IdempotenceKey) != "sample string 4" {
		t.Fatalf("seed sample: %v\n%s", a, r.body)
	}
	check(t, s.yk(200, "GET", "/payments/"+id, "", ""), "2.00", "refunded_amount", "value")
}

// TestLCManagerPaymentConfirmRefundInParts: a payment created through
// PaymentCommit, confirmed by the payer through the control API, refunded
// in two parts; a third part is refused (ErrorCode 5) and changes nothing.
func TestLCManagerPaymentConfirmRefundInParts(t *testing.T) {
	s := startSandbox(t, "")
	a := s.commit(paymentReq(s, 100.0, "7c1f0a52-9d2e-4b8a-a3f1-5e6d7c8b9a01"))
	if a.ErrorCode != 0 || str(a.Status) != "pending" || str(a.ConfirmationToken) != "ct-"+str(a.PaymentID) ||
		str(a.IdempotenceKey) != "7c1f0a52-9d2e-4b8a-a3f1-5e6d7c8b9a01" || a.RefundID != nil {
		t.Fatalf("payment: %v", a)
	}
	id := *a.PaymentID
	p := s.yk(200, "GET", "/payments/"+id, "", "")
	check(t, p, "100.00", "amount", "value")
	check(t, p, "Заказ №1001", "description")

	// Refunding before the payer paid: ErrorCode 6.
	expectCode(t, "refund of a pending payment", s.commit(refundReq(s, id, 40.0, "")), 6, "has not succeeded")

	check(t, s.confirmPayment(id), "succeeded", "status")
	r1 := s.commit(refundReq(s, id, 40.0, ""))
	r2 := s.commit(refundReq(s, id, 60.0, ""))
	for _, r := range []commitAnswer{r1, r2} {
		if r.ErrorCode != 0 || str(r.Status) != "succeeded" || r.RefundID == nil || str(r.PaymentID) != id || r.IdempotenceKey == nil {
			t.Fatalf("refund: %v", r)
		}
	}
	if *r1.RefundID == *r2.RefundID || *r1.IdempotenceKey == *r2.IdempotenceKey {
		t.Errorf("two refunds share an id or a generated key: %v %v", r1, r2)
	}
	third := s.commit(refundReq(s, id, 0.01, ""))
	expectCode(t, "third refund", third, 5, "The refund amount 0.01 exceeds what is left of the payment")
	if str(third.PaymentID) != id || third.RefundID != nil || third.IdempotenceKey == nil {
		t.Errorf("third refund: %v", third)
	}
	p = s.yk(200, "GET", "/payments/"+id, "", "")
	check(t, p, "100.00", "refunded_amount", "value")
	check(t, p, false, "refundable")
}

// TestLCManagerXMLInXMLOut: DataContract XML with the seed's namespaces in,
// the seed's XML shape out, for a payment and for a failure.
func TestLCManagerXMLInXMLOut(t *testing.T) {
	s := startSandbox(t, "")
	body := `<PaymentCommitRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="` + lcRequestNS + `">` +
		`<Amount>15.5</Amount><ApiParams><IdempotenceKey>xml-1</IdempotenceKey><Login>100500</Login>` +
		`<Password>test_sandbox_secret</Password><Url>` + s.upstream() + `</Url></ApiParams>` +
		`<Description>Заказ &lt;XML&gt;</Description><PaymentRefund i:nil="true"/><Refund>false</Refund></PaymentCommitRequest>`
	for _, mt := range []string{"application/xml", "text/xml"} {
		r := s.commitRaw(mt+"; charset=utf-8", mt, body)
		if r.status != 200 || r.header.Get("Content-Type") != mt+"; charset=utf-8" {
			t.Fatalf("%s: %d %s %s", mt, r.status, r.header.Get("Content-Type"), r.body)
		}
		a := decodeCommitXML(t, r)
		if a.ErrorCode != 0 || str(a.Status) != "pending" || a.RefundID != nil || str(a.IdempotenceKey) != "xml-1" {
			t.Fatalf("%s: %v", mt, a)
		}
		if !strings.Contains(string(r.body), `<RefundId i:nil="true"/>`) {
			t.Errorf("%s: RefundId is not i:nil: %s", mt, r.body)
		}
		p := s.yk(200, "GET", "/payments/"+*a.PaymentID, "", "")
		check(t, p, "15.50", "amount", "value")
		check(t, p, "Заказ <XML>", "description")
	}
	// A failure in XML: the same shape, ErrorCode 1.
	bad := strings.Replace(body, "<Amount>15.5</Amount>", "<Amount>0</Amount>", 1)
	a := decodeCommitXML(t, s.commitRaw("text/xml", "text/xml", bad))
	expectCode(t, "zero amount", a, 1, "Amount must be greater than 0")
	if a.PaymentID != nil || a.IdempotenceKey != nil {
		t.Errorf("zero amount: %v", a)
	}
}

// TestLCManagerXMLElementsInAnyOrder: elements out of the contract's
// (alphabetical) order, ApiParams too, are all read.
func TestLCManagerXMLElementsInAnyOrder(t *testing.T) {
	s := startSandbox(t, "")
	id := paidPayment(s, 10.0)
	body := `<PaymentCommitRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="` + lcRequestNS + `">
  <Refund>true</Refund>
  <PaymentRefund>` + id + `</PaymentRefund>
  <ApiParams>
    <Url>` + s.upstream() + `</Url>
    <Password>test_sandbox_secret</Password>
    <Login>100500</Login>
    <IdempotenceKey>xml-order</IdempotenceKey>
  </ApiParams>
  <Description>Возврат</Description>
  <Amount>3.25</Amount>
</PaymentCommitRequest>`
	a := decodeCommitXML(t, s.commitRaw("application/xml", "application/xml", body))
	if a.ErrorCode != 0 || a.RefundID == nil || str(a.IdempotenceKey) != "xml-order" {
		t.Fatalf("out of order: %v", a)
	}
	check(t, s.yk(200, "GET", "/refunds/"+*a.RefundID, "", ""), "3.25", "amount", "value")
}

// TestLCManagerRepeatedIdempotenceKey: the same IdempotenceKey and request
// give the same PaymentId (JSON, then XML); the same key with another
// amount is YooKassa's "Idempotence key duplicated" (ErrorCode 8).
func TestLCManagerRepeatedIdempotenceKey(t *testing.T) {
	s := startSandbox(t, "")
	first := s.commit(paymentReq(s, 25.0, "repeat-me"))
	second := s.commit(paymentReq(s, 25, "repeat-me"))
	if first.ErrorCode != 0 || str(first.PaymentID) != str(second.PaymentID) || str(second.IdempotenceKey) != "repeat-me" {
		t.Fatalf("repeat: %v, first %v", second, first)
	}
	xmlBody := `<PaymentCommitRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="` + lcRequestNS + `">` +
		`<Amount>25</Amount><ApiParams><IdempotenceKey>repeat-me</IdempotenceKey><Login>100500</Login>` +
		`<Password>test_sandbox_secret</Password><Url>` + s.upstream() + `</Url></ApiParams>` +
		`<Description>Заказ №1001</Description><Refund>false</Refund></PaymentCommitRequest>`
	third := decodeCommitXML(t, s.commitRaw("application/xml", "application/xml", xmlBody))
	if str(third.PaymentID) != str(first.PaymentID) {
		t.Errorf("XML repeat: %v, first %v", third, first)
	}
	expectCode(t, "same key, other amount", s.commit(paymentReq(s, 26.0, "repeat-me")), 8,
		"YooKassa error 400 invalid_request: Idempotence key duplicated")

	// Without a key, each call gets a new UUID and a new payment.
	a, b := s.commit(paymentReq(s, 25.0, "")), s.commit(paymentReq(s, 25.0, ""))
	if a.IdempotenceKey == nil || len(*a.IdempotenceKey) != 36 || str(a.IdempotenceKey) == str(b.IdempotenceKey) || str(a.PaymentID) == str(b.PaymentID) {
		t.Errorf("no key: %v %v", a, b)
	}
}

// countingServer is a YooKassa stand-in that counts connections and requests.
type countingServer struct {
	*httptest.Server
	conns, requests atomic.Int64
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	c := &countingServer{}
	c.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.requests.Add(1)
		h(w, r)
	}))
	c.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			c.conns.Add(1)
		}
	}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

// TestLCManagerDisallowedURLMakesNoConnection: a Url outside the allow-list
// is ErrorCode 2, and the server it names sees no connection at all.
func TestLCManagerDisallowedURLMakesNoConnection(t *testing.T) {
	s := startSandbox(t, "")
	trap := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"x","status":"pending"}`)
	})
	for _, u := range []string{
		trap.URL + "/yookassa/v3",
		trap.URL + "/v3",
		s.upstream() + "/../../v3",           // another path on the right host
		s.upstream() + "x",                   // a longer path
		"https://api.yookassa.ru/v3",         // the real one is not allowed by default
		"http://user:pw@" + s.url[7:] + "/x", // credentials in the URL
		"file:///etc/passwd",
	} {
		req := paymentReq(s, 1.0, "")
		req["ApiParams"].(map[string]any)["Url"] = u
		a := s.commit(req)
		expectCode(t, u, a, 2, "ApiParams.Url is not an allowed upstream: "+strings.Replace(u, "user:pw@", "redacted@", 1))
		if a.PaymentID != nil || a.IdempotenceKey != nil {
			t.Errorf("%s: %v", u, a)
		}
	}
	if n, c := trap.requests.Load(), trap.conns.Load(); n != 0 || c != 0 {
		t.Fatalf("the disallowed upstream got %d connections and %d requests", c, n)
	}
	// The allowed spellings of the own emulator (trailing slash, default
	// case of the scheme) are the same URL.
	for _, u := range []string{s.upstream() + "/", strings.Replace(s.upstream(), "http://", "HTTP://", 1)} {
		req := paymentReq(s, 1.0, "")
		req["ApiParams"].(map[string]any)["Url"] = u
		if a := s.commit(req); a.ErrorCode != 0 {
			t.Errorf("%s: %v", u, a)
		}
	}
}

// closedPort returns a 127.0.0.1 port with nothing listening on it.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestLCManagerErrorCodes: each ErrorCode from its situation.
func TestLCManagerErrorCodes(t *testing.T) {
	down := "http://" + closedPort(t) + "/v3"
	slow := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that the server notices when the caller hangs up
		select {                           // longer than the upstream timeout; ends when the caller gives up
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	s := startSandbox(t, "", "--yookassa-upstream", "self,"+down+","+slow.URL+"/api/v3", "--upstream-timeout", "700ms")

	t.Run("1 invalid request", func(t *testing.T) {
		expectCode(t, "zero amount", s.commit(paymentReq(s, 0, "")), 1, "Amount must be greater than 0")
		expectCode(t, "no amount", s.commit(map[string]any{"ApiParams": s.apiParams("")}), 1, "Amount must be greater than 0")
		expectCode(t, "three decimals", s.commit(paymentReq(s, 1.005, "")), 1, "at most 2 decimal places")
		expectCode(t, "no Url", s.commit(map[string]any{"Amount": 1}), 1, "ApiParams.Url is required")
		expectCode(t, "refund without payment", s.commit(refundReq(s, "", 1, "")), 1, "PaymentRefund is required")
	})
	t.Run("3 credentials refused", func(t *testing.T) {
		req := paymentReq(s, 1.0, "creds-1")
		req["ApiParams"].(map[string]any)["Password"] = "wrong"
		a := s.commit(req)
		expectCode(t, "bad password", a, 3, "YooKassa refused the credentials (401 invalid_credentials)")
		if str(a.IdempotenceKey) != "creds-1" {
			t.Errorf("bad password: %v", a)
		}
	})
	t.Run("4 payment not found", func(t *testing.T) {
		a := s.commit(refundReq(s, "2f8e6c1a-000f-5000-9000-000000000000", 1.0, ""))
		expectCode(t, "unknown payment", a, 4, "Payment 2f8e6c1a-000f-5000-9000-000000000000 was not found (404 not_found)")
	})
	t.Run("5 refund exceeds", func(t *testing.T) {
		id := paidPayment(s, 5.0)
		expectCode(t, "over the amount", s.commit(refundReq(s, id, 5.01, "")), 5, "exceeds what is left")
	})
	t.Run("6 payment not succeeded", func(t *testing.T) {
		a := s.commit(paymentReq(s, 5.0, ""))
		expectCode(t, "pending", s.commit(refundReq(s, *a.PaymentID, 1.0, "")), 6, "Payment "+*a.PaymentID+" has not succeeded")
	})
	t.Run("7 upstream down", func(t *testing.T) {
		req := paymentReq(s, 1.0, "down-1")
		req["ApiParams"].(map[string]any)["Url"] = down
		expectCode(t, "down", s.commit(req), 7, "YooKassa is unreachable: connection refused")
	})
	t.Run("7 upstream slow", func(t *testing.T) {
		req := paymentReq(s, 1.0, "slow-1")
		req["ApiParams"].(map[string]any)["Url"] = slow.URL + "/api/v3"
		start := time.Now()
		expectCode(t, "slow", s.commit(req), 7, "YooKassa did not answer within 700ms")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("the timeout took %s", d)
		}
		if slow.requests.Load() != 1 {
			t.Errorf("the slow upstream got %d requests", slow.requests.Load())
		}
	})
	t.Run("8 other upstream error", func(t *testing.T) {
		s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "yookassa", "operationId": "createPayment", "times": 1})
		expectCode(t, "YooKassa fault", s.commit(paymentReq(s, 1.0, "")), 8, "YooKassa error 500 internal_server_error: Internal server error")
		req := paymentReq(s, 1.0, "")
		req["Description"] = strings.Repeat("д", 129)
		expectCode(t, "long description", s.commit(req), 8, "YooKassa error 400 invalid_request: ")
	})
	t.Run("9 fault", func(t *testing.T) {
		s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "lcmanager", "operationId": "paymentCommit", "times": 1})
		a := s.commit(paymentReq(s, 1.0, ""))
		expectCode(t, "armed fault", a, 9, "Internal error")
		if a.PaymentID != nil {
			t.Errorf("fault: %v", a)
		}
		if a := s.commit(paymentReq(s, 1.0, "")); a.ErrorCode != 0 {
			t.Errorf("after the fault: %v", a)
		}
	})
}

// TestLCManagerFormAndTextJSON: a form body (dotted ApiParams names, as
// ASP.NET binds them) and text/json in and out.
func TestLCManagerFormAndTextJSON(t *testing.T) {
	s := startSandbox(t, "")
	form := url.Values{
		"Refund": {"false"}, "Amount": {"12.30"}, "Description": {"Форма"},
		"ApiParams.Url": {s.upstream()}, "ApiParams.Login": {ykShop}, "ApiParams.Password": {ykSecret}, "ApiParams.IdempotenceKey": {"form-1"},
	}
	r := s.commitRaw("application/x-www-form-urlencoded", "", form.Encode())
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("form: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	a := decodeCommit(t, r)
	if a.ErrorCode != 0 || str(a.IdempotenceKey) != "form-1" {
		t.Fatalf("form: %v", a)
	}
	check(t, s.yk(200, "GET", "/payments/"+*a.PaymentID, "", ""), "12.30", "amount", "value")
	s.confirmPayment(*a.PaymentID)
	refund := url.Values{"refund": {"true"}, "amount": {"2"}, "paymentRefund": {*a.PaymentID},
		"apiParams.url": {s.upstream()}, "apiparams.login": {ykShop}, "ApiParams.Password": {ykSecret}}
	rf := decodeCommit(t, s.commitRaw("application/x-www-form-urlencoded", "application/json", refund.Encode()))
	if rf.ErrorCode != 0 || rf.RefundID == nil {
		t.Fatalf("form refund: %v", rf)
	}
	bad := decodeCommit(t, s.commitRaw("application/x-www-form-urlencoded", "", "Amount=abc"))
	expectCode(t, "form, Amount not a number", bad, 1, "Amount must be a number")

	body := `{"Refund":false,"Amount":7,"ApiParams":{"Url":"` + s.upstream() + `","Login":"100500","Password":"test_sandbox_secret"}}`
	r = s.commitRaw("text/json", "text/json", body)
	if r.status != 200 || r.header.Get("Content-Type") != "text/json; charset=utf-8" {
		t.Fatalf("text/json: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if a := decodeCommit(t, r); a.ErrorCode != 0 {
		t.Fatalf("text/json: %v", a)
	}
	r = s.commitRaw("text/json", "text/json", `{"Amount":`)
	if r.status != 400 || r.header.Get("Content-Type") != "text/json; charset=utf-8" {
		t.Fatalf("text/json unparseable: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	expectCode(t, "text/json unparseable", decodeCommit(t, r), 1, "The request body cannot be read: unexpected end of JSON input")
}

// TestLCManagerUnreadableBodiesAndRoutes: HTTP 400 with ErrorCode 1 for a
// body that cannot be read or has a wrongly typed field; 404, 405 and 413
// in the same shape; Accept picks the answer's format.
func TestLCManagerUnreadableBodiesAndRoutes(t *testing.T) {
	s := startSandbox(t, "")
	for _, c := range []struct{ name, ct, accept, body, message string }{
		{"JSON syntax", "application/json", "", `{"Refund":true,}`, "The request body cannot be read: invalid character '}' looking for beginning of object key string"},
		{"wrong type", "application/json", "", `{"Amount":"ten"}`, "The request body is invalid: Amount must be a number"},
		{"nested wrong type", "application/json", "", `{"Amount":1,"ApiParams":{"Url":5}}`, "The request body is invalid: ApiParams.Url must be a string"},
		{"not an object", "application/json", "", `[1]`, "The request body is invalid"},
		{"XML syntax", "application/xml", "application/xml", "<PaymentCommitRequest>\n<Amount>2</Amount>\n", "The request body cannot be read: XML syntax error on line 3: unexpected EOF"},
		{"XML root", "application/xml", "", `<Other/>`, "The request body cannot be read: expecting element 'PaymentCommitRequest'"},
		{"XML wrong type", "text/xml", "text/xml", `<PaymentCommitRequest xmlns="` + lcRequestNS + `"><Refund>yes</Refund></PaymentCommitRequest>`, "Refund must be a boolean"},
		{"unsupported type", "text/plain", "", `Amount=1`, `Content-Type "text/plain" is not supported`},
		{"no body", "application/json", "", ``, "The request body is required"},
	} {
		r := s.commitRaw(c.ct, c.accept, c.body)
		if r.status != 400 {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
			continue
		}
		var a commitAnswer
		if strings.Contains(c.accept, "xml") {
			a = decodeCommitXML(t, r)
		} else {
			a = decodeCommit(t, r)
		}
		expectCode(t, c.name, a, 1, c.message)
	}

	r := s.commitRaw("application/json", "", strings.Repeat(" ", 1<<20+1))
	if r.status != 413 {
		t.Errorf("big body: %d %s", r.status, r.body)
	} else {
		expectCode(t, "big body", decodeCommit(t, r), 1, "1 MiB")
	}
	get := s.do("GET", "/api/yookassa/PaymentCommit", "", nil)
	if get.status != 405 || get.header.Get("Allow") != "POST" {
		t.Errorf("GET: %d Allow %q %s", get.status, get.header.Get("Allow"), get.body)
	} else {
		expectCode(t, "GET", decodeCommit(t, get), 1, "not allowed")
	}
	nf := s.do("POST", "/api/yookassa/Nothing", "", "{}")
	if nf.status != 404 {
		t.Errorf("unknown route: %d %s", nf.status, nf.body)
	} else {
		expectCode(t, "unknown route", decodeCommit(t, nf), 1, "No such")
	}

	// Accept decides: XML by q, JSON for */* and when absent.
	body := `{"Amount":0}`
	for accept, wantXML := range map[string]bool{
		"":                                     false,
		"*/*":                                  false,
		"application/json":                     false,
		"text/xml":                             true,
		"application/json;q=0.5, text/xml":     true,
		"application/xml;q=0.4, text/json;q=1": false,
		"text/html":                            false,
	} {
		r := s.commitRaw("application/json", accept, body)
		isXML := strings.Contains(r.header.Get("Content-Type"), "xml")
		if r.status != 200 || isXML != wantXML {
			t.Errorf("Accept %q: %d %s %s", accept, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
}
