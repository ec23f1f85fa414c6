package yookassa

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestValidateIdempotenceKey(t *testing.T) {
	for _, k := range []string{"a", "0", "+", "-", "_", ".", "550e8400-e29b-41d4-a716-446655440000",
		"order_72.refund+1", strings.Repeat("Z", 64)} {
		if err := ValidateIdempotenceKey(k); err != nil {
			t.Errorf("ValidateIdempotenceKey(%q): %v", k, err)
		}
	}
	for _, k := range []string{"", strings.Repeat("a", 65), "a b", " a", "a/b", "a=b", "a:b", "ключ", "a\x00",
		"a\n", "a,b", "a*b", "{a}"} {
		err := ValidateIdempotenceKey(k)
		wantParam(t, err, EInvalidRequest, "Idempotence-Key")
	}
}

func TestFingerprint(t *testing.T) {
	a := Fingerprint("createPayment", "/payments", []byte(`{"a":1}`))
	if len(a) != 64 || a != Fingerprint("createPayment", "/payments", []byte(`{"a":1}`)) {
		t.Fatalf("fingerprint %q is not a stable sha256", a)
	}
	for _, other := range []string{
		Fingerprint("createRefund", "/payments", []byte(`{"a":1}`)),
		Fingerprint("createPayment", "/refunds", []byte(`{"a":1}`)),
		Fingerprint("createPayment", "/payments", []byte(`{"a":2}`)),
		Fingerprint("createPayment", "/payments", []byte(`{"a":1} `)),
		Fingerprint("createPayment/", "payments", []byte(`{"a":1}`)), // no ambiguity across the parts
	} {
		if other == a {
			t.Error("different requests share a fingerprint")
		}
	}
}

func TestIdempotentReplayRunsNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	k := IdemKey{Key: "order-72", Fingerprint: Fingerprint("createPayment", "/payments", []byte("{…}"))}
	s1, b1, err := f.ops.CreatePayment(ctx, shopA, k, paymentIn("10.00", true), f.renderPayment)
	wantCode(t, err, "")
	f.now = t0.Add(IdempotenceTTL - time.Nanosecond)
	s2, b2, err := f.ops.CreatePayment(ctx, shopA, k, paymentIn("10.00", true), func(*Payment) (int, []byte, error) {
		t.Fatal("the replay ran the operation")
		return 0, nil, nil
	})
	wantCode(t, err, "")
	if s1 != s2 || string(b1) != string(b2) || f.renders != 1 || len(f.store.payments) != 1 {
		t.Errorf("replay: %d %q vs %d %q; %d renders, %d payments", s1, b1, s2, b2, f.renders, len(f.store.payments))
	}
	// the replayed bytes are a copy: changing them changes nothing stored
	b2[0] = 'X'
	_, b3, _ := f.ops.CreatePayment(ctx, shopA, k, paymentIn("10.00", true), f.renderPayment)
	if string(b3) != string(b1) {
		t.Errorf("stored body changed to %q", b3)
	}

	// the same key with another request
	other := IdemKey{Key: "order-72", Fingerprint: Fingerprint("createPayment", "/payments", []byte("{other}"))}
	_, _, err = f.ops.CreatePayment(ctx, shopA, other, paymentIn("11.00", true), f.renderPayment)
	e := wantParam(t, err, EInvalidRequest, "Idempotence-Key")
	if e.Description != "Idempotence key duplicated" {
		t.Errorf("description %q", e.Description)
	}
	// keys are per shop
	_, b4, err := f.ops.CreatePayment(ctx, shopB, other, paymentIn("11.00", true), f.renderPayment)
	wantCode(t, err, "")
	if string(b4) == string(b1) || len(f.store.payments) != 2 {
		t.Errorf("shop B got shop A's response %q", b4)
	}
}

func TestIdempotenceExpiresAfter24h(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	k := IdemKey{Key: "k", Fingerprint: "fp"}
	_, b1, err := f.ops.CreatePayment(ctx, shopA, k, paymentIn("10.00", true), f.renderPayment)
	wantCode(t, err, "")
	f.now = t0.Add(IdempotenceTTL)
	_, b2, err := f.ops.CreatePayment(ctx, shopA, k, paymentIn("10.00", true), f.renderPayment)
	wantCode(t, err, "")
	if string(b1) == string(b2) || len(f.store.payments) != 2 || f.renders != 2 {
		t.Fatalf("after 24h the key was not new: %q %q", b1, b2)
	}
	// and it binds again from its new use; another body is a duplicate now
	f.now = f.now.Add(time.Hour)
	_, b3, _ := f.ops.CreatePayment(ctx, shopA, k, paymentIn("10.00", true), f.renderPayment)
	if string(b3) != string(b2) {
		t.Errorf("replay after renewal %q, want %q", b3, b2)
	}
	_, _, err = f.ops.CreatePayment(ctx, shopA, IdemKey{Key: "k", Fingerprint: "fp2"}, paymentIn("10.00", true), f.renderPayment)
	wantParam(t, err, EInvalidRequest, "Idempotence-Key")
	// a key reused with another body after 24h is simply new
	f.now = f.now.Add(IdempotenceTTL)
	_, _, err = f.ops.CreatePayment(ctx, shopA, IdemKey{Key: "k", Fingerprint: "fp2"}, paymentIn("12.00", true), f.renderPayment)
	wantCode(t, err, "")
}

func TestIdempotenceErrorsAreNotStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	k := IdemKey{Key: "retry-me", Fingerprint: "fp"}
	_, _, err := f.ops.CreatePayment(ctx, shopA, k, paymentIn("10.00", true), func(*Payment) (int, []byte, error) {
		return 0, nil, errorString("renderer down")
	})
	if CodeOf(err) != EInternal {
		t.Fatalf("err = %v", err)
	}
	if len(f.store.payments) != 0 || len(f.store.idem) != 0 {
		t.Fatalf("a failed request left %d payments, %d records", len(f.store.payments), len(f.store.idem))
	}
	// the retry runs again and succeeds
	_, _, err = f.ops.CreatePayment(ctx, shopA, k, paymentIn("10.00", true), f.renderPayment)
	wantCode(t, err, "")
	if len(f.store.payments) != 1 || f.renders != 1 {
		t.Errorf("%d payments, %d renders after the retry", len(f.store.payments), f.renders)
	}

	// a rule error (capture of a pending payment) is not stored either: once
	// the payment waits for capture the same request succeeds
	p := f.create(t, shopA, paymentIn("10.00", false))
	ck := IdemKey{Key: "cap-1", Fingerprint: "capture " + p.ID}
	_, _, err = f.ops.Capture(ctx, shopA, p.ID, ck, nil, f.renderPayment)
	wantCode(t, err, EInvalidRequest)
	if _, err := f.ops.Confirm(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	_, body, err := f.ops.Capture(ctx, shopA, p.ID, ck, nil, f.renderPayment)
	wantCode(t, err, "")
	// now the capture is stored: its replay answers 200 again although a
	// second capture would be refused
	_, again, err := f.ops.Capture(ctx, shopA, p.ID, ck, nil, f.renderPayment)
	wantCode(t, err, "")
	if string(again) != string(body) || !strings.HasPrefix(string(body), "succeeded ") {
		t.Errorf("capture replay %q, first %q", again, body)
	}
	_, _, err = f.ops.Capture(ctx, shopA, p.ID, key("capture "+p.ID), nil, f.renderPayment)
	wantParam(t, err, EInvalidRequest, "payment_id")
}

func TestIdempotenceRefundReplay(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.succeeded(t, shopA, "10.00")
	k := IdemKey{Key: "refund-1", Fingerprint: "refund 1.00"}
	for i := 0; i < 3; i++ {
		_, _, err := f.ops.CreateRefund(ctx, shopA, k, refundIn(p, "1.00"), f.renderRefund)
		wantCode(t, err, "")
	}
	got, _ := f.ops.Payment(ctx, shopA, p.ID)
	decEq(t, "refunded after 3 identical requests", got.RefundedAmount, dec("1"))
	if len(f.store.refunds) != 1 {
		t.Errorf("%d refunds", len(f.store.refunds))
	}
}

func TestIdempotenceRejectsBadKeys(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.succeeded(t, shopA, "10.00")
	f.renders = 0
	for _, k := range []string{"", "a b", strings.Repeat("k", 65)} {
		_, _, err := f.ops.CreatePayment(ctx, shopA, IdemKey{Key: k, Fingerprint: "fp"}, paymentIn("1.00", true), f.renderPayment)
		wantParam(t, err, EInvalidRequest, "Idempotence-Key")
		_, _, err = f.ops.Capture(ctx, shopA, p.ID, IdemKey{Key: k, Fingerprint: "fp"}, nil, f.renderPayment)
		wantParam(t, err, EInvalidRequest, "Idempotence-Key")
		_, _, err = f.ops.Cancel(ctx, shopA, p.ID, IdemKey{Key: k, Fingerprint: "fp"}, f.renderPayment)
		wantParam(t, err, EInvalidRequest, "Idempotence-Key")
		_, _, err = f.ops.CreateRefund(ctx, shopA, IdemKey{Key: k, Fingerprint: "fp"}, refundIn(p, "1.00"), f.renderRefund)
		wantParam(t, err, EInvalidRequest, "Idempotence-Key")
	}
	_, _, err := f.ops.CreatePayment(ctx, shopA, IdemKey{Key: "k"}, paymentIn("1.00", true), f.renderPayment)
	wantCode(t, err, EInternal) // the HTTP layer forgot the fingerprint
	if f.renders != 0 {
		t.Errorf("%d operations ran with bad keys", f.renders)
	}
}

// TestIdempotenceConcurrent: racing requests with one key run once; the
// others get the stored response.
func TestIdempotenceConcurrent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	k := IdemKey{Key: "same", Fingerprint: "fp"}
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		bodies = map[string]int{}
		ran    int
	)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, b, err := f.ops.CreatePayment(ctx, shopA, k, paymentIn("1.00", true), func(p *Payment) (int, []byte, error) {
				ran++ // under the store's lock
				return 200, []byte(p.ID), nil
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Error(err)
			}
			bodies[string(b)]++
		}()
	}
	wg.Wait()
	if ran != 1 || len(bodies) != 1 || len(f.store.payments) != 1 {
		t.Errorf("ran %d times, %d distinct bodies, %d payments", ran, len(bodies), len(f.store.payments))
	}
}
