package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/paysandbox/paysandbox/gen/yookassaapi"
)

// The upstream YooKassa that LCManager's PaymentCommit calls: an allow-list
// of base URLs checked before any connection, and a client of the YooKassa
// API v3 (the generated one) that follows no redirects, uses no proxy,
// times out and reads at most MaxUpstreamBody bytes of an answer.
//
// The allow-list compares normalized URLs exactly (normalizeUpstream): one
// spelling per host, so another spelling of an allowed host (127.1,
// 2130706433, 0x7f.1, a trailing dot, [::ffff:127.0.0.1]) or a name that
// merely resolves to the same address is refused without any lookup. The
// dialer then connects only to the hosts and ports of the allow-list, and
// to a name's addresses as resolved the first time it is called: the
// answer is pinned until the server restarts, so a name cannot be rebound
// to another address (DNS rebinding) between calls.

// DefaultUpstreamTimeout is how long PaymentCommit waits for YooKassa.
const DefaultUpstreamTimeout = 10 * time.Second

// MaxUpstreamBody is the largest YooKassa answer PaymentCommit reads.
const MaxUpstreamBody = 1 << 20

// specPrefix is where the YooKassa paths of openapi/yookassa.yaml begin;
// the client's requests are moved from it onto the upstream's base path.
const specPrefix = "/yookassa/v3"

// normalizeUpstream gives the one spelling of a base URL that the
// allow-list compares exactly: http or https, the canonical host
// (canonicalHost), a port without leading zeros and not the default one, a
// clean path without a trailing slash, and nothing else (no user, query or
// fragment).
func normalizeUpstream(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", raw)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return nil, fmt.Errorf("%q is not an http or https URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "" {
		return nil, fmt.Errorf("%q has a user, query or fragment", raw)
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	host, err := canonicalHost(u.Hostname())
	if err != nil {
		return nil, fmt.Errorf("%q: %w", raw, err)
	}
	port := u.Port()
	if n, err := strconv.Atoi(port); port != "" && (err != nil || n < 1 || n > 65535 || port[0] == '0') {
		return nil, fmt.Errorf("%q has an invalid port", raw)
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port != "" {
		hostport = net.JoinHostPort(host, port)
	}
	p := u.Path
	if p == "" {
		p = "/"
	}
	p = path.Clean("/" + p)
	p = strings.TrimSuffix(p, "/")
	return &url.URL{Scheme: scheme, Host: hostport, Path: p}, nil
}

// dnsName is a lower-case ASCII host name without a trailing dot.
var dnsName = regexp.MustCompile(`^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*$`)

// canonicalHost is the one spelling of a host the allow-list compares: an
// IP address in its canonical form (IPv6 compressed, no zone), or a DNS
// name in lower-case ASCII. A name whose last label is a number is one of
// the IPv4 spellings some resolvers accept (127.1, 2130706433, 0x7f.1,
// 0177.0.0.1) and is refused, as are a trailing dot and non-ASCII letters
// (whose lower case may be ASCII: K, the Kelvin sign), so that a host has
// exactly one spelling.
func canonicalHost(h string) (string, error) {
	if ip, err := netip.ParseAddr(h); err == nil {
		if ip.Zone() != "" {
			return "", fmt.Errorf("host %q has an IPv6 zone", h)
		}
		return ip.String(), nil
	}
	for i := 0; i < len(h); i++ {
		if h[i] >= 0x80 {
			return "", fmt.Errorf("host %q is not ASCII (use its punycode form)", h)
		}
	}
	h = strings.ToLower(h)
	if !dnsName.MatchString(h) {
		return "", fmt.Errorf("host %q is not a DNS name or an IP address", h)
	}
	last := h[strings.LastIndexByte(h, '.')+1:]
	if strings.TrimLeft(last, "0123456789") == "" || strings.HasPrefix(last, "0x") {
		return "", fmt.Errorf("host %q is not an IP address in its canonical form", h)
	}
	return h, nil
}

// upstreams is the allow-list and the HTTP client of the upstream calls.
type upstreams struct {
	allowed map[string]bool // normalized base URLs
	list    []string
	client  *http.Client
	timeout time.Duration
	// dialable are the host:port pairs of the allow-list (default ports
	// filled in): the only addresses the dialer connects to.
	dialable map[string]bool
	dialer   net.Dialer
	// lookup resolves a name of the allow-list (net.DefaultResolver; tests
	// replace it); pinned keeps each name's first answer.
	lookup func(ctx context.Context, host string) ([]netip.Addr, error)
	mu     sync.Mutex
	pinned map[string][]netip.Addr
}

// errDialRefused is a connection to an address outside the allow-list,
// which the allow-list check before each call should make impossible.
var errDialRefused = errors.New("the address is not in the allow-list")

func newUpstreams(allow []string, timeout time.Duration) (*upstreams, error) {
	if timeout <= 0 {
		timeout = DefaultUpstreamTimeout
	}
	u := &upstreams{allowed: map[string]bool{}, timeout: timeout, dialable: map[string]bool{}, pinned: map[string][]netip.Addr{}}
	u.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	for _, a := range allow {
		n, err := normalizeUpstream(a)
		if err != nil {
			return nil, fmt.Errorf("allowed YooKassa upstream: %w", err)
		}
		if !u.allowed[n.String()] {
			u.allowed[n.String()] = true
			u.list = append(u.list, n.String())
		}
		port := n.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[n.Scheme]
		}
		u.dialable[net.JoinHostPort(n.Hostname(), port)] = true
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil // a proxy would be one more hop the allow-list does not see
	transport.DialContext = u.dial
	transport.ResponseHeaderTimeout = timeout
	transport.TLSHandshakeTimeout = timeout
	transport.MaxResponseHeaderBytes = 64 << 10 // headersTooLarge
	// Connections are kept for the next call (a new one per call was an
	// eighth of a PaymentCommit's CPU). The pool is per canonical host, so
	// a kept connection only ever serves the allowed host it was dialed
	// for. Idle ones are dropped well before a server's idle timeout (this
	// one's is 120 s), and graceful shutdown closes idle connections.
	transport.MaxIdleConnsPerHost = 32
	transport.IdleConnTimeout = 30 * time.Second
	u.client = &http.Client{
		Transport: limitBodies{next: transport, limit: MaxUpstreamBody},
		Timeout:   timeout,
		// The allow-list names where requests may go: a redirect would lead elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return u, nil
}

// dial connects to addr only when it is a host:port of the allow-list, and
// only to the host's pinned addresses.
func (u *upstreams) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || !u.dialable[net.JoinHostPort(host, port)] {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errDialRefused}
	}
	ips, err := u.resolve(ctx, host)
	if err != nil {
		return nil, err
	}
	var first error
	for i, ip := range ips {
		// Each address gets its share of the time left, as net.Dialer
		// gives them, so that one that never answers leaves time for the next.
		dctx, cancel := ctx, context.CancelFunc(func() {})
		if dl, ok := ctx.Deadline(); ok && i < len(ips)-1 {
			dctx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(dl)/time.Duration(len(ips)-i)))
		}
		c, err := u.dialer.DialContext(dctx, network, net.JoinHostPort(ip.String(), port))
		cancel() // a connection, once made, no longer depends on the context
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
	}
	return nil, first
}

