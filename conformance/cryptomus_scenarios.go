package conformance

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Scenarios of openapi/cryptomus.yaml and of the Cryptomus part of the
// control API (/sandbox/v1/cryptomus/…). Every request is signed as
// Cryptomus demands; scenarios that change a merchant (blocking it, its
// wallets, its balances) work on a merchant of their own, so the suite can
// run against a server others use.

// The default Cryptomus credentials every paysandbox has (design §2).
const (
	DefaultCryptomusMerchant = "8b03432e-385b-4670-8d06-064591096795"
	DefaultCryptomusKey      = "cryptomus-sandbox-key"
)

func ck(op string, status int, example string) Key {
	return Key{API: "cryptomus", OperationID: op, Status: status, Example: example, MediaType: "application/json"}
}

// The deterministic parts of Cryptomus's answers: the seed's fixed
// messages and the Laravel rule keys.
var (
	cryptomusMessage = []string{"/state", "/message"}
	cryptomusFields  = []string{"/state", "/errors"}
	// what an invoice's example fixes; uuid, order_id, url, times and the
	// generated addresses are the server's own
	cryptomusInvoiceFields = []string{"/state", "/result/amount", "/result/currency", "/result/payment_amount",
		"/result/payer_amount", "/result/discount_percent", "/result/discount", "/result/payer_currency",
		"/result/comments", "/result/merchant_amount", "/result/network", "/result/txid",
		"/result/payment_status", "/result/status", "/result/is_final", "/result/additional_data"}
)

// CryptomusMerchant is a merchant and its keys.
type CryptomusMerchant struct{ UUID, PaymentKey, PayoutKey string }

// DefaultMerchant is the default merchant of every paysandbox.
var DefaultMerchant = &CryptomusMerchant{UUID: DefaultCryptomusMerchant, PaymentKey: DefaultCryptomusKey}

// CryptomusSign is Cryptomus's signature of a raw body: the hex MD5 of its
// base64 followed by the API key.
func CryptomusSign(body []byte, key string) string {
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(body) + key))
	return hex.EncodeToString(sum[:])
}

// signCryptomus sets the merchant and sign headers of r for its raw body.
func signCryptomus(r *Request, merchant, key string) {
	raw, _, _ := r.bodyBytes()
	r.Set("merchant", merchant).Set("sign", CryptomusSign(raw, key))
}

// CryptomusAs builds a Cryptomus request of merchant m signed with key; the
// body is encoded once, so the signature covers the bytes sent.
func (c *Ctx) CryptomusAs(m *CryptomusMerchant, key, path string, body any) *Request {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			panic(fmt.Sprintf("conformance: encode %s body: %v", path, err))
		}
	}
	r := NewRequest("cryptomus", "POST", path, raw)
	r.Set("Content-Type", "application/json")
	signCryptomus(r, m.UUID, key)
	return r
}

// Cryptomus builds a request of m signed with its payment key.
func (c *Ctx) Cryptomus(m *CryptomusMerchant, path string, body any) *Request {
	return c.CryptomusAs(m, m.PaymentKey, path, body)
}

// MerchantOptions describe a merchant to create: nil Wallets means the
// default wallets.
type MerchantOptions struct {
	Wallets   []string
	PayoutKey bool
}

// NewCryptomusMerchant creates a merchant of its own through the control API.
func (c *Ctx) NewCryptomusMerchant(o MerchantOptions) (*CryptomusMerchant, error) {
	m := &CryptomusMerchant{UUID: c.NewID(), PaymentKey: c.Unique("conformance-payment-")}
	body := map[string]any{"merchant": m.UUID, "paymentKey": m.PaymentKey}
	if o.PayoutKey {
		m.PayoutKey = c.Unique("conformance-payout-")
		body["payoutKey"] = m.PayoutKey
	}
	if o.Wallets != nil {
		body["wallets"] = o.Wallets
	}
	_, err := c.Call(c.Control("POST", "/sandbox/v1/cryptomus/merchants", body), http.StatusCreated)
	return m, err
}

// CryptomusInvoice is an invoice created by a check.
type CryptomusInvoice struct {
	UUID, OrderID string
	Merchant      *CryptomusMerchant
}

