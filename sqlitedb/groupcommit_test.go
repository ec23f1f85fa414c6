package sqlitedb

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// The writer runs queued writes in one transaction with a savepoint each.
// These tests hold the writer busy with a first write, queue the writes
// under test behind it, then let it go, so that they share one batch.

func storeTestToken(token string) func(tx *txn) error {
	return func(tx *txn) error {
		_, err := tx.ExecContext(context.Background(),
			`INSERT INTO medusa_tokens (token, platform_id) VALUES (?, 'p')`, token)
		return err
	}
}

func tokenExists(t *testing.T, d *DB, token string) bool {
	t.Helper()
	var n int
	if err := d.db.QueryRow(`SELECT COUNT(*) FROM medusa_tokens WHERE token = ?`, token).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// holdWriter occupies the writer until the returned release is called.
func holdWriter(t *testing.T, d *DB) (release func()) {
	t.Helper()
	started, gate := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- d.writeTx(context.Background(), func(tx *txn) error {
			close(started)
			<-gate
			return storeTestToken("holder")(tx)
		})
	}()
	<-started
	return func() {
		close(gate)
		if err := <-done; err != nil {
			t.Errorf("holder: %v", err)
		}
	}
}

// waitQueued waits until n writes wait in the writer's queue.
func waitQueued(t *testing.T, d *DB, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); len(d.writes) < n; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d writes queued", len(d.writes), n)
		}
	}
}

func TestGroupCommitIsolatesFailuresAndPanics(t *testing.T) {
	d, _ := openTest(t)
	release := holdWriter(t, d)

	errRefused := errors.New("refused by the domain")
	var wg sync.WaitGroup
	results := map[string]any{}
	var mu sync.Mutex
	run := func(name string, fn func(tx *txn) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					mu.Lock()
					results[name] = p
					mu.Unlock()
				}
			}()
			err := d.writeTx(context.Background(), fn)
			mu.Lock()
			results[name] = err
			mu.Unlock()
		}()
	}
	run("ok-1", storeTestToken("ok-1"))
	waitQueued(t, d, 1)
	run("refused", func(tx *txn) error {
		if err := storeTestToken("refused")(tx); err != nil {
			return err
		}
		return errRefused
	})
	waitQueued(t, d, 2)
	run("panics", func(tx *txn) error {
		if err := storeTestToken("panics")(tx); err != nil {
			return err
		}
		panic("boom")
	})
	waitQueued(t, d, 3)
	run("ok-2", storeTestToken("ok-2"))
	waitQueued(t, d, 4)
	release()
	wg.Wait()

	if results["ok-1"] != nil || results["ok-2"] != nil {
		t.Errorf("the good writes failed: %v, %v", results["ok-1"], results["ok-2"])
	}
	if err, _ := results["refused"].(error); !errors.Is(err, errRefused) {
		t.Errorf("refused write: got %v, want its own error", results["refused"])
	}
	if results["panics"] != "boom" {
		t.Errorf("panicking write: got %v, want the panic re-raised in its caller", results["panics"])
	}
	for token, want := range map[string]bool{"holder": true, "ok-1": true, "ok-2": true, "refused": false, "panics": false} {
		if got := tokenExists(t, d, token); got != want {
			t.Errorf("token %s stored = %v, want %v", token, got, want)
		}
	}
}

// When SQLite drops the whole transaction (as a full disk can), the writes
// that ran before in it are lost: they must hear so, and the writes after
// them run in a new transaction.
func TestGroupCommitLostTransactionFailsItsWrites(t *testing.T) {
	d, _ := openTest(t)
	release := holdWriter(t, d)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	fns := []func(tx *txn) error{
		storeTestToken("before"),
		func(tx *txn) error {
			// What SQLite does on SQLITE_FULL: the transaction is gone.
			if _, err := tx.ExecContext(context.Background(), `ROLLBACK`); err != nil {
				return err
			}
			return errors.New("database or disk is full")
		},
		storeTestToken("after"),
	}
	for i, fn := range fns {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = d.writeTx(context.Background(), fn) }()
		waitQueued(t, d, i+1)
	}
	release()
	wg.Wait()
	if !errors.Is(errs[0], errBatchLost) {
		t.Errorf("the write before the loss: got %v, want errBatchLost", errs[0])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "full") {
		t.Errorf("the failing write: got %v", errs[1])
	}
	if errs[2] != nil {
		t.Errorf("the write after the loss: %v", errs[2])
	}
	if tokenExists(t, d, "before") || !tokenExists(t, d, "after") {
		t.Errorf("stored: before=%v after=%v, want false, true", tokenExists(t, d, "before"), tokenExists(t, d, "after"))
	}
	if !tokenExists(t, d, "holder") {
		t.Error("the holder's write, committed in an earlier batch, is missing")
	}
}

// A caller that stops waiting before its turn is never run.
func TestGroupCommitAbandonedWriteNeverRuns(t *testing.T) {
	d, _ := openTest(t)
	release := holdWriter(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.writeTx(ctx, storeTestToken("abandoned")) }()
	waitQueued(t, d, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	release()
	if err := d.writeTx(context.Background(), storeTestToken("next")); err != nil {
		t.Fatal(err)
	}
	if tokenExists(t, d, "abandoned") {
		t.Error("an abandoned write was committed")
	}
}
