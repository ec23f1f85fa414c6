package server

import (
	"encoding/json"
)

// decodeJSONValue builds, from a request body, the value kin-openapi's JSON
// body decoder (json.Decoder with UseNumber) builds: map[string]any,
// []any, string, json.Number, bool, nil. That decoder copied the body into
// its own buffer, scanned it twice and grew its maps and slices: 2% of the
// server's CPU. ok is false for anything but exactly one well-formed JSON
// value with only white space around it; the caller then leaves the body
// to json.Decoder, whose answer (and wording) is the reference
// (FuzzDecodeJSONValue).
func decodeJSONValue(data []byte) (value any, ok bool) {
	r := jsonValueReader{data: data}
	r.skipSpace()
	if value, ok = r.value(0); !ok {
		return nil, false
	}
	r.skipSpace()
	return value, r.pos == len(r.data)
}

type jsonValueReader struct {
	data []byte
	pos  int
}

func (r *jsonValueReader) value(depth int) (any, bool) {
	if r.pos == len(r.data) || depth > maxJSONDepth {
		return nil, false
	}
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object(depth)
	case c == '[':
		return r.array(depth)
	case c == '"':
		return r.str()
	case c == 't':
		return true, r.literal("true")
	case c == 'f':
		return false, r.literal("false")
	case c == 'n':
		return nil, r.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return r.number()
	}
	return nil, false
}

func (r *jsonValueReader) object(depth int) (any, bool) {
	r.pos++ // '{'
	m := map[string]any{}
	r.skipSpace()
	if r.next('}') {
		return m, true
	}
	for {
		r.skipSpace()
		if r.pos == len(r.data) || r.data[r.pos] != '"' {
			return nil, false
		}
		name, ok := r.str()
		if !ok {
			return nil, false
		}
		r.skipSpace()
		if !r.next(':') {
			return nil, false
		}
		r.skipSpace()
		v, ok := r.value(depth + 1)
		if !ok {
			return nil, false
		}
		m[name.(string)] = v // a repeated name: the last wins, as in encoding/json
		r.skipSpace()
		if r.next('}') {
			return m, true
		}
		if !r.next(',') {
			return nil, false
		}
	}
}

func (r *jsonValueReader) array(depth int) (any, bool) {
	r.pos++ // '['
	a := []any{}
	r.skipSpace()
	if r.next(']') {
		return a, true
	}
	for {
		r.skipSpace()
		v, ok := r.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		r.skipSpace()
		if r.next(']') {
			return a, true
		}
		if !r.next(',') {
			return nil, false
		}
	}
}

// str reads a string. Plain ASCII is taken as it is; anything with escapes
// or other bytes is decoded by encoding/json itself (its handling of bad
// UTF-8 and surrogates is the reference).
func (r *jsonValueReader) str() (any, bool) {
	end, escaped, ok := scanString(r.data, r.pos)
	if !ok {
		return nil, false
	}
	raw := r.data[r.pos:end]
	r.pos = end
	if !escaped && isASCII(raw) {
		return string(raw[1 : len(raw)-1]), true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, false
	}
	return s, true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// number reads a number as written.
func (r *jsonValueReader) number() (any, bool) {
	end, _, ok := scanNumber(r.data, r.pos)
	if !ok {
		return nil, false
	}
	n := json.Number(r.data[r.pos:end])
	r.pos = end
	return n, true
}

func (r *jsonValueReader) literal(word string) bool {
	end, ok := scanWord(r.data, r.pos, word)
	if ok {
		r.pos = end
	}
	return ok
}

// next steps over c when it is the next byte.
func (r *jsonValueReader) next(c byte) bool {
	if r.pos < len(r.data) && r.data[r.pos] == c {
		r.pos++
		return true
	}
	return false
}

func (r *jsonValueReader) skipSpace() { r.pos = skipSpace(r.data, r.pos) }
