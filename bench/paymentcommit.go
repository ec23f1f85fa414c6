package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// PaymentCommit is one LCManager payment through the built-in YooKassa:
// PaymentCommit (payment) → the payer confirms (control API) →
// PaymentCommit (refund of the whole amount).
var PaymentCommit = Flow{
	Name: "paymentcommit",
	Run: func(c *Client) (string, error) {
		upstream := c.conn.base + "/yookassa/v3"
		pay := []byte(fmt.Sprintf(`{"Refund":false,"Amount":100.00,"Description":"bench","ApiParams":{"Url":%q,"Login":"100500","Password":"test_sandbox_secret","IdempotenceKey":%q}}`, upstream, c.ID()))
		raw, err := c.Do(Request{Op: "lcmanager paymentCommit (payment)", Mutating: true, Method: "POST", Path: "/api/yookassa/PaymentCommit", Body: pay, Want: 200})
		if err != nil {
			return "", err
		}
		id, err := commitResult("lcmanager paymentCommit (payment)", raw, "PaymentId")
		if err != nil {
			return "", err
		}
		if _, err := c.Do(Request{Op: "yookassa control confirm", Mutating: true, Method: "POST", Path: "/sandbox/v1/yookassa/payments/" + id + "/confirm", Want: 200}); err != nil {
			return "", err
		}
		refund := []byte(fmt.Sprintf(`{"Refund":true,"Amount":100.00,"Description":"bench refund","PaymentRefund":%q,"ApiParams":{"Url":%q,"Login":"100500","Password":"test_sandbox_secret","IdempotenceKey":%q}}`, id, upstream, c.ID()))
		raw, err = c.Do(Request{Op: "lcmanager paymentCommit (refund)", Mutating: true, Method: "POST", Path: "/api/yookassa/PaymentCommit", Body: refund, Want: 200})
		if err != nil {
			return "", err
		}
		if _, err := commitResult("lcmanager paymentCommit (refund)", raw, "RefundId"); err != nil {
			return "", err
		}
		return id, nil
	},
	Verify: func(c *Client, id string) error {
		raw, err := c.Do(Request{Op: "verify", Method: "GET", Path: "/yookassa/v3/payments/" + id,
			Header: http.Header{"Authorization": {"Basic MTAwNTAwOnRlc3Rfc2FuZGJveF9zZWNyZXQ="}}, Want: 200})
		if err != nil {
			return err
		}
		var p struct {
			Status         string `json:"status"`
			RefundedAmount struct {
				Value string `json:"value"`
			} `json:"refunded_amount"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			return err
		}
		if p.Status != "succeeded" || p.RefundedAmount.Value != "100.00" {
			return fmt.Errorf("payment is %s with refunded_amount %q, want succeeded and 100.00", p.Status, p.RefundedAmount.Value)
		}
		return nil
	},
}

// commitResult reads PaymentCommit's answer: ErrorCode 0 and the id field.
func commitResult(op string, raw []byte, field string) (string, error) {
	var r map[string]any
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", BadAnswer(op, "answer is not JSON", raw)
	}
	if code, _ := r["ErrorCode"].(float64); code != 0 {
		return "", BadAnswer(op, fmt.Sprintf("ErrorCode %v", r["ErrorCode"]), raw)
	}
	id, _ := r[field].(string)
	if id == "" {
		return "", BadAnswer(op, "no "+field+" in the answer", raw)
	}
	return id, nil
}
