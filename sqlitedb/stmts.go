package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Parsing SQL was a third of a state change's CPU, so every statement is
// prepared once per pooled connection and kept: database/sql remembers a
// *sql.Stmt's per-connection handles, and Tx.StmtContext reuses them.
type stmtCache struct {
	db    *sql.DB
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.stmts[query]; ok {
		return st, nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: prepare: %w", err)
	}
	c.stmts[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = map[string]*sql.Stmt{}
}

// QueryContext runs a read outside any transaction with a cached statement.
func (d *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := d.stmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext is QueryContext for one row.
func (d *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := d.stmts.get(ctx, query)
	if err != nil {
		// Let Scan report it, as *sql.DB does for a bad query.
		return d.db.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// txn is the writer's open transaction on its connection (d.wconn);
// its statements come from the writer's cache.
type txn struct {
	d *DB
	// rows are what the running write staged for the order cache, batch
	// what the writes before it in the transaction did (ordercache.go).
	rows  pendingRows
	batch *pendingRows
}

// The statements of a transaction run under context.Background(), whatever
// context the write's caller passed: the transaction is shared by a batch
// of writes (groupcommit.go), and SQLite answers an interrupted write inside
// a transaction by rolling the whole transaction back — one caller giving up
// would undo the others. (It is also cheaper: the driver watches a
// cancellable context with a goroutine per statement.) A caller that gives
// up before its write starts is skipped instead.

// stmt returns query prepared on the writer's connection, preparing it the
// first time. Only the writer goroutine calls it.
func (t *txn) stmt(query string) (*sql.Stmt, error) {
	d := t.d
	if st, ok := d.wstmts[query]; ok {
		return st, nil
	}
	st, err := d.wconn.PrepareContext(context.Background(), query)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: prepare: %w", err)
	}
	d.wstmts[query] = st
	return st, nil
}

// ExecContext runs a statement in the transaction.
func (t *txn) ExecContext(_ context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(context.Background(), args...)
}

// QueryContext runs a query in the transaction.
func (t *txn) QueryContext(_ context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(context.Background(), args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (t *txn) QueryRowContext(_ context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(query)
	if err != nil {
		// Let Scan report it, as *sql.Conn does for a bad query.
		return t.d.wconn.QueryRowContext(context.Background(), query, args...)
	}
	return st.QueryRowContext(context.Background(), args...)
}

// rollback ends the transaction, undoing it. SQLite may have rolled it back
// already (a full disk does), and then there is nothing left to end.
func (t *txn) rollback() {
	_, _ = t.ExecContext(context.Background(), `ROLLBACK`)
}

// Script runs SQL that is not cached (several statements, as migrations are).
func (t *txn) Script(_ context.Context, sqlText string) (sql.Result, error) {
	return t.d.wconn.ExecContext(context.Background(), sqlText)
}
