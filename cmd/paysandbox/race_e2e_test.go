package main

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/paysandbox/paysandbox/openapi"
)

// Races through real HTTP (issue #7, part 2): for every state-changing
// operation of every API, raceN identical requests released at once by a
// barrier must produce exactly the documented outcome — one success and
// documented refusals, or one stored result replayed — and leave exactly one
// transition's worth of state behind.

const raceN = 100

// raceExempt lists the state-changing operations (POST/PUT/PATCH/DELETE in
// openapi/*.yaml) that have no race case, each with the reason why
// "identical concurrent requests" means nothing for it.
var raceExempt = map[string]string{
	// POST only because Cryptomus signs request bodies; it reads and changes nothing.
	"cryptomus/paymentInfo": "read-only",
}

// raceCase races one operation; op is "api/operationId" as in the specs
// (one operation may have several cases).
type raceCase struct {
	op, name string
	run      func(rc *raceCtx)
}

var raceCases = []raceCase{
	// Medusa: recipients and payout methods.
	{"medusa/createRecipient", "same extId", raceCreateRecipient},
	{"medusa/updateRecipient", "same version", raceUpdateRecipient},
	{"medusa/addSbpRecipientPayoutMethod", "same payoutMethodExtId", raceAddSbpMethod},
	{"medusa/addCardRecipientPayoutMethod", "same payoutMethodExtId", raceAddCardMethod},
	{"medusa/deleteRecipientPayoutMethod", "same method", raceDeleteMethod},
	{"medusa/deleteCardRecipientPayoutMethod", "same card", raceDeleteCardMethod},
	// Medusa: orders.
	{"medusa/createOrder", "same orderExtId", raceCreateOrder(1)},
	{"medusa/createOrderV2", "same orderExtId", raceCreateOrder(2)},
	{"medusa/createOrderV3", "same extId", raceCreateOrder(3)},
	{"medusa/updateOrder", "same orderVersion", raceUpdateOrder},
	{"medusa/makeOrderServicesDecision", "same decisions", raceDecisions},
	// Medusa: the sandbox steps; raceSteps races the seven of the lifecycle in
	// order on one order (their entries have no run of their own).
	{"medusa/markOrderAcquiringPaymentFailed", "unpaid order", raceAcquiringFailed},
	{"medusa/markOrderPaidByAcquirer", "lifecycle", raceSteps},
	{"medusa/proceedServicePayoutToRecipient", "lifecycle", nil},
	{"medusa/proceedServicePayoutCommission", "lifecycle", nil},
	{"medusa/proceedRefund", "lifecycle", nil},
	{"medusa/proceedAcquiringCommission", "lifecycle", nil},
	{"medusa/movePlatformCommissionToCommissionAccount", "lifecycle", nil},
	{"medusa/proceedPlatformCommission", "lifecycle", nil},
	// Cryptomus.
	{"cryptomus/createInvoice", "same order_id", raceCreateInvoice},
	{"cryptomus/refund", "same body", raceCryptomusRefund},
	{"cryptomus/refund", "by uuid and by order_id", raceCryptomusRefundMixed},
	// YooKassa.
	{"yookassa/createPayment", "same key and body", raceYKCreatePayment},
	{"yookassa/createPayment", "same key, different bodies", raceYKCreatePaymentKeyReuse},
	{"yookassa/capturePayment", "same key", raceYKTransition("capture", true)},
	{"yookassa/capturePayment", "different keys", raceYKTransition("capture", false)},
	{"yookassa/cancelPayment", "same key", raceYKTransition("cancel", true)},
	{"yookassa/cancelPayment", "different keys", raceYKTransition("cancel", false)},
	{"yookassa/createRefund", "same key", raceYKRefundSameKey},
	{"yookassa/createRefund", "different keys, 10 × 10.00 fit", raceYKRefundDifferentKeys},
	// LCManager.
	{"lcmanager/paymentCommit", "payment, same IdempotenceKey", raceCommitPayment},
	{"lcmanager/paymentCommit", "refund, same IdempotenceKey", raceCommitRefundSameKey},
	{"lcmanager/paymentCommit", "refunds, different keys, 10 × 10.00 fit", raceCommitRefundDifferentKeys},
	// Control API.
	{"sandbox/createMedusaToken", "same token", raceCreateToken},
	{"sandbox/createCryptomusMerchant", "same merchant", raceCreateMerchant},
	{"sandbox/updateCryptomusMerchant", "same body", raceUpdateMerchant},
	{"sandbox/setCryptomusInvoiceStatus", "paid", raceSetInvoiceStatus},
	{"sandbox/confirmYooKassaPayment", "pending payment", raceYKPayer("confirm")},
	{"sandbox/cancelYooKassaPayment", "pending payment", raceYKPayer("cancel")},
	{"sandbox/armFault", "same fault", raceArmFault},
	{"sandbox/clearFaults", "armed fault", raceClearFaults},
	{"sandbox/reset", "with state", raceReset}, // last: it wipes the others' state
}

// TestRaceCasesCoverEveryOperation fails when a state-changing operation of
// a spec has neither a race case nor an exemption, or when a case or an
// exemption names an operation that no spec has.
func TestRaceCasesCoverEveryOperation(t *testing.T) {
	ops := stateChangingOperations(t)
	covered := map[string]bool{}
	for _, c := range raceCases {
		covered[c.op] = true
		if !ops[c.op] {
			t.Errorf("race case %q names no state-changing operation of openapi/*.yaml", c.op)
		}
	}
	for op := range raceExempt {
		if !ops[op] {
			t.Errorf("exemption %q names no state-changing operation of openapi/*.yaml", op)
		}
		if covered[op] {
			t.Errorf("%q is both exempt and raced", op)
		}
	}
	var missing []string
	for op := range ops {
		if !covered[op] && raceExempt[op] == "" {
			missing = append(missing, op)
		}
	}
	sort.Strings(missing)
	for _, op := range missing {
		t.Errorf("state-changing operation %s has no race case in race_e2e_test.go (add one, or exempt it with the reason)", op)
	}
}

