package conformance

import (
	"fmt"
	"net/http"
	"strings"
)

// Lifecycle checks go beyond single examples: what is created is readable
// in every view, every step is allowed exactly in the states its
// description names (and refused with InvalidStateError, changing nothing,
// everywhere else), repeating a step is refused, and one platform never
// sees another's resources.

// medusaActions are what the state matrix tries in every state: the eight
// sandbox steps and a decision.
var medusaActions = func() []string {
	var out []string
	for _, s := range medusaSteps {
		out = append(out, s.path)
	}
	return append(out, "decide:confirmed")
}()

// medusaLegal lists, per state of medusaStates, the actions the spec
// allows there (the step descriptions of medusa.yaml and design §3), with
// one precondition the spec does not state yet: Step05
// (proceed_acquiring_commission) needs every service decided, since it
// charges the acquiring fees of the confirmed ones — a decision taken after
// it would never be charged. The server refuses it with InvalidStateError;
// the description of proceedAcquiringCommission should say so.
var medusaLegal = map[string][]string{
	"new":                {stepPaid, stepFailed, "decide:confirmed"},
	"canceled":           nil,
	"paid":               {"decide:confirmed"},
	"confirmed":          {stepPayout, stepAcquiring},
	"rejected":           {stepRefund, stepAcquiring},
	"executing":          {stepPayoutCommission, stepAcquiring},
	"executed":           {stepAcquiring},
	"refunded":           {stepAcquiring},
	"executing-acquired": {stepPayoutCommission},
	"acquired":           {stepMove},
	"moved":              {stepPlatform},
	"finished":           nil,
}

func actionName(a string) string {
	if strings.HasPrefix(a, "decide:") {
		return "makeOrderServicesDecision"
	}
	return stepNamed(a).operationID
}

// actionRequest is the request of an action on a one-service order.
func (c *Ctx) actionRequest(o *MedusaOrder, action string) *Request {
	if d, ok := strings.CutPrefix(action, "decide:"); ok {
		return c.DecisionRequest(o, d)
	}
	return c.StepRequest(o.Token, action, o)
}

// refused sends a request that must be refused with 400 InvalidStateError
// and change neither the order nor its ledger.
func (c *Ctx) refused(o *MedusaOrder, req *Request) error {
	return c.Unchanged(o, func() error {
		res, err := c.Call(req, http.StatusBadRequest)
		if err != nil {
			return err
		}
		return medusaErrorCode("InvalidStateError")(res.Value)
	})
}

// allowed runs an action that must succeed, and checks that its result
// is what the order's view now says.
func (c *Ctx) allowed(o *MedusaOrder, action string) error {
	if strings.HasPrefix(action, "decide:") {
		return c.Act(o, action)
	}
	s := stepNamed(action)
	res, err := c.Call(c.actionRequest(o, action), http.StatusOK)
	if err != nil {
		return err
	}
	if err := expect("Data.result", res.Str("/Data/result"), s.result); err != nil {
		return err
	}
	view, err := c.OrderV3(o)
	if err != nil {
		return err
	}
	at := "/state"
	if s.service {
		at = "/Services/0/state"
	}
	return expect("the order's "+strings.TrimPrefix(at, "/")+" after "+action, mustLookup(view, at), s.result)
}

