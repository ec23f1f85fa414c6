package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// A JSON request body is read twice: kin-openapi validates the
// map[string]any that encoding/json makes of it, and the handlers decode the
// same bytes into the generated structs. The two readings differ only where
// RFC 8259 leaves the meaning open, so the validator refuses exactly that
// (design §7), and the handler never uses a value that validation did not
// see:
//
//   - invalid UTF-8, as bytes or as an escaped half of a surrogate pair
//     ("\ud800"): encoding/json would silently turn it into U+FFFD, so what
//     is stored would not be what was sent (RFC 8259 §8.1: UTF-8 only);
//   - a member name twice in one object: a map keeps the last value, but a
//     struct merges duplicate objects field by field, so validation could
//     pass a value the handler never sees ({"metadata":{…},"metadata":{…}});
//     and, where the schema names the fields, two names that differ only in
//     case: a struct field takes either ({"amount":…,"Amount":…}), the
//     validator checks only the one spelled as documented;
//   - a number beyond float64 (1e999999): the schema cannot be checked
//     against it, while a decimal amount would take it;
//   - nesting deeper than encoding/json's own limit (10000 levels).
//
// Cryptomus is the exception by design: its Laravel rules decide on the raw
// body as PHP's json_decode reads it (cryptomus.readInput: invalid UTF-8 is
// no input at all, the last duplicate wins), and its handlers use the very
// values the rules checked.

// maxJSONDepth is encoding/json's nesting limit, stated before it is hit.
const maxJSONDepth = 10000

// jsonBodyError is a body that is JSON but that the server refuses to read;
// field is where (dotted, "" for the body itself), reason reads after it
// ("is not valid UTF-8", "appears twice in the same object").
type jsonBodyError struct {
	field  string
	reason string
}

func (e *jsonBodyError) Error() string {
	if e.field == "" {
		return "request body " + e.reason
	}
	return e.field + " " + e.reason
}

