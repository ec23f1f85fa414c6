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
	size := int64(-1)
	if sized, ok := body.(interface{ Len() int }); ok { // kin-openapi hands over a *bytes.Reader
		size = int64(sized.Len())
	}
	data, err := readAllSized(body, size)
	if err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	if err := checkJSONBody(data); err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	value, ok := decodeJSONValue(data)
	if !ok { // not one plain JSON value: json.Decoder answers (json_value.go)
		if value, err = openapi3filter.JSONBodyDecoder(bytes.NewReader(data), h, schema, enc); err != nil {
			return nil, err
		}
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
// that follows, which words them. Like json.Decoder.Token, which did this
// before (and allocated for every token, most of the check's cost), it
// reads a stream of values and reports the first problem in reading order;
// checkJSONBodyByTokens in the tests is that reading, and the fuzz target
// FuzzCheckJSONBody holds the two to the same answers.
func checkJSONBody(data []byte) error {
	if !utf8.Valid(data) {
		return &jsonBodyError{reason: "is not valid UTF-8"}
	}
	if esc, ok := loneSurrogate(data); ok {
		return &jsonBodyError{reason: "is not valid UTF-8: " + esc + " is half of a UTF-16 surrogate pair"}
	}
	s := jsonChecker{data: data}
	return s.check()
}

// jsonChecker walks JSON bytes without building values, keeping the open
// containers on an explicit stack (bodies may nest maxJSONDepth deep).
type jsonChecker struct {
	data  []byte
	pos   int
	stack []jsonFrame
}

// jsonFrame is an open object or array.
type jsonFrame struct {
	object bool
	key    []byte   // the member being read (objects), unescaped
	index  int      // the element being read (arrays)
	keys   [][]byte // the object's member names so far…
	keySet map[string]bool
}

// keysBeforeSet is how many member names an object keeps in a slice before
// it needs a map (a slice is cheaper for the usual few; a map keeps a
// hostile object of many members linear).
const keysBeforeSet = 16

// errSyntax stops the walk at a syntax error, which checkJSONBody leaves
// to the decoder.
var errSyntax = errors.New("syntax")

func (s *jsonChecker) check() error {
	for {
		s.skipSpace()
		if s.pos == len(s.data) {
			return nil
		}
		if err := s.value(); err != nil {
			if err == errSyntax {
				return nil
			}
			return err
		}
	}
}

// value reads one value, containers included, leaving pos after it.
func (s *jsonChecker) value() error {
	base := len(s.stack)
	for {
		if err := s.scalarOrOpen(); err != nil {
			return err
		}
		// Close containers and step over separators until the next value
		// begins or the value that began at base is complete.
		for len(s.stack) > base {
			top := &s.stack[len(s.stack)-1]
			s.skipSpace()
			if s.pos == len(s.data) {
				return errSyntax
			}
			c := s.data[s.pos]
			s.pos++
			if top.object && c == '}' || !top.object && c == ']' {
				s.stack = s.stack[:len(s.stack)-1]
				continue
			}
			if c != ',' {
				return errSyntax
			}
			if top.object {
				if err := s.memberName(top); err != nil {
					return err
				}
			} else {
				top.index++
			}
			break // on to the next member or element
		}
		if len(s.stack) == base {
			return nil
		}
	}
}

// scalarOrOpen reads a scalar, or opens a container and reads up to its
// first value (an empty one is opened and closed).
func (s *jsonChecker) scalarOrOpen() error {
	for {
		s.skipSpace()
		if s.pos == len(s.data) {
			return errSyntax
		}
		switch c := s.data[s.pos]; c {
		case '{', '[':
			if len(s.stack) >= maxJSONDepth {
				return &jsonBodyError{reason: fmt.Sprintf("is nested more than %d levels deep", maxJSONDepth)}
			}
			s.pos++
			s.push(c == '{')
			top := &s.stack[len(s.stack)-1]
			s.skipSpace()
			if s.pos == len(s.data) {
				return errSyntax
			}
			if end := s.data[s.pos]; end == '}' && top.object || end == ']' && !top.object {
				s.pos++
				s.stack = s.stack[:len(s.stack)-1]
				return nil
			}
			if top.object {
				if err := s.memberName(top); err != nil {
					return err
				}
			}
			continue // the container's first value
		case '"':
			if _, _, ok := s.str(); !ok {
				return errSyntax
			}
			return nil
		case 't':
			return s.literal("true")
		case 'f':
			return s.literal("false")
		case 'n':
			return s.literal("null")
		default:
			return s.number()
		}
	}
}

// push opens a container, reusing the frame (and its name slice) left
// from an earlier one at that depth.
func (s *jsonChecker) push(object bool) {
	if len(s.stack) < cap(s.stack) {
		s.stack = s.stack[:len(s.stack)+1]
		f := &s.stack[len(s.stack)-1]
		*f = jsonFrame{object: object, keys: f.keys[:0]}
		return
	}
	s.stack = append(s.stack, jsonFrame{object: object})
}

// memberName reads `"name" :` of the object on top, refusing a name it has
// already seen.
func (s *jsonChecker) memberName(top *jsonFrame) error {
	s.skipSpace()
	if s.pos == len(s.data) || s.data[s.pos] != '"' {
		return errSyntax
	}
	raw, escaped, ok := s.str()
	if !ok {
		return errSyntax
	}
	name := raw[1 : len(raw)-1] // the body's own bytes: no copy
	if escaped {
		var unescaped string
		if err := json.Unmarshal(raw, &unescaped); err != nil {
			return errSyntax
		}
		name = []byte(unescaped)
	}
	top.key = name
	if top.hasKey(name) {
		return &jsonBodyError{field: s.where(), reason: "appears twice in the same object"}
	}
	top.addKey(name)
	s.skipSpace()
	if s.pos == len(s.data) || s.data[s.pos] != ':' {
		return errSyntax
	}
	s.pos++
	return nil
}

func (f *jsonFrame) hasKey(name []byte) bool {
	if f.keySet != nil {
		return f.keySet[string(name)]
	}
	for _, k := range f.keys {
		if bytes.Equal(k, name) {
			return true
		}
	}
	return false
}

func (f *jsonFrame) addKey(name []byte) {
	if f.keySet == nil && len(f.keys) < keysBeforeSet {
		f.keys = append(f.keys, name)
		return
	}
	if f.keySet == nil {
		f.keySet = make(map[string]bool, 2*keysBeforeSet)
		for _, k := range f.keys {
			f.keySet[string(k)] = true
		}
	}
	f.keySet[string(name)] = true
}

// where is the dotted path of the value being read.
func (s *jsonChecker) where() string {
	path := ""
	for i := range s.stack {
		f := &s.stack[i]
		if f.object {
			path = joinPath(path, string(f.key))
		} else {
			path = joinPath(path, strconv.Itoa(f.index))
		}
	}
	return path
}

func (s *jsonChecker) skipSpace() { s.pos = skipSpace(s.data, s.pos) }

// str reads a string at pos (its opening quote), returning it quotes and
// all, and whether it has escapes.
func (s *jsonChecker) str() (raw []byte, escaped, ok bool) {
	end, escaped, ok := scanString(s.data, s.pos)
	if !ok {
		return nil, false, false
	}
	raw, s.pos = s.data[s.pos:end], end
	return raw, escaped, true
}

func (s *jsonChecker) literal(word string) error {
	end, ok := scanWord(s.data, s.pos, word)
	if !ok {
		return errSyntax
	}
	s.pos = end
	return nil
}

// number reads a number and refuses one beyond float64.
func (s *jsonChecker) number() error {
	start := s.pos
	end, exponent, ok := scanNumber(s.data, start)
	if !ok {
		return errSyntax
	}
	s.pos = end
	if !exponent && end-start < 300 {
		return nil // below 1e300: no need to parse it
	}
	text := string(s.data[start:end])
	if _, err := strconv.ParseFloat(text, 64); err != nil {
		return &jsonBodyError{field: s.where(), reason: "is a number out of range: " + shorten(text, 40)}
	}
	return nil
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
