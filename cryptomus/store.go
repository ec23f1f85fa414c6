package cryptomus

import "context"

// Store keeps Cryptomus's state. Update* run fn inside one write transaction
// on the current rows and persist what fn changed only when fn succeeds,
// guarded by the versions they loaded, so two racing changes are serialized
// and the loser sees the winner's state. On a successful write the store
// bumps Version (by one) of every entity it wrote. fn must not call the
// store. Every method returns *Error with ENotFound / EConflict where
// documented; uuids are compared as given (the Operations lower-case them).
type Store interface {
	Merchant(ctx context.Context, uuid string) (*Merchant, error) // ENotFound when unknown
	CreateMerchant(ctx context.Context, m *Merchant) error        // EConflict when the uuid exists
	// UpdateMerchant persists fn's changes to the merchant and its wallets.
	UpdateMerchant(ctx context.Context, uuid string, fn func(*Merchant) error) (*Merchant, error)

	// CreateInvoice stores a new invoice; EConflict when the merchant has
	// already used its order_id (or, in theory, its uuid exists); ENotFound
	// when the merchant does not exist.
	CreateInvoice(ctx context.Context, inv *Invoice) error
	// InvoiceByUUID and InvoiceByOrderID read one of the merchant's
	// invoices; ENotFound when it has no such invoice.
	InvoiceByUUID(ctx context.Context, merchantUUID, uuid string) (*Invoice, error)
	InvoiceByOrderID(ctx context.Context, merchantUUID, orderID string) (*Invoice, error)
	// InvoiceByUUIDAnyMerchant reads any merchant's invoice (control API).
	InvoiceByUUIDAnyMerchant(ctx context.Context, uuid string) (*Invoice, error)
	// UpdateInvoice loads the invoice and its merchant in one write
	// transaction, applies fn and writes both back, so that a refund
	// changes the invoice and the wallet balance atomically.
	UpdateInvoice(ctx context.Context, uuid string, fn func(inv *Invoice, m *Merchant) error) (*Invoice, error)
}
