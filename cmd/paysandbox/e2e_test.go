package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// ids makes readable, unique UUIDs per test: ids.next() → 10000000-0000-4000-8000-00000000000N.
type idGen struct{ n atomic.Int64 }

func (g *idGen) next() string {
	return fmt.Sprintf("%08d-0000-4000-8000-%012d", 10000000+g.n.Add(1)%90000000, g.n.Load())
}

var ids idGen

// recipientWithSbp creates a recipient and an SBP payout method; it returns both ids.
func recipientWithSbp(s *sandbox) (recipient, payout string) {
	recipient, payout = ids.next(), ids.next()
	s.must(200, "POST", "/medusa/v1.0/recipients", map[string]any{"Data": map[string]any{
		"extId": recipient, "name": "Ivan Petrov",
		"Sbp": map[string]any{"phone": "+79001234567", "firstName": "Ivan", "lastName": "Petrov"},
	}})
	s.must(200, "POST", "/medusa/v1.0/recipients/"+recipient+"/payout_methods/sbp", map[string]any{"Data": map[string]any{
		"SbpPayoutMethod": map[string]any{"payoutMethodExtId": payout, "bankId": "100000000111"},
	}})
	return recipient, payout
}

type svc struct {
	id, price, commission, decision string
}

// orderV3 creates a v3 order of the given services for one recipient.
func orderV3(s *sandbox, recipient, payout string, services ...svc) string {
	order := ids.next()
	var list []any
	for _, sv := range services {
		list = append(list, map[string]any{"extId": sv.id, "price": sv.price, "commission": sv.commission,
			"Recipient": map[string]any{"extId": recipient, "payoutExtId": payout}, "startDecision": sv.decision})
	}
	res := s.must(200, "POST", "/medusa/v3.0/orders", map[string]any{"Data": map[string]any{
		"extId": order,
		"IncomingPayment": map[string]any{"type": "acquiring", "Details": map[string]any{
			"sbpNeeded": true, "cardNeeded": true, "redirectUrl": "https://shop.example/ok",
			"failRedirectUrl": "https://shop.example/fail", "ttl": 60, "purpose": "Order"}},
		"Services": list,
	}})
	if at(s.t, res, "Data", "extId") != order || !strings.Contains(at(s.t, res, "Data", "paymentUrl").(string), order) {
		s.t.Fatalf("create order answered %v", res)
	}
	return order
}

func (s *sandbox) step(name, key, id string) string {
	s.t.Helper()
	res := s.must(200, "POST", "/medusa/v1.0/sandbox/"+name, map[string]any{key: id})
	return at(s.t, res, "Data", "result").(string)
}

func (s *sandbox) orderStep(name, order string) string { return s.step(name, "orderExtId", order) }
func (s *sandbox) serviceStep(name, svc string) string { return s.step(name, "serviceExtId", svc) }

func (s *sandbox) ledger(order string) map[string]any {
	return s.must(200, "GET", "/sandbox/v1/medusa/orders/"+order+"/ledger", nil)
}

// check compares a value at a JSON path.
func check(t *testing.T, v any, want any, path ...any) {
	t.Helper()
	if got := at(t, v, path...); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%v = %v, want %v", path, got, want)
	}
}

func checkBalances(t *testing.T, ledger map[string]any, nominal, commission, settlement string) {
	t.Helper()
	check(t, ledger, nominal, "balances", "nominal")
	check(t, ledger, commission, "balances", "commission")
	check(t, ledger, settlement, "balances", "settlement")
}

