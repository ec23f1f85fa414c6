package sqlitedb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paysandbox/paysandbox/yookassa"
)

var _ yookassa.Store = (*DB)(nil)

const (
	selectYKShop = `SELECT secret_key FROM yookassa_shops WHERE shop_id = ?`
	insertYKShop = `INSERT INTO yookassa_shops (shop_id, secret_key) VALUES (?, ?)`

	ykPaymentColumns = `id, shop_id, status, paid, amount_value, currency, income_value, capture,
    description, metadata, confirmation_type, confirmation_return_url, confirmation_token, confirmation_url,
    created_at, captured_at, expires_at, refunded_value, cancel_party, cancel_reason, version`
	insertYKPayment = `INSERT INTO yookassa_payments (` + ykPaymentColumns + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// every column of ykPaymentColumns after shop_id, in the same order,
	// guarded by the version read in the same transaction
	updateYKPayment = `
UPDATE yookassa_payments SET
    status = ?, paid = ?, amount_value = ?, currency = ?, income_value = ?, capture = ?,
    description = ?, metadata = ?, confirmation_type = ?, confirmation_return_url = ?, confirmation_token = ?, confirmation_url = ?,
    created_at = ?, captured_at = ?, expires_at = ?, refunded_value = ?, cancel_party = ?, cancel_reason = ?, version = ?
WHERE id = ? AND version = ?`
	selectYKPayment        = `SELECT ` + ykPaymentColumns + ` FROM yookassa_payments WHERE id = ?`
	selectYKPaymentForShop = selectYKPayment + ` AND shop_id = ?`

	ykRefundColumns = `id, payment_id, shop_id, status, amount_value, currency, description, created_at`
	insertYKRefund  = `INSERT INTO yookassa_refunds (` + ykRefundColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
	selectYKRefund  = `SELECT ` + ykRefundColumns + ` FROM yookassa_refunds WHERE id = ? AND shop_id = ?`
)

// Shop returns a YooKassa shop; ENotFound when unknown.
func (d *DB) Shop(ctx context.Context, shopID string) (*yookassa.Shop, error) {
	cached, gen, ok := d.shops.get(shopID)
	if ok {
		return &cached, nil
	}
	s := &yookassa.Shop{ShopID: shopID}
	err := d.QueryRowContext(ctx, selectYKShop, shopID).Scan(&s.SecretKey)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, yookassa.Errorf(yookassa.ENotFound, "shop %s not found", shopID)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: yookassa shop: %w", err)
	}
	d.shops.put(shopID, *s, gen) // shops never change; only a reset removes them
	return s, nil
}

// CreateShop stores a YooKassa shop; EConflict when the shopId exists.
func (d *DB) CreateShop(ctx context.Context, s yookassa.Shop) error {
	return d.writeTx(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, insertYKShop, s.ShopID, s.SecretKey)
		if isUnique(err) {
			return yookassa.Errorf(yookassa.EConflict, "shop %s already exists", s.ShopID)
		}
		if err != nil {
			return fmt.Errorf("sqlitedb: create yookassa shop: %w", err)
		}
		return nil
	})
}

// ykPaymentRow is a yookassa_payments row as stored, in ykPaymentColumns'
// order.
type ykPaymentRow struct {
	id, shopID, status                        string
	paid                                      int64
	amount, currency                          string
	income                                    sql.NullString
	capture                                   int64
	description                               string
	metadata, confType                        sql.NullString
	confReturn, confToken, confURL, createdAt string
	capturedAt, expiresAt                     sql.NullString
	refunded                                  string
	cancelParty, cancelReason                 sql.NullString
	version                                   int64
}

func (r *ykPaymentRow) fields() []any {
	return []any{&r.id, &r.shopID, &r.status, &r.paid, &r.amount, &r.currency, &r.income, &r.capture,
		&r.description, &r.metadata, &r.confType, &r.confReturn, &r.confToken, &r.confURL,
		&r.createdAt, &r.capturedAt, &r.expiresAt, &r.refunded, &r.cancelParty, &r.cancelReason, &r.version}
}

