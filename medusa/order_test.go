package medusa

import (
	"strings"
	"testing"
	"time"
)

// stampFields names every timestamp a transition may set, so that a test can
// say which ones it sets and check that all the others are left alone.
var stampFields = []string{
	"PayedAt", "FinishedAt", "AcquiringChargedAt", "CommissionMovedAt", "PlatformCommissionPaidAt",
	"A.DecisionMadeAt", "A.ExecutedAt", "B.DecisionMadeAt", "B.ExecutedAt",
}

func stamp(o *Order, field string) *time.Time {
	switch field {
	case "PayedAt":
		return o.PayedAt
	case "FinishedAt":
		return o.FinishedAt
	case "AcquiringChargedAt":
		return o.AcquiringChargedAt
	case "CommissionMovedAt":
		return o.CommissionMovedAt
	case "PlatformCommissionPaidAt":
		return o.PlatformCommissionPaidAt
	case "A.DecisionMadeAt":
		return o.Service(svcA).DecisionMadeAt
	case "A.ExecutedAt":
		return o.Service(svcA).ExecutedAt
	case "B.DecisionMadeAt":
		return o.Service(svcB).DecisionMadeAt
	case "B.ExecutedAt":
		return o.Service(svcB).ExecutedAt
	}
	panic("unknown stamp " + field)
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Equal(*b)
}

type svcWant struct {
	state    ServiceState
	decision Decision
}

