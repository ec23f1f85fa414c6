package medusa

import (
	"context"
	"errors"
	"time"

	"github.com/shopspring/decimal"
)

// Default credentials, created on first start and kept by a reset.
const (
	DefaultPlatformID        = "demo-platform"
	DefaultToken             = "sandbox.jwt.token"
	DefaultRecipientExtID    = "00000000-0000-4000-8000-000000000001"
	DefaultRecipientName     = "Demo recipient"
	DefaultPayoutMethodExtID = "00000000-0000-4000-8000-000000000002"
	DefaultSbpBankID         = "100000000284"
)

// Operations runs Medusa's operations: it authenticates, loads, applies a rule
// and stores, one transaction per state change.
type Operations struct {
	Store  Store
	Tariff Tariff
	Now    func() time.Time
	// BaseURL is this server's public URL, for payment and card-form links.
	BaseURL string
}

func (s *Operations) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Authenticate returns the token's platform when it may use the Medusa API.
func (s *Operations) Authenticate(ctx context.Context, token string) (*Token, error) {
	if token == "" {
		return nil, Errorf(EUnauthorized, "Authorization header with a Bearer token is required")
	}
	t, err := s.Store.Token(ctx, token)
	if CodeOf(err) == ENotFound {
		return nil, Errorf(EUnauthorized, "the bearer token is not valid")
	}
	if err != nil {
		return nil, err
	}
	if !t.Can(PermissionMedusa) {
		return nil, Errorf(EForbidden, "the token has no consent for the Medusa API (permission %q)", PermissionMedusa)
	}
	return t, nil
}

// EnsureDefaults creates the default platform token, recipient and SBP payout
// method if they are missing. A conflict means another caller (a concurrent
// reset) created them first.
func (s *Operations) EnsureDefaults(ctx context.Context) error {
	if _, err := s.Store.Token(ctx, DefaultToken); CodeOf(err) == ENotFound {
		err := s.Store.CreateToken(ctx, Token{Token: DefaultToken, PlatformID: DefaultPlatformID, Permissions: []string{PermissionMedusa}})
		if err != nil && CodeOf(err) != EConflict {
			return err
		}
	} else if err != nil {
		return err
	}
	if _, err := s.Store.Recipient(ctx, DefaultPlatformID, DefaultRecipientExtID); CodeOf(err) != ENotFound {
		return err
	}
	now := s.now()
	r, _ := NewRecipient(DefaultPlatformID, DefaultRecipientExtID, DefaultRecipientName,
		&SbpData{Phone: "+79000000000", FirstName: "Demo", LastName: "Recipient"}, now)
	if err := r.AddSbpPayoutMethod(DefaultPayoutMethodExtID, DefaultSbpBankID, now); err != nil {
		return err
	}
	if err := s.Store.CreateRecipient(ctx, r); err != nil && CodeOf(err) != EConflict {
		return err
	}
	return nil
}

// CreateToken registers a platform token (control API).
func (s *Operations) CreateToken(ctx context.Context, t Token) error {
	if t.PlatformID == "" || t.Token == "" {
		return Errorf(EValidation, "platform and token are required")
	}
	return s.Store.CreateToken(ctx, t)
}

// CreateRecipient creates a recipient of the platform.
func (s *Operations) CreateRecipient(ctx context.Context, platformID, extID, name string, sbp *SbpData) (*Recipient, error) {
	r, err := NewRecipient(platformID, extID, name, sbp, s.now())
	if err != nil {
		return nil, err
	}
	return r, s.Store.CreateRecipient(ctx, r)
}

// Recipient reads one recipient.
func (s *Operations) Recipient(ctx context.Context, platformID, extID string) (*Recipient, error) {
	return s.Store.Recipient(ctx, platformID, extID)
}

// UpdateRecipient changes SBP data guarded by version; it returns the new version.
func (s *Operations) UpdateRecipient(ctx context.Context, platformID, extID string, version int64, sbp *SbpData) (int64, error) {
	r, err := s.Store.UpdateRecipient(ctx, platformID, extID, func(r *Recipient) error {
		return r.Update(version, sbp, s.now())
	})
	if err != nil {
		return 0, err
	}
	return r.Version, nil
}