// stateChangingOperations is every POST, PUT, PATCH and DELETE operation of
// the embedded specs, as "api/operationId".
func stateChangingOperations(t *testing.T) map[string]bool {
	t.Helper()
	ops := map[string]bool{}
	for _, name := range openapi.Names() {
		raw, err := openapi.Spec(name)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				switch method {
				case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
					if op.OperationID == "" {
						t.Errorf("%s %s %s has no operationId", name, method, path)
					}
					ops[name+"/"+op.OperationID] = true
				}
			}
		}
	}
	if len(ops) < 30 {
		t.Fatalf("only %d state-changing operations found in the specs", len(ops))
	}
	return ops
}

// TestRaces runs every race case against one real server.
func TestRaces(t *testing.T) {
	if testing.Short() {
		t.Skip("races send thousands of requests")
	}
	s := startSandbox(t, "")
	rc := &raceCtx{url: s.url, dbPath: s.dbPath, client: raceClient()}
	rc.warmUp(t)
	start := time.Now()
	var table []string
	for _, c := range raceCases {
		if c.run == nil {
			continue // raced inside another case (the Medusa lifecycle)
		}
		t.Run(c.op+"/"+c.name, func(t *testing.T) {
			sub := *rc
			sub.t = t
			sub.s = &sandbox{t: t, url: s.url, dbPath: s.dbPath, stop: func() {}}
			sub.op, sub.name = c.op, c.name
			c.run(&sub)
			table = append(table, sub.rows...)
		})
	}
	t.Logf("%d race cases in %s:\n%s", len(table), time.Since(start).Round(time.Millisecond), strings.Join(table, "\n"))
}

// raceClient keeps a connection per racing request, so that the requests
// of a race arrive together instead of queueing for connections.
func raceClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = 0 // unlimited
	tr.MaxIdleConns = 4 * raceN
	tr.MaxIdleConnsPerHost = 2 * raceN
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

// raceCtx is one race case's test, server and client; rows collect the
// table of outcomes for the log.
type raceCtx struct {
	t        *testing.T
	s        *sandbox
	url      string
	dbPath   string
	client   *http.Client
	op, name string
	rows     []string
}

// hreq is one HTTP request to fire.
type hreq struct {
	method, path string
	header       map[string]string
	body         []byte
}

// raceResult is one answer (err set when the exchange failed).
type raceResult struct {
	status int
	header http.Header
	body   []byte
	err    error
}

// warmUp opens raceN idle connections.
func (rc *raceCtx) warmUp(t *testing.T) {
	rc.t = t
	res := rc.fire(func(int) hreq { return hreq{method: "GET", path: "/healthz"} })
	for _, r := range res {
		if r.err != nil || r.status != 200 {
			t.Fatalf("warm-up: %d %v", r.status, r.err)
		}
	}
}

// fire sends raceN requests at once: each goroutine builds its request,
// then all wait at a barrier that opens when every one is ready.
func (rc *raceCtx) fire(build func(i int) hreq) []raceResult {
	res := make([]raceResult, raceN)
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range raceN {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			h := build(i)
			req, err := http.NewRequest(h.method, rc.url+h.path, bytes.NewReader(h.body))
			if err == nil {
				if h.body == nil {
					req.Body, req.ContentLength = http.NoBody, 0
				}
				for k, v := range h.header {
					req.Header.Set(k, v)
				}
			}
			ready.Done()
			<-start
			if err != nil {
				res[i].err = err
				return
			}
			r, err := rc.client.Do(req)
			if err != nil {
				res[i].err = err
				return
			}
			defer r.Body.Close()
			body, err := io.ReadAll(r.Body)
			res[i] = raceResult{status: r.StatusCode, header: r.Header, body: body, err: err}
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
	return res
}

// expect classifies every answer, compares the tally with want (label →
// count) and records the row for the outcome table.
func (rc *raceCtx) expect(res []raceResult, classify func(raceResult) string, want map[string]int) {
	rc.t.Helper()
	got := map[string]int{}
	for _, r := range res {
		label := ""
		if r.err != nil {
			label = "transport error: " + r.err.Error()
		} else {
			label = classify(r)
		}
		got[label]++
	}
	rc.rows = append(rc.rows, fmt.Sprintf("%-52s %-40s want %-44s got %s", rc.op, rc.name, tally(want), tally(got)))
	if tally(got) != tally(want) {
		rc.t.Errorf("%s (%s): got %s, want %s", rc.op, rc.name, tally(got), tally(want))
		for _, r := range res {
			if r.err != nil || classify(r) != "200" && want[classify(r)] == 0 {
				rc.t.Logf("e.g. %d %s %v", r.status, r.body, r.err)
				break
			}
		}
	}
}

func tally(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d × %s", m[k], k))
	}
	return strings.Join(parts, ", ")
}

// withStatus returns the answers with the given status.
func withStatus(res []raceResult, status int) []raceResult {
	var out []raceResult
	for _, r := range res {
		if r.err == nil && r.status == status {
			out = append(out, r)
		}
	}
	return out
}

// identical requires every answer's body to be byte-identical.
func (rc *raceCtx) identical(res []raceResult) {
	rc.t.Helper()
	for _, r := range res[1:] {
		if !bytes.Equal(r.body, res[0].body) {
			rc.t.Errorf("answers differ:\n%s\n%s", res[0].body, r.body)
			return
		}
	}
}

// count runs a COUNT query on the server's database (read-only, beside it).
func (rc *raceCtx) count(query string, args ...any) int {
	rc.t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: rc.dbPath}).EscapedPath()+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		rc.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		rc.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func jsonOf(body []byte) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return m
}

// --- per-API requests and answer labels ---

func medusaReq(method, path string, body any) hreq {
	h := hreq{method: method, path: path, header: map[string]string{"Authorization": "Bearer " + defaultToken}}
	if body != nil {
		h.body = mustJSON(body)
		h.header["Content-Type"] = "application/json"
	}
	return h
}

