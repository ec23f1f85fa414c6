package conformance

import (
	"fmt"
	"math/big"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Lifecycle checks of Cryptomus, YooKassa and LCManager PaymentCommit, the
// counterpart of lifecycle.go's Medusa checks: what is created is readable,
// every change is allowed exactly where the spec says and refused (changing
// nothing) elsewhere, and a repeated step is refused. Every check works on
// resources of its own (fresh ids, and a Cryptomus merchant of its own
// wherever a wallet moves), so the suite can run again and again against a
// server others use.

func providerLifecycleChecks() []Check {
	var out []Check
	out = append(out, cryptomusLifecycleChecks()...)
	out = append(out, yookassaLifecycleChecks()...)
	out = append(out, lcmanagerLifecycleChecks()...)
	return out
}

// sameOrDiff returns an error naming the first differences when got is not want.
func sameOrDiff(what string, before, after any) error {
	if reflect.DeepEqual(before, after) {
		return nil
	}
	return fmt.Errorf("%s changed: %s", what, diffSummary(before, after))
}

// decimalEqual compares two decimal strings by value ("10.28" = "10.28000000").
func decimalEqual(a, b string) bool {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && x.Cmp(y) == 0
}

// ===================== Cryptomus =====================

// The statuses of cryptomus.yaml's status table, every one reachable.
var cryptomusAllStatuses = []string{"check", "process", "confirm_check", "paid", "paid_over", "wrong_amount",
	"wrong_amount_waiting", "cancel", "fail", "system_fail", "locked", "refund_process", "refund_paid", "refund_fail"}

// cryptomusPayerStatuses are the payer's results setCryptomusInvoiceStatus
// takes; with refund_paid and refund_fail they are its whole enum.
var cryptomusPayerStatuses = []string{"process", "confirm_check", "paid", "paid_over", "wrong_amount",
	"wrong_amount_waiting", "cancel", "fail", "system_fail", "locked"}

var cryptomusTargets = append(append([]string(nil), cryptomusPayerStatuses...), "refund_paid", "refund_fail")

// cryptomusFinal is is_final of cryptomus.yaml's status table.
var cryptomusFinal = map[string]bool{"paid": true, "paid_over": true, "wrong_amount": true, "cancel": true,
	"fail": true, "system_fail": true, "locked": true, "refund_paid": true, "refund_fail": true}

// cryptomusTransition is the transition table of setCryptomusInvoiceStatus
// (sandbox.yaml, "The transition table"): "allowed" for a move the table
// lists, "refused" (409 invalid_state, nothing changed) for every other one.
// check (the status an invoice starts in) takes every payer status; process
// and confirm_check (a payment under way) take every outcome of the payment
// (paid, paid_over, wrong_amount, wrong_amount_waiting, fail, system_fail,
// locked) but not each other nor cancel; wrong_amount_waiting takes paid,
// paid_over, wrong_amount and cancel; refund_process takes refund_paid and
// refund_fail. The final statuses of cryptomus.yaml's status table (locked
// among them) take nothing.
func cryptomusTransition(from, to string) string {
	outcomes := []string{"paid", "paid_over", "wrong_amount", "wrong_amount_waiting", "fail", "system_fail", "locked"}
	table := map[string][]string{
		"check":                cryptomusPayerStatuses,
		"process":              outcomes,
		"confirm_check":        outcomes,
		"wrong_amount_waiting": {"paid", "paid_over", "wrong_amount", "cancel"},
		"refund_process":       {"refund_paid", "refund_fail"},
	}
	if slices.Contains(table[from], to) {
		return "allowed"
	}
	return "refused"
}

// cryptomusStatusBody is a valid request for status to on a 10.28 invoice
// (one whose payment so far, if any, is 5.00): the amount fits the status,
// so only the transition itself can be refused.
func cryptomusStatusBody(to string) map[string]any {
	body := map[string]any{"status": to}
	switch to {
	case "paid_over":
		body["paymentAmount"] = "11.00"
	case "wrong_amount", "wrong_amount_waiting":
		body["paymentAmount"] = "6.00"
	}
	return body
}

// cryptomusInvoiceIn creates, on a merchant of its own, a 10.28 USDT invoice
// and brings it to status.
func (c *Ctx) cryptomusInvoiceIn(status string) (*CryptomusInvoice, error) {
	m, err := c.NewCryptomusMerchant(MerchantOptions{})
	if err != nil {
		return nil, err
	}
	inv, err := c.NewCryptomusInvoice(m, "10.28", "USDT", nil)
	if err != nil {
		return nil, err
	}
	set := func(body map[string]any) error {
		if _, err := c.SetInvoiceStatus(inv, body); err != nil {
			return fmt.Errorf("bringing the invoice to %s: %w", status, err)
		}
		return nil
	}
	switch status {
	case "check":
	case "wrong_amount", "wrong_amount_waiting":
		err = set(map[string]any{"status": status, "paymentAmount": "5.00"})
	case "refund_process", "refund_paid", "refund_fail":
		if err = set(map[string]any{"status": "paid"}); err != nil {
			break
		}
		if err = c.cryptomusRefund(inv); err != nil {
			break
		}
		if status != "refund_process" {
			err = set(map[string]any{"status": status})
		}
	default:
		err = set(cryptomusStatusBody(status))
	}
	if err != nil {
		return nil, err
	}
	got, err := c.InvoiceStatus(inv)
	if err != nil {
		return nil, err
	}
	if got != status {
		return nil, fmt.Errorf("the invoice brought to %s reads %s", status, got)
	}
	return inv, nil
}

// cryptomusRefund refunds a completed invoice with the seed's request.
func (c *Ctx) cryptomusRefund(inv *CryptomusInvoice) error {
	body, err := c.refundBody(inv)
	if err != nil {
		return err
	}
	res, err := c.Call(c.Cryptomus(inv.Merchant, "/v1/payment/refund", body), http.StatusOK)
	if err != nil {
		return err
	}
	return expect("the refund's answer", res.Value, map[string]any{"state": 0.0, "result": []any{}})
}

// cryptomusInfo is an invoice's whole result through /v1/payment/info by uuid.
func (c *Ctx) cryptomusInfo(inv *CryptomusInvoice) (map[string]any, error) {
	res, err := c.Call(c.Cryptomus(inv.Merchant, "/v1/payment/info", map[string]any{"uuid": inv.UUID}), http.StatusOK)
	if err != nil {
		return nil, err
	}
	r, ok := res.Get("/result").(map[string]any)
	if !ok {
		return nil, fmt.Errorf("payment/info has no result object: %s", res)
	}
	return r, nil
}

// cryptomusMerchantView is the merchant (its wallets) through the control API.
func (c *Ctx) cryptomusMerchantView(m *CryptomusMerchant) (any, error) {
	res, err := c.Call(c.Control("GET", "/sandbox/v1/cryptomus/merchants/"+m.UUID, nil), http.StatusOK)
	if err != nil {
		return nil, err
	}
	return res.Value, nil
}

// cryptomusWallet is the balance of a merchant's wallet of currency.
func cryptomusWallet(view any, currency string) (string, error) {
	list, _ := mustLookup(view, "/wallets").([]any)
	for _, w := range list {
		if mustLookup(w, "/currency") == currency {
			s, _ := mustLookup(w, "/balance").(string)
			return s, nil
		}
	}
	return "", fmt.Errorf("the merchant has no %s wallet: %s", currency, show(view))
}

// cryptomusUnchanged runs action and checks that the invoice (its whole
// payment/info result) and its merchant's wallets are the same after.
func (c *Ctx) cryptomusUnchanged(inv *CryptomusInvoice, action func() error) error {
	before, err := c.cryptomusInfo(inv)
	if err != nil {
		return err
	}
	mBefore, err := c.cryptomusMerchantView(inv.Merchant)
	if err != nil {
		return err
	}
	if err := action(); err != nil {
		return err
	}
	after, err := c.cryptomusInfo(inv)
	if err != nil {
		return err
	}
	mAfter, err := c.cryptomusMerchantView(inv.Merchant)
	if err != nil {
		return err
	}
	var diffs []string
	if err := sameOrDiff("the invoice", before, after); err != nil {
		diffs = append(diffs, err.Error())
	}
	if err := sameOrDiff("the merchant", mBefore, mAfter); err != nil {
		diffs = append(diffs, err.Error())
	}
	if len(diffs) > 0 {
		return fmt.Errorf("a refused request changed state:\n  %s", strings.Join(diffs, "\n  "))
	}
	return nil
}

// cryptomusStatusRequest is the control API call moving inv to status to.
func (c *Ctx) cryptomusStatusRequest(inv *CryptomusInvoice, to string) *Request {
	return c.Control("POST", "/sandbox/v1/cryptomus/invoices/"+inv.UUID+"/status", cryptomusStatusBody(to))
}

// cryptomusMove tries from → to and checks the answer: allowed moves read
// back with the new status, refused ones are 409 invalid_state and change
// nothing.
func cryptomusMove(c *Ctx, from, to, verdict string) error {
	inv, err := c.cryptomusInvoiceIn(from)
	if err != nil {
		return err
	}
	if verdict == "refused" {
		return c.cryptomusUnchanged(inv, func() error {
			res, err := c.Call(c.cryptomusStatusRequest(inv, to), http.StatusConflict)
			if err != nil {
				return err
			}
			return expect("error.code", res.Get("/error/code"), "invalid_state")
		})
	}
	res, err := c.Call(c.cryptomusStatusRequest(inv, to), http.StatusOK)
	if err != nil {
		return err
	}
	return cryptomusAllowedAfter(c, inv, from, to, res)
}

// cryptomusAllowedAfter checks the answer of an allowed move and that the
// invoice reads back with it.
func cryptomusAllowedAfter(c *Ctx, inv *CryptomusInvoice, from, to string, res *Response) error {
	for ptr, want := range map[string]any{"/uuid": inv.UUID, "/order_id": inv.OrderID, "/status": to, "/is_final": cryptomusFinal[to]} {
		if err := expect("the answer's "+strings.TrimPrefix(ptr, "/"), res.Get(ptr), want); err != nil {
			return fmt.Errorf("%s → %s: %w", from, to, err)
		}
	}
	info, err := c.cryptomusInfo(inv)
	if err != nil {
		return err
	}
	for ptr, want := range map[string]any{"/status": to, "/payment_status": to, "/is_final": cryptomusFinal[to],
		"/payment_amount": res.Get("/payment_amount")} {
		if err := expect("payment/info "+strings.TrimPrefix(ptr, "/")+" after "+from+" → "+to, mustLookup(info, ptr), want); err != nil {
			return err
		}
	}
	if amount, ok := cryptomusStatusBody(to)["paymentAmount"].(string); ok {
		got, _ := mustLookup(info, "/payment_amount").(string)
		if !decimalEqual(got, amount) {
			return fmt.Errorf("payment/info payment_amount after %s → %s is %s, want %s", from, to, show(mustLookup(info, "/payment_amount")), amount)
		}
	}
	return nil
}

func cryptomusLifecycleChecks() []Check {
	var out []Check
	add := func(name string, run func(c *Ctx) error) {
		out = append(out, Check{Name: "lifecycle/cryptomus/" + name, run: run})
	}

	add("invoice/created-is-readable-by-uuid-and-order_id", cryptomusReadable)
	add("invoice/repeated-create-returns-the-same-invoice", cryptomusRepeatedCreate)

	// The payer's transition matrix: every status × every target.
	for _, from := range cryptomusAllStatuses {
		for _, to := range cryptomusTargets {
			from, to := from, to
			verdict := cryptomusTransition(from, to)
			add(fmt.Sprintf("status/%s/%s/%s", from, to, verdict), func(c *Ctx) error {
				return cryptomusMove(c, from, to, verdict)
			})
		}
	}

	// A refund in every status that is not completed.
	for _, st := range cryptomusAllStatuses {
		if st == "paid" || st == "paid_over" {
			continue
		}
		st := st
		add("refund/"+st+"/refused", func(c *Ctx) error {
			inv, err := c.cryptomusInvoiceIn(st)
			if err != nil {
				return err
			}
			return cryptomusRefundRefused(c, inv)
		})
	}
	for _, st := range []string{"paid", "paid_over"} {
		st := st
		add("refund/"+st+"/repeated-refused", func(c *Ctx) error {
			inv, err := c.cryptomusInvoiceIn(st)
			if err != nil {
				return err
			}
			if err := c.cryptomusRefund(inv); err != nil {
				return fmt.Errorf("the first refund: %w", err)
			}
			if s, err := c.InvoiceStatus(inv); err != nil {
				return err
			} else if s != "refund_process" {
				return fmt.Errorf("the invoice is %s after a refund, want refund_process", s)
			}
			return cryptomusRefundRefused(c, inv)
		})
	}
	add("refund/refund_fail-gives-the-wallet-its-money-back", cryptomusRefundFailWallet)
	return out
}

// cryptomusRefundRefused: the seed's refund request is refused with
// Cryptomus's message and changes neither the invoice nor the wallets.
func cryptomusRefundRefused(c *Ctx, inv *CryptomusInvoice) error {
	body, err := c.refundBody(inv)
	if err != nil {
		return err
	}
	return c.cryptomusUnchanged(inv, func() error {
		res, err := c.Call(c.Cryptomus(inv.Merchant, "/v1/payment/refund", body), http.StatusUnprocessableEntity)
		if err != nil {
			return err
		}
		return expect("the refund's answer", res.Value, map[string]any{"state": 1.0, "message": "Refunds are made only for completed payments"})
	})
}

// cryptomusReadable: the full request example, created with a fresh
// order_id, reads back the same by uuid and by order_id, with what was sent.
func cryptomusReadable(c *Ctx) error {
	body, err := c.RequestExample("cryptomus", "createInvoice", "full")
	if err != nil {
		return err
	}
	body["order_id"] = c.Unique("conformance_")
	created, err := c.Call(c.Cryptomus(DefaultMerchant, "/v1/payment", body), http.StatusOK)
	if err != nil {
		return err
	}
	result, ok := created.Get("/result").(map[string]any)
	if !ok {
		return fmt.Errorf("createInvoice has no result object: %s", created)
	}
	uuid, _ := result["uuid"].(string)
	for ptr, want := range map[string]any{"/order_id": body["order_id"], "/amount": body["amount"], "/currency": body["currency"],
		"/network": body["network"], "/additional_data": body["additional_data"], "/status": "check",
		"/payment_status": "check", "/is_final": false} {
		if err := expect("the created invoice's "+strings.TrimPrefix(ptr, "/"), mustLookup(result, ptr), want); err != nil {
			return err
		}
	}
	created2, err := time.Parse(time.RFC3339, fmt.Sprint(result["created_at"]))
	if err != nil {
		return fmt.Errorf("created_at %s: %w", show(result["created_at"]), err)
	}
	expires, _ := result["expired_at"].(float64)
	if lifetime := int64(expires) - created2.Unix(); lifetime < 7199 || lifetime > 7201 {
		return fmt.Errorf("expired_at is %d s after created_at, want the lifetime 7200", lifetime)
	}
	for _, by := range []map[string]any{{"uuid": uuid}, {"order_id": body["order_id"]}} {
		res, err := c.Call(c.Cryptomus(DefaultMerchant, "/v1/payment/info", by), http.StatusOK)
		if err != nil {
			return err
		}
		if err := sameOrDiff(fmt.Sprintf("payment/info by %s, against the created invoice,", show(by)), result, res.Get("/result")); err != nil {
			return err
		}
	}
	return nil
}

// cryptomusRepeatedCreate: the same order_id again (other fields changed)
// returns the same invoice, unchanged — unpaid and paid.
func cryptomusRepeatedCreate(c *Ctx) error {
	m, err := c.NewCryptomusMerchant(MerchantOptions{})
	if err != nil {
		return err
	}
	inv, err := c.NewCryptomusInvoice(m, "10.28", "USDT", nil)
	if err != nil {
		return err
	}
	again := func(when string) error {
		return c.cryptomusUnchanged(inv, func() error {
			before, err := c.cryptomusInfo(inv)
			if err != nil {
				return err
			}
			res, err := c.Call(c.Cryptomus(m, "/v1/payment", map[string]any{"amount": "99.00", "currency": "BTC", "order_id": inv.OrderID}), http.StatusOK)
			if err != nil {
				return err
			}
			if err := expect("uuid of the repeated create "+when, res.Get("/result/uuid"), inv.UUID); err != nil {
				return err
			}
			return sameOrDiff("the repeated create's answer "+when+", against payment/info,", before, res.Get("/result"))
		})
	}
	if err := again("(unpaid)"); err != nil {
		return err
	}
	if _, err := c.SetInvoiceStatus(inv, map[string]any{"status": "paid"}); err != nil {
		return err
	}
	return again("(paid)")
}

// cryptomusRefundFailWallet follows the wallet through paid → refund →
// refund_fail (back where it was before the refund) and, on a second
// invoice, refund_paid (the refund stays taken).
func cryptomusRefundFailWallet(c *Ctx) error {
	wallet := func(m *CryptomusMerchant) (string, error) {
		v, err := c.cryptomusMerchantView(m)
		if err != nil {
			return "", err
		}
		return cryptomusWallet(v, "USDT")
	}
	for _, end := range []string{"refund_fail", "refund_paid"} {
		inv, err := c.cryptomusInvoiceIn("paid")
		if err != nil {
			return err
		}
		paid, err := wallet(inv.Merchant)
		if err != nil {
			return err
		}
		if !decimalEqual(paid, "10.28") {
			return fmt.Errorf("the USDT wallet of a merchant of its own is %s after a paid 10.28 invoice, want 10.28", paid)
		}
		if err := c.cryptomusRefund(inv); err != nil {
			return err
		}
		// is_subtract "true": 10.28 and the 1 % fee, 0.1028, leave the wallet
		refunding, err := wallet(inv.Merchant)
		if err != nil {
			return err
		}
		if !decimalEqual(refunding, "-0.1028") {
			return fmt.Errorf("the USDT wallet is %s during the refund, want -0.1028 (10.28 − 10.28 − the 1 %% fee)", refunding)
		}
		if _, err := c.SetInvoiceStatus(inv, map[string]any{"status": end}); err != nil {
			return err
		}
		after, err := wallet(inv.Merchant)
		if err != nil {
			return err
		}
		want := paid
		if end == "refund_paid" {
			want = refunding
		}
		if !decimalEqual(after, want) {
			return fmt.Errorf("the USDT wallet is %s after %s, want %s", after, end, want)
		}
	}
	return nil
}

// ===================== YooKassa =====================

// yookassaStates and yookassaActions make the payment matrix; every
// payment is of 100.00 RUB.
var yookassaStates = []string{"pending", "waiting_for_capture", "succeeded", "canceled"}

var yookassaActions = []string{"capture", "cancel", "confirm", "abandon", "refund"}

// yookassaLegal: capture and cancel act on waiting_for_capture payments,
// the payer confirms or abandons pending ones, only succeeded payments are
// refunded (yookassa.yaml, sandbox.yaml).
var yookassaLegal = map[string]string{
	"pending": "confirm abandon", "waiting_for_capture": "capture cancel", "succeeded": "refund", "canceled": "",
}

// yookassaPaymentIn creates a 100.00 payment and brings it to state.
func (c *Ctx) yookassaPaymentIn(state string) (string, error) {
	id, err := c.NewYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: state == "succeeded", Description: "Lifecycle " + state})
	if err != nil {
		return "", err
	}
	switch state {
	case "waiting_for_capture", "succeeded":
		err = c.PayYooKassa(id)
	case "canceled":
		_, err = c.Call(c.Control("POST", "/sandbox/v1/yookassa/payments/"+id+"/cancel", nil), http.StatusOK)
	}
	if err != nil {
		return "", err
	}
	got, err := c.yookassaGet(id)
	if err != nil {
		return "", err
	}
	if s := mustLookup(got, "/status"); s != state {
		return "", fmt.Errorf("the payment brought to %s reads %s", state, show(s))
	}
	return id, nil
}

