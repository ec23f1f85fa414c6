package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// listenCounting serves 200 "name" on addr and counts connections.
func listenCounting(t *testing.T, addr, name string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s: %v", addr, err)
	}
	var conns atomic.Int64
	s := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, name) }))
	s.Listener.Close()
	s.Listener = ln
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s, &conns
}

func upstreamGet(t *testing.T, u *upstreams, url string) (string, error) {
	t.Helper()
	res, err := u.client.Get(url)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// TestUpstreamNamesArePinned: a name of the allow-list is resolved once, on
// its first call, and every later call connects to that answer's address,
// even when the name now resolves elsewhere (DNS rebinding); a failed
// lookup is not pinned.
func TestUpstreamNamesArePinned(t *testing.T) {
	first, firstConns := listenCounting(t, "127.0.0.1:0", "first")
	port := first.Listener.Addr().(*net.TCPAddr).Port
	_, rebound := listenCounting(t, fmt.Sprintf("127.0.0.2:%d", port), "rebound")

	u, err := newUpstreams([]string{fmt.Sprintf("http://yookassa.test:%d/v3", port)}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var lookups atomic.Int64
	u.lookup = func(_ context.Context, host string) ([]netip.Addr, error) {
		switch lookups.Add(1) {
		case 1:
			return nil, &net.DNSError{Err: "temporary failure", Name: host, IsTemporary: true}
		case 2:
			return []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.1")}, nil // mapped: dialed as IPv4
		default:
			return []netip.Addr{netip.MustParseAddr("127.0.0.2")}, nil // the rebinding answer
		}
	}
	url := fmt.Sprintf("http://yookassa.test:%d/v3/payments", port)
	if _, err := upstreamGet(t, u, url); err == nil || !strings.Contains(unreachableReason(err), "cannot resolve yookassa.test") {
		t.Fatalf("a failed lookup: %v", err)
	}
	for i := range 3 {
		if body, err := upstreamGet(t, u, url); err != nil || body != "first" {
			t.Fatalf("call %d: %q %v", i, body, err)
		}
		u.client.CloseIdleConnections() // so that the next call dials again
	}
	if n := lookups.Load(); n != 2 {
		t.Errorf("%d lookups, want 2 (the failed one, then the pinned one)", n)
	}
	if n := rebound.Load(); n != 0 {
		t.Errorf("the rebound address got %d connections", n)
	}
	if n := firstConns.Load(); n != 3 {
		t.Errorf("the pinned address got %d connections, want 3", n)
	}
}

// TestUpstreamKeepsConnections: calls to one upstream share a kept
// connection instead of dialing each time.
func TestUpstreamKeepsConnections(t *testing.T) {
	s, conns := listenCounting(t, "127.0.0.1:0", "kept")
	u, err := newUpstreams([]string{s.URL + "/v3"}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if body, err := upstreamGet(t, u, s.URL+"/v3/payments"); err != nil || body != "kept" {
			t.Fatalf("call %d: %q %v", i, body, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("5 calls made %d connections, want 1", n)
	}
}

// TestUpstreamDialerRefusesOtherAddresses: the dialer itself refuses any
// host:port outside the allow-list (the allow-list check before each call
// is the first line; this is the second), without a connection or a lookup.
func TestUpstreamDialerRefusesOtherAddresses(t *testing.T) {
	allowed, allowedConns := listenCounting(t, "127.0.0.1:0", "allowed")
	other, otherConns := listenCounting(t, "127.0.0.1:0", "other")
	u, err := newUpstreams([]string{allowed.URL + "/v3", "http://yookassa.test/v3"}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	u.lookup = func(context.Context, string) ([]netip.Addr, error) {
		t.Error("a lookup for an address outside the allow-list")
		return nil, errors.New("no")
	}
	port := other.Listener.Addr().(*net.TCPAddr).Port
	for _, url := range []string{
		other.URL + "/v3",
		fmt.Sprintf("http://localhost:%d/v3", port),
		fmt.Sprintf("http://yookassa.test:%d/v3", port), // an allowed name on another port
		"http://yookassa.test:8080/v3",
		strings.Replace(allowed.URL, "127.0.0.1", "127.0.0.1.", 1),
	} {
		_, err := upstreamGet(t, u, url)
		if !errors.Is(err, errDialRefused) || unreachableReason(err) != "the address is not in the allow-list" {
			t.Errorf("%s: %v", url, err)
		}
	}
	if body, err := upstreamGet(t, u, allowed.URL+"/v3"); err != nil || body != "allowed" {
		t.Errorf("the allowed address: %q %v", body, err)
	}
	if a, o := allowedConns.Load(), otherConns.Load(); a != 1 || o != 0 {
		t.Errorf("connections: allowed %d (want 1), other %d (want 0)", a, o)
	}
}

// TestUpstreamUsesNoProxy: HTTP_PROXY does not divert the calls (a proxy
// would be a hop the allow-list does not see).
func TestUpstreamUsesNoProxy(t *testing.T) {
	proxy, proxyConns := listenCounting(t, "127.0.0.1:0", "proxy")
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("http_proxy", proxy.URL)
	allowed, _ := listenCounting(t, "127.0.0.1:0", "allowed")
	u, err := newUpstreams([]string{strings.Replace(allowed.URL, "127.0.0.1", "yookassa.test", 1) + "/v3"}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	u.lookup = func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	if body, err := upstreamGet(t, u, strings.Replace(allowed.URL, "127.0.0.1", "yookassa.test", 1)+"/v3/x"); err != nil || body != "allowed" {
		t.Errorf("%q %v", body, err)
	}
	if n := proxyConns.Load(); n != 0 {
		t.Errorf("the proxy got %d connections", n)
	}
	// net/http reads the proxy variables once per process, so say it directly too.
	if tr := u.client.Transport.(limitBodies).next.(*http.Transport); tr.Proxy != nil {
		t.Error("the upstream transport has a Proxy")
	}
}

func TestCanonicalHost(t *testing.T) {
	for in, want := range map[string]string{
		"LocalHost":              "localhost",
		"api.yookassa.ru":        "api.yookassa.ru",
		"127.0.0.1":              "127.0.0.1",
		"::1":                    "::1",
		"0:0:0:0:0:0:0:1":        "::1",
		"::FFFF:127.0.0.1":       "::ffff:127.0.0.1",
		"my_host.internal":       "my_host.internal",
		"xn--80ak6aa92e.com":     "xn--80ak6aa92e.com",
		"0xfoo.example":          "0xfoo.example",
		"1.example":              "1.example",
		"yookassa-mock.ci.local": "yookassa-mock.ci.local",
	} {
		if got, err := canonicalHost(in); err != nil || got != want {
			t.Errorf("canonicalHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{
		"127.1", "2130706433", "0x7f.1", "0x7f000001", "0177.0.0.1", "127.0.0.01", "127.0.0.1.", "localhost.",
		"fe80::1%lo", "loca\u212Ahost", "пример.рф", "a..b", "-a.b", "a b", "a/b", "example.123", "example.0x1",
	} {
		if got, err := canonicalHost(bad); err == nil {
			t.Errorf("canonicalHost(%q) = %q, want an error", bad, got)
		}
	}
}
