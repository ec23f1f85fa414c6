package medusa

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// netCredit is what arrived on account a over the ledger, net of what left it.
func netCredit(ledger []Posting, a Account) decimal.Decimal {
	sum := decimal.Zero
	for _, p := range ledger {
		if p.Credit == a {
			sum = sum.Add(p.Amount)
		}
		if p.Debit == a {
			sum = sum.Sub(p.Amount)
		}
	}
	return sum
}

// randomKopecks is a random amount in [lo, hi], in whole kopecks.
func randomKopecks(r *rand.Rand, lo, hi decimal.Decimal) decimal.Decimal {
	l, h := lo.Shift(2).IntPart(), hi.Shift(2).IntPart()
	return decimal.New(l+r.Int64N(h-l+1), -2)
}

var allDecisions = []Decision{DecisionNotDecided, DecisionConfirmed, DecisionRejected}

// randomOrder builds a valid v2 order of 1–5 services with random prices,
// commissions between the bank's fees and the price, and start decisions.
func randomOrder(t *testing.T, r *rand.Rand, n int) *Order {
	t.Helper()
	in := NewOrder{APIVersion: 2, ExtID: fmt.Sprintf("order-%d", n)}
	for i := range 1 + r.IntN(5) {
		price := randomKopecks(r, dec("0.01"), dec("100000.00"))
		fees := price.Mul(DefaultTariff.AcquiringRate).Round(2).Add(price.Mul(DefaultTariff.PayoutRate).Round(2))
		commission := randomKopecks(r, fees, price)
		switch r.IntN(4) { // favour the edges
		case 0:
			commission = fees
		case 1:
			commission = price
		}
		rcpt, pm := recipientSBP, pmSBP
		if r.IntN(2) == 0 {
			rcpt, pm = recipientCard, pmCard
		}
		start := allDecisions[r.IntN(3)]
		if r.IntN(2) == 0 {
			start = "" // mostly undecided at creation
		}
		in.Services = append(in.Services, NewService{
			ExtID: fmt.Sprintf("o%d-s%d", n, i), Price: Money(price), Commission: Money(commission),
			RecipientExtID: rcpt, PayoutMethodExtID: pm, StartDecision: start,
		})
	}
	o, err := BuildOrder(testPlatform, in, DefaultTariff, testRecipients(), testPaymentURL, t0)
	if err != nil {
		t.Fatalf("BuildOrder(%+v): %v", in, err)
	}
	return o
}

