package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/paysandbox/paysandbox/openapi"
)

// apiSpec is one embedded spec, loaded and routable.
type apiSpec struct {
	name   string
	doc    *openapi3.T
	router routers.Router
}

// operation is one documented operation of a spec.
type operation struct {
	api    string
	path   string
	method string
	op     *openapi3.Operation
}

// specSet is every spec of openapi/, loaded once per process (they are
// embedded and never change).
type specSet struct {
	list   []*apiSpec
	byName map[string]*apiSpec
	ops    map[string]map[string]*operation // api → operationId → operation

	exampleList []Example
	exampleErr  error
	exampleBy   map[Key]*Example
}

var (
	loadOnce   sync.Once
	loadedSpec *specSet
	loadErr    error
)

func loadSpecs() (*specSet, error) {
	loadOnce.Do(func() { loadedSpec, loadErr = readSpecs() })
	return loadedSpec, loadErr
}

func readSpecs() (*specSet, error) {
	names := openapi.Names()
	sort.Strings(names)
	set := &specSet{byName: map[string]*apiSpec{}, ops: map[string]map[string]*operation{}}
	for _, name := range names {
		raw, err := openapi.Spec(name)
		if err != nil {
			return nil, err
		}
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			return nil, fmt.Errorf("load openapi/%s.yaml: %w", name, err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			return nil, fmt.Errorf("openapi/%s.yaml is not a valid OpenAPI document: %w", name, err)
		}
		// Route whatever base URL the suite runs against: servers only document URLs.
		doc.Servers = nil
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			return nil, fmt.Errorf("route openapi/%s.yaml: %w", name, err)
		}
		s := &apiSpec{name: name, doc: doc, router: router}
		set.list = append(set.list, s)
		set.byName[name] = s
		set.ops[name] = map[string]*operation{}
		for _, path := range doc.Paths.InMatchingOrder() {
			for method, op := range doc.Paths.Find(path).Operations() {
				if op.OperationID == "" {
					return nil, fmt.Errorf("openapi/%s.yaml: %s %s has no operationId", name, method, path)
				}
				set.ops[name][op.OperationID] = &operation{api: name, path: path, method: method, op: op}
			}
		}
	}
	set.exampleList, set.exampleErr = set.enumerate()
	set.exampleBy = map[Key]*Example{}
	for i := range set.exampleList {
		set.exampleBy[set.exampleList[i].Key] = &set.exampleList[i]
	}
	return set, nil
}

// operation finds an operation by its API and operationId.
func (s *specSet) operation(api, operationID string) (*operation, error) {
	op := s.ops[api][operationID]
	if op == nil {
		return nil, fmt.Errorf("openapi/%s.yaml has no operation %q", api, operationID)
	}
	return op, nil
}

// sortedOps lists the operations of one API by operationId.
func (s *specSet) sortedOps(api string) []*operation {
	out := make([]*operation, 0, len(s.ops[api]))
	for _, op := range s.ops[api] {
		out = append(out, op)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].op.OperationID < out[j].op.OperationID })
	return out
}

// route finds the documented operation of a request path (relative to the
// base URL). api narrows the search to one spec; "" searches them all.
func (s *specSet) route(api, method, pathAndQuery string) (*apiSpec, *routers.Route, map[string]string, error) {
	req, err := http.NewRequest(method, "http://conformance.invalid"+pathAndQuery, nil)
	if err != nil {
		return nil, nil, nil, err
	}
	var candidates []*apiSpec
	if api != "" {
		if sp := s.byName[api]; sp != nil {
			candidates = append(candidates, sp)
		}
	} else {
		candidates = s.list
	}
	for _, sp := range candidates {
		route, params, err := sp.router.FindRoute(req)
		if err == nil {
			return sp, route, params, nil
		}
	}
	where := "any spec"
	if api != "" {
		where = "openapi/" + api + ".yaml"
	}
	return nil, nil, nil, fmt.Errorf("%s %s is not an operation of %s", method, pathAndQuery, where)
}

