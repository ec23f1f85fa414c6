package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/paysandbox/paysandbox/medusa"
)

const (
	insertOrder = `
INSERT INTO medusa_orders (platform_id, ext_id,
    api_version, state, version,
    payment_type, payment_purpose, payment_redirect_url, payment_fail_redirect_url, payment_consumer_id,
    payment_ttl_minutes, payment_sbp_needed, payment_card_needed, payment_link,
    receipt_email, receipt_name, receipt_vat_type, receipt_payment_method, receipt_payment_object,
    created_at, payed_at, finished_at, acquiring_charged_at, commission_moved_at, platform_commission_paid_at,
    balance_nominal, balance_commission, balance_settlement)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// the columns of insertOrder after ext_id, in the same order, guarded by
	// the version read in the same transaction
	updateOrder = `
UPDATE medusa_orders SET
    api_version = ?, state = ?, version = ?,
    payment_type = ?, payment_purpose = ?, payment_redirect_url = ?, payment_fail_redirect_url = ?, payment_consumer_id = ?,
    payment_ttl_minutes = ?, payment_sbp_needed = ?, payment_card_needed = ?, payment_link = ?,
    receipt_email = ?, receipt_name = ?, receipt_vat_type = ?, receipt_payment_method = ?, receipt_payment_object = ?,
    created_at = ?, payed_at = ?, finished_at = ?, acquiring_charged_at = ?, commission_moved_at = ?, platform_commission_paid_at = ?,
    balance_nominal = ?, balance_commission = ?, balance_settlement = ?
WHERE id = ? AND version = ?`
	insertService = `
INSERT INTO medusa_services (order_id, platform_id, ext_id, position,
    price, commission, fee_acquiring, fee_payout, fee_platform,
    recipient_ext_id, payout_method_ext_id, method, method_type, bank_id, masked_card_number,
    state, decision, decision_made_at, executed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	// the columns of insertService after position, in the same order
	updateService = `
UPDATE medusa_services SET
    price = ?, commission = ?, fee_acquiring = ?, fee_payout = ?, fee_platform = ?,
    recipient_ext_id = ?, payout_method_ext_id = ?, method = ?, method_type = ?, bank_id = ?, masked_card_number = ?,
    state = ?, decision = ?, decision_made_at = ?, executed_at = ?
WHERE id = ?`

	// selectOrders reads orders with their services in one statement, hence
	// one snapshot, even outside a transaction.
	selectOrders = `
SELECT o.id, o.platform_id, o.ext_id,
    o.api_version, o.state, o.version,
    o.payment_type, o.payment_purpose, o.payment_redirect_url, o.payment_fail_redirect_url, o.payment_consumer_id,
    o.payment_ttl_minutes, o.payment_sbp_needed, o.payment_card_needed, o.payment_link,
    o.receipt_email, o.receipt_name, o.receipt_vat_type, o.receipt_payment_method, o.receipt_payment_object,
    o.created_at, o.payed_at, o.finished_at, o.acquiring_charged_at, o.commission_moved_at, o.platform_commission_paid_at,
    o.balance_nominal, o.balance_commission, o.balance_settlement,
    s.id, s.ext_id, s.position,
    s.price, s.commission, s.fee_acquiring, s.fee_payout, s.fee_platform,
    s.recipient_ext_id, s.payout_method_ext_id, s.method, s.method_type, s.bank_id, s.masked_card_number,
    s.state, s.decision, s.decision_made_at, s.executed_at
FROM medusa_orders o
JOIN medusa_services s ON s.order_id = o.id`
	selectOrder = selectOrders + `
WHERE o.platform_id = ? AND o.ext_id = ?
ORDER BY s.position`
	selectFinishedOrders = selectOrders + `
WHERE o.platform_id = ? AND o.state = 'finished' AND o.finished_at >= ? AND o.finished_at <= ?
ORDER BY o.finished_at, o.id, s.position`

	selectOrderExtIDByService = `
SELECT o.ext_id FROM medusa_services s JOIN medusa_orders o ON o.id = s.order_id
WHERE s.platform_id = ? AND s.ext_id = ?`
	// the window count is taken before LIMIT, so one statement gives the
	// page and the total
	selectOrderPage = `
SELECT ext_id, state, COUNT(*) OVER ()
FROM medusa_orders
WHERE platform_id = ?
ORDER BY created_at DESC, id DESC
LIMIT ? OFFSET ?`
	countOrders = `SELECT COUNT(*) FROM medusa_orders WHERE platform_id = ?`

	selectPostings = `
SELECT p.step, p.debit, p.credit, p.amount, p.at
FROM medusa_orders o
LEFT JOIN medusa_postings p ON p.order_id = o.id
WHERE o.platform_id = ? AND o.ext_id = ?
ORDER BY p.seq`
	// updateOrderProgress and updateServiceProgress write only what a step
	// changes. SQLite rewrites an index entry for every indexed column
	// named in SET, changed or not, and checks the CHECKs of every column
	// named, so the full updates cost a step twice as much.
	updateOrderProgress = `
UPDATE medusa_orders SET
    state = ?, version = ?,
    payed_at = ?, finished_at = ?, acquiring_charged_at = ?, commission_moved_at = ?, platform_commission_paid_at = ?,
    balance_nominal = ?, balance_commission = ?, balance_settlement = ?
WHERE id = ? AND version = ?`
	updateServiceProgress = `
UPDATE medusa_services SET state = ?, decision = ?, decision_made_at = ?, executed_at = ?
WHERE id = ?`
	selectLastSeq = `SELECT COALESCE(MAX(seq), 0) FROM medusa_postings WHERE order_id = ?`
	insertPosting = `
INSERT INTO medusa_postings (order_id, seq, step, debit, credit, amount, at)
VALUES (?, ?, ?, ?, ?, ?, ?)`
)

// orderRow is a medusa_orders row as stored, in insertOrder's column order.
type orderRow struct {
	platformID, extID                                     string
	apiVersion                                            int64
	state                                                 string
	version                                               int64
	payType, payPurpose, payRedirect, payFail, payConsume string
	payTTL, paySbp, payCard                               int64
	payLink                                               string
	rEmail, rName, rVat, rMethod, rObject                 sql.NullString
	createdAt                                             string
	payedAt, finishedAt, acquiredAt, movedAt, paidAt      sql.NullString
	nominal, commission, settlement                       string
}

func (r *orderRow) fields() []any {
	return []any{&r.platformID, &r.extID, &r.apiVersion, &r.state, &r.version,
		&r.payType, &r.payPurpose, &r.payRedirect, &r.payFail, &r.payConsume,
		&r.payTTL, &r.paySbp, &r.payCard, &r.payLink,
		&r.rEmail, &r.rName, &r.rVat, &r.rMethod, &r.rObject,
		&r.createdAt, &r.payedAt, &r.finishedAt, &r.acquiredAt, &r.movedAt, &r.paidAt,
		&r.nominal, &r.commission, &r.settlement}
}

// serviceRow is a medusa_services row as stored, in insertService's column
// order after order_id and platform_id; comparable, so that an update
// rewrites only the services that changed.
type serviceRow struct {
	extID                                     string
	position                                  int64
	price, commission, feeAcq, feePay, feePlt string
	rcpt, pm, method, methodType, bank, card  string
	state, decision                           string
	decidedAt, executedAt                     sql.NullString
}

func (r *serviceRow) fields() []any {
	return []any{&r.extID, &r.position,
		&r.price, &r.commission, &r.feeAcq, &r.feePay, &r.feePlt,
		&r.rcpt, &r.pm, &r.method, &r.methodType, &r.bank, &r.card,
		&r.state, &r.decision, &r.decidedAt, &r.executedAt}
}

// values dereferences fields() into statement arguments.
func values(ptrs []any) []any {
	out := make([]any, len(ptrs))
	for i, p := range ptrs {
		switch v := p.(type) {
		case *string:
			out[i] = *v
		case *int64:
			out[i] = *v
		case *sql.NullString:
			out[i] = *v
		case *sql.NullInt64:
			out[i] = *v
		default:
			panic(fmt.Sprintf("sqlitedb: unexpected field type %T", p))
		}
	}
	return out
}

func nullString(s string, valid bool) sql.NullString { return sql.NullString{String: s, Valid: valid} }

func timeString(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return nullString(formatTime(*t), true)
}

func encodeOrder(o *medusa.Order) orderRow {
	p, rc := o.IncomingPayment, o.Receipt
	has := rc != nil
	if !has {
		rc = &medusa.Receipt{}
	}
	return orderRow{
		platformID: o.PlatformID, extID: o.ExtID, apiVersion: int64(o.APIVersion), state: string(o.State), version: o.Version,
		payType: p.Type, payPurpose: p.Purpose, payRedirect: p.RedirectURL, payFail: p.FailRedirectURL, payConsume: p.ConsumerID,
		payTTL: int64(p.TTLMinutes), paySbp: boolInt(p.SbpNeeded), payCard: boolInt(p.CardNeeded), payLink: p.PaymentLink,
		rEmail: nullString(rc.Email, has), rName: nullString(rc.Name, has), rVat: nullString(rc.VatType, has),
		rMethod: nullString(rc.PaymentMethod, has), rObject: nullString(rc.PaymentObject, has),
		createdAt: formatTime(o.CreatedAt), payedAt: timeString(o.PayedAt), finishedAt: timeString(o.FinishedAt),
		acquiredAt: timeString(o.AcquiringChargedAt), movedAt: timeString(o.CommissionMovedAt),
		paidAt:  timeString(o.PlatformCommissionPaidAt),
		nominal: money(o.Balances.Nominal), commission: money(o.Balances.Commission), settlement: money(o.Balances.Settlement),
	}
}

func (r *orderRow) decode(dec *decoder) *medusa.Order {
	o := &medusa.Order{
		PlatformID: r.platformID, ExtID: r.extID, APIVersion: int(r.apiVersion),
		State: medusa.OrderState(r.state), Version: r.version,
		IncomingPayment: medusa.IncomingPayment{Type: r.payType, Purpose: r.payPurpose, RedirectURL: r.payRedirect,
			FailRedirectURL: r.payFail, ConsumerID: r.payConsume, TTLMinutes: int(r.payTTL),
			SbpNeeded: r.paySbp != 0, CardNeeded: r.payCard != 0, PaymentLink: r.payLink},
		CreatedAt: dec.time(r.createdAt), PayedAt: dec.timePtr(r.payedAt), FinishedAt: dec.timePtr(r.finishedAt),
		AcquiringChargedAt: dec.timePtr(r.acquiredAt), CommissionMovedAt: dec.timePtr(r.movedAt),
		PlatformCommissionPaidAt: dec.timePtr(r.paidAt),
		Balances: medusa.Balances{Nominal: dec.money(r.nominal), Commission: dec.money(r.commission),
			Settlement: dec.money(r.settlement)},
	}
	if r.rEmail.Valid {
		o.Receipt = &medusa.Receipt{Email: r.rEmail.String, Name: r.rName.String, VatType: r.rVat.String,
			PaymentMethod: r.rMethod.String, PaymentObject: r.rObject.String}
	}
	return o
}

func encodeService(s *medusa.Service, position int) serviceRow {
	rc := s.Recipient
	return serviceRow{extID: s.ExtID, position: int64(position),
		price: money(s.Price), commission: money(s.Commission),
		feeAcq: money(s.Fees.Acquiring), feePay: money(s.Fees.Payout), feePlt: money(s.Fees.Platform),
		rcpt: rc.ExtID, pm: rc.PayoutMethodExtID, method: rc.Method, methodType: string(rc.MethodType),
		bank: rc.BankID, card: rc.MaskedCardNumber,
		state: string(s.State), decision: string(s.Decision),
		decidedAt: timeString(s.DecisionMadeAt), executedAt: timeString(s.ExecutedAt)}
}

func (r *serviceRow) decode(dec *decoder) medusa.Service {
	return medusa.Service{ExtID: r.extID,
		Price: dec.money(r.price), Commission: dec.money(r.commission),
		Fees: medusa.Fees{Acquiring: dec.money(r.feeAcq), Payout: dec.money(r.feePay), Platform: dec.money(r.feePlt)},
		Recipient: medusa.ServiceRecipient{ExtID: r.rcpt, PayoutMethodExtID: r.pm, Method: r.method,
			MethodType: medusa.PayoutMethodType(r.methodType), BankID: r.bank, MaskedCardNumber: r.card},
		State: medusa.ServiceState(r.state), Decision: medusa.Decision(r.decision),
		DecisionMadeAt: dec.timePtr(r.decidedAt), ExecutedAt: dec.timePtr(r.executedAt)}
}

// loadedOrder is an order with what an update needs: its row id, the
// version it was read at and its services as stored.
type loadedOrder struct {
	id      int64
	version int64
	// lastSeq is the seq of the order's last posting; -1 when not known.
	lastSeq  int64
	row      orderRow              // as loaded
	services map[string]serviceRow // by extId
	ids      map[string]int64      // service row ids by extId
	o        *medusa.Order
}

// loadOrders runs a selectOrders statement and groups its rows by order.
func loadOrders(ctx context.Context, q querier, query string, args ...any) ([]*loadedOrder, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: load orders: %w", err)
	}
	defer rows.Close()
	var (
		out []*loadedOrder
		cur *loadedOrder
		dec decoder
	)
	for rows.Next() {
		var (
			oid, sid int64
			or       orderRow
			sr       serviceRow
		)
		dest := append(append([]any{&oid}, or.fields()...), &sid)
		if err := rows.Scan(append(dest, sr.fields()...)...); err != nil {
			return nil, fmt.Errorf("sqlitedb: load orders: %w", err)
		}
		if cur == nil || cur.id != oid {
			cur = &loadedOrder{id: oid, version: or.version, lastSeq: -1, row: or, o: or.decode(&dec),
				services: map[string]serviceRow{}, ids: map[string]int64{}}
			out = append(out, cur)
		}
		cur.services[sr.extID], cur.ids[sr.extID] = sr, sid
		cur.o.Services = append(cur.o.Services, sr.decode(&dec))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitedb: load orders: %w", err)
	}
	if dec.err != nil {
		return nil, dec.err
	}
	return out, nil
}

