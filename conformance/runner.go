package conformance

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"
)

// DefaultMedusaToken is the bearer token every paysandbox has (design §2).
const DefaultMedusaToken = "sandbox.jwt.token"

// Config says what to test and how.
type Config struct {
	// BaseURL is the server under test, e.g. http://127.0.0.1:8080.
	BaseURL string
	// Run, when set, runs only the checks whose name it matches.
	Run *regexp.Regexp
	// Skip, when set, leaves out the checks whose name it matches (e.g.
	// "sandbox/reset" against a server others use: reset wipes their state).
	Skip *regexp.Regexp
	// Logf, when set, gets one line per finished check.
	Logf func(format string, args ...any)
	// Client is the HTTP client; nil uses one with a 30 s timeout.
	Client *http.Client
	// MedusaToken is a Medusa bearer token with every permission on the
	// server under test; "" means DefaultMedusaToken.
	MedusaToken string
	// Parallel is how many checks run at once (exclusive ones always run
	// alone, after the others); 0 means 4.
	Parallel int
	// ControlToken is the control token of a server started with
	// --control-token: it is sent as X-Sandbox-Control-Token on every
	// control API request, and the 401 examples of the control API are
	// replayed. "" (a server without one) skips those examples.
	ControlToken string
}

// Check is one named check of the suite: an example's scenario, a
// lifecycle check or a generated negative check.
type Check struct {
	// Name is unique, e.g. "example/medusa/getOrderV3/404/notFound",
	// "lifecycle/medusa/step/paid/markOrderPaidByAcquirer/refused",
	// "negative/medusa/createOrderV3/Data.extId/missing".
	Name string
	// Kind is "example", "lifecycle" or "negative".
	Kind string
	// Skip, when set, is why the check cannot run (an example that is not
	// replayable as written); the check is reported as skipped.
	Skip string
	// Exclusive checks change what other callers see (faults, reset).
	Exclusive bool

	scenario *Scenario
	run      func(c *Ctx) error
}

// Result is the outcome of one check.
type Result struct {
	Name     string
	Kind     string
	Passed   bool
	Skipped  bool
	Failure  string
	Notes    []string
	Duration time.Duration
}

// env is what every check of one run shares.
type env struct {
	cfg      Config
	specs    *specSet
	client   *http.Client
	profiles map[string]*apiProfile
}

// Suite is the loaded suite for one base URL.
type Suite struct {
	env    *env
	checks []Check
}

// NewSuite loads the specs and builds every check: one per documented
// example (from the registry), the lifecycle checks and the negative
// checks generated from the request schemas.
func NewSuite(cfg Config) (*Suite, error) {
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("conformance: no base URL")
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.MedusaToken == "" {
		cfg.MedusaToken = DefaultMedusaToken
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = 4
	}
	specs, err := loadSpecs()
	if err != nil {
		return nil, err
	}
	e := &env{cfg: cfg, specs: specs, client: cfg.Client, profiles: profiles}
	if e.client == nil {
		e.client = &http.Client{Timeout: 30 * time.Second}
	}
	checks, err := buildChecks(specs)
	if err != nil {
		return nil, err
	}
	s := &Suite{env: e}
	for _, ch := range checks {
		if (cfg.Run == nil || cfg.Run.MatchString(ch.Name)) && (cfg.Skip == nil || !cfg.Skip.MatchString(ch.Name)) {
			s.checks = append(s.checks, ch)
		}
	}
	return s, nil
}

func buildChecks(specs *specSet) ([]Check, error) {
	var checks []Check
	examples, err := specs.examples()
	if err != nil {
		return nil, err
	}
	for _, ex := range examples {
		name := "example/" + ex.Key.String()
		if s, ok := registry[ex.Key]; ok {
			s := s
			checks = append(checks, Check{Name: name, Kind: "example", Exclusive: s.Exclusive, scenario: &s, run: s.Run})
		} else if reason, ok := unreplayable[ex.Key]; ok {
			checks = append(checks, Check{Name: name, Kind: "example", Skip: "not replayable as written: " + reason})
		}
		// Examples with no scenario are the coverage gate's business.
	}
	for _, l := range lifecycleChecks() {
		l.Kind = "lifecycle"
		checks = append(checks, l)
	}
	for _, n := range negativeChecks(specs) {
		n.Kind = "negative"
		checks = append(checks, n)
	}
	seen := map[string]bool{}
	for _, ch := range checks {
		if seen[ch.Name] {
			return nil, fmt.Errorf("conformance: two checks named %q", ch.Name)
		}
		seen[ch.Name] = true
	}
	return checks, nil
}

// Checks lists the suite's checks (those Config.Run and Config.Skip select).
func (s *Suite) Checks() []Check { return s.checks }

