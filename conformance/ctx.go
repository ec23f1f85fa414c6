package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Ctx is what a check gets: where the server is, an HTTP client, unique
// ids, helpers for setting up state through the public and control APIs
// (see medusa_helpers.go), and Send, which replays the check's example.
type Ctx struct {
	context.Context
	// BaseURL is the server under test, without a trailing slash.
	BaseURL string
	Client  *http.Client
	// Example is the documented example a scenario replays; nil for
	// lifecycle and negative checks.
	Example *Example

	env      *env
	scenario *Scenario
	sends    int
	notes    []string
	logs     []string
}

// ControlTokenHeader carries the control token of a protected server.
const ControlTokenHeader = "X-Sandbox-Control-Token"

// ControlToken is the control token the suite was given ("" for none).
func (c *Ctx) ControlToken() string { return c.env.cfg.ControlToken }

// skipError ends a check as skipped (see Skip).
type skipError struct{ reason string }

func (e *skipError) Error() string { return "skipped: " + e.reason }

// Skip ends a check as skipped, for what the server under test cannot
// show as configured (e.g. the control token's 401 on a server without
// one): return c.Skip(reason).
func (c *Ctx) Skip(reason string) error { return &skipError{reason: reason} }

// Logf records a line shown with the check's result when it fails.
func (c *Ctx) Logf(format string, args ...any) {
	c.logs = append(c.logs, fmt.Sprintf(format, args...))
}

// Note records a remark reported with the check's result even when it
// passes (e.g. a documented value the server disagrees with).
func (c *Ctx) Note(format string, args ...any) {
	c.notes = append(c.notes, fmt.Sprintf(format, args...))
}

// NewID returns a random version 4 UUID, so that every run of the suite
// works on its own resources, even against a shared server.
func (c *Ctx) NewID() string { return newUUID() }

