package cryptomus

import (
	"context"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Default credentials, created on first start and kept by a reset.
const (
	// DefaultMerchantUUID is the seed's example merchant.
	DefaultMerchantUUID = "8b03432e-385b-4670-8d06-064591096795"
	DefaultPaymentKey   = "cryptomus-sandbox-key"
	// DefaultPayoutKey also signs refunds (design §4: clients disagree on
	// which key Cryptomus wants there).
	DefaultPayoutKey = "cryptomus-sandbox-payout-key"
)

// DefaultWallets are the default merchant's wallet currencies, and those of
// a merchant created without a wallet list.
func DefaultWallets() []string { return []string{"USDT", "BTC", "ETH", "TRX", "USD"} }

// Operations runs Cryptomus's operations: it authenticates, loads, applies a
// rule and stores, one transaction per state change.
type Operations struct {
	Store Store
	Now   func() time.Time
	// BaseURL is this server's public URL, for the invoices' payment links.
	BaseURL string
}

func (s *Operations) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// PaymentURL is the payer's page of an invoice (the invoice's url).
func (s *Operations) PaymentURL(invoiceUUID string) string {
	return s.BaseURL + "/sandbox/v1/cryptomus/pay/" + invoiceUUID
}

// Authenticate returns the merchant whose key signed body: the merchant
// header must name a merchant and sign must be Sign(body, its payment key),
// or, when allowPayoutKey (refunds), Sign(body, its payout key). Anything
// else is EUnauthorized with MsgInvalidSign.
func (s *Operations) Authenticate(ctx context.Context, merchantUUID, sign string, body []byte, allowPayoutKey bool) (*Merchant, error) {
	id := strings.ToLower(strings.TrimSpace(merchantUUID))
	if id == "" || sign == "" {
		return nil, &Error{Code: EUnauthorized, Message: MsgInvalidSign}
	}
	m, err := s.Store.Merchant(ctx, id)
	if CodeOf(err) == ENotFound {
		return nil, &Error{Code: EUnauthorized, Message: MsgInvalidSign}
	}
	if err != nil {
		return nil, err
	}
	ok := VerifySign(body, m.PaymentKey, sign)
	if allowPayoutKey && m.PayoutKey != "" {
		ok = VerifySign(body, m.PayoutKey, sign) || ok // both always computed
	}
	if !ok {
		return nil, &Error{Code: EUnauthorized, Message: MsgInvalidSign}
	}
	return m, nil
}

// EnsureDefaults creates the default merchant if it is missing.
func (s *Operations) EnsureDefaults(ctx context.Context) error {
	_, err := s.Store.Merchant(ctx, DefaultMerchantUUID)
	if CodeOf(err) != ENotFound {
		return err
	}
	m, err := BuildMerchant(NewMerchant{UUID: DefaultMerchantUUID, PaymentKey: DefaultPaymentKey,
		PayoutKey: DefaultPayoutKey, Wallets: DefaultWallets()}, s.now())
	if err != nil {
		return err
	}
	if err := s.Store.CreateMerchant(ctx, m); err != nil && CodeOf(err) != EConflict {
		return err // a conflict means another caller created it first
	}
	return nil
}

// CreateInvoice creates an invoice of the merchant. When the merchant has
// already used req.OrderID it returns that invoice unchanged and true
// instead (also when two creates race). A merchant whose payments are
// blocked gets MsgForbidden.
func (s *Operations) CreateInvoice(ctx context.Context, m *Merchant, req InvoiceRequest) (*Invoice, bool, error) {
	if m.PaymentsBlocked {
		return nil, false, business(MsgForbidden)
	}
	// No read first: the store refuses a used order_id (EConflict), and a
	// new order_id, the common case, then costs one write instead of a
	// read and a write.
	now := s.now()
	inv := NewInvoice(m.UUID, req, now)
	err := s.Store.CreateInvoice(ctx, inv)
	if CodeOf(err) == EConflict {
		existing, rerr := s.Store.InvoiceByOrderID(ctx, m.UUID, req.OrderID)
		if rerr != nil {
			return nil, false, err
		}
		existing.Observe(now)
		return existing, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	return inv, false, nil
}

// Info reads one of the merchant's invoices by order_id when given, else by
// uuid; MsgPaymentNotFound when it has none.
func (s *Operations) Info(ctx context.Context, m *Merchant, req InfoRequest) (*Invoice, error) {
	inv, err := s.find(ctx, m.UUID, req.UUID, req.OrderID, true)
	if err != nil {
		return nil, err
	}
	inv.Observe(s.now())
	return inv, nil
}

// find reads an invoice by uuid or order_id; orderIDFirst says which wins
// when both are given.
func (s *Operations) find(ctx context.Context, merchantUUID, uuid, orderID string, orderIDFirst bool) (*Invoice, error) {
	var inv *Invoice
	var err error
	if orderID != "" && (orderIDFirst || uuid == "") {
		inv, err = s.Store.InvoiceByOrderID(ctx, merchantUUID, orderID)
	} else {
		inv, err = s.Store.InvoiceByUUID(ctx, merchantUUID, strings.ToLower(uuid))
	}
	if CodeOf(err) == ENotFound {
		return nil, business(MsgPaymentNotFound)
	}
	return inv, err
}

// Refund refunds one of the merchant's invoices (by uuid when given, else by
// order_id), checking in this order, each with its own message: payments
// blocked (MsgForbidden), no such invoice (MsgPaymentNotFound), no wallet of
// the invoice's currency (MsgUndefinedWallet), invoice not paid or paid_over
// (MsgRefundNotCompleted — also a second refund), its amount more than what
// is left of the paid amount (MsgRefundMoreThanPaid). The invoice goes to
// refund_process and the wallet is debited in the same transaction.
func (s *Operations) Refund(ctx context.Context, m *Merchant, req RefundRequest) error {
	if m.PaymentsBlocked {
		return business(MsgForbidden)
	}
	// By uuid the invoice is read only inside the write, which checks
	// that it is this merchant's; by order_id it must be found first.
	uuid := strings.ToLower(req.UUID)
	if uuid == "" {
		inv, err := s.find(ctx, m.UUID, "", req.OrderID, false)
		if err != nil {
			return err
		}
		uuid = inv.UUID
	}
	now, expired := s.now(), false
	_, err := s.Store.UpdateInvoice(ctx, uuid, func(inv *Invoice, fresh *Merchant) error {
		if inv.MerchantUUID != m.UUID {
			return Errorf(ENotFound, "invoice %s not found", uuid) // another merchant's
		}
		expired = inv.Observe(now)
		return inv.ApplyRefund(fresh, req, now)
	})
	if err != nil && expired {
		s.persistExpiry(ctx, uuid, now)
	}
	if CodeOf(err) == ENotFound {
		return business(MsgPaymentNotFound)
	}
	return err
}

// errUnchanged makes UpdateInvoice write nothing.
var errUnchanged = Errorf(EInternal, "unchanged")

// persistExpiry stores the lazy expiry of an invoice whose refused change
// found it expired, so the row says cancel from then on. It is best effort:
// every read applies Observe anyway.
func (s *Operations) persistExpiry(ctx context.Context, uuid string, now time.Time) {
	_, _ = s.Store.UpdateInvoice(ctx, uuid, func(inv *Invoice, _ *Merchant) error {
		if !inv.Observe(now) {
			return errUnchanged
		}
		return nil
	})
}

// CreateMerchant creates a merchant (control API); EConflict when its uuid
// exists.
func (s *Operations) CreateMerchant(ctx context.Context, in NewMerchant) (*Merchant, error) {
	m, err := BuildMerchant(in, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.Store.CreateMerchant(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Merchant reads a merchant (control API); ENotFound when unknown.
func (s *Operations) Merchant(ctx context.Context, uuid string) (*Merchant, error) {
	return s.Store.Merchant(ctx, strings.ToLower(uuid))
}

// UpdateMerchant changes a merchant (control API): blocked, when not nil,
// sets PaymentsBlocked; wallets, when not nil, replaces the wallet list
// (wallets that stay keep their balances, new ones start at 0).
func (s *Operations) UpdateMerchant(ctx context.Context, uuid string, blocked *bool, wallets *[]string) (*Merchant, error) {
	return s.Store.UpdateMerchant(ctx, strings.ToLower(uuid), func(m *Merchant) error {
		if wallets != nil {
			if err := m.SetWallets(*wallets); err != nil {
				return err
			}
		}
		if blocked != nil {
			m.PaymentsBlocked = *blocked
		}
		m.UpdatedAt = s.now()
		return nil
	})
}

// Invoice reads any merchant's invoice by uuid (control API), as a client
// would see it now; ENotFound when unknown.
func (s *Operations) Invoice(ctx context.Context, uuid string) (*Invoice, error) {
	inv, err := s.Store.InvoiceByUUIDAnyMerchant(ctx, strings.ToLower(uuid))
	if err != nil {
		return nil, err
	}
	inv.Observe(s.now())
	return inv, nil
}

// SetInvoiceStatus is the simulated payer's result (control API): see
// (*Invoice).SetStatus. An invoice found expired is stored as cancel even
// when the change is refused. ENotFound for an unknown invoice, EValidation for an
// unknown status or a payment amount that does not fit the status,
// EInvalidState for a change the transition table does not allow.
func (s *Operations) SetInvoiceStatus(ctx context.Context, invoiceUUID string, status Status, paymentAmount *decimal.Decimal, txid string) (*Invoice, error) {
	if _, ok := ParseStatus(string(status)); !ok {
		return nil, Errorf(EValidation, "unknown status %q", status)
	}
	id, now, expired := strings.ToLower(invoiceUUID), s.now(), false
	inv, err := s.Store.UpdateInvoice(ctx, id, func(inv *Invoice, m *Merchant) error {
		expired = inv.Observe(now)
		return inv.SetStatus(m, status, paymentAmount, txid, now)
	})
	if err != nil && expired {
		s.persistExpiry(ctx, id, now)
	}
	return inv, err
}