// TestWalkthrough is README's curl walk-through: a v3 order of two services,
// paid, one confirmed and one rejected, through every step to finished.
func TestWalkthrough(t *testing.T) {
	for _, startDecisions := range []bool{false, true} {
		t.Run(fmt.Sprintf("startDecisions=%v", startDecisions), func(t *testing.T) {
			s := startSandbox(t, "")
			recipient, payout := recipientWithSbp(s)
			a, b := ids.next(), ids.next()
			da, db := "not_decided", "not_decided"
			if startDecisions {
				da, db = "confirmed", "rejected"
			}
			order := orderV3(s, recipient, payout, svc{a, "1000.00", "100.00", da}, svc{b, "500.00", "50.00", db})

			v3 := s.must(200, "GET", "/medusa/v3.0/orders/"+order, nil)
			check(t, v3, "waiting_user_payment", "Data", "state")
			check(t, v3, "not_ready", "Data", "Services", 0, "state")
			check(t, v3, "20.00", "Data", "Services", 0, "incomePaymentCommissionSum")
			check(t, v3, "5.00", "Data", "Services", 0, "outgoingPayoutCommissionSum")
			check(t, v3, "75.00", "Data", "Services", 0, "platformCommissionSum")
			check(t, v3, 3600, "Data", "IncomingPayment", "Details", "ttl")
			checkBalances(t, s.ledger(order), "0.00", "0.00", "0.00")

			if got := s.orderStep("mark_order_paid_by_acquirer", order); got != "waiting_services" {
				t.Fatalf("Step02 result %q", got)
			}
			v3 = s.must(200, "GET", "/medusa/v3.0/orders/"+order, nil)
			if startDecisions {
				check(t, v3, "ready_to_execute", "Data", "Services", 0, "state")
				check(t, v3, "ready_to_execute", "Data", "Services", 1, "state")
			} else {
				check(t, v3, "waiting_platform_decision", "Data", "Services", 0, "state")
				res := s.must(200, "POST", "/medusa/v1.0/orders/"+order+"/decisions", map[string]any{"Data": map[string]any{
					"Decisions": []any{map[string]any{"serviceExtId": a, "decision": "confirmed"}, map[string]any{"serviceExtId": b, "decision": "rejected"}}}})
				check(t, res, "confirmed", "Data", "Decisions", 0, "decision")
				v3 = s.must(200, "GET", "/medusa/v3.0/orders/"+order, nil)
				check(t, v3, "ready_to_execute", "Data", "Services", 0, "state")
				check(t, v3, "rejected", "Data", "Services", 1, "decision")
			}
			checkBalances(t, s.ledger(order), "1500.00", "0.00", "0.00")

			steps := []struct {
				name, key, id, result, nominal, commission, settlement string
			}{
				{"proceed_service_payout_to_recipient", "serviceExtId", a, "executing", "600.00", "0.00", "0.00"},
				{"proceed_service_payout_commission", "serviceExtId", a, "executed", "595.00", "0.00", "0.00"},
				{"proceed_refund", "serviceExtId", b, "executed", "95.00", "0.00", "0.00"},
				{"proceed_acquiring_commission", "orderExtId", order, "waiting_services", "75.00", "0.00", "0.00"},
				{"move_platform_commission_to_commission_account", "orderExtId", order, "waiting_services", "0.00", "75.00", "0.00"},
				{"proceed_platform_commission", "orderExtId", order, "finished", "0.00", "0.00", "75.00"},
			}
			orderState := map[bool]string{false: "waiting_services", true: "finished"}
			for i, st := range steps {
				if got := s.step(st.name, st.key, st.id); got != st.result {
					t.Fatalf("%s result %q, want %q", st.name, got, st.result)
				}
				checkBalances(t, s.ledger(order), st.nominal, st.commission, st.settlement)
				// Both views agree with the step's result after every step.
				v1 := s.must(200, "GET", "/medusa/v1.0/orders/"+order, nil)
				v3 := s.must(200, "GET", "/medusa/v3.0/orders/"+order, nil)
				final := i == len(steps)-1
				check(t, v1, orderState[final], "Data", "state")
				check(t, v3, orderState[final], "Data", "state")
				if st.key == "serviceExtId" {
					idx := map[string]int{a: 0, b: 1}[st.id]
					check(t, v1, st.result, "Data", "Services", idx, "state")
					check(t, v3, st.result, "Data", "Services", idx, "state")
				}
			}

			l := s.ledger(order)
			check(t, l, "finished", "state")
			entries := at(t, l, "entries").([]any)
			want := [][3]string{
				{"mark_order_paid_by_acquirer", "buyer>nominal", "1500.00"},
				{"proceed_service_payout_to_recipient", "nominal>recipient", "900.00"},
				{"proceed_service_payout_commission", "nominal>bank", "5.00"},
				{"proceed_refund", "nominal>buyer", "500.00"},
				{"proceed_acquiring_commission", "nominal>bank", "20.00"},
				{"move_platform_commission_to_commission_account", "nominal>commission", "75.00"},
				{"proceed_platform_commission", "commission>settlement", "75.00"},
			}
			if len(entries) != len(want) {
				t.Fatalf("ledger has %d entries, want %d: %v", len(entries), len(want), entries)
			}
			for i, w := range want {
				e := entries[i].(map[string]any)
				got := [3]string{e["step"].(string), e["debit"].(string) + ">" + e["credit"].(string), e["amount"].(string)}
				if got != w {
					t.Errorf("entry %d = %v, want %v", i, got, w)
				}
			}

			v3 = s.must(200, "GET", "/medusa/v3.0/orders/"+order, nil)
			check(t, v3, "finished", "Data", "state")
			check(t, v3, "executed", "Data", "Services", 0, "state")
			check(t, v3, "executed", "Data", "Services", 1, "state")
			for _, f := range []string{"payedAt", "finishedAt", "createdAt"} {
				at(t, v3, "Data", f)
			}
			at(t, v3, "Data", "Services", 0, "executedAt")
			v1 := s.must(200, "GET", "/medusa/v1.0/orders/"+order, nil)
			check(t, v1, "finished", "Data", "state")
			check(t, v1, "1500.00", "Data", "totalPrice")
			check(t, v1, "150.00", "Data", "orderCommission")
			check(t, v1, "30.00", "Data", "acquiringCommission")
			check(t, v1, "112.50", "Data", "platformCommission")
			at(t, v1, "Data", "platformCommissionPaidAt")
			at(t, v1, "Data", "acquiringCommissionChargedAt")
		})
	}
}

