package cryptomus

import (
	"reflect"
	"strings"
	"testing"
)

type fields = map[string][]string

// checkFields asserts that err is an EFieldErrors error with exactly want.
func checkFields(t *testing.T, err error, want fields) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	e := wantCode(t, err, EFieldErrors)
	if !reflect.DeepEqual(e.Fields, want) {
		t.Fatalf("field errors = %v, want %v", e.Fields, want)
	}
}

const (
	okUUID  = "8b03432e-385b-4670-8d06-064591096795"
	okAddr  = `"address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm"`
	okSub   = `"is_subtract":true`
	okByID  = `"uuid":"8b03432e-385b-4670-8d06-064591096795"`
	refundB = okAddr + "," + okSub + ","
)

var (
	allRefundRequired = fields{
		"address":     {RuleRequired},
		"is_subtract": {RuleRequired},
		"uuid":        {RuleRequiredWithout},
		"order_id":    {RuleRequiredWithout},
	}
	s128 = strings.Repeat("a", 128)
	s129 = strings.Repeat("a", 129)
)

func TestParseRefundErrors(t *testing.T) {
	cases := []struct {
		name string
		body string
		want fields
	}{
		{"empty object", `{}`, allRefundRequired},
		{"empty body", ``, allRefundRequired},
		{"not JSON", `address=x`, allRefundRequired},
		{"JSON array", `[{"address":"x"}]`, allRefundRequired},
		{"JSON string", `"x"`, allRefundRequired},
		{"JSON null", `null`, allRefundRequired},
		{"trailing data after the object", `{` + refundB + okByID + `} {}`, allRefundRequired},
		{"nulls are absent", `{"address":null,"is_subtract":null,"uuid":null,"order_id":null}`, allRefundRequired},
		{"empty and blank strings are absent", `{"address":"","is_subtract":" ","uuid":"","order_id":"\t"}`, allRefundRequired},
		// the seed's own example of the required_without pair
		{"neither uuid nor order_id", `{` + okAddr + `,` + okSub + `}`,
			fields{"uuid": {RuleRequiredWithout}, "order_id": {RuleRequiredWithout}}},
		{"address missing", `{` + okSub + `,` + okByID + `}`, fields{"address": {RuleRequired}}},
		{"address a number", `{"address":12,` + okSub + `,` + okByID + `}`, fields{"address": {RuleString}}},
		{"address an object", `{"address":{"a":1},` + okSub + `,` + okByID + `}`, fields{"address": {RuleString}}},
		{"address an empty array", `{"address":[],` + okSub + `,` + okByID + `}`, fields{"address": {RuleRequired}}},
		{"is_subtract missing", `{` + okAddr + `,` + okByID + `}`, fields{"is_subtract": {RuleRequired}}},
		{"is_subtract \"yes\"", `{` + okAddr + `,"is_subtract":"yes",` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract \"TRUE\"", `{` + okAddr + `,"is_subtract":"TRUE",` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract \"False\"", `{` + okAddr + `,"is_subtract":"False",` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract 2", `{` + okAddr + `,"is_subtract":2,` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract \"2\"", `{` + okAddr + `,"is_subtract":"2",` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract 1.0", `{` + okAddr + `,"is_subtract":1.0,` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract -1", `{` + okAddr + `,"is_subtract":-1,` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract \"on\"", `{` + okAddr + `,"is_subtract":"on",` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract an object", `{` + okAddr + `,"is_subtract":{"a":true},` + okByID + `}`, fields{"is_subtract": {RuleBoolean}}},
		{"is_subtract an empty array", `{` + okAddr + `,"is_subtract":[],` + okByID + `}`, fields{"is_subtract": {RuleRequired}}},
		{"uuid \"nope\"", `{` + refundB + `"uuid":"nope"}`, fields{"uuid": {RuleUUID}}},
		{"uuid without dashes", `{` + refundB + `"uuid":"8b03432e385b46708d06064591096795"}`, fields{"uuid": {RuleUUID}}},
		{"uuid with a non-hex digit", `{` + refundB + `"uuid":"8b03432e-385b-4670-8d06-06459109679g"}`, fields{"uuid": {RuleUUID}}},
		{"uuid a number", `{` + refundB + `"uuid":123}`, fields{"uuid": {RuleUUID}}},
		{"order_id 129 characters", `{` + refundB + `"order_id":"` + s129 + `"}`, fields{"order_id": {RuleMaxString}}},
		{"order_id 129 Cyrillic letters (characters, not bytes)", `{` + refundB + `"order_id":"` + strings.Repeat("я", 129) + `"}`, fields{"order_id": {RuleMaxString}}},
		{"order_id with a space", `{` + refundB + `"order_id":"a b"}`, fields{"order_id": {RuleAlphaDash}}},
		{"order_id with a dot", `{` + refundB + `"order_id":"a.b"}`, fields{"order_id": {RuleAlphaDash}}},
		{"order_id with a slash", `{` + refundB + `"order_id":"a/b"}`, fields{"order_id": {RuleAlphaDash}}},
		{"order_id too long and not alpha_dash: both, in rule order", `{` + refundB + `"order_id":"` + s129 + ` x"}`,
			fields{"order_id": {RuleMaxString, RuleAlphaDash}}},
		{"order_id a number: only string", `{` + refundB + `"order_id":12345}`, fields{"order_id": {RuleString}}},
		{"order_id a decimal number", `{` + refundB + `"order_id":1.5}`, fields{"order_id": {RuleString, RuleAlphaDash}}},
		{"order_id true", `{` + refundB + `"order_id":true}`, fields{"order_id": {RuleString, RuleAlphaDash}}},
		{"order_id an empty array beside a uuid", `{` + refundB + okByID + `,"order_id":[]}`,
			fields{"order_id": {RuleString, "validation.min.array", RuleAlphaDash}}},
		{"a valid uuid does not excuse a bad order_id", `{` + refundB + okByID + `,"order_id":"a b"}`, fields{"order_id": {RuleAlphaDash}}},
		{"a valid order_id does not excuse a bad uuid", `{` + refundB + `"uuid":"nope","order_id":"ok"}`, fields{"uuid": {RuleUUID}}},
		{"every field at once", `{"address":5,"is_subtract":"yes","uuid":"nope","order_id":"a b"}`, fields{
			"address": {RuleString}, "is_subtract": {RuleBoolean}, "uuid": {RuleUUID}, "order_id": {RuleAlphaDash}}},
		{"required and rule errors together", `{"is_subtract":2,"order_id":"` + s129 + `"}`, fields{
			"address": {RuleRequired}, "is_subtract": {RuleBoolean}, "order_id": {RuleMaxString}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRefund([]byte(c.body))
			checkFields(t, err, c.want)
		})
	}
}

func TestParseRefundAccepts(t *testing.T) {
	cases := []struct {
		name string
		body string
		want RefundRequest
	}{
		{"the seed's example", seedBody, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", IsSubtract: true, UUID: okUUID}},
		{"is_subtract true", `{` + okAddr + `,"is_subtract":true,` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", IsSubtract: true, UUID: okUUID}},
		{"is_subtract false", `{` + okAddr + `,"is_subtract":false,` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", UUID: okUUID}},
		{"is_subtract \"true\"", `{` + okAddr + `,"is_subtract":"true",` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", IsSubtract: true, UUID: okUUID}},
		{"is_subtract \"false\"", `{` + okAddr + `,"is_subtract":"false",` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", UUID: okUUID}},
		{"is_subtract \"1\"", `{` + okAddr + `,"is_subtract":"1",` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", IsSubtract: true, UUID: okUUID}},
		{"is_subtract \"0\"", `{` + okAddr + `,"is_subtract":"0",` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", UUID: okUUID}},
		{"is_subtract 1", `{` + okAddr + `,"is_subtract":1,` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", IsSubtract: true, UUID: okUUID}},
		{"is_subtract 0", `{` + okAddr + `,"is_subtract":0,` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", UUID: okUUID}},
		{"is_subtract \" true \" (TrimStrings)", `{` + okAddr + `,"is_subtract":" true ",` + okByID + `}`, RefundRequest{Address: "TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm", IsSubtract: true, UUID: okUUID}},
		{"order_id only", `{"address":"a","is_subtract":false,"order_id":"Order_1-x"}`, RefundRequest{Address: "a", OrderID: "Order_1-x"}},
		{"order_id of 1 character", `{"address":"a","is_subtract":false,"order_id":"1"}`, RefundRequest{Address: "a", OrderID: "1"}},
		{"order_id of 128 characters", `{"address":"a","is_subtract":false,"order_id":"` + s128 + `"}`, RefundRequest{Address: "a", OrderID: s128}},
		{"order_id of unicode letters and digits", `{"address":"a","is_subtract":false,"order_id":"заказ_٣-订单"}`, RefundRequest{Address: "a", OrderID: "заказ_٣-订单"}},
		{"order_id surrounded by spaces (TrimStrings)", `{"address":"a","is_subtract":false,"order_id":"  o-1 "}`, RefundRequest{Address: "a", OrderID: "o-1"}},
		{"both uuid and order_id: both kept", `{"address":"a","is_subtract":1,` + okByID + `,"order_id":"o-1"}`, RefundRequest{Address: "a", IsSubtract: true, UUID: okUUID, OrderID: "o-1"}},
		{"uuid in upper case: lower-cased", `{"address":"a","is_subtract":1,"uuid":"8B03432E-385B-4670-8D06-064591096795"}`, RefundRequest{Address: "a", IsSubtract: true, UUID: okUUID}},
		{"blank order_id beside a uuid is absent", `{"address":"a","is_subtract":1,` + okByID + `,"order_id":""}`, RefundRequest{Address: "a", IsSubtract: true, UUID: okUUID}},
		{"unknown fields ignored, last duplicate key wins", `{"address":"x","address":"a","is_subtract":1,` + okByID + `,"extra":[1]}`, RefundRequest{Address: "a", IsSubtract: true, UUID: okUUID}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseRefund([]byte(c.body))
			if err != nil {
				t.Fatalf("ParseRefund: %v", err)
			}
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestParseInvoiceRequestErrors(t *testing.T) {
	const ok = `"amount":"10","currency":"USDT","order_id":"o-1"`
	cases := []struct {
		name string
		body string
		want fields
	}{
		{"empty object", `{}`, fields{"amount": {RuleRequired}, "currency": {RuleRequired}, "order_id": {RuleRequired}}},
		{"not JSON", `{"amount":`, fields{"amount": {RuleRequired}, "currency": {RuleRequired}, "order_id": {RuleRequired}}},
		{"amount not numeric", `{"amount":"abc","currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleNumeric}}},
		{"amount with a comma", `{"amount":"1,5","currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleNumeric}}},
		{"amount in hex", `{"amount":"0x1A","currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleNumeric}}},
		{"amount a bare dot", `{"amount":".","currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleNumeric}}},
		{"amount true", `{"amount":true,"currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleNumeric}}},
		{"amount an array", `{"amount":["1"],"currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleNumeric}}},
		{"amount beyond the sandbox's exponent bound", `{"amount":"1e1000","currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleNumeric}}},
		{"amount with over 100 characters", `{"amount":"1.` + strings.Repeat("0", 100) + `","currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleNumeric}}},
		{"amount zero", `{"amount":"0","currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleMinNumeric}}},
		{"amount 0.00 as a number", `{"amount":0.00,"currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleMinNumeric}}},
		{"amount negative", `{"amount":"-1.5","currency":"USDT","order_id":"o-1"}`, fields{"amount": {RuleMinNumeric}}},
		{"currency missing", `{"amount":"10","order_id":"o-1"}`, fields{"currency": {RuleRequired}}},
		{"currency with a space", `{"amount":"10","currency":"US DT","order_id":"o-1"}`, fields{"currency": {RuleAlphaNum}}},
		{"currency with a dash", `{"amount":"10","currency":"USDT-TRC20","order_id":"o-1"}`, fields{"currency": {RuleAlphaNum}}},
		{"currency in Cyrillic (alpha_num:ascii)", `{"amount":"10","currency":"РУБ","order_id":"o-1"}`, fields{"currency": {RuleAlphaNum}}},
		{"currency of 11 characters", `{"amount":"10","currency":"ABCDEFGHIJK","order_id":"o-1"}`, fields{"currency": {RuleMaxString}}},
		{"currency a number", `{"amount":"10","currency":5,"order_id":"o-1"}`, fields{"currency": {RuleString}}},
		{"order_id missing", `{"amount":"10","currency":"USDT"}`, fields{"order_id": {RuleRequired}}},
		{"order_id of 129 characters", `{"amount":"10","currency":"USDT","order_id":"` + s129 + `"}`, fields{"order_id": {RuleMaxString}}},
		{"order_id with a space", `{"amount":"10","currency":"USDT","order_id":"a b"}`, fields{"order_id": {RuleAlphaDash}}},
		{"network a number", `{` + ok + `,"network":5}`, fields{"network": {RuleString}}},
		{"url_return of 256 characters", `{` + ok + `,"url_return":"https://x/` + strings.Repeat("a", 246) + `"}`, fields{"url_return": {RuleMaxString}}},
		{"url_success of 256 characters", `{` + ok + `,"url_success":"https://x/` + strings.Repeat("a", 246) + `"}`, fields{"url_success": {RuleMaxString}}},
		{"url_callback of 256 characters", `{` + ok + `,"url_callback":"https://x/` + strings.Repeat("a", 246) + `"}`, fields{"url_callback": {RuleMaxString}}},
		{"url_callback an object", `{` + ok + `,"url_callback":{"u":1}}`, fields{"url_callback": {RuleString}}},
		{"additional_data of 256 characters", `{` + ok + `,"additional_data":"` + strings.Repeat("d", 256) + `"}`, fields{"additional_data": {RuleMaxString}}},
		{"lifetime 299", `{` + ok + `,"lifetime":299}`, fields{"lifetime": {RuleBetweenNumeric}}},
		{"lifetime 43201", `{` + ok + `,"lifetime":"43201"}`, fields{"lifetime": {RuleBetweenNumeric}}},
		{"lifetime -1", `{` + ok + `,"lifetime":-1}`, fields{"lifetime": {RuleBetweenNumeric}}},
		{"lifetime 300.5", `{` + ok + `,"lifetime":300.5}`, fields{"lifetime": {RuleInteger}}},
		{"lifetime \"3600.0\"", `{` + ok + `,"lifetime":"3600.0"}`, fields{"lifetime": {RuleInteger}}},
		{"lifetime with a leading zero", `{` + ok + `,"lifetime":"0600"}`, fields{"lifetime": {RuleInteger}}},
		// Laravel's getSize: not numeric, so "abc" is measured as a string of 3
		{"lifetime \"abc\": integer and between.string", `{` + ok + `,"lifetime":"abc"}`, fields{"lifetime": {RuleInteger, "validation.between.string"}}},
		{"lifetime true", `{` + ok + `,"lifetime":true}`, fields{"lifetime": {RuleInteger, "validation.between.string"}}},
		{"lifetime beyond int64", `{` + ok + `,"lifetime":"99999999999999999999"}`, fields{"lifetime": {RuleInteger, RuleBetweenNumeric}}},
		{"accuracy 5.01", `{` + ok + `,"accuracy_payment_percent":5.01}`, fields{"accuracy_payment_percent": {RuleBetweenNumeric}}},
		{"accuracy -0.5", `{` + ok + `,"accuracy_payment_percent":"-0.5"}`, fields{"accuracy_payment_percent": {RuleBetweenNumeric}}},
		{"accuracy \"x\"", `{` + ok + `,"accuracy_payment_percent":"x"}`, fields{"accuracy_payment_percent": {RuleNumeric}}},
		{"several fields at once", `{"amount":"0","currency":"US DT","lifetime":10,"url_callback":7}`, fields{
			"amount": {RuleMinNumeric}, "currency": {RuleAlphaNum}, "order_id": {RuleRequired},
			"lifetime": {RuleBetweenNumeric}, "url_callback": {RuleString}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseInvoiceRequest([]byte(c.body))
			checkFields(t, err, c.want)
		})
	}
}

func TestParseInvoiceRequestAccepts(t *testing.T) {
	cases := []struct {
		name     string
		body     string
		amount   string // FormatAmount of the parsed amount
		currency string
		lifetime int
		accuracy string
		check    func(t *testing.T, r InvoiceRequest)
	}{
		{"minimal, defaults", `{"amount":"10.28","currency":"usdt","order_id":"o-1"}`, "10.28", "USDT", DefaultLifetime, "0", nil},
		{"8 decimals exactly", `{"amount":"0.12345678","currency":"BTC","order_id":"o-1"}`, "0.12345678", "BTC", DefaultLifetime, "0", nil},
		{"trailing zeros kept", `{"amount":"10.00","currency":"USD","order_id":"o-1"}`, "10.00", "USD", DefaultLifetime, "0", nil},
		{"18 decimals exactly", `{"amount":"1.000000000000000001","currency":"ETH","order_id":"o-1"}`, "1.000000000000000001", "ETH", DefaultLifetime, "0", nil},
		{"a JSON number, exactly", `{"amount":0.1,"currency":"ETH","order_id":"o-1"}`, "0.1", "ETH", DefaultLifetime, "0", nil},
		{"a JSON number with many digits, exactly", `{"amount":12345678901234567.12345678,"currency":"ETH","order_id":"o-1"}`, "12345678901234567.12345678", "ETH", DefaultLifetime, "0", nil},
		{"exponent", `{"amount":"1e3","currency":"TRX","order_id":"o-1"}`, "1000", "TRX", DefaultLifetime, "0", nil},
		{"leading dot", `{"amount":".5","currency":"TRX","order_id":"o-1"}`, "0.5", "TRX", DefaultLifetime, "0", nil},
		{"trailing dot", `{"amount":"5.","currency":"TRX","order_id":"o-1"}`, "5", "TRX", DefaultLifetime, "0", nil},
		{"plus sign and spaces", `{"amount":" +5 ","currency":"TRX","order_id":"o-1"}`, "5", "TRX", DefaultLifetime, "0", nil},
		{"lifetime 300 and accuracy 5", `{"amount":"1","currency":"USDT","order_id":"o-1","lifetime":300,"accuracy_payment_percent":5}`, "1", "USDT", 300, "5", nil},
		{"lifetime \"43200\" and accuracy \"0.5\"", `{"amount":"1","currency":"USDT","order_id":"o-1","lifetime":"43200","accuracy_payment_percent":"0.5"}`, "1", "USDT", 43200, "0.5", nil},
		{"lifetime 600.0 (integral number)", `{"amount":"1","currency":"USDT","order_id":"o-1","lifetime":600.0}`, "1", "USDT", 600, "0", nil},
		{"null optionals are absent", `{"amount":"1","currency":"USDT","order_id":"o-1","lifetime":null,"accuracy_payment_percent":"","network":null,"url_callback":""}`, "1", "USDT", DefaultLifetime, "0", nil},
		{"every field", `{"amount":"15","currency":"USDT","order_id":"o-1","network":"tron","url_return":"https://shop/r","url_success":"https://shop/s","url_callback":"https://shop/cb","lifetime":900,"accuracy_payment_percent":1.5,"additional_data":"note"}`,
			"15", "USDT", 900, "1.5", func(t *testing.T, r InvoiceRequest) {
				want := InvoiceRequest{Currency: "USDT", OrderID: "o-1", Network: "tron", URLReturn: "https://shop/r",
					URLSuccess: "https://shop/s", URLCallback: "https://shop/cb", Lifetime: 900, AdditionalData: "note"}
				r.Amount, r.AccuracyPercent = want.Amount, want.AccuracyPercent
				if r != want {
					t.Errorf("got %+v, want %+v", r, want)
				}
			}},
		{"URL of 255 characters", `{"amount":"1","currency":"USDT","order_id":"` + s128 + `","url_callback":"https://x/` + strings.Repeat("a", 245) + `"}`, "1", "USDT", DefaultLifetime, "0", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseInvoiceRequest([]byte(c.body))
			if err != nil {
				t.Fatalf("ParseInvoiceRequest: %v", err)
			}
			if got := FormatAmount(r.Amount); got != c.amount {
				t.Errorf("amount = %s, want %s", got, c.amount)
			}
			if r.Currency != c.currency || r.Lifetime != c.lifetime {
				t.Errorf("currency %s lifetime %d, want %s %d", r.Currency, r.Lifetime, c.currency, c.lifetime)
			}
			decEq(t, "accuracy", r.AccuracyPercent, dec(c.accuracy))
			if c.check != nil {
				c.check(t, r)
			}
		})
	}
}

func TestParseInfoRequest(t *testing.T) {
	cases := []struct {
		name string
		body string
		want InfoRequest
		errs fields
	}{
		{"empty object", `{}`, InfoRequest{}, fields{"uuid": {RuleRequiredWithout}, "order_id": {RuleRequiredWithout}}},
		{"not JSON", `nope`, InfoRequest{}, fields{"uuid": {RuleRequiredWithout}, "order_id": {RuleRequiredWithout}}},
		{"uuid \"nope\"", `{"uuid":"nope"}`, InfoRequest{}, fields{"uuid": {RuleUUID}}},
		{"order_id with a space", `{"order_id":"a b"}`, InfoRequest{}, fields{"order_id": {RuleAlphaDash}}},
		{"order_id of 129", `{"order_id":"` + s129 + `"}`, InfoRequest{}, fields{"order_id": {RuleMaxString}}},
		{"both bad", `{"uuid":"x","order_id":"a b"}`, InfoRequest{}, fields{"uuid": {RuleUUID}, "order_id": {RuleAlphaDash}}},
		{"uuid", `{"uuid":"8B03432E-385B-4670-8D06-064591096795"}`, InfoRequest{UUID: okUUID}, nil},
		{"order_id", `{"order_id":"o-1"}`, InfoRequest{OrderID: "o-1"}, nil},
		{"both", `{"uuid":"` + okUUID + `","order_id":"o-1"}`, InfoRequest{UUID: okUUID, OrderID: "o-1"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseInfoRequest([]byte(c.body))
			checkFields(t, err, c.errs)
			if c.errs == nil && got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestFieldErrorText(t *testing.T) {
	_, err := ParseRefund([]byte(`{}`))
	want := "field_errors: address: validation.required; is_subtract: validation.required; order_id: validation.required_without; uuid: validation.required_without"
	if err == nil || err.Error() != want {
		t.Fatalf("Error() = %v, want %s", err, want)
	}
	if got := FieldsOf(err); len(got) != 4 {
		t.Fatalf("FieldsOf = %v", got)
	}
}
