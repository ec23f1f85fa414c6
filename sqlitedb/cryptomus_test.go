package sqlitedb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/paysandbox/paysandbox/cryptomus"
)

const (
	cmMerchantA = "11111111-1111-4111-8111-111111111111"
	cmMerchantB = "22222222-2222-4222-8222-222222222222"
)

func cmDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func cmDecP(s string) *decimal.Decimal {
	d := cmDec(s)
	return &d
}

// cmWantCode fails unless err is a *cryptomus.Error with code.
func cmWantCode(t *testing.T, err error, code cryptomus.ErrorCode) {
	t.Helper()
	var e *cryptomus.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got error %v (%T), want a *cryptomus.Error with code %s", err, err, code)
	}
}

// cmSetup opens a database with merchant A (wallets USDT, BTC; USDT holds
// 10.00) and merchant B (default wallets).
func cmSetup(t *testing.T) (*DB, *cryptomus.Merchant) {
	t.Helper()
	d, _ := openTest(t)
	ctx := context.Background()
	a, err := cryptomus.BuildMerchant(cryptomus.NewMerchant{UUID: cmMerchantA, PaymentKey: "key-a", PayoutKey: "payout-a",
		Wallets: []string{"USDT", "BTC"}}, t0)
	if err != nil {
		t.Fatal(err)
	}
	a.Wallets[0].Balance = cmDec("10.00")
	if err := d.CreateMerchant(ctx, a); err != nil {
		t.Fatal(err)
	}
	b, _ := cryptomus.BuildMerchant(cryptomus.NewMerchant{UUID: cmMerchantB, PaymentKey: "key-b"}, t0)
	if err := d.CreateMerchant(ctx, b); err != nil {
		t.Fatal(err)
	}
	return d, a
}

func cmNewInvoice(merchant, orderID, amount, currency string) *cryptomus.Invoice {
	return cryptomus.NewInvoice(merchant, cryptomus.InvoiceRequest{Amount: cmDec(amount), Currency: currency,
		OrderID: orderID, Lifetime: 900, AccuracyPercent: cmDec("0.5")}, t0)
}

func TestCryptomusMerchantRoundTrip(t *testing.T) {
	d, a := cmSetup(t)
	ctx := context.Background()
	got, err := d.Merchant(ctx, cmMerchantA)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got, a)
	if cryptomus.FormatAmount(got.Wallets[0].Balance) != "10.00" {
		t.Errorf("balance %s: the scale was lost", cryptomus.FormatAmount(got.Wallets[0].Balance))
	}
	b, _ := d.Merchant(ctx, cmMerchantB)
	if len(b.Wallets) != 5 || b.PayoutKey != "" {
		t.Errorf("merchant B %+v", b)
	}
	none, _ := cryptomus.BuildMerchant(cryptomus.NewMerchant{Wallets: []string{}}, t0)
	if err := d.CreateMerchant(ctx, none); err != nil {
		t.Fatal(err)
	}
	gotNone, err := d.Merchant(ctx, none.UUID)
	if err != nil || gotNone.Wallets == nil || len(gotNone.Wallets) != 0 {
		t.Fatalf("merchant without wallets: %+v %v", gotNone, err)
	}

	cmWantCode(t, d.CreateMerchant(ctx, a), cryptomus.EConflict)
	_, err = d.Merchant(ctx, "33333333-3333-4333-8333-333333333333")
	cmWantCode(t, err, cryptomus.ENotFound)
	_, err = d.UpdateMerchant(ctx, "33333333-3333-4333-8333-333333333333", func(*cryptomus.Merchant) error { return nil })
	cmWantCode(t, err, cryptomus.ENotFound)
}

