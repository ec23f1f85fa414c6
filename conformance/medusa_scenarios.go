package conformance

import (
	"fmt"
	"net/http"
	"time"
)

// Scenarios of openapi/medusa.yaml: one per documented response example,
// keyed by operationId, status and example name. Examples that no request
// can produce are listed in spec_issues.go instead.

func mk(op string, status int, example string) Key {
	return Key{API: "medusa", OperationID: op, Status: status, Example: example, MediaType: "application/json"}
}

// medusaErrorFields are the deterministic fields of Medusa's error
// envelope: `code` (the status), the short `message` per errorCode, the
// errorCode and the help URL. The detail (Errors[0].message) and the id
// are the server's own.
var medusaErrorFields = []string{"/code", "/message", "/Errors/0/errorCode", "/Errors/0/url"}

// reqFunc builds a request the operation accepts as far as credentials
// and schema go; ids may be unknown.
type reqFunc func(c *Ctx) (*Request, error)

// medusaOK is a 200 example; every 200 has Meta.totalPages 1.
func medusaOK(op, example string, equal []string, run func(c *Ctx) error) Scenario {
	return Scenario{Key: mk(op, 200, example), Equal: append([]string{"/Meta/totalPages"}, equal...), Run: run}
}

// medusaError is an error example whose envelope fields must equal the example's.
func medusaError(op string, status int, example string, run func(c *Ctx) error) Scenario {
	return Scenario{Key: mk(op, status, example), Equal: medusaErrorFields, Run: run}
}

// sendBuilt sends what build returns after adjust.
func sendBuilt(c *Ctx, build reqFunc, adjust func(*Request)) error {
	req, err := build(c)
	if err != nil {
		return err
	}
	if adjust != nil {
		adjust(req)
	}
	_, err = c.Send(req)
	return err
}

// medusaUnauthorized: no Authorization header, then an unknown token.
func medusaUnauthorized(op string, build reqFunc) Scenario {
	return medusaError(op, 401, "unauthorized", func(c *Ctx) error {
		if err := sendBuilt(c, build, func(r *Request) { r.Bearer("") }); err != nil {
			return fmt.Errorf("without a token: %w", err)
		}
		if err := sendBuilt(c, build, func(r *Request) { r.Bearer(c.Unique("unknown.token.")) }); err != nil {
			return fmt.Errorf("with an unknown token: %w", err)
		}
		return nil
	})
}

// medusaForbidden: a token created with permissions [].
func medusaForbidden(op string, build reqFunc) Scenario {
	return medusaError(op, 403, "forbidden", func(c *Ctx) error {
		tok, err := c.ForbiddenToken()
		if err != nil {
			return err
		}
		return sendBuilt(c, build, func(r *Request) { r.Bearer(tok) })
	})
}

// medusaNotFound: build names ids that do not exist.
func medusaNotFound(op string, build reqFunc) Scenario {
	return medusaError(op, 404, "notFound", func(c *Ctx) error { return sendBuilt(c, build, nil) })
}

// medusaValidation: build's request breaks the schema or a rule.
func medusaValidation(op string, build reqFunc) Scenario {
	return medusaError(op, 400, "validationError", func(c *Ctx) error { return sendBuilt(c, build, nil) })
}

var faultExamples = map[int]string{424: "failedDependency", 500: "serverError", 502: "badGateway"}

// medusaFault arms a fault of the operation and sends a valid request.
func medusaFault(op string, status int, build reqFunc) Scenario {
	s := medusaError(op, status, faultExamples[status], func(c *Ctx) error {
		if err := c.ArmFault("medusa", op, status); err != nil {
			return err
		}
		return sendBuilt(c, build, nil)
	})
	s.Exclusive = true
	return s
}

// medusaCommon are the examples every normal operation shares: 401, 403,
// and the 424, 500 and 502 of armed faults.
func medusaCommon(op string, valid reqFunc) []Scenario {
	return []Scenario{
		medusaUnauthorized(op, valid),
		medusaForbidden(op, valid),
		medusaFault(op, 424, valid),
		medusaFault(op, 500, valid),
		medusaFault(op, 502, valid),
	}
}

