package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/paysandbox/paysandbox/medusa"
)

const (
	selectRecipient = `
SELECT r.id, r.platform_id, r.ext_id, r.name,
       r.sbp_phone, r.sbp_first_name, r.sbp_last_name, r.sbp_middle_name,
       r.version, r.created_at, r.updated_at,
       pm.id, pm.ext_id, pm.type, pm.bank_id, pm.masked_card_number, pm.redirect_url, pm.created_at
FROM medusa_recipients r
LEFT JOIN medusa_payout_methods pm ON pm.recipient_id = r.id
WHERE r.platform_id = ? AND r.ext_id = ?
ORDER BY pm.id`
	insertRecipient = `
INSERT INTO medusa_recipients (platform_id, ext_id, name,
    sbp_phone, sbp_first_name, sbp_last_name, sbp_middle_name, version, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// guarded by the version read in the same transaction
	updateRecipient = `
UPDATE medusa_recipients
SET name = ?, sbp_phone = ?, sbp_first_name = ?, sbp_last_name = ?, sbp_middle_name = ?,
    version = ?, updated_at = ?
WHERE id = ? AND version = ?`
	insertPayoutMethod = `
INSERT INTO medusa_payout_methods (recipient_id, ext_id, type, bank_id, masked_card_number, redirect_url, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	updatePayoutMethod = `
UPDATE medusa_payout_methods
SET type = ?, bank_id = ?, masked_card_number = ?, redirect_url = ?, created_at = ?
WHERE id = ?`
	deletePayoutMethod = `DELETE FROM medusa_payout_methods WHERE id = ?`
)

// recipientRow is a medusa_recipients row as stored.
type recipientRow struct {
	platformID, extID, name                string
	sbpPhone, sbpFirst, sbpLast, sbpMiddle sql.NullString
	version                                int64
	createdAt, updatedAt                   string
}

// payoutMethodRow is a medusa_payout_methods row as stored; comparable, so
// that an update rewrites only the methods that changed.
type payoutMethodRow struct {
	extID, typ, bankID, masked, redirect, createdAt string
}

func encodeRecipient(r *medusa.Recipient) recipientRow {
	row := recipientRow{platformID: r.PlatformID, extID: r.ExtID, name: r.Name, version: r.Version,
		createdAt: formatTime(r.CreatedAt), updatedAt: formatTime(r.UpdatedAt)}
	if s := r.Sbp; s != nil {
		row.sbpPhone = sql.NullString{String: s.Phone, Valid: true}
		row.sbpFirst = sql.NullString{String: s.FirstName, Valid: true}
		row.sbpLast = sql.NullString{String: s.LastName, Valid: true}
		row.sbpMiddle = sql.NullString{String: s.MiddleName, Valid: true}
	}
	return row
}

func encodePayoutMethod(pm medusa.PayoutMethod) payoutMethodRow {
	return payoutMethodRow{extID: pm.ExtID, typ: string(pm.Type), bankID: pm.BankID,
		masked: pm.MaskedCardNumber, redirect: pm.RedirectURL, createdAt: formatTime(pm.CreatedAt)}
}

func (row recipientRow) decode(dec *decoder) *medusa.Recipient {
	r := &medusa.Recipient{PlatformID: row.platformID, ExtID: row.extID, Name: row.name, Version: row.version,
		CreatedAt: dec.time(row.createdAt), UpdatedAt: dec.time(row.updatedAt)}
	if row.sbpPhone.Valid {
		r.Sbp = &medusa.SbpData{Phone: row.sbpPhone.String, FirstName: row.sbpFirst.String,
			LastName: row.sbpLast.String, MiddleName: row.sbpMiddle.String}
	}
	return r
}

func (row payoutMethodRow) decode(dec *decoder) medusa.PayoutMethod {
	return medusa.PayoutMethod{ExtID: row.extID, Type: medusa.PayoutMethodType(row.typ), BankID: row.bankID,
		MaskedCardNumber: row.masked, RedirectURL: row.redirect, CreatedAt: dec.time(row.createdAt)}
}

// loadedRecipient is a recipient with the row ids an update needs.
type loadedRecipient struct {
	id        int64
	version   int64
	methodIDs map[string]int64 // by extId
	methods   map[string]payoutMethodRow
	r         *medusa.Recipient
}

// loadRecipient reads a recipient and its payout methods in one statement,
// hence one snapshot; ENotFound when the platform has no such recipient.
func loadRecipient(ctx context.Context, q querier, platformID, extID string) (*loadedRecipient, error) {
	rows, err := q.QueryContext(ctx, selectRecipient, platformID, extID)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: recipient: %w", err)
	}
	defer rows.Close()
	var (
		lr  *loadedRecipient
		dec decoder
	)
	for rows.Next() {
		var (
			id    int64
			row   recipientRow
			pmID  sql.NullInt64
			pmRaw [6]sql.NullString
		)
		err := rows.Scan(&id, &row.platformID, &row.extID, &row.name,
			&row.sbpPhone, &row.sbpFirst, &row.sbpLast, &row.sbpMiddle,
			&row.version, &row.createdAt, &row.updatedAt,
			&pmID, &pmRaw[0], &pmRaw[1], &pmRaw[2], &pmRaw[3], &pmRaw[4], &pmRaw[5])
		if err != nil {
			return nil, fmt.Errorf("sqlitedb: recipient: %w", err)
		}
		if lr == nil {
			lr = &loadedRecipient{id: id, version: row.version, r: row.decode(&dec),
				methodIDs: map[string]int64{}, methods: map[string]payoutMethodRow{}}
		}
		if !pmID.Valid {
			continue // LEFT JOIN: no payout methods
		}
		pm := payoutMethodRow{pmRaw[0].String, pmRaw[1].String, pmRaw[2].String,
			pmRaw[3].String, pmRaw[4].String, pmRaw[5].String}
		lr.methodIDs[pm.extID], lr.methods[pm.extID] = pmID.Int64, pm
		lr.r.PayoutMethods = append(lr.r.PayoutMethods, pm.decode(&dec))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitedb: recipient: %w", err)
	}
	if lr == nil {
		return nil, medusa.Errorf(medusa.ENotFound, "recipient %s not found", extID)
	}
	if dec.err != nil {
		return nil, dec.err
	}
	return lr, nil
}

