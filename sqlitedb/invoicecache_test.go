package sqlitedb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/cryptomus"
)

// The writer's invoice cache must always hold exactly what SQLite holds,
// and the merchants it takes from the read cache too.

func invoiceCacheMatchesStored(t *testing.T, d *DB, uuid, merchant string) {
	t.Helper()
	ctx := context.Background()
	cached, ok := d.invoices.get(uuid)
	if !ok {
		t.Fatalf("invoice %s is not cached", uuid)
	}
	var stored cmInvoiceRow
	if err := d.db.QueryRowContext(ctx, cmSelectInvoiceAny, uuid).Scan(stored.fields()...); err != nil {
		t.Fatal(err)
	}
	if cached != stored {
		t.Errorf("cached invoice row\n%+v\nstored\n%+v", cached, stored)
	}
	m, _, ok := d.merchants.get(merchant)
	if !ok {
		return // not read or written since the last reset: nothing to be stale
	}
	fresh, err := cmLoadMerchant(ctx, d, merchant)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, m, fresh)
}

func TestInvoiceCacheFollowsEveryChange(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	inv := cmNewInvoice(cmMerchantA, "o-cache", "10.28", "USDT")
	if err := d.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	invoiceCacheMatchesStored(t, d, inv.UUID, cmMerchantA)
	at := t0.Add(time.Minute)
	changes := []func(*cryptomus.Invoice, *cryptomus.Merchant) error{
		func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error { // paid: the wallet is credited
			return inv.SetStatus(m, cryptomus.StatusPaid, cmDecP("10.28"), "tx-1", at)
		},
		func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error { // a refund debits it
			return inv.ApplyRefund(m, cryptomus.RefundRequest{Address: "addr", IsSubtract: true}, at.Add(time.Second))
		},
		func(inv *cryptomus.Invoice, _ *cryptomus.Merchant) error { // the control API moves it on
			inv.UpdatedAt = at.Add(2 * time.Second)
			return nil
		},
	}
	for i, change := range changes {
		if _, err := d.UpdateInvoice(ctx, inv.UUID, change); err != nil {
			t.Fatalf("change %d: %v", i+1, err)
		}
		invoiceCacheMatchesStored(t, d, inv.UUID, cmMerchantA)
	}
	// A refused change writes nothing and caches nothing.
	refused := errors.New("refused")
	_, err := d.UpdateInvoice(ctx, inv.UUID, func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error {
		inv.Status = cryptomus.StatusCancel
		m.Wallets[0].Balance = cmDec("12345")
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("refused change: %v", err)
	}
	invoiceCacheMatchesStored(t, d, inv.UUID, cmMerchantA)
	if err := d.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.invoices.get(inv.UUID); ok {
		t.Error("the invoice is still cached after a reset")
	}
}

// Another process changed the invoice behind the cache's back: the update
// is decided again on what SQLite holds.
func TestInvoiceCacheStaleInvoice(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	inv := cmNewInvoice(cmMerchantA, "o-stale", "10.28", "USDT")
	if err := d.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := d.db.ExecContext(ctx, `UPDATE cryptomus_invoices SET txid = 'outside', version = version + 1 WHERE uuid = ?`, inv.UUID); err != nil {
		t.Fatal(err)
	}
	var seen []string
	got, err := d.UpdateInvoice(ctx, inv.UUID, func(inv *cryptomus.Invoice, _ *cryptomus.Merchant) error {
		seen = append(seen, inv.TxID)
		inv.UpdatedAt = t0.Add(time.Minute)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != "" || seen[1] != "outside" {
		t.Errorf("fn saw txids %q, want the cached one and then SQLite's", seen)
	}
	if got.TxID != "outside" || got.Version != inv.Version+2 {
		t.Errorf("result txid %q version %d, want outside and %d", got.TxID, got.Version, inv.Version+2)
	}
	invoiceCacheMatchesStored(t, d, inv.UUID, cmMerchantA)
}

// Another process changed the merchant: the wallet is not credited on top of
// a balance that no longer holds.
func TestInvoiceCacheStaleMerchant(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	if _, err := d.Merchant(ctx, cmMerchantA); err != nil { // into the read cache
		t.Fatal(err)
	}
	inv := cmNewInvoice(cmMerchantA, "o-stale-m", "10.28", "USDT")
	if err := d.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE cryptomus_merchants SET version = version + 1 WHERE uuid = '` + cmMerchantA + `'`,
		`UPDATE cryptomus_wallets SET balance = '99.00' WHERE merchant_uuid = '` + cmMerchantA + `' AND currency = 'USDT'`,
	} {
		if _, err := d.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	calls := 0
	_, err := d.UpdateInvoice(ctx, inv.UUID, func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error {
		calls++
		return inv.SetStatus(m, cryptomus.StatusPaid, cmDecP("10.28"), "tx-1", t0.Add(time.Minute))
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := cmLoadMerchant(ctx, d, cmMerchantA)
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 || cryptomus.FormatAmount(m.Wallets[0].Balance) != "109.28" {
		t.Errorf("%d calls, USDT balance %s; want 2 and 109.28", calls, cryptomus.FormatAmount(m.Wallets[0].Balance))
	}
	invoiceCacheMatchesStored(t, d, inv.UUID, cmMerchantA)
}
