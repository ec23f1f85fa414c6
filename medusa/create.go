package medusa

import (
	"time"

	"github.com/shopspring/decimal"
)

// NewOrder is a create-order request of any API version, already decoded.
type NewOrder struct {
	APIVersion      int
	ExtID           string
	IncomingPayment IncomingPayment
	Receipt         *Receipt
	// OrderCommission is v1's commission for the whole order; v2/v3 give a
	// commission per service instead.
	OrderCommission *decimal.Decimal
	Services        []NewService
}

// NewService is one service of a create-order request.
type NewService struct {
	ExtID             string
	Price             string
	Commission        string // empty in v1
	RecipientExtID    string
	PayoutMethodExtID string
	Method            string // v1/v2 `Recipient.method`
	StartDecision     Decision
}

// RecipientLookup finds a platform's recipient (ENotFound if unknown).
type RecipientLookup func(extID string) (*Recipient, error)

// BuildOrder checks a create-order request against the tariff and the
// platform's recipients and returns the new order, not yet stored.
func BuildOrder(platformID string, in NewOrder, tariff Tariff, recipients RecipientLookup, paymentURL func(extID string) string, now time.Time) (*Order, error) {
	if len(in.Services) == 0 {
		return nil, Errorf(EValidation, "Services: at least one service is required")
	}
	o := &Order{
		PlatformID:      platformID,
		ExtID:           in.ExtID,
		APIVersion:      in.APIVersion,
		State:           OrderWaitingUserPayment,
		Version:         1,
		IncomingPayment: in.IncomingPayment,
		Receipt:         in.Receipt,
		CreatedAt:       now,
	}
	prices := make([]decimal.Decimal, len(in.Services))
	for i, s := range in.Services {
		p, err := ParseAmount("price", s.Price)
		if err != nil {
			return nil, err
		}
		if !p.IsPositive() {
			return nil, Errorf(EValidation, "service %s: price must be greater than 0", s.ExtID)
		}
		prices[i] = p
	}
	commissions := make([]decimal.Decimal, len(in.Services))
	if in.OrderCommission != nil {
		commissions = SplitOrderCommission(*in.OrderCommission, prices)
	} else {
		for i, s := range in.Services {
			c, err := ParseAmount("commission", s.Commission)
			if err != nil {
				return nil, err
			}
			commissions[i] = c
		}
	}
	seen := map[string]bool{}
	for i, s := range in.Services {
		if seen[s.ExtID] {
			return nil, Errorf(EValidation, "service %s appears twice in Services", s.ExtID)
		}
		seen[s.ExtID] = true
		decision := s.StartDecision
		if decision == "" {
			decision = DecisionNotDecided
		}
		if !decision.Valid() {
			return nil, Errorf(EValidation, "startDecision %q is not one of not_decided, confirmed, rejected", decision)
		}
		fees, err := tariff.Split(prices[i], commissions[i])
		if err != nil {
			e := err.(*Error)
			return nil, Errorf(e.Code, "service %s: %s", s.ExtID, e.Message)
		}
		rcpt, err := recipients(s.RecipientExtID)
		if err != nil {
			return nil, err
		}
		pm := rcpt.PayoutMethod(s.PayoutMethodExtID)
		if pm == nil {
			return nil, Errorf(ENotFound, "payout method %s not found for recipient %s", s.PayoutMethodExtID, s.RecipientExtID)
		}
		svc := Service{
			ExtID:      s.ExtID,
			Price:      prices[i],
			Commission: commissions[i],
			Fees:       fees,
			Recipient: ServiceRecipient{
				ExtID:             rcpt.ExtID,
				PayoutMethodExtID: pm.ExtID,
				Method:            s.Method,
				MethodType:        pm.Type,
				BankID:            pm.BankID,
				MaskedCardNumber:  pm.MaskedCardNumber,
			},
			State:    ServiceNotReady,
			Decision: decision,
		}
		if decision != DecisionNotDecided {
			svc.DecisionMadeAt = &now
		}
		o.Services = append(o.Services, svc)
	}
	o.IncomingPayment.PaymentLink = paymentURL(o.ExtID)
	return o, nil
}

