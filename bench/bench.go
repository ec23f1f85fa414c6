// Package bench is paysandbox's load generator: it drives whole provider
// lifecycles against a base URL at full speed for a fixed time with N
// connections, measures every request, checks afterwards that every
// acknowledged transition is really there, and compares the throughput with
// a bare net/http handler driven the same way.
package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Config is one run.
type Config struct {
	BaseURL  string
	Duration time.Duration
	Conns    int
	// Flows to mix, round-robin per worker; nil runs every flow.
	Flows []Flow
	// LoadDone, when set, is called as soon as the load stops, before the
	// lifecycles are verified (the caller's measurements of the load end
	// there).
	LoadDone func()
}

// Flow is one provider lifecycle, run again and again by each worker.
type Flow struct {
	Name string
	// Run performs one whole lifecycle through c and returns what Verify
	// needs to find it again (an order id, an invoice uuid, …).
	Run func(c *Client) (string, error)
	// Verify checks, after the run, that a lifecycle Run finished is fully
	// there (states, balanced ledgers).
	Verify func(c *Client, id string) error
}

// Client is one worker's connection to the server.
type Client struct {
	conn   *conn
	shard  *shard
	worker int
	seq    int
}

// ID returns a UUID unique within the run: worker, sequence and a run salt.
func (c *Client) ID() string {
	c.seq++
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", runSalt, c.worker&0xffff, (c.seq>>24)&0xfff, (c.seq>>12)&0xfff, c.seq&0xfffffffff)
}

var runSalt = uint32(time.Now().UnixNano())

// Request is one call of a flow.
type Request struct {
	Op       string // the operation's name in the report
	Mutating bool   // counts as a state-changing request
	Method   string
	Path     string
	Header   http.Header
	Body     []byte
	Want     int // the documented status this step must get
}

// Do sends r, records its latency under r.Op, and fails when the status is
// not r.Want; its failures are *Failure.
func (c *Client) Do(r Request) ([]byte, error) {
	start := time.Now()
	status, body, err := c.conn.roundTrip(r.Method, r.Path, r.Header, r.Body)
	if c.shard != nil && err == nil {
		c.shard.add(r.Op, r.Mutating, time.Since(start))
	}
	if err != nil {
		return nil, &Failure{Op: r.Op, Reason: "transport error", Detail: err.Error()}
	}
	if status != r.Want {
		return body, &Failure{Op: r.Op, Reason: fmt.Sprintf("status %d, want %d", status, r.Want), Detail: string(body)}
	}
	return body, nil
}

// Failure is why a lifecycle stopped: the operation, a reason the same for
// every failure of its kind (the report counts by it), and the detail.
type Failure struct {
	Op, Reason, Detail string
}

func (f *Failure) Error() string {
	return fmt.Sprintf("%s: %s: %.300s", f.Op, f.Reason, f.Detail)
}

// BadAnswer is a Failure for an answer of the documented status that the
// flow cannot go on with (an ErrorCode, a missing id).
func BadAnswer(op, reason string, body []byte) *Failure {
	return &Failure{Op: op, Reason: reason, Detail: string(body)}
}

// countFailure counts the failure that stopped a lifecycle (a lifecycle
// stops at its first, so each is counted once): by its operation and
// reason, or, for anything but a Failure, under the flow's name.
func (c *Client) countFailure(flow string, err error) {
	var f *Failure
	if !errors.As(err, &f) {
		f = &Failure{Op: flow, Reason: "lifecycle failed", Detail: err.Error()}
	}
	c.shard.fail(f.Op, f.Reason, f.Detail)
}

// Result is what a run measured.
type Result struct {
	Elapsed  time.Duration
	Ops      []OpReport
	Requests int
	Mutating int
	Errors   map[string]int // "operation: reason" → how many
	// ErrorSamples has the first failure's detail for each Errors key.
	ErrorSamples map[string]string
	Lifecycles   map[string]int
	// Unverified lists lifecycles whose acknowledged state was not found.
	Unverified []string
	Verified   int
}

// RequestsPerSecond is the overall throughput.
func (r Result) RequestsPerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// MutatingPerSecond is the state-changing throughput.
func (r Result) MutatingPerSecond() float64 { return float64(r.Mutating) / r.Elapsed.Seconds() }

// ErrorCount sums the errors.
func (r Result) ErrorCount() int {
	n := 0
	for _, v := range r.Errors {
		n += v
	}
	return n
}

type done struct {
	flow string
	id   string
}

// Run drives the flows for cfg.Duration, then verifies every finished lifecycle.
func Run(ctx context.Context, cfg Config) (Result, error) {
	flows := cfg.Flows
	if len(flows) == 0 {
		return Result{}, fmt.Errorf("bench: no flows")
	}
	server, err := newConn(cfg.BaseURL)
	if err != nil {
		return Result{}, err
	}
	rec := newRecorder()
	var (
		mu       sync.Mutex
		finished []done
	)
	deadline := time.Now().Add(cfg.Duration)
	start := time.Now()
	var wg sync.WaitGroup
	for w := 0; w < cfg.Conns; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			cn := server.another()
			defer cn.close()
			c := &Client{conn: cn, shard: newShard(), worker: w}
			var mine []done
			// Whole lifecycles only: a worker starts one only before the
			// deadline, so every acknowledged step belongs to a lifecycle
			// that Verify can judge as a whole.
			for i := w; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				f := flows[i%len(flows)]
				id, err := f.Run(c)
				if err != nil {
					c.countFailure(f.Name, err)
					continue
				}
				mine = append(mine, done{f.Name, id})
			}
			rec.merge(c.shard)
			mu.Lock()
			finished = append(finished, mine...)
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	if cfg.LoadDone != nil {
		cfg.LoadDone()
	}
	res := Result{Elapsed: time.Since(start), Errors: rec.errs, ErrorSamples: rec.samples, Lifecycles: map[string]int{}}
	names := make([]string, 0, len(rec.ops))
	for name := range rec.ops {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		op := summarize(name, rec.ops[name])
		res.Ops = append(res.Ops, op)
		res.Requests += op.Count
		if op.Mutating {
			res.Mutating += op.Count
		}
	}
	for _, d := range finished {
		res.Lifecycles[d.flow]++
	}
	res.Verified, res.Unverified = verify(ctx, cfg, server, flows, finished)
	return res, nil
}

// verify re-reads every finished lifecycle with a few connections.
func verify(ctx context.Context, cfg Config, server *conn, flows []Flow, finished []done) (int, []string) {
	byName := map[string]Flow{}
	for _, f := range flows {
		byName[f.Name] = f
	}
	jobs := make(chan done)
	var (
		mu  sync.Mutex
		bad []string
		ok  int
		wg  sync.WaitGroup
	)
	for w := 0; w < min(cfg.Conns, 8); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cn := server.another()
			defer cn.close()
			c := &Client{conn: cn}
			for d := range jobs {
				err := byName[d.flow].Verify(c, d.id)
				mu.Lock()
				if err != nil {
					bad = append(bad, d.flow+" "+d.id+": "+err.Error())
				} else {
					ok++
				}
				mu.Unlock()
			}
		}()
	}
	for _, d := range finished {
		if ctx.Err() != nil {
			break
		}
		jobs <- d
	}
	close(jobs)
	wg.Wait()
	return ok, bad
}
