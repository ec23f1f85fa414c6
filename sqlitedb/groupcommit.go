package sqlitedb

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"
)

// Group commit. Every write of this process goes through one writer
// goroutine, which runs the writes waiting in its queue one after another
// inside a single transaction, each in its own SAVEPOINT, and commits them
// together. A COMMIT (and its WAL frames) was a third of a state change's
// cost; under load it is now shared by every write of the batch. Each write
// still sees the state left by the ones before it, a write that fails rolls
// back only its savepoint, and nobody hears of success before the COMMIT
// that holds their write has returned.

// maxBatch bounds how many writes share one transaction, so that a long
// queue still commits (and answers) in steps.
const maxBatch = 64

// writeReq is one writeTx call waiting for the writer.
type writeReq struct {
	ctx context.Context
	fn  func(tx *txn) error
	// state moves from queued to taken (the writer runs it) or abandoned
	// (its caller stopped waiting); whoever moves it first decides.
	state atomic.Int32
	done  chan writeResult
}

const (
	reqQueued int32 = iota
	reqTaken
	reqAbandoned
)

type writeResult struct {
	err   error
	panic any // fn panicked: re-raised in the caller's goroutine
}

// errBatchLost is what the writes of a batch get when the transaction that
// held them is gone (its COMMIT failed, or SQLite rolled it back).
var errBatchLost = errors.New("sqlitedb: the transaction was rolled back")

// writeTx runs fn in a write transaction (shared with other writes, each in
// its own savepoint) and returns once that transaction has committed or fn's
// part of it has been rolled back. Whatever fn returns is returned unchanged
// and undoes what fn wrote; a panic in fn is re-raised here.
func (d *DB) writeTx(ctx context.Context, fn func(tx *txn) error) error {
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	// The wait is bounded like SQLite's busy_timeout so that a callback that
	// (wrongly) writes through the store from inside a write fails instead
	// of waiting for itself forever.
	timer := time.NewTimer(busyTimeout)
	defer timer.Stop()
	select {
	case d.writes <- r:
	case <-d.closed:
		return errors.New("sqlitedb: the database is closed")
	case <-ctx.Done():
		return fmt.Errorf("sqlitedb: waiting to write: %w", ctx.Err())
	case <-timer.C:
		return fmt.Errorf("sqlitedb: the database stayed busy for %s", busyTimeout)
	}
	var res writeResult
	select {
	case res = <-r.done:
	case <-d.closed:
		if !r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			res = <-r.done // the writer finishes its batch before it stops
			break
		}
		return errors.New("sqlitedb: the database is closed")
	case <-ctx.Done():
		if !r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			res = <-r.done // the writer has it: its outcome is the answer
			break
		}
		return fmt.Errorf("sqlitedb: waiting to write: %w", ctx.Err())
	case <-timer.C:
		if !r.state.CompareAndSwap(reqQueued, reqAbandoned) {
			res = <-r.done
			break
		}
		return fmt.Errorf("sqlitedb: the database stayed busy for %s", busyTimeout)
	}
	if res.panic != nil {
		panic(res.panic)
	}
	return res.err
}

// runWriter is the writer goroutine; it ends when d.closed is closed.
func (d *DB) runWriter() {
	defer close(d.writerDone)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-d.writes:
			batch = append(batch, r)
		case <-d.closed:
			return
		}
		// Yield once before taking the rest. The first write wakes the
		// writer at once, usually alone; on a busy machine the yield lets
		// the handlers that are about to write run up to their writeTx,
		// so one BEGIN and COMMIT serve about three writes instead of 1.3
		// (bench: +7–10% throughput and a lower p99; more yields were
		// slower). On an idle machine it costs a trip through the scheduler.
		runtime.Gosched()
	fill: // take what is already waiting, without waiting for more
		for len(batch) < maxBatch {
			select {
			case r := <-d.writes:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		d.commitBatch(batch)
		d.afterCommit()
	}
}

// commitBatch runs a batch's writes in one transaction and answers each.
func (d *DB) commitBatch(batch []*writeReq) {
	results := make([]writeResult, len(batch))
	for i, r := range batch {
		if !r.state.CompareAndSwap(reqQueued, reqTaken) {
			batch[i] = nil // its caller has gone; nobody waits for it
		}
	}
	start := 0
	for start < len(batch) {
		start = d.runInOneTx(batch, results, start)
	}
	for i, r := range batch {
		if r != nil {
			r.done <- results[i]
		}
	}
}

// runInOneTx runs batch[start:] in one transaction until the end or until
// the transaction is lost, and returns where the next transaction starts.
// Writes that ran in a lost transaction get its error: nothing of theirs
// was committed.
func (d *DB) runInOneTx(batch []*writeReq, results []writeResult, start int) int {
	ctx := context.Background() // one caller's deadline must not cut the others' COMMIT
	staged := &pendingRows{}    // for the order cache, once committed
	t := &txn{d: d, batch: staged}
	if _, err := t.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		err = fmt.Errorf("sqlitedb: begin: %w", err)
		for i := start; i < len(batch); i++ {
			results[i] = writeResult{err: err}
		}
		return len(batch)
	}
	// inTx are the writes whose work this transaction holds.
	var inTx []int
	lose := func(err error) {
		t.rollback()
		for _, i := range inTx {
			results[i] = writeResult{err: err}
		}
	}
	for i := start; i < len(batch); i++ {
		r := batch[i]
		if r == nil {
			continue
		}
		if err := r.ctx.Err(); err != nil {
			results[i] = writeResult{err: fmt.Errorf("sqlitedb: waiting to write: %w", err)}
			continue
		}
		// Alone in its transaction (the common case when the queue is
		// short), a write needs no savepoint: a failure rolls it all back.
		alone := len(inTx) == 0 && i == len(batch)-1
		if !alone {
			if _, err := t.ExecContext(ctx, `SAVEPOINT w`); err != nil {
				results[i] = writeResult{err: fmt.Errorf("sqlitedb: savepoint: %w", err)}
				lose(fmt.Errorf("%w: %w", errBatchLost, err))
				return i + 1
			}
		}
		t.rows = pendingRows{}
		res := runFn(r.fn, t)
		results[i] = res
		switch failed := res.err != nil || res.panic != nil; {
		case failed && alone:
			t.rollback()
			return len(batch)
		case failed:
			// Undo fn's part. If SQLite already rolled the whole transaction
			// back (a full disk does), the savepoint is gone with it, and so
			// is the work of the writes before this one.
			if _, err := t.ExecContext(ctx, `ROLLBACK TO w`); err != nil {
				lose(fmt.Errorf("%w: %w", errBatchLost, err))
				return i + 1
			}
			if _, err := t.ExecContext(ctx, `RELEASE w`); err != nil {
				lose(fmt.Errorf("%w: %w", errBatchLost, err))
				return i + 1
			}
			continue
		case !alone:
			if _, err := t.ExecContext(ctx, `RELEASE w`); err != nil {
				results[i] = writeResult{err: fmt.Errorf("sqlitedb: release: %w", err)}
				lose(fmt.Errorf("%w: %w", errBatchLost, err))
				return i + 1
			}
		}
		staged.absorb(&t.rows)
		inTx = append(inTx, i)
	}
	if _, err := t.ExecContext(ctx, `COMMIT`); err != nil {
		lose(fmt.Errorf("sqlitedb: commit: %w", err))
		return len(batch)
	}
	d.committed(staged)
	return len(batch)
}

// runFn calls fn, turning a panic into a result for the caller.
func runFn(fn func(tx *txn) error, t *txn) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panic: p}
		}
	}()
	return writeResult{err: fn(t)}
}
