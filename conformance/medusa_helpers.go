package conformance

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
)

// The Medusa default credentials every paysandbox has (design §2).
const (
	DefaultMedusaRecipient    = "00000000-0000-4000-8000-000000000001"
	DefaultMedusaPayoutMethod = "00000000-0000-4000-8000-000000000002"
)

func init() {
	registerProfile("medusa", &apiProfile{
		validationStatus: http.StatusBadRequest,
		validationError:  medusaErrorCode("ValidationError"),
		credentials:      bearerCredentials,
		invariants:       medusaInvariants,
	})
}

func bearerCredentials(c *Ctx, op *operation, r *Request) {
	if requiresBearer(c.env.specs.byName[op.api], op) {
		r.Bearer(c.MedusaToken())
	}
}

// medusaErrorCode checks a Medusa error envelope's first errorCode.
func medusaErrorCode(want string) func(body any) error {
	return func(body any) error {
		got, _ := lookup(body, "/Errors/0/errorCode")
		if got != want {
			return fmt.Errorf("Errors[0].errorCode is %s, want %s", show(got), want)
		}
		return nil
	}
}

// medusaInvariants: every error is the envelope with the status as `code`
// and at least one detail; every 200 with Links names the request's own URL.
func medusaInvariants(req *Request, resp *Response) []string {
	var problems []string
	m, _ := resp.Value.(map[string]any)
	if resp.Status >= 400 {
		if m == nil {
			return []string{"the error answer is not a JSON object"}
		}
		if _, envelope := m["Errors"]; !envelope {
			return nil // not the Medusa envelope (the schema check says whether that is right)
		}
		if code, _ := m["code"].(string); code != strconv.Itoa(resp.Status) {
			problems = append(problems, fmt.Sprintf("code is %s, want the status %q", show(m["code"]), strconv.Itoa(resp.Status)))
		}
		if errs, _ := m["Errors"].([]any); len(errs) == 0 {
			problems = append(problems, "Errors is empty")
		}
	}
	if resp.Status == http.StatusOK && m != nil {
		if self, ok := lookup(m, "/Links/self"); ok {
			s, _ := self.(string)
			u, err := url.Parse(s)
			if err != nil || u.RequestURI() != resp.URL.RequestURI() {
				problems = append(problems, fmt.Sprintf("Links.self is %q, not the URL of the request (%s)", s, resp.URL.RequestURI()))
			}
		}
	}
	return problems
}

// MedusaToken is the all-permissions token of the server under test.
func (c *Ctx) MedusaToken() string { return c.env.cfg.MedusaToken }

// Medusa builds a Medusa request carrying the default token.
func (c *Ctx) Medusa(method, path string, body any) *Request {
	return NewRequest("medusa", method, path, body).Bearer(c.MedusaToken())
}

// Control builds a request of the sandbox control API (no credentials).
func (c *Ctx) Control(method, path string, body any) *Request {
	return NewRequest("sandbox", method, path, body)
}

// NewMedusaToken creates, through the control API, a token of platform
// with the given permissions and returns it.
func (c *Ctx) NewMedusaToken(platform string, permissions ...string) (string, error) {
	if permissions == nil {
		permissions = []string{}
	}
	token := c.Unique("conformance.token.")
	_, err := c.Call(c.Control("POST", "/sandbox/v1/medusa/tokens",
		map[string]any{"platform": platform, "token": token, "permissions": permissions}), http.StatusCreated)
	return token, err
}

// NewPlatform creates a platform of its own and returns its token with the
// medusa permission: a clean slate for lists and reports.
func (c *Ctx) NewPlatform() (string, error) {
	return c.NewMedusaToken(c.Unique("conformance-"), "medusa")
}

// ForbiddenToken returns a token that authenticates but has no permission.
func (c *Ctx) ForbiddenToken() (string, error) {
	return c.NewMedusaToken(c.Unique("conformance-"))
}

// MedusaRecipient is a recipient and its SBP payout method.
type MedusaRecipient struct{ ExtID, PayoutExtID string }

// DefaultRecipient is the default recipient of the default platform.
var DefaultRecipient = &MedusaRecipient{ExtID: DefaultMedusaRecipient, PayoutExtID: DefaultMedusaPayoutMethod}