// AddSbpPayoutMethod adds an SBP payout method.
func (s *Operations) AddSbpPayoutMethod(ctx context.Context, platformID, recipientExtID, extID, bankID string) error {
	_, err := s.Store.UpdateRecipient(ctx, platformID, recipientExtID, func(r *Recipient) error {
		return r.AddSbpPayoutMethod(extID, bankID, s.now())
	})
	return err
}

// AddCardPayoutMethod adds a card payout method and returns the card form's URL.
func (s *Operations) AddCardPayoutMethod(ctx context.Context, platformID, recipientExtID, extID, redirectURL string) (string, error) {
	_, err := s.Store.UpdateRecipient(ctx, platformID, recipientExtID, func(r *Recipient) error {
		return r.AddCardPayoutMethod(extID, redirectURL, s.now())
	})
	if err != nil {
		return "", err
	}
	return s.BaseURL + "/sandbox/v1/medusa/card-forms/" + extID, nil
}

// DeletePayoutMethod removes a payout method (want "" for any type).
func (s *Operations) DeletePayoutMethod(ctx context.Context, platformID, recipientExtID, extID string, want PayoutMethodType) error {
	_, err := s.Store.UpdateRecipient(ctx, platformID, recipientExtID, func(r *Recipient) error {
		return r.DeletePayoutMethod(extID, want, s.now())
	})
	return err
}

func (s *Operations) recipients(ctx context.Context, platformID string) RecipientLookup {
	return func(extID string) (*Recipient, error) {
		r, err := s.Store.Recipient(ctx, platformID, extID)
		if CodeOf(err) == ENotFound {
			return nil, Errorf(ENotFound, "recipient %s not found", extID)
		}
		return r, err
	}
}

// PaymentURL is the buyer's payment link of an order.
func (s *Operations) PaymentURL(orderExtID string) string {
	return s.BaseURL + "/sandbox/v1/medusa/pay/" + orderExtID
}

// CreateOrder builds and stores an order.
func (s *Operations) CreateOrder(ctx context.Context, platformID string, in NewOrder) (*Order, error) {
	o, err := BuildOrder(platformID, in, s.Tariff, s.recipients(ctx, platformID), s.PaymentURL, s.now())
	if err != nil {
		return nil, err
	}
	return o, s.Store.CreateOrder(ctx, o)
}

// Order reads one order.
func (s *Operations) Order(ctx context.Context, platformID, extID string) (*Order, error) {
	return s.Store.Order(ctx, platformID, extID)
}

// MaxListLimit caps one page of the order list.
const MaxListLimit = 1000

// ListOrders pages through the platform's orders, newest first.
func (s *Operations) ListOrders(ctx context.Context, platformID string, offset, limit int) ([]OrderSummary, int, error) {
	if offset < 0 {
		return nil, 0, Errorf(EValidation, "offset must be 0 or more")
	}
	if limit < 1 || limit > MaxListLimit {
		return nil, 0, Errorf(EValidation, "limit must be between 1 and %d", MaxListLimit)
	}
	return s.Store.ListOrders(ctx, platformID, offset, limit)
}

// Report sums the money of the orders finished within [from, to].
func (s *Operations) Report(ctx context.Context, platformID string, from, to time.Time) ([]ReportItem, error) {
	if to.Before(from) {
		return nil, Errorf(EValidation, "finishedAtLte is before finishedAtGte")
	}
	orders, err := s.Store.FinishedOrders(ctx, platformID, from, to)
	if err != nil {
		return nil, err
	}
	items := make([]ReportItem, 0, len(orders))
	for _, o := range orders {
		items = append(items, ReportOf(o))
	}
	return items, nil
}