// medusaLabel is "200" or "<status> <errorCode>" of Tochka's envelope.
func medusaLabel(r raceResult) string {
	if r.status == 200 {
		return "200"
	}
	m := jsonOf(r.body)
	code := ""
	if errs, ok := m["Errors"].([]any); ok && len(errs) > 0 {
		code, _ = errs[0].(map[string]any)["errorCode"].(string)
	}
	return fmt.Sprintf("%d %s", r.status, code)
}

func controlReq(method, path string, body any) hreq {
	h := hreq{method: method, path: path}
	if body != nil {
		h.body = mustJSON(body)
		h.header = map[string]string{"Content-Type": "application/json"}
	}
	return h
}

// controlLabel is "<status>" for 2xx, else "<status> <error.code>".
func controlLabel(r raceResult) string {
	if r.status < 300 {
		return fmt.Sprint(r.status)
	}
	e, _ := jsonOf(r.body)["error"].(map[string]any)
	return fmt.Sprintf("%d %v", r.status, e["code"])
}

func cmReq(path, merchant, key string, body any) hreq {
	b, ok := body.([]byte)
	if !ok {
		b = mustJSON(body)
	}
	return hreq{method: "POST", path: path, body: b,
		header: map[string]string{"Content-Type": "application/json", "merchant": merchant, "sign": cmSign(string(b), key)}}
}

// cmLabel is "<status> state=<state>" and the message of a failure.
func cmLabel(r raceResult) string {
	m := jsonOf(r.body)
	if msg, ok := m["message"]; ok {
		return fmt.Sprintf("%d %v", r.status, msg)
	}
	return fmt.Sprintf("%d state=%v", r.status, m["state"])
}

func ykReq(path, key, body string) hreq {
	return hreq{method: "POST", path: "/yookassa/v3" + path, body: []byte(body), header: map[string]string{
		"Content-Type": "application/json", "Idempotence-Key": key,
		"Authorization": "Basic " + basic(ykShop, ykSecret)}}
}

func basic(user, pass string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// ykLabel is "200" or "<status> <code>" of YooKassa's error object.
func ykLabel(r raceResult) string {
	if r.status == 200 {
		return "200"
	}
	return fmt.Sprintf("%d %v", r.status, jsonOf(r.body)["code"])
}

func commitReq(body map[string]any) hreq {
	return hreq{method: "POST", path: "/api/yookassa/PaymentCommit", body: mustJSON(body),
		header: map[string]string{"Content-Type": "application/json"}}
}

// commitLabel is "<status> ErrorCode=<n>".
func commitLabel(r raceResult) string {
	var a commitAnswer
	if err := json.Unmarshal(r.body, &a); err != nil {
		return fmt.Sprintf("%d unreadable", r.status)
	}
	return fmt.Sprintf("%d ErrorCode=%d", r.status, a.ErrorCode)
}

// --- Medusa ---

func recipientBody(extID string) map[string]any {
	return map[string]any{"Data": map[string]any{"extId": extID, "name": "Race Recipient",
		"Sbp": map[string]any{"phone": "+79001234567", "firstName": "Ivan", "lastName": "Petrov"}}}
}

func raceCreateRecipient(rc *raceCtx) {
	id := ids.next()
	h := medusaReq("POST", "/medusa/v1.0/recipients", recipientBody(id))
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "409 ConflictError": raceN - 1})
	got := rc.s.must(200, "GET", "/medusa/v2.0/recipients/"+id, nil)
	check(rc.t, got, "Race Recipient", "Data", "name")
	if n := rc.count(`SELECT count(*) FROM medusa_recipients WHERE ext_id = ?`, id); n != 1 {
		rc.t.Errorf("%d recipients %s stored, want 1", n, id)
	}
}

func raceUpdateRecipient(rc *raceCtx) {
	recipient, _ := recipientWithSbp(rc.s)
	h := medusaReq("PATCH", "/medusa/v1.0/recipients/"+recipient, map[string]any{"Data": map[string]any{
		"version": 0, "Sbp": map[string]any{"phone": "+79990001122"}}})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "409 ConflictError": raceN - 1})
	for _, r := range withStatus(res, 200) {
		check(rc.t, jsonOf(r.body), 1, "Data", "version")
	}
	check(rc.t, rc.s.must(200, "GET", "/medusa/v1.0/recipients/"+recipient, nil), "+79990001122", "Data", "Sbp", "phone")
	// Exactly one update happened: version 1 is the current one.
	res2 := rc.s.must(200, "PATCH", "/medusa/v1.0/recipients/"+recipient, map[string]any{"Data": map[string]any{
		"version": 1, "Sbp": map[string]any{"phone": "+79990001133"}}})
	check(rc.t, res2, 2, "Data", "version")
}

func payoutMethods(rc *raceCtx, recipient string) map[string]string {
	got := rc.s.must(200, "GET", "/medusa/v1.0/recipients/"+recipient, nil)
	out := map[string]string{}
	for _, m := range at(rc.t, got, "Data", "PayoutMethods").([]any) {
		m := m.(map[string]any)
		if _, dup := out[m["extId"].(string)]; dup {
			rc.t.Errorf("payout method %s listed twice", m["extId"])
		}
		out[m["extId"].(string)] = m["methodType"].(string)
	}
	return out
}

func raceAddSbpMethod(rc *raceCtx) {
	recipient, first := recipientWithSbp(rc.s)
	pm := ids.next()
	h := medusaReq("POST", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/sbp", map[string]any{"Data": map[string]any{
		"SbpPayoutMethod": map[string]any{"payoutMethodExtId": pm, "bankId": "100000000004"}}})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "409 ConflictError": raceN - 1})
	if got := payoutMethods(rc, recipient); len(got) != 2 || got[pm] != "SBP" || got[first] != "SBP" {
		rc.t.Errorf("payout methods %v, want %s and %s, SBP", got, first, pm)
	}
}

