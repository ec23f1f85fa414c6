package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/openapi"
)

// problemKind is what went wrong, independent of any API's wording; each
// API maps kinds to its own error codes and envelope.
type problemKind int

const (
	kindValidation problemKind = iota
	kindInvalidState
	kindUnauthorized
	kindForbidden
	kindNotFound
	kindMethodNotAllowed
	kindConflict
	kindTooLarge
	kindBusiness        // a provider's business rule refused the call (Cryptomus's 422 messages)
	kindTooManyRequests // YooKassa's 429
	kindFault           // an armed fault: a server error on purpose
	kindInternal
)

// problem is one error response before an API renders it.
type problem struct {
	status  int
	kind    problemKind
	message string // client-facing
	detail  string // log-only (may hold internal error text)
	// fields are per-field rule violations, for APIs that report them
	// (Cryptomus's Laravel-style `errors`).
	fields map[string][]string
	// parameter names the offending request parameter (YooKassa).
	parameter string
}

// renderer writes a problem in one API's envelope.
type renderer func(w http.ResponseWriter, r *http.Request, p problem)

// authenticator checks a request's credentials for operations whose spec
// demands security, and stores who is calling in the request info.
type authenticator func(r *http.Request, body []byte) *problem

// api is one embedded spec served under its path prefixes: it finds the
// documented operation of a request, authenticates, validates the request
// against the spec, and fires armed faults, all before the handler runs.
type api struct {
	name     string
	prefixes []string
	doc      *openapi3.T
	router   routers.Router
	// routes are the spec's operations by method and path template, so
	// that a request gorilla/mux has already routed is not routed again.
	routes   map[string]*routers.Route
	renderer renderer
	auth     authenticator
	faults   *faults
	options  openapi3filter.Options
	// invalid renders a request that failed spec validation; nil renders
	// kin-openapi's findings as a validation problem. APIs whose rules
	// report errors in their own vocabulary (Cryptomus) set it.
	invalid func(w http.ResponseWriter, r *http.Request, body []byte, err error)
}

// apiPrefixes are the path prefixes each embedded spec is served under.
// The control API ("sandbox") is also the fallback for paths under no
// other prefix: its errors speak for the server as a whole.
var apiPrefixes = map[string][]string{
	"medusa":    {"/medusa/"},
	"cryptomus": {"/v1/"},
	"yookassa":  {"/yookassa/"},
	"lcmanager": {"/api/yookassa/"},
	"sandbox":   {"/sandbox/", "/"},
}

func loadAPI(name string, render renderer) (*api, error) {
	prefixes, ok := apiPrefixes[name]
	if !ok {
		return nil, fmt.Errorf("no path prefixes for the %s spec", name)
	}
	raw, err := openapi.Spec(name)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("load %s spec: %w", name, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("validate %s spec: %w", name, err)
	}
	// Match requests whatever host they came to; servers only document URLs.
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("route %s spec: %w", name, err)
	}
	a := &api{name: name, prefixes: prefixes, doc: doc, router: router, routes: specRoutes(doc), renderer: render}
	a.options = openapi3filter.Options{
		MultiError: true,
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			// One shared map: WithStringFormatValidator would make a new
			// one at every validation (2% of all allocations).
			openapi3.WithStringFormatValidators(stringFormats),
			// Messages come from Reason and the path; the details (the schema
			// and the value, indented) would only cost: a failed oneOf
			// formats them eagerly, quadratic in the value's depth.
			openapi3.DisableSchemaErrorDetails(),
		},
		// Security is checked by a.auth before validation (401 beats 400).
		AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
	}
	return a, nil
}

func (a *api) render(w http.ResponseWriter, r *http.Request, p problem) {
	ri := infoOf(r)
	ri.errCode = fmt.Sprintf("%s:%d", a.name, p.status)
	ri.errDetail = p.message
	if p.detail != "" {
		ri.errDetail = p.detail
	}
	a.renderer(w, r, p)
}

// subrouter is where this API's routes go: a router that only requests
// under one of the API's path prefixes enter. Every spec path lies under
// them (TestSpecPathsUnderPrefixes), so no route is lost, and gorilla/mux no
// longer tries every template of every API it passes on the way (a few per
// cent of a request's CPU). It is a router of its own behind a matcher, not
// a mux subrouter with a prefix matcher: a subrouter copies its matchers
// into each of its routes, where a matching one clears the "method not
// allowed" that an earlier route found (405 became 404). The catch-all API
// ("/") is an ordinary subrouter.
func (a *api) subrouter(r *mux.Router) *mux.Router {
	if slices.Contains(a.prefixes, "/") {
		return r.NewRoute().Subrouter()
	}
	own := mux.NewRouter()
	r.NewRoute().MatcherFunc(func(req *http.Request, match *mux.RouteMatch) bool {
		return a.owns(req.URL.Path) && own.Match(req, match)
	})
	return own
}