// resolve returns an IP address itself, or a name's addresses: looked up
// the first time, then pinned (a failed lookup is not pinned).
func (u *upstreams) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if ips, ok := u.pinned[host]; ok {
		return ips, nil
	}
	found, err := u.lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	ips := make([]netip.Addr, 0, len(found))
	for _, ip := range found {
		ips = append(ips, ip.Unmap())
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
	}
	u.pinned[host] = ips
	return ips, nil
}

// allow returns the normalized base URL when raw is in the allow-list.
func (u *upstreams) allow(raw string) (*url.URL, bool) {
	n, err := normalizeUpstream(raw)
	if err != nil || !u.allowed[n.String()] {
		return nil, false
	}
	return n, true
}

// limitBodies cuts every answer body at limit bytes: reading past it fails.
type limitBodies struct {
	next  http.RoundTripper
	limit int64
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport's kept connections.
func (l limitBodies) CloseIdleConnections() {
	if c, ok := l.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (l limitBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := l.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	res.Body = &limitedBody{rc: res.Body, left: l.limit}
	return res, nil
}

var errUpstreamTooLarge = errors.New("the answer is larger than 1 MiB")

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		// One byte more tells a body of exactly the limit from a longer one.
		var one [1]byte
		if n, _ := b.rc.Read(one[:]); n > 0 {
			return 0, errUpstreamTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// upstreamCall is one call of YooKassa on behalf of a PaymentCommit.
type upstreamCall struct {
	base           *url.URL // normalized, allowed
	login          string
	password       string
	idempotenceKey string
}

// client returns the generated YooKassa client aimed at the call's base URL.
func (u *upstreams) clientFor(c upstreamCall) (*yookassaapi.ClientWithResponses, error) {
	server := c.base.Scheme + "://" + c.base.Host
	basePath := c.base.Path
	return yookassaapi.NewClientWithResponses(server,
		yookassaapi.WithHTTPClient(u.client),
		yookassaapi.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.URL.Path = strings.TrimSuffix(basePath, "/") + strings.TrimPrefix(req.URL.Path, specPrefix)
			req.URL.RawPath = ""
			req.SetBasicAuth(c.login, c.password)
			req.Header.Set("User-Agent", "paysandbox-lcmanager/1")
			req.Header.Set("Accept", "application/json")
			return nil
		}))
}

// upstreamFailure is a call that did not produce a payment or refund:
// either YooKassa's error answer (status > 0) or no answer at all.
type upstreamFailure struct {
	status      int    // YooKassa's HTTP status; 0 when it did not answer
	code        string // YooKassa's error code, if its answer had one
	description string
	parameter   string
	timeout     bool  // no answer in time
	err         error // the transport error (status 0)
}

func (f *upstreamFailure) Error() string {
	if f.status == 0 {
		return "YooKassa did not answer: " + f.err.Error()
	}
	return fmt.Sprintf("YooKassa answered %d %s: %s", f.status, f.code, f.description)
}

// transportFailure classifies an error of the HTTP round trip.
func transportFailure(err error) *upstreamFailure {
	f := &upstreamFailure{err: err}
	var netErr net.Error
	f.timeout = errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
	return f
}

// answerFailure reads YooKassa's error object from a non-200 answer.
func answerFailure(status int, body []byte) *upstreamFailure {
	f := &upstreamFailure{status: status}
	var e yookassaapi.Error
	if json.Unmarshal(body, &e) == nil && e.Code != "" {
		f.code = string(e.Code)
		f.description = e.Description
		if e.Parameter != nil {
			f.parameter = *e.Parameter
		}
	}
	return f
}

// unreachableReason words a transport error briefly (never with the URL,
// which may carry anything the caller sent).
func unreachableReason(err error) string {
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to host"
	case errors.Is(err, errDialRefused):
		return errDialRefused.Error()
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "cannot resolve " + dnsErr.Name
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "the connection closed without an answer"
	}
	return "the request failed"
}

