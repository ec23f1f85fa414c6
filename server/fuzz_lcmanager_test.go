package server_test

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
)

var (
	lcmanagerFuzzContentTypes = []string{"application/json", "text/json", "application/xml", "text/xml",
		"application/x-www-form-urlencoded", "application/json; charset=utf-8", "TEXT/XML; charset=\"utf-8\"", "text/plain", ""}
	// each Accept and whether PaymentCommit answers it in XML
	lcmanagerFuzzAccepts = []struct {
		accept string
		xml    bool
	}{{"", false}, {"application/json", false}, {"text/json", false}, {"application/xml", true}, {"text/xml", true},
		{"*/*", false}, {"text/*", false}, {"application/xml;q=0.5, application/json;q=0.9", false}, {"image/png", false},
		{"application/xml;q=abc,,;", true}}
)

// FuzzLCManagerRequest sends arbitrary bodies to PaymentCommit in each of
// its media types (and some it does not take), with each kind of Accept.
// $URL in a body is the server's own YooKassa, so valid inputs go all the
// way upstream. Whatever arrives: never a 5xx, always PaymentCommitResponse
// in the negotiated format with all its fields, a non-zero ErrorCode on
// every HTTP error, and no ErrorCode that means the server itself failed
// (7 unreachable, 9 internal) or a YooKassa 5xx behind an 8.
func FuzzLCManagerRequest(f *testing.F) {
	const apiParams = `"ApiParams":{"Url":"$URL","Login":"100500","Password":"test_sandbox_secret","IdempotenceKey":"fz-lc-1"}`
	f.Add(uint8(0), uint8(0), `{"Refund":false,"Amount":100.00,"Description":"Order 1001","PaymentRefund":null,`+apiParams+`}`)
	f.Add(uint8(1), uint8(2), `{"Refund":true,"Amount":1.00,"Description":"Refund","PaymentRefund":"$PAY",`+strings.Replace(apiParams, "fz-lc-1", "fz-lc-3", 1)+`}`)
	f.Add(uint8(0), uint8(3), `{"Refund":true,"Amount":1000.00,"PaymentRefund":"$PAY",`+apiParams+`}`)
	f.Add(uint8(0), uint8(0), `{"Refund":true,"Amount":1.00,"PaymentRefund":"$WAIT",`+apiParams+`}`)
	f.Add(uint8(0), uint8(0), `{"Refund":"yes","Amount":"1e999999","ApiParams":{"Url":"http://169.254.169.254/latest","Login":null}}`)
	f.Add(uint8(5), uint8(6), `{"Amount":1.001,"Amount":2,`+apiParams+`}`)
	f.Add(uint8(0), uint8(7), `{"Amount":1,"ApiParams":{"Url":"$URL","Login":"100500","Password":"wrong"}}`)
	f.Add(uint8(0), uint8(0), "{\"Amount\":1,\"Description\":\"\xff\","+apiParams+"}")
	f.Add(uint8(2), uint8(3), `<PaymentCommitRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Request.YooKassaRequest">`+
		`<Amount>250.00</Amount><ApiParams><IdempotenceKey>sample string 4</IdempotenceKey><Login>100500</Login><Password>test_sandbox_secret</Password><Url>$URL</Url></ApiParams>`+
		`<Description>Order 1002</Description><PaymentRefund i:nil="true"/><Refund>false</Refund></PaymentCommitRequest>`)
	f.Add(uint8(3), uint8(4), `<PaymentCommitRequest><Refund>1</Refund><Amount>-1</Amount><PaymentRefund>$PAY</PaymentRefund><ApiParams i:nil="true"/></PaymentCommitRequest>`)
	f.Add(uint8(6), uint8(1), `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><PaymentCommitRequest><Description>&b;</Description></PaymentCommitRequest>`)
	f.Add(uint8(2), uint8(0), `<Wrong xmlns="urn:x"><Amount>1</Amount></Wrong>`)
	f.Add(uint8(2), uint8(0), `<PaymentCommitRequest>`+strings.Repeat("<a>", 300)+strings.Repeat("</a>", 300)+`</PaymentCommitRequest>`)
	f.Add(uint8(4), uint8(0), "Refund=false&Amount=40.0&Description=%D0%92%D0%BE%D0%B7&ApiParams.Url=$URL&ApiParams.Login=100500&ApiParams.Password=test_sandbox_secret&ApiParams.IdempotenceKey=fz-lc-2")
	f.Add(uint8(4), uint8(3), "refund=TRUE&amount=1&AMOUNT=2&paymentrefund=$PAY&apiparams.url=$URL&ApiParams.Login=100500&ApiParams.Password=test_sandbox_secret")
	f.Add(uint8(4), uint8(0), "Amount=%zz&Description=%ff;a=b")
	f.Add(uint8(7), uint8(8), `{"Amount":1}`)
	f.Add(uint8(8), uint8(9), ` `)
	f.Fuzz(func(t *testing.T, contentType, accept uint8, body string) {
		w := sharedWorld(t)
		h := http.Header{}
		if ct := lcmanagerFuzzContentTypes[int(contentType)%len(lcmanagerFuzzContentTypes)]; ct != "" {
			h.Set("Content-Type", ct)
		}
		acc := lcmanagerFuzzAccepts[int(accept)%len(lcmanagerFuzzAccepts)]
		if acc.accept != "" {
			h.Set("Accept", acc.accept)
		}
		rec := w.do(http.MethodPost, "/api/yookassa/PaymentCommit", h, w.expand(body))
		if xmlAnswer := strings.Contains(rec.Header().Get("Content-Type"), "xml"); xmlAnswer != acc.xml {
			t.Fatalf("Accept %q answered as %q: %s", acc.accept, rec.Header().Get("Content-Type"), rec.Body)
		}
		checkCommitResponse(t, rec.Code, rec.Header(), rec.Body.Bytes())
	})
}