// TestLegalTransitions runs every legal transition of design §3 as its own
// case and checks the new states, the timestamps set (and only those), the
// version bump, the balances and the exact postings.
func TestLegalTransitions(t *testing.T) {
	tests := []struct {
		name           string
		startA, startB Decision // start decisions of the standard order
		path           []string // legal steps before the one under test
		step           string
		wantOrder      OrderState
		wantA, wantB   svcWant
		stamped        []string  // timestamps the step sets to its now
		cleared        []string  // timestamps the step clears
		wantPostings   []Posting // Step, Debit, Credit, Amount (At is checked to be now)
		nominal        string
		commission     string
		settlement     string
	}{
		{
			name: "Step02 paid: undecided services wait for the platform", step: stPay,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceWaitingPlatformDecision, DecisionNotDecided},
			wantB:     svcWant{ServiceWaitingPlatformDecision, DecisionNotDecided},
			stamped:   []string{"PayedAt"},
			wantPostings: []Posting{
				{Step: StepMarkOrderPaidByAcquirer, Debit: AccountBuyer, Credit: AccountNominal, Amount: dec("1500.00")},
			},
			nominal: "1500.00", commission: "0", settlement: "0",
		},
		{
			name: "Step02 paid: start decisions confirmed/rejected are ready to execute", step: stPay,
			startA: DecisionConfirmed, startB: DecisionRejected,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			wantB:     svcWant{ServiceReadyToExecute, DecisionRejected},
			stamped:   []string{"PayedAt"},
			wantPostings: []Posting{
				{Step: StepMarkOrderPaidByAcquirer, Debit: AccountBuyer, Credit: AccountNominal, Amount: dec("1500.00")},
			},
			nominal: "1500.00", commission: "0", settlement: "0",
		},
		{
			name: "Step02 paid: mixed start decision and undecided", step: stPay,
			startA:    DecisionConfirmed,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			wantB:     svcWant{ServiceWaitingPlatformDecision, DecisionNotDecided},
			stamped:   []string{"PayedAt"},
			wantPostings: []Posting{
				{Step: StepMarkOrderPaidByAcquirer, Debit: AccountBuyer, Credit: AccountNominal, Amount: dec("1500.00")},
			},
			nominal: "1500.00", commission: "0", settlement: "0",
		},
		{
			name: "Step02 paid: decisions call before payment counts", path: []string{stDecAConf, stDecBRej}, step: stPay,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			wantB:     svcWant{ServiceReadyToExecute, DecisionRejected},
			stamped:   []string{"PayedAt"},
			wantPostings: []Posting{
				{Step: StepMarkOrderPaidByAcquirer, Debit: AccountBuyer, Credit: AccountNominal, Amount: dec("1500.00")},
			},
			nominal: "1500.00", commission: "0", settlement: "0",
		},
		{
			name: "Step02 failed: canceled, no money moves", step: stFail,
			wantOrder: OrderCanceled,
			wantA:     svcWant{ServiceNotReady, DecisionNotDecided},
			wantB:     svcWant{ServiceNotReady, DecisionNotDecided},
			stamped:   []string{"FinishedAt"},
			nominal:   "0", commission: "0", settlement: "0",
		},
		{
			name: "Step02 failed after a decision", path: []string{stDecAConf}, step: stFail,
			wantOrder: OrderCanceled,
			wantA:     svcWant{ServiceNotReady, DecisionConfirmed},
			wantB:     svcWant{ServiceNotReady, DecisionNotDecided},
			stamped:   []string{"FinishedAt"},
			nominal:   "0", commission: "0", settlement: "0",
		},
		{
			name: "decide before payment: decision recorded, still not_ready", step: stDecAConf,
			wantOrder: OrderWaitingUserPayment,
			wantA:     svcWant{ServiceNotReady, DecisionConfirmed},
			wantB:     svcWant{ServiceNotReady, DecisionNotDecided},
			stamped:   []string{"A.DecisionMadeAt"},
			nominal:   "0", commission: "0", settlement: "0",
		},
		{
			name: "reject before payment", step: stDecBRej,
			wantOrder: OrderWaitingUserPayment,
			wantA:     svcWant{ServiceNotReady, DecisionNotDecided},
			wantB:     svcWant{ServiceNotReady, DecisionRejected},
			stamped:   []string{"B.DecisionMadeAt"},
			nominal:   "0", commission: "0", settlement: "0",
		},
		{
			name: "decide after payment: confirmed is ready to execute", path: []string{stPay}, step: stDecAConf,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			wantB:     svcWant{ServiceWaitingPlatformDecision, DecisionNotDecided},
			stamped:   []string{"A.DecisionMadeAt"},
			nominal:   "1500.00", commission: "0", settlement: "0",
		},
		{
			name: "decide after payment: rejected is ready to execute", path: []string{stPay}, step: stDecBRej,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceWaitingPlatformDecision, DecisionNotDecided},
			wantB:     svcWant{ServiceReadyToExecute, DecisionRejected},
			stamped:   []string{"B.DecisionMadeAt"},
			nominal:   "1500.00", commission: "0", settlement: "0",
		},
		{
			name: "03A: confirmed service pays the recipient price − commission", path: []string{stPay, stDecAConf, stDecBRej}, step: st03AA,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceExecuting, DecisionConfirmed},
			wantB:     svcWant{ServiceReadyToExecute, DecisionRejected},
			wantPostings: []Posting{
				{Step: StepProceedServicePayoutToRecipient, Debit: AccountNominal, Credit: AccountRecipient, Amount: dec("900.00")},
			},
			nominal: "600.00", commission: "0", settlement: "0",
		},
		{
			name: "04: payout fee to the bank, service executed", path: []string{stPay, stDecAConf, stDecBRej, st03AA}, step: st04A,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceExecuted, DecisionConfirmed},
			wantB:     svcWant{ServiceReadyToExecute, DecisionRejected},
			stamped:   []string{"A.ExecutedAt"},
			wantPostings: []Posting{
				{Step: StepProceedServicePayoutCommission, Debit: AccountNominal, Credit: AccountBank, Amount: dec("5.00")},
			},
			nominal: "595.00", commission: "0", settlement: "0",
		},
		{
			name: "04 with a fractional payout fee", path: []string{stPay, stDecAConf, stDecBConf, st03AB}, step: st04B,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			wantB:     svcWant{ServiceExecuted, DecisionConfirmed},
			stamped:   []string{"B.ExecutedAt"},
			wantPostings: []Posting{
				{Step: StepProceedServicePayoutCommission, Debit: AccountNominal, Credit: AccountBank, Amount: dec("2.50")},
			},
			nominal: "1047.50", commission: "0", settlement: "0",
		},
		{
			name: "03B: rejected service refunds the buyer the price", path: []string{stPay, stDecAConf, stDecBRej}, step: st03BB,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			wantB:     svcWant{ServiceExecuted, DecisionRejected},
			stamped:   []string{"B.ExecutedAt"},
			wantPostings: []Posting{
				{Step: StepProceedRefund, Debit: AccountNominal, Credit: AccountBuyer, Amount: dec("500.00")},
			},
			nominal: "1000.00", commission: "0", settlement: "0",
		},
		{
			name: "05: acquiring fee of the confirmed services only", path: []string{stPay, stDecAConf, stDecBRej}, step: st05,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			wantB:     svcWant{ServiceReadyToExecute, DecisionRejected},
			stamped:   []string{"AcquiringChargedAt"},
			wantPostings: []Posting{
				{Step: StepProceedAcquiringCommission, Debit: AccountNominal, Credit: AccountBank, Amount: dec("20.00")},
			},
			nominal: "1480.00", commission: "0", settlement: "0",
		},
		{
			name: "05: all confirmed", path: []string{stPay, stDecAConf, stDecBConf}, step: st05,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			wantB:     svcWant{ServiceReadyToExecute, DecisionConfirmed},
			stamped:   []string{"AcquiringChargedAt"},
			wantPostings: []Posting{
				{Step: StepProceedAcquiringCommission, Debit: AccountNominal, Credit: AccountBank, Amount: dec("30.00")},
			},
			nominal: "1470.00", commission: "0", settlement: "0",
		},
		{
			name: "05: all rejected charges nothing (no zero posting)", path: []string{stPay, stDecARej, stDecBRej}, step: st05,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceReadyToExecute, DecisionRejected},
			wantB:     svcWant{ServiceReadyToExecute, DecisionRejected},
			stamped:   []string{"AcquiringChargedAt"},
			nominal:   "1500.00", commission: "0", settlement: "0",
		},
		{
			name: "05 after the services are executed", path: []string{stPay, stDecAConf, stDecBRej, st03AA, st04A, st03BB}, step: st05,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceExecuted, DecisionConfirmed},
			wantB:     svcWant{ServiceExecuted, DecisionRejected},
			stamped:   []string{"AcquiringChargedAt"},
			wantPostings: []Posting{
				{Step: StepProceedAcquiringCommission, Debit: AccountNominal, Credit: AccountBank, Amount: dec("20.00")},
			},
			nominal: "75.00", commission: "0", settlement: "0",
		},
		{
			name: "06: the nominal balance (platform fees) moves to the commission account",
			path: []string{stPay, stDecAConf, stDecBRej, st03AA, st04A, st03BB, st05}, step: st06,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceExecuted, DecisionConfirmed},
			wantB:     svcWant{ServiceExecuted, DecisionRejected},
			stamped:   []string{"CommissionMovedAt"},
			wantPostings: []Posting{
				{Step: StepMovePlatformCommissionToCommissionAccount, Debit: AccountNominal, Credit: AccountCommission, Amount: dec("75.00")},
			},
			nominal: "0", commission: "75.00", settlement: "0",
		},
		{
			name: "06 with everything refunded moves nothing",
			path: []string{stPay, stDecARej, stDecBRej, st03BA, st03BB, st05}, step: st06,
			wantOrder: OrderWaitingServices,
			wantA:     svcWant{ServiceExecuted, DecisionRejected},
			wantB:     svcWant{ServiceExecuted, DecisionRejected},
			stamped:   []string{"CommissionMovedAt"},
			nominal:   "0", commission: "0", settlement: "0",
		},
		{
			name: "07: commission to settlement, order finished",
			path: []string{stPay, stDecAConf, stDecBRej, st03AA, st04A, st03BB, st05, st06}, step: st07,
			wantOrder: OrderFinished,
			wantA:     svcWant{ServiceExecuted, DecisionConfirmed},
			wantB:     svcWant{ServiceExecuted, DecisionRejected},
			stamped:   []string{"PlatformCommissionPaidAt", "FinishedAt"},
			wantPostings: []Posting{
				{Step: StepProceedPlatformCommission, Debit: AccountCommission, Credit: AccountSettlement, Amount: dec("75.00")},
			},
			nominal: "0", commission: "0", settlement: "75.00",
		},
		{
			name: "07: both confirmed settles both platform fees",
			path: []string{stPay, stDecAConf, stDecBConf, st03AA, st04A, st03AB, st04B, st05, st06}, step: st07,
			wantOrder: OrderFinished,
			wantA:     svcWant{ServiceExecuted, DecisionConfirmed},
			wantB:     svcWant{ServiceExecuted, DecisionConfirmed},
			stamped:   []string{"PlatformCommissionPaidAt", "FinishedAt"},
			wantPostings: []Posting{
				{Step: StepProceedPlatformCommission, Debit: AccountCommission, Credit: AccountSettlement, Amount: dec("112.50")},
			},
			nominal: "0", commission: "0", settlement: "112.50",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newStdOrder(t, tc.startA, tc.startB)
			var ledger []Posting
			for i, name := range tc.path {
				if err := stepByName(t, name).apply(o, at(i+1)); err != nil {
					t.Fatalf("setup step %q: %v", name, err)
				}
				ledger = commit(o, ledger)
			}
			before := cloneOrder(o)
			now := at(100)
			if err := stepByName(t, tc.step).apply(o, now); err != nil {
				t.Fatalf("%s: %v", tc.step, err)
			}
			if o.State != tc.wantOrder {
				t.Errorf("order state = %s, want %s", o.State, tc.wantOrder)
			}
			for _, c := range []struct {
				id   string
				want svcWant
			}{{svcA, tc.wantA}, {svcB, tc.wantB}} {
				s := o.Service(c.id)
				if s.State != c.want.state || s.Decision != c.want.decision {
					t.Errorf("service %s = %s/%s, want %s/%s", c.id, s.State, s.Decision, c.want.state, c.want.decision)
				}
			}
			if o.Version != before.Version+1 {
				t.Errorf("version = %d, want %d", o.Version, before.Version+1)
			}
			for _, f := range stampFields {
				got := stamp(o, f)
				switch {
				case contains(tc.stamped, f):
					if got == nil || !got.Equal(now) {
						t.Errorf("%s = %v, want %v", f, got, now)
					}
				case contains(tc.cleared, f):
					if got != nil {
						t.Errorf("%s = %v, want nil", f, got)
					}
				default:
					if !sameTime(got, stamp(before, f)) {
						t.Errorf("%s changed from %v to %v", f, stamp(before, f), got)
					}
				}
			}
			if len(o.NewPostings) != len(tc.wantPostings) {
				t.Fatalf("NewPostings = %+v, want %+v", o.NewPostings, tc.wantPostings)
			}
			for i, want := range tc.wantPostings {
				got := o.NewPostings[i]
				if got.Step != want.Step || got.Debit != want.Debit || got.Credit != want.Credit || !got.Amount.Equal(want.Amount) || !got.At.Equal(now) {
					t.Errorf("posting %d = {%s %s→%s %s at %v}, want {%s %s→%s %s at %v}",
						i, got.Step, got.Debit, got.Credit, got.Amount, got.At, want.Step, want.Debit, want.Credit, want.Amount, now)
				}
			}
			decEq(t, "nominal balance", o.Balances.Nominal, dec(tc.nominal))
			decEq(t, "commission balance", o.Balances.Commission, dec(tc.commission))
			decEq(t, "settlement balance", o.Balances.Settlement, dec(tc.settlement))
			// The kept balances always equal those derived from the ledger.
			ledger = commit(o, ledger)
			b := BalancesOf(ledger)
			if !b.Nominal.Equal(o.Balances.Nominal) || !b.Commission.Equal(o.Balances.Commission) || !b.Settlement.Equal(o.Balances.Settlement) {
				t.Errorf("Balances %+v differ from BalancesOf(ledger) %+v", o.Balances, b)
			}
			// Nothing else changed: the prices, fees, recipients, ids.
			for i := range o.Services {
				a, b := o.Services[i], before.Services[i]
				if a.ExtID != b.ExtID || !a.Price.Equal(b.Price) || !a.Commission.Equal(b.Commission) || a.Fees != b.Fees || a.Recipient != b.Recipient {
					t.Errorf("service %s data changed: %+v → %+v", b.ExtID, b, a)
				}
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestDecideSeveralAtOnce(t *testing.T) {
	o, _ := reach(t, []string{stPay})
	now := at(50)
	err := o.Decide([]ServiceDecision{{svcA, DecisionConfirmed}, {svcB, DecisionRejected}}, now)
	wantCode(t, err, "")
	if a := o.Service(svcA); a.State != ServiceReadyToExecute || a.Decision != DecisionConfirmed || !a.DecisionMadeAt.Equal(now) {
		t.Errorf("A = %+v", a)
	}
	if b := o.Service(svcB); b.State != ServiceReadyToExecute || b.Decision != DecisionRejected || !b.DecisionMadeAt.Equal(now) {
		t.Errorf("B = %+v", b)
	}
	if o.Version != 3 {
		t.Errorf("version = %d, want 3 (one bump per call)", o.Version)
	}
}

func TestDecideNotDecidedChangesNoService(t *testing.T) {
	o, _ := reach(t, []string{stPay})
	if err := o.Decide([]ServiceDecision{{svcA, DecisionNotDecided}}, at(50)); err != nil {
		t.Fatal(err)
	}
	a := o.Service(svcA)
	if a.State != ServiceWaitingPlatformDecision || a.Decision != DecisionNotDecided || a.DecisionMadeAt != nil {
		t.Errorf("A = %+v, want untouched", a)
	}
	if len(o.NewPostings) != 0 {
		t.Errorf("postings %+v", o.NewPostings)
	}
}

// TestDecideRejectsBadCalls: a bad call changes nothing, even when an
// earlier item of the same call was valid (all-or-nothing).
func TestDecideRejectsBadCalls(t *testing.T) {
	tests := []struct {
		name      string
		path      []string
		decisions []ServiceDecision
		want      ErrorCode
	}{
		{"no decisions", nil, nil, EValidation},
		{"invalid decision", nil, []ServiceDecision{{svcA, "maybe"}}, EValidation},
		{"empty decision", nil, []ServiceDecision{{svcA, ""}}, EValidation},
		{"service twice", nil, []ServiceDecision{{svcA, DecisionConfirmed}, {svcA, DecisionRejected}}, EValidation},
		{"unknown service after a valid one", nil, []ServiceDecision{{svcA, DecisionConfirmed}, {svcX, DecisionConfirmed}}, ENotFound},
		{"decided service after a valid one", []string{stPay, stDecBConf}, []ServiceDecision{{svcA, DecisionConfirmed}, {svcB, DecisionRejected}}, EInvalidState},
		{"re-decide the same way", []string{stDecAConf}, []ServiceDecision{{svcA, DecisionConfirmed}}, EInvalidState},
		{"not_decided on a decided service", []string{stDecAConf}, []ServiceDecision{{svcA, DecisionNotDecided}}, EInvalidState},
		{"executing service", []string{stPay, stDecAConf, st03AA}, []ServiceDecision{{svcA, DecisionRejected}}, EInvalidState},
		{"finished order", []string{stPay, stDecARej, stDecBRej, st03BA, st03BB, st05, st06, st07}, []ServiceDecision{{svcA, DecisionConfirmed}}, EInvalidState},
		{"canceled order", []string{stFail}, []ServiceDecision{{svcA, DecisionConfirmed}}, EInvalidState},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, _ := reach(t, tc.path)
			before := cloneOrder(o)
			wantCode(t, o.Decide(tc.decisions, at(77)), tc.want)
			assertUnchanged(t, before, o)
		})
	}
}

