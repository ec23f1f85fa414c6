package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// TestBenchReport runs the binary's own `bench` briefly, as README shows it
// (it starts the binary as the server), and checks that the report has
// every part issue 6 asks of it and that each profile is written.
func TestBenchReport(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the load generator")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	profiles := []string{"cpu.out", "mem.out", "gen.out"}
	cmd := exec.Command(bin, "bench", "--duration", "1s", "--conns", "2", "--prefill", "20", "--db", filepath.Join(dir, "b.db"),
		"--cpuprofile", filepath.Join(dir, profiles[0]), "--memprofile", filepath.Join(dir, profiles[1]),
		"--genprofile", filepath.Join(dir, profiles[2]))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	report := string(out)
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, report)
	}
	for _, op := range []string{
		"medusa createOrderV3", "medusa mark_order_paid_by_acquirer", "medusa proceed_acquiring_commission",
		"medusa move_platform_commission_to_commission_account", "medusa proceed_platform_commission",
		"medusa proceed_service_payout_commission", "medusa proceed_service_payout_to_recipient", "medusa proceed_refund",
		"cryptomus createInvoice", "cryptomus control paid", "cryptomus refund", "cryptomus control refund_paid",
		"lcmanager paymentCommit (payment)", "yookassa control confirm", "lcmanager paymentCommit (refund)",
	} {
		// name, count, then p50 p90 p99 max
		line := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(op) + `\s+[1-9]\d*(\s+\d+\.\d\dms){4}$`)
		if !line.MatchString(report) {
			t.Errorf("no latency line for %q", op)
		}
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^database held 20 orders before the run$`),
		regexp.MustCompile(`(?m)^lifecycles: cryptomus [1-9]\d*, medusa [1-9]\d*, paymentcommit [1-9]\d*$`),
		regexp.MustCompile(`(?m)^requests: [1-9]\d* \(\d+/s\), state-changing: [1-9]\d* \(\d+/s\)$`),
		regexp.MustCompile(`(?m)^errors: 0$`),
		regexp.MustCompile(`(?m)^verified after the run: [1-9]\d* lifecycles, 0 missing or unbalanced$`),
		regexp.MustCompile(`(?m)^baseline \(bare net/http, same generator\): [1-9]\d* req/s; paysandbox state-changing / baseline = \d\.\d\d$`),
		regexp.MustCompile(`(?m)^CPU per state-changing request during the load: server [1-9]\d* µs, load generator [1-9]\d* µs$`),
		regexp.MustCompile(`(?m)^server peak RSS: [1-9][\d.]* MB$`),
		regexp.MustCompile(`(?m)^database size: [\d.]+ MB \(WAL file [\d.]+ MB\)$`),
		regexp.MustCompile(`(?m)^start-up to /healthz 200: [1-9]\d* ms$`),
	} {
		if !want.MatchString(report) {
			t.Errorf("the report has no line matching %s", want)
		}
	}
	if m := regexp.MustCompile(`verified after the run: (\d+)`).FindStringSubmatch(report); m != nil {
		n, _ := strconv.Atoi(m[1])
		if lc := lifecycleCount(report); n != lc {
			t.Errorf("verified %d lifecycles of the %d finished", n, lc)
		}
	}
	// The CPU shares must fit the machine: per request at the measured
	// rate, the two together cannot use more than every core.
	if m := regexp.MustCompile(`state-changing: \d+ \((\d+)/s\)[\s\S]*server (\d+) µs, load generator (\d+) µs`).FindStringSubmatch(report); m != nil {
		rate, _ := strconv.ParseFloat(m[1], 64)
		srv, _ := strconv.ParseFloat(m[2], 64)
		gen, _ := strconv.ParseFloat(m[3], 64)
		if used := rate * (srv + gen) / 1e6; used > 1.1*float64(runtime.NumCPU()) {
			t.Errorf("the CPU shown per request adds up to %.1f cores busy, on %d", used, runtime.NumCPU())
		}
	}
	for _, p := range profiles {
		if fi, err := os.Stat(filepath.Join(dir, p)); err != nil || fi.Size() == 0 {
			t.Errorf("profile %s not written (%v)", p, err)
		}
	}
	if t.Failed() {
		t.Log(report)
	}
}

// lifecycleCount adds up the report's "lifecycles:" line.
func lifecycleCount(report string) int {
	m := regexp.MustCompile(`(?m)^lifecycles: (.*)$`).FindStringSubmatch(report)
	if m == nil {
		return -1
	}
	total := 0
	for _, part := range strings.Split(m[1], ", ") {
		n, _ := strconv.Atoi(part[strings.LastIndex(part, " ")+1:])
		total += n
	}
	return total
}
