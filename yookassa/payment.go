package yookassa

import (
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Limits of a payment request (YooKassa's documented ones).
const (
	MaxDescription       = 128  // characters of a payment's description
	MaxRefundDescription = 250  // characters of a refund's description
	MaxMetadataKeys      = 16   // keys of metadata
	MaxMetadataKey       = 32   // characters of a metadata key
	MaxMetadataValue     = 512  // characters of a metadata value
	MaxReturnURL         = 2048 // characters of confirmation.return_url
)

// CaptureWindow is how long a waiting_for_capture payment can be captured or
// canceled (YooKassa's bank-card term): its ExpiresAt is the payer's
// confirmation + 7 days. The sandbox shows it but does not cancel payments
// when it passes.
const CaptureWindow = 7 * 24 * time.Hour

// ConfirmPath is the path, under the server's public URL, of the page where
// the payer of a redirect payment confirms it (+ "/" + payment id).
const ConfirmPath = "/sandbox/v1/yookassa/confirm"

// NewPayment is a create-payment request, converted from the wire by the
// HTTP layer.
type NewPayment struct {
	Amount       Amount
	Capture      bool // false (YooKassa's default) holds the money in waiting_for_capture
	Description  string
	Metadata     map[string]string
	Confirmation *Confirmation // only Type and ReturnURL are read; nil: none
}

// BuildPayment checks a create-payment request and builds the pending
// payment, not yet stored. baseURL is the server's public URL, for a
// redirect's confirmation_url.
func BuildPayment(shopID string, in NewPayment, baseURL string, now time.Time) (*Payment, error) {
	if err := in.Amount.Validate("amount"); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(in.Description); n > MaxDescription {
		return nil, ParamErrorf(EInvalidRequest, "description",
			"Invalid description: %d characters, at most %d are allowed", n, MaxDescription)
	}
	if err := checkMetadata(in.Metadata); err != nil {
		return nil, err
	}
	p := &Payment{
		ID:             NewPaymentID(),
		ShopID:         shopID,
		Status:         StatusPending,
		Amount:         in.Amount,
		Capture:        in.Capture,
		Description:    in.Description,
		CreatedAt:      now,
		RefundedAmount: decimal.Zero,
	}
	if len(in.Metadata) > 0 {
		p.Metadata = make(map[string]string, len(in.Metadata))
		for k, v := range in.Metadata {
			p.Metadata[k] = v
		}
	}
	if c := in.Confirmation; c != nil {
		conf, err := buildConfirmation(p.ID, *c, baseURL)
		if err != nil {
			return nil, err
		}
		p.Confirmation = conf
	}
	return p, nil
}

func checkMetadata(m map[string]string) error {
	if len(m) > MaxMetadataKeys {
		return ParamErrorf(EInvalidRequest, "metadata",
			"Invalid metadata: %d keys, at most %d are allowed", len(m), MaxMetadataKeys)
	}
	for k, v := range m {
		if k == "" || utf8.RuneCountInString(k) > MaxMetadataKey {
			return ParamErrorf(EInvalidRequest, "metadata",
				"Invalid metadata key %q: a key has 1 to %d characters", k, MaxMetadataKey)
		}
		if utf8.RuneCountInString(v) > MaxMetadataValue {
			return ParamErrorf(EInvalidRequest, "metadata",
				"Invalid metadata value of %q: at most %d characters are allowed", k, MaxMetadataValue)
		}
	}
	return nil
}

func buildConfirmation(paymentID string, c Confirmation, baseURL string) (*Confirmation, error) {
	if len(c.ReturnURL) > MaxReturnURL {
		return nil, ParamErrorf(EInvalidRequest, "confirmation.return_url",
			"Invalid confirmation.return_url: at most %d characters are allowed", MaxReturnURL)
	}
	if c.ReturnURL != "" {
		if u, err := url.Parse(c.ReturnURL); err != nil || u.Scheme == "" || u.Host == "" {
			return nil, ParamErrorf(EInvalidRequest, "confirmation.return_url",
				"Invalid confirmation.return_url: %q is not an absolute URL", c.ReturnURL)
		}
	}
	out := &Confirmation{Type: c.Type, ReturnURL: c.ReturnURL}
	switch c.Type {
	case ConfirmationEmbedded:
		out.ConfirmationToken = "ct-" + paymentID
	case ConfirmationRedirect:
		if c.ReturnURL == "" {
			return nil, ParamErrorf(EInvalidRequest, "confirmation.return_url",
				"confirmation.return_url is required for the redirect confirmation type")
		}
		out.ConfirmationURL = baseURL + ConfirmPath + "/" + paymentID
	default:
		return nil, ParamErrorf(EInvalidRequest, "confirmation.type",
			"Invalid confirmation.type: %q. The sandbox supports embedded and redirect", c.Type)
	}
	return out, nil
}

// Refundable reports whether part of the payment can still be refunded.
func (p *Payment) Refundable() bool {
	return p.Status == StatusSucceeded && p.RefundedAmount.LessThan(p.Amount.Value)
}

// Available is what is left to refund: Amount − RefundedAmount.
func (p *Payment) Available() decimal.Decimal { return p.Amount.Value.Sub(p.RefundedAmount) }

// succeed captures the payment's Amount.
func (p *Payment) succeed(now time.Time, feeRate decimal.Decimal) {
	p.Status = StatusSucceeded
	p.Paid = true
	p.CapturedAt = &now
	p.ExpiresAt = nil
	income := IncomeOf(p.Amount, feeRate)
	p.IncomeAmount = &income
}

func (p *Payment) cancel(party, reason string) {
	p.Status = StatusCanceled
	p.Paid = false
	p.ExpiresAt = nil
	p.CancellationDetails = &CancellationDetails{Party: party, Reason: reason}
}

// Confirm is the payer's confirmation (control API): a pending payment with
// capture true succeeds at once; with capture false it waits for capture
// until now + CaptureWindow. Anything but pending is EInvalidState.
func (p *Payment) Confirm(now time.Time, feeRate decimal.Decimal) error {
	if p.Status != StatusPending {
		return Errorf(EInvalidState, "payment is %s; only a pending payment can be confirmed", p.Status)
	}
	if p.Capture {
		p.succeed(now, feeRate)
	} else {
		p.Status = StatusWaitingForCapture
		p.Paid = true
		expires := now.Add(CaptureWindow)
		p.ExpiresAt = &expires
	}
	p.Version++
	return nil
}

// PayerCancel is the payer abandoning a pending payment (control API): it is
// canceled by YooMoney as expired_on_confirmation. Anything but pending is
// EInvalidState.
func (p *Payment) PayerCancel() error {
	if p.Status != StatusPending {
		return Errorf(EInvalidState, "payment is %s; only a pending payment can be abandoned", p.Status)
	}
	p.cancel(PartyYooMoney, ReasonExpiredOnConfirmation)
	p.Version++
	return nil
}

func notWaitingForCapture(p *Payment) error {
	return ParamErrorf(EInvalidRequest, "payment_id",
		"Payment doesn't have the waiting_for_capture status: payment %s is %s", p.ID, p.Status)
}

// MerchantCapture is the merchant's capture of a waiting_for_capture payment
// (POST /payments/{id}/capture). amount
// nil captures all of it; a smaller amount (same currency) captures part and
// becomes the payment's Amount, the rest goes back to the payer.
func (p *Payment) MerchantCapture(amount *Amount, now time.Time, feeRate decimal.Decimal) error {
	if p.Status != StatusWaitingForCapture {
		return notWaitingForCapture(p)
	}
	if amount != nil {
		if err := amount.Validate("amount"); err != nil {
			return err
		}
		if amount.Currency != p.Amount.Currency {
			return ParamErrorf(EInvalidRequest, "amount.currency",
				"The capture currency %s differs from the payment currency %s", amount.Currency, p.Amount.Currency)
		}
		if amount.Value.GreaterThan(p.Amount.Value) {
			return ParamErrorf(EInvalidRequest, "amount.value",
				"The capture amount %s exceeds the payment amount %s", *amount, p.Amount)
		}
		p.Amount = *amount
	}
	p.succeed(now, feeRate)
	p.Version++
	return nil
}

// MerchantCancel is the merchant's cancel of a waiting_for_capture payment
// (POST /payments/{id}/cancel); the money goes back to the payer.
func (p *Payment) MerchantCancel() error {
	if p.Status != StatusWaitingForCapture {
		return notWaitingForCapture(p)
	}
	p.cancel(PartyMerchant, ReasonCanceledByMerchant)
	p.Version++
	return nil
}

// NewRefund is a create-refund request.
type NewRefund struct {
	PaymentID   string
	Amount      Amount
	Description string
}

// Refund refunds part or all of what is left of a succeeded payment: it adds
// the amount to RefundedAmount and returns the refund (succeeded at once),
// to be stored in the same transaction as the payment.
func (p *Payment) Refund(in NewRefund, now time.Time) (*Refund, error) {
	if err := in.Amount.Validate("amount"); err != nil {
		return nil, err
	}
	if n := utf8.RuneCountInString(in.Description); n > MaxRefundDescription {
		return nil, ParamErrorf(EInvalidRequest, "description",
			"Invalid description: %d characters, at most %d are allowed", n, MaxRefundDescription)
	}
	if p.Status != StatusSucceeded {
		return nil, ParamErrorf(EInvalidRequest, "payment_id",
			"Payment has status %s, refund is possible only for succeeded payments", p.Status)
	}
	if in.Amount.Currency != p.Amount.Currency {
		return nil, ParamErrorf(EInvalidRequest, "amount.currency",
			"The refund currency %s differs from the payment currency %s", in.Amount.Currency, p.Amount.Currency)
	}
	if avail := p.Available(); in.Amount.Value.GreaterThan(avail) {
		return nil, ParamErrorf(EInvalidRequest, "amount.value",
			"Refund amount exceeds the available amount: requested %s, available %s (payment %s, already refunded %s)",
			in.Amount, Amount{Value: avail, Currency: p.Amount.Currency}, p.Amount,
			Amount{Value: p.RefundedAmount, Currency: p.Amount.Currency})
	}
	p.RefundedAmount = p.RefundedAmount.Add(in.Amount.Value)
	p.Version++
	return &Refund{
		ID:          NewRefundID(),
		PaymentID:   p.ID,
		ShopID:      p.ShopID,
		Status:      RefundSucceeded,
		Amount:      in.Amount,
		Description: in.Description,
		CreatedAt:   now,
	}, nil
}