// NewCryptomusInvoice creates an invoice of m of amount in currency with a
// fresh order_id; extra adds fields to the request.
func (c *Ctx) NewCryptomusInvoice(m *CryptomusMerchant, amount, currency string, extra map[string]any) (*CryptomusInvoice, error) {
	inv := &CryptomusInvoice{OrderID: c.Unique("conformance-"), Merchant: m}
	body := map[string]any{"amount": amount, "currency": currency, "order_id": inv.OrderID}
	for k, v := range extra {
		body[k] = v
	}
	res, err := c.Call(c.Cryptomus(m, "/v1/payment", body), http.StatusOK)
	if err != nil {
		return nil, err
	}
	inv.UUID = res.Str("/result/uuid")
	return inv, expect("order_id", res.Get("/result/order_id"), inv.OrderID)
}

// SetInvoiceStatus is the payer's result through the control API.
func (c *Ctx) SetInvoiceStatus(inv *CryptomusInvoice, body map[string]any) (*Response, error) {
	return c.Call(c.Control("POST", "/sandbox/v1/cryptomus/invoices/"+inv.UUID+"/status", body), http.StatusOK)
}

// PaidInvoice creates an invoice of m and has it paid in full.
func (c *Ctx) PaidInvoice(m *CryptomusMerchant, amount, currency string) (*CryptomusInvoice, error) {
	inv, err := c.NewCryptomusInvoice(m, amount, currency, nil)
	if err != nil {
		return nil, err
	}
	_, err = c.SetInvoiceStatus(inv, map[string]any{"status": "paid", "paymentAmount": amount})
	return inv, err
}

// InvoiceStatus reads an invoice's status through /v1/payment/info.
func (c *Ctx) InvoiceStatus(inv *CryptomusInvoice) (string, error) {
	res, err := c.Call(c.Cryptomus(inv.Merchant, "/v1/payment/info", map[string]any{"uuid": inv.UUID}), http.StatusOK)
	if err != nil {
		return "", err
	}
	return res.Str("/result/status"), nil
}

// refundBody is the seed's request example with the invoice's uuid.
func (c *Ctx) refundBody(inv *CryptomusInvoice) (map[string]any, error) {
	body, err := c.RequestExample("cryptomus", "refund", "seedExample")
	if err != nil {
		return nil, err
	}
	body["uuid"] = inv.UUID
	return body, nil
}

// UpdateMerchant changes a merchant through the control API.
func (c *Ctx) UpdateMerchant(m *CryptomusMerchant, body map[string]any) error {
	_, err := c.Call(c.Control("PATCH", "/sandbox/v1/cryptomus/merchants/"+m.UUID, body), http.StatusOK)
	return err
}

func cryptomusCredentials(c *Ctx, op *operation, r *Request) {
	if op.api == "cryptomus" {
		signCryptomus(r, DefaultCryptomusMerchant, DefaultCryptomusKey)
	}
}

// cryptomusInvariants: every answer is {"state":0,…} on success and
// {"state":1,…} with exactly one of message and errors on failure.
func cryptomusInvariants(_ *Request, resp *Response) []string {
	m, ok := resp.Value.(map[string]any)
	if !ok {
		return []string{"the answer is not a JSON object"}
	}
	want := 0.0
	if resp.Status >= 300 {
		want = 1
	}
	var problems []string
	if m["state"] != want {
		problems = append(problems, fmt.Sprintf("state is %s, want %v for status %d", show(m["state"]), want, resp.Status))
	}
	if resp.Status >= 300 {
		_, msg := m["message"]
		_, errs := m["errors"]
		if msg == errs {
			problems = append(problems, "a failure needs exactly one of message and errors")
		}
	}
	if resp.Status == http.StatusUnauthorized && m["message"] != "Invalid Sign." {
		problems = append(problems, fmt.Sprintf("401 message is %s, want \"Invalid Sign.\"", show(m["message"])))
	}
	return problems
}

// cryptomusValidationError: Laravel's shape, {"state":1,"errors":{field:["validation.…"]}}.
func cryptomusValidationError(body any) error {
	errs, ok := mustLookup(body, "/errors").(map[string]any)
	if !ok || len(errs) == 0 {
		return fmt.Errorf("no errors object: %s", show(body))
	}
	for field, rules := range errs {
		list, _ := rules.([]any)
		if len(list) == 0 {
			return fmt.Errorf("errors.%s lists no rule", field)
		}
		for _, r := range list {
			if s, _ := r.(string); !strings.HasPrefix(s, "validation.") {
				return fmt.Errorf("errors.%s has %s, not a Laravel rule key", field, show(r))
			}
		}
	}
	return nil
}

