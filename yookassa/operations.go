package yookassa

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"time"

	"github.com/shopspring/decimal"
)

// Operations runs YooKassa's operations: it authenticates, loads, applies a
// rule and stores, one transaction per state change.
type Operations struct {
	Store Store
	Now   func() time.Time // nil: time.Now
	// BaseURL is this server's public URL, for redirect confirmation URLs.
	BaseURL string
	// FeeRate is YooKassa's fee as a fraction of a captured amount, taken
	// off IncomeAmount, in [0, 1); set it to DefaultFeeRate (the zero value
	// charges no fee).
	FeeRate decimal.Decimal
}

// Render turns an operation's result into its HTTP response (status and
// body bytes). It runs inside the operation's write transaction, after the
// operation's writes, so that the response is committed with them as the
// idempotence record: it must not touch the store, and its error rolls the
// operation back.
type Render[T any] func(T) (status int, body []byte, err error)

func (s *Operations) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// EnsureDefaults creates the default shop if it is missing.
func (s *Operations) EnsureDefaults(ctx context.Context) error {
	_, err := s.Store.Shop(ctx, DefaultShopID)
	if !IsNotFound(err) {
		return err
	}
	err = s.Store.CreateShop(ctx, Shop{ShopID: DefaultShopID, SecretKey: DefaultSecretKey})
	if CodeOf(err) == EConflict {
		return nil // created meanwhile by another caller
	}
	return err
}

// CreateShop registers another shop (control API).
func (s *Operations) CreateShop(ctx context.Context, shop Shop) error {
	if shop.ShopID == "" || shop.SecretKey == "" {
		return Errorf(EInvalidRequest, "shopId and secret key are required")
	}
	return s.Store.CreateShop(ctx, shop)
}

// badCredentials is YooKassa's answer to a wrong shopId or secret key.
func badCredentials() *Error {
	return ParamErrorf(EInvalidCredentials, "Authorization",
		"Error in shopId or secret key. Check their validity. You can reissue the key in the Merchant Profile")
}

// Authenticate checks HTTP Basic credentials: the shop and its secret key,
// compared in constant time. A wrong or unknown pair is EInvalidCredentials.
func (s *Operations) Authenticate(ctx context.Context, shopID, secret string) (*Shop, error) {
	if shopID == "" || secret == "" {
		return nil, badCredentials()
	}
	shop, err := s.Store.Shop(ctx, shopID)
	known := err == nil
	if err != nil && !IsNotFound(err) {
		return nil, err
	}
	want := DefaultSecretKey // an unknown shop costs the same comparison
	if known {
		want = shop.SecretKey
	}
	// Hashing first makes the comparison independent of both lengths.
	got, exp := sha256.Sum256([]byte(secret)), sha256.Sum256([]byte(want))
	if subtle.ConstantTimeCompare(got[:], exp[:]) != 1 || !known {
		return nil, badCredentials()
	}
	return shop, nil
}

// idempotent runs fn as the shop's idempotent request key (see
// Store.Idempotent) after validating the key.
func (s *Operations) idempotent(ctx context.Context, shopID string, key IdemKey,
	fn func(tx Writer, now time.Time) (int, []byte, error)) (int, []byte, error) {
	if err := ValidateIdempotenceKey(key.Key); err != nil {
		return 0, nil, err
	}
	if key.Fingerprint == "" {
		return 0, nil, Errorf(EInternal, "the request has no idempotence fingerprint")
	}
	now := s.now()
	req := IdemRecord{ShopID: shopID, Key: key.Key, Fingerprint: key.Fingerprint, CreatedAt: now}
	return s.Store.Idempotent(ctx, req, func(tx Writer) (int, []byte, error) { return fn(tx, now) })
}

// CreatePayment creates a pending payment (POST /payments) and returns the
// rendered response; a repeat of the request with its Idempotence-Key within
// IdempotenceTTL returns the stored response and creates nothing.
func (s *Operations) CreatePayment(ctx context.Context, shopID string, key IdemKey, in NewPayment, render Render[*Payment]) (int, []byte, error) {
	return s.idempotent(ctx, shopID, key, func(tx Writer, now time.Time) (int, []byte, error) {
		p, err := BuildPayment(shopID, in, s.BaseURL, now)
		if err != nil {
			return 0, nil, err
		}
		if err := tx.CreatePayment(ctx, p); err != nil {
			return 0, nil, err
		}
		return render(p)
	})
}