func (c *Ctx) yookassaGet(id string) (any, error) {
	res, err := c.Call(c.YooKassa("GET", "/payments/"+id, nil), http.StatusOK)
	if err != nil {
		return nil, err
	}
	return res.Value, nil
}

// yookassaUnchanged runs action and checks that the payment reads the same after.
func (c *Ctx) yookassaUnchanged(id string, action func() error) error {
	before, err := c.yookassaGet(id)
	if err != nil {
		return err
	}
	if err := action(); err != nil {
		return err
	}
	after, err := c.yookassaGet(id)
	if err != nil {
		return err
	}
	if err := sameOrDiff("the payment", before, after); err != nil {
		return fmt.Errorf("a refused request changed state: %w", err)
	}
	return nil
}

// yookassaActionRequest is an action on payment id.
func (c *Ctx) yookassaActionRequest(id, action string) *Request {
	switch action {
	case "capture":
		return c.YooKassa("POST", "/payments/"+id+"/capture", map[string]any{})
	case "cancel":
		return c.YooKassa("POST", "/payments/"+id+"/cancel", nil)
	case "confirm":
		return c.Control("POST", "/sandbox/v1/yookassa/payments/"+id+"/confirm", nil)
	case "abandon":
		return c.Control("POST", "/sandbox/v1/yookassa/payments/"+id+"/cancel", nil)
	default: // refund
		return c.YooKassa("POST", "/refunds", map[string]any{"payment_id": id, "amount": map[string]any{"value": "1.00", "currency": "RUB"}})
	}
}

