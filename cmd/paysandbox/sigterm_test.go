package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSIGTERMUnderLoad (issue #7, part 5): the real binary is stopped with
// SIGTERM at random moments while many connections drive Medusa
// lifecycles, Cryptomus invoices and refunds, YooKassa payments and
// refunds and LCManager PaymentCommits. It must exit 0 within
// sigtermBound; restarted on the same database it must show every request
// that was answered 200, and nothing that was not asked for. A request
// refused during the shutdown must be a connection error or a documented
// answer (PaymentCommit's ErrorCode 7: its YooKassa, this very server, is
// no longer reachable), never a 200 that is then missing.
func TestSIGTERMUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("SIGTERM under load runs the real binary 5 times")
	}
	bin := buildBinary(t)
	db := filepath.Join(t.TempDir(), "sigterm.db")
	slow := slowYooKassa(t)
	rng := rand.New(rand.NewPCG(7, 11))
	acks := newAckBook()
	const rounds = 5
	var slowest time.Duration
	inFlight := 0 // requests in flight at a SIGTERM, each answered
	for round := range rounds {
		p := startServer(t, bin, db, "--yookassa-upstream", "self,"+slow)
		if round == 0 {
			acks.setup(t, p.url)
		} else {
			acks.verify(t, p.url)
		}
		ctx, stopLoad := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for w := range sigtermWorkers {
			for _, drive := range []func(context.Context, *loadWorker){driveMedusa, driveCryptomus, driveYooKassa, driveCommit, driveSlowCommit} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					drive(ctx, &loadWorker{url: p.url, id: fmt.Sprintf("r%dw%d", round, w), w: w, book: acks,
						client: &http.Client{Timeout: 20 * time.Second}, slow: slow})
				}()
			}
		}
		time.Sleep(time.Duration(150+rng.IntN(600)) * time.Millisecond)
		before := acks.total()
		sent := time.Now()
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-p.exited:
			took := time.Since(sent)
			slowest = max(slowest, took)
			if err != nil {
				t.Fatalf("round %d: after SIGTERM the server exited with %v (want 0) after %s\n%s", round, err, took, p.tail())
			}
		case <-time.After(sigtermBound):
			_ = p.cmd.Process.Kill()
			t.Fatalf("round %d: the server did not exit within %s of SIGTERM\n%s", round, sigtermBound, p.tail())
		}
		stopLoad()
		wg.Wait()
		// Graceful: a request the server was working on at the SIGTERM
		// (a PaymentCommit waiting for the slow YooKassa, sent well before
		// the signal) gets its answer.
		for _, c := range acks.takeSlow() {
			if c.sent.Before(sent.Add(-slowMargin)) && c.done.After(sent) {
				inFlight++
				if !c.answered {
					t.Errorf("round %d: a PaymentCommit sent %s before the SIGTERM, in flight at it, got no answer: the shutdown is not graceful",
						round, sent.Sub(c.sent).Round(time.Millisecond))
				}
			}
		}
		if acks.total() == before {
			t.Logf("round %d: nothing was acknowledged after the SIGTERM", round)
		}
		if !strings.Contains(p.stderr.String(), "shutting down") {
			t.Errorf("round %d: the server did not log its graceful shutdown", round)
		}
	}
	p := startServer(t, bin, db, "--yookassa-upstream", "self,"+slow)
	acks.verify(t, p.url)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-p.exited; err != nil {
		t.Fatalf("idle SIGTERM: exit %v", err)
	}
	s := acks.stats()
	if s.acked < rounds*50 {
		t.Fatalf("only %d requests were acknowledged over %d rounds: the load did not run", s.acked, rounds)
	}
	if inFlight < rounds {
		t.Errorf("only %d requests were in flight at %d SIGTERMs: the graceful shutdown was not exercised", inFlight, rounds)
	}
	if len(acks.bad) > 0 {
		t.Errorf("%d answers were neither a 200, a connection error nor a documented refusal, e.g. %s", len(acks.bad), acks.bad[0])
	}
	t.Logf("%d SIGTERMs under load: %d requests acknowledged, all in the database; %d refused with a connection error (%d of them applied all the same), %d with PaymentCommit ErrorCode 7; %d in flight at a SIGTERM; slowest exit %s",
		rounds, s.acked, s.connErrors, s.appliedUnanswered, s.commit7, inFlight, slowest.Round(time.Millisecond))
}

