package sqlitedb

import "sync"

// readCache keeps values read from SQLite outside the writer — things
// every request reads and almost none writes: the token a Medusa call
// authenticates with, the recipient an order names, the order that holds a
// service, the YooKassa shop a call authenticates as, the Cryptomus merchant
// that signed a call (its wallets change often, but only through the
// writer, which then stores the new merchant here). Readers take a
// generation before they read SQLite and store what they read only if no
// write that may have changed such values committed meanwhile; the writer
// empties the cache (and moves the generation on) right after such a
// commit, before it answers the write's caller. Only found values are
// kept, and callers get copies.
type readCache[V any] struct {
	mu  sync.Mutex
	m   map[string]V
	gen uint64
}

// readCacheSize bounds each cache; when full it starts again empty.
const readCacheSize = 4096

func (c *readCache[V]) get(key string) (v V, gen uint64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok = c.m[key]
	return v, c.gen, ok
}

func (c *readCache[V]) put(key string, v V, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return // a write committed since the read: it may be stale
	}
	if c.m == nil || len(c.m) >= readCacheSize {
		c.m = make(map[string]V)
	}
	c.m[key] = v
}

// set stores what the writer itself has just committed.
func (c *readCache[V]) set(key string, v V) {
	_, gen, _ := c.get(key)
	c.put(key, v, gen)
}

// update stores a new value the writer has just committed for a key whose
// value can change: unlike set it also fails the puts of reads in flight,
// which may have read the old value.
func (c *readCache[V]) update(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if c.m == nil || len(c.m) >= readCacheSize {
		c.m = make(map[string]V)
	}
	c.m[key] = v
}

// invalidate forgets everything and fails the puts of reads in flight.
func (c *readCache[V]) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

// committed brings the caches up to what a batch has just committed, before
// its callers are answered.
func (d *DB) committed(p *pendingRows) {
	d.orders.commit(p.reset, p.orders, orderCacheSize)
	d.invoices.commit(p.reset, p.invoices, invoiceCacheSize)
	if p.reset {
		d.tokens.invalidate()
		d.shops.invalidate()
		d.serviceOrders.invalidate()
		d.merchants.invalidate()
	}
	for uuid, m := range p.merchants {
		d.merchants.update(uuid, m)
	}
	if p.reset || p.recipients {
		d.recipients.invalidate()
	}
	for k, orderExtID := range p.serviceOrders {
		d.serviceOrders.set(k, orderExtID)
	}
}
