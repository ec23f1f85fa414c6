package conformance

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// Scenarios of openapi/yookassa.yaml (the emulated YooKassa API v3) and of
// the YooKassa part of the control API (the payer's confirm and cancel).

// The YooKassa default shop every paysandbox has (design §2).
const (
	DefaultYooKassaShop   = "100500"
	DefaultYooKassaSecret = "test_sandbox_secret"
)

func yk(op string, status int, example string) Key {
	return Key{API: "yookassa", OperationID: op, Status: status, Example: example, MediaType: "application/json"}
}

// ykErrorFields are the deterministic fields of YooKassa's error object
// (the id is the request's own).
var ykErrorFields = []string{"/type", "/code", "/description", "/parameter"}

// ykCodeOf is YooKassa's error code for each status it documents.
var ykCodeOf = map[int]string{400: "invalid_request", 401: "invalid_credentials", 403: "forbidden", 404: "not_found",
	405: "invalid_request", 413: "invalid_request", 429: "too_many_requests", 500: "internal_server_error"}

func init() {
	registerProfile("yookassa", &apiProfile{
		validationStatus: http.StatusBadRequest,
		validationError: func(body any) error {
			return expect("code", mustLookup(body, "/code"), "invalid_request")
		},
		credentials: func(c *Ctx, op *operation, r *Request) {
			r.Basic(DefaultYooKassaShop, DefaultYooKassaSecret)
			if op.method == http.MethodPost && r.Header.Get("Idempotence-Key") == "" {
				r.Set("Idempotence-Key", c.NewID())
			}
		},
		invariants: func(req *Request, resp *Response) []string {
			if resp.Status < 400 {
				return nil
			}
			var problems []string
			if got := mustLookup(resp.Value, "/type"); got != "error" {
				problems = append(problems, fmt.Sprintf("type is %s, want \"error\"", show(got)))
			}
			if id, _ := mustLookup(resp.Value, "/id").(string); id == "" {
				problems = append(problems, "the error object has no id")
			}
			if want, ok := ykCodeOf[resp.Status]; ok {
				if got := mustLookup(resp.Value, "/code"); got != want {
					problems = append(problems, fmt.Sprintf("code is %s for status %d, want %q", show(got), resp.Status, want))
				}
			}
			return problems
		},
	})
}

// Basic sets HTTP Basic credentials.
func (r *Request) Basic(user, password string) *Request {
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(user+":"+password)))
	return r
}

// YooKassa builds a request of the YooKassa API as the default shop; a POST
// gets a fresh Idempotence-Key.
func (c *Ctx) YooKassa(method, path string, body any) *Request {
	r := NewRequest("yookassa", method, "/yookassa/v3"+path, body).Basic(DefaultYooKassaShop, DefaultYooKassaSecret)
	if method == http.MethodPost {
		r.Set("Idempotence-Key", c.NewID())
	}
	return r
}

// YooKassaPayment is what a scenario asks of a new payment.
type YooKassaPayment struct {
	Amount      string // "100.00"
	Capture     bool
	Redirect    bool // confirmation redirect (else embedded)
	Description string
	Metadata    map[string]any
}

// NewYooKassaPayment creates a pending payment and returns its id.
func (c *Ctx) NewYooKassaPayment(p YooKassaPayment) (string, error) {
	body := map[string]any{"amount": map[string]any{"value": p.Amount, "currency": "RUB"}, "capture": p.Capture,
		"confirmation": map[string]any{"type": "embedded"}}
	if p.Redirect {
		body["confirmation"] = map[string]any{"type": "redirect", "return_url": "https://shop.example/return"}
	}
	if p.Description != "" {
		body["description"] = p.Description
	}
	if p.Metadata != nil {
		body["metadata"] = p.Metadata
	}
	res, err := c.Call(c.YooKassa("POST", "/payments", body), http.StatusOK)
	if err != nil {
		return "", err
	}
	return res.Str("/id"), nil
}

// PayYooKassa is the payer confirming a payment (control API).
func (c *Ctx) PayYooKassa(id string) error {
	_, err := c.Call(c.Control("POST", "/sandbox/v1/yookassa/payments/"+id+"/confirm", nil), http.StatusOK)
	return err
}