func lifecycleChecks() []Check {
	var out []Check
	add := func(name string, run func(c *Ctx) error) {
		out = append(out, Check{Name: "lifecycle/medusa/" + name, run: run})
	}

	// The state matrix: every action in every state.
	for _, st := range medusaStates {
		legal := map[string]bool{}
		for _, a := range medusaLegal[st.name] {
			legal[a] = true
		}
		for _, a := range medusaActions {
			st, a := st.name, a
			if legal[a] {
				add(fmt.Sprintf("step/%s/%s/allowed", st, actionName(a)), func(c *Ctx) error {
					o, err := c.OrderIn(OrderOptions{}, st)
					if err != nil {
						return err
					}
					return c.allowed(o, a)
				})
			} else {
				add(fmt.Sprintf("step/%s/%s/refused", st, actionName(a)), func(c *Ctx) error {
					o, err := c.OrderIn(OrderOptions{}, st)
					if err != nil {
						return err
					}
					return c.refused(o, c.actionRequest(o, a))
				})
			}
		}
	}

	// Every step (and a decision) repeated is refused.
	for _, r := range []struct{ action, from string }{
		{stepPaid, "new"}, {stepFailed, "new"}, {stepPayout, "confirmed"}, {stepRefund, "rejected"},
		{stepPayoutCommission, "executing"}, {stepAcquiring, "executed"}, {stepMove, "acquired"},
		{stepPlatform, "moved"}, {"decide:confirmed", "new"},
	} {
		r := r
		add("repeat/"+actionName(r.action), func(c *Ctx) error {
			o, err := c.OrderIn(OrderOptions{}, r.from)
			if err != nil {
				return err
			}
			if err := c.allowed(o, r.action); err != nil {
				return fmt.Errorf("the first time: %w", err)
			}
			return c.refused(o, c.actionRequest(o, r.action))
		})
	}

	add("recipient/created-is-readable", recipientReadable)
	add("recipient/duplicate-refused-unchanged", func(c *Ctx) error {
		id, err := c.NewBareRecipient(c.MedusaToken(), true)
		if err != nil {
			return err
		}
		before, err := c.Call(c.Medusa("GET", "/medusa/v2.0/recipients/"+id, nil), http.StatusOK)
		if err != nil {
			return err
		}
		res, err := c.Call(c.Medusa("POST", "/medusa/v1.0/recipients", map[string]any{"Data": map[string]any{"extId": id, "name": "Another name"}}), http.StatusConflict)
		if err != nil {
			return err
		}
		if err := medusaErrorCode("ConflictError")(res.Value); err != nil {
			return err
		}
		after, err := c.Call(c.Medusa("GET", "/medusa/v2.0/recipients/"+id, nil), http.StatusOK)
		if err != nil {
			return err
		}
		return expect("the recipient after a refused duplicate", after.Get("/Data"), before.Get("/Data"))
	})
	add("recipient/stale-update-refused-unchanged", func(c *Ctx) error {
		id, err := c.NewBareRecipient(c.MedusaToken(), true)
		if err != nil {
			return err
		}
		update := func(version int, phone string) *Request {
			return c.Medusa("PATCH", "/medusa/v1.0/recipients/"+id, map[string]any{"Data": map[string]any{"version": version, "Sbp": map[string]any{"phone": phone}}})
		}
		res, err := c.Call(update(0, "+79005550001"), http.StatusOK)
		if err != nil {
			return err
		}
		if err := expect("Data.version", res.Get("/Data/version"), float64(1)); err != nil {
			return err
		}
		if res, err = c.Call(update(0, "+79005550002"), http.StatusConflict); err != nil {
			return err
		}
		if err := medusaErrorCode("ConflictError")(res.Value); err != nil {
			return err
		}
		got, err := c.Call(c.Medusa("GET", "/medusa/v1.0/recipients/"+id, nil), http.StatusOK)
		if err != nil {
			return err
		}
		return expect("the phone after a stale update", got.Get("/Data/Sbp/phone"), "+79005550001")
	})

	for _, v := range []string{"v1", "v2", "v3"} {
		v := v
		add("order/created-"+v+"-is-readable-in-every-view", func(c *Ctx) error { return orderReadable(c, v) })
	}
	add("order/duplicate-refused-unchanged", func(c *Ctx) error {
		body, o := c.NewOrderV3Body(OrderOptions{})
		if _, err := c.Call(c.Medusa("POST", "/medusa/v3.0/orders", body), http.StatusOK); err != nil {
			return err
		}
		Put(body, "/Data/Services/0/price", "2000.00")
		return c.Unchanged(o, func() error {
			res, err := c.Call(c.Medusa("POST", "/medusa/v3.0/orders", body), http.StatusConflict)
			if err != nil {
				return err
			}
			return medusaErrorCode("ConflictError")(res.Value)
		})
	})
	add("order/stale-update-refused-unchanged", func(c *Ctx) error {
		o, err := c.NewOrderV3(OrderOptions{})
		if err != nil {
			return err
		}
		return c.Unchanged(o, func() error {
			res, err := c.Call(c.Medusa("PATCH", "/medusa/v1.0/orders/"+o.ExtID, map[string]any{"Data": map[string]any{
				"orderVersion": 2, "Updates": []any{map[string]any{"serviceExtId": o.Service(), "price": "900.00"}}}}), http.StatusConflict)
			if err != nil {
				return err
			}
			return medusaErrorCode("ConflictError")(res.Value)
		})
	})
	add("order/full-walk-ledger-balances", fullWalk)
	add("order/wrapped-step-bodies", func(c *Ctx) error {
		o, err := c.NewOrderV3(OrderOptions{Services: []MedusaService{{Decision: "confirmed"}}})
		if err != nil {
			return err
		}
		for _, step := range []string{stepPaid, stepPayout, stepPayoutCommission, stepAcquiring, stepMove, stepPlatform} {
			s := stepNamed(step)
			inner := map[string]any{"orderExtId": o.ExtID}
			if s.service {
				inner = map[string]any{"serviceExtId": o.Service()}
			}
			res, err := c.Call(c.Medusa("POST", "/medusa/v1.0/sandbox/"+step, map[string]any{"Data": inner}), http.StatusOK)
			if err != nil {
				return err
			}
			if err := expect(step+" Data.result", res.Str("/Data/result"), s.result); err != nil {
				return err
			}
		}
		return nil
	})
	add("isolation/another-platforms-resources-are-404", isolation)
	out = append(out, providerLifecycleChecks()...) // lifecycle_providers.go
	return out
}