func raceAddCardMethod(rc *raceCtx) {
	recipient, first := recipientWithSbp(rc.s)
	pm := ids.next()
	h := medusaReq("POST", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/cards", map[string]any{"Data": map[string]any{
		"CardPayoutMethod": map[string]any{"payoutMethodExtId": pm, "redirectUrl": "https://shop.example/profile"}}})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "409 ConflictError": raceN - 1})
	if got := payoutMethods(rc, recipient); len(got) != 2 || got[pm] != "CARD" || got[first] != "SBP" {
		rc.t.Errorf("payout methods %v, want %s SBP and %s card", got, first, pm)
	}
}

func raceDeleteMethod(rc *raceCtx) {
	recipient, pm := recipientWithSbp(rc.s)
	keep := ids.next()
	rc.s.must(200, "POST", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/sbp", map[string]any{"Data": map[string]any{
		"SbpPayoutMethod": map[string]any{"payoutMethodExtId": keep, "bankId": "100000000004"}}})
	h := medusaReq("DELETE", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/"+pm, nil)
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "404 NotFoundError": raceN - 1})
	if got := payoutMethods(rc, recipient); len(got) != 1 || got[keep] != "SBP" {
		rc.t.Errorf("payout methods %v, want only %s", got, keep)
	}
}

func raceDeleteCardMethod(rc *raceCtx) {
	recipient, sbp := recipientWithSbp(rc.s)
	card := ids.next()
	rc.s.must(200, "POST", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/cards", map[string]any{"Data": map[string]any{
		"CardPayoutMethod": map[string]any{"payoutMethodExtId": card, "redirectUrl": "https://shop.example/profile"}}})
	h := medusaReq("DELETE", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/cards/"+card, nil)
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "404 NotFoundError": raceN - 1})
	if got := payoutMethods(rc, recipient); len(got) != 1 || got[sbp] != "SBP" {
		rc.t.Errorf("payout methods %v, want only %s", got, sbp)
	}
}

// orderBody is a create-order body of the given API version with one
// service of 1000.00 (commission 100.00) and another of 500.00 (50.00).
func orderBody(version int, order, recipient, payout, svcA, svcB, decisionA, decisionB string) (string, any) {
	switch version {
	case 1, 2:
		incoming := map[string]any{"type": "acquiring", "redirectUrl": "https://shop.example/ok", "redirectFailUrl": "https://shop.example/fail",
			"paymentUrlTtl": 30, "purpose": "Race"}
		rcpt := map[string]any{"extId": recipient, "method": "SBP", "cardExtId": payout}
		a := map[string]any{"extId": svcA, "price": "1000.00", "startDecision": decisionA, "Recipient": rcpt}
		b := map[string]any{"extId": svcB, "price": "500.00", "startDecision": decisionB, "Recipient": rcpt}
		data := map[string]any{"orderExtId": order, "IncomingPayment": incoming, "Services": []any{a, b}}
		if version == 1 {
			data["orderCommission"] = "150.00"
			return "/medusa/v1.0/orders", map[string]any{"Data": data}
		}
		a["commission"], b["commission"] = "100.00", "50.00"
		return "/medusa/v2.0/orders", map[string]any{"Data": data}
	default:
		rcpt := map[string]any{"extId": recipient, "payoutExtId": payout}
		return "/medusa/v3.0/orders", map[string]any{"Data": map[string]any{
			"extId": order,
			"IncomingPayment": map[string]any{"type": "acquiring", "Details": map[string]any{
				"sbpNeeded": true, "cardNeeded": true, "redirectUrl": "https://shop.example/ok",
				"failRedirectUrl": "https://shop.example/fail", "ttl": 60, "purpose": "Race"}},
			"Services": []any{
				map[string]any{"extId": svcA, "price": "1000.00", "commission": "100.00", "Recipient": rcpt, "startDecision": decisionA},
				map[string]any{"extId": svcB, "price": "500.00", "commission": "50.00", "Recipient": rcpt, "startDecision": decisionB},
			}}}
	}
}

// newOrder creates a v3 order and returns its id and services' ids.
func newOrder(rc *raceCtx, decisionA, decisionB string) (order, svcA, svcB string) {
	order, svcA, svcB = ids.next(), ids.next(), ids.next()
	path, body := orderBody(3, order, medusaRecipient, medusaPayout, svcA, svcB, decisionA, decisionB)
	rc.s.must(200, "POST", path, body)
	return order, svcA, svcB
}

const (
	medusaRecipient = "00000000-0000-4000-8000-000000000001"
	medusaPayout    = "00000000-0000-4000-8000-000000000002"
)

func raceCreateOrder(version int) func(rc *raceCtx) {
	return func(rc *raceCtx) {
		order := ids.next()
		path, body := orderBody(version, order, medusaRecipient, medusaPayout, ids.next(), ids.next(), "not_decided", "not_decided")
		h := medusaReq("POST", path, body)
		res := rc.fire(func(int) hreq { return h })
		rc.expect(res, medusaLabel, map[string]int{"200": 1, "409 ConflictError": raceN - 1})
		for _, r := range withStatus(res, 200) {
			check(rc.t, jsonOf(r.body), order, "Data", "extId")
		}
		got := rc.s.must(200, "GET", "/medusa/v3.0/orders/"+order, nil)
		check(rc.t, got, "waiting_user_payment", "Data", "state")
		check(rc.t, got, 1, "Data", "version")
		if n := rc.count(`SELECT count(*) FROM medusa_orders WHERE ext_id = ?`, order); n != 1 {
			rc.t.Errorf("%d orders %s stored, want 1", n, order)
		}
	}
}

func raceUpdateOrder(rc *raceCtx) {
	order, svcA, _ := newOrder(rc, "not_decided", "not_decided")
	h := medusaReq("PATCH", "/medusa/v1.0/orders/"+order, map[string]any{"Data": map[string]any{
		"orderVersion": 1, "Updates": []any{map[string]any{"serviceExtId": svcA, "price": "2000.00"}}}})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "409 ConflictError": raceN - 1})
	for _, r := range withStatus(res, 200) {
		check(rc.t, jsonOf(r.body), 2, "Data", "orderVersion")
	}
	got := rc.s.must(200, "GET", "/medusa/v3.0/orders/"+order, nil)
	check(rc.t, got, 2, "Data", "version")
	check(rc.t, got, "2000.00", "Data", "Services", 0, "price")
}

