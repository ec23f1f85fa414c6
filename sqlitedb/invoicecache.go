package sqlitedb

import (
	"errors"

	"github.com/paysandbox/paysandbox/cryptomus"
)

// The writer's view of Cryptomus invoices and merchants. A payment or a
// refund loaded its invoice and its merchant (with the wallets) from SQLite
// inside the writer, a third of the change's cost, though the writer itself
// had written both a moment before. As with orders (ordercache.go), the
// writer keeps the rows of the invoices it wrote, as of their last commit;
// merchants it takes from the read cache, which holds every merchant as
// last committed (readcache.go). Should another process have changed either
// meanwhile, the version guard of the update finds no row, and the update
// is decided once more from SQLite alone.

// errStaleCache makes UpdateInvoice decide again without the caches.
var errStaleCache = errors.New("sqlitedb: the cached invoice or merchant is stale")

// invoiceCacheSize bounds the cache; when full it starts again empty.
const invoiceCacheSize = 4096

func (p *pendingRows) stageInvoice(row cmInvoiceRow) {
	if p.invoices == nil {
		p.invoices = map[string]cmInvoiceRow{}
	}
	p.invoices[row.uuid] = row
}

// cachedInvoice finds the freshest row of an invoice this process wrote:
// this write's own, then the batch's, then the committed cache.
func (t *txn) cachedInvoice(uuid string) (cmInvoiceRow, bool) {
	if row, found, final := staged(t, func(p *pendingRows) map[string]cmInvoiceRow { return p.invoices }, uuid); final {
		return row, found
	}
	return t.d.invoices.get(uuid)
}

// knownMerchant finds the freshest merchant: as written by this write or
// the batch, else as last committed; nil when not known. It is shared:
// cachedMerchant is the copy to change.
func (t *txn) knownMerchant(uuid string) *cryptomus.Merchant {
	if m, _, final := staged(t, func(p *pendingRows) map[string]*cryptomus.Merchant { return p.merchants }, uuid); final {
		return m
	}
	m, _, _ := t.d.merchants.get(uuid)
	return m
}

// cachedMerchant is a copy of knownMerchant's merchant, or nil.
func (t *txn) cachedMerchant(uuid string) *cryptomus.Merchant {
	if m := t.knownMerchant(uuid); m != nil {
		return cloneMerchant(m)
	}
	return nil
}
