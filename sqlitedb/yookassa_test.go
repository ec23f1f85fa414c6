package sqlitedb

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/yookassa"
)

const (
	ykShop1   = "111111"
	ykSecret1 = "secret-1"
	ykShop2   = "222222"
	ykSecret2 = "secret-2"
)

func ykRub(s string) yookassa.Amount {
	return yookassa.Amount{Value: dec(s), Currency: yookassa.CurrencyRUB}
}

// ykWantCode fails unless err is a *yookassa.Error with code.
func ykWantCode(t *testing.T, err error, code yookassa.ErrorCode) *yookassa.Error {
	t.Helper()
	var e *yookassa.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got error %v (%T), want a *yookassa.Error with code %s", err, err, code)
	}
	return e
}

// ykSame is assertSame for payments: the metadata map, which assertSame
// cannot compare, by reflect.DeepEqual (nil and empty apart), every other
// field by assertSame's rules.
func ykSame(t *testing.T, got, want *yookassa.Payment) {
	t.Helper()
	if !reflect.DeepEqual(got.Metadata, want.Metadata) {
		t.Errorf("Metadata: got %#v, want %#v", got.Metadata, want.Metadata)
	}
	var diffs []string
	g, w := reflect.ValueOf(got).Elem(), reflect.ValueOf(want).Elem()
	for i := 0; i < g.NumField(); i++ {
		if name := g.Type().Field(i).Name; name != "Metadata" {
			diff("."+name, g.Field(i), w.Field(i), &diffs)
		}
	}
	for _, d := range diffs {
		t.Error(d)
	}
}

// ykFixture is yookassa.Operations over a fresh DB with two shops and a
// clock the test moves.
type ykFixture struct {
	d   *DB
	ops *yookassa.Operations
	now time.Time
}

