package server_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/uuid"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/medusa"
)

// Database faults (issue #7): when SQLite cannot write — the file became
// read-only, or the disk is full — every API answers its documented 500
// (Medusa's HTTPInternalError envelope, Cryptomus's {"state":1,"message":
// "Server error"}, YooKassa's internal_server_error, the control API's
// internal_error; PaymentCommit, which stores nothing itself, reports its
// YooKassa's 500 as ErrorCode 8), nothing is half-written, reads keep
// working, /healthz stays 200 (the database is open and answers), and
// everything works again once the fault clears, with the file intact.

// faultClient sends the requests of the scenario.
type faultClient struct {
	t    *testing.T
	base string
}

func (c faultClient) call(method, path string, header map[string]string, body string) (int, map[string]any, string) {
	c.t.Helper()
	status, raw := secDo(c.t, method, c.base+path, header, body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	return status, m, string(raw)
}

func (c faultClient) medusa(method, path, body string) (int, map[string]any, string) {
	c.t.Helper()
	return c.call(method, path, map[string]string{"Authorization": "Bearer " + medusa.DefaultToken}, body)
}

func (c faultClient) cryptomus(path, body string) (int, map[string]any, string) {
	c.t.Helper()
	return c.call("POST", path, map[string]string{"merchant": cryptomus.DefaultMerchantUUID, "sign": secSign(body, cryptomus.DefaultPaymentKey)}, body)
}

func (c faultClient) yookassa(method, path, key, body string) (int, map[string]any, string) {
	c.t.Helper()
	h := map[string]string{"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte("100500:test_sandbox_secret"))}
	if key != "" {
		h["Idempotence-Key"] = key
	}
	return c.call(method, "/yookassa/v3"+path, h, body)
}

func (c faultClient) commit(key string) (int, map[string]any, string) {
	c.t.Helper()
	return c.call("POST", "/api/yookassa/PaymentCommit", nil,
		`{"Amount":2.00,"ApiParams":{"Url":"`+c.base+`/yookassa/v3","Login":"100500","Password":"test_sandbox_secret","IdempotenceKey":"`+key+`"}}`)
}

// want requires a status and, for a 500, the API's documented shape.
func (c faultClient) want(what string, status int, shape string) func(int, map[string]any, string) map[string]any {
	return func(got int, m map[string]any, raw string) map[string]any {
		c.t.Helper()
		if got != status {
			c.t.Errorf("%s: status %d, want %d: %s", what, got, status, raw)
			return m
		}
		var ok bool
		switch shape {
		case "":
			ok = true
		case "medusa":
			e, _ := m["Errors"].([]any)
			ok = m["code"] == "500" && len(e) == 1 && e[0].(map[string]any)["errorCode"] == "HTTPInternalError"
		case "cryptomus":
			ok = strings.TrimSpace(raw) == `{"state":1,"message":"Server error"}`
		case "yookassa":
			ok = m["type"] == "error" && m["code"] == "internal_server_error" && m["description"] == "Internal server error"
		case "control":
			e, _ := m["error"].(map[string]any)
			ok = e != nil && e["code"] == "internal_error"
		case "lcmanager":
			ok = m["ErrorCode"] == 8.0 && m["Message"] == "YooKassa error 500 internal_server_error: Internal server error" && m["PaymentId"] == nil
		}
		if !ok {
			c.t.Errorf("%s: not the documented %s 500 shape: %s", what, shape, raw)
		}
		for _, leak := range []string{"sqlite", "readonly", "read-only", "disk", "full", ".go:", "SQL"} {
			if shape != "" && strings.Contains(raw, leak) {
				c.t.Errorf("%s: the answer leaks %q: %s", what, leak, raw)
			}
		}
		return m
	}
}

func faultOrderBody(ext, svc string) string {
	return `{"Data":{"extId":"` + ext + `","IncomingPayment":{"type":"acquiring","Details":{"sbpNeeded":true,"cardNeeded":true,` +
		`"redirectUrl":"https://shop.example/ok","failRedirectUrl":"https://shop.example/fail","ttl":60,"purpose":"Order 1"}},` +
		`"Services":[{"extId":"` + svc + `","price":"1000.00","commission":"100.00","Recipient":{"extId":"` + medusa.DefaultRecipientExtID +
		`","payoutExtId":"` + medusa.DefaultPayoutMethodExtID + `"},"startDecision":"not_decided"}]}}`
}

func faultRecipientBody(ext string) string {
	return `{"Data":{"extId":"` + ext + `","name":"Ivan Petrov","Sbp":{"phone":"+79001234567","firstName":"Ivan","lastName":"Petrov"}}}`
}

// runDBFaultScenario sets up state, breaks writing with fault(true), checks
// every API's answers and that nothing changed, mends it with fault(false)
// and checks that the same calls succeed and the file is intact. logHint is
// the SQLite error the log must name.
func runDBFaultScenario(t *testing.T, base, dbPath string, logs *syncBuffer, fault func(bool), logHint string) {
	c := faultClient{t: t, base: base}
	ctl := func(what string, status int, shape string) func(int, map[string]any, string) map[string]any {
		return c.want("control "+what, status, shape)
	}

	// --- before the fault ---
	order1, svc1 := uuid.NewString(), uuid.NewString()
	c.want("create order", 200, "")(c.medusa("POST", "/medusa/v3.0/orders", faultOrderBody(order1, svc1)))
	inv := c.want("create invoice", 200, "")(c.cryptomus("/v1/payment", `{"amount":"10.00","currency":"USDT","order_id":"fault-paid"}`))
	paidUUID := inv["result"].(map[string]any)["uuid"].(string)
	ctl("pay", 200, "")(c.call("POST", "/sandbox/v1/cryptomus/invoices/"+paidUUID+"/status", nil, `{"status":"paid","paymentAmount":"10.00"}`))
	inv = c.want("create invoice", 200, "")(c.cryptomus("/v1/payment", `{"amount":"3.00","currency":"USDT","order_id":"fault-check"}`))
	checkUUID := inv["result"].(map[string]any)["uuid"].(string)
	merchantBefore := ctl("merchant", 200, "")(c.call("GET", "/sandbox/v1/cryptomus/merchants/"+cryptomus.DefaultMerchantUUID, nil, ""))
	p := c.want("create payment", 200, "")(c.yookassa("POST", "/payments", "fault-before", `{"amount":{"value":"5.00","currency":"RUB"},"capture":true,"confirmation":{"type":"embedded"}}`))
	payment := p["id"].(string)

	// --- the fault: every write fails, in each API's shape ---
	fault(true)
	order2, svc2, recipient2 := uuid.NewString(), uuid.NewString(), uuid.NewString()
	token2 := "fault.token." + uuid.NewString()[:8]
	newPayment := `{"amount":{"value":"7.00","currency":"RUB"},"capture":true,"confirmation":{"type":"embedded"}}`
	writes := func(phase string, status int) {
		sh := func(api string) string {
			if status == 500 {
				return api
			}
			return ""
		}
		c.want(phase+" Medusa createOrderV3", status, sh("medusa"))(c.medusa("POST", "/medusa/v3.0/orders", faultOrderBody(order2, svc2)))
		c.want(phase+" Medusa Step02", status, sh("medusa"))(c.medusa("POST", "/medusa/v1.0/sandbox/mark_order_paid_by_acquirer", `{"orderExtId":"`+order1+`"}`))
		c.want(phase+" Medusa createRecipient", status, sh("medusa"))(c.medusa("POST", "/medusa/v1.0/recipients", faultRecipientBody(recipient2)))
		c.want(phase+" Cryptomus createInvoice", status, sh("cryptomus"))(c.cryptomus("/v1/payment", `{"amount":"1.00","currency":"USDT","order_id":"fault-new"}`))
		c.want(phase+" Cryptomus refund", status, sh("cryptomus"))(c.cryptomus("/v1/payment/refund", `{"uuid":"`+paidUUID+`","address":"TDD97yguPESTpcrJMqU6h2ozZbibv4Vaqm","is_subtract":"true"}`))
		c.want(phase+" YooKassa createPayment", status, sh("yookassa"))(c.yookassa("POST", "/payments", "fault-during", newPayment))
		if status == 500 {
			c.want(phase+" PaymentCommit", 200, "lcmanager")(c.commit("fault-commit"))
		} else if _, m, raw := c.commit("fault-commit"); m["ErrorCode"] != 0.0 {
			t.Errorf("%s PaymentCommit: %s", phase, raw)
		}
		ctl(phase+" createMedusaToken", map[bool]int{true: 500, false: 201}[status == 500], sh("control"))(c.call("POST", "/sandbox/v1/medusa/tokens", nil,
			`{"platform":"fault-platform","token":"`+token2+`","permissions":["medusa"]}`))
		ctl(phase+" setCryptomusInvoiceStatus", status, sh("control"))(c.call("POST", "/sandbox/v1/cryptomus/invoices/"+checkUUID+"/status", nil, `{"status":"cancel"}`))
		ctl(phase+" updateCryptomusMerchant", status, sh("control"))(c.call("PATCH", "/sandbox/v1/cryptomus/merchants/"+cryptomus.DefaultMerchantUUID, nil, `{"paymentsBlocked":true}`))
		ctl(phase+" confirmYooKassaPayment", status, sh("control"))(c.call("POST", "/sandbox/v1/yookassa/payments/"+payment+"/confirm", nil, ""))
	}
	writes("during the fault:", 500)
	// A reset fails whole: the order made before it is still there.
	ctl("reset during the fault", 500, "control")(c.call("POST", "/sandbox/v1/reset", nil, ""))
	// Reads work, and show that nothing was written.
	reads := func(phase string) {
		t.Helper()
		m := c.want(phase+" Medusa getOrderV3", 200, "")(c.medusa("GET", "/medusa/v3.0/orders/"+order1, ""))
		if d, _ := m["Data"].(map[string]any); d == nil || d["state"] != "waiting_user_payment" {
			t.Errorf("%s: order1 changed: %v", phase, m)
		}
		c.want(phase+" Medusa order2", 404, "")(c.medusa("GET", "/medusa/v3.0/orders/"+order2, ""))
		c.want(phase+" Medusa recipient2", 404, "")(c.medusa("GET", "/medusa/v2.0/recipients/"+recipient2, ""))
		l := c.want(phase+" ledger", 200, "")(c.medusa("GET", "/sandbox/v1/medusa/orders/"+order1+"/ledger", ""))
		if e, _ := l["entries"].([]any); len(e) != 0 {
			t.Errorf("%s: ledger entries %v", phase, e)
		}
		info := c.want(phase+" Cryptomus paymentInfo", 200, "")(c.cryptomus("/v1/payment/info", `{"uuid":"`+paidUUID+`"}`))
		if r, _ := info["result"].(map[string]any); r == nil || r["payment_status"] != "paid" {
			t.Errorf("%s: the paid invoice changed: %v", phase, info)
		}
		info = c.want(phase+" Cryptomus check invoice", 200, "")(c.cryptomus("/v1/payment/info", `{"uuid":"`+checkUUID+`"}`))
		if r, _ := info["result"].(map[string]any); r == nil || r["payment_status"] != "check" {
			t.Errorf("%s: the unpaid invoice changed: %v", phase, info)
		}
		c.want(phase+" Cryptomus new invoice", 422, "")(c.cryptomus("/v1/payment/info", `{"order_id":"fault-new"}`))
		m = ctl(phase+" merchant", 200, "")(c.call("GET", "/sandbox/v1/cryptomus/merchants/"+cryptomus.DefaultMerchantUUID, nil, ""))
		if fmt.Sprint(m) != fmt.Sprint(merchantBefore) {
			t.Errorf("%s: the merchant changed:\n%v\n%v", phase, merchantBefore, m)
		}
		y := c.want(phase+" YooKassa getPayment", 200, "")(c.yookassa("GET", "/payments/"+payment, "", ""))
		if y["status"] != "pending" {
			t.Errorf("%s: the payment changed: %v", phase, y)
		}
		c.want(phase+" the token made during the fault", 401, "")(c.call("GET", "/medusa/v2.0/recipients/"+medusa.DefaultRecipientExtID, map[string]string{"Authorization": "Bearer " + token2}, ""))
	}
	reads("during the fault:")
	if status, _, raw := c.call("GET", "/healthz", nil, ""); status != 200 {
		t.Errorf("/healthz during the fault: %d %s", status, raw)
	}
	log := logs.String()
	if !strings.Contains(log, logHint) || !strings.Contains(log, `"level":"ERROR"`) {
		t.Errorf("the log does not name the fault (%q) at level ERROR:\n%s", logHint, lastBytes(log, 3000))
	}

	// --- the fault clears: nothing was half-written, and every call works ---
	fault(false)
	reads("after the fault:")
	writes("after the fault:", 200)
	c.want("after the fault: the token (of another platform)", 404, "")(c.call("GET", "/medusa/v2.0/recipients/"+medusa.DefaultRecipientExtID, map[string]string{"Authorization": "Bearer " + token2}, ""))
	// The key used during the fault was not remembered: it made a payment
	// only now, and gives the same one again.
	a := c.want("YooKassa key reused", 200, "")(c.yookassa("POST", "/payments", "fault-during", newPayment))
	if a["status"] != "pending" {
		t.Errorf("after the fault: %v", a)
	}
	ctl("reset after the fault", 204, "")(c.call("POST", "/sandbox/v1/reset", nil, ""))

	checkIntegrity(t, dbPath)
}

// integrity checks the file through a connection of its own.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var res string
	if err := conn.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Errorf("integrity_check: %q %v", res, err)
	}
	rows, err := conn.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Error("foreign_key_check found violations")
	}
}

