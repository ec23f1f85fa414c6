package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// MedusaToken is the default bearer token the flow uses.
const MedusaToken = "sandbox.jwt.token"

const (
	defaultRecipient = "00000000-0000-4000-8000-000000000001"
	defaultPayout    = "00000000-0000-4000-8000-000000000002"
)

var medusaAuth = http.Header{"Authorization": {"Bearer " + MedusaToken}}

// Medusa is one whole order: create (v3, two services, one confirmed and one
// rejected at creation) → Step02 → 03A → 04 → 03B → 05 → 06 → 07.
var Medusa = Flow{
	Name: "medusa",
	Run: func(c *Client) (string, error) {
		order, confirmed, rejected := c.ID(), c.ID(), c.ID()
		create := fmt.Sprintf(`{"Data":{"extId":%q,"IncomingPayment":{"type":"acquiring","Details":{"sbpNeeded":true,"cardNeeded":true,"redirectUrl":"https://shop.example/ok","failRedirectUrl":"https://shop.example/fail","ttl":60,"purpose":"bench"}},"Services":[`+
			`{"extId":%q,"price":"1000.00","commission":"100.00","Recipient":{"extId":%q,"payoutExtId":%q},"startDecision":"confirmed"},`+
			`{"extId":%q,"price":"500.00","commission":"50.00","Recipient":{"extId":%q,"payoutExtId":%q},"startDecision":"rejected"}]}}`,
			order, confirmed, defaultRecipient, defaultPayout, rejected, defaultRecipient, defaultPayout)
		if _, err := c.Do(Request{Op: "medusa createOrderV3", Mutating: true, Method: "POST", Path: "/medusa/v3.0/orders", Header: medusaAuth, Body: []byte(create), Want: 200}); err != nil {
			return "", err
		}
		steps := []struct{ name, key, id string }{
			{"mark_order_paid_by_acquirer", "orderExtId", order},
			{"proceed_service_payout_to_recipient", "serviceExtId", confirmed},
			{"proceed_service_payout_commission", "serviceExtId", confirmed},
			{"proceed_refund", "serviceExtId", rejected},
			{"proceed_acquiring_commission", "orderExtId", order},
			{"move_platform_commission_to_commission_account", "orderExtId", order},
			{"proceed_platform_commission", "orderExtId", order},
		}
		for _, s := range steps {
			body := fmt.Sprintf(`{%q:%q}`, s.key, s.id)
			if _, err := c.Do(Request{Op: "medusa " + s.name, Mutating: true, Method: "POST", Path: "/medusa/v1.0/sandbox/" + s.name, Header: medusaAuth, Body: []byte(body), Want: 200}); err != nil {
				return "", err
			}
		}
		return order, nil
	},
	Verify: func(c *Client, order string) error {
		raw, err := c.Do(Request{Op: "verify", Method: "GET", Path: "/sandbox/v1/medusa/orders/" + order + "/ledger", Header: medusaAuth, Want: 200})
		if err != nil {
			return err
		}
		var l struct {
			State    string            `json:"state"`
			Balances map[string]string `json:"balances"`
			Entries  []json.RawMessage `json:"entries"`
		}
		if err := json.Unmarshal(raw, &l); err != nil {
			return err
		}
		if l.State != "finished" || l.Balances["nominal"] != "0.00" || l.Balances["commission"] != "0.00" ||
			l.Balances["settlement"] != "75.00" || len(l.Entries) != 7 {
			return fmt.Errorf("ledger does not show the whole lifecycle: state %s, balances %v, %d entries", l.State, l.Balances, len(l.Entries))
		}
		return nil
	},
}