func ykSetup(t *testing.T) *ykFixture {
	t.Helper()
	d, _ := openTest(t)
	f := &ykFixture{d: d, now: t0}
	f.ops = &yookassa.Operations{Store: d, Now: func() time.Time { return f.now },
		BaseURL: "https://sandbox.test", FeeRate: yookassa.DefaultFeeRate}
	ctx := context.Background()
	for _, s := range []yookassa.Shop{{ShopID: ykShop1, SecretKey: ykSecret1}, {ShopID: ykShop2, SecretKey: ykSecret2}} {
		if err := d.CreateShop(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// ykRenderPayment renders a payment the way the HTTP layer might: JSON.
func ykRenderPayment(p *yookassa.Payment) (int, []byte, error) {
	b, err := json.Marshal(map[string]any{"id": p.ID, "status": p.Status, "paid": p.Paid,
		"amount":          map[string]string{"value": yookassa.FormatValue(p.Amount.Value), "currency": p.Amount.Currency},
		"refunded_amount": yookassa.FormatValue(p.RefundedAmount), "created_at": p.CreatedAt})
	return 200, b, err
}

func ykRenderRefund(r *yookassa.Refund) (int, []byte, error) {
	b, err := json.Marshal(map[string]any{"id": r.ID, "payment_id": r.PaymentID, "status": r.Status,
		"amount": map[string]string{"value": yookassa.FormatValue(r.Amount.Value), "currency": r.Amount.Currency}})
	return 200, b, err
}

// create makes a payment of shop and returns it as stored.
func (f *ykFixture) create(t *testing.T, shop string, in yookassa.NewPayment) *yookassa.Payment {
	t.Helper()
	ctx := context.Background()
	_, body, err := f.ops.CreatePayment(ctx, shop, yookassa.IdemKey{Key: yookassa.NewPaymentID(), Fingerprint: "fp"}, in, ykRenderPayment)
	if err != nil {
		t.Fatalf("CreatePayment: %v", err)
	}
	var out struct{ ID string }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	p, err := f.d.Payment(ctx, shop, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ykIn(amount string, capture bool) yookassa.NewPayment {
	return yookassa.NewPayment{Amount: ykRub(amount), Capture: capture, Description: "Order 72",
		Confirmation: &yookassa.Confirmation{Type: yookassa.ConfirmationEmbedded}}
}

// succeeded returns a succeeded payment of shop.
func (f *ykFixture) succeeded(t *testing.T, shop, amount string) *yookassa.Payment {
	t.Helper()
	p := f.create(t, shop, ykIn(amount, true))
	got, err := f.ops.Confirm(context.Background(), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestYooKassaShops(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	s, err := f.d.Shop(ctx, ykShop1)
	if err != nil || s.ShopID != ykShop1 || s.SecretKey != ykSecret1 {
		t.Fatalf("Shop = %+v, %v", s, err)
	}
	ykWantCode(t, f.d.CreateShop(ctx, yookassa.Shop{ShopID: ykShop1, SecretKey: "x"}), yookassa.EConflict)
	_, err = f.d.Shop(ctx, "nope")
	ykWantCode(t, err, yookassa.ENotFound)
	if _, err := f.ops.Authenticate(ctx, ykShop2, ykSecret2); err != nil {
		t.Errorf("Authenticate: %v", err)
	}
	_, err = f.ops.Authenticate(ctx, ykShop2, ykSecret1)
	ykWantCode(t, err, yookassa.EInvalidCredentials)
	for i := 0; i < 2; i++ {
		if err := f.ops.EnsureDefaults(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := countRows(t, f.d, "yookassa_shops"); n != 3 {
		t.Errorf("%d shops, want 3", n)
	}
}

// TestYooKassaPaymentRoundTrip stores payments in every status and with
// every optional part, and reads them back unchanged.
func TestYooKassaPaymentRoundTrip(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	full := yookassa.NewPayment{Amount: ykRub("1234.56"), Capture: false, Description: "Заказ №72 «подарок»",
		Metadata:     map[string]string{"order_id": "72", "note": `quotes " and \ backslash`},
		Confirmation: &yookassa.Confirmation{Type: yookassa.ConfirmationRedirect, ReturnURL: "https://shop.example/back?a=1&b=2"}}
	bare := yookassa.NewPayment{Amount: yookassa.Amount{Value: dec("0.01"), Currency: yookassa.CurrencyEUR}}

	for name, in := range map[string]yookassa.NewPayment{"full": full, "bare": bare} {
		t.Run(name, func(t *testing.T) {
			p, err := yookassa.BuildPayment(ykShop1, in, "https://sandbox.test", t0)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.d.CreatePayment(ctx, p); err != nil {
				t.Fatal(err)
			}
			got, err := f.d.Payment(ctx, ykShop1, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			ykSame(t, got, p)
			steps := []func(*yookassa.Payment) error{
				func(p *yookassa.Payment) error { return p.Confirm(t0.Add(1), yookassa.DefaultFeeRate) },
				func(p *yookassa.Payment) error {
					half := yookassa.Amount{Value: p.Amount.Value.Div(dec("2")).Round(2), Currency: p.Amount.Currency}
					return p.MerchantCapture(&half, t0.Add(2), yookassa.DefaultFeeRate)
				},
			}
			for i, step := range steps {
				var want *yookassa.Payment
				out, err := f.d.UpdatePayment(ctx, p.ID, func(p *yookassa.Payment) (*yookassa.Refund, error) {
					want = p
					return nil, step(p)
				})
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if out != want {
					t.Error("UpdatePayment did not return the payment fn changed")
				}
				got, err := f.d.PaymentAnyShop(ctx, p.ID)
				if err != nil {
					t.Fatal(err)
				}
				ykSame(t, got, want)
			}
		})
	}

	canceled := f.create(t, ykShop2, full)
	for _, step := range []func(*yookassa.Payment) error{
		func(p *yookassa.Payment) error { return p.Confirm(t0, yookassa.DefaultFeeRate) },
		(*yookassa.Payment).MerchantCancel,
	} {
		want, err := f.d.UpdatePayment(ctx, canceled.ID, func(p *yookassa.Payment) (*yookassa.Refund, error) { return nil, step(p) })
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.d.Payment(ctx, ykShop2, canceled.ID)
		ykSame(t, got, want)
	}
}

func TestYooKassaPaymentScoping(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	p := f.create(t, ykShop1, ykIn("10.00", true))
	_, err := f.d.Payment(ctx, ykShop2, p.ID)
	if e := ykWantCode(t, err, yookassa.ENotFound); e.Parameter != "payment_id" {
		t.Errorf("parameter %q", e.Parameter)
	}
	if got, err := f.d.PaymentAnyShop(ctx, p.ID); err != nil || got.ShopID != ykShop1 {
		t.Errorf("PaymentAnyShop = %+v, %v", got, err)
	}
	unknown := yookassa.NewPaymentID()
	_, err = f.d.PaymentAnyShop(ctx, unknown)
	ykWantCode(t, err, yookassa.ENotFound)
	_, err = f.d.UpdatePayment(ctx, unknown, func(*yookassa.Payment) (*yookassa.Refund, error) {
		t.Fatal("fn ran for an unknown payment")
		return nil, nil
	})
	ykWantCode(t, err, yookassa.ENotFound)
	// a payment of an unknown shop violates the foreign key
	q, _ := yookassa.BuildPayment("no-such-shop", ykIn("1.00", true), "", t0)
	if err := f.d.CreatePayment(ctx, q); err == nil {
		t.Error("stored a payment of an unknown shop")
	}
	ykWantCode(t, f.d.CreatePayment(ctx, p), yookassa.EConflict)
}

// TestYooKassaRefundAtomic: the refund row and the payment's refunded
// amount are written together, and only together.
func TestYooKassaRefundAtomic(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	p := f.succeeded(t, ykShop1, "10.00")
	var r1 *yookassa.Refund
	out, err := f.d.UpdatePayment(ctx, p.ID, func(p *yookassa.Payment) (*yookassa.Refund, error) {
		r, err := p.Refund(yookassa.NewRefund{PaymentID: p.ID, Amount: ykRub("2.50"), Description: "return"}, t0.Add(3))
		r1 = r
		return r, err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.d.Payment(ctx, ykShop1, p.ID)
	ykSame(t, got, out)
	if !got.RefundedAmount.Equal(dec("2.5")) || got.Version != p.Version+1 {
		t.Errorf("refunded %s version %d", got.RefundedAmount, got.Version)
	}
	gotR, err := f.d.Refund(ctx, ykShop1, r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, gotR, r1)
	_, err = f.d.Refund(ctx, ykShop2, r1.ID)
	if e := ykWantCode(t, err, yookassa.ENotFound); e.Parameter != "refund_id" {
		t.Errorf("parameter %q", e.Parameter)
	}

	// a refund that cannot be inserted (its id is taken) rolls the payment
	// change back
	_, err = f.d.UpdatePayment(ctx, p.ID, func(p *yookassa.Payment) (*yookassa.Refund, error) {
		r, err := p.Refund(yookassa.NewRefund{PaymentID: p.ID, Amount: ykRub("1.00")}, t0)
		if err != nil {
			return nil, err
		}
		r.ID = r1.ID
		return r, nil
	})
	ykWantCode(t, err, yookassa.EConflict)
	after, _ := f.d.Payment(ctx, ykShop1, p.ID)
	ykSame(t, after, got)
	if n := countRows(t, f.d, "yookassa_refunds"); n != 1 {
		t.Errorf("%d refunds, want 1", n)
	}

	// a refund of another payment is refused
	q := f.succeeded(t, ykShop1, "5.00")
	_, err = f.d.UpdatePayment(ctx, p.ID, func(p *yookassa.Payment) (*yookassa.Refund, error) {
		return q.Refund(yookassa.NewRefund{PaymentID: q.ID, Amount: ykRub("1.00")}, t0)
	})
	if err == nil {
		t.Error("UpdatePayment stored a refund of another payment")
	}
	if n := countRows(t, f.d, "yookassa_refunds"); n != 1 {
		t.Errorf("%d refunds, want 1", n)
	}
}

// TestYooKassaUpdateFnErrorChangesNothing: whatever fn changed before its
// error is not stored.
func TestYooKassaUpdateFnErrorChangesNothing(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	p := f.create(t, ykShop1, ykIn("10.00", false))
	boom := errors.New("boom")
	_, err := f.d.UpdatePayment(ctx, p.ID, func(p *yookassa.Payment) (*yookassa.Refund, error) {
		if err := p.Confirm(t0, yookassa.DefaultFeeRate); err != nil {
			return nil, err
		}
		p.Description = "changed"
		return &yookassa.Refund{ID: yookassa.NewRefundID(), PaymentID: p.ID, ShopID: p.ShopID}, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want fn's error unchanged", err)
	}
	got, _ := f.d.Payment(ctx, ykShop1, p.ID)
	ykSame(t, got, p)
	if n := countRows(t, f.d, "yookassa_refunds"); n != 0 {
		t.Errorf("%d refunds", n)
	}
	// the id and shop of a payment are fixed
	_, err = f.d.UpdatePayment(ctx, p.ID, func(p *yookassa.Payment) (*yookassa.Refund, error) {
		p.ShopID = ykShop2
		return nil, nil
	})
	if err == nil {
		t.Error("UpdatePayment moved a payment to another shop")
	}
}

func TestYooKassaIdempotence(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	k := yookassa.IdemKey{Key: "order-72.v1", Fingerprint: yookassa.Fingerprint("createPayment", "/payments", []byte(`{"amount":…}`))}
	s1, b1, err := f.ops.CreatePayment(ctx, ykShop1, k, ykIn("10.00", true), ykRenderPayment)
	if err != nil {
		t.Fatal(err)
	}
	f.now = t0.Add(yookassa.IdempotenceTTL - time.Nanosecond)
	s2, b2, err := f.ops.CreatePayment(ctx, ykShop1, k, ykIn("10.00", true), func(*yookassa.Payment) (int, []byte, error) {
		t.Fatal("the replay ran the operation")
		return 0, nil, nil
	})
	if err != nil || s2 != s1 || string(b2) != string(b1) {
		t.Fatalf("replay %d %s %v, first %d %s", s2, b2, err, s1, b1)
	}
	if n := countRows(t, f.d, "yookassa_payments"); n != 1 {
		t.Errorf("%d payments after a replay", n)
	}
	_, _, err = f.ops.CreatePayment(ctx, ykShop1, yookassa.IdemKey{Key: k.Key, Fingerprint: "other"}, ykIn("10.00", true), ykRenderPayment)
	if e := ykWantCode(t, err, yookassa.EInvalidRequest); e.Description != "Idempotence key duplicated" || e.Parameter != "Idempotence-Key" {
		t.Errorf("duplicate key: %+v", e)
	}
	// another shop's key space is its own
	if _, _, err := f.ops.CreatePayment(ctx, ykShop2, k, ykIn("10.00", true), ykRenderPayment); err != nil {
		t.Fatal(err)
	}

	// a render error stores nothing; the retry runs
	bad := yookassa.IdemKey{Key: "bad-render", Fingerprint: "fp"}
	_, _, err = f.ops.CreatePayment(ctx, ykShop1, bad, ykIn("1.00", true), func(*yookassa.Payment) (int, []byte, error) {
		return 0, nil, errors.New("encoder broke")
	})
	if err == nil {
		t.Fatal("render error lost")
	}
	if n := countRows(t, f.d, "yookassa_payments"); n != 2 {
		t.Errorf("%d payments after a failed render, want 2", n)
	}
	if _, _, err := f.ops.CreatePayment(ctx, ykShop1, bad, ykIn("1.00", true), ykRenderPayment); err != nil {
		t.Fatal(err)
	}

	// after 24 h the key is new: a second payment, and the record is renewed
	f.now = t0.Add(yookassa.IdempotenceTTL)
	_, b3, err := f.ops.CreatePayment(ctx, ykShop1, k, ykIn("10.00", true), ykRenderPayment)
	if err != nil || string(b3) == string(b1) {
		t.Fatalf("after 24h: %s %v", b3, err)
	}
	var createdAt string
	if err := f.d.db.QueryRow(`SELECT created_at FROM yookassa_idempotence_keys WHERE shop_id = ? AND key = ?`,
		ykShop1, k.Key).Scan(&createdAt); err != nil || createdAt != formatTime(f.now) {
		t.Errorf("record created_at %s (%v), want %s", createdAt, err, formatTime(f.now))
	}
	if n := countRows(t, f.d, "yookassa_idempotence_keys"); n != 3 {
		t.Errorf("%d idempotence records, want 3 (shop 1's renewed key, shop 2's, bad-render)", n)
	}
	// a write 24 h later purges every record it outlived
	f.now = f.now.Add(yookassa.IdempotenceTTL)
	if _, _, err := f.ops.CreatePayment(ctx, ykShop1, yookassa.IdemKey{Key: "later", Fingerprint: "fp"},
		ykIn("1.00", true), ykRenderPayment); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, f.d, "yookassa_idempotence_keys"); n != 1 {
		t.Errorf("%d idempotence records after the purge, want 1", n)
	}
}

// TestYooKassaIdempotentRefundAndCapture: capture and refund records are
// committed with their writes and replay after the state moved on.
func TestYooKassaIdempotentRefundAndCapture(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	p := f.create(t, ykShop1, ykIn("10.00", false))
	if _, err := f.ops.Confirm(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	ck := yookassa.IdemKey{Key: "capture-1", Fingerprint: "capture"}
	amt := ykRub("8.00")
	_, c1, err := f.ops.Capture(ctx, ykShop1, p.ID, ck, &amt, ykRenderPayment)
	if err != nil {
		t.Fatal(err)
	}
	_, c2, err := f.ops.Capture(ctx, ykShop1, p.ID, ck, &amt, ykRenderPayment)
	if err != nil || string(c2) != string(c1) {
		t.Fatalf("capture replay %s %v", c2, err)
	}
	rk := yookassa.IdemKey{Key: "refund-1", Fingerprint: "refund"}
	in := yookassa.NewRefund{PaymentID: p.ID, Amount: ykRub("3.00")}
	_, r1, err := f.ops.CreateRefund(ctx, ykShop1, rk, in, ykRenderRefund)
	if err != nil {
		t.Fatal(err)
	}
	_, r2, err := f.ops.CreateRefund(ctx, ykShop1, rk, in, ykRenderRefund)
	if err != nil || string(r2) != string(r1) {
		t.Fatalf("refund replay %s %v", r2, err)
	}
	got, _ := f.d.Payment(ctx, ykShop1, p.ID)
	if !got.RefundedAmount.Equal(dec("3")) || !got.Amount.Value.Equal(dec("8")) || countRows(t, f.d, "yookassa_refunds") != 1 {
		t.Errorf("after replays: amount %s refunded %s", got.Amount.Value, got.RefundedAmount)
	}
	_, _, err = f.ops.CreateRefund(ctx, ykShop2, yookassa.IdemKey{Key: "r", Fingerprint: "x"}, in, ykRenderRefund)
	ykWantCode(t, err, yookassa.ENotFound)
	_, _, err = f.ops.CreateRefund(ctx, ykShop1, yookassa.IdemKey{Key: "r2", Fingerprint: "x"},
		yookassa.NewRefund{PaymentID: p.ID, Amount: ykRub("5.01")}, ykRenderRefund)
	if e := ykWantCode(t, err, yookassa.EInvalidRequest); !strings.HasPrefix(e.Description, "Refund amount exceeds the available amount") {
		t.Errorf("description %q", e.Description)
	}
	if n := countRows(t, f.d, "yookassa_idempotence_keys"); n != 3 { // create, capture, refund
		t.Errorf("%d idempotence records, want 3", n)
	}
}

func TestYooKassaSchemaRejectsIllegalValues(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	p := f.succeeded(t, ykShop1, "10.00")
	if _, _, err := f.ops.CreateRefund(ctx, ykShop1, yookassa.IdemKey{Key: "k", Fingerprint: "f"},
		yookassa.NewRefund{PaymentID: p.ID, Amount: ykRub("1.00")}, ykRenderRefund); err != nil {
		t.Fatal(err)
	}
	f.create(t, ykShop1, ykIn("1.00", false)) // a pending one
	for _, stmt := range []string{
		`UPDATE yookassa_payments SET status = 'paid'`,
		`UPDATE yookassa_payments SET status = 'canceled' WHERE status = 'succeeded'`, // no cancellation details
		`UPDATE yookassa_payments SET paid = 0 WHERE status = 'succeeded'`,
		`UPDATE yookassa_payments SET captured_at = NULL WHERE status = 'succeeded'`,
		`UPDATE yookassa_payments SET expires_at = created_at WHERE status = 'pending'`,
		`UPDATE yookassa_payments SET refunded_value = '1' WHERE status = 'pending'`,
		`UPDATE yookassa_payments SET amount_value = '-1'`,
		`UPDATE yookassa_payments SET amount_value = '0'`,
		`UPDATE yookassa_payments SET amount_value = X'31'`, // a BLOB in a STRICT TEXT column
		`UPDATE yookassa_payments SET currency = 'GBP'`,
		`UPDATE yookassa_payments SET metadata = '[1]'`,
		`UPDATE yookassa_payments SET confirmation_type = 'qr'`,
		`UPDATE yookassa_payments SET confirmation_type = NULL`, // its token stays
		`UPDATE yookassa_payments SET created_at = '2025-03-14T15:09:26Z'`,
		`UPDATE yookassa_payments SET shop_id = 'nobody'`,
		`UPDATE yookassa_refunds SET status = 'done'`,
		`UPDATE yookassa_refunds SET shop_id = '222222'`, // not its payment's shop
		`UPDATE yookassa_refunds SET amount_value = '0'`,
		`INSERT INTO yookassa_idempotence_keys (shop_id, key, fingerprint, status, body, created_at)
		 VALUES ('111111', 'a b', 'f', 200, X'', '2025-03-14T15:09:26.000000000Z')`,
		`INSERT INTO yookassa_idempotence_keys (shop_id, key, fingerprint, status, body, created_at)
		 VALUES ('111111', '` + strings.Repeat("k", 65) + `', 'f', 200, X'', '2025-03-14T15:09:26.000000000Z')`,
		`INSERT INTO yookassa_idempotence_keys (shop_id, key, fingerprint, status, body, created_at)
		 VALUES ('111111', 'x', 'f', 200, NULL, '2025-03-14T15:09:26.000000000Z')`,
		`INSERT INTO yookassa_idempotence_keys (shop_id, key, fingerprint, status, body, created_at)
		 VALUES ('111111', 'k', 'f', 200, X'', '2025-03-14T15:09:26.000000000Z')`, // (shop, key) taken
		`INSERT INTO yookassa_idempotence_keys (shop_id, key, fingerprint, status, body, created_at)
		 VALUES ('nobody', 'y', 'f', 200, X'', '2025-03-14T15:09:26.000000000Z')`,
	} {
		if _, err := f.d.db.ExecContext(ctx, stmt); err == nil {
			t.Errorf("the schema accepted: %s", stmt)
		}
	}
	if _, err := f.d.db.ExecContext(ctx, `INSERT INTO yookassa_idempotence_keys (shop_id, key, fingerprint, status, body, created_at)
		 VALUES ('111111', 'Aa0+-_.', 'f', 201, X'00', '2025-03-14T15:09:26.000000000Z')`); err != nil {
		t.Errorf("the schema refused a legal key: %v", err)
	}
}

func TestYooKassaResetAndReopen(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t)
	ops := &yookassa.Operations{Store: d, FeeRate: yookassa.DefaultFeeRate}
	if err := ops.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	_, body, err := ops.CreatePayment(ctx, yookassa.DefaultShopID, yookassa.IdemKey{Key: "k", Fingerprint: "f"},
		ykIn("10.00", true), ykRenderPayment)
	if err != nil {
		t.Fatal(err)
	}
	var out struct{ ID string }
	_ = json.Unmarshal(body, &out)
	p, err := ops.Confirm(ctx, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()

	d2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	got, err := d2.Payment(ctx, yookassa.DefaultShopID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	ykSame(t, got, p)
	ops.Store = d2
	_, again, err := ops.CreatePayment(ctx, yookassa.DefaultShopID, yookassa.IdemKey{Key: "k", Fingerprint: "f"},
		ykIn("10.00", true), ykRenderPayment)
	if err != nil || string(again) != string(body) {
		t.Errorf("replay after reopening: %s %v", again, err)
	}

	if err := d2.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"yookassa_shops", "yookassa_payments", "yookassa_refunds", "yookassa_idempotence_keys"} {
		if n := countRows(t, d2, table); n != 0 {
			t.Errorf("%s has %d rows after Reset", table, n)
		}
	}
	if err := ops.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.Authenticate(ctx, yookassa.DefaultShopID, yookassa.DefaultSecretKey); err != nil {
		t.Errorf("default shop after reset: %v", err)
	}
}