func TestUnknownServiceStepsAreNotFound(t *testing.T) {
	for _, f := range []struct {
		name string
		fn   func(*Order, string, time.Time) error
	}{
		{"03A", (*Order).PayoutToRecipient},
		{"04", (*Order).PayoutCommission},
		{"03B", (*Order).Refund},
	} {
		t.Run(f.name, func(t *testing.T) {
			o, _ := reach(t, []string{stPay, stDecAConf, stDecBRej})
			before := cloneOrder(o)
			err := f.fn(o, svcX, at(9))
			wantCode(t, err, ENotFound)
			if !strings.Contains(err.Error(), svcX) {
				t.Errorf("message %q does not name the service", err)
			}
			assertUnchanged(t, before, o)
		})
	}
}

// TestInvalidStateMessagesNameTheState: design §3 wants the 400's message to
// name the current state.
func TestInvalidStateMessagesNameTheState(t *testing.T) {
	tests := []struct {
		name string
		path []string
		step string
		want []string
	}{
		{"order step", []string{stFail}, stPay, []string{string(OrderCanceled)}},
		{"service step", []string{stPay}, st03AA, []string{string(ServiceWaitingPlatformDecision), string(DecisionNotDecided)}},
		{"repeat of 05", []string{stPay, stDecAConf, stDecBConf, st05}, st05, []string{StepProceedAcquiringCommission}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, _ := reach(t, tc.path)
			err := stepByName(t, tc.step).apply(o, at(99))
			wantCode(t, err, EInvalidState)
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestTotals(t *testing.T) {
	o := newStdOrder(t, "", "")
	decEq(t, "TotalPrice", o.TotalPrice(), dec("1500.00"))
	c, f := o.TotalFees()
	decEq(t, "commission", c, dec("150.00"))
	decEq(t, "acquiring", f.Acquiring, dec("30.00"))
	decEq(t, "payout", f.Payout, dec("7.50"))
	decEq(t, "platform", f.Platform, dec("112.50"))
	decEq(t, "A payout", o.Service(svcA).Payout(), dec("900.00"))
	if o.Service(svcX) != nil {
		t.Error("Service(unknown) != nil")
	}
	empty := &Order{}
	decEq(t, "empty TotalPrice", empty.TotalPrice(), dec("0"))
}

func ptr[T any](v T) *T { return &v }

func TestUpdate(t *testing.T) {
	tests := []struct {
		name     string
		path     []string
		version  int64 // 0 = the order's current version
		updates  []ServiceUpdate
		wantCode ErrorCode
		check    func(t *testing.T, before, o *Order)
	}{
		{
			name: "stale orderVersion is a conflict", version: 99,
			updates:  []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("2000.00")}},
			wantCode: EConflict,
		},
		{
			name: "older orderVersion after a change is a conflict", path: []string{stDecAConf}, version: 1,
			updates:  []ServiceUpdate{{ServiceExtID: svcB, Price: ptr("600.00")}},
			wantCode: EConflict,
		},
		{
			name:    "price change before payment recomputes the fees",
			updates: []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("2000.00")}},
			check: func(t *testing.T, before, o *Order) {
				a := o.Service(svcA)
				decEq(t, "price", a.Price, dec("2000.00"))
				decEq(t, "commission", a.Commission, dec("100.00"))
				decEq(t, "acquiring", a.Fees.Acquiring, dec("40.00"))
				decEq(t, "payout", a.Fees.Payout, dec("10.00"))
				decEq(t, "platform", a.Fees.Platform, dec("50.00"))
				decEq(t, "total", o.TotalPrice(), dec("2500.00"))
				if o.Service(svcB).Fees != before.Service(svcB).Fees {
					t.Error("B's fees changed")
				}
			},
		},
		{
			name:     "price change whose fees the commission no longer covers",
			updates:  []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("5000.00")}},
			wantCode: EValidation,
		},
		{
			name:     "price below the commission",
			updates:  []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("99.99")}},
			wantCode: EValidation,
		},
		{
			name:     "price zero",
			updates:  []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("0.00")}},
			wantCode: EValidation,
		},
		{
			name:     "price malformed",
			updates:  []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("1e3")}},
			wantCode: EValidation,
		},
		{
			name: "price change after payment", path: []string{stPay},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("900.00")}},
			wantCode: EInvalidState,
		},
		{
			name: "ready_to_execute from waiting_platform_decision confirms", path: []string{stPay},
			updates: []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceReadyToExecute)}},
			check: func(t *testing.T, before, o *Order) {
				a := o.Service(svcA)
				if a.State != ServiceReadyToExecute || a.Decision != DecisionConfirmed || a.DecisionMadeAt == nil || !a.DecisionMadeAt.Equal(at(100)) {
					t.Errorf("A = %s/%s at %v, want ready_to_execute/confirmed at %v", a.State, a.Decision, a.DecisionMadeAt, at(100))
				}
				if b := o.Service(svcB); b.State != ServiceWaitingPlatformDecision {
					t.Errorf("B state = %s", b.State)
				}
				if len(o.NewPostings) != 0 {
					t.Errorf("postings %+v", o.NewPostings)
				}
			},
		},
		{
			name: "back to waiting_platform_decision withdraws the decision", path: []string{stPay, stDecARej},
			updates: []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceWaitingPlatformDecision)}},
			check: func(t *testing.T, before, o *Order) {
				a := o.Service(svcA)
				if a.State != ServiceWaitingPlatformDecision || a.Decision != DecisionNotDecided || a.DecisionMadeAt != nil {
					t.Errorf("A = %s/%s at %v, want waiting_platform_decision/not_decided", a.State, a.Decision, a.DecisionMadeAt)
				}
				// and the platform may decide again
				if err := o.Decide([]ServiceDecision{{svcA, DecisionConfirmed}}, at(101)); err != nil {
					t.Errorf("decide after withdrawal: %v", err)
				}
			},
		},
		{
			name: "same state is a no-op", path: []string{stPay},
			updates: []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceWaitingPlatformDecision)}},
			check: func(t *testing.T, before, o *Order) {
				if a := o.Service(svcA); a.State != ServiceWaitingPlatformDecision || a.Decision != DecisionNotDecided {
					t.Errorf("A = %s/%s", a.State, a.Decision)
				}
			},
		},
		{
			name:     "illegal state change: ready_to_execute before payment",
			updates:  []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceReadyToExecute)}},
			wantCode: EInvalidState,
		},
		{
			name: "illegal state change: executing by update", path: []string{stPay, stDecAConf},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceExecuting)}},
			wantCode: EInvalidState,
		},
		{
			name: "illegal state change: executed by update", path: []string{stPay, stDecAConf},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceExecuted)}},
			wantCode: EInvalidState,
		},
		{
			name: "illegal state change: withdraw an executing service", path: []string{stPay, stDecAConf, st03AA},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceWaitingPlatformDecision)}},
			wantCode: EInvalidState,
		},
		{
			name: "illegal state change: not_ready after payment", path: []string{stPay},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceNotReady)}},
			wantCode: EInvalidState,
		},
		{
			name: "illegal state change: execute_failed", path: []string{stPay, stDecAConf},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceExecuteFailed)}},
			wantCode: EInvalidState,
		},
		{
			name:     "unknown service",
			updates:  []ServiceUpdate{{ServiceExtID: svcX, Price: ptr("10.00")}},
			wantCode: ENotFound,
		},
		{
			name:     "no updates",
			wantCode: EValidation,
		},
		{
			name: "finished order", path: []string{stPay, stDecARej, stDecBRej, st03BA, st03BB, st05, st06, st07},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, PayoutMethodExtID: ptr(pmSBP2)}},
			wantCode: EInvalidState,
		},
		{
			name: "canceled order", path: []string{stFail},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("10.00")}},
			wantCode: EInvalidState,
		},
		{
			name:    "payout method change snapshots the new method",
			updates: []ServiceUpdate{{ServiceExtID: svcA, PayoutMethodExtID: ptr(pmSBP2)}},
			check: func(t *testing.T, before, o *Order) {
				r := o.Service(svcA).Recipient
				if r.PayoutMethodExtID != pmSBP2 || r.BankID != "100000000111" || r.MethodType != PayoutSBP || r.ExtID != recipientSBP {
					t.Errorf("recipient snapshot = %+v", r)
				}
			},
		},
		{
			name: "payout method change after payment, before execution", path: []string{stPay, stDecAConf},
			updates: []ServiceUpdate{{ServiceExtID: svcA, PayoutMethodExtID: ptr(pmSBP2)}},
			check: func(t *testing.T, before, o *Order) {
				if got := o.Service(svcA).Recipient.PayoutMethodExtID; got != pmSBP2 {
					t.Errorf("payout method = %s", got)
				}
			},
		},
		{
			name:     "unknown payout method of the recipient",
			updates:  []ServiceUpdate{{ServiceExtID: svcA, PayoutMethodExtID: ptr(pmCard)}},
			wantCode: ENotFound,
		},
		{
			name: "payout method of an executing service", path: []string{stPay, stDecAConf, st03AA},
			updates:  []ServiceUpdate{{ServiceExtID: svcA, PayoutMethodExtID: ptr(pmSBP2)}},
			wantCode: EInvalidState,
		},
		{
			name:    "two services in one call",
			updates: []ServiceUpdate{{ServiceExtID: svcA, Price: ptr("1100.00")}, {ServiceExtID: svcB, Price: ptr("600.00")}},
			check: func(t *testing.T, before, o *Order) {
				decEq(t, "total", o.TotalPrice(), dec("1700.00"))
				decEq(t, "B acquiring", o.Service(svcB).Fees.Acquiring, dec("12.00"))
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, _ := reach(t, tc.path)
			before := cloneOrder(o)
			version := tc.version
			if version == 0 {
				version = o.Version
			}
			err := o.Update(version, tc.updates, DefaultTariff, testRecipients(), at(100))
			wantCode(t, err, tc.wantCode)
			if tc.wantCode != "" {
				assertUnchanged(t, before, o)
				return
			}
			if o.Version != before.Version+1 {
				t.Errorf("version = %d, want %d", o.Version, before.Version+1)
			}
			if o.State != before.State {
				t.Errorf("order state changed %s → %s", before.State, o.State)
			}
			if len(o.NewPostings) != 0 {
				t.Errorf("update made postings %+v", o.NewPostings)
			}
			tc.check(t, before, o)
		})
	}
}

