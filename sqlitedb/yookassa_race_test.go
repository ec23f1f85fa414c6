package sqlitedb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/yookassa"
)

// TestYooKassaRaceRefunds: 50 refunds of 1.00 race on a succeeded 10.00
// payment; exactly 10 fit.
func TestYooKassaRaceRefunds(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	p := f.succeeded(t, ykShop1, "10.00")
	var n atomic.Int64
	errs := race(func() error {
		k := yookassa.IdemKey{Key: fmt.Sprintf("refund-%d", n.Add(1)), Fingerprint: "refund 1.00"}
		_, _, err := f.ops.CreateRefund(ctx, ykShop1, k, yookassa.NewRefund{PaymentID: p.ID, Amount: ykRub("1.00")},
			func(r *yookassa.Refund) (int, []byte, error) {
				time.Sleep(100 * time.Microsecond) // hold the transaction so that the racers overlap
				return ykRenderRefund(r)
			})
		return err
	})
	wins := 0
	for _, err := range errs {
		var e *yookassa.Error
		switch {
		case err == nil:
			wins++
		case errors.As(err, &e) && e.Code == yookassa.EInvalidRequest &&
			strings.HasPrefix(e.Description, "Refund amount exceeds the available amount"):
		default:
			t.Errorf("a racer failed with %v (%T)", err, err)
		}
	}
	if wins != 10 {
		t.Errorf("%d refunds succeeded, want 10", wins)
	}
	got, err := f.d.Payment(ctx, ykShop1, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.RefundedAmount.Equal(dec("10.00")) || got.Version != p.Version+10 {
		t.Errorf("refunded %s version %d after the race", got.RefundedAmount, got.Version)
	}
	var sum string
	if err := f.d.db.QueryRow(`SELECT printf('%d', COUNT(*)) FROM yookassa_refunds WHERE payment_id = ?`, p.ID).Scan(&sum); err != nil || sum != "10" {
		t.Errorf("%s refund rows (%v), want 10", sum, err)
	}
	if n := countRows(t, f.d, "yookassa_idempotence_keys"); n != 11 { // the create + 10 refunds
		t.Errorf("%d idempotence records, want 11", n)
	}
}

// TestYooKassaRaceConfirm: 50 payers confirm one pending payment; one wins.
func TestYooKassaRaceConfirm(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	p := f.create(t, ykShop1, ykIn("10.00", false))
	errs := race(func() error {
		_, err := f.ops.Confirm(ctx, p.ID)
		return err
	})
	wins := 0
	for _, err := range errs {
		var e *yookassa.Error
		switch {
		case err == nil:
			wins++
		case errors.As(err, &e) && e.Code == yookassa.EInvalidState:
		default:
			t.Errorf("a racer failed with %v (%T)", err, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d racers won, want exactly 1", wins)
	}
	got, _ := f.d.Payment(ctx, ykShop1, p.ID)
	if got.Status != yookassa.StatusWaitingForCapture || got.Version != p.Version+1 {
		t.Errorf("status %s version %d after the race", got.Status, got.Version)
	}
}

// TestYooKassaRaceSameIdempotenceKey: 50 identical creates with one key make
// one payment, and all 50 get the same bytes.
func TestYooKassaRaceSameIdempotenceKey(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	k := yookassa.IdemKey{Key: "550e8400-e29b-41d4-a716-446655440000",
		Fingerprint: yookassa.Fingerprint("createPayment", "/payments", []byte(`{"amount":{"value":"2.00","currency":"RUB"}}`))}
	var (
		mu     sync.Mutex
		bodies [][]byte
		ran    atomic.Int64
	)
	errs := race(func() error {
		status, body, err := f.ops.CreatePayment(ctx, ykShop1, k, ykIn("2.00", true), func(p *yookassa.Payment) (int, []byte, error) {
			ran.Add(1)
			time.Sleep(time.Millisecond) // hold the transaction so that the racers overlap
			return ykRenderPayment(p)
		})
		if err == nil && status != 200 {
			err = fmt.Errorf("status %d", status)
		}
		mu.Lock()
		bodies = append(bodies, body)
		mu.Unlock()
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("a racer failed: %v", err)
		}
	}
	if ran.Load() != 1 {
		t.Errorf("the operation ran %d times, want 1", ran.Load())
	}
	if n := countRows(t, f.d, "yookassa_payments"); n != 1 {
		t.Errorf("%d payments, want 1", n)
	}
	for i, b := range bodies {
		if len(b) == 0 || string(b) != string(bodies[0]) {
			t.Fatalf("racer %d got %q, racer 0 %q", i, b, bodies[0])
		}
	}
	if len(bodies) != racers {
		t.Errorf("%d bodies, want %d", len(bodies), racers)
	}
}

// TestYooKassaRaceSameKeyTwoHandles is the same race between two DB handles
// on one file (two processes): the in-process write gate cannot serialize
// them, BEGIN IMMEDIATE must.
func TestYooKassaRaceSameKeyTwoHandles(t *testing.T) {
	f := ykSetup(t)
	ctx := context.Background()
	var path string
	if err := f.d.db.QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	d2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	ops2 := *f.ops
	ops2.Store = d2
	k := yookassa.IdemKey{Key: "two-handles", Fingerprint: "fp"}
	var (
		mu     sync.Mutex
		bodies = map[string]int{}
		n      atomic.Int64
	)
	errs := race(func() error {
		ops := f.ops
		if n.Add(1)%2 == 0 {
			ops = &ops2
		}
		_, body, err := ops.CreatePayment(ctx, ykShop1, k, ykIn("2.00", true), ykRenderPayment)
		mu.Lock()
		bodies[string(body)]++
		mu.Unlock()
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("a racer failed: %v", err)
		}
	}
	if len(bodies) != 1 || countRows(t, f.d, "yookassa_payments") != 1 {
		t.Errorf("%d distinct bodies, %d payments; want 1 and 1", len(bodies), countRows(t, f.d, "yookassa_payments"))
	}
}
