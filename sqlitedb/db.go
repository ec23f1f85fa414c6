// Package sqlitedb stores the domain packages' state in one SQLite file
// through modernc.org/sqlite (pure Go, no cgo).
//
// Writes run in BEGIN IMMEDIATE transactions, so a read-modify-write takes
// SQLite's write lock before it reads, and one writer goroutine runs them
// one after another on its own connection (groupcommit.go): two racing
// state changes are serialized and the loser reads the winner's state.
// Reads are single statements outside any transaction; in WAL mode they see
// one consistent snapshot and never wait for the writer.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/yookassa"
)

// busyTimeout is how long a writer waits for the write lock, both in SQLite
// (busy_timeout, against other processes) and at the in-process gate.
const busyTimeout = 10 * time.Second

// DB is the SQLite store. It is safe for concurrent use.
type DB struct {
	db *sql.DB // readers' pool
	// wconn is the writer goroutine's own connection (groupcommit.go), of
	// a pool of one. Kept for the writer alone, its page cache stays warm:
	// a connection whose database another connection changed drops its
	// whole cache at its next transaction, so a writer drawn from the
	// readers' pool re-read every page it touched. Its statements are
	// prepared on it once (wstmts, used by the writer goroutine only).
	w      *sql.DB
	wconn  *sql.Conn
	wstmts map[string]*sql.Stmt
	// writes queue every write of this process for the one writer
	// goroutine (groupcommit.go). Writers wait there without holding a
	// pooled connection: if they queued inside SQLite's busy handler
	// instead, each would pin a connection, and a winner whose callback
	// reads through the store (the recipient lookup of an order update)
	// could find the pool empty and wait for the losers.
	writes chan *writeReq
	// rows of the orders and Cryptomus invoices the writer wrote
	// (ordercache.go, invoicecache.go)
	orders   committedRows[*cachedOrder]
	invoices committedRows[cmInvoiceRow]
	// What requests read most, outside the writer (readcache.go).
	tokens        readCache[medusa.Token]
	recipients    readCache[*medusa.Recipient]
	serviceOrders readCache[string] // platform+service extId → order extId
	shops         readCache[yookassa.Shop]
	merchants     readCache[*cryptomus.Merchant]
	closed        chan struct{}
	writerDone    chan struct{}
	closeOnce     sync.Once
	stmts         stmtCache
	ckpt          *checkpointer // checkpoint.go
}

// Open opens (creating if needed) the SQLite file at path and applies the
// embedded migrations that it has not seen yet.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlitedb: empty database path")
	}
	sqldb, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	// WAL lets readers run beside the one writer; a few connections per CPU
	// keep reads parallel without piling up idle SQLite handles.
	n := max(4, runtime.GOMAXPROCS(0)*2)
	sqldb.SetMaxOpenConns(n)
	sqldb.SetMaxIdleConns(n)
	w, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	wconn, err := w.Conn(ctx)
	if err != nil {
		sqldb.Close()
		w.Close()
		return nil, fmt.Errorf("sqlitedb: open %s: %w", path, err)
	}
	d := &DB{db: sqldb, stmts: stmtCache{db: sqldb, stmts: map[string]*sql.Stmt{}},
		w: w, wconn: wconn, wstmts: map[string]*sql.Stmt{},
		writes: make(chan *writeReq, 1024), closed: make(chan struct{}), writerDone: make(chan struct{}), ckpt: newCheckpointer()}
	go d.runWriter()
	go d.runCheckpointer()
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// dsn builds the driver's URI. The pragmas sit in the DSN so that every pooled
// connection gets them; busy_timeout comes first so that it already applies
// while journal_mode(WAL) looks at the file. The path is escaped because the
// driver splits the DSN at the first '?' and SQLite decodes %XX in URIs.
func dsn(path string) string {
	return "file:" + (&url.URL{Path: path}).EscapedPath() +
		"?_pragma=busy_timeout(" + fmt.Sprint(busyTimeout.Milliseconds()) + ")" +
		"&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)" +
		"&_pragma=wal_autocheckpoint(0)" // checkpoint.go checkpoints
}

// Close closes the database; in-flight calls fail.
func (d *DB) Close() error {
	d.closeOnce.Do(func() { close(d.closed) })
	<-d.writerDone // a batch in flight commits first
	<-d.ckpt.done
	d.stmts.close()
	for _, st := range d.wstmts {
		st.Close()
	}
	return errors.Join(d.wconn.Close(), d.w.Close(), d.db.Close())
}

// Ping checks that the database answers a query.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("sqlitedb: ping: %w", err)
	}
	return nil
}

// Reset deletes every row of every data table (the migration history stays)
// in one transaction. The caller re-creates the default credentials.
func (d *DB) Reset(ctx context.Context) error {
	return d.writeTx(ctx, func(tx *txn) error {
		tx.rows.reset = true
		// Foreign keys are checked at COMMIT, so the delete order is free.
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return fmt.Errorf("sqlitedb: reset: %w", err)
		}
		tables, err := dataTables(ctx, tx)
		if err != nil {
			return err
		}
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+quoteIdent(t)); err != nil {
				return fmt.Errorf("sqlitedb: reset %s: %w", t, err)
			}
		}
		return nil
	})
}

const selectDataTables = `
SELECT name FROM sqlite_schema
WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'schema_migrations'
ORDER BY name`

// dataTables lists the tables Reset empties, so that tables added by later
// migrations are covered without touching Reset.
func dataTables(ctx context.Context, tx *txn) ([]string, error) {
	rows, err := tx.QueryContext(ctx, selectDataTables)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: list tables: %w", err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlitedb: list tables: %w", err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitedb: list tables: %w", err)
	}
	return names, nil
}

func quoteIdent(s string) string {
	q := []byte{'"'}
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			q = append(q, '"')
		}
		q = append(q, s[i])
	}
	return string(append(q, '"'))
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	c := se.Code()
	return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// querier is what loads need from *sql.DB and *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