// TestUpdateConfirmedByUpdateThenExecutes: a service confirmed through the
// update call goes through 03A/04 like one confirmed by a decisions call.
func TestUpdateConfirmedByUpdateThenExecutes(t *testing.T) {
	o, ledger := reach(t, []string{stPay, stDecBRej})
	if err := o.Update(o.Version, []ServiceUpdate{{ServiceExtID: svcA, State: ptr(ServiceReadyToExecute)}}, DefaultTariff, testRecipients(), at(50)); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{st03AA, st04A, st03BB, st05, st06, st07} {
		if err := stepByName(t, name).apply(o, at(60+i)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ledger = commit(o, ledger)
	}
	decEq(t, "settlement", o.Balances.Settlement, dec("75.00"))
	decEq(t, "nominal", o.Balances.Nominal, dec("0"))
	if o.State != OrderFinished {
		t.Errorf("state = %s", o.State)
	}
	if b := BalancesOf(ledger); !b.Settlement.Equal(dec("75.00")) {
		t.Errorf("ledger settlement = %s", b.Settlement)
	}
}

// TestUpdateCannotChangeDecisionsAfterAcquiringCharged: once Step05 has
// charged the acquiring fees of the services confirmed at that moment, a
// decision must not change any more, or the fees charged no longer match the
// decisions (design §3: Step05 charges the acquiring fees of the confirmed
// services; Step06 moves the platform fees; the nominal balance never goes
// negative and a step that is not allowed is a 400, not a 500).
func TestUpdateCannotChangeDecisionsAfterAcquiringCharged(t *testing.T) {
	tests := []struct {
		name string
		path []string
		svc  string
	}{
		{"withdraw a confirmation after 05", []string{stPay, stDecAConf, stDecBConf, st05}, svcA},
		{"withdraw a rejection after 05", []string{stPay, stDecAConf, stDecBRej, st05}, svcB},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, _ := reach(t, tc.path)
			before := cloneOrder(o)
			err := o.Update(o.Version, []ServiceUpdate{{ServiceExtID: tc.svc, State: ptr(ServiceWaitingPlatformDecision)}}, DefaultTariff, testRecipients(), at(50))
			wantCode(t, err, EInvalidState)
			assertUnchanged(t, before, o)
		})
	}
}

