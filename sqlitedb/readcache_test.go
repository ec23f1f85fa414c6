package sqlitedb

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/yookassa"
)

// A read that started before a write committed must not store what it read.
func TestReadCacheRefusesReadsFromBeforeAWrite(t *testing.T) {
	var c readCache[string]
	_, gen, ok := c.get("k")
	if ok {
		t.Fatal("an empty cache has k")
	}
	c.invalidate() // a write commits while the read is in SQLite
	c.put("k", "old", gen)
	if _, _, ok := c.get("k"); ok {
		t.Fatal("a read from before the write was kept")
	}
	_, gen, _ = c.get("k")
	c.put("k", "new", gen)
	if v, _, ok := c.get("k"); !ok || v != "new" {
		t.Fatalf("got %q %v, want new", v, ok)
	}
}

// A recipient read again after an update shows the update; changing what
// a read returned changes nothing stored or cached.
func TestRecipientCacheFollowsUpdates(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	if err := d.CreateRecipient(ctx, newRecipient(t, platform1, "r1")); err != nil {
		t.Fatal(err)
	}
	first, err := d.Recipient(ctx, platform1, "r1")
	if err != nil {
		t.Fatal(err)
	}
	first.PayoutMethods[0].BankID = "changed by the caller"
	first.Sbp.Phone = "changed by the caller"
	again, err := d.Recipient(ctx, platform1, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if again.PayoutMethods[0].BankID != "100000000111" || again.Sbp.Phone != "+79001234567" {
		t.Fatalf("a caller's change reached the cache: %+v %+v", again.PayoutMethods[0], again.Sbp)
	}
	if _, err := d.UpdateRecipient(ctx, platform1, "r1", func(r *medusa.Recipient) error {
		return r.DeletePayoutMethod("pm-card", medusa.PayoutCard, t0.Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	after, err := d.Recipient(ctx, platform1, "r1")
	if err != nil {
		t.Fatal(err)
	}
	if len(after.PayoutMethods) != 1 || after.PayoutMethods[0].ExtID != "pm-sbp" {
		t.Fatalf("after deleting pm-card: %+v", after.PayoutMethods)
	}
}

// After a reset neither a recipient nor a shop read before is found.
func TestReadCachesForgetEverythingOnReset(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	if err := d.CreateRecipient(ctx, newRecipient(t, platform1, "r1")); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateShop(ctx, yookassa.Shop{ShopID: "shop-1", SecretKey: "secret"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Recipient(ctx, platform1, "r1"); err != nil {
		t.Fatal(err)
	}
	if s, err := d.Shop(ctx, "shop-1"); err != nil || s.SecretKey != "secret" {
		t.Fatalf("shop: %+v %v", s, err)
	}
	if err := d.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Recipient(ctx, platform1, "r1"); medusa.CodeOf(err) != medusa.ENotFound {
		t.Errorf("recipient after reset: %v, want not found", err)
	}
	if _, err := d.Shop(ctx, "shop-1"); !yookassa.IsNotFound(err) {
		t.Errorf("shop after reset: %v, want not found", err)
	}
}

// A value the writer updates fails the put of a read that began before.
func TestReadCacheUpdateRefusesOlderReads(t *testing.T) {
	var c readCache[string]
	_, gen, _ := c.get("k")
	c.update("k", "new") // the writer commits while the read is in SQLite
	c.put("k", "old", gen)
	if v, _, ok := c.get("k"); !ok || v != "new" {
		t.Fatalf("got %q %v, want new", v, ok)
	}
}

// Every read of a merchant through the cache equals what SQLite holds,
// after payments, failed and successful updates and a reset.
func TestMerchantCacheFollowsWrites(t *testing.T) {
	d, _ := cmSetup(t)
	ctx := context.Background()
	same := func(when string) {
		t.Helper()
		cached, err := d.Merchant(ctx, cmMerchantA)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		stored, err := cmLoadMerchant(ctx, d, cmMerchantA)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		assertSame(t, cached, stored)
	}
	first, _ := d.Merchant(ctx, cmMerchantA)
	first.Wallets[0].Balance = cmDec("999")
	first.PaymentsBlocked = true
	same("after a caller changed what it read")

	inv := cmNewInvoice(cmMerchantA, "o-1", "2.5", "USDT")
	if err := d.CreateInvoice(ctx, inv); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpdateInvoice(ctx, inv.UUID, func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error {
		return inv.SetStatus(m, cryptomus.StatusPaid, nil, "", t0.Add(time.Second))
	}); err != nil {
		t.Fatal(err)
	}
	same("after a payment")
	if m, _ := d.Merchant(ctx, cmMerchantA); !m.Wallet("USDT").Balance.Equal(cmDec("12.5")) {
		t.Fatalf("balance %s after the payment, want 12.5", m.Wallet("USDT").Balance)
	}

	refused := errors.New("refused")
	if _, err := d.UpdateMerchant(ctx, cmMerchantA, func(m *cryptomus.Merchant) error {
		m.PaymentsBlocked = true
		return refused
	}); !errors.Is(err, refused) {
		t.Fatalf("got %v, want the callback's error", err)
	}
	same("after a refused update")

	if _, err := d.UpdateMerchant(ctx, cmMerchantA, func(m *cryptomus.Merchant) error {
		m.PaymentsBlocked = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	same("after blocking")
	if m, _ := d.Merchant(ctx, cmMerchantA); !m.PaymentsBlocked {
		t.Fatal("the merchant read after blocking is not blocked")
	}

	if err := d.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Merchant(ctx, cmMerchantA); cryptomus.CodeOf(err) != cryptomus.ENotFound {
		t.Fatalf("merchant after reset: %v, want not found", err)
	}
}