func TestCryptomusUpdateMerchant(t *testing.T) {
	d, a := cmSetup(t)
	ctx := context.Background()
	later := t0.Add(time.Hour)
	m, err := d.UpdateMerchant(ctx, cmMerchantA, func(m *cryptomus.Merchant) error {
		m.PaymentsBlocked = true
		m.UpdatedAt = later
		return m.SetWallets([]string{"ETH", "USDT"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != a.Version+1 {
		t.Errorf("version %d, want %d", m.Version, a.Version+1)
	}
	got, _ := d.Merchant(ctx, cmMerchantA)
	assertSame(t, got, m)
	if !got.PaymentsBlocked || got.Wallets[0].Currency != "ETH" || !got.Wallet("USDT").Balance.Equal(cmDec("10")) || got.Wallet("BTC") != nil {
		t.Errorf("after update %+v", got)
	}

	// fn's error is returned unchanged and nothing is written
	boom := errors.New("boom")
	_, err = d.UpdateMerchant(ctx, cmMerchantA, func(m *cryptomus.Merchant) error {
		m.PaymentsBlocked = false
		m.Wallets = nil
		return boom
	})
	if err != boom {
		t.Fatalf("err = %v, want fn's error", err)
	}
	again, _ := d.Merchant(ctx, cmMerchantA)
	assertSame(t, again, got)
}

// cmFullInvoice is an invoice with every field set, refunded.
func cmFullInvoice() *cryptomus.Invoice {
	inv := cmNewInvoice(cmMerchantA, "заказ-1_x", "0.12345678", "BTC")
	inv.Network = "btc"
	inv.URLReturn, inv.URLSuccess, inv.URLCallback = "https://shop/r", "https://shop/s", "https://shop/cb?a=1&b=2"
	inv.AdditionalData = "note 'quoted'"
	inv.Status = cryptomus.StatusRefundProcess
	inv.PaymentAmount = cmDecP("0.12345679")
	inv.PayerCurrency = "BTC"
	inv.MerchantAmount = cmDecP("0.12345679")
	inv.From = "bc1qpayer"
	inv.TxID = "abc123"
	inv.UpdatedAt = t0.Add(time.Minute)
	inv.RefundedAmount = cmDec("0.12345678")
	inv.Refund = &cryptomus.Refund{Address: "bc1qrefund", IsSubtract: true, Amount: cmDec("0.12345678"),
		Fee: cmDec("0.00123457"), PayerReceives: cmDec("0.12345678"), At: t0.Add(2 * time.Minute)}
	inv.Version = 3
	return inv
}

func TestCryptomusInvoiceRoundTrip(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	for _, inv := range []*cryptomus.Invoice{cmNewInvoice(cmMerchantA, "plain", "10.00", "USDT"), cmFullInvoice()} {
		if err := d.CreateInvoice(ctx, inv); err != nil {
			t.Fatal(err)
		}
		byUUID, err := d.InvoiceByUUID(ctx, cmMerchantA, inv.UUID)
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, byUUID, inv)
		byOrder, err := d.InvoiceByOrderID(ctx, cmMerchantA, inv.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, byOrder, inv)
		anyM, err := d.InvoiceByUUIDAnyMerchant(ctx, inv.UUID)
		if err != nil {
			t.Fatal(err)
		}
		assertSame(t, anyM, inv)
		// exact text, not just the value: the scale the client sent survives
		if got, want := cryptomus.FormatAmount(byUUID.Amount), cryptomus.FormatAmount(inv.Amount); got != want {
			t.Errorf("amount %s, want %s", got, want)
		}
		// another merchant cannot see it
		_, err = d.InvoiceByUUID(ctx, cmMerchantB, inv.UUID)
		cmWantCode(t, err, cryptomus.ENotFound)
		_, err = d.InvoiceByOrderID(ctx, cmMerchantB, inv.OrderID)
		cmWantCode(t, err, cryptomus.ENotFound)
	}
	full, _ := d.InvoiceByOrderID(ctx, cmMerchantA, "заказ-1_x")
	if cryptomus.FormatAmount(full.Amount) != "0.12345678" || cryptomus.FormatAmount(full.Refund.Fee) != "0.00123457" {
		t.Errorf("8-decimal amounts: %s, fee %s", cryptomus.FormatAmount(full.Amount), cryptomus.FormatAmount(full.Refund.Fee))
	}
	_, err := d.InvoiceByUUIDAnyMerchant(ctx, cryptomus.NewUUID())
	cmWantCode(t, err, cryptomus.ENotFound)
}

func TestCryptomusDuplicateOrderID(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	first := cmNewInvoice(cmMerchantA, "o-1", "1", "USDT")
	if err := d.CreateInvoice(ctx, first); err != nil {
		t.Fatal(err)
	}
	cmWantCode(t, d.CreateInvoice(ctx, cmNewInvoice(cmMerchantA, "o-1", "2", "USDT")), cryptomus.EConflict)
	// the same uuid again
	dup := cmNewInvoice(cmMerchantA, "o-2", "1", "USDT")
	dup.UUID = first.UUID
	cmWantCode(t, d.CreateInvoice(ctx, dup), cryptomus.EConflict)
	// another merchant may use the order_id
	if err := d.CreateInvoice(ctx, cmNewInvoice(cmMerchantB, "o-1", "3", "USDT")); err != nil {
		t.Fatal(err)
	}
	// an unknown merchant cannot have invoices
	cmWantCode(t, d.CreateInvoice(ctx, cmNewInvoice("33333333-3333-4333-8333-333333333333", "o-1", "1", "USDT")), cryptomus.ENotFound)
	got, _ := d.InvoiceByOrderID(ctx, cmMerchantA, "o-1")
	assertSame(t, got, first)
	if n := cmCount(t, d, "cryptomus_invoices"); n != 2 {
		t.Errorf("%d invoices, want 2", n)
	}
}

func cmCount(t *testing.T, d *DB, table string) int {
	t.Helper()
	var n int
	if err := d.db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM `+quoteIdent(table)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCryptomusUpdateInvoiceAtomic(t *testing.T) {
	d, a := cmSetup(t)
	ctx := context.Background()
	inv := cmNewInvoice(cmMerchantA, "o-1", "2.5", "USDT")
	if err := d.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}

	// a status change that does not touch the merchant leaves its row alone
	got, err := d.UpdateInvoice(ctx, inv.UUID, func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error {
		return inv.SetStatus(m, cryptomus.StatusProcess, nil, "", t0.Add(time.Second))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 1 || got.Status != cryptomus.StatusProcess {
		t.Fatalf("after process: version %d status %s", got.Version, got.Status)
	}
	if m, _ := d.Merchant(ctx, cmMerchantA); m.Version != a.Version {
		t.Fatalf("merchant version %d, want %d (unchanged)", m.Version, a.Version)
	}

	// paid: invoice and wallet together
	got, err = d.UpdateInvoice(ctx, inv.UUID, func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error {
		return inv.SetStatus(m, cryptomus.StatusPaid, nil, "", t0.Add(2*time.Second))
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := d.InvoiceByUUIDAnyMerchant(ctx, inv.UUID)
	assertSame(t, stored, got)
	m, _ := d.Merchant(ctx, cmMerchantA)
	if !m.Wallet("USDT").Balance.Equal(cmDec("12.5")) || m.Version != a.Version+1 {
		t.Fatalf("after paid: balance %s version %d", m.Wallet("USDT").Balance, m.Version)
	}
	if cryptomus.FormatAmount(m.Wallet("USDT").Balance) != "12.50" {
		t.Errorf("balance text %s", cryptomus.FormatAmount(m.Wallet("USDT").Balance))
	}

	// fn fails after changing both: nothing is written
	boom := errors.New("boom")
	_, err = d.UpdateInvoice(ctx, inv.UUID, func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error {
		if err := inv.ApplyRefund(m, cryptomus.RefundRequest{Address: "T"}, t0.Add(3*time.Second)); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("err = %v, want fn's error", err)
	}
	again, _ := d.InvoiceByUUIDAnyMerchant(ctx, inv.UUID)
	assertSame(t, again, stored)
	mAgain, _ := d.Merchant(ctx, cmMerchantA)
	assertSame(t, mAgain, m)

	// the refund: invoice to refund_process and the wallet debited in one write
	got, err = d.UpdateInvoice(ctx, inv.UUID, func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error {
		return inv.ApplyRefund(m, cryptomus.RefundRequest{Address: "T", IsSubtract: true}, t0.Add(4*time.Second))
	})
	if err != nil {
		t.Fatal(err)
	}
	stored, _ = d.InvoiceByUUIDAnyMerchant(ctx, inv.UUID)
	assertSame(t, stored, got)
	m, _ = d.Merchant(ctx, cmMerchantA)
	// 12.5 − (2.5 + 0.025 fee)
	if !m.Wallet("USDT").Balance.Equal(cmDec("9.975")) || stored.Status != cryptomus.StatusRefundProcess || stored.Version != 3 {
		t.Fatalf("after refund: balance %s status %s version %d", m.Wallet("USDT").Balance, stored.Status, stored.Version)
	}

	_, err = d.UpdateInvoice(ctx, cryptomus.NewUUID(), func(*cryptomus.Invoice, *cryptomus.Merchant) error { return nil })
	cmWantCode(t, err, cryptomus.ENotFound)
}

func TestCryptomusNegativeBalance(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	if _, err := d.UpdateMerchant(ctx, cmMerchantA, func(m *cryptomus.Merchant) error {
		m.Wallet("BTC").Balance = cmDec("-0.00123457")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m, _ := d.Merchant(ctx, cmMerchantA)
	if cryptomus.FormatAmount(m.Wallet("BTC").Balance) != "-0.00123457" {
		t.Fatalf("balance %s", m.Wallet("BTC").Balance)
	}
}

// TestCryptomusStatusesFitTheSchema stores an invoice in every status the
// domain knows, and checks that the CHECK refuses one it does not.
func TestCryptomusStatusesFitTheSchema(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	for i, s := range cryptomus.Statuses {
		inv := cmFullInvoice()
		inv.UUID = cryptomus.NewUUID()
		inv.OrderID = "o-" + string(s)
		inv.Status = s
		if err := d.CreateInvoice(ctx, inv); err != nil {
			t.Errorf("status %d %s: %v", i, s, err)
		}
	}
	bad := cmNewInvoice(cmMerchantA, "bad", "1", "USDT")
	bad.Status = "expired"
	if err := d.CreateInvoice(ctx, bad); err == nil {
		t.Error("the schema accepted status expired")
	}
	paidNoAmount := cmNewInvoice(cmMerchantA, "paid-no-amount", "1", "USDT")
	paidNoAmount.Status = cryptomus.StatusPaid
	if err := d.CreateInvoice(ctx, paidNoAmount); err == nil {
		t.Error("the schema accepted a paid invoice without a payment amount")
	}
}

func TestCryptomusResetAndDefaults(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	ops := &cryptomus.Operations{Store: d, Now: func() time.Time { return t0 }}
	if err := ops.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ops.EnsureDefaults(ctx); err != nil {
		t.Fatalf("second EnsureDefaults: %v", err)
	}
	if err := d.CreateInvoice(ctx, cmNewInvoice(cmMerchantA, "o-1", "1", "USDT")); err != nil {
		t.Fatal(err)
	}
	if err := d.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"cryptomus_merchants", "cryptomus_wallets", "cryptomus_invoices"} {
		if n := cmCount(t, d, table); n != 0 {
			t.Errorf("%s has %d rows after Reset", table, n)
		}
	}
	if err := ops.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := d.Merchant(ctx, cryptomus.DefaultMerchantUUID)
	if err != nil || m.PaymentKey != cryptomus.DefaultPaymentKey || len(m.Wallets) != 5 {
		t.Fatalf("default merchant %+v %v", m, err)
	}
}

// TestCryptomusOperationsOnSQLite runs the refund flow through the
// Operations on the real store, across a reopen.
func TestCryptomusOperationsOnSQLite(t *testing.T) {
	d, path := openTest(t)
	ctx := context.Background()
	ops := &cryptomus.Operations{Store: d, Now: func() time.Time { return t0 }}
	if err := ops.EnsureDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"amount":"0.12345678","currency":"BTC","order_id":"o-8"}`)
	m, err := ops.Authenticate(ctx, cryptomus.DefaultMerchantUUID, cryptomus.Sign(body, cryptomus.DefaultPaymentKey), body, false)
	if err != nil {
		t.Fatal(err)
	}
	req, err := cryptomus.ParseInvoiceRequest(body)
	if err != nil {
		t.Fatal(err)
	}
	inv, _, err := ops.CreateInvoice(ctx, m, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ops.SetInvoiceStatus(ctx, inv.UUID, cryptomus.StatusPaid, nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := ops.Refund(ctx, m, cryptomus.RefundRequest{Address: "bc1q", IsSubtract: false, OrderID: "o-8"}); err != nil {
		t.Fatal(err)
	}
	d.Close()
	d2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	ops.Store = d2
	got, err := ops.Info(ctx, m, cryptomus.InfoRequest{OrderID: "o-8"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != cryptomus.StatusRefundProcess || cryptomus.FormatAmount(got.Amount) != "0.12345678" ||
		cryptomus.FormatAmount(got.Refund.PayerReceives) != "0.12222221" {
		t.Fatalf("after reopen %+v refund %+v", got, got.Refund)
	}
	mm, _ := ops.Merchant(ctx, cryptomus.DefaultMerchantUUID)
	if !mm.Wallet("BTC").Balance.IsZero() {
		t.Fatalf("BTC balance %s, want 0 (paid 0.12345678, refunded the same, fee from the refund)", mm.Wallet("BTC").Balance)
	}
}
