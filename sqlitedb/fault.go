package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
)

// SetQueryOnly is for fault tests (server/dbfault_test.go): it turns
// SQLite's PRAGMA query_only on or off on every connection of both pools.
// While it is on, every write fails inside SQLite with SQLITE_READONLY
// ("attempt to write a readonly database"), as when the database file has
// become read-only, and reads keep working. It holds every connection of
// the pool at once, so it waits for calls in flight; the pool keeps its
// connections (MaxIdleConns = MaxOpenConns, no lifetime), so the setting
// stays on them until it is turned off.
func (d *DB) SetQueryOnly(ctx context.Context, on bool) error {
	value := 0
	if on {
		value = 1
	}
	// The writer's connection is its own; database/sql runs one call on it
	// at a time, so the setting lands between two of the writer's
	// statements, as a file turning read-only would.
	if _, err := d.wconn.ExecContext(ctx, fmt.Sprintf("PRAGMA query_only = %d", value)); err != nil {
		return fmt.Errorf("sqlitedb: query_only: %w", err)
	}
	return setQueryOnly(ctx, d.db, value)
}

func setQueryOnly(ctx context.Context, db *sql.DB, value int) error {
	n := db.Stats().MaxOpenConnections
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("sqlitedb: query_only: %w", err)
		}
		conns = append(conns, c)
		if _, err := c.ExecContext(ctx, fmt.Sprintf("PRAGMA query_only = %d", value)); err != nil {
			return fmt.Errorf("sqlitedb: query_only: %w", err)
		}
	}
	return nil
}
