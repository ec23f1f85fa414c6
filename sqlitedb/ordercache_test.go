package sqlitedb

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/medusa"
)

// The order cache must always hold exactly what SQLite holds.

// cachedMatchesStored compares the cached rows of an order with a fresh
// load from SQLite.
func cachedMatchesStored(t *testing.T, d *DB, ext string) {
	t.Helper()
	c, _ := d.orders.get(orderKey(platform1, ext))
	if c == nil {
		t.Fatalf("order %s is not cached", ext)
	}
	fromCache, err := c.loaded()
	if err != nil {
		t.Fatal(err)
	}
	stored, err := loadOrder(context.Background(), d, platform1, ext)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, fromCache.o, stored.o)
	if fromCache.id != stored.id || fromCache.version != stored.version || fromCache.row != stored.row {
		t.Errorf("cached id %d version %d, stored id %d version %d (rows equal: %v)",
			fromCache.id, fromCache.version, stored.id, stored.version, fromCache.row == stored.row)
	}
	for ext, row := range stored.services {
		if fromCache.services[ext] != row || fromCache.ids[ext] != stored.ids[ext] {
			t.Errorf("service %s: cached %+v (id %d), stored %+v (id %d)", ext, fromCache.services[ext], fromCache.ids[ext], row, stored.ids[ext])
		}
	}
	var seq int64
	if err := d.db.QueryRow(selectLastSeq, stored.id).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	if fromCache.lastSeq != seq {
		t.Errorf("cached last posting seq %d, stored %d", fromCache.lastSeq, seq)
	}
}

func TestOrderCacheFollowsEveryStep(t *testing.T) {
	d, _, _ := setup(t)
	cachedMatchesStored(t, d, "o1")
	start := t0.Add(time.Minute)
	steps := []func(*medusa.Order) error{
		func(o *medusa.Order) error { return o.MarkPaidByAcquirer(start) },
		func(o *medusa.Order) error { return o.PayoutToRecipient("s1", start.Add(1*time.Second)) },
		func(o *medusa.Order) error { return o.PayoutCommission("s1", start.Add(2*time.Second)) },
		func(o *medusa.Order) error { return o.Refund("s2", start.Add(3*time.Second)) },
		func(o *medusa.Order) error { return o.AcquiringCommission(start.Add(4 * time.Second)) },
		func(o *medusa.Order) error { return o.MovePlatformCommission(start.Add(5 * time.Second)) },
		func(o *medusa.Order) error { return o.PlatformCommission(start.Add(6 * time.Second)) },
	}
	for i, step := range steps {
		if _, err := d.UpdateOrder(context.Background(), platform1, "o1", step); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		cachedMatchesStored(t, d, "o1")
	}
	// a refused step leaves both alone
	_, err := d.UpdateOrder(context.Background(), platform1, "o1", steps[0])
	wantCode(t, err, medusa.EInvalidState)
	cachedMatchesStored(t, d, "o1")
}

// A write whose transaction is lost never reaches the cache.
func TestOrderCacheKeepsOnlyCommittedRows(t *testing.T) {
	d, _, o := setup(t)
	release := holdWriter(t, d)
	var wg sync.WaitGroup
	var updErr, lossErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		_, updErr = d.UpdateOrder(context.Background(), platform1, "o1", func(o *medusa.Order) error {
			return o.MarkPaidByAcquirer(t0.Add(time.Minute))
		})
	}()
	waitQueued(t, d, 1)
	go func() {
		defer wg.Done()
		lossErr = d.writeTx(context.Background(), func(tx *txn) error {
			if _, err := tx.ExecContext(context.Background(), `ROLLBACK`); err != nil {
				return err
			}
			return errors.New("database or disk is full")
		})
	}()
	waitQueued(t, d, 2)
	release()
	wg.Wait()
	if !errors.Is(updErr, errBatchLost) || lossErr == nil {
		t.Fatalf("update: %v, loss: %v", updErr, lossErr)
	}
	if c, _ := d.orders.get(orderKey(platform1, "o1")); c == nil || c.version != o.Version {
		t.Fatalf("cached rows after a lost update: %+v, want version %d", c, o.Version)
	}
	cachedMatchesStored(t, d, "o1")
	if _, err := d.UpdateOrder(context.Background(), platform1, "o1", func(o *medusa.Order) error {
		return o.MarkPaidByAcquirer(t0.Add(time.Minute))
	}); err != nil {
		t.Fatal(err)
	}
	cachedMatchesStored(t, d, "o1")
}

// An order changed behind the cache's back (another process) is read again.
func TestOrderCacheRereadsAStaleOrder(t *testing.T) {
	d, _, o := setup(t)
	if _, err := d.db.Exec(`UPDATE medusa_orders SET version = version + 5 WHERE ext_id = 'o1'`); err != nil {
		t.Fatal(err)
	}
	got, err := d.UpdateOrder(context.Background(), platform1, "o1", func(o *medusa.Order) error {
		return o.MarkPaidByAcquirer(t0.Add(time.Minute))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != o.Version+6 {
		t.Errorf("version %d, want %d", got.Version, o.Version+6)
	}
	cachedMatchesStored(t, d, "o1")
}

// After a reset, nothing cached before it is used: an order and services
// made again under the same ids are the new ones.
func TestOrderCacheForgetsEverythingOnReset(t *testing.T) {
	d, _, _ := setup(t)
	ctx := context.Background()
	if ext, err := d.OrderExtIDByService(ctx, platform1, "s1"); err != nil || ext != "o1" {
		t.Fatalf("service s1 is in %q (%v), want o1", ext, err)
	}
	if err := d.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := d.OrderExtIDByService(ctx, platform1, "s1"); medusa.CodeOf(err) != medusa.ENotFound {
		t.Fatalf("service s1 after reset: %v, want not found", err)
	}
	_, err := d.UpdateOrder(ctx, platform1, "o1", func(o *medusa.Order) error { return nil })
	wantCode(t, err, medusa.ENotFound)

	r := newRecipient(t, platform1, "r1")
	if err := d.CreateRecipient(ctx, r); err != nil {
		t.Fatal(err)
	}
	again := newOrder(t, r, "o2", "s1", "s9", medusa.DecisionConfirmed, medusa.DecisionRejected, t0)
	if err := d.CreateOrder(ctx, again); err != nil {
		t.Fatal(err)
	}
	if ext, err := d.OrderExtIDByService(ctx, platform1, "s1"); err != nil || ext != "o2" {
		t.Fatalf("service s1 is in %q (%v), want o2", ext, err)
	}
	cachedMatchesStored(t, d, "o2")
}
