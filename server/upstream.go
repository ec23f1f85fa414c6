package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/paysandbox/paysandbox/gen/yookassaapi"
)

// The upstream YooKassa that LCManager's PaymentCommit calls: an allow-list
// of base URLs checked before any connection, and a client of the YooKassa
// API v3 (the generated one) that follows no redirects, times out and
// reads at most MaxUpstreamBody bytes of an answer.

// DefaultUpstreamTimeout is how long PaymentCommit waits for YooKassa.
const DefaultUpstreamTimeout = 10 * time.Second

// MaxUpstreamBody is the largest YooKassa answer PaymentCommit reads.
const MaxUpstreamBody = 1 << 20

// specPrefix is where the YooKassa paths of openapi/yookassa.yaml begin;
// the client's requests are moved from it onto the upstream's base path.
const specPrefix = "/yookassa/v3"

// normalizeUpstream gives the one spelling of a base URL that the
// allow-list compares exactly: http or https, lower-case host, no default
// port, a clean path without a trailing slash, and nothing else (no user,
// query or fragment).
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
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return nil, fmt.Errorf("%q has no host", raw)
	}
	port := u.Port()
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

// upstreams is the allow-list and the HTTP client of the upstream calls.
type upstreams struct {
	allowed map[string]bool // normalized base URLs
	list    []string
	client  *http.Client
	timeout time.Duration
}

func newUpstreams(allow []string, timeout time.Duration) (*upstreams, error) {
	if timeout <= 0 {
		timeout = DefaultUpstreamTimeout
	}
	u := &upstreams{allowed: map[string]bool{}, timeout: timeout}
	for _, a := range allow {
		n, err := normalizeUpstream(a)
		if err != nil {
			return nil, fmt.Errorf("allowed YooKassa upstream: %w", err)
		}
		if !u.allowed[n.String()] {
			u.allowed[n.String()] = true
			u.list = append(u.list, n.String())
		}
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.ResponseHeaderTimeout = timeout
	// One connection per call: none is left open to an upstream (or to this
	// server itself, which would hold up its graceful shutdown).
	transport.DisableKeepAlives = true
	u.client = &http.Client{
		Transport: limitBodies{next: transport, limit: MaxUpstreamBody},
		Timeout:   timeout,
		// The allow-list names where requests may go: a redirect would lead elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return u, nil
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