// cryptomusInvalidSign: an unsigned (or wrongly signed) request is refused
// before anything else; build makes a request the operation would accept.
func cryptomusInvalidSign(op string, build func(c *Ctx) (*Request, error)) Scenario {
	return Scenario{Key: ck(op, 401, "invalidSign"), Equal: cryptomusMessage, Run: func(c *Ctx) error {
		for _, tamper := range []struct {
			name string
			fn   func(r *Request)
		}{
			{"wrong sign", func(r *Request) { r.Set("sign", CryptomusSign([]byte("other bytes"), DefaultCryptomusKey)) }},
			{"no sign", func(r *Request) { r.Header.Del("sign") }},
			{"no merchant", func(r *Request) { r.Header.Del("merchant") }},
			{"unknown merchant", func(r *Request) { signCryptomus(r, c.NewID(), DefaultCryptomusKey) }},
		} {
			req, err := build(c)
			if err != nil {
				return err
			}
			tamper.fn(req)
			if _, err := c.Send(req); err != nil {
				return fmt.Errorf("%s: %w", tamper.name, err)
			}
		}
		return nil
	}}
}

// cryptomusFault arms a fault of the operation: Cryptomus's 422 "Server error".
func cryptomusFault(op string, build func(c *Ctx) (*Request, error)) Scenario {
	return Scenario{Key: ck(op, 422, "serverError"), Equal: cryptomusMessage, Exclusive: true, Run: func(c *Ctx) error {
		req, err := build(c)
		if err != nil {
			return err
		}
		if err := c.ArmFault("cryptomus", op, 500); err != nil {
			return err
		}
		_, err = c.Send(req)
		return err
	}}
}

// A valid request of each operation, on invoices of a merchant of its own.
var (
	validCreate = func(c *Ctx) (*Request, error) {
		body, err := c.RequestExample("cryptomus", "createInvoice", "minimal")
		if err != nil {
			return nil, err
		}
		body["order_id"] = c.Unique("conformance-")
		return c.Cryptomus(DefaultMerchant, "/v1/payment", body), nil
	}
	validInfo = func(c *Ctx) (*Request, error) {
		inv, err := c.NewCryptomusInvoice(DefaultMerchant, "10.28", "USDT", nil)
		if err != nil {
			return nil, err
		}
		return c.Cryptomus(DefaultMerchant, "/v1/payment/info", map[string]any{"uuid": inv.UUID}), nil
	}
	validRefund = func(c *Ctx) (*Request, error) {
		m, err := c.NewCryptomusMerchant(MerchantOptions{})
		if err != nil {
			return nil, err
		}
		inv, err := c.PaidInvoice(m, "10.28", "USDT")
		if err != nil {
			return nil, err
		}
		body, err := c.refundBody(inv)
		if err != nil {
			return nil, err
		}
		return c.Cryptomus(m, "/v1/payment/refund", body), nil
	}
)