// owns reports whether path lies under one of the API's prefixes.
func (a *api) owns(path string) bool {
	for _, p := range a.prefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// guard wraps the generated handlers of this API.
func (a *api) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		route, params, err := a.findRoute(r)
		if err != nil {
			a.render(w, r, problem{status: http.StatusNotFound, kind: kindNotFound, message: "No such operation: " + r.Method + " " + r.URL.Path})
			return
		}
		body, ok := readBody(a, w, r)
		if !ok {
			return
		}
		if a.auth != nil && requiresSecurity(a.doc, route.Operation) {
			if p := a.auth(r, body); p != nil {
				a.render(w, r, *p)
				return
			}
		}
		in := &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: &a.options}
		if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
			if a.invalid != nil {
				a.invalid(w, r, body, err)
				return
			}
			a.render(w, r, problem{status: http.StatusBadRequest, kind: kindValidation, message: describeValidation(err)})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if a.fireFault(w, r, route.Operation.OperationID) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// specRoutes lists every operation of doc by method and path template.
func specRoutes(doc *openapi3.T) map[string]*routers.Route {
	routes := map[string]*routers.Route{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			routes[method+" "+path] = &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
		}
	}
	return routes
}

// findRoute returns the spec operation of a request and its path
// parameters. The generated handlers are mounted on gorilla/mux with the
// spec's own path templates, so the route mux chose names the operation and
// mux's variables are its parameters; asking kin-openapi's router would
// match the path against every template a second time (a few per cent of a
// request's CPU). kin-openapi matches the escaped path, mux the unescaped
// one: a path whose two forms differ is left to kin-openapi.
func (a *api) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	if mr := mux.CurrentRoute(r); mr != nil && r.URL.RawPath == "" && plainPath(r.URL.Path) {
		if tpl, err := mr.GetPathTemplate(); err == nil {
			if route := a.routes[r.Method+" "+tpl]; route != nil {
				return route, mux.Vars(r), nil
			}
		}
	}
	return a.router.FindRoute(r)
}

// plainPath reports whether p is the same escaped and unescaped: only
// characters that a URL path never escapes.
func plainPath(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '/' || c == '-' || c == '.' || c == '_' || c == '~':
		default:
			return false
		}
	}
	return true
}

// stringFormats are the string formats checked beyond kin-openapi's own;
// kin-openapi only reads the map.
var stringFormats = map[string]openapi3.StringFormatValidator{"uuid": uuidFormat}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// uuidFormat checks `format: uuid` so that bad ids get a validation error
// naming the field instead of failing later in decoding.
var uuidFormat = openapi3.NewCallbackValidator(func(s string) error {
	if !uuidPattern.MatchString(s) {
		return errors.New("must be a UUID like 00000000-0000-4000-8000-000000000001")
	}
	return nil
})

func requiresSecurity(doc *openapi3.T, op *openapi3.Operation) bool {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	return len(reqs) > 0
}

// describeValidation turns kin-openapi's errors into one readable sentence
// per problem, naming the field; it never includes Go types or stack text.
func describeValidation(err error) string {
	var multi openapi3.MultiError
	if m, ok := err.(openapi3.MultiError); ok {
		return describeEach(m, describeValidation)
	}
	var reqErr *openapi3filter.RequestError
	if errors.As(err, &reqErr) {
		// Every finding about one parameter (or the body) is described
		// as that parameter's: unwrapped on their own, a parameter's
		// schema errors read as the body's.
		if m, ok := reqErr.Err.(openapi3.MultiError); ok {
			return describeEach(m, func(e error) string {
				one := *reqErr
				one.Err = e
				return describeValidation(&one)
			})
		}
		var parseErr *openapi3filter.ParseError
		if errors.As(reqErr.Err, &parseErr) {
			if reqErr.Parameter != nil {
				return fmt.Sprintf("%s parameter %q is malformed", reqErr.Parameter.In, reqErr.Parameter.Name)
			}
			if jb, ok := asJSONBodyError(parseErr); ok {
				return jb.Error()
			}
			return "request body is not valid JSON"
		}
		var schemaErr *openapi3.SchemaError
		if errors.As(reqErr.Err, &schemaErr) {
			where := "request body"
			if reqErr.Parameter != nil {
				where = fmt.Sprintf("%s parameter %q", reqErr.Parameter.In, reqErr.Parameter.Name)
			}
			return describeSchemaError(where, schemaErr)
		}
		if errors.As(reqErr.Err, &multi) {
			return describeValidation(multi)
		}
		if reqErr.Parameter != nil {
			return fmt.Sprintf("%s parameter %q: %s", reqErr.Parameter.In, reqErr.Parameter.Name, reqErr.Reason)
		}
		if reqErr.Reason != "" {
			return reqErr.Reason
		}
		return "request body is invalid"
	}
	if errors.As(err, &multi) { // inside another wrapper
		return describeEach(multi, describeValidation)
	}
	var schemaErr *openapi3.SchemaError
	if errors.As(err, &schemaErr) {
		return describeSchemaError("request body", schemaErr)
	}
	return "request is invalid"
}