// ServiceUpdate is one item of an update-order call; nil fields stay as they are.
type ServiceUpdate struct {
	ServiceExtID      string
	PayoutMethodExtID *string
	Price             *string
	State             *ServiceState
}

// Update applies an update-order call guarded by the caller's orderVersion.
// Prices and payout methods change only before payment; a state change to
// ready_to_execute confirms a waiting service, and back to
// waiting_platform_decision withdraws a decision not yet executed.
func (o *Order) Update(orderVersion int64, updates []ServiceUpdate, tariff Tariff, recipients RecipientLookup, now time.Time) error {
	if orderVersion != o.Version {
		return Errorf(EConflict, "order %s has version %d, not %d: read it again and retry", o.ExtID, o.Version, orderVersion)
	}
	if o.State == OrderFinished || o.State == OrderCanceled {
		return Errorf(EInvalidState, "order %s is in state %s and can no longer be changed", o.ExtID, o.State)
	}
	if len(updates) == 0 {
		return Errorf(EValidation, "Updates: at least one update is required")
	}
	for _, u := range updates {
		s, err := o.service(u.ServiceExtID)
		if err != nil {
			return err
		}
		if u.Price != nil {
			if o.State != OrderWaitingUserPayment {
				return Errorf(EInvalidState, "order %s is in state %s; prices change only in waiting_user_payment", o.ExtID, o.State)
			}
			p, err := ParseAmount("price", *u.Price)
			if err != nil {
				return err
			}
			if !p.IsPositive() {
				return Errorf(EValidation, "service %s: price must be greater than 0", s.ExtID)
			}
			fees, err := tariff.Split(p, s.Commission)
			if err != nil {
				return err
			}
			s.Price, s.Fees = p, fees
		}
		if u.PayoutMethodExtID != nil {
			if s.State == ServiceExecuting || s.State == ServiceExecuted {
				return Errorf(EInvalidState, "service %s is in state %s; its payout method can no longer change", s.ExtID, s.State)
			}
			rcpt, err := recipients(s.Recipient.ExtID)
			if err != nil {
				return err
			}
			pm := rcpt.PayoutMethod(*u.PayoutMethodExtID)
			if pm == nil {
				return Errorf(ENotFound, "payout method %s not found for recipient %s", *u.PayoutMethodExtID, rcpt.ExtID)
			}
			s.Recipient.PayoutMethodExtID, s.Recipient.MethodType = pm.ExtID, pm.Type
			s.Recipient.BankID, s.Recipient.MaskedCardNumber = pm.BankID, pm.MaskedCardNumber
		}
		if u.State != nil {
			// Step05 charged acquiring by the decisions; flipping one now
			// would break the money.
			if o.AcquiringChargedAt != nil && *u.State != s.State {
				return Errorf(EInvalidState, "order %s: decisions are final once %s is done", o.ExtID, StepProceedAcquiringCommission)
			}
			if err := s.setState(*u.State, now); err != nil {
				return err
			}
		}
	}
	o.Version++
	return nil
}

func (s *Service) setState(want ServiceState, now time.Time) error {
	switch {
	case want == s.State:
		return nil
	case want == ServiceReadyToExecute && s.State == ServiceWaitingPlatformDecision:
		s.State, s.Decision, s.DecisionMadeAt = ServiceReadyToExecute, DecisionConfirmed, &now
	case want == ServiceWaitingPlatformDecision && s.State == ServiceReadyToExecute:
		s.State, s.Decision, s.DecisionMadeAt = ServiceWaitingPlatformDecision, DecisionNotDecided, nil
	default:
		return Errorf(EInvalidState, "service %s cannot move from %s to %s", s.ExtID, s.State, want)
	}
	return nil
}