// TestRestartKeepsState stops the server and starts it again on the same
// database: every recipient and order reads back byte for byte the same.
func TestRestartKeepsState(t *testing.T) {
	s := startSandbox(t, "")
	recipient, payout := recipientWithSbp(s)
	a := ids.next()
	order := orderV3(s, recipient, payout, svc{a, "250.00", "25.00", "confirmed"})
	s.orderStep("mark_order_paid_by_acquirer", order)
	paths := []string{"/medusa/v1.0/recipients/" + recipient, "/medusa/v2.0/recipients/" + recipient,
		"/medusa/v1.0/orders/" + order, "/medusa/v2.0/orders/" + order, "/medusa/v3.0/orders/" + order,
		"/sandbox/v1/medusa/orders/" + order + "/ledger"}
	before := map[string]string{}
	for _, p := range paths {
		before[p] = string(s.do("GET", p, defaultToken, nil).body)
	}
	s.stop()

	s2 := startSandbox(t, s.dbPath)
	for _, p := range paths {
		after := string(s2.do("GET", p, defaultToken, nil).body)
		// Links.self carries the port, which changes between runs.
		if stripHost(after) != stripHost(before[p]) {
			t.Errorf("%s changed across restart:\nbefore %s\nafter  %s", p, before[p], after)
		}
	}
	s2.serviceStep("proceed_service_payout_to_recipient", a)
}

var hostPort = regexp.MustCompile(`http://localhost:\d+`)

func stripHost(body string) string { return hostPort.ReplaceAllString(body, "") }