// get builds a GET of path with the default token.
func get(path func(c *Ctx) string) reqFunc {
	return func(c *Ctx) (*Request, error) { return c.Medusa("GET", path(c), nil), nil }
}

// fromExample builds a request whose body is a documented request example
// with fresh UUIDs at the given pointers.
func fromExample(method string, path func(c *Ctx) string, op, example string, freshIDs ...string) reqFunc {
	return func(c *Ctx) (*Request, error) {
		body, err := c.RequestExample("medusa", op, example)
		if err != nil {
			return nil, err
		}
		for _, p := range freshIDs {
			Put(body, p, c.NewID())
		}
		return c.Medusa(method, path(c), body), nil
	}
}

func fixed(p string) func(*Ctx) string { return func(*Ctx) string { return p } }

func withBody(method string, path func(c *Ctx) string, body any) reqFunc {
	return func(c *Ctx) (*Request, error) { return c.Medusa(method, path(c), body), nil }
}

// created sends a create request and checks that the answer names the id sent.
func created(c *Ctx, req *Request, idPointer, answerPointer string) (*Response, error) {
	id, _ := lookup(req.Body, idPointer)
	res, err := c.Send(req)
	if err != nil {
		return res, err
	}
	return res, expect(answerPointer, res.Get(answerPointer), id)
}

// twice sends a create request, then the same again, which must replay
// the example (409).
func twice(build reqFunc) func(c *Ctx) error {
	return func(c *Ctx) error {
		req, err := build(c)
		if err != nil {
			return err
		}
		if _, err := c.Call(req, http.StatusOK); err != nil {
			return fmt.Errorf("first request: %w", err)
		}
		_, err = c.Send(req)
		return err
	}
}

// --- orders ---

var (
	orderV1Valid = fromExample("POST", fixed("/medusa/v1.0/orders"), "createOrder", "createOrder", "/Data/orderExtId", "/Data/Services/0/extId")
	orderV2Valid = fromExample("POST", fixed("/medusa/v2.0/orders"), "createOrderV2", "createOrderV2", "/Data/orderExtId", "/Data/Services/0/extId")
	orderV3Valid = fromExample("POST", fixed("/medusa/v3.0/orders"), "createOrderV3", "createOrderV3", "/Data/extId", "/Data/Services/0/extId")
)

// unknownRecipient makes a create-order request name a recipient that does not exist.
func unknownRecipient(build reqFunc) reqFunc {
	return func(c *Ctx) (*Request, error) {
		req, err := build(c)
		if err == nil {
			Put(req.Body, "/Data/Services/0/Recipient/extId", c.NewID())
		}
		return req, err
	}
}

