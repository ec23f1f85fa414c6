package sqlitedb

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/medusa"
)

func countRows(t *testing.T, d *DB, table string) int {
	t.Helper()
	var n int
	if err := d.db.QueryRow(`SELECT COUNT(*) FROM ` + quoteIdent(table)).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestOpenTwiceAppliesNothing(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t)
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if got := countRows(t, d, "schema_migrations"); got != len(ms) || got == 0 {
		t.Fatalf("schema_migrations has %d rows, want %d (one per file)", got, len(ms))
	}
	var firstApplied string
	if err := d.db.QueryRow(`SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&firstApplied); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateToken(ctx, medusa.Token{Token: "t1", PlatformID: platform1, Permissions: []string{"medusa"}}); err != nil {
		t.Fatal(err)
	}
	d.Close()

	d2, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("second Open: %v", err)
	}
	defer d2.Close()
	if got := countRows(t, d2, "schema_migrations"); got != len(ms) {
		t.Fatalf("after the second Open schema_migrations has %d rows, want %d", got, len(ms))
	}
	var again string
	if err := d2.db.QueryRow(`SELECT applied_at FROM schema_migrations WHERE version = 1`).Scan(&again); err != nil {
		t.Fatal(err)
	}
	if again != firstApplied {
		t.Errorf("migration 1 was re-applied: applied_at %s, then %s", firstApplied, again)
	}
	if _, err := d2.Token(ctx, "t1"); err != nil {
		t.Errorf("data written before reopening: %v", err)
	}
}

func TestOpenPragmas(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	// Every pooled connection must carry the DSN's pragmas: hold several at once.
	conns := make([]interface{ Close() error }, 0, 4)
	for i := 0; i < 4; i++ {
		c, err := d.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var mode string
		var fk, busy, sync int
		if err := c.QueryRowContext(ctx, `PRAGMA journal_mode`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA foreign_keys`).Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA busy_timeout`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" || fk != 1 || busy != 10000 || sync != 1 {
			t.Errorf("conn %d: journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d", i, mode, fk, busy, sync)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestOpenPathNeedingEscapes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?x=1#frag%41")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "my db?.sqlite")
	d, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	defer d.Close()
	if err := d.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "my db?.sqlite") {
			t.Errorf("unexpected file %q next to the database", e.Name())
		}
	}
}

func TestSchemaRejectsIllegalValues(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r := newRecipient(t, platform1, "r1")
	if err := d.CreateRecipient(ctx, r); err != nil {
		t.Fatal(err)
	}
	o := newOrder(t, r, "o1", "s1", "s2", medusa.DecisionConfirmed, medusa.DecisionRejected, t0)
	if err := d.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE medusa_orders SET state = 'paid'`,
		`UPDATE medusa_orders SET balance_nominal = '-1'`,
		`UPDATE medusa_orders SET balance_nominal = X'31'`, // a BLOB in a STRICT TEXT column
		`UPDATE medusa_orders SET created_at = '2025-03-14T15:09:26Z'`,
		`UPDATE medusa_services SET state = 'done'`,
		`UPDATE medusa_services SET decision = 'maybe'`,
		`UPDATE medusa_services SET platform_id = 'other'`,
		`UPDATE medusa_payout_methods SET type = 'IBAN'`,
		`UPDATE medusa_recipients SET sbp_middle_name = NULL`,
		`INSERT INTO medusa_postings (order_id, seq, step, debit, credit, amount, at)
		 SELECT id, 1, 'proceed_refund', 'nominal', 'wallet', '1', created_at FROM medusa_orders`,
		`INSERT INTO medusa_tokens (token, platform_id, permissions) VALUES ('x', 'p', '{"a":1}')`,
	} {
		if _, err := d.db.ExecContext(ctx, stmt); err == nil {
			t.Errorf("the schema accepted: %s", stmt)
		}
	}
}

func TestTokens(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	want := medusa.Token{Token: "sandbox.jwt.token", PlatformID: platform1, Permissions: []string{"medusa", "other"}}
	if err := d.CreateToken(ctx, want); err != nil {
		t.Fatal(err)
	}
	got, err := d.Token(ctx, want.Token)
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, got, &want)
	wantCode(t, d.CreateToken(ctx, want), medusa.EConflict)
	_, err = d.Token(ctx, "nope")
	wantCode(t, err, medusa.ENotFound)

	if err := d.CreateToken(ctx, medusa.Token{Token: "bare", PlatformID: platform2}); err != nil {
		t.Fatal(err)
	}
	bare, err := d.Token(ctx, "bare")
	if err != nil {
		t.Fatal(err)
	}
	if bare.Permissions == nil || len(bare.Permissions) != 0 || bare.Can(medusa.PermissionMedusa) {
		t.Errorf("token without permissions came back as %#v", bare.Permissions)
	}
}

func TestReset(t *testing.T) {
	d, _ := openTest(t)
	ctx := context.Background()
	r := newRecipient(t, platform1, "r1")
	o := newOrder(t, r, "o1", "s1", "s2", medusa.DecisionConfirmed, medusa.DecisionRejected, t0)
	if err := d.CreateToken(ctx, medusa.Token{Token: "t", PlatformID: platform1}); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateRecipient(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := d.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := d.UpdateOrder(ctx, platform1, "o1", func(o *medusa.Order) error { return o.MarkPaidByAcquirer(t0) }); err != nil {
		t.Fatal(err)
	}

	if err := d.Reset(ctx); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	for _, table := range []string{"medusa_tokens", "medusa_recipients", "medusa_payout_methods",
		"medusa_orders", "medusa_services", "medusa_postings"} {
		if n := countRows(t, d, table); n != 0 {
			t.Errorf("%s has %d rows after Reset", table, n)
		}
	}
	if n := countRows(t, d, "schema_migrations"); n == 0 {
		t.Error("Reset emptied schema_migrations")
	}
	_, err := d.Order(ctx, platform1, "o1")
	wantCode(t, err, medusa.ENotFound)
	// The same ids can be created again.
	if err := d.CreateRecipient(ctx, newRecipient(t, platform1, "r1")); err != nil {
		t.Fatalf("create after Reset: %v", err)
	}
	if err := d.CreateOrder(ctx, newOrder(t, r, "o1", "s1", "s2", medusa.DecisionConfirmed, medusa.DecisionRejected, t0)); err != nil {
		t.Fatalf("create after Reset: %v", err)
	}
}

func TestReopenKeepsState(t *testing.T) {
	ctx := context.Background()
	d, path := openTest(t)
	r := newRecipient(t, platform1, "r1")
	if err := d.CreateRecipient(ctx, r); err != nil {
		t.Fatal(err)
	}
	o := newOrder(t, r, "o1", "s1", "s2", medusa.DecisionConfirmed, medusa.DecisionRejected, t0)
	if err := d.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	steps := []func(*medusa.Order) error{
		func(o *medusa.Order) error { return o.MarkPaidByAcquirer(t0.Add(1)) },
		func(o *medusa.Order) error { return o.PayoutToRecipient("s1", t0.Add(2)) },
	}
	var before *medusa.Order
	for _, step := range steps {
		var err error
		if before, err = d.UpdateOrder(ctx, platform1, "o1", step); err != nil {
			t.Fatal(err)
		}
	}
	postings, err := d.Postings(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}

	d2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer d2.Close()
	gotR, err := d2.Recipient(ctx, platform1, "r1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, gotR, r)
	gotO, err := d2.Order(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, gotO, before)
	gotP, err := d2.Postings(ctx, platform1, "o1")
	if err != nil {
		t.Fatal(err)
	}
	assertSame(t, gotP, postings)
}