// TestLifecycleInvariants drives many random orders through the full legal
// lifecycle in a random legal order of steps and checks design §3's money
// invariants after every step and at the end.
func TestLifecycleInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(20250314, 42))
	const orders = 500
	for n := range orders {
		o := randomOrder(t, r, n)
		var ledger []Posting
		clock := 0
		apply := func(what string, f func(now time.Time) error) {
			t.Helper()
			clock++
			v := o.Version
			if err := f(at(clock)); err != nil {
				t.Fatalf("order %d: %s: %v\norder: %+v", n, what, err, o)
			}
			if o.Version != v+1 {
				t.Fatalf("order %d: %s: version %d → %d", n, what, v, o.Version)
			}
			for _, p := range o.NewPostings {
				if !p.Amount.IsPositive() || !p.Amount.Equal(p.Amount.Round(2)) {
					t.Fatalf("order %d: %s: bad posting amount %+v", n, what, p)
				}
				if p.Debit == p.Credit {
					t.Fatalf("order %d: %s: posting to itself %+v", n, what, p)
				}
			}
			// Replay posting by posting: the nominal and commission
			// balances never go negative after ANY posting.
			for _, p := range o.NewPostings {
				ledger = append(ledger, p)
				b := BalancesOf(ledger)
				if b.Nominal.IsNegative() || b.Commission.IsNegative() {
					t.Fatalf("order %d: %s: balance negative after posting %+v: %+v", n, what, p, b)
				}
			}
			o.NewPostings = nil
			b := BalancesOf(ledger)
			if !b.Nominal.Equal(o.Balances.Nominal) || !b.Commission.Equal(o.Balances.Commission) || !b.Settlement.Equal(o.Balances.Settlement) {
				t.Fatalf("order %d: %s: kept balances %+v, ledger says %+v", n, what, o.Balances, b)
			}
		}

		// Some decisions before payment.
		for _, s := range o.Services {
			if s.Decision == DecisionNotDecided && r.IntN(4) == 0 {
				d := allDecisions[1+r.IntN(2)]
				apply("decide before payment", func(now time.Time) error {
					return o.Decide([]ServiceDecision{{s.ExtID, d}}, now)
				})
			}
		}
		apply("Step02", o.MarkPaidByAcquirer)
		decEq(t, "nominal after payment", o.Balances.Nominal, o.TotalPrice())

		// Work through the services in a random order: decide the undecided
		// ones, execute the decided ones; Step05 at a random moment once
		// every service is decided.
		pending := make([]string, len(o.Services))
		for i, s := range o.Services {
			pending[i] = s.ExtID
		}
		for len(pending) > 0 || o.AcquiringChargedAt == nil {
			allDecided := true
			for _, s := range o.Services {
				if s.Decision == DecisionNotDecided {
					allDecided = false
				}
			}
			if allDecided && o.AcquiringChargedAt == nil && (len(pending) == 0 || r.IntN(len(pending)+1) == 0) {
				apply("Step05", o.AcquiringCommission)
				continue
			}
			i := r.IntN(len(pending))
			s := o.Service(pending[i])
			switch {
			case s.Decision == DecisionNotDecided:
				d := allDecisions[1+r.IntN(2)]
				apply("decide", func(now time.Time) error { return o.Decide([]ServiceDecision{{s.ExtID, d}}, now) })
			case s.State == ServiceReadyToExecute && s.Decision == DecisionConfirmed:
				apply("03A", func(now time.Time) error { return o.PayoutToRecipient(s.ExtID, now) })
			case s.State == ServiceExecuting:
				apply("04", func(now time.Time) error { return o.PayoutCommission(s.ExtID, now) })
			case s.State == ServiceReadyToExecute && s.Decision == DecisionRejected:
				apply("03B", func(now time.Time) error { return o.Refund(s.ExtID, now) })
			case s.State == ServiceExecuted:
				pending = append(pending[:i], pending[i+1:]...)
			default:
				t.Fatalf("order %d: service %s in unexpected %s/%s", n, s.ExtID, s.State, s.Decision)
			}
		}
		apply("Step06", o.MovePlatformCommission)
		apply("Step07", o.PlatformCommission)

		// Expected totals from the services.
		total, refunds, payouts, bankFees, platformFees := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
		for _, s := range o.Services {
			total = total.Add(s.Price)
			switch s.Decision {
			case DecisionConfirmed:
				payouts = payouts.Add(s.Payout())
				bankFees = bankFees.Add(s.Fees.Acquiring).Add(s.Fees.Payout)
				platformFees = platformFees.Add(s.Fees.Platform)
			case DecisionRejected:
				refunds = refunds.Add(s.Price)
			default:
				t.Fatalf("order %d: service %s ended %s", n, s.ExtID, s.Decision)
			}
			if s.State != ServiceExecuted || s.ExecutedAt == nil {
				t.Fatalf("order %d: service %s ended %s", n, s.ExtID, s.State)
			}
		}

		// Double entry: over all accounts the ledger sums to zero.
		all := decimal.Zero
		for _, a := range []Account{AccountBuyer, AccountNominal, AccountRecipient, AccountBank, AccountCommission, AccountSettlement} {
			all = all.Add(netCredit(ledger, a))
		}
		for _, p := range ledger {
			switch p.Debit {
			case AccountBuyer, AccountNominal, AccountRecipient, AccountBank, AccountCommission, AccountSettlement:
			default:
				t.Fatalf("order %d: unknown account in %+v", n, p)
			}
		}
		if !all.IsZero() {
			t.Fatalf("order %d: ledger does not balance: %s", n, all)
		}
		// What the buyer paid in: exactly the total price.
		paidIn := decimal.Zero
		for _, p := range ledger {
			if p.Debit == AccountBuyer {
				paidIn = paidIn.Add(p.Amount)
			}
		}
		check := func(what string, got, want decimal.Decimal) {
			t.Helper()
			if !got.Equal(want) {
				t.Fatalf("order %d: %s = %s, want %s (services %+v)", n, what, got, want, o.Services)
			}
		}
		check("buyer paid", paidIn, total)
		check("buyer net", netCredit(ledger, AccountBuyer), refunds.Sub(total))
		check("recipients", netCredit(ledger, AccountRecipient), payouts)
		check("bank", netCredit(ledger, AccountBank), bankFees)
		check("settlement", netCredit(ledger, AccountSettlement), platformFees)
		check("conservation: price = payouts + bank + settlement + refunds",
			total, netCredit(ledger, AccountRecipient).Add(netCredit(ledger, AccountBank)).Add(netCredit(ledger, AccountSettlement)).Add(refunds))
		check("nominal after 07", o.Balances.Nominal, decimal.Zero)
		check("commission after 07", o.Balances.Commission, decimal.Zero)
		check("settlement balance", o.Balances.Settlement, platformFees)

		if o.State != OrderFinished || o.FinishedAt == nil || o.PayedAt == nil || o.AcquiringChargedAt == nil ||
			o.CommissionMovedAt == nil || o.PlatformCommissionPaidAt == nil {
			t.Fatalf("order %d ended %s with timestamps %v %v %v %v %v", n, o.State, o.PayedAt, o.FinishedAt,
				o.AcquiringChargedAt, o.CommissionMovedAt, o.PlatformCommissionPaidAt)
		}

		// The report of the finished order agrees with the ledger.
		rep := ReportOf(o)
		check("report refill", rep.RefillSum, total)
		check("report refund", rep.RefundSum, refunds)
		check("report payout", rep.PayoutSum, payouts)
		check("report acquiring+payout", rep.IncomePaymentCommissionSum.Add(rep.OutgoingPayoutCommissionSum), bankFees)
		check("report platform", rep.PlatformCommissionSum, platformFees)
	}
}
