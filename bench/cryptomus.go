package bench

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
)

// The default Cryptomus merchant and its payment key.
const (
	CryptomusMerchant = "8b03432e-385b-4670-8d06-064591096795"
	CryptomusKey      = "cryptomus-sandbox-key"
)

func cryptomusSigned(body []byte) http.Header {
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString(body) + CryptomusKey))
	return http.Header{"Merchant": {CryptomusMerchant}, "Sign": {hex.EncodeToString(sum[:])}}
}

// Cryptomus is one invoice: create (signed) → the payer pays (control API)
// → refund (signed, the seed's body) → the refund completes (control API).
var Cryptomus = Flow{
	Name: "cryptomus",
	Run: func(c *Client) (string, error) {
		order := "bench-" + c.ID()
		create := []byte(fmt.Sprintf(`{"amount":"10.28","currency":"USDT","order_id":%q}`, order))
		raw, err := c.Do(Request{Op: "cryptomus createInvoice", Mutating: true, Method: "POST", Path: "/v1/payment", Header: cryptomusSigned(create), Body: create, Want: 200})
		if err != nil {
			return "", err
		}
		var inv struct {
			Result struct {
				UUID string `json:"uuid"`
			} `json:"result"`
		}
		if err := json.Unmarshal(raw, &inv); err != nil || inv.Result.UUID == "" {
			return "", BadAnswer("cryptomus createInvoice", "no result.uuid in the answer", raw)
		}
		uuid := inv.Result.UUID
		if _, err := c.Do(Request{Op: "cryptomus control paid", Mutating: true, Method: "POST", Path: "/sandbox/v1/cryptomus/invoices/" + uuid + "/status",
			Body: []byte(`{"status":"paid","paymentAmount":"10.28"}`), Want: 200}); err != nil {
			return "", err
		}
		refund := []byte(fmt.Sprintf(`{"uuid":%q,"address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":"true"}`, uuid))
		if _, err := c.Do(Request{Op: "cryptomus refund", Mutating: true, Method: "POST", Path: "/v1/payment/refund", Header: cryptomusSigned(refund), Body: refund, Want: 200}); err != nil {
			return "", err
		}
		if _, err := c.Do(Request{Op: "cryptomus control refund_paid", Mutating: true, Method: "POST", Path: "/sandbox/v1/cryptomus/invoices/" + uuid + "/status",
			Body: []byte(`{"status":"refund_paid"}`), Want: 200}); err != nil {
			return "", err
		}
		return uuid, nil
	},
	Verify: func(c *Client, uuid string) error {
		body := []byte(fmt.Sprintf(`{"uuid":%q}`, uuid))
		raw, err := c.Do(Request{Op: "verify", Method: "POST", Path: "/v1/payment/info", Header: cryptomusSigned(body), Body: body, Want: 200})
		if err != nil {
			return err
		}
		var inv struct {
			Result struct {
				Status        string `json:"status"`
				PaymentAmount string `json:"payment_amount"`
			} `json:"result"`
		}
		if err := json.Unmarshal(raw, &inv); err != nil {
			return err
		}
		if inv.Result.Status != "refund_paid" || inv.Result.PaymentAmount != "10.28" {
			return fmt.Errorf("invoice is %s with payment_amount %s, want refund_paid and 10.28", inv.Result.Status, inv.Result.PaymentAmount)
		}
		return nil
	},
}