func recipientReadable(c *Ctx) error {
	tok := c.MedusaToken()
	id, err := c.NewBareRecipient(tok, true)
	if err != nil {
		return err
	}
	sbp, err := c.AddSbpMethod(tok, id)
	if err != nil {
		return err
	}
	card, err := c.AddCardMethod(tok, id)
	if err != nil {
		return err
	}
	v1, err := c.Call(c.Medusa("GET", "/medusa/v1.0/recipients/"+id, nil), http.StatusOK)
	if err != nil {
		return err
	}
	v2, err := c.Call(c.Medusa("GET", "/medusa/v2.0/recipients/"+id, nil), http.StatusOK)
	if err != nil {
		return err
	}
	for _, res := range []*Response{v1, v2} {
		for ptr, want := range map[string]any{
			"/Data/extId": id, "/Data/name": "Conformance " + id[:8], "/Data/Sbp/phone": "+79001234567",
			"/Data/Sbp/firstName": "Ivan", "/Data/Sbp/lastName": "Petrov",
		} {
			if err := expect(res.URL.Path+" "+ptr, res.Get(ptr), want); err != nil {
				return err
			}
		}
	}
	methods := func(res *Response) map[string]map[string]any {
		out := map[string]map[string]any{}
		list, _ := res.Get("/Data/PayoutMethods").([]any)
		for _, m := range list {
			mm, _ := m.(map[string]any)
			id, _ := mm["extId"].(string)
			out[id] = mm
		}
		return out
	}
	m1, m2 := methods(v1), methods(v2)
	if len(m1) != 2 || len(m2) != 2 {
		return fmt.Errorf("the recipient lists %d (v1) and %d (v2) payout methods, want the 2 added", len(m1), len(m2))
	}
	if err := expect("v1 SBP methodType", mustLookup(m1[sbp], "/methodType"), "SBP"); err != nil {
		return err
	}
	if err := expect("v1 card methodType", mustLookup(m1[card], "/methodType"), "CARD"); err != nil {
		return err
	}
	if err := expect("v2 SBP Details.bankId", mustLookup(m2[sbp], "/Details/bankId"), "100000000111"); err != nil {
		return err
	}
	if masked, _ := mustLookup(m2[card], "/Details/maskedCardNumber").(string); masked == "" {
		return fmt.Errorf("v2 card has no Details.maskedCardNumber: %s", show(m2[card]))
	}
	return nil
}