const (
	sigtermWorkers = 6 // per API: 24 connections at once
	sigtermBound   = 15 * time.Second
)

// --- what was acknowledged ---

// ackBook records, per resource, how far the acknowledged requests took it
// (level) and whether one more request was in flight when its connection
// failed (uncertain: it may or may not have been applied).
type ackBook struct {
	mu         sync.Mutex
	medusa     map[string]*progress   // order → 1 created … 8 finished
	invoices   map[string]*cmProgress // order_id → 1 created, 2 paid, 3 refunded
	payments   map[string]*ykProgress // Idempotence-Key of the create → 1 pending … 4 refunded
	commits    map[string]*commitAck  // IdempotenceKey → the payment
	merchants  []cmMerchantKey
	bad        []string
	acked      int
	connErrors int
	commit7    int
	// appliedUnanswered counts requests that the database shows although
	// their client got a connection error instead of the answer.
	appliedUnanswered int
	slow              []slowCall // this round's calls through the slow YooKassa
}

type slowCall struct {
	sent, done time.Time
	answered   bool
}

// takeSlow returns and forgets this round's slow calls.
func (b *ackBook) takeSlow() []slowCall {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.slow
	b.slow = nil
	return out
}

type progress struct {
	level     int
	uncertain bool
}

type cmProgress struct {
	progress
	merchant int
}

type ykProgress struct {
	progress
	id, createBody string
	created        []byte // the create's answer, for the replay check
}

type commitAck struct {
	paymentID string
}

// commitBody is a PaymentCommit of a payment of 7.50 with key as its
// IdempotenceKey and description, calling the YooKassa of the server at url.
func commitBody(url, key string) string {
	return string(mustJSON(map[string]any{"Refund": false, "Amount": 7.5, "Description": key,
		"ApiParams": map[string]any{"Url": url + "/yookassa/v3", "Login": ykShop, "Password": ykSecret, "IdempotenceKey": key}}))
}

type cmMerchantKey struct{ merchant, key string }

func newAckBook() *ackBook {
	return &ackBook{medusa: map[string]*progress{}, invoices: map[string]*cmProgress{},
		payments: map[string]*ykProgress{}, commits: map[string]*commitAck{}}
}

func (b *ackBook) total() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.acked
}

type ackStats struct{ acked, connErrors, commit7, appliedUnanswered int }

func (b *ackBook) stats() ackStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return ackStats{b.acked, b.connErrors, b.commit7, b.appliedUnanswered}
}

// setup creates one Cryptomus merchant per worker (their balances are
// checked against their invoices).
func (b *ackBook) setup(t *testing.T, url string) {
	for w := range sigtermWorkers {
		key := fmt.Sprintf("sigterm-key-%d", w)
		var m map[string]any
		if st := call(t, url, "POST", "/sandbox/v1/cryptomus/merchants", nil, fmt.Sprintf(`{"paymentKey":%q,"wallets":["USDT"]}`, key), &m); st != 201 {
			t.Fatalf("create merchant: %d %v", st, m)
		}
		b.merchants = append(b.merchants, cmMerchantKey{m["merchant"].(string), key})
	}
}

// call is a plain request for setup and verification (t.Fatal on a
// connection error); it decodes a JSON answer into out and returns the status.
func call(t *testing.T, url, method, path string, header map[string]string, body string, out any) int {
	t.Helper()
	r, err := request(method, url+path, header, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if out != nil {
		if p, ok := out.(*[]byte); ok {
			*p = r.body
		} else if err := json.Unmarshal(r.body, out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, r.status, r.body)
		}
	}
	return r.status
}

