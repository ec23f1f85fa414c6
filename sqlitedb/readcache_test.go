package sqlitedb

import (
	"context"
	"testing"
	"time"

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
