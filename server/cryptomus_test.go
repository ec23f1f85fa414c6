package server

import (
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/paysandbox/paysandbox/cryptomus"
)

// TestCryptomusSpecAgreesWithRules: kin-openapi (the spec) and the
// domain's Laravel rules agree on the seed's rules, so that the guard's
// fallback to the rules (registerCryptomus) is a true edge. The only
// disagreements are Laravel's input normalisation, which no schema
// expresses: the rules decide those, and each is listed here.
func TestCryptomusSpecAgreesWithRules(t *testing.T) {
	a, err := newCryptomusAPI(&cryptomus.Operations{}, newFaults())
	if err != nil {
		t.Fatal(err)
	}
	const uuid = `"3f6c2a9e-4b7d-4c1e-9a8b-2d5e7f9a1c3b"`
	refund := func(fields string) string { return `{"address":"T1",` + fields + `}` }
	long := strings.Repeat("a", 128)
	type verdict int
	const (
		both      verdict = iota // both accept
		neither                  // both refuse
		rulesOnly                // Laravel normalisation: the rules accept, the schema cannot say so
		specOnly                 // the schema cannot see it (a blank string), the rules refuse
	)
	cases := []struct {
		path, body string
		want       verdict
	}{
		// is_subtract: the 8 forms of design §4, and what Laravel's boolean refuses
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":true`), both},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":false`), both},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":"true"`), both},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":"false"`), both},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":"1"`), both},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":"0"`), both},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":1`), both},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":0`), both},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":"yes"`), neither},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":"TRUE"`), neither},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":2`), neither},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":null`), neither},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":[]`), neither},
		{"/v1/payment/refund", refund(`"uuid":` + uuid), neither},
		// order_id: 1–128 of letters, digits, - and _; required_without uuid
		{"/v1/payment/refund", refund(`"order_id":"a","is_subtract":true`), both},
		{"/v1/payment/refund", refund(`"order_id":"` + long + `","is_subtract":true`), both},
		{"/v1/payment/refund", refund(`"order_id":"Order_1-2","is_subtract":true`), both},
		{"/v1/payment/refund", refund(`"order_id":"` + long + `a","is_subtract":true`), neither},
		{"/v1/payment/refund", refund(`"order_id":"a b","is_subtract":true`), neither},
		{"/v1/payment/refund", refund(`"order_id":"a.b","is_subtract":true`), neither},
		{"/v1/payment/refund", refund(`"order_id":12,"is_subtract":true`), neither},
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"order_id":"a/b","is_subtract":true`), neither},
		{"/v1/payment/refund", refund(`"is_subtract":true`), neither},
		{"/v1/payment/refund", refund(`"uuid":"not-a-uuid","is_subtract":true`), neither},
		{"/v1/payment/refund", `{"uuid":` + uuid + `,"is_subtract":true}`, neither},
		{"/v1/payment/refund", `{"uuid":` + uuid + `,"is_subtract":true,"address":5}`, neither},
		{"/v1/payment/refund", `[]`, neither},
		// Laravel's normalisation: trimmed strings, blanks and nulls as absent, Unicode letters
		{"/v1/payment/refund", refund(`"uuid":` + uuid + `,"is_subtract":" true "`), rulesOnly},
		{"/v1/payment/refund", refund(`"uuid":" 3f6c2a9e-4b7d-4c1e-9a8b-2d5e7f9a1c3b","is_subtract":1`), rulesOnly},
		{"/v1/payment/refund", refund(`"uuid":"","order_id":"a","is_subtract":1`), rulesOnly},
		{"/v1/payment/refund", refund(`"uuid":null,"order_id":"a","is_subtract":1`), rulesOnly},
		{"/v1/payment/refund", refund(`"order_id":"заказ-1","is_subtract":1`), rulesOnly},
		{"/v1/payment/refund", `{"address":"  ","uuid":` + uuid + `,"is_subtract":1}`, specOnly},
		// the invoice calls
		{"/v1/payment", `{"amount":"10.28","currency":"USDT","order_id":"a"}`, both},
		{"/v1/payment", `{"amount":10.28,"currency":"USDT","order_id":"a"}`, both},
		{"/v1/payment", `{"amount":"0.12345678","currency":"btc","order_id":"a","lifetime":300,"accuracy_payment_percent":5}`, both},
		{"/v1/payment", `{"amount":"10.28","currency":"USDT","order_id":"a","lifetime":299}`, neither},
		{"/v1/payment", `{"amount":"10.28","currency":"ABCDEFGHIJK","order_id":"a"}`, neither},
		{"/v1/payment", `{"amount":"10.28","currency":"USDT","order_id":"a","accuracy_payment_percent":5.5}`, neither},
		{"/v1/payment", `{"currency":"USDT","order_id":"a"}`, neither},
		{"/v1/payment", `{"amount":"10.28","currency":"USDT","order_id":"a","lifetime":"600"}`, rulesOnly},
		{"/v1/payment/info", `{"uuid":` + uuid + `}`, both},
		{"/v1/payment/info", `{"order_id":"a"}`, both},
		{"/v1/payment/info", `{}`, neither},
		{"/v1/payment/info", `{"uuid":"x"}`, neither},
	}
	for _, c := range cases {
		r, _ := http.NewRequest("POST", "http://sandbox.test"+c.path, strings.NewReader(c.body))
		r.Header.Set("Content-Type", "application/json")
		route, params, err := a.router.FindRoute(r)
		if err != nil {
			t.Fatal(err)
		}
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: &a.options}
		specOK := openapi3filter.ValidateRequest(r.Context(), in) == nil
		rulesOK := cryptomusParse(route.Operation.OperationID, []byte(c.body)) == nil
		got := map[[2]bool]verdict{{true, true}: both, {false, false}: neither, {false, true}: rulesOnly, {true, false}: specOnly}[[2]bool{specOK, rulesOK}]
		if got != c.want {
			t.Errorf("%s %s: spec accepts %v, rules accept %v", c.path, c.body, specOK, rulesOK)
		}
	}
}
