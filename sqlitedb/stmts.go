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

// txn is a write transaction whose statements come from the cache.
type txn struct {
	d  *DB
	tx *sql.Tx
}

func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	st, err := t.d.stmts.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return t.tx.StmtContext(ctx, st), nil
}

// ExecContext runs a statement in the transaction.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query in the transaction.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a one-row query in the transaction.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.tx.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// Script runs SQL that is not cached (several statements, as migrations are).
func (t *txn) Script(ctx context.Context, sqlText string) (sql.Result, error) {
	return t.tx.ExecContext(ctx, sqlText)
}