// describeEach describes several findings in one sentence each, sorted,
// without repeats.
func describeEach(errs openapi3.MultiError, describe func(error) string) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		parts = append(parts, describe(e))
	}
	sort.Strings(parts)
	return strings.Join(dedupe(parts), "; ")
}

func describeSchemaError(where string, e *openapi3.SchemaError) string {
	if ptr := e.JSONPointer(); len(ptr) > 0 {
		where = strings.Join(ptr, ".")
	}
	reason := e.Reason
	if e.SchemaField == "oneOf" || e.SchemaField == "anyOf" {
		reason = "does not match any of the documented shapes"
	}
	return where + ": " + reason
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// apiSet picks the API that owns a path, for errors raised before any
// handler (unknown route, wrong method, panics).
type apiSet []*api

func (s apiSet) forPath(path string) *api {
	for _, a := range s {
		if a.owns(path) {
			return a
		}
	}
	return s[len(s)-1] // the last one is the fallback
}

// notFound renders 404 for unknown routes in the owning API's envelope.
func (s apiSet) notFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.forPath(r.URL.Path).render(w, r, problem{status: http.StatusNotFound, kind: kindNotFound,
			message: "No such route: " + r.Method + " " + r.URL.Path})
	})
}

// methodNotAllowed renders 405 with the Allow header listing the methods
// the path does have.
func (s apiSet) methodNotAllowed(router *mux.Router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allowed []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions} {
			probe := r.Clone(r.Context())
			probe.Method = m
			var match mux.RouteMatch
			if router.Match(probe, &match) && match.MatchErr == nil {
				allowed = append(allowed, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		s.forPath(r.URL.Path).render(w, r, problem{status: http.StatusMethodNotAllowed, kind: kindMethodNotAllowed,
			message: fmt.Sprintf("Method %s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allowed, ", "))})
	})
}

// renderDecodeError answers a request that passed validation but that the
// generated code could not bind; it names the parameter when it can and
// never echoes the decoder's text.
func (a *api) renderDecodeError(w http.ResponseWriter, r *http.Request, err error) {
	msg := "request body does not match the documented schema"
	if n := paramNameOf(err); n != "" {
		msg = fmt.Sprintf("parameter %q is missing or malformed", n)
	}
	a.render(w, r, problem{status: http.StatusBadRequest, kind: kindValidation, message: msg, detail: err.Error()})
}

// paramNameOf digs the parameter name out of the generated binding errors,
// which all carry a ParamName field.
func paramNameOf(err error) string {
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		if v.Kind() == reflect.Struct {
			if f := v.FieldByName("ParamName"); f.IsValid() && f.Kind() == reflect.String {
				return f.String()
			}
		}
	}
	return ""
}

func (s apiSet) byName(name string) *api {
	for _, a := range s {
		if a.name == name {
			return a
		}
	}
	return nil
}

func (a *api) hasOperation(operationID string) bool {
	for _, item := range a.doc.Paths.Map() {
		for _, op := range item.Operations() {
			if op.OperationID == operationID {
				return true
			}
		}
	}
	return false
}

// fireFault answers with the operation's armed fault, if one is armed.
func (a *api) fireFault(w http.ResponseWriter, r *http.Request, operationID string) bool {
	f, armed := a.faults.take(a.name, operationID)
	if !armed {
		return false
	}
	if f.disconnect && hangUp(w) {
		infoOf(r).errCode, infoOf(r).errDetail = a.name+":disconnect", "armed fault for "+operationID
		return true
	}
	a.render(w, r, problem{status: f.status, kind: kindFault, message: "Internal server error", detail: "armed fault for " + operationID})
	return true
}

// hangUp closes the client's connection without an answer.
func hangUp(w http.ResponseWriter) bool {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}
