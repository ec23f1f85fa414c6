package yookassa

import (
	"context"
	"strings"
	"testing"
)

func refundIn(p *Payment, amount string) NewRefund {
	return NewRefund{PaymentID: p.ID, Amount: rub(amount), Description: "return"}
}

func TestRefundPartialThenExactRemainder(t *testing.T) {
	p := inStatus(t, StatusSucceeded, true)
	r1, err := p.Refund(refundIn(p, "3.50"), t0)
	wantCode(t, err, "")
	if !IsRefundID(r1.ID) || r1.PaymentID != p.ID || r1.ShopID != shopA || r1.Status != RefundSucceeded ||
		!r1.CreatedAt.Equal(t0) || r1.Description != "return" || r1.Amount.Currency != CurrencyRUB {
		t.Errorf("refund %+v", r1)
	}
	decEq(t, "refund amount", r1.Amount.Value, dec("3.5"))
	decEq(t, "refunded", p.RefundedAmount, dec("3.5"))
	decEq(t, "available", p.Available(), dec("6.5"))
	if p.Status != StatusSucceeded || !p.Refundable() {
		t.Errorf("after a partial refund: %s refundable=%v", p.Status, p.Refundable())
	}

	r2, err := p.Refund(refundIn(p, "6.50"), t0)
	wantCode(t, err, "")
	if r2.ID == r1.ID {
		t.Error("two refunds share an id")
	}
	decEq(t, "refunded", p.RefundedAmount, dec("10"))
	if p.Refundable() || p.Status != StatusSucceeded {
		t.Errorf("a fully refunded payment: %s refundable=%v", p.Status, p.Refundable())
	}

	before := clonePayment(p)
	_, err = p.Refund(refundIn(p, "0.01"), t0)
	e := wantParam(t, err, EInvalidRequest, "amount.value")
	if !strings.HasPrefix(e.Description, "Refund amount exceeds the available amount") ||
		!strings.Contains(e.Description, "available 0.00 RUB") {
		t.Errorf("description %q", e.Description)
	}
	if !samePayment(p, before) {
		t.Error("a refused refund changed the payment")
	}
}

func TestRefundOneKopeckOver(t *testing.T) {
	p := inStatus(t, StatusSucceeded, true)
	if _, err := p.Refund(refundIn(p, "4.00"), t0); err != nil {
		t.Fatal(err)
	}
	before := clonePayment(p)
	_, err := p.Refund(refundIn(p, "6.01"), t0)
	e := wantParam(t, err, EInvalidRequest, "amount.value")
	for _, part := range []string{"requested 6.01 RUB", "available 6.00 RUB", "payment 10.00 RUB", "already refunded 4.00 RUB"} {
		if !strings.Contains(e.Description, part) {
			t.Errorf("description %q lacks %q", e.Description, part)
		}
	}
	if !samePayment(p, before) {
		t.Error("a refused refund changed the payment")
	}
	if _, err := p.Refund(refundIn(p, "6.00"), t0); err != nil {
		t.Errorf("the exact remainder: %v", err)
	}
}

func TestRefundNeedsSucceeded(t *testing.T) {
	for _, c := range []struct {
		st      PaymentStatus
		capture bool
	}{{StatusPending, true}, {StatusWaitingForCapture, false}, {StatusCanceled, true}, {StatusCanceled, false}} {
		p := inStatus(t, c.st, c.capture)
		before := clonePayment(p)
		_, err := p.Refund(refundIn(p, "1.00"), t0)
		e := wantParam(t, err, EInvalidRequest, "payment_id")
		if want := "Payment has status " + string(c.st) + ", refund is possible only for succeeded payments"; e.Description != want {
			t.Errorf("description %q, want %q", e.Description, want)
		}
		if !samePayment(p, before) {
			t.Error("a refused refund changed the payment")
		}
	}
}

func TestRefundRejects(t *testing.T) {
	for name, c := range map[string]struct {
		in    func(p *Payment) NewRefund
		param string
	}{
		"other currency": {func(p *Payment) NewRefund {
			return NewRefund{PaymentID: p.ID, Amount: Amount{Value: dec("1"), Currency: CurrencyEUR}}
		}, "amount.currency"},
		"zero":           {func(p *Payment) NewRefund { return refundIn(p, "0") }, "amount.value"},
		"three decimals": {func(p *Payment) NewRefund { return refundIn(p, "0.001") }, "amount.value"},
		"long description": {func(p *Payment) NewRefund {
			return NewRefund{PaymentID: p.ID, Amount: rub("1"), Description: strings.Repeat("x", MaxRefundDescription+1)}
		}, "description"},
	} {
		t.Run(name, func(t *testing.T) {
			p := inStatus(t, StatusSucceeded, true)
			_, err := p.Refund(c.in(p), t0)
			wantParam(t, err, EInvalidRequest, c.param)
			decEq(t, "refunded", p.RefundedAmount, dec("0"))
		})
	}
}