func init() {
	for _, v := range []struct {
		op, idPtr, path string
		valid           reqFunc
	}{
		{"createOrder", "/Data/orderExtId", "/medusa/v1.0/orders", orderV1Valid},
		{"createOrderV2", "/Data/orderExtId", "/medusa/v2.0/orders", orderV2Valid},
		{"createOrderV3", "/Data/extId", "/medusa/v3.0/orders", orderV3Valid},
	} {
		v := v
		Register(
			medusaOK(v.op, "created", nil, func(c *Ctx) error {
				req, err := v.valid(c)
				if err != nil {
					return err
				}
				_, err = created(c, req, v.idPtr, "/Data/extId")
				return err
			}),
			medusaValidation(v.op, withBody("POST", fixed(v.path), map[string]any{})),
			medusaNotFound(v.op, unknownRecipient(v.valid)),
			medusaError(v.op, 409, "duplicateExtId", twice(v.valid)),
		)
		Register(medusaCommon(v.op, v.valid)...)
	}

	// getOrderList: a platform of its own with a finished and a new order.
	list := get(fixed("/medusa/v1.0/orders?offset=0&limit=10"))
	Register(
		medusaOK("getOrderList", "orderList",
			[]string{"/Data/Items/0/state", "/Data/Items/1/state", "/Data/hasNext", "/Data/totalSize"},
			func(c *Ctx) error {
				tok, err := c.NewPlatform()
				if err != nil {
					return err
				}
				r, err := c.NewRecipient(tok)
				if err != nil {
					return err
				}
				finished, err := c.OrderIn(OrderOptions{Token: tok, Recipient: r}, "finished")
				if err != nil {
					return err
				}
				fresh, err := c.NewOrderV3(OrderOptions{Token: tok, Recipient: r})
				if err != nil {
					return err
				}
				res, err := c.Send(c.Medusa("GET", "/medusa/v1.0/orders?offset=0&limit=10", nil).Bearer(tok))
				if err != nil {
					return err
				}
				if err := expect("Items[0].extId (newest first)", res.Get("/Data/Items/0/extId"), fresh.ExtID); err != nil {
					return err
				}
				return expect("Items[1].extId", res.Get("/Data/Items/1/extId"), finished.ExtID)
			}),
		medusaValidation("getOrderList", get(fixed("/medusa/v1.0/orders?offset=0"))),
	)
	Register(medusaCommon("getOrderList", list)...)

	// getOrderReport: one finished order of a platform of its own.
	report := func(c *Ctx) *Request {
		now := time.Now().UTC()
		return c.Medusa("GET", "/medusa/v1.0/orders/report", nil).
			Param("finishedAtGte", now.Add(-24*time.Hour).Format(time.RFC3339)).
			Param("finishedAtLte", now.Add(24*time.Hour).Format(time.RFC3339))
	}
	reportValid := func(c *Ctx) (*Request, error) { return report(c), nil }
	Register(
		medusaOK("getOrderReport", "report", []string{
			"/Data/Items/0/refillSum", "/Data/Items/0/refundSum", "/Data/Items/0/payoutSum", "/Data/Items/0/compensationSum",
			"/Data/Items/0/incomePaymentCommissionSum", "/Data/Items/0/outgoingPayoutCommissionSum", "/Data/Items/0/platformCommissionSum",
		}, func(c *Ctx) error {
			tok, err := c.NewPlatform()
			if err != nil {
				return err
			}
			r, err := c.NewRecipient(tok)
			if err != nil {
				return err
			}
			o, err := c.OrderIn(OrderOptions{Token: tok, Recipient: r}, "finished")
			if err != nil {
				return err
			}
			res, err := c.Send(report(c).Bearer(tok))
			if err != nil {
				return err
			}
			if items, _ := res.Get("/Data/Items").([]any); len(items) != 1 {
				return fmt.Errorf("the report has %d items, want the 1 finished order", len(items))
			}
			return expect("Items[0].orderExtId", res.Get("/Data/Items/0/orderExtId"), o.ExtID)
		}),
		medusaValidation("getOrderReport", get(fixed("/medusa/v1.0/orders/report?finishedAtGte=2026-01-01T00:00:00Z"))),
	)
	Register(medusaCommon("getOrderReport", reportValid)...)

	// getOrder (v1): a paid order made from createOrder's own example.
	Register(
		medusaOK("getOrder", "paidOrder", []string{
			"/Data/state", "/Data/totalPrice", "/Data/totalAmount", "/Data/purpose", "/Data/orderCommission",
			"/Data/medusaCommission", "/Data/acquiringCommission", "/Data/platformCommission", "/Data/receiptEmail",
			"/Data/Services/0/state", "/Data/Services/0/price", "/Data/Services/0/decision", "/Data/Services/0/Recipient",
		}, func(c *Ctx) error {
			req, err := orderV1Valid(c)
			if err != nil {
				return err
			}
			if _, err := c.Call(req, http.StatusOK); err != nil {
				return err
			}
			id, _ := lookup(req.Body, "/Data/orderExtId")
			service, _ := lookup(req.Body, "/Data/Services/0/extId")
			o := &MedusaOrder{ExtID: id.(string), Services: []string{service.(string)}, Token: c.MedusaToken()}
			if err := c.Act(o, stepPaid); err != nil {
				return err
			}
			res, err := c.Send(c.Medusa("GET", "/medusa/v1.0/orders/"+o.ExtID, nil))
			if err != nil {
				return err
			}
			if err := expect("Data.orderExtId", res.Get("/Data/orderExtId"), o.ExtID); err != nil {
				return err
			}
			return expect("Data.Services[0].extId", res.Get("/Data/Services/0/extId"), o.Service())
		}),
		medusaNotFound("getOrder", get(func(c *Ctx) string { return "/medusa/v1.0/orders/" + c.NewID() })),
		medusaValidation("getOrder", get(fixed("/medusa/v1.0/orders/not-a-uuid"))),
	)
	Register(medusaCommon("getOrder", get(func(c *Ctx) string { return "/medusa/v1.0/orders/" + c.NewID() }))...)

	// getOrderV2: a finished order made from createOrderV2's own example
	// (its service is confirmed by startDecision).
	Register(
		medusaOK("getOrderV2", "finishedOrder", append([]string{"/Data/version"}, orderViewFields...), func(c *Ctx) error {
			req, err := orderV2Valid(c)
			if err != nil {
				return err
			}
			if _, err := c.Call(req, http.StatusOK); err != nil {
				return err
			}
			id, _ := lookup(req.Body, "/Data/orderExtId")
			service, _ := lookup(req.Body, "/Data/Services/0/extId")
			o := &MedusaOrder{ExtID: id.(string), Services: []string{service.(string)}, Token: c.MedusaToken()}
			for _, a := range []string{stepPaid, stepPayout, stepPayoutCommission, stepAcquiring, stepMove, stepPlatform} {
				if err := c.Act(o, a); err != nil {
					return err
				}
			}
			res, err := c.Send(c.Medusa("GET", "/medusa/v2.0/orders/"+o.ExtID, nil))
			if err != nil {
				return err
			}
			return expect("Data.extId", res.Get("/Data/extId"), o.ExtID)
		}),
		medusaNotFound("getOrderV2", get(func(c *Ctx) string { return "/medusa/v2.0/orders/" + c.NewID() })),
		medusaValidation("getOrderV2", get(fixed("/medusa/v2.0/orders/not-a-uuid"))),
	)
	Register(medusaCommon("getOrderV2", get(func(c *Ctx) string { return "/medusa/v2.0/orders/" + c.NewID() }))...)

	// getOrderV3: a new order made from createOrderV3's own example.
	Register(
		medusaOK("getOrderV3", "newOrder", append([]string{"/Data/version"}, orderViewFields...), func(c *Ctx) error {
			req, err := orderV3Valid(c)
			if err != nil {
				return err
			}
			if _, err := c.Call(req, http.StatusOK); err != nil {
				return err
			}
			id, _ := lookup(req.Body, "/Data/extId")
			res, err := c.Send(c.Medusa("GET", "/medusa/v3.0/orders/"+id.(string), nil))
			if err != nil {
				return err
			}
			return expect("Data.extId", res.Get("/Data/extId"), id)
		}),
		medusaNotFound("getOrderV3", get(func(c *Ctx) string { return "/medusa/v3.0/orders/" + c.NewID() })),
		medusaValidation("getOrderV3", get(fixed("/medusa/v3.0/orders/not-a-uuid"))),
	)
	Register(medusaCommon("getOrderV3", get(func(c *Ctx) string { return "/medusa/v3.0/orders/" + c.NewID() }))...)

	// updateOrder: the example's price change on a new order.
	updateBody := func(c *Ctx, o *MedusaOrder, version any) (*Request, error) {
		body, err := c.RequestExample("medusa", "updateOrder", "changePrice")
		if err != nil {
			return nil, err
		}
		Put(body, "/Data/Updates/0/serviceExtId", o.Service())
		if version != nil {
			Put(body, "/Data/orderVersion", version)
		}
		return c.Medusa("PATCH", "/medusa/v1.0/orders/"+o.ExtID, body).Bearer(o.Token), nil
	}
	updateUnknown := func(c *Ctx) (*Request, error) {
		return updateBody(c, &MedusaOrder{ExtID: c.NewID(), Services: []string{c.NewID()}, Token: c.MedusaToken()}, nil)
	}
	Register(
		medusaOK("updateOrder", "updated", []string{"/Data/orderVersion"}, func(c *Ctx) error {
			o, err := c.NewOrderV3(OrderOptions{})
			if err != nil {
				return err
			}
			req, err := updateBody(c, o, nil)
			if err != nil {
				return err
			}
			if _, err := c.Send(req); err != nil {
				return err
			}
			after, err := c.OrderV3(o)
			if err != nil {
				return err
			}
			price, _ := lookup(req.Body, "/Data/Updates/0/price")
			return expect("the service's price after the update", mustLookup(after, "/Services/0/price"), price)
		}),
		medusaValidation("updateOrder", withBody("PATCH", func(c *Ctx) string { return "/medusa/v1.0/orders/" + c.NewID() }, map[string]any{})),
		medusaError("updateOrder", 400, "invalidState", func(c *Ctx) error {
			// Prices change only before payment.
			o, err := c.OrderIn(OrderOptions{}, "paid")
			if err != nil {
				return err
			}
			view, err := c.OrderV3(o)
			if err != nil {
				return err
			}
			req, err := updateBody(c, o, mustLookup(view, "/version"))
			if err != nil {
				return err
			}
			return c.Unchanged(o, func() error { _, err := c.Send(req); return err })
		}),
		medusaNotFound("updateOrder", updateUnknown),
		medusaError("updateOrder", 409, "staleVersion", func(c *Ctx) error {
			o, err := c.NewOrderV3(OrderOptions{})
			if err != nil {
				return err
			}
			req, err := updateBody(c, o, 99)
			if err != nil {
				return err
			}
			return c.Unchanged(o, func() error { _, err := c.Send(req); return err })
		}),
	)
	Register(medusaCommon("updateOrder", updateUnknown)...)

	// makeOrderServicesDecision
	decideUnknown := func(c *Ctx) (*Request, error) {
		return c.DecisionRequest(&MedusaOrder{ExtID: c.NewID(), Services: []string{c.NewID()}, Token: c.MedusaToken()}, "confirmed"), nil
	}
	Register(
		medusaOK("makeOrderServicesDecision", "confirmed", []string{"/Data/Decisions/0/decision"}, func(c *Ctx) error {
			o, err := c.NewOrderV3(OrderOptions{})
			if err != nil {
				return err
			}
			res, err := c.Send(c.DecisionRequest(o, "confirmed"))
			if err != nil {
				return err
			}
			if err := expect("Data.orderExtId", res.Get("/Data/orderExtId"), o.ExtID); err != nil {
				return err
			}
			return expect("Data.Decisions[0].serviceExtId", res.Get("/Data/Decisions/0/serviceExtId"), o.Service())
		}),
		medusaValidation("makeOrderServicesDecision", withBody("POST", func(c *Ctx) string { return "/medusa/v1.0/orders/" + c.NewID() + "/decisions" }, map[string]any{})),
		medusaError("makeOrderServicesDecision", 400, "invalidState", func(c *Ctx) error {
			// A decided service cannot be re-decided.
			o, err := c.NewOrderV3(OrderOptions{})
			if err != nil {
				return err
			}
			if err := c.Decide(o, "confirmed"); err != nil {
				return err
			}
			return c.Unchanged(o, func() error { _, err := c.Send(c.DecisionRequest(o, "confirmed")); return err })
		}),
		medusaNotFound("makeOrderServicesDecision", decideUnknown),
	)
	Register(medusaCommon("makeOrderServicesDecision", decideUnknown)...)
}