func init() {
	registerProfile("cryptomus", &apiProfile{
		validationStatus: http.StatusUnprocessableEntity,
		validationError:  cryptomusValidationError,
		credentials:      cryptomusCredentials,
		invariants:       cryptomusInvariants,
	})

	// createInvoice
	Register(
		Scenario{Key: ck("createInvoice", 200, "created"), Equal: cryptomusInvoiceFields, Run: func(c *Ctx) error {
			req, err := validCreate(c)
			if err != nil {
				return err
			}
			res, err := c.Send(req)
			if err != nil {
				return err
			}
			uuid := res.Str("/result/uuid")
			if !strings.HasSuffix(res.Str("/result/url"), "/sandbox/v1/cryptomus/pay/"+uuid) {
				return fmt.Errorf("url %q is not the invoice's payment page", res.Str("/result/url"))
			}
			if res.Str("/result/address") == "" {
				return fmt.Errorf("a USDT invoice has no deposit address")
			}
			// The same order_id again is the same invoice.
			again, err := c.Call(req, http.StatusOK)
			if err != nil {
				return err
			}
			return expect("uuid of the repeated create", again.Str("/result/uuid"), uuid)
		}},
		cryptomusInvalidSign("createInvoice", validCreate),
		Scenario{Key: ck("createInvoice", 422, "amountAndCurrencyMissing"), Equal: cryptomusFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment", map[string]any{"order_id": c.Unique("conformance-")}))
			return err
		}},
		Scenario{Key: ck("createInvoice", 422, "orderIdNotAlphaDash"), Equal: cryptomusFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment", map[string]any{"amount": "10.28", "currency": "USDT", "order_id": "order 1001!"}))
			return err
		}},
		Scenario{Key: ck("createInvoice", 422, "lifetimeTooShort"), Equal: cryptomusFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment", map[string]any{"amount": "10.28", "currency": "USDT",
				"order_id": c.Unique("conformance-"), "lifetime": 299}))
			return err
		}},
		cryptomusFault("createInvoice", validCreate),
	)

	// paymentInfo
	infoOf := func(status, txid string, refund bool) func(c *Ctx) error {
		return func(c *Ctx) error {
			m, err := c.NewCryptomusMerchant(MerchantOptions{})
			if err != nil {
				return err
			}
			inv, err := c.NewCryptomusInvoice(m, "10.28", "USDT", nil)
			if err != nil {
				return err
			}
			if _, err := c.SetInvoiceStatus(inv, map[string]any{"status": "paid", "paymentAmount": "10.28", "txid": txid}); err != nil {
				return err
			}
			if refund {
				body, err := c.refundBody(inv)
				if err != nil {
					return err
				}
				if _, err := c.Call(c.Cryptomus(m, "/v1/payment/refund", body), http.StatusOK); err != nil {
					return err
				}
			}
			// by uuid, then by order_id: the same answer
			res, err := c.Send(c.Cryptomus(m, "/v1/payment/info", map[string]any{"uuid": inv.UUID}))
			if err != nil {
				return err
			}
			if err := expect("status", res.Str("/result/status"), status); err != nil {
				return err
			}
			res, err = c.Send(c.Cryptomus(m, "/v1/payment/info", map[string]any{"order_id": inv.OrderID}))
			if err != nil {
				return fmt.Errorf("by order_id: %w", err)
			}
			if res.Str("/result/from") == "" {
				return fmt.Errorf("a paid invoice has no from address")
			}
			return expect("uuid", res.Str("/result/uuid"), inv.UUID)
		}
	}
	paidTxid := "9b4f2c1d7e6a5b3c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c"
	Register(
		Scenario{Key: ck("paymentInfo", 200, "paid"), Equal: cryptomusInvoiceFields, Run: infoOf("paid", paidTxid, false)},
		Scenario{Key: ck("paymentInfo", 200, "refundProcess"), Equal: cryptomusInvoiceFields, Run: infoOf("refund_process", paidTxid, true)},
		cryptomusInvalidSign("paymentInfo", validInfo),
		Scenario{Key: ck("paymentInfo", 422, "paymentNotFound"), Equal: cryptomusMessage, Run: func(c *Ctx) error {
			if _, err := c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment/info", map[string]any{"uuid": c.NewID()})); err != nil {
				return fmt.Errorf("unknown uuid: %w", err)
			}
			if _, err := c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment/info", map[string]any{"order_id": c.Unique("conformance-")})); err != nil {
				return fmt.Errorf("unknown order_id: %w", err)
			}
			// another merchant's invoice
			m, err := c.NewCryptomusMerchant(MerchantOptions{})
			if err != nil {
				return err
			}
			inv, err := c.NewCryptomusInvoice(m, "1.00", "USDT", nil)
			if err != nil {
				return err
			}
			if _, err := c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment/info", map[string]any{"uuid": inv.UUID})); err != nil {
				return fmt.Errorf("another merchant's invoice: %w", err)
			}
			return nil
		}},
		Scenario{Key: ck("paymentInfo", 422, "requiredWithout"), Equal: cryptomusFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment/info", map[string]any{}))
			return err
		}},
		cryptomusFault("paymentInfo", validInfo),
	)

	// refund
	refundOf := func(setup func(c *Ctx, m *CryptomusMerchant, inv *CryptomusInvoice) error) func(c *Ctx) error {
		return func(c *Ctx) error {
			m, err := c.NewCryptomusMerchant(MerchantOptions{})
			if err != nil {
				return err
			}
			inv, err := c.PaidInvoice(m, "10.28", "USDT")
			if err != nil {
				return err
			}
			if err := setup(c, m, inv); err != nil {
				return err
			}
			body, err := c.refundBody(inv)
			if err != nil {
				return err
			}
			_, err = c.Send(c.Cryptomus(m, "/v1/payment/refund", body))
			return err
		}
	}
	Register(
		Scenario{Key: ck("refund", 200, "seedResponse"), Equal: []string{"/state", "/result"}, Run: func(c *Ctx) error {
			// The seed's request, signed with the payment key, then one signed with the payout key.
			m, err := c.NewCryptomusMerchant(MerchantOptions{PayoutKey: true})
			if err != nil {
				return err
			}
			for _, key := range []string{m.PaymentKey, m.PayoutKey} {
				inv, err := c.PaidInvoice(m, "10.28", "USDT")
				if err != nil {
					return err
				}
				body, err := c.refundBody(inv)
				if err != nil {
					return err
				}
				if _, err := c.Send(c.CryptomusAs(m, key, "/v1/payment/refund", body)); err != nil {
					return err
				}
				status, err := c.InvoiceStatus(inv)
				if err != nil {
					return err
				}
				if err := expect("status after the refund", status, "refund_process"); err != nil {
					return err
				}
			}
			return nil
		}},
		cryptomusInvalidSign("refund", validRefund),
		Scenario{Key: ck("refund", 422, "paymentNotFound"), Equal: cryptomusMessage, Run: func(c *Ctx) error {
			// The seed's example as written: its uuid is the merchant's, no invoice's.
			body, err := c.RequestExample("cryptomus", "refund", "seedExample")
			if err != nil {
				return err
			}
			if _, err := c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment/refund", body)); err != nil {
				return err
			}
			body, err = c.RequestExample("cryptomus", "refund", "byOrderIdBoolean")
			if err != nil {
				return err
			}
			body["order_id"] = c.Unique("conformance-")
			_, err = c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment/refund", body))
			return err
		}},
		Scenario{Key: ck("refund", 422, "requiredWithout"), Equal: cryptomusFields, Run: func(c *Ctx) error {
			body, err := c.RequestExample("cryptomus", "refund", "seedExample")
			if err != nil {
				return err
			}
			delete(body, "uuid")
			_, err = c.Send(c.Cryptomus(DefaultMerchant, "/v1/payment/refund", body))
			return err
		}},
		Scenario{Key: ck("refund", 422, "forbidden"), Equal: cryptomusMessage, Run: refundOf(func(c *Ctx, m *CryptomusMerchant, _ *CryptomusInvoice) error {
			return c.UpdateMerchant(m, map[string]any{"paymentsBlocked": true})
		})},
		Scenario{Key: ck("refund", 422, "undefinedMerchantWallet"), Equal: cryptomusMessage, Run: refundOf(func(c *Ctx, m *CryptomusMerchant, _ *CryptomusInvoice) error {
			return c.UpdateMerchant(m, map[string]any{"wallets": []string{"BTC"}})
		})},
		Scenario{Key: ck("refund", 422, "notCompleted"), Equal: cryptomusMessage, Run: func(c *Ctx) error {
			// an invoice that is not paid
			m, err := c.NewCryptomusMerchant(MerchantOptions{})
			if err != nil {
				return err
			}
			unpaid, err := c.NewCryptomusInvoice(m, "10.28", "USDT", nil)
			if err != nil {
				return err
			}
			body, err := c.refundBody(unpaid)
			if err != nil {
				return err
			}
			if _, err := c.Send(c.Cryptomus(m, "/v1/payment/refund", body)); err != nil {
				return fmt.Errorf("unpaid invoice: %w", err)
			}
			// a second refund of the same invoice
			return refundOf(func(c *Ctx, m *CryptomusMerchant, inv *CryptomusInvoice) error {
				body, err := c.refundBody(inv)
				if err != nil {
					return err
				}
				_, err = c.Call(c.Cryptomus(m, "/v1/payment/refund", body), http.StatusOK)
				return err
			})(c)
		}},
		Scenario{Key: ck("refund", 422, "amountExceeded"), Equal: cryptomusMessage, Run: func(c *Ctx) error {
			// accuracy 2 %: 14.70 of 15.00 is paid, but 15.00 cannot go back
			m, err := c.NewCryptomusMerchant(MerchantOptions{})
			if err != nil {
				return err
			}
			inv, err := c.NewCryptomusInvoice(m, "15.00", "USDT", map[string]any{"accuracy_payment_percent": 2})
			if err != nil {
				return err
			}
			paid, err := c.RequestExample("sandbox", "setCryptomusInvoiceStatus", "paidWithinAccuracy")
			if err != nil {
				return err
			}
			if _, err := c.SetInvoiceStatus(inv, paid); err != nil {
				return err
			}
			body, err := c.refundBody(inv)
			if err != nil {
				return err
			}
			_, err = c.Send(c.Cryptomus(m, "/v1/payment/refund", body))
			return err
		}},
		cryptomusFault("refund", validRefund),
	)

	registerCryptomusControl()
}