// commitResponse is PaymentCommitResponse as the fuzz targets read it.
type commitResponse struct {
	PaymentID, RefundID, Status, ConfirmationToken, IdempotenceKey *string
	ErrorCode                                                      *int
	Message                                                        string
}

// checkCommitResponse checks a PaymentCommit answer (see
// FuzzLCManagerRequest), read as its Content-Type says.
func checkCommitResponse(t *testing.T, status int, header http.Header, body []byte) {
	t.Helper()
	if status >= 500 {
		t.Fatalf("%d: %s", status, body)
	}
	var res commitResponse
	switch ct := header.Get("Content-Type"); {
	case strings.HasPrefix(ct, "application/xml") || strings.HasPrefix(ct, "text/xml"):
		var x struct {
			XMLName   xml.Name `xml:"PaymentCommitResponse"`
			ErrorCode *int     `xml:"ErrorCode"`
			Message   string   `xml:"Message"`
		}
		if err := xml.Unmarshal(body, &x); err != nil {
			t.Fatalf("not PaymentCommitResponse XML (%v): %s", err, body)
		}
		for _, el := range []string{"ConfirmationToken", "IdempotenceKey", "PaymentId", "RefundId", "Status"} {
			if !strings.Contains(string(body), "<"+el) {
				t.Fatalf("XML answer lacks %s: %s", el, body)
			}
		}
		res.ErrorCode, res.Message = x.ErrorCode, x.Message
	case strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "text/json"):
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatalf("not PaymentCommitResponse JSON (%v): %s", err, body)
		}
		for _, k := range []string{"PaymentId", "RefundId", "Status", "ConfirmationToken", "IdempotenceKey", "ErrorCode", "Message"} {
			if _, ok := m[k]; !ok {
				t.Fatalf("JSON answer lacks %s: %s", k, body)
			}
		}
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatalf("PaymentCommitResponse JSON of the wrong types (%v): %s", err, body)
		}
	default:
		t.Fatalf("Content-Type %q: %s", ct, body)
	}
	if res.ErrorCode == nil {
		t.Fatalf("no ErrorCode: %s", body)
	}
	code := *res.ErrorCode
	switch {
	case status != http.StatusOK && code != 1:
		t.Fatalf("HTTP %d with ErrorCode %d: %s", status, code, body)
	case code < 0 || code > 9:
		t.Fatalf("ErrorCode %d is not in the table: %s", code, body)
	case code == 7 || code == 9:
		t.Fatalf("ErrorCode %d (the server failed): %s", code, body)
	case code == 8 && (strings.Contains(res.Message, "HTTP 5") || strings.Contains(res.Message, "internal_server_error")):
		t.Fatalf("YooKassa failed behind ErrorCode 8: %s", body)
	case code != 0 && res.Message == "":
		t.Fatalf("ErrorCode %d without a Message: %s", code, body)
	}
}
