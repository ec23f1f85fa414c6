package conformance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// Scenarios of openapi/lcmanager.yaml: PaymentCommit in JSON, text/json
// and DataContract XML, calling the server's own YooKassa emulator
// (BaseURL + /yookassa/v3, which a paysandbox allows by default).

func lc(status int, example, mediaType string) Key {
	return Key{API: "lcmanager", OperationID: "paymentCommit", Status: status, Example: example, MediaType: mediaType}
}

// The DataContract namespaces of the help page's samples.
const (
	lcRequestNS = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Request.YooKassaRequest"
	xsiNS       = "http://www.w3.org/2001/XMLSchema-instance"
)

// lcAllFields are every field of PaymentCommitResponse.
var lcAllFields = []string{"/PaymentId", "/RefundId", "/Status", "/ConfirmationToken", "/IdempotenceKey", "/ErrorCode", "/Message"}

// lcFieldsBut is lcAllFields without some.
func lcFieldsBut(skip ...string) []string {
	var out []string
	for _, f := range lcAllFields {
		keep := true
		for _, s := range skip {
			keep = keep && f != s
		}
		if keep {
			out = append(out, f)
		}
	}
	return out
}

func init() {
	// text/json answers are JSON to the validator too.
	openapi3filter.RegisterBodyDecoder("text/json", openapi3filter.JSONBodyDecoder)

	registerProfile("lcmanager", &apiProfile{
		validationStatus: http.StatusBadRequest,
		validationError: func(body any) error {
			return expect("ErrorCode", mustLookup(body, "/ErrorCode"), 1.0)
		},
		invariants: func(req *Request, resp *Response) []string {
			code, ok := mustLookup(resp.Value, "/ErrorCode").(float64)
			if !ok {
				return []string{"the answer has no numeric ErrorCode"}
			}
			msg, _ := mustLookup(resp.Value, "/Message").(string)
			var problems []string
			switch {
			case code == 0 && msg != "":
				problems = append(problems, fmt.Sprintf("ErrorCode 0 with Message %q", msg))
			case code != 0 && msg == "":
				problems = append(problems, fmt.Sprintf("ErrorCode %v without a Message", code))
			case code == 0 && mustLookup(resp.Value, "/PaymentId") == nil:
				problems = append(problems, "ErrorCode 0 without a PaymentId")
			}
			if resp.Status == http.StatusBadRequest && code != 1 {
				problems = append(problems, fmt.Sprintf("HTTP 400 with ErrorCode %v, want 1", code))
			}
			if resp.Status == http.StatusOK && (code < 0 || code > 9) {
				problems = append(problems, fmt.Sprintf("ErrorCode %v is not in the documented table", code))
			}
			return problems
		},
	})
}

// LCManagerUpstream is the server's own YooKassa emulator, as ApiParams.Url.
func (c *Ctx) LCManagerUpstream() string { return c.BaseURL + "/yookassa/v3" }

// lcBody is a JSON request example of PaymentCommit aimed at the server's
// own YooKassa with the default shop, with changes at pointers.
func lcBody(c *Ctx, example string, set map[string]any) (map[string]any, error) {
	body, err := c.RequestExample("lcmanager", "paymentCommit", example)
	if err != nil {
		return nil, err
	}
	Put(body, "/ApiParams/Url", c.LCManagerUpstream())
	Put(body, "/ApiParams/Login", DefaultYooKassaShop)
	Put(body, "/ApiParams/Password", DefaultYooKassaSecret)
	Put(body, "/ApiParams/IdempotenceKey", c.NewID())
	for p, v := range set {
		Put(body, p, v)
	}
	return body, nil
}

// PaymentCommit builds the request with body encoded for mediaType (JSON,
// text/json, or DataContract XML) and the answer asked in the same type.
func (c *Ctx) PaymentCommit(mediaType string, body map[string]any) *Request {
	var raw []byte
	if isXML(mediaType) {
		raw = []byte(lcXML("PaymentCommitRequest", body))
	} else {
		raw, _ = json.Marshal(body)
	}
	return NewRequest("lcmanager", "POST", "/api/yookassa/PaymentCommit", raw).Set("Content-Type", mediaType).Set("Accept", mediaType)
}