func yookassaActionName(a string) string {
	return map[string]string{"capture": "capturePayment", "cancel": "cancelPayment", "confirm": "confirmYooKassaPayment",
		"abandon": "cancelYooKassaPayment", "refund": "createRefund"}[a]
}

// yookassaRefused: a YooKassa call is 400 invalid_request, a control call
// 409 invalid_state; the payment does not change.
func (c *Ctx) yookassaRefused(id string, req *Request) error {
	return c.yookassaUnchanged(id, func() error {
		if req.API == "sandbox" {
			res, err := c.Call(req, http.StatusConflict)
			if err != nil {
				return err
			}
			return expect("error.code", res.Get("/error/code"), "invalid_state")
		}
		res, err := c.Call(req, http.StatusBadRequest)
		if err != nil {
			return err
		}
		return expect("code", res.Get("/code"), "invalid_request")
	})
}

// yookassaAllowed runs an allowed action and checks that the payment
// reads back what it did.
func (c *Ctx) yookassaAllowed(id, action string) error {
	res, err := c.Call(c.yookassaActionRequest(id, action), http.StatusOK)
	if err != nil {
		return err
	}
	view, err := c.yookassaGet(id)
	if err != nil {
		return err
	}
	want := map[string]any{}
	switch action {
	case "capture":
		want = map[string]any{"/status": "succeeded", "/paid": true, "/amount/value": "100.00", "/income_amount/value": "100.00", "/refundable": true}
	case "cancel":
		want = map[string]any{"/status": "canceled", "/paid": false,
			"/cancellation_details": map[string]any{"party": "merchant", "reason": "canceled_by_merchant"}}
	case "confirm":
		want = map[string]any{"/status": "waiting_for_capture", "/paid": true}
	case "abandon":
		want = map[string]any{"/status": "canceled", "/paid": false,
			"/cancellation_details": map[string]any{"party": "yoo_money", "reason": "expired_on_confirmation"}}
	case "refund":
		if err := expect("the refund's status", res.Get("/status"), "succeeded"); err != nil {
			return err
		}
		want = map[string]any{"/status": "succeeded", "/refunded_amount": map[string]any{"value": "1.00", "currency": "RUB"}}
	}
	for ptr, w := range want {
		if err := expect("the payment's "+strings.TrimPrefix(ptr, "/")+" after "+action, mustLookup(view, ptr), w); err != nil {
			return err
		}
	}
	switch action {
	case "capture", "cancel":
		// the answer is the payment: the same as it now reads
		return sameOrDiff("the payment read after "+action+", against the "+action+"'s answer,", res.Value, view)
	case "confirm", "abandon":
		for _, ptr := range []string{"/status", "/paid"} {
			if err := expect("the "+action+" answer's "+strings.TrimPrefix(ptr, "/"), res.Get(ptr), mustLookup(view, ptr)); err != nil {
				return err
			}
		}
	}
	return nil
}