// ReportOf sums one order's money by kind.
func ReportOf(o *Order) ReportItem {
	it := ReportItem{OrderExtID: o.ExtID, OrderCreatedAt: o.CreatedAt,
		RefillSum: decimal.Zero, RefundSum: decimal.Zero, PayoutSum: decimal.Zero, CompensationSum: decimal.Zero,
		IncomePaymentCommissionSum: decimal.Zero, OutgoingPayoutCommissionSum: decimal.Zero, PlatformCommissionSum: decimal.Zero}
	if o.PayedAt == nil {
		return it
	}
	for _, s := range o.Services {
		it.RefillSum = it.RefillSum.Add(s.Price)
		switch s.Decision {
		case DecisionRejected:
			it.RefundSum = it.RefundSum.Add(s.Price)
		case DecisionConfirmed:
			it.PayoutSum = it.PayoutSum.Add(s.Payout())
			it.IncomePaymentCommissionSum = it.IncomePaymentCommissionSum.Add(s.Fees.Acquiring)
			it.OutgoingPayoutCommissionSum = it.OutgoingPayoutCommissionSum.Add(s.Fees.Payout)
			it.PlatformCommissionSum = it.PlatformCommissionSum.Add(s.Fees.Platform)
		}
	}
	return it
}

// Decide applies a decisions call.
func (s *Operations) Decide(ctx context.Context, platformID, orderExtID string, decisions []ServiceDecision) (*Order, error) {
	return s.Store.UpdateOrder(ctx, platformID, orderExtID, func(o *Order) error {
		return o.Decide(decisions, s.now())
	})
}

// UpdateOrder applies an update-order call and returns the new version.
func (s *Operations) UpdateOrder(ctx context.Context, platformID, orderExtID string, orderVersion int64, updates []ServiceUpdate) (int64, error) {
	o, err := s.Store.UpdateOrder(ctx, platformID, orderExtID, func(o *Order) error {
		return o.Update(orderVersion, updates, s.Tariff, s.recipients(ctx, platformID), s.now())
	})
	if err != nil {
		return 0, err
	}
	return o.Version, nil
}

// OrderStep runs an order-level sandbox step and returns the order's new state.
func (s *Operations) OrderStep(ctx context.Context, platformID, step, orderExtID string) (string, error) {
	apply, ok := orderSteps[step]
	if !ok {
		return "", Errorf(EInternal, "unknown order step %q", step)
	}
	o, err := s.Store.UpdateOrder(ctx, platformID, orderExtID, func(o *Order) error { return apply(o, s.now()) })
	if err != nil {
		return "", err
	}
	return string(o.State), nil
}

// ServiceStep runs a service-level sandbox step and returns the service's new state.
func (s *Operations) ServiceStep(ctx context.Context, platformID, step, serviceExtID string) (string, error) {
	apply, ok := serviceSteps[step]
	if !ok {
		return "", Errorf(EInternal, "unknown service step %q", step)
	}
	orderExtID, err := s.Store.OrderExtIDByService(ctx, platformID, serviceExtID)
	if CodeOf(err) == ENotFound {
		return "", Errorf(ENotFound, "service %s not found", serviceExtID)
	}
	if err != nil {
		return "", err
	}
	o, err := s.Store.UpdateOrder(ctx, platformID, orderExtID, func(o *Order) error { return apply(o, serviceExtID, s.now()) })
	if err != nil {
		return "", err
	}
	return string(o.Service(serviceExtID).State), nil
}

var orderSteps = map[string]func(*Order, time.Time) error{
	StepMarkOrderPaidByAcquirer:                   (*Order).MarkPaidByAcquirer,
	StepMarkOrderAcquiringPaymentFailed:           (*Order).MarkAcquiringPaymentFailed,
	StepProceedAcquiringCommission:                (*Order).AcquiringCommission,
	StepMovePlatformCommissionToCommissionAccount: (*Order).MovePlatformCommission,
	StepProceedPlatformCommission:                 (*Order).PlatformCommission,
}

var serviceSteps = map[string]func(*Order, string, time.Time) error{
	StepProceedServicePayoutToRecipient: (*Order).PayoutToRecipient,
	StepProceedServicePayoutCommission:  (*Order).PayoutCommission,
	StepProceedRefund:                   (*Order).Refund,
}

// Ledger returns an order and all its postings, oldest first.
func (s *Operations) Ledger(ctx context.Context, platformID, orderExtID string) (*Order, []Posting, error) {
	o, err := s.Store.Order(ctx, platformID, orderExtID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Store.Postings(ctx, platformID, orderExtID)
	return o, p, err
}

// IsNotFound reports whether err is an ENotFound.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == ENotFound
}
