package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// validate checks an answer against its operation's documented responses:
// a documented status; no body where none is documented; otherwise a
// documented Content-Type (wantMediaType, when set, exactly) and a body
// and headers that validate against the response — with kin-openapi's
// ValidateResponse for JSON, and the XML decoder of xml.go plus the same
// schema validation for XML.
func (e *env) validate(x *exchange, wantMediaType string) []string {
	op := x.op.op
	ref := op.Responses.Status(x.resp.Status)
	if ref == nil {
		ref = op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		return []string{fmt.Sprintf("status %d is not documented for %s (documented: %s)", x.resp.Status, op.OperationID, strings.Join(statuses(op), ", "))}
	}
	documented := ref.Value
	route, params := x.route()
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: route.req, PathParams: params, Route: route.route},
		Status:                 x.resp.Status,
		Header:                 x.resp.Header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus:   true,
			MultiError:              true,
			SchemaValidationOptions: formatOptions(),
		},
	}
	input.SetBodyBytes(x.resp.Body)

	if len(documented.Content) == 0 {
		var problems []string
		if wantMediaType != "" {
			problems = append(problems, fmt.Sprintf("the answer has no documented body, the example is %s", wantMediaType))
		}
		if len(x.resp.Body) > 0 {
			problems = append(problems, fmt.Sprintf("status %d documents no body, got %d bytes", x.resp.Status, len(x.resp.Body)))
		}
		if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
			problems = append(problems, "headers: "+oneLine(err))
		}
		return problems
	}

	ct := x.resp.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil {
		return []string{fmt.Sprintf("Content-Type %q is not a media type (documented: %s)", ct, strings.Join(mediaTypes(documented.Content), ", "))}
	}
	if wantMediaType != "" && !strings.EqualFold(mt, wantMediaType) {
		return []string{fmt.Sprintf("Content-Type %q, the example is %s", ct, wantMediaType)}
	}
	media := documented.Content.Get(ct)
	if media == nil {
		return []string{fmt.Sprintf("Content-Type %q is not documented for status %d (documented: %s)", ct, x.resp.Status, strings.Join(mediaTypes(documented.Content), ", "))}
	}
	if !isXML(mt) {
		if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
			return []string{oneLine(err)}
		}
		return nil
	}
	// XML: kin-openapi has no XML decoder (and registering one would change
	// every validator of the process), so validate the headers with it and
	// the body here, against the same schema.
	input.Options.ExcludeResponseBody = true
	var problems []string
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		problems = append(problems, oneLine(err))
	}
	if media.Schema != nil {
		value, err := decodeXML(x.resp.Body, media.Schema)
		if err != nil {
			return append(problems, "XML body: "+err.Error())
		}
		opts := append([]openapi3.SchemaValidationOption{openapi3.VisitAsResponse(), openapi3.MultiErrors()}, formatOptions()...)
		if err := media.Schema.Value.VisitJSON(value, opts...); err != nil {
			problems = append(problems, "XML body doesn't match schema: "+oneLine(err))
		}
	}
	return problems
}

type routed struct {
	req   *http.Request
	route *routers.Route
}

// route rebuilds what kin-openapi's validators need from the exchange.
func (x *exchange) route() (routed, map[string]string) {
	req, _ := http.NewRequest(x.req.Method, "http://conformance.invalid"+x.req.uri(), nil)
	route, params, err := x.spec.router.FindRoute(req)
	if err != nil {
		return routed{req: req}, x.path
	}
	return routed{req: req, route: route}, params
}

// responseSchema is the documented schema of an operation's response.
func (e *env) responseSchema(op *operation, status int, mediaType string) *openapi3.SchemaRef {
	ref := op.op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	media := ref.Value.Content.Get(mediaType)
	if media == nil {
		return nil
	}
	return media.Schema
}

// decodeBody decodes an answer for comparisons: JSON by its syntax, XML
// along the documented schema; nil when there is nothing to decode.
func decodeBody(x *exchange) any {
	if len(bytes.TrimSpace(x.resp.Body)) == 0 {
		return nil
	}
	mt, _, _ := mime.ParseMediaType(x.resp.Header.Get("Content-Type"))
	if isXML(mt) {
		ref := x.op.op.Responses.Status(x.resp.Status)
		if ref == nil || ref.Value == nil {
			return nil
		}
		media := ref.Value.Content.Get(mt)
		if media == nil {
			return nil
		}
		v, err := decodeXML(x.resp.Body, media.Schema)
		if err != nil {
			return nil
		}
		return v
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(x.resp.Body))
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil // trailing garbage: not one JSON document
	}
	return v
}