// Payment reads the shop's payment (GET /payments/{id}).
func (s *Operations) Payment(ctx context.Context, shopID, id string) (*Payment, error) {
	return s.Store.Payment(ctx, shopID, id)
}

// updateOwn applies change to the shop's payment id inside tx and renders it.
func (s *Operations) updateOwn(ctx context.Context, tx Writer, shopID, id string,
	change func(*Payment) error, render Render[*Payment]) (int, []byte, error) {
	p, err := tx.UpdatePayment(ctx, id, func(p *Payment) (*Refund, error) {
		if p.ShopID != shopID {
			return nil, PaymentNotFound()
		}
		return nil, change(p)
	})
	if err != nil {
		return 0, nil, err
	}
	return render(p)
}

// Capture captures the shop's waiting_for_capture payment
// (POST /payments/{id}/capture); amount nil captures all of it.
func (s *Operations) Capture(ctx context.Context, shopID, paymentID string, key IdemKey, amount *Amount, render Render[*Payment]) (int, []byte, error) {
	return s.idempotent(ctx, shopID, key, func(tx Writer, now time.Time) (int, []byte, error) {
		return s.updateOwn(ctx, tx, shopID, paymentID, func(p *Payment) error {
			return p.MerchantCapture(amount, now, s.FeeRate)
		}, render)
	})
}

// Cancel cancels the shop's waiting_for_capture payment
// (POST /payments/{id}/cancel).
func (s *Operations) Cancel(ctx context.Context, shopID, paymentID string, key IdemKey, render Render[*Payment]) (int, []byte, error) {
	return s.idempotent(ctx, shopID, key, func(tx Writer, _ time.Time) (int, []byte, error) {
		return s.updateOwn(ctx, tx, shopID, paymentID, (*Payment).MerchantCancel, render)
	})
}

// CreateRefund refunds part or all of the shop's succeeded payment
// (POST /refunds): the refund and the payment's refunded amount are stored
// in one transaction with the idempotence record.
func (s *Operations) CreateRefund(ctx context.Context, shopID string, key IdemKey, in NewRefund, render Render[*Refund]) (int, []byte, error) {
	return s.idempotent(ctx, shopID, key, func(tx Writer, now time.Time) (int, []byte, error) {
		if in.PaymentID == "" {
			return 0, nil, ParamErrorf(EInvalidRequest, "payment_id", "payment_id is required")
		}
		var refund *Refund
		_, err := tx.UpdatePayment(ctx, in.PaymentID, func(p *Payment) (*Refund, error) {
			if p.ShopID != shopID {
				return nil, PaymentNotFound()
			}
			r, err := p.Refund(in, now)
			refund = r
			return r, err
		})
		if err != nil {
			return 0, nil, err
		}
		return render(refund)
	})
}

// Refund reads the shop's refund (GET /refunds/{id}).
func (s *Operations) Refund(ctx context.Context, shopID, id string) (*Refund, error) {
	return s.Store.Refund(ctx, shopID, id)
}

// Confirm is the payer's confirmation of a pending payment of any shop
// (control API); EInvalidState in any other status.
func (s *Operations) Confirm(ctx context.Context, paymentID string) (*Payment, error) {
	now := s.now()
	return s.Store.UpdatePayment(ctx, paymentID, func(p *Payment) (*Refund, error) {
		return nil, p.Confirm(now, s.FeeRate)
	})
}

// PayerCancel is the payer abandoning a pending payment of any shop (control
// API); EInvalidState in any other status.
func (s *Operations) PayerCancel(ctx context.Context, paymentID string) (*Payment, error) {
	return s.Store.UpdatePayment(ctx, paymentID, func(p *Payment) (*Refund, error) {
		return nil, p.PayerCancel()
	})
}