// Recipient returns a platform's recipient with its payout methods in
// creation order.
func (d *DB) Recipient(ctx context.Context, platformID, extID string) (*medusa.Recipient, error) {
	key := orderKey(platformID, extID)
	r, gen, ok := d.recipients.get(key)
	if ok {
		return cloneRecipient(r), nil
	}
	lr, err := loadRecipient(ctx, d, platformID, extID)
	if err != nil {
		return nil, err
	}
	d.recipients.put(key, cloneRecipient(lr.r), gen)
	return lr.r, nil
}

// cloneRecipient copies what a caller could change in place.
func cloneRecipient(r *medusa.Recipient) *medusa.Recipient {
	c := *r
	if r.Sbp != nil {
		sbp := *r.Sbp
		c.Sbp = &sbp
	}
	c.PayoutMethods = slices.Clone(r.PayoutMethods)
	return &c
}

// CreateRecipient stores a recipient with its payout methods; EConflict when
// the platform already has its extId.
func (d *DB) CreateRecipient(ctx context.Context, r *medusa.Recipient) error {
	return d.writeTx(ctx, func(tx *txn) error {
		row := encodeRecipient(r)
		res, err := tx.ExecContext(ctx, insertRecipient, row.platformID, row.extID, row.name,
			row.sbpPhone, row.sbpFirst, row.sbpLast, row.sbpMiddle, row.version, row.createdAt, row.updatedAt)
		if isUnique(err) {
			return medusa.Errorf(medusa.EConflict, "recipient %s already exists", r.ExtID)
		}
		if err != nil {
			return fmt.Errorf("sqlitedb: create recipient: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("sqlitedb: create recipient: %w", err)
		}
		for _, pm := range r.PayoutMethods {
			if err := insertMethod(ctx, tx, id, r.ExtID, encodePayoutMethod(pm)); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertMethod(ctx context.Context, tx *txn, recipientID int64, recipientExtID string, pm payoutMethodRow) error {
	_, err := tx.ExecContext(ctx, insertPayoutMethod, recipientID, pm.extID, pm.typ, pm.bankID, pm.masked, pm.redirect, pm.createdAt)
	if isUnique(err) {
		return medusa.Errorf(medusa.EConflict, "payout method %s already exists for recipient %s", pm.extID, recipientExtID)
	}
	if err != nil {
		return fmt.Errorf("sqlitedb: insert payout method: %w", err)
	}
	return nil
}

// UpdateRecipient loads the recipient inside a write transaction, applies fn
// and stores the result guarded by the version it loaded; fn's error is
// returned unchanged and nothing is written.
func (d *DB) UpdateRecipient(ctx context.Context, platformID, extID string, fn func(*medusa.Recipient) error) (*medusa.Recipient, error) {
	var out *medusa.Recipient
	err := d.writeTx(ctx, func(tx *txn) error {
		lr, err := loadRecipient(ctx, tx, platformID, extID)
		if err != nil {
			return err
		}
		if err := fn(lr.r); err != nil {
			return err
		}
		if err := saveRecipient(ctx, tx, lr); err != nil {
			return err
		}
		tx.rows.recipients = true // cached copies are stale once this commits
		out = lr.r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func saveRecipient(ctx context.Context, tx *txn, lr *loadedRecipient) error {
	row := encodeRecipient(lr.r)
	res, err := tx.ExecContext(ctx, updateRecipient, row.name, row.sbpPhone, row.sbpFirst, row.sbpLast, row.sbpMiddle,
		row.version, row.updatedAt, lr.id, lr.version)
	if err := requireOneRow(res, err, staleMedusa("recipient", lr.r.ExtID)); err != nil {
		return err
	}
	return syncPayoutMethods(ctx, tx, lr)
}

// syncPayoutMethods makes the stored methods match lr.r's: removed ones are
// deleted, changed ones updated in place (keeping their creation order), new
// ones inserted.
func syncPayoutMethods(ctx context.Context, tx *txn, lr *loadedRecipient) error {
	want := map[string]bool{}
	for _, pm := range lr.r.PayoutMethods {
		want[pm.ExtID] = true
	}
	for ext, id := range lr.methodIDs {
		if want[ext] {
			continue
		}
		if _, err := tx.ExecContext(ctx, deletePayoutMethod, id); err != nil {
			return fmt.Errorf("sqlitedb: delete payout method: %w", err)
		}
	}
	for _, pm := range lr.r.PayoutMethods {
		row := encodePayoutMethod(pm)
		old, had := lr.methods[pm.ExtID]
		switch {
		case !had:
			if err := insertMethod(ctx, tx, lr.id, lr.r.ExtID, row); err != nil {
				return err
			}
		case old != row:
			_, err := tx.ExecContext(ctx, updatePayoutMethod, row.typ, row.bankID, row.masked, row.redirect, row.createdAt, lr.methodIDs[pm.ExtID])
			if err != nil {
				return fmt.Errorf("sqlitedb: update payout method: %w", err)
			}
		}
	}
	return nil
}

// requireOneRow checks a guarded UPDATE: no row means the version moved
// under us, which the write lock should make impossible; stale says so in
// the domain's words.
func requireOneRow(res sql.Result, err error, stale func() error) error {
	if err != nil {
		return fmt.Errorf("sqlitedb: update: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlitedb: update: %w", err)
	}
	if n != 1 {
		return stale()
	}
	return nil
}

func staleMedusa(what, id string) func() error {
	return func() error {
		return medusa.Errorf(medusa.EConflict, "%s %s was changed by another request: read it again and retry", what, id)
	}
}
