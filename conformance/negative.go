package conformance

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Negative checks are generated from the request schemas, so that a field
// added to a spec is covered without code: starting from each documented
// request example, for every property the schema describes, drop it when
// required, give it a value of another type, an unknown enum value, a
// string one longer than maxLength (one shorter than minLength), a number
// past minimum/maximum, too few or too many items, a malformed format; for
// every required query parameter, leave it out, and for typed ones send a
// value of another type. Each variant is first checked to break the schema
// locally (a variant another oneOf branch accepts is dropped); the server
// must answer with the API's validation error (its profile), documented
// for that status, and never a 5xx.

// mutation is one invalid variant of a request.
type mutation struct {
	where string // dotted path of the field ("(body)" for the body itself)
	kind  string
	body  any // the whole mutated body
	raw   []byte
}

func negativeChecks(specs *specSet) []Check {
	var out []Check
	for _, sp := range specs.list {
		prof := profiles[sp.name]
		if prof == nil || prof.validationStatus == 0 {
			continue // the API's scenarios (and its validation error) are not written yet
		}
		for _, op := range specs.sortedOps(sp.name) {
			if specs.pending(sp.name, op.op.OperationID) {
				continue
			}
			out = append(out, bodyNegatives(specs, sp, op, prof)...)
			out = append(out, queryNegatives(sp, op, prof)...)
		}
	}
	return out
}

func negativeName(op *operation, prefix, where, kind string) string {
	return fmt.Sprintf("negative/%s/%s/%s%s/%s", op.api, op.op.OperationID, prefix, where, kind)
}