// Scenarios of the Cryptomus part of openapi/sandbox.yaml.
func registerCryptomusControl() {
	merchants := "/sandbox/v1/cryptomus/merchants"
	Register(
		Scenario{Key: sk("createCryptomusMerchant", 201, "created"), Equal: []string{"/wallets", "/paymentsBlocked", "/hasPayoutKey"}, Run: func(c *Ctx) error {
			body, err := c.RequestExample("sandbox", "createCryptomusMerchant", "withPayoutKey")
			if err != nil {
				return err
			}
			id := c.NewID()
			body["merchant"] = id
			res, err := c.Send(c.Control("POST", merchants, body))
			if err != nil {
				return err
			}
			if err := expect("merchant", res.Get("/merchant"), id); err != nil {
				return err
			}
			// its payment key signs its calls
			m := &CryptomusMerchant{UUID: id, PaymentKey: body["paymentKey"].(string)}
			_, err = c.NewCryptomusInvoice(m, "1.00", "USDT", nil)
			return err
		}},
		Scenario{Key: sk("createCryptomusMerchant", 400, "invalidRequest"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Control("POST", merchants, map[string]any{"merchant": c.NewID()}))
			return err
		}},
		Scenario{Key: sk("createCryptomusMerchant", 409, "merchantExists"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			m, err := c.NewCryptomusMerchant(MerchantOptions{})
			if err != nil {
				return err
			}
			_, err = c.Send(c.Control("POST", merchants, map[string]any{"merchant": m.UUID, "paymentKey": c.Unique("conformance-payment-")}))
			return err
		}},
		Scenario{Key: sk("getCryptomusMerchant", 200, "default"), Equal: []string{"/wallets", "/paymentsBlocked", "/hasPayoutKey"}, Run: func(c *Ctx) error {
			// What the example shows of the default merchant, on a merchant
			// of its own with the default wallets and a payout key.
			m, err := c.NewCryptomusMerchant(MerchantOptions{PayoutKey: true})
			if err != nil {
				return err
			}
			inv, err := c.PaidInvoice(m, "10.28", "USDT")
			if err != nil {
				return err
			}
			body, err := c.refundBody(inv) // is_subtract "true"
			if err != nil {
				return err
			}
			if _, err := c.Call(c.Cryptomus(m, "/v1/payment/refund", body), http.StatusOK); err != nil {
				return err
			}
			_, err = c.Send(c.Control("GET", merchants+"/"+m.UUID, nil))
			return err
		}},
		Scenario{Key: sk("getCryptomusMerchant", 400, "notUuid"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Control("GET", merchants+"/not-a-uuid", nil))
			return err
		}},
		Scenario{Key: sk("getCryptomusMerchant", 404, "merchantNotFound"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Control("GET", merchants+"/"+c.NewID(), nil))
			return err
		}},
		Scenario{Key: sk("updateCryptomusMerchant", 200, "blocked"), Equal: []string{"/wallets", "/paymentsBlocked", "/hasPayoutKey"}, Run: func(c *Ctx) error {
			m, err := c.NewCryptomusMerchant(MerchantOptions{PayoutKey: true})
			if err != nil {
				return err
			}
			if _, err := c.PaidInvoice(m, "10.28", "USDT"); err != nil {
				return err
			}
			body, err := c.RequestExample("sandbox", "updateCryptomusMerchant", "blockAndKeepUsdt")
			if err != nil {
				return err
			}
			if _, err := c.Send(c.Control("PATCH", merchants+"/"+m.UUID, body)); err != nil {
				return err
			}
			// unblock: the other example
			unblock, err := c.RequestExample("sandbox", "updateCryptomusMerchant", "unblock")
			if err != nil {
				return err
			}
			res, err := c.Call(c.Control("PATCH", merchants+"/"+m.UUID, unblock), http.StatusOK)
			if err != nil {
				return err
			}
			return expect("paymentsBlocked", res.Get("/paymentsBlocked"), false)
		}},
		Scenario{Key: sk("updateCryptomusMerchant", 400, "invalidRequest"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Control("PATCH", merchants+"/"+c.NewID(), map[string]any{"paymentsBlocked": "yes"}))
			return err
		}},
		Scenario{Key: sk("updateCryptomusMerchant", 404, "merchantNotFound"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Control("PATCH", merchants+"/"+c.NewID(), map[string]any{"paymentsBlocked": false}))
			return err
		}},
	)

	// setCryptomusInvoiceStatus
	status := func(inv *CryptomusInvoice) string { return "/sandbox/v1/cryptomus/invoices/" + inv.UUID + "/status" }
	withInvoice := func(amount string, run func(c *Ctx, inv *CryptomusInvoice) error) func(c *Ctx) error {
		return func(c *Ctx) error {
			m, err := c.NewCryptomusMerchant(MerchantOptions{}) // paying changes its balance
			if err != nil {
				return err
			}
			inv, err := c.NewCryptomusInvoice(m, amount, "USDT", nil)
			if err != nil {
				return err
			}
			return run(c, inv)
		}
	}
	fromBody := func(example string) func(c *Ctx, inv *CryptomusInvoice) error {
		return func(c *Ctx, inv *CryptomusInvoice) error {
			body, err := c.RequestExample("sandbox", "setCryptomusInvoiceStatus", example)
			if err != nil {
				return err
			}
			res, err := c.Send(c.Control("POST", status(inv), body))
			if err != nil {
				return err
			}
			if err := expect("uuid", res.Get("/uuid"), inv.UUID); err != nil {
				return err
			}
			return expect("order_id", res.Get("/order_id"), inv.OrderID)
		}
	}
	statusFields := []string{"/status", "/payment_amount", "/is_final"}
	send := func(body map[string]any) func(c *Ctx, inv *CryptomusInvoice) error {
		return func(c *Ctx, inv *CryptomusInvoice) error {
			_, err := c.Send(c.Control("POST", status(inv), body))
			return err
		}
	}
	Register(
		Scenario{Key: sk("setCryptomusInvoiceStatus", 200, "paid"), Equal: statusFields, Run: withInvoice("10.28", fromBody("paidInFull"))},
		Scenario{Key: sk("setCryptomusInvoiceStatus", 200, "canceled"), Equal: statusFields, Run: withInvoice("10.28", fromBody("cancel"))},
		Scenario{Key: sk("setCryptomusInvoiceStatus", 400, "amountOutOfRange"), Equal: controlErrorFields,
			Run: withInvoice("10.28", send(map[string]any{"status": "paid", "paymentAmount": "5.00"}))},
		Scenario{Key: sk("setCryptomusInvoiceStatus", 400, "missingAmount"), Equal: controlErrorFields,
			Run: withInvoice("10.28", send(map[string]any{"status": "paid_over"}))},
		Scenario{Key: sk("setCryptomusInvoiceStatus", 404, "invoiceNotFound"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Control("POST", status(&CryptomusInvoice{UUID: c.NewID()}), map[string]any{"status": "paid"}))
			return err
		}},
		Scenario{Key: sk("setCryptomusInvoiceStatus", 409, "finalStatus"), Equal: controlErrorFields, Run: withInvoice("10.28", func(c *Ctx, inv *CryptomusInvoice) error {
			if _, err := c.SetInvoiceStatus(inv, map[string]any{"status": "paid"}); err != nil {
				return err
			}
			_, err := c.Send(c.Control("POST", status(inv), map[string]any{"status": "cancel"}))
			return err
		})},
		Scenario{Key: sk("setCryptomusInvoiceStatus", 409, "notRefunding"), Equal: controlErrorFields,
			Run: withInvoice("10.28", send(map[string]any{"status": "refund_paid"}))},
	)
}
