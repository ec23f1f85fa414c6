// Command paysandbox serves stateful emulations of payment provider APIs.
//
//	paysandbox [serve] [--addr :8080] [--db ./paysandbox.db] [--log-format text|json]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/server"
	"github.com/paysandbox/paysandbox/sqlitedb"
	"github.com/paysandbox/paysandbox/yookassa"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "paysandbox:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, stdout, stderr)
	case "conformance":
		return runConformance(ctx, args, stdout, stderr)
	case "bench":
		return runBench(ctx, args, stdout, stderr)
	default:
		return fmt.Errorf("unknown command %q (commands: serve, conformance, bench)", cmd)
	}
}

// serveConfig is the serve command's settings: flags override env, env
// overrides defaults.
type serveConfig struct {
	addr      string
	db        string
	logFormat string
	publicURL string
	// upstreams is the --yookassa-upstream allow-list, as given ("self" is
	// this server's own /yookassa/v3); upstreamTimeout bounds each call.
	upstreams       string
	upstreamTimeout time.Duration
	// controlToken protects the control API (X-Sandbox-Control-Token); it
	// is never printed or logged.
	controlToken string
	// cpuProfile and memProfile are pprof files written at shutdown.
	cpuProfile, memProfile string
}

func parseServe(args []string, stderr io.Writer) (serveConfig, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c serveConfig
	fs.StringVar(&c.addr, "addr", envOr("PAYSANDBOX_ADDR", ":8080"), "listen address (env PAYSANDBOX_ADDR)")
	fs.StringVar(&c.db, "db", envOr("PAYSANDBOX_DB", "./paysandbox.db"), "SQLite database file (env PAYSANDBOX_DB)")
	fs.StringVar(&c.logFormat, "log-format", envOr("PAYSANDBOX_LOG_FORMAT", "text"), "log format: text or json (env PAYSANDBOX_LOG_FORMAT)")
	fs.StringVar(&c.publicURL, "public-url", os.Getenv("PAYSANDBOX_PUBLIC_URL"), "URL clients reach this server at, for links in responses (env PAYSANDBOX_PUBLIC_URL; default http://localhost:<port>)")
	fs.StringVar(&c.upstreams, "yookassa-upstream", envOr("PAYSANDBOX_YOOKASSA_UPSTREAMS", "self"),
		"comma-separated YooKassa base URLs that LCManager's PaymentCommit may call; \"self\" is this server's own /yookassa/v3 (env PAYSANDBOX_YOOKASSA_UPSTREAMS)")
	fs.DurationVar(&c.upstreamTimeout, "upstream-timeout", server.DefaultUpstreamTimeout, "how long PaymentCommit waits for YooKassa")
	fs.StringVar(&c.controlToken, "control-token", os.Getenv("PAYSANDBOX_CONTROL_TOKEN"),
		"token the control API (/sandbox/v1, but the Medusa ledger) requires in the X-Sandbox-Control-Token header; set it whenever the server listens beyond localhost (env PAYSANDBOX_CONTROL_TOKEN, which keeps it out of the process list)")
	fs.StringVar(&c.cpuProfile, "cpuprofile", "", "write a pprof CPU profile of the whole run to this file at shutdown")
	fs.StringVar(&c.memProfile, "memprofile", "", "write a pprof allocation profile to this file at shutdown")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.upstreamTimeout <= 0 {
		return c, fmt.Errorf("--upstream-timeout must be positive, not %s", c.upstreamTimeout)
	}
	if c.logFormat != "text" && c.logFormat != "json" {
		return c, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
	}
	for _, r := range c.controlToken {
		if r <= ' ' || r > '~' { // it travels in a header: visible ASCII only (and never echoed here)
			return c, errors.New("--control-token must be visible ASCII characters without spaces")
		}
	}
	return c, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func newLogger(format string, w *logWriter) *slog.Logger {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if format == "json" {
		h = slog.NewJSONHandler(w, nil)
	}
	return slog.New(flushOnWarn{h, w.Flush})
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stderr)
	if err != nil {
		return err
	}
	logOut := newLogWriter(stderr)
	defer logOut.Close() // last: after "shutting down" and the DB's close
	log := newLogger(cfg.logFormat, logOut)
	tuneGC(os.Getenv)
	stopProfiles, err := startProfiles(cfg.cpuProfile, cfg.memProfile)
	if err != nil {
		return err
	}
	defer func() {
		if err := stopProfiles(); err != nil {
			log.Error("writing profiles", "err", err.Error())
		}
	}()

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if cfg.publicURL == "" {
		cfg.publicURL = "http://localhost:" + portOf(ln.Addr())
	}

	db, err := sqlitedb.Open(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer db.Close()

	scfg := server.NewConfig(db, cfg.publicURL, log)
	scfg.UpstreamAllow = upstreamAllowList(cfg.upstreams, cfg.publicURL, ln.Addr())
	scfg.UpstreamTimeout = cfg.upstreamTimeout
	scfg.ControlToken = cfg.controlToken
	if cfg.controlToken == "" && !loopbackOnly(ln.Addr()) {
		log.Warn("the control API is open to anyone who can reach " + ln.Addr().String() + ": set --control-token (env PAYSANDBOX_CONTROL_TOKEN)")
	}
	handler, err := server.New(ctx, scfg)
	if err != nil {
		return err
	}

	const readTimeout = 30 * time.Second
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       readTimeout,
		// A PaymentCommit may read its body for up to ReadTimeout and then
		// wait for YooKassa for up to the upstream timeout before it answers.
		WriteTimeout: readTimeout + cfg.upstreamTimeout + 5*time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	printBanner(stdout, ln.Addr(), cfg)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight requests finish, then close the DB (deferred).
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// upstreamAllowList expands "self" in the comma-separated list into this
// server's own YooKassa emulator: at the public URL, at 127.0.0.1 on the
// listening port, and at the listening address when it is a specific one.
func upstreamAllowList(list, publicURL string, addr net.Addr) []string {
	var out []string
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		switch item {
		case "":
		case "self":
			out = append(out, publicURL+"/yookassa/v3", "http://127.0.0.1:"+portOf(addr)+"/yookassa/v3")
			if t, ok := addr.(*net.TCPAddr); ok && !t.IP.IsUnspecified() && !t.IP.IsLoopback() {
				out = append(out, "http://"+t.String()+"/yookassa/v3")
			}
		default:
			out = append(out, item)
		}
	}
	return out
}

// loopbackOnly reports whether the server can be reached from this machine only.
func loopbackOnly(a net.Addr) bool {
	t, ok := a.(*net.TCPAddr)
	return ok && t.IP.IsLoopback()
}

func portOf(a net.Addr) string {
	if t, ok := a.(*net.TCPAddr); ok {
		return fmt.Sprint(t.Port)
	}
	return "8080"
}

func printBanner(w io.Writer, addr net.Addr, cfg serveConfig) {
	fmt.Fprintf(w, "paysandbox listening on %s (public URL %s), database %s\n", addr, cfg.publicURL, cfg.db)
	fmt.Fprintf(w, "default credentials:\n")
	fmt.Fprintf(w, "  Medusa:   Authorization: Bearer %s (platform %s)\n", medusa.DefaultToken, medusa.DefaultPlatformID)
	fmt.Fprintf(w, "            recipient %s, SBP payout method %s\n", medusa.DefaultRecipientExtID, medusa.DefaultPayoutMethodExtID)
	fmt.Fprintf(w, "  Cryptomus: merchant %s, payment key %s, payout key %s\n", cryptomus.DefaultMerchantUUID, cryptomus.DefaultPaymentKey, cryptomus.DefaultPayoutKey)
	fmt.Fprintf(w, "  YooKassa: shopId %s, secret key %s (HTTP Basic) at %s/yookassa/v3\n", yookassa.DefaultShopID, yookassa.DefaultSecretKey, cfg.publicURL)
	fmt.Fprintf(w, "  LCManager PaymentCommit may call: %s (--yookassa-upstream)\n", cfg.upstreams)
	if cfg.controlToken != "" {
		fmt.Fprintf(w, "control API: needs the header %s (the --control-token value, not shown)\n", server.ControlTokenHeader)
	} else {
		fmt.Fprintf(w, "control API: open, no token (set --control-token when listening beyond localhost)\n")
	}
	fmt.Fprintf(w, "specs:      %s/openapi/{medusa,cryptomus,lcmanager,yookassa,sandbox}.yaml, references at %s/docs\n", cfg.publicURL, cfg.publicURL)
}
