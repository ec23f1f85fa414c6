package sqlitedb

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpoints. SQLite's automatic checkpoint runs inside the COMMIT that
// takes the WAL past 1000 pages, so that commit, and every write of its
// batch, waited for the copy into the database file and its fsyncs: 10–14 ms,
// eight times a second under load, which was the whole p99. Automatic
// checkpoints are off (wal_autocheckpoint(0) in the DSN). A checkpointer
// goroutine copies the WAL into the database after commits; its checkpoints
// are PASSIVE: they neither wait for nor block the writer or readers.
// SQLite starts the WAL over from its beginning only when a write begins
// after everything in it has been copied, and under sustained load a newer
// commit always comes first; so when the WAL passes restartAt pages the
// writer runs one checkpoint itself between two batches (by then it has
// little left to copy), and its next write starts the WAL over. No
// checkpoint waits for readers: one that a reader's old snapshot holds back
// is simply tried again later.
type checkpointer struct {
	// mu is held by whoever runs a checkpoint: SQLite refuses a second one
	// at the same time instead of waiting for it.
	mu sync.Mutex
	// kick wakes the checkpointer after a commit; a full channel already
	// says "there is work".
	kick chan struct{}
	// frames is the WAL's length in pages at the last checkpoint.
	frames atomic.Int64
	// restartAt is walRestartFrames (tests make it small).
	restartAt atomic.Int64
	done      chan struct{}
}

const (
	// walRestartFrames (4 KiB pages) bounds the WAL file at about 32 MiB,
	// which a start after a crash reads through in about 70 ms.
	walRestartFrames = 8192
	// checkpointPause spaces the background checkpoints, so that each one
	// copies a few hundred pages (a page rewritten meanwhile is copied once)
	// rather than every commit paying for its own fsyncs.
	checkpointPause = 20 * time.Millisecond
)

func newCheckpointer() *checkpointer {
	c := &checkpointer{kick: make(chan struct{}, 1), done: make(chan struct{})}
	c.restartAt.Store(walRestartFrames)
	return c
}

// afterCommit is called by the writer after each commit.
func (d *DB) afterCommit() {
	select {
	case d.ckpt.kick <- struct{}{}:
	default:
	}
	if d.ckpt.frames.Load() >= d.ckpt.restartAt.Load() {
		d.checkpoint(true)
	}
}

// runCheckpointer is the background checkpointer; it ends when d.closed is.
func (d *DB) runCheckpointer() {
	defer close(d.ckpt.done)
	pause := time.NewTimer(0)
	defer pause.Stop()
	for {
		select {
		case <-d.ckpt.kick:
		case <-d.closed:
			return
		}
		d.checkpoint(false)
		pause.Reset(checkpointPause)
		select {
		case <-pause.C:
		case <-d.closed:
			return
		}
	}
}

// checkpoint runs one PASSIVE checkpoint and records the WAL's length. A
// failed checkpoint is nobody's failed write (every commit is already
// durable in the WAL); the next one tries again.
func (d *DB) checkpoint(byWriter bool) {
	d.ckpt.mu.Lock()
	defer d.ckpt.mu.Unlock()
	var busy, frames, copied int64
	var q interface {
		QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	} = d.db
	if byWriter {
		q = d.wconn // between two batches, the writer's connection is idle
	}
	err := q.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	switch {
	case err != nil || busy != 0:
	case byWriter && copied == frames:
		d.ckpt.frames.Store(0) // the writer's next write starts the WAL over
	default:
		d.ckpt.frames.Store(frames)
	}
}