func encodeYKPayment(p *yookassa.Payment) (ykPaymentRow, error) {
	r := ykPaymentRow{id: p.ID, shopID: p.ShopID, status: string(p.Status), paid: boolInt(p.Paid),
		amount: money(p.Amount.Value), currency: p.Amount.Currency, capture: boolInt(p.Capture),
		description: p.Description, createdAt: formatTime(p.CreatedAt),
		capturedAt: timeString(p.CapturedAt), expiresAt: timeString(p.ExpiresAt),
		refunded: money(p.RefundedAmount), version: p.Version}
	if a := p.IncomeAmount; a != nil {
		if a.Currency != p.Amount.Currency {
			return r, fmt.Errorf("sqlitedb: payment %s: income in %s, amount in %s", p.ID, a.Currency, p.Amount.Currency)
		}
		r.income = nullString(money(a.Value), true)
	}
	if p.Metadata != nil {
		js, err := json.Marshal(p.Metadata)
		if err != nil {
			return r, fmt.Errorf("sqlitedb: payment %s metadata: %w", p.ID, err)
		}
		r.metadata = nullString(string(js), true)
	}
	if c := p.Confirmation; c != nil {
		r.confType = nullString(string(c.Type), true)
		r.confReturn, r.confToken, r.confURL = c.ReturnURL, c.ConfirmationToken, c.ConfirmationURL
	}
	if c := p.CancellationDetails; c != nil {
		r.cancelParty, r.cancelReason = nullString(c.Party, true), nullString(c.Reason, true)
	}
	return r, nil
}

func (r *ykPaymentRow) decode(dec *decoder) *yookassa.Payment {
	p := &yookassa.Payment{ID: r.id, ShopID: r.shopID, Status: yookassa.PaymentStatus(r.status), Paid: r.paid != 0,
		Amount:  yookassa.Amount{Value: dec.money(r.amount), Currency: r.currency},
		Capture: r.capture != 0, Description: r.description,
		CreatedAt: dec.time(r.createdAt), CapturedAt: dec.timePtr(r.capturedAt), ExpiresAt: dec.timePtr(r.expiresAt),
		RefundedAmount: dec.money(r.refunded), Version: r.version}
	if r.income.Valid {
		p.IncomeAmount = &yookassa.Amount{Value: dec.money(r.income.String), Currency: r.currency}
	}
	if r.metadata.Valid {
		if err := json.Unmarshal([]byte(r.metadata.String), &p.Metadata); err != nil {
			dec.fail("metadata", r.metadata.String, err)
		}
	}
	if r.confType.Valid {
		p.Confirmation = &yookassa.Confirmation{Type: yookassa.ConfirmationType(r.confType.String),
			ReturnURL: r.confReturn, ConfirmationToken: r.confToken, ConfirmationURL: r.confURL}
	}
	if r.cancelParty.Valid {
		p.CancellationDetails = &yookassa.CancellationDetails{Party: r.cancelParty.String, Reason: r.cancelReason.String}
	}
	return p
}

// loadYKPayment runs selectYKPayment(ForShop); PaymentNotFound when no row.
func loadYKPayment(ctx context.Context, q querier, query, id string, args ...any) (*yookassa.Payment, error) {
	var (
		row ykPaymentRow
		dec decoder
	)
	err := q.QueryRowContext(ctx, query, append([]any{id}, args...)...).Scan(row.fields()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, yookassa.PaymentNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: load payment: %w", err)
	}
	p := row.decode(&dec)
	if dec.err != nil {
		return nil, dec.err
	}
	return p, nil
}

// Payment returns the shop's payment; ENotFound when unknown or another shop's.
func (d *DB) Payment(ctx context.Context, shopID, id string) (*yookassa.Payment, error) {
	return loadYKPayment(ctx, d, selectYKPaymentForShop, id, shopID)
}

// PaymentAnyShop returns a payment of any shop; ENotFound when unknown.
func (d *DB) PaymentAnyShop(ctx context.Context, id string) (*yookassa.Payment, error) {
	return loadYKPayment(ctx, d, selectYKPayment, id)
}