// truncateWAL checkpoints the whole WAL into the database and empties it,
// through a connection of its own.
func truncateWAL(t *testing.T, path string) {
	t.Helper()
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var busy, frames, copied int
	if err := conn.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &frames, &copied); err != nil || busy != 0 {
		t.Fatalf("wal_checkpoint(TRUNCATE): busy %d, %v", busy, err)
	}
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// TestDBReadOnly: the database stops taking writes (SQLite's query_only on
// every connection: writes fail with SQLITE_READONLY, as on a file that
// became read-only), then takes them again.
func TestDBReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	base, db, logs := startServer(t, serverOptions{dbPath: path})
	runDBFaultScenario(t, base, path, logs, func(on bool) {
		if err := db.SetQueryOnly(context.Background(), on); err != nil {
			t.Fatal(err)
		}
	}, "attempt to write a readonly database")
}

// TestDBDiskFull: the database's file system fills up (a real ENOSPC: a
// small tmpfs filled by another file, so SQLite's writes fail with
// SQLITE_FULL), then gets space back. The tmpfs needs a mount namespace:
// the test runs itself again in a new user and mount namespace, and is
// skipped where the system allows neither.
func TestDBDiskFull(t *testing.T) {
	if dir := os.Getenv("PAYSANDBOX_TEST_DISKFULL_DIR"); dir != "" {
		diskFullChild(t, dir)
		return
	}
	dir := t.TempDir()
	run := func(flags uintptr, mapUser bool) ([]byte, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestDBDiskFull$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "PAYSANDBOX_TEST_DISKFULL_DIR="+dir)
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: flags}
		if mapUser {
			cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
			cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		}
		return cmd.CombinedOutput()
	}
	out, err := run(syscall.CLONE_NEWUSER|syscall.CLONE_NEWNS, true)
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) && os.Getuid() == 0 {
		out, err = run(syscall.CLONE_NEWNS, false) // root without user namespaces
	}
	if err != nil && !errors.As(err, &exitErr) {
		t.Skipf("no mount namespace for a tmpfs (%v): the disk-full fault needs one; TestDBReadOnly covers the same paths", err)
	}
	if strings.Contains(string(out), "--- SKIP") {
		t.Skipf("%s", lastBytes(string(out), 600))
	}
	if err != nil {
		t.Fatalf("the disk-full run failed:\n%s", out)
	}
	if !strings.Contains(string(out), "--- PASS: TestDBDiskFull") {
		t.Fatalf("the disk-full run did not pass:\n%s", out)
	}
}

