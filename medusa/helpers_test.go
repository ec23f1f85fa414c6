package medusa

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// Shared fixtures and helpers of the medusa tests.

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

// at returns a distinct, recognisable instant for step n.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

// dec parses a decimal literal of a test table.
func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// wantCode asserts that err is a *Error with the given code ("" = no error).
func wantCode(t *testing.T, err error, code ErrorCode) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("error code = %s (%v), want %s", e.Code, err, code)
	}
	if e.Message == "" {
		t.Fatalf("error %s has an empty message", code)
	}
}

// decEq compares decimals by value.
func decEq(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

const (
	testPlatform  = "platform-1"
	recipientSBP  = "rcpt-sbp"
	recipientCard = "rcpt-card"
	pmSBP         = "pm-sbp"
	pmSBP2        = "pm-sbp-2"
	pmCard        = "pm-card"
)

// testRecipientsMap returns the platform's recipients of the tests.
func testRecipientsMap() map[string]*Recipient {
	return map[string]*Recipient{
		recipientSBP: {
			PlatformID: testPlatform, ExtID: recipientSBP, Name: "SBP seller",
			Sbp: &SbpData{Phone: "+79001112233", FirstName: "Ivan", LastName: "Petrov"},
			PayoutMethods: []PayoutMethod{
				{ExtID: pmSBP, Type: PayoutSBP, BankID: "100000000284", CreatedAt: t0},
				{ExtID: pmSBP2, Type: PayoutSBP, BankID: "100000000111", CreatedAt: t0},
			},
		},
		recipientCard: {
			PlatformID: testPlatform, ExtID: recipientCard, Name: "Card seller",
			PayoutMethods: []PayoutMethod{
				{ExtID: pmCard, Type: PayoutCard, MaskedCardNumber: "220000******0000", RedirectURL: "https://example.com/back", CreatedAt: t0},
			},
		},
	}
}

func testRecipients() RecipientLookup {
	m := testRecipientsMap()
	return func(extID string) (*Recipient, error) {
		r, ok := m[extID]
		if !ok {
			return nil, Errorf(ENotFound, "recipient %s not found", extID)
		}
		return r, nil
	}
}

func testPaymentURL(extID string) string { return "https://sandbox.test/pay/" + extID }

// Service ids of the standard order.
const (
	svcA = "svc-a" // 1000.00, commission 100.00: acquiring 20.00, payout 5.00, platform 75.00
	svcB = "svc-b" // 500.00, commission 50.00: acquiring 10.00, payout 2.50, platform 37.50
	svcX = "svc-unknown"
)

// newStdOrder builds the standard two-service v2 order through BuildOrder,
// with the given start decisions of A and B.
func newStdOrder(t *testing.T, startA, startB Decision) *Order {
	t.Helper()
	o, err := BuildOrder(testPlatform, NewOrder{
		APIVersion: 2,
		ExtID:      "order-1",
		Services: []NewService{
			{ExtID: svcA, Price: "1000.00", Commission: "100.00", RecipientExtID: recipientSBP, PayoutMethodExtID: pmSBP, StartDecision: startA},
			{ExtID: svcB, Price: "500.00", Commission: "50.00", RecipientExtID: recipientCard, PayoutMethodExtID: pmCard, StartDecision: startB},
		},
	}, DefaultTariff, testRecipients(), testPaymentURL, t0)
	if err != nil {
		t.Fatalf("BuildOrder: %v", err)
	}
	return o
}

// cloneTime deep-copies a time pointer.
func cloneTime(p *time.Time) *time.Time {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cloneOrder is a deep copy: nothing of the copy shares memory with o that a
// transition could write through (decimals are immutable values).
func cloneOrder(o *Order) *Order {
	c := *o
	if o.Receipt != nil {
		r := *o.Receipt
		c.Receipt = &r
	}
	if o.Services != nil {
		c.Services = make([]Service, len(o.Services))
		for i, s := range o.Services {
			s.DecisionMadeAt = cloneTime(s.DecisionMadeAt)
			s.ExecutedAt = cloneTime(s.ExecutedAt)
			c.Services[i] = s
		}
	}
	c.PayedAt = cloneTime(o.PayedAt)
	c.FinishedAt = cloneTime(o.FinishedAt)
	c.AcquiringChargedAt = cloneTime(o.AcquiringChargedAt)
	c.CommissionMovedAt = cloneTime(o.CommissionMovedAt)
	c.PlatformCommissionPaidAt = cloneTime(o.PlatformCommissionPaidAt)
	if o.NewPostings != nil {
		c.NewPostings = append([]Posting(nil), o.NewPostings...)
	}
	return &c
}

// assertUnchanged checks that a rejected transition left the order exactly
// as it was: states, version, balances, timestamps, and no new postings.
func assertUnchanged(t *testing.T, before, after *Order) {
	t.Helper()
	if after.State != before.State {
		t.Errorf("order state changed: %s → %s", before.State, after.State)
	}
	if after.Version != before.Version {
		t.Errorf("order version changed: %d → %d", before.Version, after.Version)
	}
	for i := range before.Services {
		b, a := before.Services[i], after.Services[i]
		if a.State != b.State || a.Decision != b.Decision {
			t.Errorf("service %s changed: %s/%s → %s/%s", b.ExtID, b.State, b.Decision, a.State, a.Decision)
		}
	}
	if !after.Balances.Nominal.Equal(before.Balances.Nominal) ||
		!after.Balances.Commission.Equal(before.Balances.Commission) ||
		!after.Balances.Settlement.Equal(before.Balances.Settlement) {
		t.Errorf("balances changed: %+v → %+v", before.Balances, after.Balances)
	}
	if len(after.NewPostings) != 0 {
		t.Errorf("NewPostings = %+v, want none", after.NewPostings)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("order changed by a rejected transition:\nbefore %+v\nafter  %+v", before, after)
	}
}

// commit is what the store does after a successful transition: it appends
// NewPostings to the ledger and clears them.
func commit(o *Order, ledger []Posting) []Posting {
	ledger = append(ledger, o.NewPostings...)
	o.NewPostings = nil
	return ledger
}

// A step is one transition of the state machine, as the tests drive it.
type step struct {
	name  string
	apply func(o *Order, now time.Time) error
}

func decideStep(svc string, d Decision) func(*Order, time.Time) error {
	return func(o *Order, now time.Time) error {
		return o.Decide([]ServiceDecision{{ServiceExtID: svc, Decision: d}}, now)
	}
}

func serviceStep(f func(*Order, string, time.Time) error, svc string) func(*Order, time.Time) error {
	return func(o *Order, now time.Time) error { return f(o, svc, now) }
}

// Step names used by setups and the transition matrix.
const (
	stPay      = "Step02 paid"
	stFail     = "Step02 failed"
	stDecAConf = "decide A confirmed"
	stDecARej  = "decide A rejected"
	stDecBConf = "decide B confirmed"
	stDecBRej  = "decide B rejected"
	stDecX     = "decide unknown"
	st03AA     = "03A A"
	st04A      = "04 A"
	st03BA     = "03B A"
	st03AB     = "03A B"
	st04B      = "04 B"
	st03BB     = "03B B"
	st03AX     = "03A unknown"
	st04X      = "04 unknown"
	st03BX     = "03B unknown"
	st05       = "05"
	st06       = "06"
	st07       = "07"
)

// allSteps lists every transition, in the matrix's column order.
var allSteps = []step{
	{stPay, (*Order).MarkPaidByAcquirer},
	{stFail, (*Order).MarkAcquiringPaymentFailed},
	{stDecAConf, decideStep(svcA, DecisionConfirmed)},
	{stDecARej, decideStep(svcA, DecisionRejected)},
	{stDecBConf, decideStep(svcB, DecisionConfirmed)},
	{stDecBRej, decideStep(svcB, DecisionRejected)},
	{stDecX, decideStep(svcX, DecisionConfirmed)},
	{st03AA, serviceStep((*Order).PayoutToRecipient, svcA)},
	{st04A, serviceStep((*Order).PayoutCommission, svcA)},
	{st03BA, serviceStep((*Order).Refund, svcA)},
	{st03AB, serviceStep((*Order).PayoutToRecipient, svcB)},
	{st04B, serviceStep((*Order).PayoutCommission, svcB)},
	{st03BB, serviceStep((*Order).Refund, svcB)},
	{st03AX, serviceStep((*Order).PayoutToRecipient, svcX)},
	{st04X, serviceStep((*Order).PayoutCommission, svcX)},
	{st03BX, serviceStep((*Order).Refund, svcX)},
	{st05, (*Order).AcquiringCommission},
	{st06, (*Order).MovePlatformCommission},
	{st07, (*Order).PlatformCommission},
}

func stepByName(t *testing.T, name string) step {
	t.Helper()
	for _, s := range allSteps {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("unknown step %q", name)
	return step{}
}

// reach builds the standard order and applies path, each step of which must
// be legal, committing postings as the store would. It returns the order and
// the ledger so far.
func reach(t *testing.T, path []string) (*Order, []Posting) {
	t.Helper()
	o := newStdOrder(t, "", "")
	var ledger []Posting
	for i, name := range path {
		if err := stepByName(t, name).apply(o, at(i+1)); err != nil {
			t.Fatalf("setup step %d %q: %v", i, name, err)
		}
		ledger = commit(o, ledger)
	}
	return o, ledger
}
