package yookassa

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// Shared fixtures and helpers of the yookassa tests.

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

const (
	shopA   = "shop-a"
	secretA = "secret-a"
	shopB   = "shop-b"
	secretB = "secret-b"
	baseURL = "https://sandbox.test"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func rub(s string) Amount { return Amount{Value: dec(s), Currency: CurrencyRUB} }

func rubPtr(s string) *Amount { a := rub(s); return &a }

// wantCode asserts that err is a *Error with the given code ("" = no error)
// and a non-empty description.
func wantCode(t *testing.T, err error, code ErrorCode) *Error {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return nil
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *Error with code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("error code = %s (%v), want %s", e.Code, err, code)
	}
	if e.Description == "" {
		t.Fatalf("error %s has an empty description", code)
	}
	return e
}

// wantParam asserts code and parameter of err.
func wantParam(t *testing.T, err error, code ErrorCode, parameter string) *Error {
	t.Helper()
	e := wantCode(t, err, code)
	if e.Parameter != parameter {
		t.Fatalf("error parameter = %q (%v), want %q", e.Parameter, err, parameter)
	}
	return e
}

func decEq(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// clonePayment deep-copies a payment.
func clonePayment(p *Payment) *Payment {
	c := *p
	if p.IncomeAmount != nil {
		a := *p.IncomeAmount
		c.IncomeAmount = &a
	}
	if p.Metadata != nil {
		c.Metadata = maps.Clone(p.Metadata)
	}
	if p.Confirmation != nil {
		cf := *p.Confirmation
		c.Confirmation = &cf
	}
	if p.CapturedAt != nil {
		t := *p.CapturedAt
		c.CapturedAt = &t
	}
	if p.ExpiresAt != nil {
		t := *p.ExpiresAt
		c.ExpiresAt = &t
	}
	if p.CancellationDetails != nil {
		d := *p.CancellationDetails
		c.CancellationDetails = &d
	}
	return &c
}

// samePayment reports whether two payments are equal field by field
// (decimals by value).
func samePayment(a, b *Payment) bool {
	x, y := clonePayment(a), clonePayment(b)
	if !x.Amount.Value.Equal(y.Amount.Value) || !x.RefundedAmount.Equal(y.RefundedAmount) {
		return false
	}
	if (x.IncomeAmount == nil) != (y.IncomeAmount == nil) ||
		x.IncomeAmount != nil && !x.IncomeAmount.Value.Equal(y.IncomeAmount.Value) {
		return false
	}
	x.Amount.Value, y.Amount.Value = decimal.Zero, decimal.Zero
	x.RefundedAmount, y.RefundedAmount = decimal.Zero, decimal.Zero
	x.IncomeAmount, y.IncomeAmount = nil, nil
	return reflect.DeepEqual(x, y)
}

// memStore is an in-memory Store. One mutex plays the write transaction:
// Idempotent holds it across the lookup, fn and the record, and restores a
// snapshot when fn fails.
type memStore struct {
	mu       sync.Mutex
	shops    map[string]Shop
	payments map[string]*Payment
	refunds  map[string]*Refund
	idem     map[[2]string]IdemRecord
	// createShopErr, when set, is what CreateShop returns.
	createShopErr error
}

func newMemStore() *memStore {
	return &memStore{shops: map[string]Shop{}, payments: map[string]*Payment{},
		refunds: map[string]*Refund{}, idem: map[[2]string]IdemRecord{}}
}

var _ Store = (*memStore)(nil)

func (m *memStore) Shop(_ context.Context, shopID string) (*Shop, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.shops[shopID]
	if !ok {
		return nil, Errorf(ENotFound, "shop not found")
	}
	return &s, nil
}

func (m *memStore) CreateShop(_ context.Context, s Shop) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.createShopErr != nil {
		return m.createShopErr
	}
	if _, ok := m.shops[s.ShopID]; ok {
		return Errorf(EConflict, "shop %s already exists", s.ShopID)
	}
	m.shops[s.ShopID] = s
	return nil
}

func (m *memStore) Payment(_ context.Context, shopID, id string) (*Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.payments[id]
	if !ok || p.ShopID != shopID {
		return nil, PaymentNotFound()
	}
	return clonePayment(p), nil
}

func (m *memStore) PaymentAnyShop(_ context.Context, id string) (*Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.payments[id]
	if !ok {
		return nil, PaymentNotFound()
	}
	return clonePayment(p), nil
}

