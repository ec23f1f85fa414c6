package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"

	"github.com/paysandbox/paysandbox/conformance"
)

// runConformance is `paysandbox conformance --base-url URL [--junit FILE]
// [--run REGEX] [--skip REGEX] [--control-token TOKEN]`: the conformance suite against a running server. It prints
// a human summary ending in "N passed, N failed" and fails on any failure.
func runConformance(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("conformance", flag.ContinueOnError)
	fs.SetOutput(stderr)
	baseURL := fs.String("base-url", os.Getenv("PAYSANDBOX_BASE_URL"), "URL of the server under test (env PAYSANDBOX_BASE_URL)")
	junit := fs.String("junit", "", "write JUnit XML to this file")
	runExpr := fs.String("run", "", "run only the checks whose name matches this regular expression")
	skipExpr := fs.String("skip", "", "leave out the checks whose name matches this regular expression (e.g. sandbox/reset on a shared server)")
	token := fs.String("medusa-token", conformance.DefaultMedusaToken, "a Medusa bearer token with every permission on the server under test")
	controlToken := fs.String("control-token", os.Getenv("PAYSANDBOX_CONTROL_TOKEN"), "the control token of a server started with --control-token, sent as X-Sandbox-Control-Token (env PAYSANDBOX_CONTROL_TOKEN)")
	parallel := fs.Int("parallel", 4, "how many checks run at once (faults and reset always run alone)")
	verbose := fs.Bool("verbose", false, "print every check as it finishes, and every example that is not replayable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("conformance: unexpected arguments %q", fs.Args())
	}
	if *baseURL == "" {
		return fmt.Errorf("conformance: --base-url is required")
	}
	cfg := conformance.Config{BaseURL: *baseURL, MedusaToken: *token, Parallel: *parallel, ControlToken: *controlToken}
	if *runExpr != "" {
		re, err := regexp.Compile(*runExpr)
		if err != nil {
			return fmt.Errorf("conformance: --run: %w", err)
		}
		cfg.Run = re
	}
	if *skipExpr != "" {
		re, err := regexp.Compile(*skipExpr)
		if err != nil {
			return fmt.Errorf("conformance: --skip: %w", err)
		}
		cfg.Skip = re
	}
	cfg.Logf = func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		if *verbose || strings.HasPrefix(line, "FAIL") {
			fmt.Fprintln(stderr, line)
		}
	}
	report := conformance.Run(ctx, cfg)
	if *junit != "" {
		f, err := os.Create(*junit)
		if err != nil {
			return err
		}
		if err := report.WriteJUnit(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	report.WriteSummary(stdout, *verbose)
	if n := report.Failed(); n > 0 {
		return fmt.Errorf("conformance: %d of %d checks failed", n, n+report.Passed())
	}
	return nil
}