func raceDecisions(rc *raceCtx) {
	order, svcA, svcB := newOrder(rc, "not_decided", "not_decided")
	h := medusaReq("POST", "/medusa/v1.0/orders/"+order+"/decisions", map[string]any{"Data": map[string]any{"Decisions": []any{
		map[string]any{"serviceExtId": svcA, "decision": "confirmed"},
		map[string]any{"serviceExtId": svcB, "decision": "rejected"}}}})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "400 InvalidStateError": raceN - 1})
	got := rc.s.must(200, "GET", "/medusa/v3.0/orders/"+order, nil)
	check(rc.t, got, "confirmed", "Data", "Services", 0, "decision")
	check(rc.t, got, "rejected", "Data", "Services", 1, "decision")
	check(rc.t, got, 2, "Data", "version")
}

func raceAcquiringFailed(rc *raceCtx) {
	order, _, _ := newOrder(rc, "confirmed", "rejected")
	h := medusaReq("POST", "/medusa/v1.0/sandbox/mark_order_acquiring_payment_failed", map[string]any{"orderExtId": order})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, medusaLabel, map[string]int{"200": 1, "400 InvalidStateError": raceN - 1})
	for _, r := range withStatus(res, 200) {
		check(rc.t, jsonOf(r.body), "canceled", "Data", "result")
	}
	l := rc.s.ledger(order)
	check(rc.t, l, "canceled", "state")
	if n := len(at(rc.t, l, "entries").([]any)); n != 0 {
		rc.t.Errorf("a canceled order has %d ledger rows", n)
	}
}

// raceSteps races every step of the bank's side in lifecycle order on one
// order of a confirmed (1000.00, commission 100.00) and a rejected (500.00)
// service: each step once, one ledger row each, balances as in README.
func raceSteps(rc *raceCtx) {
	order, confirmed, rejected := newOrder(rc, "confirmed", "rejected")
	steps := []struct {
		op, path, key, id, result, nominal string
	}{
		{"medusa/markOrderPaidByAcquirer", "mark_order_paid_by_acquirer", "orderExtId", order, "waiting_services", "1500.00"},
		{"medusa/proceedServicePayoutToRecipient", "proceed_service_payout_to_recipient", "serviceExtId", confirmed, "executing", "600.00"},
		{"medusa/proceedServicePayoutCommission", "proceed_service_payout_commission", "serviceExtId", confirmed, "executed", "595.00"},
		{"medusa/proceedRefund", "proceed_refund", "serviceExtId", rejected, "executed", "95.00"},
		{"medusa/proceedAcquiringCommission", "proceed_acquiring_commission", "orderExtId", order, "waiting_services", "75.00"},
		{"medusa/movePlatformCommissionToCommissionAccount", "move_platform_commission_to_commission_account", "orderExtId", order, "waiting_services", "0.00"},
		{"medusa/proceedPlatformCommission", "proceed_platform_commission", "orderExtId", order, "finished", "0.00"},
	}
	for i, st := range steps {
		rc.op = st.op
		h := medusaReq("POST", "/medusa/v1.0/sandbox/"+st.path, map[string]any{st.key: st.id})
		res := rc.fire(func(int) hreq { return h })
		rc.expect(res, medusaLabel, map[string]int{"200": 1, "400 InvalidStateError": raceN - 1})
		for _, r := range withStatus(res, 200) {
			check(rc.t, jsonOf(r.body), st.result, "Data", "result")
		}
		l := rc.s.ledger(order)
		entries := at(rc.t, l, "entries").([]any)
		if len(entries) != i+1 {
			rc.t.Fatalf("after %s: %d ledger rows, want %d", st.path, len(entries), i+1)
		}
		check(rc.t, entries[i], st.path, "step")
		check(rc.t, l, st.nominal, "balances", "nominal")
	}
	checkBalances(rc.t, rc.s.ledger(order), "0.00", "0.00", "75.00")
}

// --- Cryptomus ---

// cmMerchantOf creates a merchant with a USDT wallet; it returns its uuid
// and payment key.
func cmMerchantOf(rc *raceCtx) (merchant, key string) {
	key = "race-key-" + ids.next()
	m := rc.s.must(201, "POST", "/sandbox/v1/cryptomus/merchants", map[string]any{"paymentKey": key, "wallets": []string{"USDT"}})
	return m["merchant"].(string), key
}

func cmWallet(rc *raceCtx, merchant, currency string) string {
	m := rc.s.must(200, "GET", "/sandbox/v1/cryptomus/merchants/"+merchant, nil)
	for _, w := range at(rc.t, m, "wallets").([]any) {
		if w := w.(map[string]any); w["currency"] == currency {
			return w["balance"].(string)
		}
	}
	rc.t.Fatalf("merchant %s has no %s wallet: %v", merchant, currency, m)
	return ""
}

// cmPaidInvoice creates an invoice of 10.00 USDT for the merchant and pays it.
func cmPaidInvoice(rc *raceCtx, merchant, key string) (uuid, orderID string) {
	orderID = cmOrderID()
	h := cmReq("/v1/payment", merchant, key, map[string]any{"amount": "10.00", "currency": "USDT", "order_id": orderID})
	res := rc.s.cmRaw(h.path, merchant, h.header["sign"], string(h.body))
	if res.status != 200 {
		rc.t.Fatalf("create invoice: %d %s", res.status, res.body)
	}
	uuid = at(rc.t, res.json(rc.t), "result", "uuid").(string)
	rc.s.cmSetStatus(uuid, "paid", "10.00")
	return uuid, orderID
}

func cmStatus(rc *raceCtx, merchant, key, uuid string) string {
	h := cmReq("/v1/payment/info", merchant, key, map[string]any{"uuid": uuid})
	res := rc.s.cmRaw(h.path, merchant, h.header["sign"], string(h.body))
	return at(rc.t, res.json(rc.t), "result", "status").(string)
}