// Unique returns prefix followed by random hex, for names and tokens.
func (c *Ctx) Unique(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// Request is one HTTP request to the server under test.
type Request struct {
	Method string
	// Path is relative to the base URL and may carry a query.
	Path   string
	Query  url.Values
	Header http.Header
	// Body is sent as is when it is []byte or string, as JSON otherwise;
	// nil sends no body.
	Body any
	// API is the spec the request belongs to ("" to search them all).
	API string
}

// NewRequest builds a request of api (the spec name, "" for any).
func NewRequest(api, method, path string, body any) *Request {
	return &Request{API: api, Method: method, Path: path, Query: url.Values{}, Header: http.Header{}, Body: body}
}

// Bearer sets `Authorization: Bearer token`; "" removes the header.
func (r *Request) Bearer(token string) *Request {
	if token == "" {
		r.Header.Del("Authorization")
	} else {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	return r
}

// Set sets a header.
func (r *Request) Set(name, value string) *Request {
	r.Header.Set(name, value)
	return r
}

// Param adds a query parameter.
func (r *Request) Param(name, value string) *Request {
	r.Query.Add(name, value)
	return r
}

// uri is the path and query relative to the base URL.
func (r *Request) uri() string {
	u := r.Path
	if q := r.Query.Encode(); q != "" {
		if strings.Contains(u, "?") {
			u += "&" + q
		} else {
			u += "?" + q
		}
	}
	return u
}

func (r *Request) bodyBytes() ([]byte, string, error) {
	switch b := r.Body.(type) {
	case nil:
		return nil, "", nil
	case []byte:
		return b, "", nil
	case string:
		return []byte(b), "", nil
	default:
		raw, err := json.Marshal(b)
		return raw, "application/json", err
	}
}

// Response is the server's answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Value is the decoded body: JSON, or XML decoded along the documented
	// schema; nil for an empty or undecodable body.
	Value any
	// URL is the URL the request went to.
	URL *url.URL
	// OperationID is the documented operation the request was routed to.
	OperationID string
}

// Get returns the value at a JSON pointer of the body, nil if absent.
func (r *Response) Get(pointer string) any {
	v, _ := lookup(r.Value, pointer)
	return v
}

// Str returns the string at a JSON pointer of the body, "" if absent.
func (r *Response) Str(pointer string) string {
	s, _ := r.Get(pointer).(string)
	return s
}

func (r *Response) String() string {
	body := string(r.Body)
	if len(body) > 600 {
		body = body[:600] + "…"
	}
	return fmt.Sprintf("%d %s %s", r.Status, r.Header.Get("Content-Type"), body)
}

// exchange is one request, its answer and the documented operation.
type exchange struct {
	req  *Request
	resp *Response
	spec *apiSpec
	op   *operation
	path map[string]string
}

// roundTrip sends req and reads the answer; the error is a transport or
// routing failure, never an unexpected status.
func (c *Ctx) roundTrip(req *Request) (*exchange, error) {
	sp, route, params, err := c.env.specs.route(req.API, req.Method, req.uri())
	if err != nil {
		return nil, err
	}
	body, ct, err := req.bodyBytes()
	if err != nil {
		return nil, fmt.Errorf("encode request body: %w", err)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	hr, err := http.NewRequestWithContext(c, req.Method, c.BaseURL+req.uri(), rd)
	if err != nil {
		return nil, err
	}
	for k, vs := range req.Header {
		hr.Header[k] = append([]string(nil), vs...)
	}
	// The control token goes with every control API request that does not
	// set the header itself (a scenario may send it wrong or empty).
	if _, set := req.Header[ControlTokenHeader]; !set && c.env.cfg.ControlToken != "" && strings.HasPrefix(req.Path, "/sandbox/") {
		hr.Header.Set(ControlTokenHeader, c.env.cfg.ControlToken)
	}
	if ct != "" && hr.Header.Get("Content-Type") == "" {
		hr.Header.Set("Content-Type", ct)
	}
	res, err := c.Client.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.uri(), err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read response: %w", req.Method, req.uri(), err)
	}
	op := c.env.specs.ops[sp.name][route.Operation.OperationID]
	resp := &Response{Status: res.StatusCode, Header: res.Header, Body: raw, URL: hr.URL, OperationID: op.op.OperationID}
	x := &exchange{req: req, resp: resp, spec: sp, op: op, path: params}
	resp.Value = decodeBody(x)
	c.Logf("%s %s → %s", req.Method, req.uri(), resp)
	return x, nil
}

// Call sends a request that sets up or inspects state and returns the
// answer when its status is want and it matches the spec (a documented
// status, Content-Type and schema) and the API's invariants.
func (c *Ctx) Call(req *Request, want int) (*Response, error) {
	x, err := c.roundTrip(req)
	if err != nil {
		return nil, err
	}
	if x.resp.Status != want {
		return x.resp, fmt.Errorf("%s (%s %s): status %d, want %d: %s", x.op.op.OperationID, req.Method, req.uri(), x.resp.Status, want, x.resp)
	}
	problems := c.env.validate(x, "")
	if p := c.env.profiles[x.spec.name]; p != nil && p.invariants != nil {
		problems = append(problems, p.invariants(x.req, x.resp)...)
	}
	if len(problems) > 0 {
		return x.resp, fmt.Errorf("%s (%s %s): the answer breaks the spec:\n  %s", x.op.op.OperationID, req.Method, req.uri(), strings.Join(problems, "\n  "))
	}
	return x.resp, nil
}

// Send replays the scenario's example: it sends req and checks that the
// request was routed to the example's operation, that the status is the
// example's, that the Content-Type is the example's media type, that the
// body (and documented headers) validate against the operation's response
// for that status, that the scenario's Equal pointers hold the example's
// values, and the API's invariants (e.g. Medusa's `code` is the status).
// A scenario may call Send more than once (e.g. without a token, then with
// an unknown one); every answer must match.
func (c *Ctx) Send(req *Request) (*Response, error) {
	if c.Example == nil {
		return nil, fmt.Errorf("Send outside an example scenario; use Call")
	}
	c.sends++
	if req.API == "" {
		req.API = c.Example.API
	}
	x, err := c.roundTrip(req)
	if err != nil {
		return nil, err
	}
	k := c.Example.Key
	var problems []string
	if x.op.op.OperationID != k.OperationID {
		problems = append(problems, fmt.Sprintf("%s %s is operation %s, not %s", req.Method, req.uri(), x.op.op.OperationID, k.OperationID))
	}
	if x.resp.Status != k.Status {
		problems = append(problems, fmt.Sprintf("status %d, the example documents %d", x.resp.Status, k.Status))
	} else {
		problems = append(problems, c.env.validate(x, k.MediaType)...)
		problems = append(problems, c.compareExample(x)...)
	}
	if p := c.env.profiles[k.API]; p != nil && p.invariants != nil {
		problems = append(problems, p.invariants(x.req, x.resp)...)
	}
	if len(problems) > 0 {
		return x.resp, fmt.Errorf("%s %s:\n  %s\n  answer: %s", req.Method, req.uri(), strings.Join(problems, "\n  "), x.resp)
	}
	return x.resp, nil
}

// compareExample checks the scenario's Equal pointers against the example.
func (c *Ctx) compareExample(x *exchange) []string {
	if c.scenario == nil || len(c.scenario.Equal) == 0 {
		return nil
	}
	want := c.Example.Value
	if s, ok := want.(string); ok && isXML(c.Example.MediaType) {
		decoded, err := decodeXML([]byte(s), c.env.responseSchema(x.op, c.Example.Status, c.Example.MediaType))
		if err != nil {
			return []string{fmt.Sprintf("the example's XML does not decode: %v", err)}
		}
		want = decoded
	}
	var problems []string
	known := disagreements[c.Example.Key]
	for _, ptr := range c.scenario.Equal {
		diffs := comparePointer(ptr, want, x.resp.Value)
		if len(diffs) == 0 {
			continue
		}
		if reason, ok := known[ptr]; ok {
			for _, d := range diffs {
				c.Note("spec disagreement at %s: %s (%s)", ptr, d, reason)
			}
			continue
		}
		problems = append(problems, diffs...)
	}
	return problems
}

// RequestExample returns a deep copy of a documented request body example
// of an operation (name "" for a single `example`), for a scenario to send
// with its own ids.
func (c *Ctx) RequestExample(api, operationID, name string) (map[string]any, error) {
	all, _, err := c.env.specs.requestExamples(api, operationID)
	if err != nil {
		return nil, err
	}
	v, ok := all[name]
	if !ok {
		return nil, fmt.Errorf("%s %s has no request example %q", api, operationID, name)
	}
	m, ok := deepCopy(v).(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s %s request example %q is not an object", api, operationID, name)
	}
	return m, nil
}

// Put sets the value at a JSON pointer of a JSON document (maps and
// slices), creating objects on the way; it panics on a pointer through a
// scalar, which is a bug of the scenario.
func Put(doc any, pointer string, value any) {
	segs := splitPointer(pointer)
	if len(segs) == 0 {
		panic("conformance: Put needs a non-empty pointer")
	}
	cur := doc
	for i, seg := range segs {
		last := i == len(segs)-1
		switch n := cur.(type) {
		case map[string]any:
			if last {
				n[seg] = value
				return
			}
			next, ok := n[seg]
			if !ok {
				next = map[string]any{}
				n[seg] = next
			}
			cur = next
		case []any:
			idx := arrayIndex(seg, len(n))
			if idx < 0 {
				panic(fmt.Sprintf("conformance: Put %s: no item %q", pointer, seg))
			}
			if last {
				n[idx] = value
				return
			}
			cur = n[idx]
		default:
			panic(fmt.Sprintf("conformance: Put %s: %T is not a container", pointer, cur))
		}
	}
}

func deepCopy(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = deepCopy(e)
		}
		return s
	default:
		return v
	}
}