func bodyNegatives(specs *specSet, sp *apiSpec, op *operation, prof *apiProfile) []Check {
	rb := op.op.RequestBody
	if rb == nil || rb.Value == nil || rb.Value.Content.Get("application/json") == nil {
		return nil
	}
	examples, schema, err := specs.requestExamples(sp.name, op.op.OperationID)
	if err != nil || schema == nil {
		return nil
	}
	if len(examples) == 0 {
		msg := "the JSON request body has no example to derive negative checks from; document one"
		return []Check{{Name: negativeName(op, "", "(body)", "no example"), run: func(*Ctx) error { return fmt.Errorf("%s", msg) }}}
	}
	names := make([]string, 0, len(examples))
	for n := range examples {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Check
	seen := map[string]bool{}
	for _, name := range names {
		prefix := ""
		if len(names) > 1 {
			prefix = name + ":"
		}
		base := examples[name]
		if err := visitRequest(schema.Value, base); err != nil {
			e := fmt.Sprintf("the request example %q does not match its own schema: %s", name, oneLine(err))
			out = append(out, Check{Name: negativeName(op, prefix, "(body)", "example is invalid"), run: func(*Ctx) error { return fmt.Errorf("%s", e) }})
			continue
		}
		muts := []mutation{
			{where: "(body)", kind: "missing"},
			{where: "(body)", kind: "wrong type", raw: []byte(`"not an object"`)},
		}
		if !rb.Value.Required {
			muts = muts[1:]
		}
		muts = append(muts, mutate(schema.Value, base)...)
		for _, m := range muts {
			name := negativeName(op, prefix, m.where, m.kind)
			if seen[name] {
				continue
			}
			if m.raw == nil && m.body != nil {
				if visitRequest(schema.Value, m.body) == nil {
					continue // still valid (e.g. another oneOf branch accepts it): not a negative
				}
				m.raw, _ = json.Marshal(m.body)
			}
			seen[name] = true
			m := m
			out = append(out, Check{Name: name, run: func(c *Ctx) error {
				var body any
				if m.raw != nil {
					body = m.raw
				}
				req := NewRequest(sp.name, op.method, concretePath(c, sp, op), body)
				if body != nil {
					req.Set("Content-Type", "application/json")
				}
				return expectValidationError(c, prof, op, req)
			}})
		}
	}
	return out
}

func queryNegatives(sp *apiSpec, op *operation, prof *apiProfile) []Check {
	var out []Check
	params := parametersOf(sp, op, "query")
	for _, p := range params {
		p := p
		var variants []struct{ kind, value string }
		if p.Required {
			variants = append(variants, struct{ kind, value string }{"missing", ""})
		}
		if p.Schema != nil && p.Schema.Value != nil {
			s := p.Schema.Value
			switch {
			case s.Type.Is("integer"), s.Type.Is("number"):
				variants = append(variants, struct{ kind, value string }{"wrong type", "not-a-number"})
			case s.Type.Is("boolean"):
				variants = append(variants, struct{ kind, value string }{"wrong type", "not-a-boolean"})
			}
			if len(s.Enum) > 0 && s.Type.Is("string") {
				variants = append(variants, struct{ kind, value string }{"unknown enum value", "conformance_unknown_value"})
			}
		}
		for _, v := range variants {
			v := v
			out = append(out, Check{Name: negativeName(op, "", "query."+p.Name, v.kind), run: func(c *Ctx) error {
				q := url.Values{}
				for _, o := range params {
					if o.Required && o.Name != p.Name {
						q.Set(o.Name, paramValue(c, o))
					}
				}
				if v.kind != "missing" {
					q.Set(p.Name, v.value)
				}
				req := NewRequest(sp.name, op.method, concretePath(c, sp, op), nil)
				req.Query = q
				return expectValidationError(c, prof, op, req)
			}})
		}
	}
	return out
}

// expectValidationError sends a request that breaks the schema: the answer
// must be the API's validation error, documented for that status.
func expectValidationError(c *Ctx, prof *apiProfile, op *operation, req *Request) error {
	if prof.credentials != nil {
		prof.credentials(c, op, req)
	}
	x, err := c.roundTrip(req)
	if err != nil {
		return err
	}
	var problems []string
	switch {
	case x.resp.Status >= 500:
		problems = append(problems, fmt.Sprintf("a server error (%d) for an invalid request", x.resp.Status))
	case x.resp.Status != prof.validationStatus:
		problems = append(problems, fmt.Sprintf("status %d, want the API's validation error %d", x.resp.Status, prof.validationStatus))
	default:
		problems = append(problems, c.env.validate(x, "")...)
		if err := prof.validationError(x.resp.Value); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if prof.invariants != nil {
		problems = append(problems, prof.invariants(req, x.resp)...)
	}
	if len(problems) > 0 {
		body := "no body"
		if b, ok := req.Body.([]byte); ok {
			body = string(b)
			if len(body) > 300 {
				body = body[:300] + "…"
			}
		}
		return fmt.Errorf("%s %s with %s:\n  %s\n  answer: %s", req.Method, req.uri(), body, strings.Join(problems, "\n  "), x.resp)
	}
	return nil
}

func parametersOf(sp *apiSpec, op *operation, in string) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	seen := map[string]bool{}
	add := func(ps openapi3.Parameters) {
		for _, r := range ps {
			if r != nil && r.Value != nil && r.Value.In == in && !seen[r.Value.Name] {
				seen[r.Value.Name] = true
				out = append(out, r.Value)
			}
		}
	}
	add(op.op.Parameters)
	if item := sp.doc.Paths.Find(op.path); item != nil {
		add(item.Parameters)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// paramValue is a documented example of a parameter, else a fresh UUID.
func paramValue(c *Ctx, p *openapi3.Parameter) string {
	ex := p.Example
	if ex == nil && p.Schema != nil && p.Schema.Value != nil {
		ex = p.Schema.Value.Example
	}
	if ex != nil {
		return fmt.Sprint(ex)
	}
	return c.NewID()
}

// concretePath fills the path's parameters with their documented examples.
// The ids need not exist: validation comes before any lookup.
func concretePath(c *Ctx, sp *apiSpec, op *operation) string {
	path := op.path
	for _, p := range parametersOf(sp, op, "path") {
		path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(paramValue(c, p)))
	}
	return path
}

func visitRequest(s *openapi3.Schema, v any) error {
	opts := append([]openapi3.SchemaValidationOption{openapi3.VisitAsRequest(), openapi3.MultiErrors()}, formatOptions()...)
	return s.VisitJSON(deepCopy(v), opts...)
}

// mutate lists the invalid variants of base that its schema describes.
func mutate(root *openapi3.Schema, base any) []mutation {
	var out []mutation
	add := func(path []string, kind string, apply func(doc any) bool) {
		doc := deepCopy(base)
		if !apply(doc) {
			return
		}
		where := ""
		for _, seg := range path {
			if _, err := strconv.Atoi(seg); err == nil {
				where += "[" + seg + "]"
			} else if where == "" {
				where = seg
			} else {
				where += "." + seg
			}
		}
		if where == "" {
			where = "(body)"
		}
		out = append(out, mutation{where: where, kind: kind, body: doc})
	}
	set := func(path []string, v any) func(doc any) bool {
		return func(doc any) bool { return setPath(doc, path, v) }
	}
	var walk func(s *openapi3.Schema, v any, present bool, path []string)
	walk = func(s *openapi3.Schema, v any, present bool, path []string) {
		if s == nil {
			return
		}
		// Composition: walk the branch the value takes, and every allOf part.
		if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
			for _, b := range append(append(openapi3.SchemaRefs{}, s.OneOf...), s.AnyOf...) {
				if b != nil && b.Value != nil && (!present || visitRequest(b.Value, v) == nil) {
					walk(b.Value, v, present, path)
					break
				}
			}
		}
		for _, b := range s.AllOf {
			if b != nil {
				walk(b.Value, v, present, path)
			}
		}
		if len(path) > 0 {
			if wrong, ok := wrongTypeValue(s); ok {
				add(path, "wrong type", set(path, wrong))
			}
			if len(s.Enum) > 0 {
				add(path, "unknown enum value", set(path, unknownEnumValue(s)))
			}
			if s.Type.Is("string") {
				if s.MaxLength != nil {
					add(path, fmt.Sprintf("maxLength+1 (%d chars)", *s.MaxLength+1), set(path, strings.Repeat("x", int(*s.MaxLength)+1)))
				}
				if s.MinLength > 0 {
					add(path, fmt.Sprintf("minLength-1 (%d chars)", s.MinLength-1), set(path, strings.Repeat("x", int(s.MinLength)-1)))
				}
				if bad, ok := badFormat[s.Format]; ok {
					add(path, "bad format "+s.Format, set(path, bad))
				}
			}
			if s.Type.Is("integer") || s.Type.Is("number") {
				step := 1.0
				if s.Type.Is("number") {
					step = 0.5
				}
				if s.Min != nil && !math.IsInf(*s.Min, 0) {
					add(path, "below minimum", set(path, *s.Min-step))
				}
				if s.Max != nil && !math.IsInf(*s.Max, 0) {
					add(path, "above maximum", set(path, *s.Max+step))
				}
			}
		}
		if !present {
			return // an absent optional field: only values of its own
		}
		switch {
		case s.Type.Is("object") || (s.Type.IsEmpty() && len(s.Properties) > 0):
			obj, ok := v.(map[string]any)
			if !ok {
				return
			}
			required := map[string]bool{}
			for _, r := range s.Required {
				required[r] = true
			}
			names := make([]string, 0, len(s.Properties))
			for n := range s.Properties {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				ref := s.Properties[n]
				if ref == nil || ref.Value == nil || ref.Value.ReadOnly {
					continue
				}
				p := append(append([]string{}, path...), n)
				val, has := obj[n]
				if has && required[n] {
					add(p, "missing", func(doc any) bool { return deletePath(doc, p) })
				}
				walk(ref.Value, val, has, p)
			}
		case s.Type.Is("array"):
			arr, _ := v.([]any)
			if s.MinItems > 0 {
				add(path, fmt.Sprintf("too few items (%d)", s.MinItems-1), set(path, append([]any{}, arr[:min(len(arr), int(s.MinItems)-1)]...)))
			}
			if s.MaxItems != nil && len(arr) > 0 && *s.MaxItems < 10000 {
				many := make([]any, *s.MaxItems+1)
				for i := range many {
					many[i] = deepCopy(arr[0])
				}
				add(path, fmt.Sprintf("too many items (%d)", *s.MaxItems+1), set(path, many))
			}
			if s.Items == nil || s.Items.Value == nil {
				return
			}
			if len(arr) > 0 {
				walk(s.Items.Value, arr[0], true, append(append([]string{}, path...), "0"))
			} else if len(s.Items.Value.Enum) > 0 {
				add(append(append([]string{}, path...), "0"), "unknown enum value", set(path, []any{unknownEnumValue(s.Items.Value)}))
			}
		}
	}
	walk(root, base, true, nil)
	return out
}

var badFormat = map[string]string{
	"uuid":      "not-a-uuid",
	"date-time": "not-a-date-time",
	"date":      "not-a-date",
}

func wrongTypeValue(s *openapi3.Schema) (any, bool) {
	if s.Type == nil || !s.Type.IsSingle() {
		return nil, false
	}
	switch {
	case s.Type.Is("string"):
		return 12345, true
	case s.Type.Is("integer"), s.Type.Is("number"):
		return "not a number", true
	case s.Type.Is("boolean"):
		return "not a boolean", true
	case s.Type.Is("object"):
		return "not an object", true
	case s.Type.Is("array"):
		return "not an array", true
	}
	return nil, false
}

func unknownEnumValue(s *openapi3.Schema) any {
	if s.Type.Is("integer") || s.Type.Is("number") {
		v := 987654.0
		for {
			clash := false
			for _, e := range s.Enum {
				if f, ok := e.(float64); ok && f == v {
					clash = true
				}
			}
			if !clash {
				return v
			}
			v++
		}
	}
	return "conformance_unknown_value"
}

// setPath sets a value at a path of keys and array indexes.
func setPath(doc any, path []string, v any) bool {
	parent, ok := walkTo(doc, path[:len(path)-1])
	if !ok {
		return false
	}
	last := path[len(path)-1]
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
		return true
	case []any:
		if i := arrayIndex(last, len(p)); i >= 0 {
			p[i] = v
			return true
		}
	}
	return false
}

func deletePath(doc any, path []string) bool {
	parent, ok := walkTo(doc, path[:len(path)-1])
	if !ok {
		return false
	}
	if m, ok := parent.(map[string]any); ok {
		delete(m, path[len(path)-1])
		return true
	}
	return false
}

func walkTo(doc any, path []string) (any, bool) {
	cur := doc
	for _, seg := range path {
		next, ok := child(cur, seg)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}
