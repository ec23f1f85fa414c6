// Package cryptomus holds the rules of the Cryptomus payment gateway as the
// sandbox emulates it: merchants with API keys and currency wallets, invoices
// and their statuses, request signatures, Laravel-style request validation
// and refunds. It knows nothing about HTTP or SQL; it uses the standard
// library and decimal only.
package cryptomus

import (
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Status is an invoice's payment_status, with Cryptomus's names.
type Status string

const (
	StatusCheck              Status = "check"                // waiting for the payment
	StatusProcess            Status = "process"              // the payment is being processed
	StatusConfirmCheck       Status = "confirm_check"        // waiting for blockchain confirmations
	StatusPaid               Status = "paid"                 // paid (within the accuracy)
	StatusPaidOver           Status = "paid_over"            // paid more than asked
	StatusWrongAmount        Status = "wrong_amount"         // paid less than asked; final
	StatusWrongAmountWaiting Status = "wrong_amount_waiting" // paid less; more may still come
	StatusCancel             Status = "cancel"               // not paid in time, or cancelled
	StatusFail               Status = "fail"                 // the payment failed
	StatusSystemFail         Status = "system_fail"          // a system error
	StatusLocked             Status = "locked"               // funds locked (AML)
	StatusRefundProcess      Status = "refund_process"       // a refund is being made
	StatusRefundFail         Status = "refund_fail"          // the refund failed
	StatusRefundPaid         Status = "refund_paid"          // the refund was made
)

// Statuses lists every status, in Cryptomus's documentation order.
var Statuses = []Status{
	StatusCheck, StatusProcess, StatusConfirmCheck, StatusPaid, StatusPaidOver,
	StatusWrongAmount, StatusWrongAmountWaiting, StatusCancel, StatusFail, StatusSystemFail,
	StatusLocked, StatusRefundProcess, StatusRefundFail, StatusRefundPaid,
}

// ParseStatus returns the status named s.
func ParseStatus(s string) (Status, bool) {
	st := Status(s)
	return st, slices.Contains(Statuses, st)
}

// IsFinal is the invoice's is_final: true once the invoice is finished:
// paid, paid_over, wrong_amount, cancel, fail, system_fail, locked,
// refund_paid, refund_fail. Not final: check, process, confirm_check,
// wrong_amount_waiting (the payment may still change) and refund_process
// (the refund may still be paid or fail).
func (s Status) IsFinal() bool {
	switch s {
	case StatusCheck, StatusProcess, StatusConfirmCheck, StatusWrongAmountWaiting, StatusRefundProcess:
		return false
	}
	return true
}

// IsRefundable reports whether a refund may start from s: paid and paid_over.
func (s Status) IsRefundable() bool { return s == StatusPaid || s == StatusPaidOver }

// transitions is what the simulated payer (control API) may do from each
// status; every other change is refused with EInvalidState.
var transitions = map[Status][]Status{
	StatusCheck: {StatusProcess, StatusConfirmCheck, StatusPaid, StatusPaidOver, StatusWrongAmount,
		StatusWrongAmountWaiting, StatusCancel, StatusFail, StatusSystemFail, StatusLocked},
	StatusProcess: {StatusPaid, StatusPaidOver, StatusWrongAmount, StatusWrongAmountWaiting,
		StatusFail, StatusSystemFail, StatusLocked},
	StatusConfirmCheck: {StatusPaid, StatusPaidOver, StatusWrongAmount, StatusWrongAmountWaiting,
		StatusFail, StatusSystemFail, StatusLocked},
	StatusWrongAmountWaiting: {StatusPaid, StatusPaidOver, StatusWrongAmount, StatusCancel},
	StatusRefundProcess:      {StatusRefundPaid, StatusRefundFail},
}

// NextStatuses returns the statuses the control API may set from s.
func NextStatuses(s Status) []Status { return slices.Clone(transitions[s]) }

// CanTransition reports whether the control API may move an invoice from
// status from to status to.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Wallet is one of a merchant's currency balances.
type Wallet struct {
	Currency string // upper case, e.g. "USDT"
	// Balance may go negative: the sandbox does not limit refunds by balance.
	Balance decimal.Decimal
}

// Merchant is a Cryptomus merchant: its keys sign requests.
type Merchant struct {
	UUID            string // lower case
	PaymentKey      string // signs every call
	PayoutKey       string // may also sign refunds; empty when the merchant has none
	PaymentsBlocked bool
	Wallets         []Wallet // in the order they were set
	Version         int64    // bumped by the store on every write
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Wallet returns the merchant's wallet of currency (any case), or nil.
func (m *Merchant) Wallet(currency string) *Wallet {
	c := strings.ToUpper(currency)
	for i := range m.Wallets {
		if m.Wallets[i].Currency == c {
			return &m.Wallets[i]
		}
	}
	return nil
}

// SetWallets replaces the merchant's wallets by currencies: wallets that stay
// keep their balances, new ones start at zero, the others are dropped.
// Currencies are upper-cased and deduplicated.
func (m *Merchant) SetWallets(currencies []string) error {
	cs, err := normalizeCurrencies(currencies)
	if err != nil {
		return err
	}
	ws := make([]Wallet, 0, len(cs))
	for _, c := range cs {
		bal := decimal.Zero
		if w := m.Wallet(c); w != nil {
			bal = w.Balance
		}
		ws = append(ws, Wallet{Currency: c, Balance: bal})
	}
	m.Wallets = ws
	return nil
}

// credit adds amount to the merchant's wallet of currency, if it has one.
func (m *Merchant) credit(currency string, amount decimal.Decimal) {
	if w := m.Wallet(currency); w != nil {
		w.Balance = w.Balance.Add(amount)
	}
}

// MaxCurrencyLen is the longest currency code (Cryptomus: max:10).
const MaxCurrencyLen = 10

func normalizeCurrencies(currencies []string) ([]string, error) {
	out := make([]string, 0, len(currencies))
	for _, c := range currencies {
		u := strings.ToUpper(strings.TrimSpace(c))
		if !validCurrency(u) {
			return nil, Errorf(EValidation, "wallet currency %q must be 1 to %d letters or digits", c, MaxCurrencyLen)
		}
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

func validCurrency(c string) bool {
	if c == "" || len(c) > MaxCurrencyLen {
		return false
	}
	for _, r := range c {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// NewMerchant is a control API request to create a merchant.
type NewMerchant struct {
	UUID            string // generated when empty
	PaymentKey      string // generated when empty
	PayoutKey       string // empty: the merchant has no payout key
	PaymentsBlocked bool
	// Wallets are currency codes; nil gives DefaultWallets, an empty
	// non-nil slice no wallet at all.
	Wallets []string
}

// BuildMerchant checks a NewMerchant and builds the merchant, not yet stored.
func BuildMerchant(in NewMerchant, now time.Time) (*Merchant, error) {
	id := strings.ToLower(strings.TrimSpace(in.UUID))
	if id == "" {
		id = NewUUID()
	} else if !IsUUID(id) {
		return nil, Errorf(EValidation, "merchant uuid %q is not a UUID", in.UUID)
	}
	key := in.PaymentKey
	if key == "" {
		key = newKey()
	}
	wallets := in.Wallets
	if wallets == nil {
		wallets = DefaultWallets()
	}
	m := &Merchant{UUID: id, PaymentKey: key, PayoutKey: in.PayoutKey, PaymentsBlocked: in.PaymentsBlocked,
		Wallets: []Wallet{}, CreatedAt: now, UpdatedAt: now}
	if err := m.SetWallets(wallets); err != nil {
		return nil, err
	}
	return m, nil
}

// Refund is the refund of an invoice.
type Refund struct {
	Address    string // where the payer is refunded
	IsSubtract bool   // true: the fee is taken from the merchant's balance
	Amount     decimal.Decimal
	Fee        decimal.Decimal
	// PayerReceives is Amount when IsSubtract, else Amount − Fee.
	PayerReceives decimal.Decimal
	At            time.Time
}

// WalletDebit is what the refund takes from the merchant's wallet: Amount +
// Fee when IsSubtract, else Amount.
func (r *Refund) WalletDebit() decimal.Decimal {
	if r.IsSubtract {
		return r.Amount.Add(r.Fee)
	}
	return r.Amount
}

// Invoice is a Cryptomus payment.
type Invoice struct {
	UUID            string // lower case
	MerchantUUID    string
	OrderID         string // unique per merchant
	Amount          decimal.Decimal
	Currency        string // upper case
	Network         string // as the client sent it; may be empty
	URLReturn       string
	URLSuccess      string
	URLCallback     string
	AdditionalData  string
	Lifetime        int             // seconds
	AccuracyPercent decimal.Decimal // 0–5: how much less than Amount still counts as paid
	Status          Status
	PaymentAmount   *decimal.Decimal // what the payer paid; nil until a payment
	PayerCurrency   string           // set with PaymentAmount
	MerchantAmount  *decimal.Decimal // credited to the merchant; nil until paid
	Address         string           // deposit address; empty for a fiat invoice without network
	From            string           // the payer's address, set with a payment
	TxID            string           // the payment's transaction hash
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ExpiredAt       time.Time
	RefundedAmount  decimal.Decimal
	Refund          *Refund
	Version         int64 // bumped by the store on every write
}

// NewInvoice builds a new invoice of the merchant from a validated request,
// with a fresh uuid, status check and ExpiredAt = now + lifetime.
func NewInvoice(merchantUUID string, req InvoiceRequest, now time.Time) *Invoice {
	id := NewUUID()
	lifetime := req.Lifetime
	if lifetime == 0 {
		lifetime = DefaultLifetime
	}
	return &Invoice{
		UUID: id, MerchantUUID: merchantUUID, OrderID: req.OrderID,
		Amount: req.Amount, Currency: req.Currency, Network: req.Network,
		URLReturn: req.URLReturn, URLSuccess: req.URLSuccess, URLCallback: req.URLCallback,
		AdditionalData: req.AdditionalData, Lifetime: lifetime, AccuracyPercent: req.AccuracyPercent,
		Status:    StatusCheck,
		Address:   DepositAddress(id, req.Currency, req.Network),
		CreatedAt: now, UpdatedAt: now, ExpiredAt: now.Add(time.Duration(lifetime) * time.Second),
		RefundedAmount: decimal.Zero,
	}
}

// Observe applies what time alone does to the invoice: an invoice still in
// check whose ExpiredAt has come is cancelled (lazy expiry, at ExpiredAt).
// Reads call it before showing an invoice and every transition calls it
// first, so a read and a write agree; the store persists it with the next
// write. It reports whether it changed the invoice.
func (inv *Invoice) Observe(now time.Time) bool {
	if inv.Status == StatusCheck && !now.Before(inv.ExpiredAt) {
		inv.Status = StatusCancel
		inv.UpdatedAt = inv.ExpiredAt
		return true
	}
	return false
}

// PaidThreshold is the least payment that counts as paid:
// Amount × (1 − AccuracyPercent/100).
func (inv *Invoice) PaidThreshold() decimal.Decimal {
	return inv.Amount.Sub(inv.Amount.Mul(inv.AccuracyPercent).Shift(-2))
}

// SetStatus is the simulated payer's result (control API): it moves the
// invoice to status to along the transition table, with paymentAmount for
// the payment statuses and txid as the transaction hash (generated when
// empty). A paid, paid_over or wrong_amount payment credits the merchant's
// wallet of the invoice's currency, if the merchant has one; refund_fail
// gives the refund's debit back to the wallet.
func (inv *Invoice) SetStatus(m *Merchant, to Status, paymentAmount *decimal.Decimal, txid string, now time.Time) error {
	inv.Observe(now)
	if _, ok := ParseStatus(string(to)); !ok {
		return Errorf(EValidation, "unknown status %q", to)
	}
	if !CanTransition(inv.Status, to) {
		return Errorf(EInvalidState, "invoice %s is %s and cannot become %s", inv.UUID, inv.Status, to)
	}
	pay, err := inv.checkPayment(to, paymentAmount)
	if err != nil {
		return err
	}
	if txid != "" {
		inv.TxID = txid
	}
	switch to {
	case StatusProcess, StatusConfirmCheck:
		inv.startPayment()
	case StatusWrongAmountWaiting:
		inv.startPayment()
		inv.PaymentAmount, inv.PayerCurrency = &pay, inv.Currency
	case StatusPaid, StatusPaidOver, StatusWrongAmount:
		inv.startPayment()
		merchantAmount := pay
		inv.PaymentAmount, inv.PayerCurrency, inv.MerchantAmount = &pay, inv.Currency, &merchantAmount
		m.credit(inv.Currency, pay)
	case StatusRefundFail:
		if inv.Refund != nil {
			m.credit(inv.Currency, inv.Refund.WalletDebit())
			inv.RefundedAmount = inv.RefundedAmount.Sub(inv.Refund.Amount)
		}
	}
	inv.Status = to
	inv.UpdatedAt = now
	return nil
}

// startPayment gives the invoice the payer's address and a transaction hash
// when it has none yet.
func (inv *Invoice) startPayment() {
	if inv.TxID == "" {
		inv.TxID = TxHash(inv.UUID, inv.Currency, inv.Network)
	}
	if inv.From == "" {
		inv.From = PayerAddress(inv.UUID, inv.Currency, inv.Network)
	}
}

// checkPayment checks the payment amount of a move to status to and returns
// the amount to record (zero for statuses without a payment).
func (inv *Invoice) checkPayment(to Status, p *decimal.Decimal) (decimal.Decimal, error) {
	needs := to == StatusPaid || to == StatusPaidOver || to == StatusWrongAmount || to == StatusWrongAmountWaiting
	if !needs {
		if p != nil {
			return decimal.Zero, Errorf(EValidation, "paymentAmount is only for paid, paid_over, wrong_amount and wrong_amount_waiting, not %s", to)
		}
		return decimal.Zero, nil
	}
	if p == nil {
		if to != StatusPaid {
			return decimal.Zero, Errorf(EValidation, "status %s needs a paymentAmount", to)
		}
		p = &inv.Amount
	}
	pay := *p
	if !pay.IsPositive() {
		return decimal.Zero, Errorf(EValidation, "paymentAmount %s must be more than 0", FormatAmount(pay))
	}
	if inv.PaymentAmount != nil && pay.LessThan(*inv.PaymentAmount) {
		return decimal.Zero, Errorf(EValidation, "paymentAmount %s is less than the %s already paid",
			FormatAmount(pay), FormatAmount(*inv.PaymentAmount))
	}
	threshold := inv.PaidThreshold()
	switch to {
	case StatusPaid:
		if pay.LessThan(threshold) || pay.GreaterThan(inv.Amount) {
			return decimal.Zero, Errorf(EValidation, "paid needs a paymentAmount from %s to %s (amount %s, accuracy %s%%), not %s",
				FormatAmount(threshold), FormatAmount(inv.Amount), FormatAmount(inv.Amount), inv.AccuracyPercent, FormatAmount(pay))
		}
	case StatusPaidOver:
		if !pay.GreaterThan(inv.Amount) {
			return decimal.Zero, Errorf(EValidation, "paid_over needs a paymentAmount above the amount %s, not %s",
				FormatAmount(inv.Amount), FormatAmount(pay))
		}
	default: // wrong_amount, wrong_amount_waiting
		if !pay.LessThan(threshold) {
			return decimal.Zero, Errorf(EValidation, "%s needs a paymentAmount below %s (amount %s, accuracy %s%%), not %s",
				to, FormatAmount(threshold), FormatAmount(inv.Amount), inv.AccuracyPercent, FormatAmount(pay))
		}
	}
	return pay, nil
}

// ApplyRefund starts the refund of the invoice to req.Address, checking in
// Cryptomus's order: the merchant's payments are not blocked, the merchant
// has a wallet of the invoice's currency, the invoice is paid or paid_over,
// and its amount is not more than what is left of the paid amount. The
// invoice goes to refund_process; the wallet pays Amount (+ the fee when
// req.IsSubtract). The balance may go negative.
func (inv *Invoice) ApplyRefund(m *Merchant, req RefundRequest, now time.Time) error {
	if m.UUID != inv.MerchantUUID {
		return Errorf(EInternal, "invoice %s is not merchant %s's", inv.UUID, m.UUID)
	}
	if m.PaymentsBlocked {
		return business(MsgForbidden)
	}
	w := m.Wallet(inv.Currency)
	if w == nil {
		return business(MsgUndefinedWallet)
	}
	inv.Observe(now)
	if !inv.Status.IsRefundable() || inv.PaymentAmount == nil {
		return business(MsgRefundNotCompleted)
	}
	amount := inv.Amount
	if amount.GreaterThan(inv.PaymentAmount.Sub(inv.RefundedAmount)) {
		return business(MsgRefundMoreThanPaid)
	}
	fee := RefundFee(amount)
	r := &Refund{Address: req.Address, IsSubtract: req.IsSubtract, Amount: amount, Fee: fee,
		PayerReceives: amount, At: now}
	if !req.IsSubtract {
		r.PayerReceives = amount.Sub(fee)
	}
	w.Balance = w.Balance.Sub(r.WalletDebit())
	inv.RefundedAmount = inv.RefundedAmount.Add(amount)
	inv.Refund = r
	inv.Status = StatusRefundProcess
	inv.UpdatedAt = now
	return nil
}