// diskFullChild runs inside the new mount namespace.
func diskFullChild(t *testing.T, dir string) {
	// Keep the mounts of this namespace to itself, then a 8 MiB tmpfs.
	if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
		t.Skipf("cannot make the mounts private: %v", err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=8m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	defer syscall.Unmount(dir, syscall.MNT_DETACH)
	path := filepath.Join(dir, "test.db")
	base, _, logs := startServer(t, serverOptions{dbPath: path})
	filler := filepath.Join(dir, "filler")
	runDBFaultScenario(t, base, path, logs, func(on bool) {
		if !on {
			if err := os.Remove(filler); err != nil {
				t.Fatal(err)
			}
			return
		}
		// Commits go to the WAL, and a WAL the checkpointer has caught up
		// with is written again from its start, into space it already
		// has: writes would go on succeeding on a full disk. Emptied,
		// the WAL needs new space for the next commit.
		truncateWAL(t, path)
		f, err := os.Create(filler)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		for _, size := range []int{1 << 16, 1 << 12, 1} { // until not one more byte fits
			chunk := make([]byte, size)
			for {
				if _, err := f.Write(chunk); err != nil {
					if !errors.Is(err, syscall.ENOSPC) {
						t.Fatal(err)
					}
					break
				}
			}
		}
	}, "database or disk is full")
}