// TestCreateOrderVersions creates the same kind of order through v1, v2 and
// v3 and reads each back through every view.
func TestCreateOrderVersions(t *testing.T) {
	s := startSandbox(t, "")
	recipient, payout := recipientWithSbp(s)
	incomingV1 := map[string]any{"type": "acquiring", "redirectUrl": "https://shop.example/ok", "redirectFailUrl": "https://shop.example/fail",
		"paymentUrlTtl": 30, "purpose": "Order"}
	receipt := map[string]any{"email": "buyer@example.com", "name": "Service", "vatType": "none", "paymentMethod": "full_payment", "paymentObject": "service"}

	// v1: one orderCommission split over services in proportion to price.
	o1, s1a, s1b := ids.next(), ids.next(), ids.next()
	s.must(200, "POST", "/medusa/v1.0/orders", map[string]any{"Data": map[string]any{
		"orderExtId": o1, "orderCommission": "100.00", "IncomingPayment": incomingV1, "Receipt": receipt,
		"Services": []any{
			map[string]any{"extId": s1a, "price": "1000.00", "startDecision": "not_decided", "Recipient": map[string]any{"extId": recipient, "method": "SBP", "cardExtId": payout}},
			map[string]any{"extId": s1b, "price": "2000.00", "startDecision": "confirmed", "Recipient": map[string]any{"extId": recipient, "method": "SBP", "cardExtId": payout}},
		}}})
	v2 := s.must(200, "GET", "/medusa/v2.0/orders/"+o1, nil)
	check(t, v2, "33.33", "Data", "Services", 0, "commission")
	check(t, v2, "66.67", "Data", "Services", 1, "commission")
	check(t, v2, "confirmed", "Data", "Services", 1, "decision")
	check(t, v2, "buyer@example.com", "Data", "Receipt", "email")
	check(t, v2, 30, "Data", "IncomingPayment", "Details", "ttl")
	check(t, v2, "SBP", "Data", "Services", 0, "Recipient", "Method", "type")
	check(t, v2, "100000000111", "Data", "Services", 0, "Recipient", "Method", "Details", "bankId")
	v1 := s.must(200, "GET", "/medusa/v1.0/orders/"+o1, nil)
	check(t, v1, "100.00", "Data", "orderCommission")
	check(t, v1, "3000.00", "Data", "totalPrice")
	check(t, v1, "SBP", "Data", "Services", 0, "Recipient", "method")
	check(t, v1, payout, "Data", "Services", 0, "Recipient", "cardExtId")
	check(t, v1, "buyer@example.com", "Data", "receiptEmail")

	// v2: a commission per service.
	o2, s2 := ids.next(), ids.next()
	s.must(200, "POST", "/medusa/v2.0/orders", map[string]any{"Data": map[string]any{
		"orderExtId": o2, "IncomingPayment": incomingV1,
		"Services": []any{map[string]any{"extId": s2, "price": "100.00", "commission": "10.00", "startDecision": "not_decided",
			"Recipient": map[string]any{"extId": recipient, "method": "SBP", "cardExtId": payout}}}}})
	v3 := s.must(200, "GET", "/medusa/v3.0/orders/"+o2, nil)
	check(t, v3, "10.00", "Data", "Services", 0, "commission")
	check(t, v3, "2.00", "Data", "Services", 0, "incomePaymentCommissionSum")
	check(t, v3, 1, "Data", "version")

	// v3, and the list sees all three, newest first.
	o3 := orderV3(s, recipient, payout, svc{ids.next(), "10.00", "1.00", "not_decided"})
	list := s.must(200, "GET", "/medusa/v1.0/orders?offset=0&limit=2", nil)
	check(t, list, o3, "Data", "Items", 0, "extId")
	check(t, list, o2, "Data", "Items", 1, "extId")
	check(t, list, true, "Data", "hasNext")
	check(t, list, 3, "Data", "totalSize")
	list = s.must(200, "GET", "/medusa/v1.0/orders?offset=2&limit=2", nil)
	check(t, list, o1, "Data", "Items", 0, "extId")
	check(t, list, false, "Data", "hasNext")

	// Duplicates are 409 ConflictError.
	r := s.do("POST", "/medusa/v2.0/orders", defaultToken, map[string]any{"Data": map[string]any{
		"orderExtId": o2, "IncomingPayment": incomingV1,
		"Services": []any{map[string]any{"extId": ids.next(), "price": "100.00", "commission": "10.00", "startDecision": "not_decided",
			"Recipient": map[string]any{"extId": recipient, "method": "SBP", "cardExtId": payout}}}}})
	expectError(t, r, 409, "ConflictError")

	// A commission that does not cover the bank's fees is a 400.
	r = s.do("POST", "/medusa/v3.0/orders", defaultToken, map[string]any{"Data": map[string]any{
		"extId": ids.next(),
		"IncomingPayment": map[string]any{"type": "acquiring", "Details": map[string]any{"sbpNeeded": true, "cardNeeded": true,
			"redirectUrl": "https://a", "failRedirectUrl": "https://b", "ttl": 60, "purpose": "x"}},
		"Services": []any{map[string]any{"extId": ids.next(), "price": "100.00", "commission": "1.00", "startDecision": "not_decided",
			"Recipient": map[string]any{"extId": recipient, "payoutExtId": payout}}}}})
	expectError(t, r, 400, "ValidationError")
}