func raceCreateInvoice(rc *raceCtx) {
	merchant, key := cmMerchantOf(rc)
	orderID := cmOrderID()
	h := cmReq("/v1/payment", merchant, key, map[string]any{"amount": "10.28", "currency": "USDT", "order_id": orderID})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, cmLabel, map[string]int{"200 state=0": raceN})
	rc.identical(res)
	uuids := map[string]int{}
	for _, r := range res {
		if u, ok := jsonOf(r.body)["result"].(map[string]any); ok {
			uuids[fmt.Sprint(u["uuid"])]++
		}
	}
	if len(uuids) != 1 {
		rc.t.Errorf("%d different invoices answered: %v", len(uuids), uuids)
	}
	if n := rc.count(`SELECT count(*) FROM cryptomus_invoices WHERE merchant_uuid = ? AND order_id = ?`, merchant, orderID); n != 1 {
		rc.t.Errorf("%d invoices stored for order_id %s, want 1", n, orderID)
	}
}

// raceRefund fires refunds built by body(i) at a paid invoice of 10.00.
func raceRefund(rc *raceCtx, body func(uuid, orderID string, i int) map[string]any) {
	merchant, key := cmMerchantOf(rc)
	uuid, orderID := cmPaidInvoice(rc, merchant, key)
	if got := cmWallet(rc, merchant, "USDT"); got != "10.00000000" && got != "10.00" {
		rc.t.Fatalf("wallet after the payment %s", got)
	}
	reqs := make([]hreq, raceN)
	for i := range reqs {
		reqs[i] = cmReq("/v1/payment/refund", merchant, key, body(uuid, orderID, i))
	}
	res := rc.fire(func(i int) hreq { return reqs[i] })
	rc.expect(res, cmLabel, map[string]int{"200 state=0": 1, "422 Refunds are made only for completed payments": raceN - 1})
	// 10.00 paid, 10.00 + the 0.10 fee (is_subtract) refunded, once.
	if got := cmWallet(rc, merchant, "USDT"); got != "-0.10000000" {
		rc.t.Errorf("wallet %s after the race, want -0.10000000 (one refund)", got)
	}
	if got := cmStatus(rc, merchant, key, uuid); got != "refund_process" {
		rc.t.Errorf("invoice status %s, want refund_process", got)
	}
}

func raceCryptomusRefund(rc *raceCtx) {
	raceRefund(rc, func(uuid, _ string, _ int) map[string]any {
		return map[string]any{"uuid": uuid, "address": cmAddress, "is_subtract": true}
	})
}

// Half the refunds name the invoice by uuid, half by order_id: different
// requests for the same money, still one refund.
func raceCryptomusRefundMixed(rc *raceCtx) {
	raceRefund(rc, func(uuid, orderID string, i int) map[string]any {
		if i%2 == 0 {
			return map[string]any{"uuid": uuid, "address": cmAddress, "is_subtract": "1"}
		}
		return map[string]any{"order_id": orderID, "address": cmAddress, "is_subtract": true}
	})
}

// --- YooKassa ---

// ykPayment creates a payment of amount and brings it to status
// (pending, waiting_for_capture or succeeded).
func ykPayment(rc *raceCtx, amount, status string) string {
	capture := status == "succeeded"
	body := fmt.Sprintf(`{"amount":{"value":%q,"currency":"RUB"},"capture":%t,"confirmation":{"type":"redirect","return_url":"https://shop.example/return"},"description":"race"}`, amount, capture)
	p := rc.s.yk(200, "POST", "/payments", "race-"+ids.next(), body)
	id := p["id"].(string)
	if status != "pending" {
		if got := rc.s.confirmPayment(id); got["status"] != status {
			rc.t.Fatalf("confirmed payment is %v, want %s", got["status"], status)
		}
	}
	return id
}

func ykGet(rc *raceCtx, path string) map[string]any {
	r := rc.s.ykRequest("GET", path, ykShop, ykSecret, "", "")
	if r.status != 200 {
		rc.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return r.json(rc.t)
}

func raceYKCreatePayment(rc *raceCtx) {
	desc := "race " + ids.next()
	h := ykReq("/payments", "race-create-"+ids.next(), `{"amount":{"value":"12.34","currency":"RUB"},"capture":true,`+
		`"confirmation":{"type":"redirect","return_url":"https://shop.example/return"},"description":"`+desc+`"}`)
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, ykLabel, map[string]int{"200": raceN})
	rc.identical(res)
	if n := rc.count(`SELECT count(*) FROM yookassa_payments WHERE description = ?`, desc); n != 1 {
		rc.t.Errorf("%d payments stored, want 1", n)
	}
	id := jsonOf(res[0].body)["id"].(string)
	check(rc.t, ykGet(rc, "/payments/"+id), "pending", "status")
}

// One key sent with raceN different bodies: the first request binds the key,
// every other one is "Idempotence key duplicated", and one payment exists.
func raceYKCreatePaymentKeyReuse(rc *raceCtx) {
	desc := "race " + ids.next()
	key := "race-reuse-" + ids.next()
	res := rc.fire(func(i int) hreq {
		return ykReq("/payments", key, fmt.Sprintf(`{"amount":{"value":"%d.00","currency":"RUB"},"capture":true,`+
			`"confirmation":{"type":"redirect","return_url":"https://shop.example/return"},"description":"%s"}`, i+1, desc))
	})
	rc.expect(res, ykLabel, map[string]int{"200": 1, "400 invalid_request": raceN - 1})
	for _, r := range res {
		if r.status == 400 {
			ykError(rc.t, jsonOf(r.body), "invalid_request", "Idempotence-Key", "Idempotence key duplicated")
			break
		}
	}
	if n := rc.count(`SELECT count(*) FROM yookassa_payments WHERE description = ?`, desc); n != 1 {
		rc.t.Errorf("%d payments stored, want 1", n)
	}
}

