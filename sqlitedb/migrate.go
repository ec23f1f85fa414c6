package sqlitedb

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered file of migrations/: NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)

const (
	createSchemaMigrations = `
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
) STRICT`
	selectMigrationApplied = `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`
	insertMigration        = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
)

// migrations returns the embedded files in version order; a badly named
// file or a reused number is a build mistake, reported at Open.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: read migrations: %w", err)
	}
	var ms []migration
	seen := map[int]string{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("sqlitedb: migration %q is not named NNNN_name.sql", e.Name())
		}
		v, _ := strconv.Atoi(m[1])
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("sqlitedb: migrations %q and %q share number %d", prev, e.Name(), v)
		}
		seen[v] = e.Name()
		body, err := migrationFiles.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("sqlitedb: read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// migrate applies, in order, the migrations the file has not seen, each in
// its own transaction together with its schema_migrations row.
func (d *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	err = d.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, createSchemaMigrations)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlitedb: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := d.writeTx(ctx, func(tx *txn) error { return applyMigration(ctx, tx, m) }); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration checks inside the write transaction whether m is applied,
// so two processes opening the same new file cannot both apply it.
func applyMigration(ctx context.Context, tx *txn, m migration) error {
	var applied bool
	if err := tx.QueryRowContext(ctx, selectMigrationApplied, m.version).Scan(&applied); err != nil {
		return fmt.Errorf("sqlitedb: migration %s: %w", m.name, err)
	}
	if applied {
		return nil
	}
	if _, err := tx.Script(ctx, m.sql); err != nil {
		return fmt.Errorf("sqlitedb: migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, insertMigration, m.version, m.name, formatTime(time.Now())); err != nil {
		return fmt.Errorf("sqlitedb: record migration %s: %w", m.name, err)
	}
	return nil
}