// orderViewFields are the deterministic fields of the v2/v3 order views
// of an order made from the create example of the same version.
var orderViewFields = []string{
	"/Data/state", "/Data/IncomingPayment/type", "/Data/IncomingPayment/Details/purpose",
	"/Data/IncomingPayment/Details/redirectUrl", "/Data/IncomingPayment/Details/failRedirectUrl",
	"/Data/IncomingPayment/Details/ttl", "/Data/Receipt",
	"/Data/Services/0/state", "/Data/Services/0/price", "/Data/Services/0/commission", "/Data/Services/0/decision",
	"/Data/Services/0/incomePaymentCommissionSum", "/Data/Services/0/incomePaymentCommissionSumNds",
	"/Data/Services/0/outgoingPayoutCommissionSum", "/Data/Services/0/outgoingPayoutCommissionSumNds",
	"/Data/Services/0/platformCommissionSum", "/Data/Services/0/Recipient",
}

func mustLookup(v any, pointer string) any {
	x, _ := lookup(v, pointer)
	return x
}

// --- recipients ---

func init() {
	recipientPath := func(c *Ctx) string { return "/medusa/v1.0/recipients/" + c.NewID() }
	createRecipient := fromExample("POST", fixed("/medusa/v1.0/recipients"), "createRecipient", "withSbp", "/Data/extId")
	Register(
		medusaOK("createRecipient", "created", []string{"/Data/name"}, func(c *Ctx) error {
			req, err := createRecipient(c)
			if err != nil {
				return err
			}
			_, err = created(c, req, "/Data/extId", "/Data/extId")
			return err
		}),
		medusaValidation("createRecipient", withBody("POST", fixed("/medusa/v1.0/recipients"), map[string]any{})),
		medusaError("createRecipient", 409, "duplicateExtId", twice(createRecipient)),
	)
	Register(medusaCommon("createRecipient", createRecipient)...)

	banks := get(fixed("/medusa/v1.0/recipients/sbp-banks/"))
	var bankFields []string
	for _, i := range []string{"0", "1"} {
		for _, f := range []string{"bankCode", "bankId", "effectiveDate", "name", "nameRus"} {
			bankFields = append(bankFields, "/Data/Banks/"+i+"/"+f)
		}
	}
	Register(medusaOK("listRecipientSbpBanks", "banks", bankFields, func(c *Ctx) error { return sendBuilt(c, banks, nil) }))
	Register(medusaCommon("listRecipientSbpBanks", banks)...)

	for _, v := range []struct{ op, version string }{{"getRecipient", "v1.0"}, {"getRecipientV2", "v2.0"}} {
		v := v
		equal := []string{"/Data/extId", "/Data/name", "/Data/Sbp/phone", "/Data/Sbp/firstName", "/Data/Sbp/lastName",
			"/Data/PayoutMethods/0/extId", "/Data/PayoutMethods/0/methodType"}
		if v.op == "getRecipientV2" {
			equal = append(equal, "/Data/PayoutMethods/0/Details")
		}
		unknown := get(func(c *Ctx) string { return "/medusa/" + v.version + "/recipients/" + c.NewID() })
		Register(
			medusaOK(v.op, "defaultRecipient", equal, func(c *Ctx) error {
				return sendBuilt(c, get(fixed("/medusa/"+v.version+"/recipients/"+DefaultMedusaRecipient)), nil)
			}),
			medusaNotFound(v.op, unknown),
			medusaValidation(v.op, get(fixed("/medusa/"+v.version+"/recipients/not-a-uuid"))),
		)
		Register(medusaCommon(v.op, unknown)...)
	}

	updateRecipient := func(c *Ctx, id string) (*Request, error) {
		return fromExample("PATCH", fixed("/medusa/v1.0/recipients/"+id), "updateRecipient", "newPhone")(c)
	}
	updateUnknown := func(c *Ctx) (*Request, error) { return updateRecipient(c, c.NewID()) }
	Register(
		medusaOK("updateRecipient", "updated", []string{"/Data/version"}, func(c *Ctx) error {
			id, err := c.NewBareRecipient(c.MedusaToken(), true)
			if err != nil {
				return err
			}
			req, err := updateRecipient(c, id)
			if err != nil {
				return err
			}
			if _, err := c.Send(req); err != nil {
				return err
			}
			res, err := c.Call(c.Medusa("GET", "/medusa/v1.0/recipients/"+id, nil), http.StatusOK)
			if err != nil {
				return err
			}
			phone, _ := lookup(req.Body, "/Data/Sbp/phone")
			return expect("the recipient's phone after the update", res.Get("/Data/Sbp/phone"), phone)
		}),
		medusaValidation("updateRecipient", withBody("PATCH", recipientPath, map[string]any{})),
		medusaNotFound("updateRecipient", updateUnknown),
		medusaError("updateRecipient", 409, "staleVersion", func(c *Ctx) error {
			id, err := c.NewBareRecipient(c.MedusaToken(), true)
			if err != nil {
				return err
			}
			req, err := updateRecipient(c, id)
			if err != nil {
				return err
			}
			Put(req.Body, "/Data/version", 7)
			_, err = c.Send(req)
			return err
		}),
	)
	Register(medusaCommon("updateRecipient", updateUnknown)...)

	// payout methods
	addCard := func(c *Ctx, recipient string) (*Request, error) {
		return fromExample("POST", fixed("/medusa/v1.0/recipients/"+recipient+"/payout_methods/cards"),
			"addCardRecipientPayoutMethod", "addCard", "/Data/CardPayoutMethod/payoutMethodExtId")(c)
	}
	addCardUnknown := func(c *Ctx) (*Request, error) { return addCard(c, c.NewID()) }
	addCardFresh := func(c *Ctx) (*Request, error) {
		id, err := c.NewBareRecipient(c.MedusaToken(), false)
		if err != nil {
			return nil, err
		}
		return addCard(c, id)
	}
	Register(
		medusaOK("addCardRecipientPayoutMethod", "form", nil, func(c *Ctx) error {
			req, err := addCardFresh(c)
			if err != nil {
				return err
			}
			if _, err := c.Send(req); err != nil {
				return err
			}
			pm, _ := lookup(req.Body, "/Data/CardPayoutMethod/payoutMethodExtId")
			return hasPayoutMethod(c, req.Path, pm.(string), "CARD")
		}),
		medusaValidation("addCardRecipientPayoutMethod", withBody("POST", func(c *Ctx) string { return "/medusa/v1.0/recipients/" + c.NewID() + "/payout_methods/cards" }, map[string]any{})),
		medusaNotFound("addCardRecipientPayoutMethod", addCardUnknown),
		medusaError("addCardRecipientPayoutMethod", 409, "duplicateExtId", twice(addCardFresh)),
	)
	Register(medusaCommon("addCardRecipientPayoutMethod", addCardUnknown)...)

	addSbp := func(c *Ctx, recipient string) (*Request, error) {
		return fromExample("POST", fixed("/medusa/v1.0/recipients/"+recipient+"/payout_methods/sbp"),
			"addSbpRecipientPayoutMethod", "addSbp", "/Data/SbpPayoutMethod/payoutMethodExtId")(c)
	}
	addSbpUnknown := func(c *Ctx) (*Request, error) { return addSbp(c, c.NewID()) }
	addSbpFresh := func(c *Ctx) (*Request, error) {
		id, err := c.NewBareRecipient(c.MedusaToken(), true)
		if err != nil {
			return nil, err
		}
		return addSbp(c, id)
	}
	Register(
		medusaOK("addSbpRecipientPayoutMethod", "created", nil, func(c *Ctx) error {
			req, err := addSbpFresh(c)
			if err != nil {
				return err
			}
			if _, err := created(c, req, "/Data/SbpPayoutMethod/payoutMethodExtId", "/Data/extId"); err != nil {
				return err
			}
			pm, _ := lookup(req.Body, "/Data/SbpPayoutMethod/payoutMethodExtId")
			return hasPayoutMethod(c, req.Path, pm.(string), "SBP")
		}),
		medusaValidation("addSbpRecipientPayoutMethod", withBody("POST", func(c *Ctx) string { return "/medusa/v1.0/recipients/" + c.NewID() + "/payout_methods/sbp" }, map[string]any{})),
		medusaNotFound("addSbpRecipientPayoutMethod", addSbpUnknown),
		medusaError("addSbpRecipientPayoutMethod", 409, "duplicateExtId", twice(addSbpFresh)),
	)
	Register(medusaCommon("addSbpRecipientPayoutMethod", addSbpUnknown)...)

	for _, v := range []struct{ op, kind string }{{"deleteCardRecipientPayoutMethod", "cards/"}, {"deleteRecipientPayoutMethod", ""}} {
		v := v
		unknown := func(c *Ctx) (*Request, error) {
			return c.Medusa("DELETE", "/medusa/v1.0/recipients/"+c.NewID()+"/payout_methods/"+v.kind+c.NewID(), nil), nil
		}
		Register(
			medusaOK(v.op, "deleted", []string{"/Data"}, func(c *Ctx) error {
				id, err := c.NewBareRecipient(c.MedusaToken(), true)
				if err != nil {
					return err
				}
				add := c.AddSbpMethod
				if v.kind == "cards/" {
					add = c.AddCardMethod
				}
				pm, err := add(c.MedusaToken(), id)
				if err != nil {
					return err
				}
				if _, err := c.Send(c.Medusa("DELETE", "/medusa/v1.0/recipients/"+id+"/payout_methods/"+v.kind+pm, nil)); err != nil {
					return err
				}
				res, err := c.Call(c.Medusa("GET", "/medusa/v1.0/recipients/"+id, nil), http.StatusOK)
				if err != nil {
					return err
				}
				if methods, _ := res.Get("/Data/PayoutMethods").([]any); len(methods) != 0 {
					return fmt.Errorf("the deleted payout method is still listed: %s", show(methods))
				}
				return nil
			}),
			medusaNotFound(v.op, unknown),
			medusaValidation(v.op, func(c *Ctx) (*Request, error) {
				return c.Medusa("DELETE", "/medusa/v1.0/recipients/"+c.NewID()+"/payout_methods/"+v.kind+"not-a-uuid", nil), nil
			}),
		)
		Register(medusaCommon(v.op, unknown)...)
	}
}