// raceYKTransition races capture or cancel of a waiting_for_capture payment
// with one key (all replay one result) or a key each (one wins, the rest
// find it no longer waiting_for_capture).
func raceYKTransition(action string, sameKey bool) func(rc *raceCtx) {
	return func(rc *raceCtx) {
		id := ykPayment(rc, "50.00", "waiting_for_capture")
		key := "race-" + action + "-" + ids.next()
		body := `{}`
		if action == "capture" {
			body = `{"amount":{"value":"50.00","currency":"RUB"}}`
		}
		reqs := make([]hreq, raceN)
		for i := range reqs {
			k := key
			if !sameKey {
				k = fmt.Sprintf("%s-%d", key, i)
			}
			reqs[i] = ykReq("/payments/"+id+"/"+action, k, body)
		}
		res := rc.fire(func(i int) hreq { return reqs[i] })
		want := map[string]int{"200": raceN}
		if !sameKey {
			want = map[string]int{"200": 1, "400 invalid_request": raceN - 1}
		}
		rc.expect(res, ykLabel, want)
		if sameKey {
			rc.identical(res)
		}
		final := map[string]string{"capture": "succeeded", "cancel": "canceled"}[action]
		got := ykGet(rc, "/payments/"+id)
		check(rc.t, got, final, "status")
		for _, r := range withStatus(res, 200) {
			check(rc.t, jsonOf(r.body), final, "status")
		}
		if action == "capture" {
			check(rc.t, got, "50.00", "income_amount", "value")
		}
	}
}

func raceYKRefundSameKey(rc *raceCtx) {
	id := ykPayment(rc, "100.00", "succeeded")
	h := ykReq("/refunds", "race-refund-"+ids.next(), `{"payment_id":"`+id+`","amount":{"value":"10.00","currency":"RUB"}}`)
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, ykLabel, map[string]int{"200": raceN})
	rc.identical(res)
	check(rc.t, ykGet(rc, "/payments/"+id), "10.00", "refunded_amount", "value")
	if n := rc.count(`SELECT count(*) FROM yookassa_refunds WHERE payment_id = ?`, id); n != 1 {
		rc.t.Errorf("%d refunds stored, want 1", n)
	}
}

func raceYKRefundDifferentKeys(rc *raceCtx) {
	id := ykPayment(rc, "100.00", "succeeded")
	key := "race-refunds-" + ids.next()
	body := `{"payment_id":"` + id + `","amount":{"value":"10.00","currency":"RUB"}}`
	res := rc.fire(func(i int) hreq { return ykReq("/refunds", fmt.Sprintf("%s-%d", key, i), body) })
	rc.expect(res, ykLabel, map[string]int{"200": 10, "400 invalid_request": raceN - 10})
	got := ykGet(rc, "/payments/"+id)
	check(rc.t, got, "100.00", "refunded_amount", "value")
	if n := rc.count(`SELECT count(*) FROM yookassa_refunds WHERE payment_id = ?`, id); n != 10 {
		rc.t.Errorf("%d refunds stored, want 10", n)
	}
}

// --- LCManager ---

func raceCommitPayment(rc *raceCtx) {
	desc := "race " + ids.next()
	key := "race-commit-" + ids.next()
	h := commitReq(map[string]any{"Refund": false, "Amount": 12.5, "Description": desc, "ApiParams": rc.s.apiParams(key)})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, commitLabel, map[string]int{"200 ErrorCode=0": raceN})
	rc.identical(res)
	if n := rc.count(`SELECT count(*) FROM yookassa_payments WHERE description = ?`, desc); n != 1 {
		rc.t.Errorf("%d payments stored, want 1", n)
	}
}

func raceCommitRefundSameKey(rc *raceCtx) {
	id := paidPayment(rc.s, 100)
	h := commitReq(refundReq(rc.s, id, 10, "race-commit-refund-"+ids.next()))
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, commitLabel, map[string]int{"200 ErrorCode=0": raceN})
	rc.identical(res)
	check(rc.t, ykGet(rc, "/payments/"+id), "10.00", "refunded_amount", "value")
	if n := rc.count(`SELECT count(*) FROM yookassa_refunds WHERE payment_id = ?`, id); n != 1 {
		rc.t.Errorf("%d refunds stored, want 1", n)
	}
}

func raceCommitRefundDifferentKeys(rc *raceCtx) {
	id := paidPayment(rc.s, 100)
	key := "race-commit-refunds-" + ids.next()
	reqs := make([]hreq, raceN)
	for i := range reqs {
		reqs[i] = commitReq(refundReq(rc.s, id, 10, fmt.Sprintf("%s-%d", key, i)))
	}
	res := rc.fire(func(i int) hreq { return reqs[i] })
	rc.expect(res, commitLabel, map[string]int{"200 ErrorCode=0": 10, "200 ErrorCode=5": raceN - 10})
	check(rc.t, ykGet(rc, "/payments/"+id), "100.00", "refunded_amount", "value")
	if n := rc.count(`SELECT count(*) FROM yookassa_refunds WHERE payment_id = ?`, id); n != 10 {
		rc.t.Errorf("%d refunds stored, want 10", n)
	}
}

// --- control API ---

func raceCreateToken(rc *raceCtx) {
	token := "race-token-" + ids.next()
	h := controlReq("POST", "/sandbox/v1/medusa/tokens", map[string]any{"platform": "race-platform", "token": token, "permissions": []string{"medusa"}})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, controlLabel, map[string]int{"201": 1, "409 conflict": raceN - 1})
	if r := rc.s.do("GET", "/medusa/v1.0/recipients/sbp-banks/", token, nil); r.status != 200 {
		rc.t.Errorf("the raced token does not work: %d %s", r.status, r.body)
	}
}

func raceCreateMerchant(rc *raceCtx) {
	merchant := ids.next()
	h := controlReq("POST", "/sandbox/v1/cryptomus/merchants", map[string]any{"merchant": merchant, "paymentKey": "race-key", "wallets": []string{"USDT", "BTC"}})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, controlLabel, map[string]int{"201": 1, "409 conflict": raceN - 1})
	m := rc.s.must(200, "GET", "/sandbox/v1/cryptomus/merchants/"+merchant, nil)
	if n := len(at(rc.t, m, "wallets").([]any)); n != 2 {
		rc.t.Errorf("merchant has %d wallets, want 2: %v", n, m)
	}
}