// TestDecisionFlipAfterAcquiringBreaksMoney shows, end to end, what the
// missing guard above allows with calls that currently succeed.
func TestDecisionFlipAfterAcquiringBreaksMoney(t *testing.T) {
	update := func(o *Order, svc string, state ServiceState, now time.Time) error {
		return o.Update(o.Version, []ServiceUpdate{{ServiceExtID: svc, State: ptr(state)}}, DefaultTariff, testRecipients(), now)
	}
	// A service rejected at Step05 (no acquiring fee charged) is flipped to
	// confirmed and executed: the bank never gets A's 20.00 acquiring fee and
	// the platform settles 95.00 instead of its fee of 75.00.
	t.Run("rejected at 05, then confirmed", func(t *testing.T) {
		o := newStdOrder(t, DecisionRejected, DecisionRejected)
		var ledger []Posting
		run := func(name string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			ledger = commit(o, ledger)
		}
		run("pay", o.MarkPaidByAcquirer(at(1)))
		run("refund B", o.Refund(svcB, at(2)))
		run("05", o.AcquiringCommission(at(3)))
		if err := update(o, svcA, ServiceWaitingPlatformDecision, at(4)); err != nil {
			wantCode(t, err, EInvalidState) // the fixed behaviour
			return
		}
		run("confirm A", update(o, svcA, ServiceReadyToExecute, at(5)))
		run("03A", o.PayoutToRecipient(svcA, at(6)))
		run("04", o.PayoutCommission(svcA, at(7)))
		run("06", o.MovePlatformCommission(at(8)))
		run("07", o.PlatformCommission(at(9)))
		decEq(t, "bank fees of confirmed A (acquiring 20.00 + payout 5.00)", netCredit(ledger, AccountBank), dec("25.00"))
		decEq(t, "settlement = platform fee of A", o.Balances.Settlement, dec("75.00"))
	})
	// A service confirmed at Step05 (its 20.00 acquiring fee charged) is
	// flipped to rejected: its refund of the full price would overdraw the
	// nominal account, so Step03B fails with a 500 (EInternal) instead of a
	// 400, and the order can never finish with A rejected.
	t.Run("confirmed at 05, then rejected", func(t *testing.T) {
		o := newStdOrder(t, DecisionConfirmed, DecisionRejected)
		for i, err := range []error{o.MarkPaidByAcquirer(at(1)), o.Refund(svcB, at(2)), o.AcquiringCommission(at(3))} {
			if err != nil {
				t.Fatalf("setup %d: %v", i, err)
			}
			o.NewPostings = nil
		}
		if err := update(o, svcA, ServiceWaitingPlatformDecision, at(4)); err != nil {
			wantCode(t, err, EInvalidState) // the fixed behaviour
			return
		}
		if err := o.Decide([]ServiceDecision{{svcA, DecisionRejected}}, at(5)); err != nil {
			t.Fatalf("reject A: %v", err)
		}
		o.NewPostings = nil
		if err := o.Refund(svcA, at(6)); err != nil {
			t.Errorf("refund of A after the flip: %v (code %s); a step must never fail with anything but a 4xx", err, CodeOf(err))
		}
	})
}
