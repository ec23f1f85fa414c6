package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/paysandbox/paysandbox/bench"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/sqlitedb"
)

// runBench is `paysandbox bench`: it starts this binary as a server on a
// fresh temp database (or uses --base-url), drives the flows, measures the
// bare-handler baseline the same way, and prints the report.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("base-url", "", "drive a running server instead of starting one")
	duration := fs.Duration("duration", 20*time.Second, "how long to drive each target")
	conns := fs.Int("conns", 8, "concurrent connections")
	flowNames := fs.String("flows", "medusa,cryptomus,paymentcommit", "comma-separated flows: "+strings.Join(flowList(), ", "))
	dbPath := fs.String("db", "", "database of the started server (default: a new temp file)")
	prefillN := fs.Int("prefill", 0, "first add this many Medusa orders to the database (every tenth through its whole lifecycle); with --db they stay for the next run")
	cpuProfile := fs.String("cpuprofile", "", "the started server writes a pprof CPU profile here")
	memProfile := fs.String("memprofile", "", "the started server writes a pprof allocation profile here")
	genProfile := fs.String("genprofile", "", "the generator (this process) writes a pprof CPU profile of driving the flows here")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var flows []bench.Flow
	for _, name := range strings.Split(*flowNames, ",") {
		f, ok := benchFlows[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown flow %q (flows: %s)", name, strings.Join(flowList(), ", "))
		}
		flows = append(flows, f)
	}

	rep := bench.Report{Conns: *conns}
	target := *baseURL
	var started *serverProcess // nil when driving --base-url
	if target == "" {
		db := *dbPath
		if db == "" && *prefillN > 0 {
			tmp, err := os.MkdirTemp("", "paysandbox-bench")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			db = filepath.Join(tmp, "bench.db")
		}
		if *prefillN > 0 {
			if err := prefill(ctx, db, *prefillN, stderr); err != nil {
				return err
			}
		}
		if db != "" {
			n, err := countOrders(ctx, db)
			if err != nil {
				return err
			}
			rep.PriorOrder = n
		}
		srv, err := startServerProcess(ctx, db, profileFlags(*cpuProfile, *memProfile)...)
		if err != nil {
			return err
		}
		defer srv.stop()
		target, rep.StartupMs = srv.url, srv.startup.Seconds()*1000
		started = srv
	}
	cfg := bench.Config{BaseURL: target, Duration: *duration, Conns: *conns, Flows: flows}
	before := sampleCPU(started)
	cfg.LoadDone = func() {
		after := sampleCPU(started)
		rep.ServerCPU, rep.GeneratorCPU = after.server-before.server, after.generator-before.generator
	}
	res, err := runFlows(ctx, cfg, *genProfile)
	if err != nil {
		return err
	}
	rep.Server = res
	if started != nil { // measured after the run, while the server still runs
		rep.PeakRSS = started.peakRSS()
		rep.DBSize, rep.WALSize = fileSize(started.db), fileSize(started.db+"-wal")
	}
	base, err := bench.Baseline(ctx, *conns, *duration, 180)
	if err != nil {
		return err
	}
	rep.Baseline = base
	rep.Write(stdout)
	if rep.Server.ErrorCount() > 0 || len(rep.Server.Unverified) > 0 {
		return errors.New("the run had errors or unverified lifecycles")
	}
	return nil
}

// countOrders is how many Medusa orders the demo platform (the bench's and
// prefill's) has in the database at path; 0 when there is no file yet.
func countOrders(ctx context.Context, path string) (int, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	db, err := sqlitedb.Open(ctx, path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	_, n, err := db.ListOrders(ctx, medusa.DefaultPlatformID, 0, 1)
	return n, err
}

// runFlows drives the flows, with the generator's own CPU profile when
// profile names a file: on a machine the generator shares with the server,
// its cost is the other half of every figure.
func runFlows(ctx context.Context, cfg bench.Config, profile string) (bench.Result, error) {
	if profile == "" {
		return bench.Run(ctx, cfg)
	}
	stop, err := startProfiles(profile, "")
	if err != nil {
		return bench.Result{}, err
	}
	res, err := bench.Run(ctx, cfg)
	if perr := stop(); err == nil && perr != nil {
		err = perr
	}
	return res, err
}

var benchFlows = map[string]bench.Flow{"medusa": bench.Medusa, "cryptomus": bench.Cryptomus, "paymentcommit": bench.PaymentCommit}

func flowList() []string {
	var names []string
	for n := range benchFlows {
		names = append(names, n)
	}
	return names
}

// serverProcess is this binary serving on 127.0.0.1 for the bench.
type serverProcess struct {
	cmd     *exec.Cmd
	url     string
	db      string
	startup time.Duration
	tmp     string
}

var listening = regexp.MustCompile(`listening on (\S+)`)

// profileFlags are the serve flags that write the asked-for profiles.
func profileFlags(cpu, mem string) []string {
	var out []string
	if cpu != "" {
		out = append(out, "--cpuprofile", cpu)
	}
	if mem != "" {
		out = append(out, "--memprofile", mem)
	}
	return out
}

func startServerProcess(ctx context.Context, db string, extra ...string) (*serverProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	p := &serverProcess{db: db}
	if db == "" {
		if p.tmp, err = os.MkdirTemp("", "paysandbox-bench"); err != nil {
			return nil, err
		}
		p.db = filepath.Join(p.tmp, "bench.db")
	}
	p.cmd = exec.CommandContext(ctx, self, append([]string{"serve", "--addr", "127.0.0.1:0", "--db", p.db, "--log-format", "json"}, extra...)...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	// The log goes to /dev/null (a nil Stderr): a terminal would measure
	// itself, and a pipe the bench's own copying of it.
	p.cmd.Stderr = nil
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			p.url = "http://" + m[1]
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	if p.url == "" {
		p.stop()
		return nil, errors.New("the server did not start")
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if res, err := http.Get(p.url + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				p.startup = time.Since(start)
				return p, nil
			}
		}
	}
	p.stop()
	return nil, errors.New("/healthz did not answer 200 within 10s")
}

// cpuSample is the CPU time used so far by the server process (0 when it is
// not ours, or /proc cannot tell) and by this one, the load generator.
type cpuSample struct{ server, generator time.Duration }

func sampleCPU(p *serverProcess) cpuSample {
	var s cpuSample
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.generator = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if p != nil {
		s.server = p.cpuTime()
	}
	return s
}

// cpuTime reads the server's user and system time from /proc/PID/stat, in
// clock ticks of 1/100 s (USER_HZ, 100 on Linux whatever the kernel's HZ).
func (p *serverProcess) cpuTime() time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid …": comm may hold spaces, so count from ')'.
	_, rest, ok := strings.Cut(string(raw), ") ")
	fields := strings.Fields(rest)
	if !ok || len(fields) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(fields[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0
	}
	return time.Duration(utime+stime) * (time.Second / 100)
}

// peakRSS reads the server's high-water resident set (VmHWM) from /proc.
func (p *serverProcess) peakRSS() int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func (p *serverProcess) stop() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = p.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
		}
	}
	if p.tmp != "" {
		os.RemoveAll(p.tmp)
	}
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