func isXML(mediaType string) bool {
	mt := strings.ToLower(mediaType)
	return mt == "application/xml" || mt == "text/xml" || strings.HasSuffix(mt, "+xml")
}

func isJSON(mediaType string) bool {
	mt := strings.ToLower(mediaType)
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

func statuses(op *openapi3.Operation) []string {
	var out []string
	for s := range op.Responses.Map() {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func mediaTypes(c openapi3.Content) []string {
	var out []string
	for mt := range c {
		out = append(out, mt)
	}
	sort.Strings(out)
	return out
}

// oneLine flattens kin-openapi's multi-line errors (which quote schemas
// and values) into one readable line.
func oneLine(err error) string {
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "Schema:") || strings.HasPrefix(l, "Value:") {
			continue
		}
		parts = append(parts, l)
	}
	s := strings.Join(parts, " ")
	if len(s) > 800 {
		s = s[:800] + "…"
	}
	return s
}

// --- JSON pointers ---

func splitPointer(p string) []string {
	if p == "" || p == "/" {
		return nil
	}
	segs := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range segs {
		segs[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return segs
}

func arrayIndex(seg string, n int) int {
	i, err := strconv.Atoi(seg)
	if err != nil || i < 0 || i >= n {
		return -1
	}
	return i
}

func child(v any, seg string) (any, bool) {
	switch n := v.(type) {
	case map[string]any:
		c, ok := n[seg]
		return c, ok
	case []any:
		i := arrayIndex(seg, len(n))
		if i < 0 {
			return nil, false
		}
		return n[i], true
	}
	return nil, false
}

func lookup(v any, pointer string) (any, bool) {
	cur := v
	for _, seg := range splitPointer(pointer) {
		next, ok := child(cur, seg)
		if !ok {
			return nil, false
		}
		cur = next
	}
	return cur, true
}

// comparePointer compares want and got at a pointer whose "*" segments
// match every array item or object member; it returns the differences.
func comparePointer(pointer string, want, got any) []string {
	var diffs []string
	var walk func(segs []string, w, g any, at string)
	walk = func(segs []string, w, g any, at string) {
		if len(segs) == 0 {
			if !reflect.DeepEqual(w, g) {
				if at == "" {
					at = "(body)"
				}
				diffs = append(diffs, fmt.Sprintf("%s is %s, the example has %s", at, show(g), show(w)))
			}
			return
		}
		seg, rest := segs[0], segs[1:]
		if seg == "*" {
			switch wn := w.(type) {
			case []any:
				gn, ok := g.([]any)
				if !ok || len(gn) != len(wn) {
					diffs = append(diffs, fmt.Sprintf("%s is %s, the example has %d items", at, show(g), len(wn)))
					return
				}
				for i := range wn {
					walk(rest, wn[i], gn[i], fmt.Sprintf("%s/%d", at, i))
				}
			case map[string]any:
				keys := make([]string, 0, len(wn))
				for k := range wn {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					gv, ok := child(g, k)
					if !ok {
						diffs = append(diffs, fmt.Sprintf("%s/%s is missing, the example has %s", at, k, show(wn[k])))
						continue
					}
					walk(rest, wn[k], gv, at+"/"+k)
				}
			default:
				diffs = append(diffs, fmt.Sprintf("the example has no array or object at %s", at))
			}
			return
		}
		wv, ok := child(w, seg)
		if !ok {
			diffs = append(diffs, fmt.Sprintf("the example has no value at %s/%s (a bug of the scenario)", at, seg))
			return
		}
		gv, ok := child(g, seg)
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s/%s is missing, the example has %s", at, seg, show(wv)))
			return
		}
		walk(rest, wv, gv, at+"/"+seg)
	}
	walk(splitPointer(pointer), want, got, "")
	return diffs
}

func show(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	s := string(raw)
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
