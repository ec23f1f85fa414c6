package yookassa

import "context"

// Writer is the state changes of YooKassa. A Store runs each call in its own
// write transaction; the Writer that Store.Idempotent hands to its callback
// runs them inside the idempotent request's transaction.
type Writer interface {
	// CreatePayment stores a new payment.
	CreatePayment(ctx context.Context, p *Payment) error
	// UpdatePayment loads payment id (of any shop; ENotFound via
	// PaymentNotFound when unknown), applies fn and stores the result guarded
	// by the version it loaded; a non-nil *Refund that fn returns is inserted
	// in the same transaction. fn's error is returned unchanged and nothing is
	// written. It returns the payment as fn left it.
	UpdatePayment(ctx context.Context, id string, fn func(*Payment) (*Refund, error)) (*Payment, error)
}

// Store keeps YooKassa's state. Every write runs in one write transaction,
// so two racing changes are serialized and the loser sees the winner's
// state. Callbacks (UpdatePayment's fn, Idempotent's fn) run while that
// transaction holds the write lock: they may read through the Store, but
// must never write through it; Idempotent's fn writes through the Writer it
// is given. Errors are *Error with ENotFound / EConflict where documented.
type Store interface {
	Writer

	// Shop returns a shop; ENotFound when unknown.
	Shop(ctx context.Context, shopID string) (*Shop, error)
	// CreateShop stores a shop; EConflict when the shopId exists.
	CreateShop(ctx context.Context, s Shop) error

	// Payment returns the shop's payment; ENotFound (PaymentNotFound) when
	// unknown or another shop's.
	Payment(ctx context.Context, shopID, id string) (*Payment, error)
	// PaymentAnyShop returns a payment of any shop (the control API).
	PaymentAnyShop(ctx context.Context, id string) (*Payment, error)
	// Refund returns the shop's refund; ENotFound (RefundNotFound) when
	// unknown or another shop's.
	Refund(ctx context.Context, shopID, id string) (*Refund, error)

	// Idempotent runs one idempotent POST in one write transaction. It looks
	// up the record (req.ShopID, req.Key): when one is live at req.CreatedAt
	// (IdemRecord.LiveAt) it returns rec.Replay(req.Fingerprint) and does not
	// call fn. Otherwise it calls fn with a Writer bound to the transaction
	// and, when fn succeeds, stores req with fn's status and body (replacing
	// an expired record) and commits it together with fn's writes, so the
	// operation, its record and its response are one commit. fn's error rolls
	// everything back and is returned: errors are never stored.
	Idempotent(ctx context.Context, req IdemRecord, fn func(tx Writer) (status int, body []byte, err error)) (status int, body []byte, err error)
}