// NewBareRecipient creates a recipient of the token's platform, with SBP
// data when sbp is true, without payout methods.
func (c *Ctx) NewBareRecipient(token string, sbp bool) (string, error) {
	id := c.NewID()
	data := map[string]any{"extId": id, "name": "Conformance " + id[:8]}
	if sbp {
		data["Sbp"] = map[string]any{"phone": "+79001234567", "firstName": "Ivan", "lastName": "Petrov"}
	}
	_, err := c.Call(c.Medusa("POST", "/medusa/v1.0/recipients", map[string]any{"Data": data}).Bearer(token), http.StatusOK)
	return id, err
}

// NewRecipient creates a recipient with SBP data and an SBP payout method.
func (c *Ctx) NewRecipient(token string) (*MedusaRecipient, error) {
	id, err := c.NewBareRecipient(token, true)
	if err != nil {
		return nil, err
	}
	pm, err := c.AddSbpMethod(token, id)
	if err != nil {
		return nil, err
	}
	return &MedusaRecipient{ExtID: id, PayoutExtID: pm}, nil
}

// AddSbpMethod adds an SBP payout method (bank 100000000111) to a recipient.
func (c *Ctx) AddSbpMethod(token, recipient string) (string, error) {
	id := c.NewID()
	_, err := c.Call(c.Medusa("POST", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/sbp",
		map[string]any{"Data": map[string]any{"SbpPayoutMethod": map[string]any{"payoutMethodExtId": id, "bankId": "100000000111"}}}).Bearer(token), http.StatusOK)
	return id, err
}

// AddCardMethod adds a card payout method to a recipient.
func (c *Ctx) AddCardMethod(token, recipient string) (string, error) {
	id := c.NewID()
	_, err := c.Call(c.Medusa("POST", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/cards",
		map[string]any{"Data": map[string]any{"CardPayoutMethod": map[string]any{"payoutMethodExtId": id, "redirectUrl": "https://shop.example/card"}}}).Bearer(token), http.StatusOK)
	return id, err
}

// MedusaService is a service of an order to create.
type MedusaService struct{ Price, Commission, Decision string }

// MedusaOrder is an order created by a check.
type MedusaOrder struct {
	ExtID    string
	Services []string
	Token    string
}

// Service returns the order's only (first) service.
func (o *MedusaOrder) Service() string { return o.Services[0] }

// OrderOptions describe an order to create; zero values mean the default
// token and recipient and one service of 1000.00 with a commission of
// 100.00, not decided.
type OrderOptions struct {
	Token     string
	Recipient *MedusaRecipient
	Services  []MedusaService
}

func (o OrderOptions) withDefaults(c *Ctx) OrderOptions {
	if o.Token == "" {
		o.Token = c.MedusaToken()
	}
	if o.Recipient == nil {
		o.Recipient = DefaultRecipient
	}
	if len(o.Services) == 0 {
		o.Services = []MedusaService{{}}
	}
	for i := range o.Services {
		s := &o.Services[i]
		if s.Price == "" {
			s.Price = "1000.00"
		}
		if s.Commission == "" {
			s.Commission = "100.00"
		}
		if s.Decision == "" {
			s.Decision = "not_decided"
		}
	}
	return o
}

// NewOrderV3Body returns a createOrderV3 body and the order's and services' ids.
func (c *Ctx) NewOrderV3Body(o OrderOptions) (map[string]any, *MedusaOrder) {
	o = o.withDefaults(c)
	order := &MedusaOrder{ExtID: c.NewID(), Token: o.Token}
	var services []any
	for _, s := range o.Services {
		id := c.NewID()
		order.Services = append(order.Services, id)
		services = append(services, map[string]any{
			"extId": id, "price": s.Price, "commission": s.Commission, "startDecision": s.Decision,
			"Recipient": map[string]any{"extId": o.Recipient.ExtID, "payoutExtId": o.Recipient.PayoutExtID},
		})
	}
	body := map[string]any{"Data": map[string]any{
		"extId": order.ExtID,
		"IncomingPayment": map[string]any{"type": "acquiring", "Details": map[string]any{
			"sbpNeeded": true, "cardNeeded": true, "redirectUrl": "https://shop.example/ok",
			"failRedirectUrl": "https://shop.example/fail", "ttl": 60, "purpose": "Conformance order"}},
		"Services": services,
	}}
	return body, order
}

// NewOrderV3 creates an order with createOrderV3.
func (c *Ctx) NewOrderV3(o OrderOptions) (*MedusaOrder, error) {
	body, order := c.NewOrderV3Body(o)
	_, err := c.Call(c.Medusa("POST", "/medusa/v3.0/orders", body).Bearer(order.Token), http.StatusOK)
	return order, err
}