// hasPayoutMethod checks that a payout method was added: the recipient of
// path (…/recipients/{id}/payout_methods/…) lists it with its type.
func hasPayoutMethod(c *Ctx, path, pm, methodType string) error {
	var id string
	if _, err := fmt.Sscanf(path, "/medusa/v1.0/recipients/%36s", &id); err != nil {
		return err
	}
	res, err := c.Call(c.Medusa("GET", "/medusa/v1.0/recipients/"+id, nil), http.StatusOK)
	if err != nil {
		return err
	}
	methods, _ := res.Get("/Data/PayoutMethods").([]any)
	for _, m := range methods {
		if mustLookup(m, "/extId") == pm {
			return expect("methodType of "+pm, mustLookup(m, "/methodType"), methodType)
		}
	}
	return fmt.Errorf("recipient %s does not list the added payout method %s: %s", id, pm, show(methods))
}

// --- sandbox steps ---

// stepScenarios registers a step's examples: 200 from the state where the
// step is legal, 400 invalidState from one where it is not (and nothing
// changes), 400 validationError with an empty body, 401, 403, 404 with an
// unknown id, and 500 through an armed fault.
func stepScenarios(step, okExample, okFrom, invalidFrom string) {
	s := stepNamed(step)
	op := s.operationID
	unknown := func(c *Ctx) (*Request, error) {
		return c.StepRequest(c.MedusaToken(), step, &MedusaOrder{ExtID: c.NewID(), Services: []string{c.NewID()}}), nil
	}
	Register(
		Scenario{Key: mk(op, 200, okExample), Equal: []string{"/Data/result", "/Meta/totalPages"}, Run: func(c *Ctx) error {
			o, err := c.OrderIn(OrderOptions{}, okFrom)
			if err != nil {
				return err
			}
			_, err = c.Send(c.StepRequest(o.Token, step, o))
			return err
		}},
		medusaError(op, 400, "invalidState", func(c *Ctx) error {
			o, err := c.OrderIn(OrderOptions{}, invalidFrom)
			if err != nil {
				return err
			}
			return c.Unchanged(o, func() error { _, err := c.Send(c.StepRequest(o.Token, step, o)); return err })
		}),
		medusaValidation(op, withBody("POST", fixed("/medusa/v1.0/sandbox/"+step), map[string]any{})),
		medusaUnauthorized(op, unknown),
		medusaForbidden(op, unknown),
		medusaNotFound(op, unknown),
		medusaFault(op, 500, unknown),
	)
}

func init() {
	stepScenarios(stepFailed, "canceled", "new", "paid")
	stepScenarios(stepPaid, "paid", "new", "paid")
	stepScenarios(stepPayout, "executing", "confirmed", "paid")
	stepScenarios(stepRefund, "refunded", "rejected", "confirmed")
	stepScenarios(stepPayoutCommission, "executed", "executing", "confirmed")
	stepScenarios(stepAcquiring, "withheld", "executed", "new")
	stepScenarios(stepMove, "moved", "acquired", "executing-acquired")
	stepScenarios(stepPlatform, "finished", "moved", "acquired")
}
