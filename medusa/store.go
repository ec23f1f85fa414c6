package medusa

import (
	"context"
	"time"
)

// Store keeps Medusa's state. Update* run fn inside one write transaction
// on the current row and persist what fn changed only when fn succeeds, so
// two racing transitions are serialized and the loser sees the winner's state.
// fn may read through the store but must never write through it.
// Every method returns *Error with ENotFound / EConflict where documented.
type Store interface {
	Token(ctx context.Context, token string) (*Token, error) // ENotFound when unknown
	CreateToken(ctx context.Context, t Token) error          // EConflict when the token exists

	CreateRecipient(ctx context.Context, r *Recipient) error // EConflict on a duplicate extId
	Recipient(ctx context.Context, platformID, extID string) (*Recipient, error)
	UpdateRecipient(ctx context.Context, platformID, extID string, fn func(*Recipient) error) (*Recipient, error)

	// CreateOrder stores a new order; EConflict when the order's extId or
	// one of its services' extIds is already used by the platform.
	CreateOrder(ctx context.Context, o *Order) error
	Order(ctx context.Context, platformID, extID string) (*Order, error)
	OrderExtIDByService(ctx context.Context, platformID, serviceExtID string) (string, error)
	// UpdateOrder persists fn's changes and appends o.NewPostings.
	UpdateOrder(ctx context.Context, platformID, extID string, fn func(*Order) error) (*Order, error)
	ListOrders(ctx context.Context, platformID string, offset, limit int) (items []OrderSummary, total int, err error)
	// FinishedOrders are the orders finished within [from, to].
	FinishedOrders(ctx context.Context, platformID string, from, to time.Time) ([]*Order, error)
	Postings(ctx context.Context, platformID, orderExtID string) ([]Posting, error)
}