// Refund returns the shop's refund; ENotFound when unknown or another shop's.
func (d *DB) Refund(ctx context.Context, shopID, id string) (*yookassa.Refund, error) {
	var (
		r                                   yookassa.Refund
		status, amount, currency, createdAt string
		dec                                 decoder
	)
	err := d.QueryRowContext(ctx, selectYKRefund, id, shopID).Scan(&r.ID, &r.PaymentID, &r.ShopID,
		&status, &amount, &currency, &r.Description, &createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, yookassa.RefundNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: load refund: %w", err)
	}
	r.Status = yookassa.RefundStatus(status)
	r.Amount = yookassa.Amount{Value: dec.money(amount), Currency: currency}
	r.CreatedAt = dec.time(createdAt)
	if dec.err != nil {
		return nil, dec.err
	}
	return &r, nil
}

// CreatePayment stores a new payment in its own write transaction.
func (d *DB) CreatePayment(ctx context.Context, p *yookassa.Payment) error {
	return d.writeTx(ctx, func(tx *txn) error { return ykWriter{tx}.CreatePayment(ctx, p) })
}

// UpdatePayment applies fn to a payment in its own write transaction (see
// yookassa.Writer).
func (d *DB) UpdatePayment(ctx context.Context, id string, fn func(*yookassa.Payment) (*yookassa.Refund, error)) (*yookassa.Payment, error) {
	var out *yookassa.Payment
	err := d.writeTx(ctx, func(tx *txn) error {
		p, err := ykWriter{tx}.UpdatePayment(ctx, id, fn)
		out = p
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ykWriter is a yookassa.Writer inside a running write transaction.
type ykWriter struct{ tx *txn }

func (w ykWriter) CreatePayment(ctx context.Context, p *yookassa.Payment) error {
	row, err := encodeYKPayment(p)
	if err != nil {
		return err
	}
	_, err = w.tx.ExecContext(ctx, insertYKPayment, values(row.fields())...)
	if isUnique(err) {
		return yookassa.Errorf(yookassa.EConflict, "payment %s already exists", p.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlitedb: create payment: %w", err)
	}
	return nil
}

func (w ykWriter) UpdatePayment(ctx context.Context, id string, fn func(*yookassa.Payment) (*yookassa.Refund, error)) (*yookassa.Payment, error) {
	p, err := loadYKPayment(ctx, w.tx, selectYKPayment, id)
	if err != nil {
		return nil, err
	}
	shopID, version := p.ShopID, p.Version
	refund, err := fn(p)
	if err != nil {
		return nil, err
	}
	if p.ID != id || p.ShopID != shopID {
		return nil, fmt.Errorf("sqlitedb: payment %s: the id and shop of a payment never change", id)
	}
	row, err := encodeYKPayment(p)
	if err != nil {
		return nil, err
	}
	args := append(values(row.fields())[2:], id, version) // id and shop never change
	res, err := w.tx.ExecContext(ctx, updateYKPayment, args...)
	if err := ykRequireOneRow(res, err, id); err != nil {
		return nil, err
	}
	if refund != nil {
		if err := w.insertRefund(ctx, p, refund); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (w ykWriter) insertRefund(ctx context.Context, p *yookassa.Payment, r *yookassa.Refund) error {
	if r.PaymentID != p.ID || r.ShopID != p.ShopID {
		return fmt.Errorf("sqlitedb: refund %s is not of payment %s", r.ID, p.ID)
	}
	_, err := w.tx.ExecContext(ctx, insertYKRefund, r.ID, r.PaymentID, r.ShopID, string(r.Status),
		money(r.Amount.Value), r.Amount.Currency, r.Description, formatTime(r.CreatedAt))
	if isUnique(err) {
		return yookassa.Errorf(yookassa.EConflict, "refund %s already exists", r.ID)
	}
	if err != nil {
		return fmt.Errorf("sqlitedb: create refund: %w", err)
	}
	return nil
}

// ykRequireOneRow checks a guarded UPDATE. Inside the write transaction the
// version cannot have moved, so a miss is a bug, reported as a fault.
func ykRequireOneRow(res sql.Result, err error, id string) error {
	if err != nil {
		return fmt.Errorf("sqlitedb: update payment %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlitedb: update payment %s: %w", id, err)
	}
	if n != 1 {
		return fmt.Errorf("sqlitedb: payment %s was changed by another writer", id)
	}
	return nil
}