// PATCH sets absolute values: identical updates all succeed with one
// result, and the wallet that stays keeps its balance.
func raceUpdateMerchant(rc *raceCtx) {
	merchant, key := cmMerchantOf(rc)
	cmPaidInvoice(rc, merchant, key)
	h := controlReq("PATCH", "/sandbox/v1/cryptomus/merchants/"+merchant, map[string]any{"paymentsBlocked": true, "wallets": []string{"BTC", "USDT"}})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, controlLabel, map[string]int{"200": raceN})
	rc.identical(res)
	m := rc.s.must(200, "GET", "/sandbox/v1/cryptomus/merchants/"+merchant, nil)
	check(rc.t, m, true, "paymentsBlocked")
	if n := len(at(rc.t, m, "wallets").([]any)); n != 2 {
		rc.t.Errorf("merchant has %d wallets, want 2: %v", n, m)
	}
	if got := cmWallet(rc, merchant, "USDT"); got != "10.00000000" && got != "10.00" {
		rc.t.Errorf("USDT balance %s after the updates, want 10.00", got)
	}
}

func raceSetInvoiceStatus(rc *raceCtx) {
	merchant, key := cmMerchantOf(rc)
	h := cmReq("/v1/payment", merchant, key, map[string]any{"amount": "10.00", "currency": "USDT", "order_id": cmOrderID()})
	r := rc.s.cmRaw(h.path, merchant, h.header["sign"], string(h.body))
	uuid := at(rc.t, r.json(rc.t), "result", "uuid").(string)
	st := controlReq("POST", "/sandbox/v1/cryptomus/invoices/"+uuid+"/status", map[string]any{"status": "paid", "paymentAmount": "10.00"})
	res := rc.fire(func(int) hreq { return st })
	rc.expect(res, controlLabel, map[string]int{"200": 1, "409 invalid_state": raceN - 1})
	if got := cmWallet(rc, merchant, "USDT"); got != "10.00000000" && got != "10.00" {
		rc.t.Errorf("wallet %s, want 10.00 (credited once)", got)
	}
	if got := cmStatus(rc, merchant, key, uuid); got != "paid" {
		rc.t.Errorf("invoice %s, want paid", got)
	}
}

func raceYKPayer(action string) func(rc *raceCtx) {
	return func(rc *raceCtx) {
		id := ykPayment(rc, "20.00", "pending")
		h := controlReq("POST", "/sandbox/v1/yookassa/payments/"+id+"/"+action, nil)
		res := rc.fire(func(int) hreq { return h })
		rc.expect(res, controlLabel, map[string]int{"200": 1, "409 invalid_state": raceN - 1})
		final := map[string]string{"confirm": "waiting_for_capture", "cancel": "canceled"}[action]
		check(rc.t, ykGet(rc, "/payments/"+id), final, "status")
	}
}

// Arming the same fault again replaces it (sandbox.yaml): raceN identical
// arms leave one fault armed for `times` calls, not raceN × times.
func raceArmFault(rc *raceCtx) {
	h := controlReq("POST", "/sandbox/v1/faults", map[string]any{"api": "medusa", "operationId": "listRecipientSbpBanks", "status": 502, "times": 3})
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, controlLabel, map[string]int{"201": raceN})
	rc.identical(res)
	var got []int
	for range 5 {
		got = append(got, rc.s.do("GET", "/medusa/v1.0/recipients/sbp-banks/", defaultToken, nil).status)
	}
	if fmt.Sprint(got) != "[502 502 502 200 200]" {
		rc.t.Errorf("after %d identical arms of times 3 the calls answered %v, want [502 502 502 200 200]", raceN, got)
	}
}

func raceClearFaults(rc *raceCtx) {
	rc.s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "medusa", "operationId": "listRecipientSbpBanks", "status": 500, "times": 1000})
	h := controlReq("DELETE", "/sandbox/v1/faults", nil)
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, controlLabel, map[string]int{"204": raceN})
	if r := rc.s.do("GET", "/medusa/v1.0/recipients/sbp-banks/", defaultToken, nil); r.status != 200 {
		rc.t.Errorf("a fault survived %d clears: %d", raceN, r.status)
	}
}

// Resets are idempotent: raceN at once all succeed, and the server is left
// exactly as on first start (no state, every default credential working).
func raceReset(rc *raceCtx) {
	recipient, _ := recipientWithSbp(rc.s)
	h := controlReq("POST", "/sandbox/v1/reset", nil)
	res := rc.fire(func(int) hreq { return h })
	rc.expect(res, controlLabel, map[string]int{"204": raceN})
	if r := rc.s.do("GET", "/medusa/v1.0/recipients/"+recipient, defaultToken, nil); r.status != 404 {
		rc.t.Errorf("recipient after reset: %d", r.status)
	}
	rc.s.must(200, "GET", "/medusa/v1.0/recipients/"+medusaRecipient, nil)
	for _, q := range []string{`SELECT count(*) FROM medusa_tokens`, `SELECT count(*) FROM medusa_recipients`,
		`SELECT count(*) FROM medusa_payout_methods`, `SELECT count(*) FROM cryptomus_merchants`, `SELECT count(*) FROM yookassa_shops`} {
		if n := rc.count(q); n != 1 {
			rc.t.Errorf("%s = %d after the resets, want 1 (the default)", q, n)
		}
	}
	for _, q := range []string{`SELECT count(*) FROM medusa_orders`, `SELECT count(*) FROM cryptomus_invoices`, `SELECT count(*) FROM yookassa_payments`} {
		if n := rc.count(q); n != 0 {
			rc.t.Errorf("%s = %d after the resets, want 0", q, n)
		}
	}
	rc.s.cmMust(200, "/v1/payment", map[string]any{"amount": "1.00", "currency": "USDT", "order_id": cmOrderID()})
	ykPayment(rc, "1.00", "succeeded")
}
