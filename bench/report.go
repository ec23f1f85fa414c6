package bench

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is a whole bench run: the server under load and the baseline.
type Report struct {
	Server     Result
	Baseline   Result
	Conns      int
	PeakRSS    int64 // bytes; 0 when the server is not ours to measure
	DBSize     int64 // bytes of the database file
	WALSize    int64 // bytes of its WAL file (reused, not shrunk, between checkpoints)
	StartupMs  float64
	PriorOrder int // orders in the database before the run
	// CPU time used during the load (not the verification): by the server
	// (0 when it is not ours to measure) and by the load generator.
	ServerCPU, GeneratorCPU time.Duration
}

// Ratio is the server's state-changing throughput over the baseline's.
func (r Report) Ratio() float64 {
	if r.Baseline.MutatingPerSecond() == 0 {
		return 0
	}
	return r.Server.MutatingPerSecond() / r.Baseline.MutatingPerSecond()
}

// Write prints the report as plain text.
func (r Report) Write(w io.Writer) {
	s := r.Server
	fmt.Fprintf(w, "paysandbox bench: %d connections, %s\n", r.Conns, s.Elapsed.Round(1e6))
	if r.PriorOrder > 0 {
		fmt.Fprintf(w, "database held %d orders before the run\n", r.PriorOrder)
	}
	fmt.Fprintf(w, "\n%-58s %8s %9s %9s %9s %9s\n", "operation", "count", "p50", "p90", "p99", "max")
	for _, op := range s.Ops {
		fmt.Fprintf(w, "%-58s %8d %9s %9s %9s %9s\n", op.Name, op.Count, ms(op.P50), ms(op.P90), ms(op.P99), ms(op.Max))
	}
	var flows []string
	for f, n := range s.Lifecycles {
		flows = append(flows, fmt.Sprintf("%s %d", f, n))
	}
	sort.Strings(flows)
	fmt.Fprintf(w, "\nlifecycles: %s\n", strings.Join(flows, ", "))
	fmt.Fprintf(w, "requests: %d (%.0f/s), state-changing: %d (%.0f/s)\n", s.Requests, s.RequestsPerSecond(), s.Mutating, s.MutatingPerSecond())
	fmt.Fprintf(w, "errors: %d\n", s.ErrorCount())
	keys := make([]string, 0, len(s.Errors))
	for k := range s.Errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %s ×%d (the first: %.200q)\n", k, s.Errors[k], s.ErrorSamples[k])
	}
	fmt.Fprintf(w, "verified after the run: %d lifecycles, %d missing or unbalanced\n", s.Verified, len(s.Unverified))
	for i, u := range s.Unverified {
		if i == 10 {
			fmt.Fprintf(w, "  … %d more\n", len(s.Unverified)-10)
			break
		}
		fmt.Fprintf(w, "  %s\n", u)
	}
	fmt.Fprintf(w, "baseline (bare net/http, same generator): %.0f req/s; paysandbox state-changing / baseline = %.2f\n",
		r.Baseline.MutatingPerSecond(), r.Ratio())
	if s.Mutating > 0 && (r.ServerCPU > 0 || r.GeneratorCPU > 0) {
		fmt.Fprintf(w, "CPU per state-changing request during the load: server %s, load generator %s\n",
			perRequest(r.ServerCPU, s.Mutating), perRequest(r.GeneratorCPU, s.Mutating))
	}
	if r.PeakRSS > 0 {
		fmt.Fprintf(w, "server peak RSS: %.1f MB\n", float64(r.PeakRSS)/(1<<20))
	}
	if r.DBSize > 0 {
		fmt.Fprintf(w, "database size: %.1f MB (WAL file %.1f MB)\n", float64(r.DBSize)/(1<<20), float64(r.WALSize)/(1<<20))
	}
	if r.StartupMs > 0 {
		fmt.Fprintf(w, "start-up to /healthz 200: %.0f ms\n", r.StartupMs)
	}
}

// perRequest is a CPU time shared out over n requests, in µs; "-" when it
// was not measured.
func perRequest(cpu time.Duration, n int) string {
	if cpu <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f µs", float64(cpu.Microseconds())/float64(n))
}