// lcXML writes an object as DataContract XML: the request namespace,
// elements in alphabetical order, i:nil for null.
func lcXML(root string, m map[string]any) string {
	var b strings.Builder
	if root != "" {
		b.WriteString(`<` + root + ` xmlns:i="` + xsiNS + `" xmlns="` + lcRequestNS + `">`)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := m[k].(type) {
		case nil:
			b.WriteString(`<` + k + ` i:nil="true"/>`)
		case map[string]any:
			b.WriteString(`<` + k + `>` + lcXML("", v) + `</` + k + `>`)
		case float64:
			b.WriteString(`<` + k + `>` + strconv.FormatFloat(v, 'f', -1, 64) + `</` + k + `>`)
		case bool:
			b.WriteString(`<` + k + `>` + strconv.FormatBool(v) + `</` + k + `>`)
		default:
			b.WriteString(`<` + k + `>` + xmlEscape(fmt.Sprint(v)) + `</` + k + `>`)
		}
	}
	if root != "" {
		b.WriteString(`</` + root + `>`)
	}
	return b.String()
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// lcPaidPayment creates a payment of amount through PaymentCommit and has
// the payer confirm it; it returns the payment's id.
func (c *Ctx) lcPaidPayment(amount float64) (string, error) {
	body, err := lcBody(c, "payment", map[string]any{"/Amount": amount})
	if err != nil {
		return "", err
	}
	res, err := c.Call(c.PaymentCommit("application/json", body), http.StatusOK)
	if err != nil {
		return "", err
	}
	id := res.Str("/PaymentId")
	if id == "" {
		return "", fmt.Errorf("PaymentCommit created no payment: %s", res)
	}
	return id, c.PayYooKassa(id)
}

// lcExpect checks a value of the answer that the example cannot state.
func lcExpect(res *Response, pointer string, want any) error {
	return expect(strings.TrimPrefix(pointer, "/"), res.Get(pointer), want)
}

func init() {
	// The help page's samples: the sample request (a refund of 2.00), with a
	// real payment, the default shop and a fresh key, succeeds in every
	// media type; the sample answer's values are placeholders.
	const placeholder = "the help page's sample answer holds placeholders (ErrorCode 6, \"sample string 7\"); the sample request, sent with a real payment and credentials, succeeds"
	for _, mt := range []string{"application/json", "text/json", "application/xml", "text/xml"} {
		mt := mt
		k := lc(200, "seedSample", mt)
		markDisagreement(k, "/ErrorCode", placeholder)
		markDisagreement(k, "/Message", placeholder)
		Register(Scenario{Key: k, Equal: []string{"/ErrorCode", "/Message"}, Run: func(c *Ctx) error {
			id, err := c.lcPaidPayment(10)
			if err != nil {
				return err
			}
			body, err := lcBody(c, "seedSample", map[string]any{"/PaymentRefund": id})
			if err != nil {
				return err
			}
			res, err := c.Send(c.PaymentCommit(mt, body))
			if err != nil {
				return err
			}
			for p, want := range map[string]any{"/ErrorCode": 0.0, "/PaymentId": id, "/Status": "succeeded", "/ConfirmationToken": nil} {
				if err := lcExpect(res, p, want); err != nil {
					return err
				}
			}
			if res.Str("/RefundId") == "" {
				return fmt.Errorf("the refund has no RefundId")
			}
			return nil
		}})
	}

	// Payments and refunds created.
	for _, mt := range []string{"application/json", "text/json", "application/xml"} {
		mt := mt
		Register(Scenario{Key: lc(200, "paymentCreated", mt), Equal: []string{"/RefundId", "/Status", "/ErrorCode", "/Message"}, Run: func(c *Ctx) error {
			body, err := lcBody(c, "payment", nil)
			if err != nil {
				return err
			}
			res, err := c.Send(c.PaymentCommit(mt, body))
			if err != nil {
				return err
			}
			if err := lcExpect(res, "/ConfirmationToken", "ct-"+res.Str("/PaymentId")); err != nil {
				return err
			}
			return lcExpect(res, "/IdempotenceKey", mustLookup(body, "/ApiParams/IdempotenceKey"))
		}})
	}
	Register(Scenario{Key: lc(200, "refundCreated", "application/json"), Equal: []string{"/Status", "/ConfirmationToken", "/ErrorCode", "/Message"}, Run: func(c *Ctx) error {
		id, err := c.lcPaidPayment(100)
		if err != nil {
			return err
		}
		body, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id})
		if err != nil {
			return err
		}
		res, err := c.Send(c.PaymentCommit("application/json", body))
		if err != nil {
			return err
		}
		return lcExpect(res, "/PaymentId", id)
	}})

	// Failures, each from its situation.
	send := func(mt, example string, set map[string]any) func(c *Ctx) error {
		return func(c *Ctx) error {
			body, err := lcBody(c, example, set)
			if err != nil {
				return err
			}
			_, err = c.Send(c.PaymentCommit(mt, body))
			return err
		}
	}
	Register(
		Scenario{Key: lc(200, "invalidRequest", "application/json"), Equal: lcAllFields,
			Run: send("application/json", "payment", map[string]any{"/Amount": 0.0})},
		Scenario{Key: lc(200, "urlNotAllowed", "application/json"), Equal: lcAllFields,
			Run: send("application/json", "payment", map[string]any{"/ApiParams/Url": "https://upstream.example/v3"})},
		// Keys of requests that fail are not kept by YooKassa: the example's own can be used.
		Scenario{Key: lc(200, "credentialsRefused", "application/json"), Equal: lcAllFields,
			Run: send("application/json", "payment", map[string]any{"/ApiParams/Password": "wrong-secret",
				"/ApiParams/IdempotenceKey": "7c1f0a52-9d2e-4b8a-a3f1-5e6d7c8b9a01"})},
		Scenario{Key: lc(200, "paymentNotFound", "application/json"), Equal: lcAllFields,
			Run: send("application/json", "refund", map[string]any{"/PaymentRefund": "2f8e6c1a-000f-5000-9000-000000000000",
				"/ApiParams/IdempotenceKey": "0d4e2b7c-6a1f-4c3d-9e8b-7a6f5e4d3c21"})},
		Scenario{Key: lc(200, "paymentNotSucceeded", "application/json"), Equal: lcFieldsBut("/PaymentId", "/Message"), Run: func(c *Ctx) error {
			created, err := lcBody(c, "payment", nil)
			if err != nil {
				return err
			}
			res, err := c.Call(c.PaymentCommit("application/json", created), http.StatusOK)
			if err != nil {
				return err
			}
			id := res.Str("/PaymentId")
			body, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id, "/ApiParams/IdempotenceKey": "0d4e2b7c-6a1f-4c3d-9e8b-7a6f5e4d3c21"})
			if err != nil {
				return err
			}
			res, err = c.Send(c.PaymentCommit("application/json", body))
			if err != nil {
				return err
			}
			return lcExpect(res, "/PaymentId", id)
		}},
		Scenario{Key: lc(200, "upstreamError", "application/json"), Equal: lcFieldsBut("/IdempotenceKey"), Run: func(c *Ctx) error {
			// The key of a payment, used again with another amount.
			first, err := lcBody(c, "payment", nil)
			if err != nil {
				return err
			}
			if _, err := c.Call(c.PaymentCommit("application/json", first), http.StatusOK); err != nil {
				return err
			}
			Put(first, "/Amount", 101.0)
			_, err = c.Send(c.PaymentCommit("application/json", first))
			return err
		}},
		Scenario{Key: lc(200, "internalError", "application/json"), Equal: lcAllFields, Exclusive: true, Run: func(c *Ctx) error {
			if err := c.ArmFault("lcmanager", "paymentCommit", 500); err != nil {
				return err
			}
			return send("application/json", "payment", nil)(c)
		}},
	)
	for _, mt := range []string{"application/json", "application/xml"} {
		mt := mt
		Register(Scenario{Key: lc(200, "refundExceeded", mt), Equal: lcFieldsBut("/PaymentId"), Run: func(c *Ctx) error {
			id, err := c.lcPaidPayment(100)
			if err != nil {
				return err
			}
			part, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id, "/Amount": 40.0})
			if err != nil {
				return err
			}
			if _, err := c.Call(c.PaymentCommit("application/json", part), http.StatusOK); err != nil {
				return err
			}
			body, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id, "/Amount": 120.0,
				"/ApiParams/IdempotenceKey": "0d4e2b7c-6a1f-4c3d-9e8b-7a6f5e4d3c21"})
			if err != nil {
				return err
			}
			res, err := c.Send(c.PaymentCommit(mt, body))
			if err != nil {
				return err
			}
			return lcExpect(res, "/PaymentId", id)
		}})
	}
	// ErrorCode 7: the built-in upstream hangs up, as a YooKassa that is down would.
	Register(Scenario{Key: lc(200, "upstreamUnreachable", "application/json"), Equal: lcFieldsBut("/IdempotenceKey", "/Message"), Exclusive: true,
		Run: func(c *Ctx) error {
			if _, err := c.Call(c.Control("POST", "/sandbox/v1/faults",
				map[string]any{"api": "yookassa", "operationId": "createPayment", "disconnect": true, "times": 1}), http.StatusCreated); err != nil {
				return err
			}
			return send("application/json", "payment", nil)(c)
		}})

	// Bodies that cannot be read (HTTP 400, ErrorCode 1).
	raw := func(mt, body string) func(c *Ctx) error {
		return func(c *Ctx) error {
			_, err := c.Send(NewRequest("lcmanager", "POST", "/api/yookassa/PaymentCommit", []byte(body)).Set("Content-Type", mt).Set("Accept", mt))
			return err
		}
	}
	truncatedXML := `<PaymentCommitRequest xmlns:i="` + xsiNS + `" xmlns="` + lcRequestNS + `">` + "\n<Amount>2</Amount>\n"
	Register(
		Scenario{Key: lc(400, "unparseable", "application/json"), Equal: lcAllFields, Run: raw("application/json", `{"Refund":true,}`)},
		Scenario{Key: lc(400, "unparseable", "text/json"), Equal: lcAllFields, Run: raw("text/json", `{"Refund":true,"Amount":`)},
		Scenario{Key: lc(400, "unparseable", "application/xml"), Equal: lcAllFields, Run: raw("application/xml", truncatedXML)},
		Scenario{Key: lc(400, "unparseable", "text/xml"), Equal: lcAllFields, Run: raw("text/xml", truncatedXML)},
		Scenario{Key: lc(400, "wrongType", "application/json"), Equal: lcAllFields, Run: raw("application/json", `{"Refund":false,"Amount":"ten"}`)},
	)
}