// within checks a level read back from the database against the book.
func (b *ackBook) within(t *testing.T, what string, got int, p *progress) {
	t.Helper()
	if got == p.level+1 && p.uncertain {
		b.appliedUnanswered++
	}
	switch {
	case got < p.level:
		t.Fatalf("%s: %d transitions were acknowledged, the database shows %d: an acknowledged request was lost", what, p.level, got)
	case got > p.level+1 || got == p.level+1 && !p.uncertain:
		t.Fatalf("%s: %d transitions were acknowledged (in flight: %t), the database shows %d", what, p.level, p.uncertain, got)
	}
	// What the database shows is what the next round builds on.
	p.level, p.uncertain = got, false
}

// verify checks everything in the book against the restarted server.
func (b *ackBook) verify(t *testing.T, url string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	medusaAuth := map[string]string{"Authorization": "Bearer " + defaultToken}
	for order, p := range b.medusa {
		var l struct {
			Balances map[string]string `json:"balances"`
			Entries  []struct {
				Step string `json:"step"`
			} `json:"entries"`
		}
		got := 0
		if st := call(t, url, "GET", "/sandbox/v1/medusa/orders/"+order+"/ledger", medusaAuth, "", &l); st == 200 {
			got = 1 + len(l.Entries)
			for i, e := range l.Entries {
				if e.Step != lifecycle[i].name {
					t.Fatalf("order %s: ledger row %d is %s, want %s", order, i, e.Step, lifecycle[i].name)
				}
			}
			want := map[int]string{1: "0.00", 2: "1500.00", 3: "600.00", 4: "595.00", 5: "95.00", 6: "75.00", 7: "0.00", 8: "0.00"}[got]
			if l.Balances["nominal"] != want {
				t.Fatalf("order %s at %d: nominal %s, want %s", order, got, l.Balances["nominal"], want)
			}
		} else if st != 404 {
			t.Fatalf("order %s ledger: %d", order, st)
		}
		b.within(t, "Medusa order "+order, got, p)
	}

	cmLevels := map[string]int{"check": 1, "paid": 2, "refund_process": 3}
	balances := make([]int, len(b.merchants)) // expected balance in kopecks of USDT cents
	for orderID, p := range b.invoices {
		m := b.merchants[p.merchant]
		body := fmt.Sprintf(`{"order_id":%q}`, orderID)
		var info struct {
			Result struct {
				Status string `json:"status"`
			} `json:"result"`
			Message string `json:"message"`
		}
		got := 0
		switch st := call(t, url, "POST", "/v1/payment/info", map[string]string{"merchant": m.merchant, "sign": cmSign(body, m.key)}, body, &info); {
		case st == 200:
			got = cmLevels[info.Result.Status]
			if got == 0 {
				t.Fatalf("invoice %s: status %s", orderID, info.Result.Status)
			}
		case st == 422 && info.Message == "Payment was not found":
		default:
			t.Fatalf("invoice %s info: %d %s", orderID, st, info.Message)
		}
		b.within(t, "Cryptomus invoice "+orderID, got, &p.progress)
		balances[p.merchant] += map[int]int{2: 1000, 3: -10}[got] // paid 10.00; refunded 10.00 + 0.10 fee
	}
	for i, m := range b.merchants {
		var mv struct {
			Wallets []struct{ Currency, Balance string } `json:"wallets"`
		}
		call(t, url, "GET", "/sandbox/v1/cryptomus/merchants/"+m.merchant, nil, "", &mv)
		want := cents8(balances[i])
		if len(mv.Wallets) != 1 || mv.Wallets[0].Balance != want {
			t.Fatalf("merchant %d: wallets %v, want USDT %s from its invoices", i, mv.Wallets, want)
		}
	}

	ykAuth := map[string]string{"Authorization": "Basic " + basic(ykShop, ykSecret)}
	ykLevels := map[string]int{"pending": 1, "waiting_for_capture": 2, "succeeded": 3}
	for key, p := range b.payments {
		got := 0
		if p.id != "" {
			var pay struct {
				Status   string `json:"status"`
				Refunded *struct {
					Value string `json:"value"`
				} `json:"refunded_amount"`
			}
			if st := call(t, url, "GET", "/yookassa/v3/payments/"+p.id, ykAuth, "", &pay); st != 200 {
				t.Fatalf("payment %s: %d", p.id, st)
			}
			got = ykLevels[pay.Status]
			if pay.Refunded != nil && pay.Refunded.Value == "10.00" && got == 3 {
				got = 4
			}
			// The acknowledged create's idempotence record is there too:
			// the same request gets the same answer, byte for byte.
			var again []byte
			h := map[string]string{"Authorization": ykAuth["Authorization"], "Idempotence-Key": key}
			if st := call(t, url, "POST", "/yookassa/v3/payments", h, p.createBody, &again); st != 200 || !bytes.Equal(again, p.created) {
				t.Fatalf("payment %s: replaying its create answered %d %s, not %s", p.id, st, again, p.created)
			}
		}
		b.within(t, "YooKassa payment "+key, got, &p.progress)
	}
	for key, c := range b.commits {
		var a commitAnswer
		// The same call (to the restarted server's own YooKassa) finds the
		// payment by its IdempotenceKey.
		call(t, url, "POST", "/api/yookassa/PaymentCommit", nil, commitBody(url, key), &a)
		if a.ErrorCode != 0 || a.PaymentID == nil || *a.PaymentID != c.paymentID {
			t.Fatalf("PaymentCommit %s acknowledged payment %s; replayed after the restart it answers %v", key, c.paymentID, a)
		}
	}
}