func yookassaLifecycleChecks() []Check {
	var out []Check
	add := func(name string, run func(c *Ctx) error) {
		out = append(out, Check{Name: "lifecycle/yookassa/" + name, run: run})
	}

	add("payment/created-is-readable", func(c *Ctx) error {
		for _, p := range []YooKassaPayment{
			{Amount: "123.45", Redirect: true, Description: c.Unique("Lifecycle "), Metadata: map[string]any{"order_id": c.Unique("")}},
			{Amount: "0.01", Capture: true, Description: c.Unique("Lifecycle ")},
		} {
			body := map[string]any{"amount": map[string]any{"value": p.Amount, "currency": "RUB"}, "capture": p.Capture,
				"confirmation": map[string]any{"type": "embedded"}, "description": p.Description}
			if p.Redirect {
				body["confirmation"] = map[string]any{"type": "redirect", "return_url": "https://shop.example/return"}
			}
			if p.Metadata != nil {
				body["metadata"] = p.Metadata
			}
			created, err := c.Call(c.YooKassa("POST", "/payments", body), http.StatusOK)
			if err != nil {
				return err
			}
			metadata := p.Metadata
			if metadata == nil {
				metadata = map[string]any{}
			}
			for ptr, want := range map[string]any{"/status": "pending", "/paid": false, "/amount": body["amount"],
				"/description": p.Description, "/metadata": metadata, "/confirmation/type": mustLookup(body, "/confirmation/type"),
				"/test": true, "/refundable": false} {
				if err := expect("the created payment's "+strings.TrimPrefix(ptr, "/"), created.Get(ptr), want); err != nil {
					return err
				}
			}
			view, err := c.yookassaGet(created.Str("/id"))
			if err != nil {
				return err
			}
			if err := sameOrDiff("the payment read back, against the created one,", created.Value, view); err != nil {
				return err
			}
		}
		return nil
	})

	// The matrix: every action in every state.
	for _, st := range yookassaStates {
		legal := map[string]bool{}
		for _, a := range strings.Fields(yookassaLegal[st]) {
			legal[a] = true
		}
		for _, a := range yookassaActions {
			st, a := st, a
			if legal[a] {
				add(fmt.Sprintf("payment/%s/%s/allowed", st, yookassaActionName(a)), func(c *Ctx) error {
					id, err := c.yookassaPaymentIn(st)
					if err != nil {
						return err
					}
					return c.yookassaAllowed(id, a)
				})
			} else {
				add(fmt.Sprintf("payment/%s/%s/refused", st, yookassaActionName(a)), func(c *Ctx) error {
					id, err := c.yookassaPaymentIn(st)
					if err != nil {
						return err
					}
					return c.yookassaRefused(id, c.yookassaActionRequest(id, a))
				})
			}
		}
	}

	add("payment/confirm-with-capture-succeeds", func(c *Ctx) error {
		id, err := c.NewYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
		if err != nil {
			return err
		}
		res, err := c.Call(c.yookassaActionRequest(id, "confirm"), http.StatusOK)
		if err != nil {
			return err
		}
		if err := expect("the confirm answer's status", res.Get("/status"), "succeeded"); err != nil {
			return err
		}
		view, err := c.yookassaGet(id)
		if err != nil {
			return err
		}
		for ptr, want := range map[string]any{"/status": "succeeded", "/paid": true, "/income_amount/value": "100.00", "/refundable": true} {
			if err := expect("the payment's "+strings.TrimPrefix(ptr, "/"), mustLookup(view, ptr), want); err != nil {
				return err
			}
		}
		if s, _ := mustLookup(view, "/captured_at").(string); s == "" {
			return fmt.Errorf("a succeeded payment has no captured_at: %s", show(view))
		}
		return noConfirmation(&Response{Value: view})
	})
	for _, a := range []string{"capture", "cancel"} {
		a := a
		add("payment/repeated-"+yookassaActionName(a)+"-refused", func(c *Ctx) error {
			id, err := c.yookassaPaymentIn("waiting_for_capture")
			if err != nil {
				return err
			}
			if err := c.yookassaAllowed(id, a); err != nil {
				return fmt.Errorf("the first time: %w", err)
			}
			// again, with a new Idempotence-Key
			return c.yookassaRefused(id, c.yookassaActionRequest(id, a))
		})
	}

	add("refund/created-is-readable", func(c *Ctx) error {
		id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
		if err != nil {
			return err
		}
		desc := c.Unique("Возврат ")
		created, err := c.Call(c.YooKassa("POST", "/refunds", map[string]any{"payment_id": id,
			"amount": map[string]any{"value": "40.00", "currency": "RUB"}, "description": desc}), http.StatusOK)
		if err != nil {
			return err
		}
		for ptr, want := range map[string]any{"/payment_id": id, "/status": "succeeded",
			"/amount": map[string]any{"value": "40.00", "currency": "RUB"}, "/description": desc} {
			if err := expect("the created refund's "+strings.TrimPrefix(ptr, "/"), created.Get(ptr), want); err != nil {
				return err
			}
		}
		got, err := c.Call(c.YooKassa("GET", "/refunds/"+created.Str("/id"), nil), http.StatusOK)
		if err != nil {
			return err
		}
		if err := sameOrDiff("the refund read back, against the created one,", created.Value, got.Value); err != nil {
			return err
		}
		view, err := c.yookassaGet(id)
		if err != nil {
			return err
		}
		return expect("the payment's refunded_amount", mustLookup(view, "/refunded_amount"), map[string]any{"value": "40.00", "currency": "RUB"})
	})
	add("refund/more-than-left-refused", func(c *Ctx) error {
		id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
		if err != nil {
			return err
		}
		refund := func(amount string) *Request {
			return c.YooKassa("POST", "/refunds", map[string]any{"payment_id": id, "amount": map[string]any{"value": amount, "currency": "RUB"}})
		}
		if _, err := c.Call(refund("40.00"), http.StatusOK); err != nil {
			return err
		}
		if err := c.yookassaRefused(id, refund("60.01")); err != nil {
			return fmt.Errorf("60.01 of the 60.00 left: %w", err)
		}
		if _, err := c.Call(refund("60.00"), http.StatusOK); err != nil {
			return fmt.Errorf("the 60.00 left: %w", err)
		}
		if err := c.yookassaRefused(id, refund("0.01")); err != nil {
			return fmt.Errorf("0.01 of a fully refunded payment: %w", err)
		}
		view, err := c.yookassaGet(id)
		if err != nil {
			return err
		}
		return expect("refunded_amount", mustLookup(view, "/refunded_amount"), map[string]any{"value": "100.00", "currency": "RUB"})
	})

	// The same Idempotence-Key with another body: refused, nothing done.
	duplicated := func(res *Response) error {
		for ptr, want := range map[string]any{"/code": "invalid_request", "/description": "Idempotence key duplicated", "/parameter": "Idempotence-Key"} {
			if err := expect(strings.TrimPrefix(ptr, "/"), res.Get(ptr), want); err != nil {
				return err
			}
		}
		return nil
	}
	add("idempotence/payment-key-with-another-body-refused", func(c *Ctx) error {
		req := c.YooKassa("POST", "/payments", map[string]any{"amount": map[string]any{"value": "100.00", "currency": "RUB"},
			"confirmation": map[string]any{"type": "embedded"}})
		first, err := c.Call(req, http.StatusOK)
		if err != nil {
			return err
		}
		id := first.Str("/id")
		return c.yookassaUnchanged(id, func() error {
			Put(req.Body, "/amount/value", "200.00")
			res, err := c.Call(req, http.StatusBadRequest)
			if err != nil {
				return err
			}
			if err := duplicated(res); err != nil {
				return err
			}
			// the original body again: the stored answer, the same payment
			Put(req.Body, "/amount/value", "100.00")
			again, err := c.Call(req, http.StatusOK)
			if err != nil {
				return err
			}
			return expect("the payment of a repeat with the same key and body", again.Str("/id"), id)
		})
	})
	add("idempotence/refund-key-with-another-body-refused", func(c *Ctx) error {
		id, err := c.PaidYooKassaPayment(YooKassaPayment{Amount: "100.00", Capture: true})
		if err != nil {
			return err
		}
		req := c.YooKassa("POST", "/refunds", map[string]any{"payment_id": id, "amount": map[string]any{"value": "10.00", "currency": "RUB"}})
		first, err := c.Call(req, http.StatusOK)
		if err != nil {
			return err
		}
		if err := c.yookassaUnchanged(id, func() error {
			Put(req.Body, "/amount/value", "20.00")
			res, err := c.Call(req, http.StatusBadRequest)
			if err != nil {
				return err
			}
			if err := duplicated(res); err != nil {
				return err
			}
			Put(req.Body, "/amount/value", "10.00")
			again, err := c.Call(req, http.StatusOK)
			if err != nil {
				return err
			}
			return expect("the refund of a repeat with the same key and body", again.Str("/id"), first.Str("/id"))
		}); err != nil {
			return err
		}
		view, err := c.yookassaGet(id)
		if err != nil {
			return err
		}
		return expect("refunded_amount (one refund of 10.00)", mustLookup(view, "/refunded_amount"), map[string]any{"value": "10.00", "currency": "RUB"})
	})
	return out
}