func (m *memStore) Refund(_ context.Context, shopID, id string) (*Refund, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.refunds[id]
	if !ok || r.ShopID != shopID {
		return nil, RefundNotFound()
	}
	c := *r
	return &c, nil
}

func (m *memStore) CreatePayment(ctx context.Context, p *Payment) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return memTx{m}.CreatePayment(ctx, p)
}

func (m *memStore) UpdatePayment(ctx context.Context, id string, fn func(*Payment) (*Refund, error)) (*Payment, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return memTx{m}.UpdatePayment(ctx, id, fn)
}

func (m *memStore) Idempotent(_ context.Context, req IdemRecord, fn func(Writer) (int, []byte, error)) (int, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := [2]string{req.ShopID, req.Key}
	if rec, ok := m.idem[k]; ok && rec.LiveAt(req.CreatedAt) {
		return rec.Replay(req.Fingerprint)
	}
	payments, refunds := maps.Clone(m.payments), maps.Clone(m.refunds) // values are replaced, never mutated
	status, body, err := fn(memTx{m})
	if err != nil {
		m.payments, m.refunds = payments, refunds
		return 0, nil, err
	}
	req.Status, req.Body = status, append([]byte(nil), body...)
	m.idem[k] = req
	return status, body, nil
}

// memTx writes with the mutex already held.
type memTx struct{ m *memStore }

func (w memTx) CreatePayment(_ context.Context, p *Payment) error {
	if _, ok := w.m.payments[p.ID]; ok {
		return Errorf(EConflict, "payment %s exists", p.ID)
	}
	w.m.payments[p.ID] = clonePayment(p)
	return nil
}

func (w memTx) UpdatePayment(_ context.Context, id string, fn func(*Payment) (*Refund, error)) (*Payment, error) {
	old, ok := w.m.payments[id]
	if !ok {
		return nil, PaymentNotFound()
	}
	p := clonePayment(old)
	r, err := fn(p)
	if err != nil {
		return nil, err
	}
	if r != nil {
		c := *r
		w.m.refunds[r.ID] = &c
	}
	w.m.payments[id] = clonePayment(p)
	return p, nil
}

// fixture is Operations over a memStore with shops A and B and a clock that
// a test can move.
type fixture struct {
	ops   *Operations
	store *memStore
	now   time.Time
	// renders counts the render calls, i.e. the operations that ran.
	renders int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: newMemStore(), now: t0}
	f.ops = &Operations{Store: f.store, Now: func() time.Time { return f.now }, BaseURL: baseURL, FeeRate: DefaultFeeRate}
	ctx := context.Background()
	for _, s := range []Shop{{shopA, secretA}, {shopB, secretB}} {
		if err := f.store.CreateShop(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// renderPayment renders a payment as "status id amount" and counts the call.
func (f *fixture) renderPayment(p *Payment) (int, []byte, error) {
	f.renders++
	return 200, []byte(string(p.Status) + " " + p.ID + " " + p.Amount.String()), nil
}

func (f *fixture) renderRefund(r *Refund) (int, []byte, error) {
	f.renders++
	return 200, []byte(string(r.Status) + " " + r.ID + " " + r.Amount.String()), nil
}

var keySeq int

// key returns a fresh valid idempotence key for a request fingerprint.
func key(fp string) IdemKey {
	keySeq++
	return IdemKey{Key: "key-" + strconv.Itoa(keySeq), Fingerprint: fp}
}

// create makes a payment of shop through Operations and returns it.
func (f *fixture) create(t *testing.T, shop string, in NewPayment) *Payment {
	t.Helper()
	ctx := context.Background()
	var made *Payment
	_, _, err := f.ops.CreatePayment(ctx, shop, key("create"), in, func(p *Payment) (int, []byte, error) {
		made = p
		return f.renderPayment(p)
	})
	if err != nil {
		t.Fatalf("CreatePayment: %v", err)
	}
	return made
}

// paymentIn is a create request of amount RUB with an embedded confirmation.
func paymentIn(amount string, capture bool) NewPayment {
	return NewPayment{Amount: rub(amount), Capture: capture, Description: "Order 1",
		Confirmation: &Confirmation{Type: ConfirmationEmbedded}}
}

// succeeded returns a succeeded payment of shop for amount.
func (f *fixture) succeeded(t *testing.T, shop, amount string) *Payment {
	t.Helper()
	p := f.create(t, shop, paymentIn(amount, true))
	got, err := f.ops.Confirm(context.Background(), p.ID)
	if err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	return got
}