// cents8 writes an amount of cents as Cryptomus's 8-decimal balance.
func cents8(c int) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d000000", sign, c/100, c%100)
}

// --- load ---

type loadWorker struct {
	url, id string
	w       int
	book    *ackBook
	client  *http.Client
	slow    string // the slow YooKassa's base URL
}

// post sends one request. It returns the answer when it is a 200; on a
// connection error it returns ok false (the caller marks the step
// uncertain and stops); any other answer is recorded as bad.
func (lw *loadWorker) post(ctx context.Context, path string, header map[string]string, body string) (raw []byte, ok bool) {
	req, _ := http.NewRequestWithContext(ctx, "POST", lw.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := lw.client.Do(req)
	if err != nil {
		lw.book.mu.Lock()
		if ctx.Err() == nil {
			lw.book.connErrors++
		}
		lw.book.mu.Unlock()
		return nil, false
	}
	defer res.Body.Close()
	raw, err = io.ReadAll(res.Body)
	if err != nil {
		lw.book.mu.Lock()
		lw.book.connErrors++
		lw.book.mu.Unlock()
		return nil, false
	}
	if res.StatusCode != 200 {
		lw.bad(fmt.Sprintf("POST %s: %d %s", path, res.StatusCode, raw))
		return nil, false
	}
	return raw, true
}

func (lw *loadWorker) bad(s string) {
	lw.book.mu.Lock()
	defer lw.book.mu.Unlock()
	lw.book.bad = append(lw.book.bad, s)
}

// ack runs fn (the book's update) under the book's lock and counts one
// acknowledged request.
func (lw *loadWorker) ack(fn func()) {
	lw.book.mu.Lock()
	defer lw.book.mu.Unlock()
	lw.book.acked++
	fn()
}

func driveMedusa(ctx context.Context, lw *loadWorker) {
	auth := map[string]string{"Authorization": "Bearer " + defaultToken}
	for i := 0; ctx.Err() == nil; i++ {
		order, confirmed, rejected := sigtermUUID(lw.id, "o", i), sigtermUUID(lw.id, "c", i), sigtermUUID(lw.id, "r", i)
		p := &progress{uncertain: true}
		lw.book.mu.Lock()
		lw.book.medusa[order] = p
		lw.book.mu.Unlock()
		_, body := orderBody(3, order, medusaRecipient, medusaPayout, confirmed, rejected, "confirmed", "rejected")
		if _, ok := lw.post(ctx, "/medusa/v3.0/orders", auth, string(mustJSON(body))); !ok {
			return
		}
		lw.ack(func() { p.level = 1 })
		ids := map[string]string{"order": order, "confirmed": confirmed, "rejected": rejected}
		for _, s := range lifecycle {
			key := map[bool]string{true: "orderExtId", false: "serviceExtId"}[s.key == "order"]
			if _, ok := lw.post(ctx, "/medusa/v1.0/sandbox/"+s.name, auth, fmt.Sprintf(`{%q:%q}`, key, ids[s.key])); !ok {
				return
			}
			lw.ack(func() { p.level++ })
		}
		lw.book.mu.Lock()
		p.uncertain = false // done with this order
		lw.book.mu.Unlock()
	}
}

var uuidish = regexp.MustCompile(`[^0-9a-f]`)

// sigtermUUID is a readable, unique UUID per worker, kind and iteration.
func sigtermUUID(worker, kind string, i int) string {
	w := uuidish.ReplaceAllString(fmt.Sprintf("%x", worker), "0")
	return fmt.Sprintf("%08s-%04x-4000-8000-%012x", w[len(w)-min(8, len(w)):], map[string]int{"o": 1, "c": 2, "r": 3}[kind], i)
}

func driveCryptomus(ctx context.Context, lw *loadWorker) {
	m := lw.book.merchants[lw.w]
	sign := func(body string) map[string]string {
		return map[string]string{"merchant": m.merchant, "sign": cmSign(body, m.key)}
	}
	for i := 0; ctx.Err() == nil; i++ {
		orderID := fmt.Sprintf("sigterm-%s-%d", lw.id, i)
		p := &cmProgress{progress: progress{uncertain: true}, merchant: lw.w}
		lw.book.mu.Lock()
		lw.book.invoices[orderID] = p
		lw.book.mu.Unlock()
		body := fmt.Sprintf(`{"amount":"10.00","currency":"USDT","order_id":%q}`, orderID)
		raw, ok := lw.post(ctx, "/v1/payment", sign(body), body)
		if !ok {
			return
		}
		lw.ack(func() { p.level = 1 })
		var inv struct {
			Result struct {
				UUID string `json:"uuid"`
			} `json:"result"`
		}
		_ = json.Unmarshal(raw, &inv)
		if _, ok := lw.post(ctx, "/sandbox/v1/cryptomus/invoices/"+inv.Result.UUID+"/status", nil, `{"status":"paid","paymentAmount":"10.00"}`); !ok {
			return
		}
		lw.ack(func() { p.level = 2 })
		body = fmt.Sprintf(`{"uuid":%q,"address":%q,"is_subtract":true}`, inv.Result.UUID, cmAddress)
		if _, ok := lw.post(ctx, "/v1/payment/refund", sign(body), body); !ok {
			return
		}
		lw.ack(func() { p.level, p.uncertain = 3, false })
	}
}

func driveYooKassa(ctx context.Context, lw *loadWorker) {
	auth := "Basic " + basic(ykShop, ykSecret)
	for i := 0; ctx.Err() == nil; i++ {
		key := fmt.Sprintf("sigterm-%s-%d", lw.id, i)
		hdr := func(suffix string) map[string]string {
			return map[string]string{"Authorization": auth, "Idempotence-Key": key + suffix}
		}
		body := fmt.Sprintf(`{"amount":{"value":"50.00","currency":"RUB"},"capture":false,"confirmation":{"type":"redirect","return_url":"https://shop.example/r"},"description":%q}`, key)
		p := &ykProgress{progress: progress{uncertain: true}, createBody: body}
		lw.book.mu.Lock()
		lw.book.payments[key] = p
		lw.book.mu.Unlock()
		raw, ok := lw.post(ctx, "/yookassa/v3/payments", hdr(""), body)
		if !ok {
			return
		}
		var pay struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(raw, &pay)
		lw.ack(func() { p.level, p.id, p.created = 1, pay.ID, raw })
		if _, ok := lw.post(ctx, "/sandbox/v1/yookassa/payments/"+pay.ID+"/confirm", nil, ""); !ok {
			return
		}
		lw.ack(func() { p.level = 2 })
		if _, ok := lw.post(ctx, "/yookassa/v3/payments/"+pay.ID+"/capture", hdr("-c"), `{}`); !ok {
			return
		}
		lw.ack(func() { p.level = 3 })
		refund := fmt.Sprintf(`{"payment_id":%q,"amount":{"value":"10.00","currency":"RUB"}}`, pay.ID)
		if _, ok := lw.post(ctx, "/yookassa/v3/refunds", hdr("-r"), refund); !ok {
			return
		}
		lw.ack(func() { p.level, p.uncertain = 4, false })
	}
}

// driveCommit creates payments through PaymentCommit, which calls this
// very server's YooKassa over HTTP.
func driveCommit(ctx context.Context, lw *loadWorker) {
	for i := 0; ctx.Err() == nil; i++ {
		key := fmt.Sprintf("sigterm-commit-%s-%d", lw.id, i)
		raw, ok := lw.post(ctx, "/api/yookassa/PaymentCommit", nil, commitBody(lw.url, key))
		if !ok {
			return
		}
		var a commitAnswer
		if err := json.Unmarshal(raw, &a); err != nil {
			lw.bad("PaymentCommit: " + string(raw))
			return
		}
		switch {
		case a.ErrorCode == 0 && a.PaymentID != nil:
			lw.ack(func() { lw.book.commits[key] = &commitAck{paymentID: *a.PaymentID} })
		case a.ErrorCode == 7:
			// Documented: YooKassa (this server, shutting down) is unreachable.
			lw.book.mu.Lock()
			lw.book.commit7++
			lw.book.mu.Unlock()
			return
		default:
			lw.bad(fmt.Sprintf("PaymentCommit: %v", a))
			return
		}
	}
}

// slowDelay is how long the slow YooKassa takes to answer; slowMargin is how
// long before a SIGTERM a call must have been sent to count as in flight
// (the server has surely accepted and read it by then).
const (
	slowDelay  = 400 * time.Millisecond
	slowMargin = 100 * time.Millisecond
)

// slowYooKassa is a YooKassa, outside the server, that creates a payment
// after slowDelay: PaymentCommits calling it are in flight for that long.
func slowYooKassa(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		time.Sleep(slowDelay)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":"2f8e6c9b-000f-5000-a000-%012d","status":"pending","paid":false,`+
			`"amount":{"value":"7.50","currency":"RUB"},"recipient":{"account_id":"100500","gateway_id":"100500"},`+
			`"created_at":"2024-01-01T00:00:00.000Z","test":true,"refundable":false,`+
			`"confirmation":{"type":"embedded","confirmation_token":"ct-slow"}}`, time.Now().UnixNano()%1e12)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/yookassa/v3"
}