// expectError checks an error response's status and Medusa envelope.
func expectError(t *testing.T, r response, status int, errorCode string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	m := r.json(t)
	check(t, m, fmt.Sprint(status), "code")
	check(t, m, errorCode, "Errors", 0, "errorCode")
	check(t, m, "https://developers.tochka.com/", "Errors", 0, "url")
	if id, _ := m["id"].(string); len(id) != 36 {
		t.Errorf("error id %q is not a uuid", id)
	}
	if msg, _ := m["message"].(string); msg == "" || strings.Contains(msg, "sqlite") || strings.Contains(msg, "goroutine") {
		t.Errorf("bad error message %q", msg)
	}
	return m
}

// TestRecipientUpdateVersion: a stale version is a 409 and changes nothing.
func TestRecipientUpdateVersion(t *testing.T) {
	s := startSandbox(t, "")
	recipient, _ := recipientWithSbp(s)
	// Versions start at 0 and only recipient updates move them.
	res := s.must(200, "PATCH", "/medusa/v1.0/recipients/"+recipient, map[string]any{"Data": map[string]any{
		"version": 0, "Sbp": map[string]any{"phone": "+79007654321"}}})
	check(t, res, 1, "Data", "version")
	r := s.do("PATCH", "/medusa/v1.0/recipients/"+recipient, defaultToken, map[string]any{"Data": map[string]any{
		"version": 0, "Sbp": map[string]any{"phone": "+79990000000"}}})
	expectError(t, r, 409, "ConflictError")
	got := s.must(200, "GET", "/medusa/v1.0/recipients/"+recipient, nil)
	check(t, got, "+79007654321", "Data", "Sbp", "phone")
	check(t, got, "Ivan", "Data", "Sbp", "firstName")
}