// TestRefundAfterPartialCapture refunds against the captured amount.
func TestRefundAfterPartialCapture(t *testing.T) {
	p := inStatus(t, StatusWaitingForCapture, false)
	wantCode(t, p.MerchantCapture(rubPtr("4.00"), t0, DefaultFeeRate), "")
	_, err := p.Refund(refundIn(p, "4.01"), t0)
	wantParam(t, err, EInvalidRequest, "amount.value")
	if _, err := p.Refund(refundIn(p, "4.00"), t0); err != nil {
		t.Fatal(err)
	}
}

// Through Operations: the refund and the payment change are one write.

func TestOperationsCreateRefund(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.succeeded(t, shopA, "10.00")
	var made *Refund
	status, body, err := f.ops.CreateRefund(ctx, shopA, key("r1"), refundIn(p, "2.50"), func(r *Refund) (int, []byte, error) {
		made = r
		return f.renderRefund(r)
	})
	wantCode(t, err, "")
	if status != 200 || string(body) != "succeeded "+made.ID+" 2.50 RUB" {
		t.Errorf("response %d %q", status, body)
	}
	got, err := f.ops.Refund(ctx, shopA, made.ID)
	wantCode(t, err, "")
	if got.PaymentID != p.ID || !got.Amount.Value.Equal(dec("2.5")) {
		t.Errorf("stored refund %+v", got)
	}
	pay, _ := f.ops.Payment(ctx, shopA, p.ID)
	decEq(t, "refunded", pay.RefundedAmount, dec("2.5"))
	if pay.Version != p.Version+1 {
		t.Errorf("version %d, want %d", pay.Version, p.Version+1)
	}

	_, err = f.ops.Refund(ctx, shopB, made.ID)
	wantParam(t, err, ENotFound, "refund_id")
	_, err = f.ops.Refund(ctx, shopA, NewRefundID())
	wantParam(t, err, ENotFound, "refund_id")
}

func TestOperationsRefundOtherShopIsNotFound(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.succeeded(t, shopA, "10.00")
	f.renders = 0
	_, _, err := f.ops.CreateRefund(ctx, shopB, key("r"), refundIn(p, "1.00"), f.renderRefund)
	wantParam(t, err, ENotFound, "payment_id")
	_, _, err = f.ops.CreateRefund(ctx, shopA, key("r"), NewRefund{PaymentID: NewPaymentID(), Amount: rub("1")}, f.renderRefund)
	wantParam(t, err, ENotFound, "payment_id")
	_, _, err = f.ops.CreateRefund(ctx, shopA, key("r"), NewRefund{Amount: rub("1")}, f.renderRefund)
	wantParam(t, err, EInvalidRequest, "payment_id")
	if len(f.store.refunds) != 0 || f.renders != 0 {
		t.Errorf("%d refunds stored, %d renders", len(f.store.refunds), f.renders)
	}
	pay, _ := f.ops.Payment(ctx, shopA, p.ID)
	decEq(t, "refunded", pay.RefundedAmount, dec("0"))
}

// TestOperationsRefundRenderFailure: a render error rolls back the refund
// and the payment change.
func TestOperationsRefundRenderFailure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.succeeded(t, shopA, "10.00")
	_, _, err := f.ops.CreateRefund(ctx, shopA, key("r"), refundIn(p, "1.00"), func(*Refund) (int, []byte, error) {
		return 0, nil, errorString("encoder broke")
	})
	if err == nil || CodeOf(err) != EInternal {
		t.Fatalf("err = %v", err)
	}
	pay, _ := f.ops.Payment(ctx, shopA, p.ID)
	decEq(t, "refunded", pay.RefundedAmount, dec("0"))
	if len(f.store.refunds) != 0 || len(f.store.idem) != 1 { // 1: the create of the fixture
		t.Errorf("%d refunds, %d idempotence records after a failed render", len(f.store.refunds), len(f.store.idem))
	}
}