// orderReadable creates an order with one API version and reads it back
// in all three views.
func orderReadable(c *Ctx, version string) error {
	id, service := c.NewID(), c.NewID()
	recipientV12 := map[string]any{"extId": DefaultMedusaRecipient, "method": "SBP", "cardExtId": DefaultMedusaPayoutMethod}
	payment := map[string]any{"type": "acquiring", "redirectUrl": "https://shop.example/ok", "redirectFailUrl": "https://shop.example/fail", "paymentUrlTtl": 60, "purpose": "Lifecycle"}
	var req *Request
	switch version {
	case "v1":
		req = c.Medusa("POST", "/medusa/v1.0/orders", map[string]any{"Data": map[string]any{
			"orderExtId": id, "orderCommission": "100.00", "IncomingPayment": payment,
			"Services": []any{map[string]any{"extId": service, "price": "1000.00", "startDecision": "not_decided", "Recipient": recipientV12}}}})
	case "v2":
		req = c.Medusa("POST", "/medusa/v2.0/orders", map[string]any{"Data": map[string]any{
			"orderExtId": id, "IncomingPayment": payment,
			"Services": []any{map[string]any{"extId": service, "price": "1000.00", "commission": "100.00", "startDecision": "not_decided", "Recipient": recipientV12}}}})
	default:
		body, o := c.NewOrderV3Body(OrderOptions{})
		id, service = o.ExtID, o.Service()
		req = c.Medusa("POST", "/medusa/v3.0/orders", body)
	}
	if _, err := c.Call(req, http.StatusOK); err != nil {
		return err
	}
	checks := map[string]map[string]any{
		"/medusa/v1.0/orders/" + id: {
			"/Data/orderExtId": id, "/Data/state": "waiting_user_payment", "/Data/totalPrice": "1000.00",
			"/Data/orderCommission": "100.00", "/Data/acquiringCommission": "20.00", "/Data/medusaCommission": "25.00",
			"/Data/platformCommission": "75.00", "/Data/Services/0/extId": service, "/Data/Services/0/state": "not_ready",
			"/Data/Services/0/price": "1000.00", "/Data/Services/0/decision": "not_decided",
			"/Data/Services/0/Recipient/extId": DefaultMedusaRecipient,
		},
	}
	for _, v := range []string{"v2.0", "v3.0"} {
		checks["/medusa/"+v+"/orders/"+id] = map[string]any{
			"/Data/extId": id, "/Data/version": float64(1), "/Data/state": "waiting_user_payment",
			"/Data/Services/0/extId": service, "/Data/Services/0/state": "not_ready", "/Data/Services/0/price": "1000.00",
			"/Data/Services/0/commission": "100.00", "/Data/Services/0/decision": "not_decided",
			"/Data/Services/0/incomePaymentCommissionSum": "20.00", "/Data/Services/0/outgoingPayoutCommissionSum": "5.00",
			"/Data/Services/0/platformCommissionSum": "75.00", "/Data/Services/0/Recipient/extId": DefaultMedusaRecipient,
			"/Data/Services/0/Recipient/Method/payoutMethodExtId": DefaultMedusaPayoutMethod,
			"/Data/Services/0/Recipient/Method/type":              "SBP",
		}
	}
	for path, fields := range checks {
		res, err := c.Call(c.Medusa("GET", path, nil), http.StatusOK)
		if err != nil {
			return err
		}
		for ptr, want := range fields {
			if err := expect(path+" "+ptr, res.Get(ptr), want); err != nil {
				return err
			}
		}
	}
	return nil
}