// ===================== LCManager PaymentCommit =====================

// lcCommit sends a PaymentCommit in mediaType and wants ErrorCode code.
func (c *Ctx) lcCommit(mediaType string, body map[string]any, code float64) (*Response, error) {
	res, err := c.Call(c.PaymentCommit(mediaType, body), http.StatusOK)
	if err != nil {
		return nil, err
	}
	if err := lcExpect(res, "/ErrorCode", code); err != nil {
		return res, fmt.Errorf("PaymentCommit: %w (Message %s)", err, show(res.Get("/Message")))
	}
	return res, nil
}

func lcmanagerLifecycleChecks() []Check {
	var out []Check
	add := func(name string, run func(c *Ctx) error) {
		out = append(out, Check{Name: "lifecycle/lcmanager/" + name, run: run})
	}

	for _, mt := range []string{"application/json", "application/xml"} {
		mt := mt
		add("payment/created-is-readable-upstream@"+strings.ReplaceAll(mt, "/", "_"), func(c *Ctx) error {
			desc := c.Unique("Заказ ")
			body, err := lcBody(c, "payment", map[string]any{"/Amount": 123.45, "/Description": desc})
			if err != nil {
				return err
			}
			res, err := c.lcCommit(mt, body, 0)
			if err != nil {
				return err
			}
			id := res.Str("/PaymentId")
			view, err := c.yookassaGet(id) // the same credentials: the default shop
			if err != nil {
				return err
			}
			for ptr, want := range map[string]any{"/id": id, "/status": res.Str("/Status"), "/amount": map[string]any{"value": "123.45", "currency": "RUB"},
				"/description": desc, "/confirmation/type": "embedded", "/confirmation/confirmation_token": res.Str("/ConfirmationToken")} {
				if err := expect("the upstream payment's "+strings.TrimPrefix(ptr, "/"), mustLookup(view, ptr), want); err != nil {
					return err
				}
			}
			return expect("Status", res.Str("/Status"), "pending")
		})
	}
	add("refund/shows-in-refunded_amount-upstream", func(c *Ctx) error {
		id, err := c.lcPaidPayment(100)
		if err != nil {
			return err
		}
		desc := c.Unique("Возврат ")
		body, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id, "/Amount": 40.0, "/Description": desc})
		if err != nil {
			return err
		}
		res, err := c.lcCommit("application/json", body, 0)
		if err != nil {
			return err
		}
		view, err := c.yookassaGet(id)
		if err != nil {
			return err
		}
		if err := expect("the upstream payment's refunded_amount", mustLookup(view, "/refunded_amount"), map[string]any{"value": "40.00", "currency": "RUB"}); err != nil {
			return err
		}
		refund, err := c.Call(c.YooKassa("GET", "/refunds/"+res.Str("/RefundId"), nil), http.StatusOK)
		if err != nil {
			return err
		}
		for ptr, want := range map[string]any{"/payment_id": id, "/status": res.Str("/Status"),
			"/amount": map[string]any{"value": "40.00", "currency": "RUB"}, "/description": desc} {
			if err := expect("the upstream refund's "+strings.TrimPrefix(ptr, "/"), refund.Get(ptr), want); err != nil {
				return err
			}
		}
		return nil
	})
	add("refund/repeated-same-key-refunds-once", func(c *Ctx) error {
		id, err := c.lcPaidPayment(100)
		if err != nil {
			return err
		}
		body, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id, "/Amount": 40.0})
		if err != nil {
			return err
		}
		first, err := c.lcCommit("application/json", body, 0)
		if err != nil {
			return err
		}
		again, err := c.lcCommit("application/json", body, 0)
		if err != nil {
			return fmt.Errorf("the same key and body again: %w", err)
		}
		if err := expect("RefundId of the repeat", again.Str("/RefundId"), first.Str("/RefundId")); err != nil {
			return err
		}
		view, err := c.yookassaGet(id)
		if err != nil {
			return err
		}
		return expect("the upstream payment's refunded_amount", mustLookup(view, "/refunded_amount"), map[string]any{"value": "40.00", "currency": "RUB"})
	})
	// A refund refused upstream changes nothing there.
	refusedUpstream := func(code float64, setup func(c *Ctx) (id string, amount float64, err error)) func(c *Ctx) error {
		return func(c *Ctx) error {
			id, amount, err := setup(c)
			if err != nil {
				return err
			}
			body, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id, "/Amount": amount})
			if err != nil {
				return err
			}
			return c.yookassaUnchanged(id, func() error {
				res, err := c.lcCommit("application/json", body, code)
				if err != nil {
					return err
				}
				return lcExpect(res, "/RefundId", nil)
			})
		}
	}
	add("refund/exceeding-refused-unchanged-upstream", refusedUpstream(5, func(c *Ctx) (string, float64, error) {
		id, err := c.lcPaidPayment(100)
		if err != nil {
			return "", 0, err
		}
		body, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id, "/Amount": 40.0})
		if err != nil {
			return "", 0, err
		}
		_, err = c.lcCommit("application/json", body, 0)
		return id, 60.01, err
	}))
	add("refund/repeated-full-refund-refused-unchanged-upstream", refusedUpstream(5, func(c *Ctx) (string, float64, error) {
		id, err := c.lcPaidPayment(100)
		if err != nil {
			return "", 0, err
		}
		body, err := lcBody(c, "refund", map[string]any{"/PaymentRefund": id, "/Amount": 100.0})
		if err != nil {
			return "", 0, err
		}
		_, err = c.lcCommit("application/json", body, 0)
		return id, 100.0, err // the same refund again, with a new key
	}))
	add("refund/not-succeeded-refused-unchanged-upstream", refusedUpstream(6, func(c *Ctx) (string, float64, error) {
		body, err := lcBody(c, "payment", nil)
		if err != nil {
			return "", 0, err
		}
		res, err := c.lcCommit("application/json", body, 0)
		if err != nil {
			return "", 0, err
		}
		return res.Str("/PaymentId"), 40.0, nil
	}))
	return out
}
