package conformance

import (
	"fmt"
	"net/http"
)

// Scenarios of openapi/sandbox.yaml, the control API.

func sk(op string, status int, example string) Key {
	return Key{API: "sandbox", OperationID: op, Status: status, Example: example, MediaType: "application/json"}
}

// noBody is the key of a documented response without a body.
func noBody(api, op string, status int) Key {
	return Key{API: api, OperationID: op, Status: status}
}

// controlErrorFields: the control API's machine-readable error code.
var controlErrorFields = []string{"/error/code"}

func init() {
	registerProfile("sandbox", &apiProfile{
		validationStatus: http.StatusBadRequest,
		validationError: func(body any) error {
			return expect("error.code", mustLookup(body, "/error/code"), "invalid_request")
		},
		credentials: bearerCredentials,
		invariants: func(req *Request, resp *Response) []string {
			if _, medusaEnvelope := lookup(resp.Value, "/Errors"); medusaEnvelope {
				return medusaInvariants(req, resp) // the ledger answers in Medusa's envelope
			}
			if resp.Status >= 400 {
				if code, _ := lookup(resp.Value, "/error/code"); code == "" || code == nil {
					return []string{"the error has no error.code"}
				}
			}
			return nil
		},
	})

	// tokens
	tokenBody := func(c *Ctx) map[string]any {
		return map[string]any{"platform": c.Unique("conformance-"), "token": c.Unique("conformance.token."), "permissions": []any{"medusa"}}
	}
	Register(
		Scenario{Key: sk("createMedusaToken", 201, "created"), Equal: []string{"/permissions"}, Run: func(c *Ctx) error {
			body := tokenBody(c)
			res, err := c.Send(c.Control("POST", "/sandbox/v1/medusa/tokens", body))
			if err != nil {
				return err
			}
			if err := expect("platform", res.Get("/platform"), body["platform"]); err != nil {
				return err
			}
			if err := expect("token", res.Get("/token"), body["token"]); err != nil {
				return err
			}
			// The token works, and belongs to a platform of its own.
			_, err = c.Call(c.Medusa("GET", "/medusa/v1.0/recipients/"+DefaultMedusaRecipient, nil).Bearer(body["token"].(string)), http.StatusNotFound)
			return err
		}},
		Scenario{Key: sk("createMedusaToken", 400, "invalidRequest"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			body := tokenBody(c)
			delete(body, "platform")
			_, err := c.Send(c.Control("POST", "/sandbox/v1/medusa/tokens", body))
			return err
		}},
		Scenario{Key: sk("createMedusaToken", 409, "tokenExists"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			req := c.Control("POST", "/sandbox/v1/medusa/tokens", tokenBody(c))
			if _, err := c.Call(req, http.StatusCreated); err != nil {
				return err
			}
			_, err := c.Send(req)
			return err
		}},
	)

	// ledger
	ledger := func(o *MedusaOrder) *Request {
		return NewRequest("sandbox", "GET", "/sandbox/v1/medusa/orders/"+o.ExtID+"/ledger", nil).Bearer(o.Token)
	}
	ledgerUnknown := func(c *Ctx) (*Request, error) {
		return ledger(&MedusaOrder{ExtID: c.NewID(), Token: c.MedusaToken()}), nil
	}
	ledgerOK := func(example, state string, equal ...string) Scenario {
		return Scenario{Key: sk("getMedusaOrderLedger", 200, example), Equal: equal, Run: func(c *Ctx) error {
			o, err := c.OrderIn(OrderOptions{}, state)
			if err != nil {
				return err
			}
			res, err := c.Send(ledger(o))
			if err != nil {
				return err
			}
			return expect("orderExtId", res.Get("/orderExtId"), o.ExtID)
		}}
	}
	Register(
		ledgerOK("finished", "finished", "/state", "/balances",
			"/entries/*/step", "/entries/*/debit", "/entries/*/credit", "/entries/*/amount"),
		ledgerOK("unpaid", "new", "/state", "/balances", "/entries"),
		Scenario{Key: sk("getMedusaOrderLedger", 401, "unauthorized"), Equal: medusaErrorFields, Run: func(c *Ctx) error {
			if err := sendBuilt(c, ledgerUnknown, func(r *Request) { r.Bearer("") }); err != nil {
				return fmt.Errorf("without a token: %w", err)
			}
			if err := sendBuilt(c, ledgerUnknown, func(r *Request) { r.Bearer(c.Unique("unknown.token.")) }); err != nil {
				return fmt.Errorf("with an unknown token: %w", err)
			}
			return nil
		}},
		Scenario{Key: sk("getMedusaOrderLedger", 403, "forbidden"), Equal: medusaErrorFields, Run: func(c *Ctx) error {
			tok, err := c.ForbiddenToken()
			if err != nil {
				return err
			}
			return sendBuilt(c, ledgerUnknown, func(r *Request) { r.Bearer(tok) })
		}},
		Scenario{Key: sk("getMedusaOrderLedger", 404, "notFound"), Equal: medusaErrorFields, Run: func(c *Ctx) error {
			if err := sendBuilt(c, ledgerUnknown, nil); err != nil {
				return fmt.Errorf("unknown order: %w", err)
			}
			// Another platform's order is 404 too.
			o, err := c.NewOrderV3(OrderOptions{})
			if err != nil {
				return err
			}
			other, err := c.NewPlatform()
			if err != nil {
				return err
			}
			if _, err := c.Send(ledger(&MedusaOrder{ExtID: o.ExtID, Token: other})); err != nil {
				return fmt.Errorf("another platform's order: %w", err)
			}
			return nil
		}},
	)

	// faults
	Register(
		Scenario{Key: sk("armFault", 201, "armed"), Equal: []string{"/api", "/operationId", "/status", "/times", "/disconnect"}, Exclusive: true, Run: func(c *Ctx) error {
			body, err := c.RequestExample("sandbox", "armFault", "medusaStep500")
			if err != nil {
				return err
			}
			if _, err := c.Send(c.Control("POST", "/sandbox/v1/faults", body)); err != nil {
				return err
			}
			// The fault is armed: the next call of the operation fails with
			// its status (and so is consumed, leaving the server as it was).
			op, _ := body["operationId"].(string)
			status, _ := body["status"].(float64)
			if op != "markOrderPaidByAcquirer" {
				return fmt.Errorf("the example arms %q; this scenario knows how to call markOrderPaidByAcquirer only", op)
			}
			_, err = c.Call(c.StepRequest(c.MedusaToken(), stepPaid, &MedusaOrder{ExtID: c.NewID()}), int(status))
			return err
		}},
		Scenario{Key: sk("armFault", 400, "invalidRequest"), Equal: controlErrorFields, Run: func(c *Ctx) error {
			_, err := c.Send(c.Control("POST", "/sandbox/v1/faults", map[string]any{"operationId": "getOrderV3"}))
			return err
		}},
		Scenario{Key: noBody("sandbox", "clearFaults", 204), Exclusive: true, Run: func(c *Ctx) error {
			if err := c.ArmFault("medusa", "getOrderV3", 500); err != nil {
				return err
			}
			if _, err := c.Send(c.Control("DELETE", "/sandbox/v1/faults", nil)); err != nil {
				return err
			}
			// Nothing is armed any more: an unknown order is a plain 404.
			_, err := c.Call(c.Medusa("GET", "/medusa/v3.0/orders/"+c.NewID(), nil), http.StatusNotFound)
			return err
		}},
		Scenario{Key: noBody("sandbox", "reset", 204), Exclusive: true, Run: func(c *Ctx) error {
			o, err := c.NewOrderV3(OrderOptions{})
			if err != nil {
				return err
			}
			if _, err := c.Send(c.Control("POST", "/sandbox/v1/reset", nil)); err != nil {
				return err
			}
			// State is gone; the default credentials are back.
			if _, err := c.Call(c.Medusa("GET", "/medusa/v3.0/orders/"+o.ExtID, nil), http.StatusNotFound); err != nil {
				return fmt.Errorf("an order made before the reset: %w", err)
			}
			_, err = c.Call(c.Medusa("GET", "/medusa/v2.0/recipients/"+DefaultMedusaRecipient, nil), http.StatusOK)
			return err
		}},
	)
}