// PaidYooKassaPayment creates a payment and has the payer confirm it.
func (c *Ctx) PaidYooKassaPayment(p YooKassaPayment) (string, error) {
	id, err := c.NewYooKassaPayment(p)
	if err != nil {
		return "", err
	}
	return id, c.PayYooKassa(id)
}

// NewYooKassaRefund refunds amount of a payment and returns the refund's id.
func (c *Ctx) NewYooKassaRefund(paymentID, amount, description string) (string, error) {
	body := map[string]any{"payment_id": paymentID, "amount": map[string]any{"value": amount, "currency": "RUB"}}
	if description != "" {
		body["description"] = description
	}
	res, err := c.Call(c.YooKassa("POST", "/refunds", body), http.StatusOK)
	if err != nil {
		return "", err
	}
	return res.Str("/id"), nil
}

const (
	unknownPaymentID = "2f8e6c1a-000f-5000-9000-000000000000"
	unknownRefundID  = "2f8e6d4b-0015-5000-8000-000000000000"
)

// ykBody is a request example of yookassa.yaml with changes at pointers.
func ykBody(c *Ctx, op, example string, set map[string]any) (map[string]any, error) {
	body, err := c.RequestExample("yookassa", op, example)
	if err != nil {
		return nil, err
	}
	for p, v := range set {
		Put(body, p, v)
	}
	return body, nil
}

// ykCommon are the 401 and 500 examples of an operation: wrong
// credentials (and none at all), and an armed fault.
func ykCommon(op string, build reqFunc) []Scenario {
	return []Scenario{
		{Key: yk(op, 401, "invalidCredentials"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			if err := sendBuilt(c, build, func(r *Request) { r.Basic(DefaultYooKassaShop, "wrong-secret") }); err != nil {
				return fmt.Errorf("a wrong secret key: %w", err)
			}
			if err := sendBuilt(c, build, func(r *Request) { r.Header.Del("Authorization") }); err != nil {
				return fmt.Errorf("no credentials: %w", err)
			}
			return nil
		}},
		{Key: yk(op, 500, "internalServerError"), Equal: []string{"/type", "/code", "/description"}, Exclusive: true, Run: func(c *Ctx) error {
			if err := c.ArmFault("yookassa", op, 500); err != nil {
				return err
			}
			return sendBuilt(c, build, nil)
		}},
	}
}

// ykPaymentFields are a payment's deterministic fields.
func ykPaymentFields(extra ...string) []string {
	return append([]string{"/status", "/paid", "/amount", "/recipient", "/test", "/refundable", "/metadata"}, extra...)
}

// noConfirmation: YooKassa shows the confirmation only while the payment is pending.
func noConfirmation(res *Response) error {
	if _, ok := lookup(res.Value, "/confirmation"); ok {
		return fmt.Errorf("a %s payment shows its confirmation", res.Str("/status"))
	}
	return nil
}