// fullWalk is the README's walk: two services, one confirmed and one
// rejected, every step; the ledger ends settled.
func fullWalk(c *Ctx) error {
	o, err := c.NewOrderV3(OrderOptions{Services: []MedusaService{{Price: "1000.00", Commission: "100.00"}, {Price: "500.00", Commission: "50.00"}}})
	if err != nil {
		return err
	}
	second := &MedusaOrder{ExtID: o.ExtID, Services: []string{o.Services[1]}, Token: o.Token}
	if err := c.Act(o, stepPaid); err != nil {
		return err
	}
	if _, err := c.Call(c.Medusa("POST", "/medusa/v1.0/orders/"+o.ExtID+"/decisions", map[string]any{"Data": map[string]any{"Decisions": []any{
		map[string]any{"serviceExtId": o.Services[0], "decision": "confirmed"},
		map[string]any{"serviceExtId": o.Services[1], "decision": "rejected"},
	}}}), http.StatusOK); err != nil {
		return err
	}
	for _, step := range []struct {
		order  *MedusaOrder
		action string
	}{{o, stepPayout}, {o, stepPayoutCommission}, {second, stepRefund}, {o, stepAcquiring}, {o, stepMove}, {o, stepPlatform}} {
		if err := c.Act(step.order, step.action); err != nil {
			return err
		}
	}
	ledger, err := c.Ledger(o)
	if err != nil {
		return err
	}
	if err := expect("balances", mustLookup(ledger, "/balances"), map[string]any{"nominal": "0.00", "commission": "0.00", "settlement": "75.00"}); err != nil {
		return err
	}
	entries, _ := mustLookup(ledger, "/entries").([]any)
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%s %s→%s %s", mustLookup(e, "/step"), mustLookup(e, "/debit"), mustLookup(e, "/credit"), mustLookup(e, "/amount")))
	}
	want := []string{
		"mark_order_paid_by_acquirer buyer→nominal 1500.00",
		"proceed_service_payout_to_recipient nominal→recipient 900.00",
		"proceed_service_payout_commission nominal→bank 5.00",
		"proceed_refund nominal→buyer 500.00",
		"proceed_acquiring_commission nominal→bank 20.00",
		"move_platform_commission_to_commission_account nominal→commission 75.00",
		"proceed_platform_commission commission→settlement 75.00",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		return fmt.Errorf("ledger entries:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	view, err := c.OrderV3(o)
	if err != nil {
		return err
	}
	for ptr, want := range map[string]any{"/state": "finished", "/Services/0/state": "executed", "/Services/1/state": "executed"} {
		if err := expect("the order's "+ptr, mustLookup(view, ptr), want); err != nil {
			return err
		}
	}
	return nil
}

// isolation: another platform's token gets 404 for an order and a
// recipient of the default platform, and its steps change nothing.
func isolation(c *Ctx) error {
	o, err := c.NewOrderV3(OrderOptions{})
	if err != nil {
		return err
	}
	other, err := c.NewPlatform()
	if err != nil {
		return err
	}
	for _, r := range []*Request{
		c.Medusa("GET", "/medusa/v1.0/orders/"+o.ExtID, nil),
		c.Medusa("GET", "/medusa/v2.0/orders/"+o.ExtID, nil),
		c.Medusa("GET", "/medusa/v3.0/orders/"+o.ExtID, nil),
		c.Control("GET", "/sandbox/v1/medusa/orders/"+o.ExtID+"/ledger", nil),
		c.Medusa("GET", "/medusa/v1.0/recipients/"+DefaultMedusaRecipient, nil),
		c.Medusa("GET", "/medusa/v2.0/recipients/"+DefaultMedusaRecipient, nil),
	} {
		res, err := c.Call(r.Bearer(other), http.StatusNotFound)
		if err != nil {
			return err
		}
		if err := medusaErrorCode("NotFoundError")(res.Value); err != nil {
			return err
		}
	}
	return c.Unchanged(o, func() error {
		for _, a := range []string{stepPaid, stepFailed, "decide:confirmed"} {
			r := c.actionRequest(&MedusaOrder{ExtID: o.ExtID, Services: o.Services, Token: other}, a)
			if _, err := c.Call(r, http.StatusNotFound); err != nil {
				return err
			}
		}
		return nil
	})
}
