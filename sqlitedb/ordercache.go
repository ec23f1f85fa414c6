package sqlitedb

import (
	"sync"

	"github.com/paysandbox/paysandbox/cryptomus"
)

// The order cache. Reading an order with its services was a third of a
// Medusa state change inside the writer, and the order it reads is almost
// always one the writer itself wrote a moment before. So the writer keeps
// the rows of the orders it wrote, as of their last commit, and loads from
// them instead of from SQLite.
//
// Only the writer goroutine reads or fills it, and only committed rows
// enter it: a write stages its rows on its txn; they move to the batch when
// its savepoint is released and to the cache when the batch commits. Rows
// are kept as stored (orderRow, serviceRow: plain values), so every load
// still decodes a fresh medusa.Order that fn may change freely. The server
// owns its database file; should another process change an order anyway,
// the update's version guard finds no row and UpdateOrder decides again
// from SQLite (a refusal decided on the older rows is not retried).

// orderCacheSize bounds the cache; when full it starts again empty, which
// costs one SQLite load per order still in play.
const orderCacheSize = 4096

// cachedOrder is an order's rows as of a commit.
type cachedOrder struct {
	id, version int64
	row         orderRow
	services    []serviceRow // by position
	ids         []int64      // the services' row ids, by position
	lastSeq     int64        // the order's last posting seq
}

func orderKey(platformID, extID string) string { return platformID + "\x00" + extID }

// loaded turns cached rows into an order to update.
func (c *cachedOrder) loaded() (*loadedOrder, error) {
	var dec decoder
	lo := &loadedOrder{id: c.id, version: c.version, lastSeq: c.lastSeq, row: c.row, o: c.row.decode(&dec),
		services: make(map[string]serviceRow, len(c.services)), ids: make(map[string]int64, len(c.services))}
	for i, s := range c.services {
		lo.services[s.extID], lo.ids[s.extID] = s, c.ids[i]
		lo.o.Services = append(lo.o.Services, s.decode(&dec))
	}
	return lo, dec.err
}

// committedRows holds the rows the writer wrote, by key, as of their last
// commit (orders here, Cryptomus invoices in invoicecache.go); the mutex
// guards against readers in tests and the resets of other goroutines' view.
type committedRows[V any] struct {
	mu   sync.RWMutex
	rows map[string]V
}

func (c *committedRows[V]) get(key string) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.rows[key]
	return v, ok
}

// commit applies what a committed batch wrote: rows, after emptying the
// cache when the batch reset the data or the cache would pass size.
func (c *committedRows[V]) commit(reset bool, rows map[string]V, size int) {
	if !reset && len(rows) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if reset || c.rows == nil || len(c.rows)+len(rows) > size {
		c.rows = make(map[string]V, size)
	}
	for k, v := range rows {
		c.rows[k] = v
	}
}

// pendingRows is what the writes of a batch (or of one write) staged.
type pendingRows struct {
	orders map[string]*cachedOrder
	// reset: the data tables were emptied; nothing cached before holds.
	reset bool
	// recipients: a recipient or its payout methods changed (readcache.go).
	recipients bool
	// serviceOrders: platform+service extId → order extId, of new orders.
	serviceOrders map[string]string
	// merchants: Cryptomus merchants as written (copies), by uuid.
	merchants map[string]*cryptomus.Merchant
	// invoices: Cryptomus invoice rows as written, by uuid (invoicecache.go).
	invoices map[string]cmInvoiceRow
}

func (p *pendingRows) stageMerchant(m *cryptomus.Merchant) {
	if p.merchants == nil {
		p.merchants = map[string]*cryptomus.Merchant{}
	}
	p.merchants[m.UUID] = cloneMerchant(m)
}

func (p *pendingRows) stageOrder(key string, o *cachedOrder) {
	if p.orders == nil {
		p.orders = map[string]*cachedOrder{}
	}
	p.orders[key] = o
}

// absorb takes a released write's rows into its batch.
func (p *pendingRows) absorb(w *pendingRows) {
	if w.reset {
		*p = pendingRows{reset: true}
	}
	p.recipients = p.recipients || w.recipients
	for k, o := range w.orders {
		p.stageOrder(k, o)
	}
	for _, m := range w.merchants {
		p.stageMerchant(m)
	}
	for _, row := range w.invoices {
		p.stageInvoice(row)
	}
	for k, ext := range w.serviceOrders {
		if p.serviceOrders == nil {
			p.serviceOrders = map[string]string{}
		}
		p.serviceOrders[k] = ext
	}
}

// staged looks key up in what this write staged, then in what the writes
// before it in the transaction staged (of picks the kind of rows). final
// says the answer stands: found, or hidden because this transaction emptied
// the data tables, so that nothing committed before it counts; otherwise
// the caller asks its committed cache.
func staged[V any](t *txn, of func(*pendingRows) map[string]V, key string) (v V, found, final bool) {
	if v, ok := of(&t.rows)[key]; ok {
		return v, true, true
	}
	if t.batch != nil {
		if v, ok := of(t.batch)[key]; ok || t.batch.reset {
			return v, ok, true
		}
	}
	return v, false, t.rows.reset
}

// cachedOrder finds the freshest rows of an order this process wrote: this
// write's own, then the batch's, then the committed cache.
func (t *txn) cachedOrder(key string) *cachedOrder {
	if o, _, final := staged(t, func(p *pendingRows) map[string]*cachedOrder { return p.orders }, key); final {
		return o
	}
	o, _ := t.d.orders.get(key)
	return o
}