// medusaStep is one sandbox step of the seed.
type medusaStep struct {
	path        string // the seed's path name, also the ledger's step name
	operationID string
	service     bool   // acts on a service (serviceExtId), not an order
	result      string // Data.result when it succeeds
}

const (
	stepPaid             = "mark_order_paid_by_acquirer"
	stepFailed           = "mark_order_acquiring_payment_failed"
	stepPayout           = "proceed_service_payout_to_recipient"
	stepRefund           = "proceed_refund"
	stepPayoutCommission = "proceed_service_payout_commission"
	stepAcquiring        = "proceed_acquiring_commission"
	stepMove             = "move_platform_commission_to_commission_account"
	stepPlatform         = "proceed_platform_commission"
)

var medusaSteps = []medusaStep{
	{stepPaid, "markOrderPaidByAcquirer", false, "waiting_services"},
	{stepFailed, "markOrderAcquiringPaymentFailed", false, "canceled"},
	{stepPayout, "proceedServicePayoutToRecipient", true, "executing"},
	{stepRefund, "proceedRefund", true, "executed"},
	{stepPayoutCommission, "proceedServicePayoutCommission", true, "executed"},
	{stepAcquiring, "proceedAcquiringCommission", false, "waiting_services"},
	{stepMove, "movePlatformCommissionToCommissionAccount", false, "waiting_services"},
	{stepPlatform, "proceedPlatformCommission", false, "finished"},
}

func stepNamed(path string) medusaStep {
	for _, s := range medusaSteps {
		if s.path == path {
			return s
		}
	}
	panic("conformance: no sandbox step " + path)
}

// StepRequest builds the request of a sandbox step (the seed's flat body)
// for the order, or for its first service when the step acts on services.
func (c *Ctx) StepRequest(token, step string, o *MedusaOrder) *Request {
	s := stepNamed(step)
	body := map[string]any{"orderExtId": o.ExtID}
	if s.service {
		body = map[string]any{"serviceExtId": o.Service()}
	}
	return c.Medusa("POST", "/medusa/v1.0/sandbox/"+step, body).Bearer(token)
}

// Step runs a sandbox step that must succeed and returns Data.result.
func (c *Ctx) Step(step string, o *MedusaOrder) (string, error) {
	res, err := c.Call(c.StepRequest(o.Token, step, o), http.StatusOK)
	if err != nil {
		return "", err
	}
	return res.Str("/Data/result"), nil
}

// DecisionRequest builds a decisions call on the order's first service.
func (c *Ctx) DecisionRequest(o *MedusaOrder, decision string) *Request {
	return c.Medusa("POST", "/medusa/v1.0/orders/"+o.ExtID+"/decisions", map[string]any{"Data": map[string]any{
		"Decisions": []any{map[string]any{"serviceExtId": o.Service(), "decision": decision}}}}).Bearer(o.Token)
}

// Decide records a decision on the order's first service.
func (c *Ctx) Decide(o *MedusaOrder, decision string) error {
	_, err := c.Call(c.DecisionRequest(o, decision), http.StatusOK)
	return err
}

// medusaStates are the states of a one-service order the suite drives
// orders to, each as the actions that reach it from a new order: a step's
// path name, or "decide:<decision>".
var medusaStates = []struct {
	name    string
	actions []string
}{
	{"new", nil},
	{"canceled", []string{stepFailed}},
	{"paid", []string{stepPaid}},
	{"confirmed", []string{stepPaid, "decide:confirmed"}},
	{"rejected", []string{stepPaid, "decide:rejected"}},
	{"executing", []string{stepPaid, "decide:confirmed", stepPayout}},
	{"executed", []string{stepPaid, "decide:confirmed", stepPayout, stepPayoutCommission}},
	{"refunded", []string{stepPaid, "decide:rejected", stepRefund}},
	{"executing-acquired", []string{stepPaid, "decide:confirmed", stepPayout, stepAcquiring}},
	{"acquired", []string{stepPaid, "decide:confirmed", stepPayout, stepPayoutCommission, stepAcquiring}},
	{"moved", []string{stepPaid, "decide:confirmed", stepPayout, stepPayoutCommission, stepAcquiring, stepMove}},
	{"finished", []string{stepPaid, "decide:confirmed", stepPayout, stepPayoutCommission, stepAcquiring, stepMove, stepPlatform}},
}

