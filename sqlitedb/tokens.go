package sqlitedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/paysandbox/paysandbox/medusa"
)

var _ medusa.Store = (*DB)(nil)

const (
	selectToken = `SELECT platform_id, permissions FROM medusa_tokens WHERE token = ?`
	insertToken = `INSERT INTO medusa_tokens (token, platform_id, permissions) VALUES (?, ?, ?)`
)

// Token returns a platform token; ENotFound when unknown. Every Medusa
// request authenticates, and tokens never change once created (only Reset
// removes them), so known tokens are kept in memory.
func (d *DB) Token(ctx context.Context, token string) (*medusa.Token, error) {
	cached, gen, ok := d.tokens.get(token)
	if ok {
		cached.Permissions = slices.Clone(cached.Permissions)
		return &cached, nil
	}
	var platformID, perms string
	err := d.QueryRowContext(ctx, selectToken, token).Scan(&platformID, &perms)
	if errors.Is(err, sql.ErrNoRows) {
		// The token is a secret: never echo it.
		return nil, medusa.Errorf(medusa.ENotFound, "token not found")
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: token: %w", err)
	}
	t := &medusa.Token{Token: token, PlatformID: platformID}
	if err := json.Unmarshal([]byte(perms), &t.Permissions); err != nil {
		return nil, fmt.Errorf("sqlitedb: token permissions: %w", err)
	}
	c := *t
	c.Permissions = slices.Clone(t.Permissions)
	d.tokens.put(token, c, gen)
	return t, nil
}

// CreateToken stores a platform token; EConflict when the token exists.
func (d *DB) CreateToken(ctx context.Context, t medusa.Token) error {
	perms := t.Permissions
	if perms == nil {
		perms = []string{} // a JSON array, never null
	}
	js, err := json.Marshal(perms)
	if err != nil {
		return fmt.Errorf("sqlitedb: token permissions: %w", err)
	}
	return d.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, insertToken, t.Token, t.PlatformID, string(js))
		if isUnique(err) {
			return medusa.Errorf(medusa.EConflict, "token already exists")
		}
		if err != nil {
			return fmt.Errorf("sqlitedb: create token: %w", err)
		}
		return nil
	})
}