// Example is one documented response example: the key that names it, its
// value and where it is documented.
type Example struct {
	Key
	// Value is the example's value as JSON would decode it (numbers are
	// float64); for XML media types usually the XML document as a string.
	Value any
	// Summary is the example's summary, if any.
	Summary string
}

// examples enumerates every documented response example of every spec:
// each status, each media type, each named example (inline or $ref'd from
// components/examples, under responses inline or $ref'd from
// components/responses), a media type's single `example`, and each
// response without a body. Responses with a body but no example document a
// schema only and have nothing to replay.
func (s *specSet) examples() ([]Example, error) { return s.exampleList, s.exampleErr }

func (s *specSet) enumerate() ([]Example, error) {
	var out []Example
	var problems []string
	for _, sp := range s.list {
		for _, op := range s.sortedOps(sp.name) {
			if op.op.Responses == nil {
				continue
			}
			for status, ref := range op.op.Responses.Map() {
				code, err := strconv.Atoi(status)
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s %s: response %q: only numeric statuses can be replayed", sp.name, op.op.OperationID, status))
					continue
				}
				if ref == nil || ref.Value == nil {
					continue
				}
				base := Key{API: sp.name, OperationID: op.op.OperationID, Status: code}
				if len(ref.Value.Content) == 0 {
					out = append(out, Example{Key: base})
					continue
				}
				for mt, media := range ref.Value.Content {
					if media == nil {
						continue
					}
					k := base
					k.MediaType = mt
					if len(media.Examples) == 0 && media.Example != nil {
						out = append(out, Example{Key: k, Value: normalize(media.Example)})
					}
					for name, ex := range media.Examples {
						if ex == nil || ex.Value == nil {
							continue
						}
						k.Example = name
						out = append(out, Example{Key: k, Value: normalize(ex.Value.Value), Summary: ex.Value.Summary})
					}
				}
			}
		}
	}
	sortExamples(out)
	if len(problems) > 0 {
		return out, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return out, nil
}

func sortExamples(ex []Example) {
	sort.Slice(ex, func(i, j int) bool { return ex[i].Key.less(ex[j].Key) })
}

// example finds one documented example.
func (s *specSet) example(k Key) (*Example, error) {
	if ex := s.exampleBy[k]; ex != nil {
		return ex, nil
	}
	return nil, fmt.Errorf("%s is not a documented example", k)
}

// requestExamples returns the JSON request body examples of an operation by
// name ("" for a media type's single `example`).
func (s *specSet) requestExamples(api, operationID string) (map[string]any, *openapi3.SchemaRef, error) {
	op, err := s.operation(api, operationID)
	if err != nil {
		return nil, nil, err
	}
	if op.op.RequestBody == nil || op.op.RequestBody.Value == nil {
		return nil, nil, fmt.Errorf("%s %s has no request body", api, operationID)
	}
	media := op.op.RequestBody.Value.Content.Get("application/json")
	if media == nil {
		return nil, nil, fmt.Errorf("%s %s has no application/json request body", api, operationID)
	}
	out := map[string]any{}
	if media.Example != nil {
		out[""] = normalize(media.Example)
	}
	for name, ex := range media.Examples {
		if ex != nil && ex.Value != nil {
			out[name] = normalize(ex.Value.Value)
		}
	}
	return out, media.Schema, nil
}

// normalize turns a value loaded from YAML into what encoding/json would
// decode from the same JSON, so that examples compare with responses.
func normalize(v any) any {
	raw, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		return v
	}
	return out
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// formatOptions are the string formats the suite checks beyond
// kin-openapi's defaults (date, date-time): the ones our specs use.
func formatOptions() []openapi3.SchemaValidationOption {
	return []openapi3.SchemaValidationOption{
		openapi3.WithStringFormatValidator("uuid", openapi3.NewCallbackValidator(func(s string) error {
			if !uuidRE.MatchString(s) {
				return fmt.Errorf("not a UUID")
			}
			return nil
		})),
		openapi3.WithStringFormatValidator("uri", openapi3.NewCallbackValidator(func(s string) error {
			u, err := url.Parse(s)
			if err != nil || u.Scheme == "" {
				return fmt.Errorf("not an absolute URI")
			}
			return nil
		})),
	}
}