// RunCheck runs one check.
func (s *Suite) RunCheck(ctx context.Context, ch Check) Result {
	res := Result{Name: ch.Name, Kind: ch.Kind}
	if ch.Skip != "" {
		res.Skipped = true
		res.Failure = ch.Skip
		return res
	}
	c := &Ctx{Context: ctx, BaseURL: s.env.cfg.BaseURL, Client: s.env.client, env: s.env, scenario: ch.scenario}
	if ch.scenario != nil {
		ex, err := s.env.specs.example(ch.scenario.Key)
		if err != nil {
			res.Failure = err.Error()
			return res
		}
		c.Example = ex
	}
	start := time.Now()
	err := safeRun(c, ch.run)
	res.Duration = time.Since(start)
	var skip *skipError
	if errors.As(err, &skip) {
		res.Skipped = true
		res.Failure = skip.reason
		return res
	}
	if err == nil && ch.scenario != nil && c.sends == 0 {
		err = fmt.Errorf("the scenario never sent its request (c.Send)")
	}
	res.Notes = c.notes
	if err != nil {
		msg := err.Error()
		if len(c.logs) > 0 {
			msg += "\nrequests of this check:\n  " + strings.Join(c.logs, "\n  ")
		}
		res.Failure = msg
		return res
	}
	res.Passed = true
	return res
}

func safeRun(c *Ctx, run func(c *Ctx) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return run(c)
}

// Run runs the whole suite against cfg.BaseURL: the checks that are not
// exclusive cfg.Parallel at a time, then the exclusive ones one by one.
func Run(ctx context.Context, cfg Config) Report {
	start := time.Now()
	rep := Report{BaseURL: cfg.BaseURL, Started: start}
	logf := cfg.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if cov, err := ComputeCoverage(); err == nil {
		rep.Coverage = cov
	}
	suite, err := NewSuite(cfg)
	if err != nil {
		rep.Results = []Result{{Name: "load", Kind: "setup", Failure: err.Error()}}
		rep.Duration = time.Since(start)
		return rep
	}
	if err := suite.preflight(ctx); err != nil {
		rep.Results = []Result{{Name: "preflight", Kind: "setup", Failure: err.Error()}}
		rep.Duration = time.Since(start)
		return rep
	}
	checks := suite.Checks()
	results := make([]Result, len(checks))
	var mu sync.Mutex
	done := func(i int, r Result) {
		mu.Lock()
		defer mu.Unlock()
		results[i] = r
		logf("%s", r.line())
	}
	var shared, exclusive []int
	for i, ch := range checks {
		if ch.Exclusive {
			exclusive = append(exclusive, i)
		} else {
			shared = append(shared, i)
		}
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < suite.env.cfg.Parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				done(i, suite.RunCheck(ctx, checks[i]))
			}
		}()
	}
	for _, i := range shared {
		work <- i
	}
	close(work)
	wg.Wait()
	for _, i := range exclusive {
		done(i, suite.RunCheck(ctx, checks[i]))
	}
	rep.Results = results
	rep.Duration = time.Since(start)
	return rep
}

// preflight fails fast, with one clear message, when nothing answers at
// the base URL.
func (s *Suite) preflight(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.env.cfg.BaseURL+"/", nil)
	if err != nil {
		return fmt.Errorf("base URL %q: %w", s.env.cfg.BaseURL, err)
	}
	res, err := s.env.client.Do(req)
	if err != nil {
		return fmt.Errorf("nothing answers at %s: %w", s.env.cfg.BaseURL, err)
	}
	res.Body.Close()
	return nil
}

func (r Result) line() string {
	switch {
	case r.Skipped:
		return fmt.Sprintf("skip %s: %s", r.Name, r.Failure)
	case r.Passed:
		s := fmt.Sprintf("ok   %s (%s)", r.Name, r.Duration.Round(time.Millisecond))
		for _, n := range r.Notes {
			s += "\n     note: " + n
		}
		return s
	default:
		return fmt.Sprintf("FAIL %s (%s)\n     %s", r.Name, r.Duration.Round(time.Millisecond), strings.ReplaceAll(r.Failure, "\n", "\n     "))
	}
}

// Report is the outcome of a run.
type Report struct {
	BaseURL  string
	Started  time.Time
	Duration time.Duration
	Results  []Result
	// Coverage compares the documented examples with the registry.
	Coverage Coverage
}

// Passed counts the passed checks.
func (r Report) Passed() int { return r.count(func(x Result) bool { return x.Passed }) }

// Failed counts the failed checks.
func (r Report) Failed() int { return r.count(func(x Result) bool { return !x.Passed && !x.Skipped }) }

// Skipped counts the skipped checks (examples not replayable as written).
func (r Report) Skipped() int { return r.count(func(x Result) bool { return x.Skipped }) }