// TestSandboxStepErrors drives every documented status of every sandbox step.
func TestSandboxStepErrors(t *testing.T) {
	s := startSandbox(t, "")
	s.must(201, "POST", "/sandbox/v1/medusa/tokens", map[string]any{"platform": "p2", "token": "p2-token-123", "permissions": []string{"medusa"}})
	s.must(201, "POST", "/sandbox/v1/medusa/tokens", map[string]any{"platform": "p3", "token": "p3-no-consent", "permissions": []string{}})

	type stepDef struct{ name, op, key string }
	steps := []stepDef{
		{"mark_order_paid_by_acquirer", "markOrderPaidByAcquirer", "orderExtId"},
		{"mark_order_acquiring_payment_failed", "markOrderAcquiringPaymentFailed", "orderExtId"},
		{"proceed_service_payout_to_recipient", "proceedServicePayoutToRecipient", "serviceExtId"},
		{"proceed_service_payout_commission", "proceedServicePayoutCommission", "serviceExtId"},
		{"proceed_refund", "proceedRefund", "serviceExtId"},
		{"proceed_acquiring_commission", "proceedAcquiringCommission", "orderExtId"},
		{"move_platform_commission_to_commission_account", "movePlatformCommissionToCommissionAccount", "orderExtId"},
		{"proceed_platform_commission", "proceedPlatformCommission", "orderExtId"},
	}
	recipient, payout := recipientWithSbp(s)
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			path := "/medusa/v1.0/sandbox/" + st.name
			// A fresh unpaid order: every step but Step02 is illegal on it.
			sv := ids.next()
			order := orderV3(s, recipient, payout, svc{sv, "100.00", "10.00", "not_decided"})
			id := order
			if st.key == "serviceExtId" {
				id = sv
			}
			body := map[string]any{st.key: id}

			expectError(t, s.do("POST", path, "", body), 401, "UnauthorizedError")
			expectError(t, s.do("POST", path, "not-a-known-token", body), 401, "UnauthorizedError")
			expectError(t, s.do("POST", path, "p3-no-consent", body), 403, "ConsentForbiddenError")
			expectError(t, s.do("POST", path, defaultToken, map[string]any{st.key: ids.next()}), 404, "NotFoundError")
			// Another platform's order or service is not found either.
			expectError(t, s.do("POST", path, "p2-token-123", body), 404, "NotFoundError")
			expectError(t, s.do("POST", path, defaultToken, map[string]any{}), 400, "ValidationError")
			expectError(t, s.do("POST", path, defaultToken, `{"`+st.key+`": 42}`), 400, "ValidationError")
			expectError(t, s.do("POST", path, defaultToken, `not json`), 400, "ValidationError")

			// 500 only through an armed fault, in the envelope, and only once.
			s.must(201, "POST", "/sandbox/v1/faults", map[string]any{"api": "medusa", "operationId": st.op, "status": 500, "times": 1})
			expectError(t, s.do("POST", path, defaultToken, body), 500, "HTTPInternalError")

			if strings.HasPrefix(st.name, "mark_order") {
				// Legal now, flat and wrapped bodies both work; a repeat is a 400 InvalidStateError.
				if got := s.step(st.name, st.key, id); got == "" {
					t.Fatal("empty result")
				}
				m := expectError(t, s.do("POST", path, defaultToken, map[string]any{"Data": map[string]any{st.key: id}}), 400, "InvalidStateError")
				if msg := at(t, m, "Errors", 0, "message").(string); !strings.Contains(msg, "waiting_services") && !strings.Contains(msg, "canceled") {
					t.Errorf("InvalidStateError message %q does not name the current state", msg)
				}
				return
			}
			m := expectError(t, s.do("POST", path, defaultToken, body), 400, "InvalidStateError")
			if msg := at(t, m, "Errors", 0, "message").(string); !strings.Contains(msg, "waiting_user_payment") && !strings.Contains(msg, "not_ready") {
				t.Errorf("InvalidStateError message %q does not name the current state", msg)
			}
		})
	}
}

// TestHTTPEdges: unknown routes, wrong methods, oversized bodies, specs, health.
func TestHTTPEdges(t *testing.T) {
	s := startSandbox(t, "")
	expectError(t, s.do("GET", "/medusa/v1.0/nothing-here", defaultToken, nil), 404, "NotFoundError")
	r := s.do("DELETE", "/medusa/v1.0/sandbox/proceed_refund", defaultToken, nil)
	expectError(t, r, 405, "MethodNotAllowedError")
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow = %q, want POST", r.header.Get("Allow"))
	}
	big := `{"orderExtId":"` + strings.Repeat("x", 1<<20) + `"}`
	expectError(t, s.do("POST", "/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", defaultToken, big), 413, "PayloadTooLargeError")
	expectError(t, s.do("GET", "/medusa/v1.0/orders/"+ids.next(), defaultToken, nil), 404, "NotFoundError")
	expectError(t, s.do("GET", "/medusa/v1.0/orders?offset=0&limit=abc", defaultToken, nil), 400, "ValidationError")
	if r := s.do("GET", "/healthz", "", nil); r.status != 200 {
		t.Errorf("healthz %d", r.status)
	}
	for _, name := range []string{"medusa", "sandbox"} {
		r := s.do("GET", "/openapi/"+name+".yaml", "", nil)
		if r.status != 200 || !strings.HasPrefix(string(r.body), "openapi: 3.0") {
			t.Errorf("/openapi/%s.yaml: %d %.40s", name, r.status, r.body)
		}
	}
	if r := s.do("GET", "/openapi/nope.yaml", "", nil); r.status != http.StatusNotFound {
		t.Errorf("unknown spec: %d", r.status)
	}
}
