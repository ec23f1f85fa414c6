package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/paysandbox/paysandbox/cryptomus"
)

var _ cryptomus.Store = (*DB)(nil)

const (
	// cmSelectMerchant reads a merchant with its wallets in one statement,
	// hence one snapshot, even outside a transaction.
	cmSelectMerchant = `
SELECT m.uuid, m.payment_key, m.payout_key, m.payments_blocked, m.version, m.created_at, m.updated_at,
       w.currency, w.balance
FROM cryptomus_merchants m
LEFT JOIN cryptomus_wallets w ON w.merchant_uuid = m.uuid
WHERE m.uuid = ?
ORDER BY w.position`
	cmInsertMerchant = `
INSERT INTO cryptomus_merchants (uuid, payment_key, payout_key, payments_blocked, version, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`
	// guarded by the version read in the same transaction
	cmUpdateMerchant = `
UPDATE cryptomus_merchants
SET payment_key = ?, payout_key = ?, payments_blocked = ?, version = ?, created_at = ?, updated_at = ?
WHERE uuid = ? AND version = ?`
	cmMerchantExists = `SELECT EXISTS (SELECT 1 FROM cryptomus_merchants WHERE uuid = ?)`
	cmDeleteWallets  = `DELETE FROM cryptomus_wallets WHERE merchant_uuid = ?`
	cmInsertWallet   = `INSERT INTO cryptomus_wallets (merchant_uuid, currency, position, balance) VALUES (?, ?, ?, ?)`
	cmUpdateBalance  = `UPDATE cryptomus_wallets SET balance = ? WHERE merchant_uuid = ? AND currency = ?`

	cmInvoiceColumns = `uuid, merchant_uuid, order_id,
    amount, currency, network, url_return, url_success, url_callback, additional_data,
    lifetime, accuracy_percent, status, payment_amount, payer_currency, merchant_amount,
    address, from_address, txid, created_at, updated_at, expired_at, refunded_amount,
    refund_address, refund_is_subtract, refund_amount, refund_fee, refund_payer_receives, refund_at,
    version`
	cmInsertInvoice = `INSERT INTO cryptomus_invoices (` + cmInvoiceColumns + `)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// the columns of cmInsertInvoice after order_id, in the same order,
	// guarded by the version read in the same transaction
	cmUpdateInvoice = `
UPDATE cryptomus_invoices SET
    amount = ?, currency = ?, network = ?, url_return = ?, url_success = ?, url_callback = ?, additional_data = ?,
    lifetime = ?, accuracy_percent = ?, status = ?, payment_amount = ?, payer_currency = ?, merchant_amount = ?,
    address = ?, from_address = ?, txid = ?, created_at = ?, updated_at = ?, expired_at = ?, refunded_amount = ?,
    refund_address = ?, refund_is_subtract = ?, refund_amount = ?, refund_fee = ?, refund_payer_receives = ?, refund_at = ?,
    version = ?
WHERE uuid = ? AND version = ?`
	// cmUpdateInvoiceProgress writes only what payments and refunds change:
	// SQLite checks the CHECKs of every column named in SET.
	cmUpdateInvoiceProgress = `
UPDATE cryptomus_invoices SET
    status = ?, payment_amount = ?, payer_currency = ?, merchant_amount = ?,
    address = ?, from_address = ?, txid = ?, updated_at = ?, refunded_amount = ?,
    refund_address = ?, refund_is_subtract = ?, refund_amount = ?, refund_fee = ?, refund_payer_receives = ?, refund_at = ?,
    version = ?
WHERE uuid = ? AND version = ?`
	cmSelectInvoice          = `SELECT ` + cmInvoiceColumns + ` FROM cryptomus_invoices`
	cmSelectInvoiceByUUID    = cmSelectInvoice + ` WHERE merchant_uuid = ? AND uuid = ?`
	cmSelectInvoiceByOrderID = cmSelectInvoice + ` WHERE merchant_uuid = ? AND order_id = ?`
	cmSelectInvoiceAny       = cmSelectInvoice + ` WHERE uuid = ?`
)

// cmMerchantRow is a cryptomus_merchants row as stored; comparable, so that
// an invoice update rewrites the merchant only when fn changed it.
type cmMerchantRow struct {
	uuid, paymentKey, payoutKey string
	blocked                     int64
	version                     int64
	createdAt, updatedAt        string
}

// cmWalletRow is a cryptomus_wallets row as stored, without its merchant.
type cmWalletRow struct{ currency, balance string }

func cmEncodeMerchant(m *cryptomus.Merchant) (cmMerchantRow, []cmWalletRow) {
	row := cmMerchantRow{uuid: m.UUID, paymentKey: m.PaymentKey, payoutKey: m.PayoutKey,
		blocked: boolInt(m.PaymentsBlocked), version: m.Version,
		createdAt: formatTime(m.CreatedAt), updatedAt: formatTime(m.UpdatedAt)}
	ws := make([]cmWalletRow, 0, len(m.Wallets))
	for _, w := range m.Wallets {
		ws = append(ws, cmWalletRow{currency: w.Currency, balance: cryptomus.FormatAmount(w.Balance)})
	}
	return row, ws
}

// cmLoadMerchant reads a merchant and its wallets; ENotFound when unknown.
func cmLoadMerchant(ctx context.Context, q querier, uuid string) (*cryptomus.Merchant, error) {
	rows, err := q.QueryContext(ctx, cmSelectMerchant, uuid)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: cryptomus merchant: %w", err)
	}
	defer rows.Close()
	var (
		m   *cryptomus.Merchant
		dec decoder
	)
	for rows.Next() {
		var (
			r                 cmMerchantRow
			currency, balance sql.NullString
		)
		if err := rows.Scan(&r.uuid, &r.paymentKey, &r.payoutKey, &r.blocked, &r.version, &r.createdAt, &r.updatedAt,
			&currency, &balance); err != nil {
			return nil, fmt.Errorf("sqlitedb: cryptomus merchant: %w", err)
		}
		if m == nil {
			m = &cryptomus.Merchant{UUID: r.uuid, PaymentKey: r.paymentKey, PayoutKey: r.payoutKey,
				PaymentsBlocked: r.blocked == 1, Version: r.version, Wallets: []cryptomus.Wallet{},
				CreatedAt: dec.time(r.createdAt), UpdatedAt: dec.time(r.updatedAt)}
		}
		if currency.Valid {
			m.Wallets = append(m.Wallets, cryptomus.Wallet{Currency: currency.String, Balance: dec.money(balance.String)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitedb: cryptomus merchant: %w", err)
	}
	if m == nil {
		return nil, cryptomus.Errorf(cryptomus.ENotFound, "merchant %s not found", uuid)
	}
	if dec.err != nil {
		return nil, dec.err
	}
	return m, nil
}

// Merchant returns a Cryptomus merchant with its wallets in list order;
// ENotFound when unknown.
func (d *DB) Merchant(ctx context.Context, uuid string) (*cryptomus.Merchant, error) {
	m, gen, ok := d.merchants.get(uuid)
	if ok {
		return cloneMerchant(m), nil
	}
	m, err := cmLoadMerchant(ctx, d, uuid)
	if err != nil {
		return nil, err
	}
	d.merchants.put(uuid, cloneMerchant(m), gen)
	return m, nil
}

// cloneMerchant copies what a caller could change in place.
func cloneMerchant(m *cryptomus.Merchant) *cryptomus.Merchant {
	c := *m
	c.Wallets = slices.Clone(m.Wallets)
	return &c
}

// CreateMerchant stores a merchant with its wallets; EConflict when the uuid
// exists.
func (d *DB) CreateMerchant(ctx context.Context, m *cryptomus.Merchant) error {
	return d.writeTx(ctx, func(tx *txn) error {
		row, wallets := cmEncodeMerchant(m)
		_, err := tx.ExecContext(ctx, cmInsertMerchant, row.uuid, row.paymentKey, row.payoutKey, row.blocked,
			row.version, row.createdAt, row.updatedAt)
		if isUnique(err) {
			return cryptomus.Errorf(cryptomus.EConflict, "merchant %s already exists", m.UUID)
		}
		if err != nil {
			return fmt.Errorf("sqlitedb: create cryptomus merchant: %w", err)
		}
		if err := cmInsertWallets(ctx, tx, m.UUID, wallets); err != nil {
			return err
		}
		tx.rows.stageMerchant(m)
		return nil
	})
}

func cmInsertWallets(ctx context.Context, tx *txn, merchantUUID string, wallets []cmWalletRow) error {
	for i, w := range wallets {
		_, err := tx.ExecContext(ctx, cmInsertWallet, merchantUUID, w.currency, i, w.balance)
		if isUnique(err) {
			return cryptomus.Errorf(cryptomus.EValidation, "merchant %s lists wallet %s twice", merchantUUID, w.currency)
		}
		if err != nil {
			return fmt.Errorf("sqlitedb: insert cryptomus wallet: %w", err)
		}
	}
	return nil
}

// UpdateMerchant loads the merchant inside a write transaction, applies fn
// and stores the result guarded by the version it loaded, with the version
// bumped; fn's error is returned unchanged and nothing is written.
func (d *DB) UpdateMerchant(ctx context.Context, uuid string, fn func(*cryptomus.Merchant) error) (*cryptomus.Merchant, error) {
	var out *cryptomus.Merchant
	err := d.writeTx(ctx, func(tx *txn) error {
		m, err := cmLoadMerchant(ctx, tx, uuid)
		if err != nil {
			return err
		}
		loaded := m.Version
		_, before := cmEncodeMerchant(m)
		if err := fn(m); err != nil {
			return err
		}
		if err := cmSaveMerchant(ctx, tx, m, loaded, before); err != nil {
			return err
		}
		out = m
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// cmSaveMerchant writes m (bumping its version) over the row of version
// loaded, and its wallets over before (as loaded): when only balances
// changed, just those (a payment or a refund); otherwise all of them.
func cmSaveMerchant(ctx context.Context, tx *txn, m *cryptomus.Merchant, loaded int64, before []cmWalletRow) error {
	m.Version = loaded + 1
	row, wallets := cmEncodeMerchant(m)
	res, err := tx.ExecContext(ctx, cmUpdateMerchant, row.paymentKey, row.payoutKey, row.blocked, row.version,
		row.createdAt, row.updatedAt, row.uuid, loaded)
	if err := requireOneRow(res, err, func() error {
		return cryptomus.Errorf(cryptomus.EConflict, "cryptomus merchant %s was changed by another request: read it again and retry", m.UUID)
	}); err != nil {
		m.Version = loaded
		return err
	}
	tx.rows.stageMerchant(m)
	if sameCurrencies(before, wallets) {
		for i, w := range wallets {
			if w.balance == before[i].balance {
				continue
			}
			if _, err := tx.ExecContext(ctx, cmUpdateBalance, w.balance, m.UUID, w.currency); err != nil {
				return fmt.Errorf("sqlitedb: update cryptomus wallet: %w", err)
			}
		}
		return nil
	}
	if _, err := tx.ExecContext(ctx, cmDeleteWallets, m.UUID); err != nil {
		return fmt.Errorf("sqlitedb: replace cryptomus wallets: %w", err)
	}
	return cmInsertWallets(ctx, tx, m.UUID, wallets)
}

// cmOnlyProgress reports whether to differs from from only in the columns
// cmUpdateInvoiceProgress writes.
func cmOnlyProgress(from, to cmInvoiceRow) bool {
	from.status, from.paymentAmount, from.payerCurrency, from.merchantAmount = to.status, to.paymentAmount, to.payerCurrency, to.merchantAmount
	from.address, from.from, from.txid, from.updatedAt, from.refunded = to.address, to.from, to.txid, to.updatedAt, to.refunded
	from.rAddress, from.rSubtract, from.rAmount, from.rFee, from.rReceives, from.rAt = to.rAddress, to.rSubtract, to.rAmount, to.rFee, to.rReceives, to.rAt
	from.version = to.version
	return from == to
}

// sameCurrencies reports whether two wallet lists hold the same currencies
// in the same order.
func sameCurrencies(a, b []cmWalletRow) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].currency != b[i].currency {
			return false
		}
	}
	return true
}

// cmInvoiceRow is a cryptomus_invoices row as stored, in cmInvoiceColumns order.
type cmInvoiceRow struct {
	uuid, merchantUUID, orderID                                          string
	amount, currency, network, urlReturn, urlSuccess, urlCallback, extra string
	lifetime                                                             int64
	accuracy, status                                                     string
	paymentAmount                                                        sql.NullString
	payerCurrency                                                        string
	merchantAmount                                                       sql.NullString
	address, from, txid                                                  string
	createdAt, updatedAt, expiredAt                                      string
	refunded                                                             string
	rAddress                                                             sql.NullString
	rSubtract                                                            sql.NullInt64
	rAmount, rFee, rReceives, rAt                                        sql.NullString
	version                                                              int64
}

func (r *cmInvoiceRow) fields() []any {
	return []any{&r.uuid, &r.merchantUUID, &r.orderID,
		&r.amount, &r.currency, &r.network, &r.urlReturn, &r.urlSuccess, &r.urlCallback, &r.extra,
		&r.lifetime, &r.accuracy, &r.status, &r.paymentAmount, &r.payerCurrency, &r.merchantAmount,
		&r.address, &r.from, &r.txid, &r.createdAt, &r.updatedAt, &r.expiredAt, &r.refunded,
		&r.rAddress, &r.rSubtract, &r.rAmount, &r.rFee, &r.rReceives, &r.rAt,
		&r.version}
}

func cmNullMoney(d *decimal.Decimal) sql.NullString {
	if d == nil {
		return sql.NullString{}
	}
	return nullString(cryptomus.FormatAmount(*d), true)
}

func cmMoneyPtr(dec *decoder, s sql.NullString) *decimal.Decimal {
	if !s.Valid {
		return nil
	}
	d := dec.money(s.String)
	return &d
}

func cmEncodeInvoice(inv *cryptomus.Invoice) cmInvoiceRow {
	r := cmInvoiceRow{uuid: inv.UUID, merchantUUID: inv.MerchantUUID, orderID: inv.OrderID,
		amount: cryptomus.FormatAmount(inv.Amount), currency: inv.Currency, network: inv.Network,
		urlReturn: inv.URLReturn, urlSuccess: inv.URLSuccess, urlCallback: inv.URLCallback, extra: inv.AdditionalData,
		lifetime: int64(inv.Lifetime), accuracy: cryptomus.FormatAmount(inv.AccuracyPercent), status: string(inv.Status),
		paymentAmount: cmNullMoney(inv.PaymentAmount), payerCurrency: inv.PayerCurrency,
		merchantAmount: cmNullMoney(inv.MerchantAmount),
		address:        inv.Address, from: inv.From, txid: inv.TxID,
		createdAt: formatTime(inv.CreatedAt), updatedAt: formatTime(inv.UpdatedAt), expiredAt: formatTime(inv.ExpiredAt),
		refunded: cryptomus.FormatAmount(inv.RefundedAmount), version: inv.Version}
	if rf := inv.Refund; rf != nil {
		r.rAddress = nullString(rf.Address, true)
		r.rSubtract = sql.NullInt64{Int64: boolInt(rf.IsSubtract), Valid: true}
		r.rAmount = cmNullMoney(&rf.Amount)
		r.rFee = cmNullMoney(&rf.Fee)
		r.rReceives = cmNullMoney(&rf.PayerReceives)
		r.rAt = timeString(&rf.At)
	}
	return r
}

func (r *cmInvoiceRow) decode(dec *decoder) *cryptomus.Invoice {
	inv := &cryptomus.Invoice{UUID: r.uuid, MerchantUUID: r.merchantUUID, OrderID: r.orderID,
		Amount: dec.money(r.amount), Currency: r.currency, Network: r.network,
		URLReturn: r.urlReturn, URLSuccess: r.urlSuccess, URLCallback: r.urlCallback, AdditionalData: r.extra,
		Lifetime: int(r.lifetime), AccuracyPercent: dec.money(r.accuracy), Status: cryptomus.Status(r.status),
		PaymentAmount: cmMoneyPtr(dec, r.paymentAmount), PayerCurrency: r.payerCurrency,
		MerchantAmount: cmMoneyPtr(dec, r.merchantAmount),
		Address:        r.address, From: r.from, TxID: r.txid,
		CreatedAt: dec.time(r.createdAt), UpdatedAt: dec.time(r.updatedAt), ExpiredAt: dec.time(r.expiredAt),
		RefundedAmount: dec.money(r.refunded), Version: r.version}
	if r.rAt.Valid {
		inv.Refund = &cryptomus.Refund{Address: r.rAddress.String, IsSubtract: r.rSubtract.Int64 == 1,
			Amount: dec.money(r.rAmount.String), Fee: dec.money(r.rFee.String),
			PayerReceives: dec.money(r.rReceives.String), At: dec.time(r.rAt.String)}
	}
	return inv
}

// cmLoadInvoice runs one of the cmSelectInvoice* queries; ENotFound when it
// finds no row.
func cmLoadInvoice(ctx context.Context, q querier, query, what string, args ...any) (*cryptomus.Invoice, error) {
	var r cmInvoiceRow
	err := q.QueryRowContext(ctx, query, args...).Scan(r.fields()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, cryptomus.Errorf(cryptomus.ENotFound, "invoice %s not found", what)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: cryptomus invoice: %w", err)
	}
	var dec decoder
	inv := r.decode(&dec)
	if dec.err != nil {
		return nil, dec.err
	}
	return inv, nil
}

// CreateInvoice stores a new invoice; EConflict when the merchant already
// used its order_id (or the uuid exists), ENotFound when the merchant does
// not exist.
func (d *DB) CreateInvoice(ctx context.Context, inv *cryptomus.Invoice) error {
	return d.writeTx(ctx, func(tx *txn) error {
		// A merchant the caches know exists (merchants are never deleted
		// but by a reset, which the caches see); the foreign key is the
		// last word either way.
		exists := tx.knownMerchant(inv.MerchantUUID) != nil
		if !exists {
			if err := tx.QueryRowContext(ctx, cmMerchantExists, inv.MerchantUUID).Scan(&exists); err != nil {
				return fmt.Errorf("sqlitedb: create cryptomus invoice: %w", err)
			}
		}
		if !exists {
			return cryptomus.Errorf(cryptomus.ENotFound, "merchant %s not found", inv.MerchantUUID)
		}
		row := cmEncodeInvoice(inv)
		_, err := tx.ExecContext(ctx, cmInsertInvoice, values(row.fields())...)
		if isUnique(err) {
			return cryptomus.Errorf(cryptomus.EConflict, "merchant %s already has an invoice with order_id %s", inv.MerchantUUID, inv.OrderID)
		}
		if err != nil {
			return fmt.Errorf("sqlitedb: create cryptomus invoice: %w", err)
		}
		tx.rows.stageInvoice(row)
		return nil
	})
}

// InvoiceByUUID returns the merchant's invoice uuid; ENotFound when the
// merchant has none.
func (d *DB) InvoiceByUUID(ctx context.Context, merchantUUID, uuid string) (*cryptomus.Invoice, error) {
	return cmLoadInvoice(ctx, d, cmSelectInvoiceByUUID, uuid, merchantUUID, uuid)
}

// InvoiceByOrderID returns the merchant's invoice with orderID; ENotFound
// when the merchant has none.
func (d *DB) InvoiceByOrderID(ctx context.Context, merchantUUID, orderID string) (*cryptomus.Invoice, error) {
	return cmLoadInvoice(ctx, d, cmSelectInvoiceByOrderID, "with order_id "+orderID, merchantUUID, orderID)
}

// InvoiceByUUIDAnyMerchant returns any merchant's invoice uuid.
func (d *DB) InvoiceByUUIDAnyMerchant(ctx context.Context, uuid string) (*cryptomus.Invoice, error) {
	return cmLoadInvoice(ctx, d, cmSelectInvoiceAny, uuid, uuid)
}

// UpdateInvoice loads the invoice and its merchant inside one write
// transaction, applies fn and stores both guarded by the versions it loaded
// (the merchant only when fn changed it), bumping each version it writes;
// fn's error is returned unchanged and nothing is written. fn may run twice:
// again, on rows read from SQLite, when the cached ones were stale.
func (d *DB) UpdateInvoice(ctx context.Context, uuid string, fn func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error) (*cryptomus.Invoice, error) {
	out, err := d.updateInvoice(ctx, uuid, fn, true)
	if errors.Is(err, errStaleCache) {
		out, err = d.updateInvoice(ctx, uuid, fn, false)
	}
	return out, err
}

// updateInvoice is UpdateInvoice, starting from the writer's caches when
// cached is true (invoicecache.go); a version guard that finds no row then
// answers errStaleCache, and nothing of fn's is written.
func (d *DB) updateInvoice(ctx context.Context, uuid string, fn func(inv *cryptomus.Invoice, m *cryptomus.Merchant) error, cached bool) (*cryptomus.Invoice, error) {
	var out *cryptomus.Invoice
	err := d.writeTx(ctx, func(tx *txn) error {
		inv, invCached, err := loadInvoiceForUpdate(ctx, tx, uuid, cached)
		if err != nil {
			return err
		}
		var m *cryptomus.Merchant
		if cached {
			m = tx.cachedMerchant(inv.MerchantUUID)
		}
		mCached := m != nil
		if !mCached {
			if m, err = cmLoadMerchant(ctx, tx, inv.MerchantUUID); err != nil {
				return err
			}
		}
		loadedInv, loadedM := inv.Version, m.Version
		invRow := cmEncodeInvoice(inv)
		mRow, mWallets := cmEncodeMerchant(m)
		if err := fn(inv, m); err != nil {
			return err
		}
		if inv.UUID != uuid || m.UUID != mRow.uuid {
			return cryptomus.Errorf(cryptomus.EInternal, "an invoice update changed an identity")
		}
		inv.Version = loadedInv + 1
		row := cmEncodeInvoice(inv)
		var res sql.Result
		if cmOnlyProgress(invRow, row) {
			res, err = tx.ExecContext(ctx, cmUpdateInvoiceProgress, row.status, row.paymentAmount, row.payerCurrency,
				row.merchantAmount, row.address, row.from, row.txid, row.updatedAt, row.refunded,
				row.rAddress, row.rSubtract, row.rAmount, row.rFee, row.rReceives, row.rAt, row.version, row.uuid, loadedInv)
		} else {
			args := append(values(row.fields())[3:], row.uuid, loadedInv) // uuid, merchant and order_id never change
			res, err = tx.ExecContext(ctx, cmUpdateInvoice, args...)
		}
		if err := requireOneRow(res, err, func() error {
			if invCached {
				return errStaleCache
			}
			return cryptomus.Errorf(cryptomus.EConflict, "cryptomus invoice %s was changed by another request: read it again and retry", uuid)
		}); err != nil {
			return err
		}
		tx.rows.stageInvoice(row)
		m.Version = loadedM
		newRow, newWallets := cmEncodeMerchant(m)
		if newRow != mRow || !slices.Equal(newWallets, mWallets) {
			err := cmSaveMerchant(ctx, tx, m, loadedM, mWallets)
			if mCached && cryptomus.CodeOf(err) == cryptomus.EConflict {
				return errStaleCache
			}
			if err != nil {
				return err
			}
		}
		out = inv
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadInvoiceForUpdate reads an invoice from the writer's cache when cached
// allows and it is there, else from SQLite; invCached says which.
func loadInvoiceForUpdate(ctx context.Context, tx *txn, uuid string, cached bool) (inv *cryptomus.Invoice, invCached bool, err error) {
	if cached {
		if row, ok := tx.cachedInvoice(uuid); ok {
			var dec decoder
			inv = row.decode(&dec)
			return inv, true, dec.err
		}
	}
	inv, err = cmLoadInvoice(ctx, tx, cmSelectInvoiceAny, uuid, uuid)
	return inv, false, err
}
