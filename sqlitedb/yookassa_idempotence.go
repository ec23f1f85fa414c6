package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/paysandbox/paysandbox/yookassa"
)

const (
	selectYKIdem = `
SELECT fingerprint, status, body, created_at FROM yookassa_idempotence_keys
WHERE shop_id = ? AND key = ?`
	upsertYKIdem = `
INSERT INTO yookassa_idempotence_keys (shop_id, key, fingerprint, status, body, created_at)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (shop_id, key) DO UPDATE SET
    fingerprint = excluded.fingerprint, status = excluded.status,
    body = excluded.body, created_at = excluded.created_at`
	// expired records bind nothing; dropping them keeps the table small
	purgeYKIdem = `DELETE FROM yookassa_idempotence_keys WHERE created_at <= ?`
)

// Idempotent runs one idempotent YooKassa POST in one write transaction: the
// lookup of (shop, key), then either the stored response or fn's writes
// together with the new record (see yookassa.Store). Because the write
// transaction serializes requests, of two racing requests with one key the
// second finds the first's committed record and replays it.
func (d *DB) Idempotent(ctx context.Context, req yookassa.IdemRecord,
	fn func(tx yookassa.Writer) (int, []byte, error)) (status int, body []byte, err error) {
	err = d.writeTx(ctx, func(tx *txn) error {
		rec, err := loadYKIdem(ctx, tx, req.ShopID, req.Key)
		if err != nil {
			return err
		}
		if rec != nil && rec.LiveAt(req.CreatedAt) {
			status, body, err = rec.Replay(req.Fingerprint)
			return err
		}
		status, body, err = fn(ykWriter{tx})
		if err != nil {
			return err
		}
		if body == nil {
			body = []byte{} // BLOB NOT NULL
		}
		now := formatTime(req.CreatedAt)
		if _, err := tx.ExecContext(ctx, upsertYKIdem, req.ShopID, req.Key, req.Fingerprint, status, body, now); err != nil {
			return fmt.Errorf("sqlitedb: store idempotence key: %w", err)
		}
		expired := formatTime(req.CreatedAt.Add(-yookassa.IdempotenceTTL))
		if _, err := tx.ExecContext(ctx, purgeYKIdem, expired); err != nil {
			return fmt.Errorf("sqlitedb: purge idempotence keys: %w", err)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return status, body, nil
}

// loadYKIdem returns the (shop, key) record, or nil.
func loadYKIdem(ctx context.Context, q querier, shopID, key string) (*yookassa.IdemRecord, error) {
	rec := &yookassa.IdemRecord{ShopID: shopID, Key: key}
	var (
		createdAt string
		dec       decoder
	)
	err := q.QueryRowContext(ctx, selectYKIdem, shopID, key).Scan(&rec.Fingerprint, &rec.Status, &rec.Body, &createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: load idempotence key: %w", err)
	}
	rec.CreatedAt = dec.time(createdAt)
	if dec.err != nil {
		return nil, dec.err
	}
	return rec, nil
}