func loadOrder(ctx context.Context, q querier, platformID, extID string) (*loadedOrder, error) {
	los, err := loadOrders(ctx, q, selectOrder, platformID, extID)
	if err != nil {
		return nil, err
	}
	if len(los) == 0 {
		return nil, medusa.Errorf(medusa.ENotFound, "order %s not found", extID)
	}
	return los[0], nil
}

// Order returns a platform's order with its services in their original order.
func (d *DB) Order(ctx context.Context, platformID, extID string) (*medusa.Order, error) {
	lo, err := loadOrder(ctx, d, platformID, extID)
	if err != nil {
		return nil, err
	}
	return lo.o, nil
}

// CreateOrder stores an order with its services (and postings, if any) in one
// transaction; EConflict when the platform already used the order's extId or
// one of its services' extIds.
func (d *DB) CreateOrder(ctx context.Context, o *medusa.Order) error {
	if len(o.Services) == 0 {
		return errors.New("sqlitedb: an order needs at least one service")
	}
	err := d.writeTx(ctx, func(tx *txn) error {
		row := encodeOrder(o)
		res, err := tx.ExecContext(ctx, insertOrder, values(row.fields())...)
		if isUnique(err) {
			return medusa.Errorf(medusa.EConflict, "order %s already exists", o.ExtID)
		}
		if err != nil {
			return fmt.Errorf("sqlitedb: create order: %w", err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("sqlitedb: create order: %w", err)
		}
		c := &cachedOrder{id: id, version: row.version, row: row}
		for i := range o.Services {
			srow := encodeService(&o.Services[i], i)
			sid, err := insertServiceRow(ctx, tx, id, o.PlatformID, srow)
			if err != nil {
				return err
			}
			c.services, c.ids = append(c.services, srow), append(c.ids, sid)
			if tx.rows.serviceOrders == nil {
				tx.rows.serviceOrders = map[string]string{}
			}
			tx.rows.serviceOrders[orderKey(o.PlatformID, srow.extID)] = o.ExtID
		}
		if c.lastSeq, err = insertPostings(ctx, tx, id, 0, o.NewPostings); err != nil {
			return err
		}
		tx.rows.stageOrder(orderKey(o.PlatformID, o.ExtID), c)
		return nil
	})
	if err != nil {
		return err
	}
	o.NewPostings = nil
	return nil
}

// insertServiceRow inserts a service and returns its row id.
func insertServiceRow(ctx context.Context, tx *txn, orderID int64, platformID string, s serviceRow) (int64, error) {
	args := append([]any{orderID, platformID}, values(s.fields())...)
	res, err := tx.ExecContext(ctx, insertService, args...)
	if isUnique(err) {
		return 0, medusa.Errorf(medusa.EConflict, "service %s already exists", s.extID)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlitedb: insert service: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("sqlitedb: insert service: %w", err)
	}
	return id, nil
}

// insertPostings appends ledger rows after the order's last one (lastSeq,
// or -1 to look it up) and returns the seq of the new last one.
func insertPostings(ctx context.Context, tx *txn, orderID, lastSeq int64, ps []medusa.Posting) (int64, error) {
	seq := lastSeq
	if seq < 0 {
		if err := tx.QueryRowContext(ctx, selectLastSeq, orderID).Scan(&seq); err != nil {
			return 0, fmt.Errorf("sqlitedb: postings: %w", err)
		}
	}
	for _, p := range ps {
		seq++
		_, err := tx.ExecContext(ctx, insertPosting, orderID, seq, p.Step, string(p.Debit), string(p.Credit),
			money(p.Amount), formatTime(p.At))
		if err != nil {
			return 0, fmt.Errorf("sqlitedb: insert posting: %w", err)
		}
	}
	return seq, nil
}

// UpdateOrder loads the order inside a write transaction, applies fn and
// stores the result guarded by the version it loaded, with fn's new postings;
// fn's error is returned unchanged and nothing is written.
func (d *DB) UpdateOrder(ctx context.Context, platformID, extID string, fn func(*medusa.Order) error) (*medusa.Order, error) {
	var out *medusa.Order
	key := orderKey(platformID, extID)
	err := d.writeTx(ctx, func(tx *txn) error {
		cached := tx.cachedOrder(key)
		for {
			var lo *loadedOrder
			var err error
			if cached != nil {
				lo, err = cached.loaded()
			} else {
				lo, err = loadOrder(ctx, tx, platformID, extID)
			}
			if err != nil {
				return err
			}
			if err := fn(lo.o); err != nil {
				return err
			}
			c, err := saveOrder(ctx, tx, lo)
			if cached != nil && medusa.CodeOf(err) == medusa.EConflict {
				cached = nil // another process changed it: read it from SQLite and decide again
				continue
			}
			if err != nil {
				return err
			}
			tx.rows.stageOrder(key, c)
			out = lo.o
			return nil
		}
	})
	if err != nil {
		return nil, err
	}
	out.NewPostings = nil
	return out, nil
}

// onlyProgress reports whether to differs from from only in the columns a
// step changes (updateOrderProgress).
func onlyProgress(from, to orderRow) bool {
	from.state, from.version = to.state, to.version
	from.payedAt, from.finishedAt, from.acquiredAt, from.movedAt, from.paidAt = to.payedAt, to.finishedAt, to.acquiredAt, to.movedAt, to.paidAt
	from.nominal, from.commission, from.settlement = to.nominal, to.commission, to.settlement
	return from == to
}

// saveOrder stores lo's order and returns the rows it now has.
func saveOrder(ctx context.Context, tx *txn, lo *loadedOrder) (*cachedOrder, error) {
	row := encodeOrder(lo.o)
	var res sql.Result
	var err error
	if onlyProgress(lo.row, row) {
		res, err = tx.ExecContext(ctx, updateOrderProgress, row.state, row.version,
			row.payedAt, row.finishedAt, row.acquiredAt, row.movedAt, row.paidAt,
			row.nominal, row.commission, row.settlement, lo.id, lo.version)
	} else {
		args := append(values(row.fields())[2:], lo.id, lo.version) // platform and extId never change
		res, err = tx.ExecContext(ctx, updateOrder, args...)
	}
	if err := requireOneRow(res, err, staleMedusa("order", lo.o.ExtID)); err != nil {
		return nil, err
	}
	c := &cachedOrder{id: lo.id, version: row.version, row: row}
	if err := saveServices(ctx, tx, lo, c); err != nil {
		return nil, err
	}
	if c.lastSeq, err = insertPostings(ctx, tx, lo.id, lo.lastSeq, lo.o.NewPostings); err != nil {
		return nil, err
	}
	return c, nil
}

// saveServices rewrites the services that changed, and lists every
// service's rows in c; the set of services is fixed when the order is
// created.
func saveServices(ctx context.Context, tx *txn, lo *loadedOrder, c *cachedOrder) error {
	if len(lo.o.Services) != len(lo.ids) {
		return fmt.Errorf("sqlitedb: order %s: services cannot be added or removed", lo.o.ExtID)
	}
	c.services, c.ids = make([]serviceRow, len(lo.o.Services)), make([]int64, len(lo.o.Services))
	for i := range lo.o.Services {
		s := &lo.o.Services[i]
		old, ok := lo.services[s.ExtID]
		if !ok || old.position < 0 || int(old.position) >= len(c.services) {
			return fmt.Errorf("sqlitedb: order %s: services cannot be added or removed", lo.o.ExtID)
		}
		row := encodeService(s, int(old.position)) // positions never change
		c.services[old.position], c.ids[old.position] = row, lo.ids[s.ExtID]
		if row == old {
			continue
		}
		var err error
		if old.state, old.decision, old.decidedAt, old.executedAt = row.state, row.decision, row.decidedAt, row.executedAt; old == row {
			_, err = tx.ExecContext(ctx, updateServiceProgress, row.state, row.decision, row.decidedAt, row.executedAt, lo.ids[s.ExtID])
		} else {
			_, err = tx.ExecContext(ctx, updateService, append(values(row.fields())[2:], lo.ids[s.ExtID])...)
		}
		if err != nil {
			return fmt.Errorf("sqlitedb: update service: %w", err)
		}
	}
	return nil
}

// OrderExtIDByService returns the extId of the order that holds a platform's
// service; ENotFound when the platform has no such service.
func (d *DB) OrderExtIDByService(ctx context.Context, platformID, serviceExtID string) (string, error) {
	key := orderKey(platformID, serviceExtID)
	ext, gen, ok := d.serviceOrders.get(key)
	if ok {
		return ext, nil
	}
	err := d.QueryRowContext(ctx, selectOrderExtIDByService, platformID, serviceExtID).Scan(&ext)
	if errors.Is(err, sql.ErrNoRows) {
		return "", medusa.Errorf(medusa.ENotFound, "service %s not found", serviceExtID)
	}
	if err != nil {
		return "", fmt.Errorf("sqlitedb: order by service: %w", err)
	}
	d.serviceOrders.put(key, ext, gen) // it never changes while both exist
	return ext, nil
}

// ListOrders pages through a platform's orders, newest first, with the
// platform's total count.
func (d *DB) ListOrders(ctx context.Context, platformID string, offset, limit int) ([]medusa.OrderSummary, int, error) {
	items := []medusa.OrderSummary{}
	if limit <= 0 {
		limit = 0 // SQLite reads a negative LIMIT as no limit
	}
	rows, err := d.QueryContext(ctx, selectOrderPage, platformID, limit, max(offset, 0))
	if err != nil {
		return nil, 0, fmt.Errorf("sqlitedb: list orders: %w", err)
	}
	defer rows.Close()
	total := -1
	for rows.Next() {
		var it medusa.OrderSummary
		if err := rows.Scan(&it.ExtID, &it.State, &total); err != nil {
			return nil, 0, fmt.Errorf("sqlitedb: list orders: %w", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("sqlitedb: list orders: %w", err)
	}
	if total < 0 { // an empty page carries no count
		if err := d.QueryRowContext(ctx, countOrders, platformID).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("sqlitedb: count orders: %w", err)
		}
	}
	return items, total, nil
}

// FinishedOrders returns a platform's orders finished within [from, to],
// with their services, oldest finish first.
func (d *DB) FinishedOrders(ctx context.Context, platformID string, from, to time.Time) ([]*medusa.Order, error) {
	los, err := loadOrders(ctx, d, selectFinishedOrders, platformID, formatTime(from), formatTime(to))
	if err != nil {
		return nil, err
	}
	out := make([]*medusa.Order, len(los))
	for i, lo := range los {
		out[i] = lo.o
	}
	return out, nil
}

// Postings returns an order's ledger rows in the order they were made;
// ENotFound when the platform has no such order.
func (d *DB) Postings(ctx context.Context, platformID, orderExtID string) ([]medusa.Posting, error) {
	rows, err := d.QueryContext(ctx, selectPostings, platformID, orderExtID)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: postings: %w", err)
	}
	defer rows.Close()
	var (
		out   []medusa.Posting
		found bool
		dec   decoder
	)
	for rows.Next() {
		var step, debit, credit, amount, at sql.NullString
		if err := rows.Scan(&step, &debit, &credit, &amount, &at); err != nil {
			return nil, fmt.Errorf("sqlitedb: postings: %w", err)
		}
		found = true
		if !step.Valid {
			continue // LEFT JOIN: an order without postings
		}
		out = append(out, medusa.Posting{Step: step.String, Debit: medusa.Account(debit.String),
			Credit: medusa.Account(credit.String), Amount: dec.money(amount.String), At: dec.time(at.String)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlitedb: postings: %w", err)
	}
	if !found {
		return nil, medusa.Errorf(medusa.ENotFound, "order %s not found", orderExtID)
	}
	if dec.err != nil {
		return nil, dec.err
	}
	if out == nil {
		out = []medusa.Posting{}
	}
	return out, nil
}
