// Package yookassa holds the rules of the emulated YooKassa API v3 subset
// (design §5): shops with Basic credentials, payments with their statuses,
// capture and cancel, refunds, and idempotence keys. It knows nothing about
// HTTP or SQL: the HTTP layer converts wire objects to these types and
// renders responses; a Store keeps the state.
package yookassa

import (
	"time"

	"github.com/shopspring/decimal"
)

// Default credentials, created on first start and kept by a reset.
const (
	DefaultShopID    = "100500"
	DefaultSecretKey = "test_sandbox_secret"
)

// Shop is a YooKassa shop: HTTP Basic username (shopId) and password
// (secret key).
type Shop struct {
	ShopID    string
	SecretKey string
}

// PaymentStatus is YooKassa's payment status.
type PaymentStatus string

const (
	StatusPending           PaymentStatus = "pending"             // created, waiting for the payer
	StatusWaitingForCapture PaymentStatus = "waiting_for_capture" // paid, money held until capture or cancel
	StatusSucceeded         PaymentStatus = "succeeded"           // captured
	StatusCanceled          PaymentStatus = "canceled"            // canceled (final)
)

// ConfirmationType is the payer's confirmation scenario.
type ConfirmationType string

const (
	ConfirmationEmbedded ConfirmationType = "embedded" // the YooKassa widget, initialised with confirmation_token
	ConfirmationRedirect ConfirmationType = "redirect" // the payer goes to confirmation_url, then back to return_url
)

// Confirmation is the payment's confirmation object. In a NewPayment only
// Type and ReturnURL are read; the token (embedded) or URL (redirect) is
// made by BuildPayment.
type Confirmation struct {
	Type              ConfirmationType
	ReturnURL         string
	ConfirmationToken string // embedded: "ct-" + payment id
	ConfirmationURL   string // redirect: the sandbox's page where the payer confirms or cancels
}

// Cancellation parties and reasons that the sandbox produces (YooKassa
// documents more).
const (
	PartyYooMoney = "yoo_money"
	PartyMerchant = "merchant"

	ReasonExpiredOnConfirmation = "expired_on_confirmation" // the payer did not pay (the control API's cancel)
	ReasonCanceledByMerchant    = "canceled_by_merchant"    // POST /payments/{id}/cancel
)

// CancellationDetails is why a payment is canceled.
type CancellationDetails struct {
	Party  string
	Reason string
}

// Payment is a YooKassa payment.
type Payment struct {
	ID     string
	ShopID string
	Status PaymentStatus
	// Paid is true while the payer's money is held or taken:
	// waiting_for_capture and succeeded.
	Paid   bool
	Amount Amount
	// IncomeAmount is Amount minus YooKassa's fee; set when the payment succeeds.
	IncomeAmount *Amount
	// Capture is the request's capture flag: true captures at once when the
	// payer confirms, false (YooKassa's default) holds the money in
	// waiting_for_capture.
	Capture      bool
	Description  string
	Metadata     map[string]string // nil when the request had none
	Confirmation *Confirmation     // nil when the request had none
	CreatedAt    time.Time
	CapturedAt   *time.Time
	// ExpiresAt is when a waiting_for_capture payment stops being capturable;
	// set only in that status.
	ExpiresAt *time.Time
	// RefundedAmount is the sum of the payment's refunds, in Amount.Currency.
	RefundedAmount      decimal.Decimal
	CancellationDetails *CancellationDetails
	// Version counts the payment's changes; a Store guards updates with it.
	Version int64
}

// RefundStatus is YooKassa's refund status.
type RefundStatus string

const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded" // the sandbox's refunds succeed at once
	RefundCanceled  RefundStatus = "canceled"
)

// Refund is a YooKassa refund of (part of) a succeeded payment.
type Refund struct {
	ID          string
	PaymentID   string
	ShopID      string
	Status      RefundStatus
	Amount      Amount
	Description string
	CreatedAt   time.Time
}
