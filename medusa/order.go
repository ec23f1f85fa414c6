package medusa

import (
	"time"

	"github.com/shopspring/decimal"
)

// Step names are the sandbox paths of the seed; they label ledger rows.
const (
	StepMarkOrderPaidByAcquirer                   = "mark_order_paid_by_acquirer"
	StepMarkOrderAcquiringPaymentFailed           = "mark_order_acquiring_payment_failed"
	StepProceedServicePayoutToRecipient           = "proceed_service_payout_to_recipient"
	StepProceedServicePayoutCommission            = "proceed_service_payout_commission"
	StepProceedRefund                             = "proceed_refund"
	StepProceedAcquiringCommission                = "proceed_acquiring_commission"
	StepMovePlatformCommissionToCommissionAccount = "move_platform_commission_to_commission_account"
	StepProceedPlatformCommission                 = "proceed_platform_commission"
)

// TotalPrice is what the buyer pays: the sum of the services' prices.
func (o *Order) TotalPrice() decimal.Decimal {
	sum := decimal.Zero
	for _, s := range o.Services {
		sum = sum.Add(s.Price)
	}
	return sum
}

// TotalFees sums the services' commission split.
func (o *Order) TotalFees() (commission decimal.Decimal, fees Fees) {
	commission, fees = decimal.Zero, Fees{decimal.Zero, decimal.Zero, decimal.Zero}
	for _, s := range o.Services {
		commission = commission.Add(s.Commission)
		fees.Acquiring = fees.Acquiring.Add(s.Fees.Acquiring)
		fees.Payout = fees.Payout.Add(s.Fees.Payout)
		fees.Platform = fees.Platform.Add(s.Fees.Platform)
	}
	return commission, fees
}

// post records a movement and keeps the order's balances (stored with the
// order so a transition can check them without reading the whole ledger).
func (o *Order) post(step string, debit, credit Account, amount decimal.Decimal, now time.Time) error {
	if amount.IsZero() {
		return nil // a zero movement is not a movement
	}
	b := o.Balances
	b.add(debit, amount.Neg())
	b.add(credit, amount)
	if b.Nominal.IsNegative() || b.Commission.IsNegative() {
		return Errorf(EInternal, "ledger invariant broken: %s would overdraw the %s account", step, debit)
	}
	o.Balances = b
	o.NewPostings = append(o.NewPostings, Posting{Step: step, Debit: debit, Credit: credit, Amount: amount, At: now})
	return nil
}

func (b *Balances) add(a Account, amount decimal.Decimal) {
	switch a {
	case AccountNominal:
		b.Nominal = b.Nominal.Add(amount)
	case AccountCommission:
		b.Commission = b.Commission.Add(amount)
	case AccountSettlement:
		b.Settlement = b.Settlement.Add(amount)
	}
}

func (o *Order) requireOrderState(step string, want OrderState) error {
	if o.State != want {
		return Errorf(EInvalidState, "order %s is in state %s; %s needs %s", o.ExtID, o.State, step, want)
	}
	return nil
}

func (o *Order) service(extID string) (*Service, error) {
	s := o.Service(extID)
	if s == nil {
		return nil, Errorf(ENotFound, "service %s not found", extID)
	}
	return s, nil
}

func requireService(step string, s *Service, state ServiceState, decision Decision) error {
	if s.State != state || s.Decision != decision {
		return Errorf(EInvalidState, "service %s is in state %s with decision %s; %s needs %s with decision %s",
			s.ExtID, s.State, s.Decision, step, state, decision)
	}
	return nil
}

// MarkPaidByAcquirer is Step02: the buyer paid the order's total price into
// the nominal account. Services already decided become ready to execute.
func (o *Order) MarkPaidByAcquirer(now time.Time) error {
	const step = StepMarkOrderPaidByAcquirer
	if err := o.requireOrderState(step, OrderWaitingUserPayment); err != nil {
		return err
	}
	o.State = OrderWaitingServices
	o.PayedAt = &now
	for i := range o.Services {
		s := &o.Services[i]
		if s.Decision == DecisionNotDecided {
			s.State = ServiceWaitingPlatformDecision
		} else {
			s.State = ServiceReadyToExecute
		}
	}
	o.Version++
	return o.post(step, AccountBuyer, AccountNominal, o.TotalPrice(), now)
}

// MarkAcquiringPaymentFailed is Step02's failure branch: the payment failed
// and the order is canceled.
func (o *Order) MarkAcquiringPaymentFailed(now time.Time) error {
	if err := o.requireOrderState(StepMarkOrderAcquiringPaymentFailed, OrderWaitingUserPayment); err != nil {
		return err
	}
	o.State = OrderCanceled
	o.FinishedAt = &now
	o.Version++
	return nil
}

// ServiceDecision is one decision of a decisions call.
type ServiceDecision struct {
	ServiceExtID string
	Decision     Decision
}