func init() {
	// --- createPayment ---
	createValid := func(c *Ctx) (*Request, error) {
		body, err := ykBody(c, "createPayment", "embedded", nil)
		return c.YooKassa("POST", "/payments", body), err
	}
	Register(
		Scenario{Key: yk("createPayment", 200, "embedded"), Equal: ykPaymentFields("/description", "/confirmation/type"), Run: func(c *Ctx) error {
			req, err := createValid(c)
			if err != nil {
				return err
			}
			res, err := c.Send(req)
			if err != nil {
				return err
			}
			return expect("confirmation_token", res.Get("/confirmation/confirmation_token"), "ct-"+res.Str("/id"))
		}},
		Scenario{Key: yk("createPayment", 200, "redirect"), Equal: ykPaymentFields("/description", "/confirmation/type", "/confirmation/return_url"), Run: func(c *Ctx) error {
			body, err := ykBody(c, "createPayment", "redirect", nil)
			if err != nil {
				return err
			}
			res, err := c.Send(c.YooKassa("POST", "/payments", body))
			if err != nil {
				return err
			}
			if u := res.Str("/confirmation/confirmation_url"); !strings.HasSuffix(u, "/sandbox/v1/yookassa/confirm/"+res.Str("/id")) {
				return fmt.Errorf("confirmation_url %q does not name the payment's confirmation page", u)
			}
			return nil
		}},
		Scenario{Key: yk("createPayment", 400, "missingAmount"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			body, err := ykBody(c, "createPayment", "embedded", nil)
			if err != nil {
				return err
			}
			delete(body, "amount")
			_, err = c.Send(c.YooKassa("POST", "/payments", body))
			return err
		}},
		Scenario{Key: yk("createPayment", 400, "idempotenceKeyMissing"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			req, err := createValid(c)
			if err != nil {
				return err
			}
			req.Header.Del("Idempotence-Key")
			_, err = c.Send(req)
			return err
		}},
		Scenario{Key: yk("createPayment", 400, "idempotenceKeyDuplicated"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			req, err := createValid(c)
			if err != nil {
				return err
			}
			first, err := c.Call(req, http.StatusOK)
			if err != nil {
				return err
			}
			// The same key and body: the stored answer, byte for byte.
			again, err := c.Call(req, http.StatusOK)
			if err != nil {
				return err
			}
			if string(again.Body) != string(first.Body) {
				return fmt.Errorf("a repeat with the same Idempotence-Key answers another body:\n%s\n%s", first.Body, again.Body)
			}
			// The same key, another body.
			Put(req.Body, "/amount/value", "101.00")
			_, err = c.Send(req)
			return err
		}},
	)
	Register(ykCommon("createPayment", createValid)...)

	// --- getPayment ---
	getUnknown := func(c *Ctx) (*Request, error) { return c.YooKassa("GET", "/payments/"+unknownPaymentID, nil), nil }
	Register(
		Scenario{Key: yk("getPayment", 200, "succeeded"), Equal: ykPaymentFields("/description", "/income_amount", "/refunded_amount"), Run: func(c *Ctx) error {
			id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true, Description: "Заказ №1001"})
			if err != nil {
				return err
			}
			if _, err := c.NewYooKassaRefund(id, "40.00", ""); err != nil {
				return err
			}
			res, err := c.Send(c.YooKassa("GET", "/payments/"+id, nil))
			if err != nil {
				return err
			}
			return noConfirmation(res)
		}},
		Scenario{Key: yk("getPayment", 200, "waitingForCapture"), Equal: ykPaymentFields("/description"), Run: func(c *Ctx) error {
			id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "2.00", Redirect: true, Description: "Заказ №72", Metadata: map[string]any{"order_id": "72"}})
			if err != nil {
				return err
			}
			res, err := c.Send(c.YooKassa("GET", "/payments/"+id, nil))
			if err != nil {
				return err
			}
			if res.Str("/expires_at") == "" {
				return fmt.Errorf("a waiting_for_capture payment has no expires_at")
			}
			return noConfirmation(res)
		}},
		Scenario{Key: yk("getPayment", 200, "canceled"), Equal: ykPaymentFields("/cancellation_details"), Run: func(c *Ctx) error {
			id, err := c.NewYooKassaPayment(YooKassaPayment{Amount: "15.00"})
			if err != nil {
				return err
			}
			if _, err := c.Call(c.Control("POST", "/sandbox/v1/yookassa/payments/"+id+"/cancel", nil), http.StatusOK); err != nil {
				return err
			}
			res, err := c.Send(c.YooKassa("GET", "/payments/"+id, nil))
			if err != nil {
				return err
			}
			return noConfirmation(res)
		}},
		Scenario{Key: yk("getPayment", 404, "paymentNotFound"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			return sendBuilt(c, getUnknown, nil)
		}},
	)
	Register(ykCommon("getPayment", getUnknown)...)

	// --- capturePayment ---
	captureUnknown := func(c *Ctx) (*Request, error) {
		return c.YooKassa("POST", "/payments/"+unknownPaymentID+"/capture", map[string]any{}), nil
	}
	held := func(c *Ctx) (string, error) {
		return c.PaidYooKassaPayment(YooKassaPayment{Amount: "2.00", Redirect: true, Description: "Заказ №72", Metadata: map[string]any{"order_id": "72"}})
	}
	Register(
		Scenario{Key: yk("capturePayment", 200, "captured"), Equal: ykPaymentFields("/description", "/income_amount"), Run: func(c *Ctx) error {
			id, err := held(c)
			if err != nil {
				return err
			}
			body, err := ykBody(c, "capturePayment", "partial", nil)
			if err != nil {
				return err
			}
			res, err := c.Send(c.YooKassa("POST", "/payments/"+id+"/capture", body))
			if err != nil {
				return err
			}
			return noConfirmation(res)
		}},
		Scenario{Key: yk("capturePayment", 400, "wrongStatus"), Equal: []string{"/type", "/code", "/parameter"}, Run: func(c *Ctx) error {
			id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "2.00", Capture: true})
			if err != nil {
				return err
			}
			_, err = c.Send(c.YooKassa("POST", "/payments/"+id+"/capture", map[string]any{}))
			return err
		}},
		Scenario{Key: yk("capturePayment", 400, "amountTooLarge"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			id, err := held(c)
			if err != nil {
				return err
			}
			body, err := ykBody(c, "capturePayment", "partial", map[string]any{"/amount/value": "3.00"})
			if err != nil {
				return err
			}
			_, err = c.Send(c.YooKassa("POST", "/payments/"+id+"/capture", body))
			return err
		}},
		Scenario{Key: yk("capturePayment", 404, "paymentNotFound"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			return sendBuilt(c, captureUnknown, nil)
		}},
	)
	Register(ykCommon("capturePayment", captureUnknown)...)

	// --- cancelPayment ---
	cancelUnknown := func(c *Ctx) (*Request, error) {
		return c.YooKassa("POST", "/payments/"+unknownPaymentID+"/cancel", nil), nil
	}
	Register(
		Scenario{Key: yk("cancelPayment", 200, "canceled"), Equal: ykPaymentFields("/description", "/cancellation_details"), Run: func(c *Ctx) error {
			id, err := held(c)
			if err != nil {
				return err
			}
			res, err := c.Send(c.YooKassa("POST", "/payments/"+id+"/cancel", nil))
			if err != nil {
				return err
			}
			return noConfirmation(res)
		}},
		Scenario{Key: yk("cancelPayment", 400, "wrongStatus"), Equal: []string{"/type", "/code", "/parameter"}, Run: func(c *Ctx) error {
			id, err := c.NewYooKassaPayment(YooKassaPayment{Amount: "2.00"})
			if err != nil {
				return err
			}
			_, err = c.Send(c.YooKassa("POST", "/payments/"+id+"/cancel", nil))
			return err
		}},
		Scenario{Key: yk("cancelPayment", 400, "idempotenceKeyDuplicated"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			// The key of a payment's creation, used again to cancel it.
			create, err := createValid(c)
			if err != nil {
				return err
			}
			res, err := c.Call(create, http.StatusOK)
			if err != nil {
				return err
			}
			cancel := c.YooKassa("POST", "/payments/"+res.Str("/id")+"/cancel", nil)
			cancel.Set("Idempotence-Key", create.Header.Get("Idempotence-Key"))
			_, err = c.Send(cancel)
			return err
		}},
		Scenario{Key: yk("cancelPayment", 404, "paymentNotFound"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			return sendBuilt(c, cancelUnknown, nil)
		}},
	)
	Register(ykCommon("cancelPayment", cancelUnknown)...)

	// --- createRefund ---
	refundOf := func(c *Ctx, paymentID string, amount string) (*Request, error) {
		body, err := ykBody(c, "createRefund", "partial", map[string]any{"/payment_id": paymentID, "/amount/value": amount})
		return c.YooKassa("POST", "/refunds", body), err
	}
	refundUnknown := func(c *Ctx) (*Request, error) { return refundOf(c, unknownPaymentID, "40.00") }
	Register(
		Scenario{Key: yk("createRefund", 200, "succeeded"), Equal: []string{"/status", "/amount", "/description"}, Run: func(c *Ctx) error {
			id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
			if err != nil {
				return err
			}
			req, err := refundOf(c, id, "40.00")
			if err != nil {
				return err
			}
			res, err := c.Send(req)
			if err != nil {
				return err
			}
			return expect("payment_id", res.Get("/payment_id"), id)
		}},
		Scenario{Key: yk("createRefund", 400, "amountTooLarge"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
			if err != nil {
				return err
			}
			if _, err := c.NewYooKassaRefund(id, "40.00", ""); err != nil {
				return err
			}
			req, err := refundOf(c, id, "120.00")
			if err != nil {
				return err
			}
			_, err = c.Send(req)
			return err
		}},
		Scenario{Key: yk("createRefund", 400, "paymentNotSucceeded"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			id, err := c.NewYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
			if err != nil {
				return err
			}
			req, err := refundOf(c, id, "40.00")
			if err != nil {
				return err
			}
			_, err = c.Send(req)
			return err
		}},
		Scenario{Key: yk("createRefund", 400, "missingPaymentId"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			req, err := refundUnknown(c)
			if err != nil {
				return err
			}
			delete(req.Body.(map[string]any), "payment_id")
			_, err = c.Send(req)
			return err
		}},
		Scenario{Key: yk("createRefund", 404, "paymentNotFound"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			return sendBuilt(c, refundUnknown, nil)
		}},
	)
	Register(ykCommon("createRefund", refundUnknown)...)

	// --- getRefund ---
	getRefundUnknown := func(c *Ctx) (*Request, error) { return c.YooKassa("GET", "/refunds/"+unknownRefundID, nil), nil }
	Register(
		Scenario{Key: yk("getRefund", 200, "succeeded"), Equal: []string{"/status", "/amount", "/description"}, Run: func(c *Ctx) error {
			id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
			if err != nil {
				return err
			}
			refund, err := c.NewYooKassaRefund(id, "40.00", "Возврат по заказу №1001")
			if err != nil {
				return err
			}
			res, err := c.Send(c.YooKassa("GET", "/refunds/"+refund, nil))
			if err != nil {
				return err
			}
			return expect("payment_id", res.Get("/payment_id"), id)
		}},
		Scenario{Key: yk("getRefund", 404, "refundNotFound"), Equal: ykErrorFields, Run: func(c *Ctx) error {
			return sendBuilt(c, getRefundUnknown, nil)
		}},
	)
	Register(ykCommon("getRefund", getRefundUnknown)...)

	// --- the payer, through the control API ---
	payer := func(id, action string) *Request {
		return NewRequest("sandbox", "POST", "/sandbox/v1/yookassa/payments/"+id+"/"+action, nil)
	}
	Register(
		Scenario{Key: sk("confirmYooKassaPayment", 200, "succeeded"), Equal: []string{"/status", "/paid"}, Run: func(c *Ctx) error {
			id, err := c.NewYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
			if err != nil {
				return err
			}
			if _, err := c.Send(payer(id, "confirm")); err != nil {
				return err
			}
			res, err := c.Call(c.YooKassa("GET", "/payments/"+id, nil), http.StatusOK)
			if err != nil {
				return err
			}
			return expect("the payment's status", res.Get("/status"), "succeeded")
		}},
		Scenario{Key: sk("confirmYooKassaPayment", 200, "waitingForCapture"), Equal: []string{"/status", "/paid"}, Run: func(c *Ctx) error {
			id, err := c.NewYooKassaPayment(YooKassaPayment{Amount: "2.00"})
			if err != nil {
				return err
			}
			_, err = c.Send(payer(id, "confirm"))
			return err
		}},
		Scenario{Key: sk("confirmYooKassaPayment", 404, "paymentNotFound"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(payer(unknownPaymentID, "confirm"))
			return err
		}},
		Scenario{Key: sk("confirmYooKassaPayment", 409, "notPending"), Equal: []string{"/error/code", "/error/message"}, Run: func(c *Ctx) error {
			id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
			if err != nil {
				return err
			}
			_, err = c.Send(payer(id, "confirm"))
			return err
		}},
		Scenario{Key: sk("cancelYooKassaPayment", 200, "canceled"), Equal: []string{"/status", "/paid", "/cancellation_details"}, Run: func(c *Ctx) error {
			id, err := c.NewYooKassaPayment(YooKassaPayment{Amount: "15.00"})
			if err != nil {
				return err
			}
			_, err = c.Send(payer(id, "cancel"))
			return err
		}},
		Scenario{Key: sk("cancelYooKassaPayment", 404, "paymentNotFound"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(payer(unknownPaymentID, "cancel"))
			return err
		}},
		Scenario{Key: sk("cancelYooKassaPayment", 409, "notPending"), Equal: []string{"/error/code", "/error/message"}, Run: func(c *Ctx) error {
			id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "2.00"})
			if err != nil {
				return err
			}
			_, err = c.Send(payer(id, "cancel"))
			return err
		}},
	)
}
