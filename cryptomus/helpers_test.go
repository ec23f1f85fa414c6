package cryptomus

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

var t0 = time.Date(2025, 3, 14, 9, 0, 0, 0, time.UTC)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func decp(s string) *decimal.Decimal {
	d := dec(s)
	return &d
}

// wantCode asserts that err is a *Error with the given code ("" = no error).
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
	if e.Message == "" {
		t.Fatalf("error %s has an empty message", code)
	}
	return e
}

// wantBusiness asserts an EBusiness error with exactly msg.
func wantBusiness(t *testing.T, err error, msg string) {
	t.Helper()
	e := wantCode(t, err, EBusiness)
	if e.Message != msg {
		t.Fatalf("message = %q, want %q", e.Message, msg)
	}
}

func decEq(t *testing.T, what string, got, want decimal.Decimal) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// memStore is an in-memory Store with the same contract as the SQLite one:
// copies in and out, one lock for the read-modify-write of an update.
type memStore struct {
	mu        sync.Mutex
	merchants map[string]*Merchant
	invoices  map[string]*Invoice // by uuid
}

func newMemStore() *memStore {
	return &memStore{merchants: map[string]*Merchant{}, invoices: map[string]*Invoice{}}
}

var _ Store = (*memStore)(nil)

func cloneMerchant(m *Merchant) *Merchant {
	c := *m
	c.Wallets = slices.Clone(m.Wallets)
	return &c
}

func cloneInvoice(inv *Invoice) *Invoice {
	c := *inv
	if inv.PaymentAmount != nil {
		p := *inv.PaymentAmount
		c.PaymentAmount = &p
	}
	if inv.MerchantAmount != nil {
		p := *inv.MerchantAmount
		c.MerchantAmount = &p
	}
	if inv.Refund != nil {
		r := *inv.Refund
		c.Refund = &r
	}
	return &c
}

func (s *memStore) Merchant(_ context.Context, uuid string) (*Merchant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.merchants[uuid]
	if !ok {
		return nil, Errorf(ENotFound, "merchant %s not found", uuid)
	}
	return cloneMerchant(m), nil
}

func (s *memStore) CreateMerchant(_ context.Context, m *Merchant) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.merchants[m.UUID]; ok {
		return Errorf(EConflict, "merchant %s exists", m.UUID)
	}
	s.merchants[m.UUID] = cloneMerchant(m)
	return nil
}

func (s *memStore) UpdateMerchant(_ context.Context, uuid string, fn func(*Merchant) error) (*Merchant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.merchants[uuid]
	if !ok {
		return nil, Errorf(ENotFound, "merchant %s not found", uuid)
	}
	c := cloneMerchant(m)
	if err := fn(c); err != nil {
		return nil, err
	}
	c.Version++
	s.merchants[uuid] = cloneMerchant(c)
	return c, nil
}

func (s *memStore) CreateInvoice(_ context.Context, inv *Invoice) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.merchants[inv.MerchantUUID]; !ok {
		return Errorf(ENotFound, "merchant %s not found", inv.MerchantUUID)
	}
	for _, x := range s.invoices {
		if x.UUID == inv.UUID || x.MerchantUUID == inv.MerchantUUID && x.OrderID == inv.OrderID {
			return Errorf(EConflict, "order_id %s used", inv.OrderID)
		}
	}
	s.invoices[inv.UUID] = cloneInvoice(inv)
	return nil
}

func (s *memStore) InvoiceByUUID(_ context.Context, merchantUUID, uuid string) (*Invoice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inv, ok := s.invoices[uuid]; ok && inv.MerchantUUID == merchantUUID {
		return cloneInvoice(inv), nil
	}
	return nil, Errorf(ENotFound, "invoice %s not found", uuid)
}

func (s *memStore) InvoiceByOrderID(_ context.Context, merchantUUID, orderID string) (*Invoice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, inv := range s.invoices {
		if inv.MerchantUUID == merchantUUID && inv.OrderID == orderID {
			return cloneInvoice(inv), nil
		}
	}
	return nil, Errorf(ENotFound, "invoice %s not found", orderID)
}

func (s *memStore) InvoiceByUUIDAnyMerchant(_ context.Context, uuid string) (*Invoice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if inv, ok := s.invoices[uuid]; ok {
		return cloneInvoice(inv), nil
	}
	return nil, Errorf(ENotFound, "invoice %s not found", uuid)
}

func (s *memStore) UpdateInvoice(_ context.Context, uuid string, fn func(*Invoice, *Merchant) error) (*Invoice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	inv, ok := s.invoices[uuid]
	if !ok {
		return nil, Errorf(ENotFound, "invoice %s not found", uuid)
	}
	ci, cm := cloneInvoice(inv), cloneMerchant(s.merchants[inv.MerchantUUID])
	if err := fn(ci, cm); err != nil {
		return nil, err
	}
	ci.Version++
	cm.Version++
	s.invoices[uuid], s.merchants[cm.UUID] = cloneInvoice(ci), cloneMerchant(cm)
	return ci, nil
}

// clock is a settable Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	merchantA = "11111111-1111-4111-8111-111111111111"
	merchantB = "22222222-2222-4222-8222-222222222222"
	keyA      = "payment-key-a"
	payoutA   = "payout-key-a"
)

// setupOps returns Operations on a memStore with merchant A (wallets USDT,
// BTC) and merchant B (default wallets), and the clock at t0.
func setupOps(t *testing.T) (*Operations, *memStore, *clock) {
	t.Helper()
	st := newMemStore()
	clk := &clock{t: t0}
	ops := &Operations{Store: st, Now: clk.Now, BaseURL: "http://sandbox.test"}
	ctx := context.Background()
	if _, err := ops.CreateMerchant(ctx, NewMerchant{UUID: merchantA, PaymentKey: keyA, PayoutKey: payoutA, Wallets: []string{"USDT", "BTC"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.CreateMerchant(ctx, NewMerchant{UUID: merchantB, PaymentKey: "key-b"}); err != nil {
		t.Fatal(err)
	}
	return ops, st, clk
}

// invoiceReq is a valid invoice request.
func invoiceReq(orderID, amount, currency string) InvoiceRequest {
	return InvoiceRequest{Amount: dec(amount), Currency: currency, OrderID: orderID, Lifetime: DefaultLifetime, AccuracyPercent: decimal.Zero}
}

// newTestInvoice is an invoice of merchant A in check, created at t0.
func newTestInvoice(amount, currency, accuracy string) *Invoice {
	req := invoiceReq("order-1", amount, currency)
	req.AccuracyPercent = dec(accuracy)
	return NewInvoice(merchantA, req, t0)
}

func testMerchant(wallets ...string) *Merchant {
	m, err := BuildMerchant(NewMerchant{UUID: merchantA, PaymentKey: keyA, Wallets: wallets}, t0)
	if err != nil {
		panic(err)
	}
	return m
}