// driveSlowCommit sends PaymentCommits that call the slow YooKassa, one
// after another, noting when each was sent and whether it was answered.
func driveSlowCommit(ctx context.Context, lw *loadWorker) {
	if lw.w >= 2 {
		return // two connections are enough to have calls in flight at every SIGTERM
	}
	for i := 0; ctx.Err() == nil; i++ {
		key := fmt.Sprintf("sigterm-slow-%s-%d", lw.id, i)
		body := string(mustJSON(map[string]any{"Refund": false, "Amount": 7.5, "Description": key,
			"ApiParams": map[string]any{"Url": lw.slow, "Login": ykShop, "Password": ykSecret, "IdempotenceKey": key}}))
		c := slowCall{sent: time.Now()}
		raw, ok := lw.post(ctx, "/api/yookassa/PaymentCommit", nil, body)
		c.done = time.Now()
		if ok {
			var a commitAnswer
			if err := json.Unmarshal(raw, &a); err != nil || a.ErrorCode != 0 {
				lw.bad("PaymentCommit through the slow YooKassa: " + string(raw))
			} else {
				c.answered = true
				lw.ack(func() {})
			}
		}
		lw.book.mu.Lock()
		lw.book.slow = append(lw.book.slow, c)
		lw.book.mu.Unlock()
		if !ok {
			return
		}
	}
}