// Replayed counts the examples whose scenario ran in this report.
func (r Report) Replayed() int {
	return r.count(func(x Result) bool { return x.Kind == "example" && !x.Skipped })
}

func (r Report) count(f func(Result) bool) int {
	n := 0
	for _, x := range r.Results {
		if f(x) {
			n++
		}
	}
	return n
}

// WriteSummary writes the human summary; its last line is exactly
// "N passed, N failed". verbose adds every passed check and every skip.
func (r Report) WriteSummary(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "paysandbox conformance against %s\n", r.BaseURL)
	kinds := map[string][2]int{}
	var notes []string
	var skipped []Result
	for _, x := range r.Results {
		k := kinds[x.Kind]
		if x.Passed {
			k[0]++
		} else if !x.Skipped {
			k[1]++
		}
		kinds[x.Kind] = k
		for _, n := range x.Notes {
			notes = append(notes, x.Name+": "+n)
		}
		switch {
		case x.Skipped:
			skipped = append(skipped, x)
		case !x.Passed:
			fmt.Fprintf(w, "\nFAIL %s\n    %s\n", x.Name, strings.ReplaceAll(x.Failure, "\n", "\n    "))
		case verbose:
			fmt.Fprintf(w, "ok   %s (%s)\n", x.Name, x.Duration.Round(time.Millisecond))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(w, "\nnotes (documented values the server disagrees with, see conformance/spec_issues.go):\n")
		for _, n := range notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	if len(skipped) > 0 {
		fmt.Fprintf(w, "\n%d checks are skipped: examples not replayable as written (conformance/spec_issues.go) or that this server cannot show", len(skipped))
		if verbose {
			fmt.Fprintf(w, ":\n")
			for _, x := range skipped {
				fmt.Fprintf(w, "  %s — %s\n", x.Name, strings.TrimPrefix(x.Failure, "not replayable as written: "))
			}
		} else {
			fmt.Fprintf(w, "; --verbose lists them\n")
		}
	}
	fmt.Fprintln(w)
	if r.Coverage.Documented > 0 {
		fmt.Fprintf(w, "examples: %d documented, %d replayed\n", r.Coverage.Documented, r.Replayed())
		var per []string
		for _, a := range r.Coverage.PerAPI {
			per = append(per, fmt.Sprintf("%s %d/%d", a.API, a.Replayed, a.Documented))
		}
		fmt.Fprintf(w, "  with a scenario: %s\n", strings.Join(per, ", "))
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(w, "%s checks: %d passed, %d failed\n", k, kinds[k][0], kinds[k][1])
	}
	fmt.Fprintf(w, "took %s\n", r.Duration.Round(time.Millisecond))
	fmt.Fprintf(w, "%d passed, %d failed\n", r.Passed(), r.Failed())
}

// --- JUnit XML ---

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`

	dur time.Duration
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

// WriteJUnit writes the report as JUnit XML (one testsuite per kind of
// check, one testcase per check) for CI.
func (r Report) WriteJUnit(w io.Writer) error {
	bySuite := map[string]*junitSuite{}
	var order []string
	for _, x := range r.Results {
		name := "paysandbox.conformance." + x.Kind
		s := bySuite[name]
		if s == nil {
			s = &junitSuite{Name: name, Timestamp: r.Started.UTC().Format(time.RFC3339),
				Properties: []junitProperty{{Name: "base-url", Value: r.BaseURL}}}
			bySuite[name] = s
			order = append(order, name)
		}
		segs := strings.Split(x.Name, "/")
		cls, tc := x.Name, x.Name
		if len(segs) > 3 {
			cls, tc = strings.Join(segs[:3], "."), strings.Join(segs[3:], "/")
		}
		c := junitCase{Classname: cls, Name: tc, Time: seconds(x.Duration)}
		switch {
		case x.Skipped:
			c.Skipped = &junitMessage{Message: firstLine(x.Failure)}
			s.Skipped++
		case !x.Passed:
			c.Failure = &junitMessage{Message: firstLine(x.Failure), Type: "conformance", Text: x.Failure}
			s.Failures++
		}
		if len(x.Notes) > 0 {
			c.SystemOut = strings.Join(x.Notes, "\n")
		}
		s.Tests++
		s.dur += x.Duration
		s.Cases = append(s.Cases, c)
	}
	out := junitSuites{Name: "paysandbox conformance", Tests: len(r.Results), Failures: r.Failed(), Skipped: r.Skipped(), Time: seconds(r.Duration)}
	for _, name := range order {
		s := bySuite[name]
		s.Time = seconds(s.dur)
		out.Suites = append(out.Suites, *s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	if len(l) > 300 {
		l = l[:300] + "…"
	}
	return l
}
