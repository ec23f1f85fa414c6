// Package medusa holds the rules of Tochka's Medusa marketplace payments:
// recipients and payout methods, orders of services, the sandbox steps that
// move them through the portal's states, the commission split and the
// double-entry ledger. It knows nothing about HTTP or SQL.
package medusa

import (
	"time"

	"github.com/shopspring/decimal"
)

// PermissionMedusa is the token permission that lets a platform use the API.
const PermissionMedusa = "medusa"

// Token authenticates one platform.
type Token struct {
	Token       string
	PlatformID  string
	Permissions []string
}

// Can reports whether the token carries permission p.
func (t *Token) Can(p string) bool {
	for _, have := range t.Permissions {
		if have == p {
			return true
		}
	}
	return false
}

// PayoutMethodType is the portal's PayoutMethodType.
type PayoutMethodType string

const (
	PayoutSBP  PayoutMethodType = "SBP"
	PayoutCard PayoutMethodType = "CARD"
)

// PayoutMethod is where a recipient is paid.
type PayoutMethod struct {
	ExtID            string
	Type             PayoutMethodType
	BankID           string // SBP only
	MaskedCardNumber string // CARD only
	RedirectURL      string // CARD only: where the card form sends the user back
	CreatedAt        time.Time
}

// SbpData is the recipient's personal data for SBP payouts.
type SbpData struct {
	Phone      string
	FirstName  string
	LastName   string
	MiddleName string
}

// Recipient is a seller of the platform.
type Recipient struct {
	PlatformID    string
	ExtID         string
	Name          string
	Sbp           *SbpData
	PayoutMethods []PayoutMethod
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// PayoutMethod returns the recipient's payout method extID, or nil.
func (r *Recipient) PayoutMethod(extID string) *PayoutMethod {
	for i := range r.PayoutMethods {
		if r.PayoutMethods[i].ExtID == extID {
			return &r.PayoutMethods[i]
		}
	}
	return nil
}

// OrderState is the portal's order state.
type OrderState string

const (
	OrderWaitingUserPayment OrderState = "waiting_user_payment"
	OrderWaitingServices    OrderState = "waiting_services"
	OrderFinished           OrderState = "finished"
	OrderCanceled           OrderState = "canceled"
)

// ServiceState is the portal's service state.
type ServiceState string

const (
	ServiceNotReady                ServiceState = "not_ready"
	ServiceWaitingPlatformDecision ServiceState = "waiting_platform_decision"
	ServiceReadyToExecute          ServiceState = "ready_to_execute"
	ServiceExecuting               ServiceState = "executing"
	ServiceExecuted                ServiceState = "executed"
	ServiceExecuteFailed           ServiceState = "execute_failed"
)

// Decision is the platform's decision on a service.
type Decision string

const (
	DecisionNotDecided Decision = "not_decided"
	DecisionConfirmed  Decision = "confirmed"
	DecisionRejected   Decision = "rejected"
)

// Valid reports whether d is one of the portal's decisions.
func (d Decision) Valid() bool {
	return d == DecisionNotDecided || d == DecisionConfirmed || d == DecisionRejected
}

// Service is one line of an order: a price paid out to one recipient, minus
// its commission, which the bank splits into fees and the platform's share.
type Service struct {
	ExtID      string
	Price      decimal.Decimal
	Commission decimal.Decimal
	Fees       Fees
	Recipient  ServiceRecipient
	State      ServiceState
	Decision   Decision
	// DecisionMadeAt is set when a decision other than not_decided is taken.
	DecisionMadeAt *time.Time
	ExecutedAt     *time.Time
}

// Payout is what the recipient receives for a confirmed service.
func (s *Service) Payout() decimal.Decimal { return s.Price.Sub(s.Commission) }

// ServiceRecipient is a snapshot of who is paid and how, taken at order
// creation so that later recipient edits do not rewrite history.
type ServiceRecipient struct {
	ExtID             string
	PayoutMethodExtID string
	// Method is the v1/v2 request's free-text `method`, echoed by the v1 view.
	Method           string
	MethodType       PayoutMethodType
	BankID           string
	MaskedCardNumber string
}

// IncomingPayment describes how the buyer pays (the acquiring link).
type IncomingPayment struct {
	Type            string
	Purpose         string
	RedirectURL     string
	FailRedirectURL string
	ConsumerID      string
	TTLMinutes      int
	SbpNeeded       bool
	CardNeeded      bool
	PaymentLink     string
}

// Receipt is the fiscal receipt data of an order.
type Receipt struct {
	Email         string
	Name          string
	VatType       string
	PaymentMethod string
	PaymentObject string
}

// Order is a platform's order of services and the aggregate that every
// sandbox step changes.
type Order struct {
	PlatformID string
	ExtID      string
	// APIVersion is the create call that made it (1, 2 or 3).
	APIVersion      int
	State           OrderState
	Version         int64
	IncomingPayment IncomingPayment
	Receipt         *Receipt
	Services        []Service
	CreatedAt       time.Time
	PayedAt         *time.Time
	FinishedAt      *time.Time
	// AcquiringChargedAt marks Step05, CommissionMovedAt Step06 and
	// PlatformCommissionPaidAt Step07; each happens once.
	AcquiringChargedAt       *time.Time
	CommissionMovedAt        *time.Time
	PlatformCommissionPaidAt *time.Time
	// Balances are the order's account balances after its postings so far.
	Balances Balances

	// NewPostings are the ledger rows made by the transition in progress;
	// the store appends them in the same transaction and clears them.
	NewPostings []Posting
}

// Service returns the order's service extID, or nil.
func (o *Order) Service(extID string) *Service {
	for i := range o.Services {
		if o.Services[i].ExtID == extID {
			return &o.Services[i]
		}
	}
	return nil
}

// OrderSummary is one row of the order list.
type OrderSummary struct {
	ExtID string
	State OrderState
}

// ReportItem is one row of the finished-orders report.
type ReportItem struct {
	OrderExtID                  string
	OrderCreatedAt              time.Time
	RefillSum                   decimal.Decimal
	RefundSum                   decimal.Decimal
	PayoutSum                   decimal.Decimal
	CompensationSum             decimal.Decimal
	IncomePaymentCommissionSum  decimal.Decimal
	OutgoingPayoutCommissionSum decimal.Decimal
	PlatformCommissionSum       decimal.Decimal
}

// SbpBank is a participant of the Faster Payments System.
type SbpBank struct {
	BankID        string
	BankCode      string
	Name          string
	NameRus       string
	EffectiveDate string
}
