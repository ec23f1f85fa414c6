package sqlitedb

import (
	"context"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/cryptomus"
)

// TestRaceCryptomusRefund: 50 refunds of one paid invoice at once through
// the Operations; one wins, the others see refund_process, and the wallet is
// debited once.
func TestRaceCryptomusRefund(t *testing.T) {
	d, a := cmSetup(t)
	ctx := context.Background()
	ops := &cryptomus.Operations{Store: d, Now: func() time.Time { return t0.Add(time.Minute) }}
	inv := cmNewInvoice(cmMerchantA, "o-race", "0.12345678", "BTC")
	if err := d.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.SetInvoiceStatus(ctx, inv.UUID, cryptomus.StatusPaid, nil, ""); err != nil {
		t.Fatal(err)
	}
	m, _ := d.Merchant(ctx, cmMerchantA)
	errs := race(func() error {
		return ops.Refund(ctx, m, cryptomus.RefundRequest{Address: "bc1qrefund", IsSubtract: true, UUID: inv.UUID})
	})
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case cryptomus.CodeOf(err) == cryptomus.EBusiness && cryptomus.MessageOf(err) == cryptomus.MsgRefundNotCompleted:
		default:
			t.Errorf("a racer failed with %v (%T)", err, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d racers won, want exactly 1", wins)
	}
	got, _ := d.InvoiceByUUIDAnyMerchant(ctx, inv.UUID)
	if got.Status != cryptomus.StatusRefundProcess || got.Version != 2 || !got.RefundedAmount.Equal(cmDec("0.12345678")) {
		t.Errorf("invoice after the race: status %s version %d refunded %s", got.Status, got.Version, got.RefundedAmount)
	}
	after, _ := d.Merchant(ctx, cmMerchantA)
	// paid 0.12345678, refunded 0.12345678 + 0.00123457 fee: one debit only
	if bal := after.Wallet("BTC").Balance; !bal.Equal(cmDec("-0.00123457")) {
		t.Errorf("BTC balance %s, want -0.00123457 (one refund)", bal)
	}
	if after.Version != a.Version+2 { // the payment and one refund
		t.Errorf("merchant version %d, want %d", after.Version, a.Version+2)
	}
}

// TestRaceCryptomusCreateInvoice: 50 creates with one order_id at once; one
// invoice is stored and every caller gets its uuid.
func TestRaceCryptomusCreateInvoice(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	ops := &cryptomus.Operations{Store: d, Now: func() time.Time { return t0 }}
	m, _ := d.Merchant(ctx, cmMerchantA)
	uuids := make(chan string, racers)
	fresh := make(chan bool, racers)
	errs := race(func() error {
		inv, existed, err := ops.CreateInvoice(ctx, m, cryptomus.InvoiceRequest{Amount: cmDec("5"), Currency: "USDT",
			OrderID: "same-order", Lifetime: 3600})
		if err == nil {
			uuids <- inv.UUID
			fresh <- !existed
		}
		return err
	})
	for _, err := range errs {
		if err != nil {
			t.Errorf("a racer failed: %v", err)
		}
	}
	close(uuids)
	close(fresh)
	first := ""
	n := 0
	for u := range uuids {
		n++
		if first == "" {
			first = u
		}
		if u != first {
			t.Errorf("racers got different invoices: %s and %s", first, u)
		}
	}
	created := 0
	for f := range fresh {
		if f {
			created++
		}
	}
	if n != racers || created != 1 {
		t.Errorf("%d answers, %d created, want %d and 1", n, created, racers)
	}
	if c := cmCount(t, d, "cryptomus_invoices"); c != 1 {
		t.Errorf("%d invoices stored, want 1", c)
	}
}

// TestRaceCryptomusPay: 50 payments of one invoice at once credit the
// wallet once.
func TestRaceCryptomusPay(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	ops := &cryptomus.Operations{Store: d, Now: func() time.Time { return t0 }}
	inv := cmNewInvoice(cmMerchantA, "o-pay", "1.5", "USDT")
	if err := d.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	errs := race(func() error {
		_, err := ops.SetInvoiceStatus(ctx, inv.UUID, cryptomus.StatusPaid, nil, "")
		return err
	})
	wins := 0
	for _, err := range errs {
		switch cryptomus.CodeOf(err) {
		case cryptomus.EInvalidState:
		default:
			if err != nil {
				t.Errorf("a racer failed with %v", err)
				continue
			}
			wins++
		}
	}
	if wins != 1 {
		t.Errorf("%d racers won, want 1", wins)
	}
	m, _ := d.Merchant(ctx, cmMerchantA)
	if bal := m.Wallet("USDT").Balance; !bal.Equal(cmDec("11.5")) {
		t.Errorf("USDT balance %s, want 11.5 (10.00 + one payment)", bal)
	}
}
