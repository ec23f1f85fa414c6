package conformance

import (
	"fmt"
	"strings"
)

// The control token's 401 of every control operation but the Medusa
// ledger (openapi/sandbox.yaml, scheme controlToken). Only a server started
// with --control-token answers it, so against one without a token (the
// suite run without Config.ControlToken) these examples are skipped.

func init() {
	for _, o := range []struct {
		op, method, path string
		body             any
		exclusive        bool // what it would change if the server wrongly let it through
	}{
		{"createMedusaToken", "POST", "/sandbox/v1/medusa/tokens", map[string]any{}, false},
		{"createCryptomusMerchant", "POST", "/sandbox/v1/cryptomus/merchants", map[string]any{}, false},
		{"getCryptomusMerchant", "GET", "/sandbox/v1/cryptomus/merchants/" + DefaultCryptomusMerchant, nil, false},
		{"updateCryptomusMerchant", "PATCH", "/sandbox/v1/cryptomus/merchants/" + DefaultCryptomusMerchant, map[string]any{}, false},
		{"setCryptomusInvoiceStatus", "POST", "/sandbox/v1/cryptomus/invoices/{uuid}/status", map[string]any{"status": "paid"}, false},
		{"confirmYooKassaPayment", "POST", "/sandbox/v1/yookassa/payments/{uuid}/confirm", nil, false},
		{"cancelYooKassaPayment", "POST", "/sandbox/v1/yookassa/payments/{uuid}/cancel", nil, false},
		{"armFault", "POST", "/sandbox/v1/faults", map[string]any{}, false},
		{"clearFaults", "DELETE", "/sandbox/v1/faults", nil, true},
		{"reset", "POST", "/sandbox/v1/reset", nil, true},
	} {
		Register(Scenario{Key: sk(o.op, 401, "unauthorized"), Equal: controlErrorFields, Exclusive: o.exclusive, Run: func(c *Ctx) error {
			if c.ControlToken() == "" {
				return c.Skip("the suite has no control token: only a server started with --control-token answers 401 (run the suite with --control-token)")
			}
			path := strings.ReplaceAll(o.path, "{uuid}", c.NewID())
			for _, v := range []struct {
				name   string
				values []string
			}{
				{"without the header", []string{}},
				{"with an empty header", []string{""}},
				{"with a wrong token", []string{c.Unique("wrong.control.token.")}},
				{"with the token in another case", []string{swapCase(c.ControlToken())}},
			} {
				req := c.Control(o.method, path, o.body)
				req.Header[ControlTokenHeader] = v.values
				if _, err := c.Send(req); err != nil {
					return fmt.Errorf("%s: %w", v.name, err)
				}
			}
			return nil
		}})
	}
}

// swapCase turns ASCII letters to the other case; a token without letters
// gets one appended, so the result always differs from the token.
func swapCase(s string) string {
	b := []byte(s)
	changed := false
	for i, ch := range b {
		switch {
		case 'a' <= ch && ch <= 'z':
			b[i], changed = ch-'a'+'A', true
		case 'A' <= ch && ch <= 'Z':
			b[i], changed = ch-'A'+'a', true
		}
	}
	if !changed {
		b = append(b, 'x')
	}
	return string(b)
}