// Act runs one action of medusaStates on an order.
func (c *Ctx) Act(o *MedusaOrder, action string) error {
	if d, ok := strings.CutPrefix(action, "decide:"); ok {
		return c.Decide(o, d)
	}
	got, err := c.Step(action, o)
	if err != nil {
		return err
	}
	if want := stepNamed(action).result; got != want {
		return fmt.Errorf("%s: Data.result is %q, want %q", action, got, want)
	}
	return nil
}

// OrderIn creates a one-service order (1000.00, commission 100.00) of the
// default recipient and drives it to a state of medusaStates.
func (c *Ctx) OrderIn(o OrderOptions, state string) (*MedusaOrder, error) {
	for _, s := range medusaStates {
		if s.name != state {
			continue
		}
		order, err := c.NewOrderV3(o)
		if err != nil {
			return nil, err
		}
		for _, a := range s.actions {
			if err := c.Act(order, a); err != nil {
				return nil, fmt.Errorf("driving order to %s: %w", state, err)
			}
		}
		return order, nil
	}
	return nil, fmt.Errorf("conformance: no order state %q", state)
}

// OrderV3 reads an order with getOrderV3 and returns its Data.
func (c *Ctx) OrderV3(o *MedusaOrder) (any, error) {
	res, err := c.Call(c.Medusa("GET", "/medusa/v3.0/orders/"+o.ExtID, nil).Bearer(o.Token), http.StatusOK)
	if err != nil {
		return nil, err
	}
	return res.Get("/Data"), nil
}

// Ledger reads an order's ledger through the control API.
func (c *Ctx) Ledger(o *MedusaOrder) (any, error) {
	res, err := c.Call(c.Control("GET", "/sandbox/v1/medusa/orders/"+o.ExtID+"/ledger", nil).Bearer(o.Token), http.StatusOK)
	if err != nil {
		return nil, err
	}
	return res.Value, nil
}

// Unchanged runs action and checks that the order (getOrderV3) and its
// ledger are the same before and after.
func (c *Ctx) Unchanged(o *MedusaOrder, action func() error) error {
	before, err := c.OrderV3(o)
	if err != nil {
		return err
	}
	ledgerBefore, err := c.Ledger(o)
	if err != nil {
		return err
	}
	if err := action(); err != nil {
		return err
	}
	after, err := c.OrderV3(o)
	if err != nil {
		return err
	}
	ledgerAfter, err := c.Ledger(o)
	if err != nil {
		return err
	}
	var diffs []string
	if !reflect.DeepEqual(before, after) {
		diffs = append(diffs, "the order changed: "+diffSummary(before, after))
	}
	if !reflect.DeepEqual(ledgerBefore, ledgerAfter) {
		diffs = append(diffs, "the ledger changed: "+diffSummary(ledgerBefore, ledgerAfter))
	}
	if len(diffs) > 0 {
		return fmt.Errorf("a refused request changed state:\n  %s", strings.Join(diffs, "\n  "))
	}
	return nil
}

// diffSummary names the first few leaves that differ.
func diffSummary(before, after any) string {
	var out []string
	var walk func(at string, a, b any)
	walk = func(at string, a, b any) {
		if len(out) >= 5 || reflect.DeepEqual(a, b) {
			return
		}
		am, aok := a.(map[string]any)
		bm, bok := b.(map[string]any)
		if aok && bok {
			keys := map[string]bool{}
			for k := range am {
				keys[k] = true
			}
			for k := range bm {
				keys[k] = true
			}
			for _, k := range sortedKeys(keys) {
				walk(at+"/"+k, am[k], bm[k])
			}
			return
		}
		as, aok := a.([]any)
		bs, bok := b.([]any)
		if aok && bok && len(as) == len(bs) {
			for i := range as {
				walk(fmt.Sprintf("%s/%d", at, i), as[i], bs[i])
			}
			return
		}
		out = append(out, fmt.Sprintf("%s: %s → %s", at, show(a), show(b)))
	}
	walk("", before, after)
	return strings.Join(out, "; ")
}

// ArmFault arms one failure of an operation through the control API.
func (c *Ctx) ArmFault(api, operationID string, status int) error {
	_, err := c.Call(c.Control("POST", "/sandbox/v1/faults",
		map[string]any{"api": api, "operationId": operationID, "status": status, "times": 1}), http.StatusCreated)
	return err
}

// expect returns an error when got is not want.
func expect(what string, got, want any) error {
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("%s is %s, want %s", what, show(got), show(want))
	}
	return nil
}