// headersTooLarge reports whether the answer's headers passed the
// transport's MaxResponseHeaderBytes (net/http words it only as text).
func headersTooLarge(err error) bool {
	return err != nil && strings.Contains(err.Error(), "server response headers exceeded")
}

// readFailure is an answer whose body could not be read or decoded.
func readFailure(status int, err error) *upstreamFailure {
	f := transportFailure(err)
	if f.timeout {
		return f // the answer started but did not finish in time
	}
	f.status = status
	f.description = "its answer cannot be read"
	if errors.Is(err, errUpstreamTooLarge) {
		f.description = "its answer is larger than 1 MiB"
	}
	return f
}

// createPayment asks YooKassa for a payment; an error is *upstreamFailure.
func (u *upstreams) createPayment(ctx context.Context, c upstreamCall, body yookassaapi.CreatePaymentRequest) (*yookassaapi.Payment, error) {
	cl, err := u.clientFor(c)
	if err != nil {
		return nil, &upstreamFailure{err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	rsp, err := cl.CreatePayment(ctx, &yookassaapi.CreatePaymentParams{IdempotenceKey: c.idempotenceKey}, body)
	if err != nil {
		return nil, transportFailure(err)
	}
	res, err := yookassaapi.ParseCreatePaymentResponse(rsp)
	if err != nil {
		return nil, readFailure(rsp.StatusCode, err)
	}
	if res.StatusCode() == http.StatusOK && res.JSON200 != nil {
		return res.JSON200, nil
	}
	return nil, answerFailure(res.StatusCode(), res.Body)
}

// createRefund asks YooKassa for a refund; an error is *upstreamFailure.
func (u *upstreams) createRefund(ctx context.Context, c upstreamCall, body yookassaapi.CreateRefundRequest) (*yookassaapi.Refund, error) {
	cl, err := u.clientFor(c)
	if err != nil {
		return nil, &upstreamFailure{err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, u.timeout)
	defer cancel()
	rsp, err := cl.CreateRefund(ctx, &yookassaapi.CreateRefundParams{IdempotenceKey: c.idempotenceKey}, body)
	if err != nil {
		return nil, transportFailure(err)
	}
	res, err := yookassaapi.ParseCreateRefundResponse(rsp)
	if err != nil {
		return nil, readFailure(rsp.StatusCode, err)
	}
	if res.StatusCode() == http.StatusOK && res.JSON200 != nil {
		return res.JSON200, nil
	}
	return nil, answerFailure(res.StatusCode(), res.Body)
}
