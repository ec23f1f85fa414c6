package sqlitedb

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paysandbox/paysandbox/medusa"
)

// t0 has a full nanosecond fraction so that a lossy time encoding shows.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

const (
	platform1 = "platform-1"
	platform2 = "platform-2"
)

func openTest(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, path
}

// newRecipient is a recipient with SBP data and two payout methods (SBP, CARD).
func newRecipient(t *testing.T, platformID, extID string) *medusa.Recipient {
	t.Helper()
	r, err := medusa.NewRecipient(platformID, extID, "Seller "+extID,
		&medusa.SbpData{Phone: "+79001234567", FirstName: "Ivan", LastName: "Petrov", MiddleName: "Ivanovich"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.AddSbpPayoutMethod("pm-sbp", "100000000111", t0.Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if err := r.AddCardPayoutMethod("pm-card", "https://platform.example/back?x=1", t0.Add(2*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	return r
}

// newOrder builds an order of two services for recipient r: svcA (1000.00,
// commission 100.00, paid by SBP) and svcB (500.50, commission 20.00, paid by
// card), with the given start decisions.
func newOrder(t *testing.T, r *medusa.Recipient, extID, svcA, svcB string, decA, decB medusa.Decision, now time.Time) *medusa.Order {
	t.Helper()
	lookup := func(ext string) (*medusa.Recipient, error) {
		if ext != r.ExtID {
			return nil, medusa.Errorf(medusa.ENotFound, "recipient %s not found", ext)
		}
		return r, nil
	}
	in := medusa.NewOrder{
		APIVersion: 3,
		ExtID:      extID,
		IncomingPayment: medusa.IncomingPayment{Type: "card", Purpose: "Order " + extID,
			RedirectURL: "https://platform.example/ok", FailRedirectURL: "https://platform.example/fail",
			ConsumerID: "buyer-7", TTLMinutes: 30, SbpNeeded: true, CardNeeded: true},
		Receipt: &medusa.Receipt{Email: "buyer@example.com", Name: "Goods", VatType: "none",
			PaymentMethod: "full_payment", PaymentObject: "service"},
		Services: []medusa.NewService{
			{ExtID: svcA, Price: "1000.00", Commission: "100.00", RecipientExtID: r.ExtID,
				PayoutMethodExtID: "pm-sbp", Method: "sbp", StartDecision: decA},
			{ExtID: svcB, Price: "500.50", Commission: "20.00", RecipientExtID: r.ExtID,
				PayoutMethodExtID: "pm-card", StartDecision: decB},
		},
	}
	o, err := medusa.BuildOrder(r.PlatformID, in, medusa.DefaultTariff, lookup,
		func(ext string) string { return "https://sandbox.example/pay/" + ext }, now)
	if err != nil {
		t.Fatalf("BuildOrder: %v", err)
	}
	return o
}

// wantCode fails unless err is a *medusa.Error with code.
func wantCode(t *testing.T, err error, code medusa.ErrorCode) {
	t.Helper()
	var me *medusa.Error
	if !errors.As(err, &me) || me.Code != code {
		t.Fatalf("got error %v (%T), want a *medusa.Error with code %s", err, err, code)
	}
}

// assertSame fails when got and want differ: decimals by value, times
// exactly (==, so the location and every nanosecond must round-trip), nil
// pointers and slices apart from empty ones.
func assertSame(t *testing.T, got, want any) {
	t.Helper()
	var diffs []string
	diff("", reflect.ValueOf(got), reflect.ValueOf(want), &diffs)
	for _, d := range diffs {
		t.Error(d)
	}
}

var (
	decimalType = reflect.TypeFor[decimal.Decimal]()
	timeType    = reflect.TypeFor[time.Time]()
)

func diff(path string, a, b reflect.Value, out *[]string) {
	switch a.Type() {
	case decimalType:
		if x, y := a.Interface().(decimal.Decimal), b.Interface().(decimal.Decimal); !x.Equal(y) {
			*out = append(*out, fmt.Sprintf("%s: got %s, want %s", path, x, y))
		}
		return
	case timeType:
		if x, y := a.Interface().(time.Time), b.Interface().(time.Time); x != y {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", path, x, y))
		}
		return
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			if a.IsNil() != b.IsNil() {
				*out = append(*out, fmt.Sprintf("%s: got nil=%v, want nil=%v", path, a.IsNil(), b.IsNil()))
			}
			return
		}
		diff(path, a.Elem(), b.Elem(), out)
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			diff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i), out)
		}
	case reflect.Slice:
		if a.IsNil() != b.IsNil() || a.Len() != b.Len() {
			*out = append(*out, fmt.Sprintf("%s: got len %d (nil=%v), want len %d (nil=%v)",
				path, a.Len(), a.IsNil(), b.Len(), b.IsNil()))
			return
		}
		for i := 0; i < a.Len(); i++ {
			diff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i), out)
		}
	default:
		if a.Interface() != b.Interface() {
			*out = append(*out, fmt.Sprintf("%s: got %v, want %v", path, a.Interface(), b.Interface()))
		}
	}
}
