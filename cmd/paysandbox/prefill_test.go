package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/sqlitedb"
)

// The bench's prefill makes real orders: all of them listed, every tenth
// finished with a balanced ledger; a second prefill of the same file adds.
func TestPrefill(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "prefill.db")
	for range 2 {
		if err := prefill(ctx, path, 30, io.Discard); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ops := &medusa.Operations{Store: db, Tariff: medusa.DefaultTariff}
	_, total, err := ops.ListOrders(ctx, medusa.DefaultPlatformID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if total != 60 {
		t.Fatalf("%d orders, want 60", total)
	}
	finished, err := db.FinishedOrders(ctx, medusa.DefaultPlatformID, time.Time{}, time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(finished) != 6 {
		t.Fatalf("%d finished orders, want 6", len(finished))
	}
	for _, o := range finished {
		_, ps, err := ops.Ledger(ctx, medusa.DefaultPlatformID, o.ExtID)
		if err != nil {
			t.Fatal(err)
		}
		b := medusa.BalancesOf(ps)
		if len(ps) != 7 || !b.Nominal.IsZero() || !b.Commission.IsZero() || b.Settlement.String() != "75" {
			t.Errorf("order %s: %d postings, balances %+v", o.ExtID, len(ps), b)
		}
	}
}