func init() {
	openapi3filter.RegisterBodyDecoder("application/json", strictJSONBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/json", strictJSONBodyDecoder)
}

// strictJSONBodyDecoder is kin-openapi's JSON body decoder between
// checkJSONBody and checkFieldCase.
func strictJSONBodyDecoder(body io.Reader, h http.Header, schema *openapi3.SchemaRef, enc openapi3filter.EncodingFn) (any, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	if err := checkJSONBody(data); err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	value, err := openapi3filter.JSONBodyDecoder(bytes.NewReader(data), h, schema, enc)
	if err != nil {
		return nil, err
	}
	if schema != nil {
		if err := checkFieldCase(value, schema.Value, ""); err != nil {
			return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
		}
	}
	return value, nil
}

// checkFieldCase refuses, in every object whose schema names its fields,
// two names that are the same field to encoding/json (which matches names
// to struct fields without regard to case). One name in another case is
// left alone: PaymentCommit takes "amount" for "Amount", as ASP.NET does.
func checkFieldCase(value any, s *openapi3.Schema, path string) error {
	if s == nil {
		return nil
	}
	switch v := value.(type) {
	case []any:
		if s.Items == nil {
			return nil
		}
		for i, item := range v {
			if err := checkFieldCase(item, s.Items.Value, joinPath(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
	case map[string]any:
		props := propertiesOf(s)
		if len(props) == 0 {
			return nil
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		seen := map[string]string{}
		for _, k := range keys {
			lk := strings.ToLower(k)
			prop, named := props[lk]
			if !named {
				continue
			}
			if other, dup := seen[lk]; dup {
				return &jsonBodyError{field: joinPath(path, k), reason: "appears twice in the same object (as " +
					strconv.Quote(other) + " too: field names are matched without regard to case)"}
			}
			seen[lk] = k
			if err := checkFieldCase(v[k], prop, joinPath(path, k)); err != nil {
				return err
			}
		}
	}
	return nil
}

// propertiesByCase caches collectProperties per schema: the specs are loaded
// once and never change, and building the map was most of this check.
var propertiesByCase sync.Map // *openapi3.Schema → map[string]*openapi3.Schema

// propertiesOf returns the named fields of s by lower-case name (shared:
// callers only read it).
func propertiesOf(s *openapi3.Schema) map[string]*openapi3.Schema {
	if props, ok := propertiesByCase.Load(s); ok {
		return props.(map[string]*openapi3.Schema)
	}
	props := map[string]*openapi3.Schema{}
	collectProperties(s, props, map[*openapi3.Schema]bool{})
	propertiesByCase.Store(s, props)
	return props
}

// collectProperties gathers the named fields of a schema and of the
// schemas it is composed of, by lower-case name.
func collectProperties(s *openapi3.Schema, into map[string]*openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	for name, ref := range s.Properties {
		if ref != nil && into[strings.ToLower(name)] == nil {
			into[strings.ToLower(name)] = ref.Value
		}
	}
	for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, ref := range refs {
			if ref != nil {
				collectProperties(ref.Value, into, seen)
			}
		}
	}
}

func joinPath(path, part string) string {
	if path == "" {
		return part
	}
	return path + "." + part
}

// checkJSONBody returns a *jsonBodyError for a body the server refuses to
// read (see above), nil otherwise. Syntax errors are left to the decoder
// that follows, which words them.
func checkJSONBody(data []byte) error {
	if !utf8.Valid(data) {
		return &jsonBodyError{reason: "is not valid UTF-8"}
	}
	if esc, ok := loneSurrogate(data); ok {
		return &jsonBodyError{reason: "is not valid UTF-8: " + esc + " is half of a UTF-16 surrogate pair"}
	}
	type frame struct {
		object    bool
		expectKey bool
		keys      map[string]bool
		path      string
		key       string // the member being read (objects)
		index     int    // the element being read (arrays)
	}
	var stack []*frame
	// where is the path of the value being read.
	where := func() string {
		if len(stack) == 0 {
			return ""
		}
		top := stack[len(stack)-1]
		if !top.object {
			return joinPath(top.path, strconv.Itoa(top.index))
		}
		return joinPath(top.path, top.key)
	}
	valueDone := func() {
		if len(stack) == 0 {
			return
		}
		top := stack[len(stack)-1]
		if top.object {
			top.expectKey = true
		} else {
			top.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil // io.EOF, or a syntax error the decoder words
		}
		if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].expectKey {
			top := stack[n-1]
			key, ok := tok.(string)
			if !ok { // the object's closing brace
				stack = stack[:n-1]
				valueDone()
				continue
			}
			if top.keys[key] {
				top.key = key
				return &jsonBodyError{field: where(), reason: "appears twice in the same object"}
			}
			top.keys[key] = true
			top.key, top.expectKey = key, false
			continue
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxJSONDepth {
					return &jsonBodyError{reason: fmt.Sprintf("is nested more than %d levels deep", maxJSONDepth)}
				}
				stack = append(stack, &frame{object: t == '{', expectKey: t == '{', keys: map[string]bool{}, path: where()})
				continue
			default: // an array's closing bracket
				stack = stack[:len(stack)-1]
			}
		case json.Number:
			if _, err := t.Float64(); err != nil {
				return &jsonBodyError{field: where(), reason: "is a number out of range: " + shorten(t.String(), 40)}
			}
		}
		valueDone()
	}
}

// loneSurrogate finds a \uXXXX escape of half a surrogate pair without its
// other half, which encoding/json would silently read as U+FFFD.
func loneSurrogate(data []byte) (string, bool) {
	escapeAt := func(i int) (rune, bool) { // the \uXXXX at data[i:], if any
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := escapeAt(i)
		if !ok {
			i++ // a one-character escape, \\ included
			continue
		}
		if utf16.IsSurrogate(r) {
			next, ok := escapeAt(i + 6)
			if r >= 0xDC00 || !ok || next < 0xDC00 || next > 0xDFFF {
				return string(data[i : i+6]), true
			}
			i += 6
		}
		i += 5
	}
	return "", false
}

// shorten cuts s to at most n bytes for a message, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// asJSONBodyError finds a *jsonBodyError in err's chain.
func asJSONBodyError(err error) (*jsonBodyError, bool) {
	var jb *jsonBodyError
	ok := errors.As(err, &jb)
	return jb, ok
}