// Decide applies the platform's decisions. A decided service cannot be
// re-decided; once the order is paid a decided service is ready to execute.
// not_decided on an undecided service changes nothing.
func (o *Order) Decide(decisions []ServiceDecision, now time.Time) error {
	if o.State != OrderWaitingUserPayment && o.State != OrderWaitingServices {
		return Errorf(EInvalidState, "order %s is in state %s; decisions need waiting_user_payment or waiting_services", o.ExtID, o.State)
	}
	if len(decisions) == 0 {
		return Errorf(EValidation, "Decisions: at least one decision is required")
	}
	seen := map[string]bool{}
	for _, d := range decisions {
		if !d.Decision.Valid() {
			return Errorf(EValidation, "decision %q is not one of not_decided, confirmed, rejected", d.Decision)
		}
		if seen[d.ServiceExtID] {
			return Errorf(EValidation, "service %s appears twice in Decisions", d.ServiceExtID)
		}
		seen[d.ServiceExtID] = true
		s, err := o.service(d.ServiceExtID)
		if err != nil {
			return err
		}
		if s.State != ServiceNotReady && s.State != ServiceWaitingPlatformDecision {
			return Errorf(EInvalidState, "service %s is in state %s; a decision needs not_ready or waiting_platform_decision", s.ExtID, s.State)
		}
		if s.Decision != DecisionNotDecided {
			return Errorf(EInvalidState, "service %s is already %s; a decided service cannot be re-decided", s.ExtID, s.Decision)
		}
	}
	for _, d := range decisions {
		if d.Decision == DecisionNotDecided {
			continue
		}
		s := o.Service(d.ServiceExtID)
		s.Decision = d.Decision
		s.DecisionMadeAt = &now
		if o.State == OrderWaitingServices {
			s.State = ServiceReadyToExecute
		}
	}
	o.Version++
	return nil
}

// PayoutToRecipient is Step03A: a confirmed service pays its recipient the
// price less the commission.
func (o *Order) PayoutToRecipient(serviceExtID string, now time.Time) error {
	const step = StepProceedServicePayoutToRecipient
	s, err := o.service(serviceExtID)
	if err != nil {
		return err
	}
	if err := requireService(step, s, ServiceReadyToExecute, DecisionConfirmed); err != nil {
		return err
	}
	s.State = ServiceExecuting
	o.Version++
	return o.post(step, AccountNominal, AccountRecipient, s.Payout(), now)
}

// PayoutCommission is Step04: the bank withholds the payout fee and the
// service is executed.
func (o *Order) PayoutCommission(serviceExtID string, now time.Time) error {
	const step = StepProceedServicePayoutCommission
	s, err := o.service(serviceExtID)
	if err != nil {
		return err
	}
	if err := requireService(step, s, ServiceExecuting, DecisionConfirmed); err != nil {
		return err
	}
	s.State = ServiceExecuted
	s.ExecutedAt = &now
	o.Version++
	return o.post(step, AccountNominal, AccountBank, s.Fees.Payout, now)
}

// Refund is Step03B: a rejected service's price goes back to the buyer.
func (o *Order) Refund(serviceExtID string, now time.Time) error {
	const step = StepProceedRefund
	s, err := o.service(serviceExtID)
	if err != nil {
		return err
	}
	if err := requireService(step, s, ServiceReadyToExecute, DecisionRejected); err != nil {
		return err
	}
	s.State = ServiceExecuted
	s.ExecutedAt = &now
	o.Version++
	return o.post(step, AccountNominal, AccountBuyer, s.Price, now)
}

// AcquiringCommission is Step05: the bank withholds the acquiring fees of the
// confirmed services, once. Every service must be decided by then, since a
// refunded service is not charged.
func (o *Order) AcquiringCommission(now time.Time) error {
	const step = StepProceedAcquiringCommission
	if err := o.requireOrderState(step, OrderWaitingServices); err != nil {
		return err
	}
	if o.AcquiringChargedAt != nil {
		return Errorf(EInvalidState, "order %s: %s was already done", o.ExtID, step)
	}
	fee := decimal.Zero
	for _, s := range o.Services {
		switch s.Decision {
		case DecisionNotDecided:
			return Errorf(EInvalidState, "service %s has no decision yet; %s needs every service decided", s.ExtID, step)
		case DecisionConfirmed:
			fee = fee.Add(s.Fees.Acquiring)
		}
	}
	o.AcquiringChargedAt = &now
	o.Version++
	return o.post(step, AccountNominal, AccountBank, fee, now)
}

// MovePlatformCommission is Step06: once every service is executed and the
// acquiring fee is charged, what is left on the nominal account (the
// platform's fees) moves to the commission account.
func (o *Order) MovePlatformCommission(now time.Time) error {
	const step = StepMovePlatformCommissionToCommissionAccount
	if err := o.requireOrderState(step, OrderWaitingServices); err != nil {
		return err
	}
	if o.CommissionMovedAt != nil {
		return Errorf(EInvalidState, "order %s: %s was already done", o.ExtID, step)
	}
	if o.AcquiringChargedAt == nil {
		return Errorf(EInvalidState, "order %s: %s needs %s first", o.ExtID, step, StepProceedAcquiringCommission)
	}
	for _, s := range o.Services {
		if s.State != ServiceExecuted {
			return Errorf(EInvalidState, "service %s is in state %s; %s needs every service executed", s.ExtID, s.State, step)
		}
	}
	o.CommissionMovedAt = &now
	o.Version++
	return o.post(step, AccountNominal, AccountCommission, o.Balances.Nominal, now)
}

// PlatformCommission is Step07: the commission moves to the platform's
// settlement account and the order is finished.
func (o *Order) PlatformCommission(now time.Time) error {
	const step = StepProceedPlatformCommission
	if err := o.requireOrderState(step, OrderWaitingServices); err != nil {
		return err
	}
	if o.CommissionMovedAt == nil {
		return Errorf(EInvalidState, "order %s: %s needs %s first", o.ExtID, step, StepMovePlatformCommissionToCommissionAccount)
	}
	o.PlatformCommissionPaidAt = &now
	o.State = OrderFinished
	o.FinishedAt = &now
	o.Version++
	return o.post(step, AccountCommission, AccountSettlement, o.Balances.Commission, now)
}
