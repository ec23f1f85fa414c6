package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// The Token-based reading that checkJSONBody replaced, kept as the
// reference it must agree with: the same error, or none, for every input.

// FuzzCheckJSONBody holds checkJSONBody to checkJSONBodyByTokens.
func FuzzCheckJSONBody(f *testing.F) {
	for _, seed := range jsonCheckSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameJSONCheck(t, body)
	})
}

// TestCheckJSONBodyAgreesWithTokens runs the seeds, and every cut of each,
// through both readings (go test runs them without fuzzing too, but cuts
// reach the early-end paths every seed has).
func TestCheckJSONBodyAgreesWithTokens(t *testing.T) {
	for _, seed := range jsonCheckSeeds {
		if len(seed) > 1000 {
			sameJSONCheck(t, []byte(seed)) // cutting the deep one everywhere is quadratic
			continue
		}
		for cut := 0; cut <= len(seed); cut++ {
			sameJSONCheck(t, []byte(seed[:cut]))
		}
	}
}

var jsonCheckSeeds = []string{
	`{"a":1,"b":[{"c":1},{"c":2,"d":{"e":1}}]}`,
	`{"a":1,"a":1}`,
	`{"a":1,"\u0061":2}`,
	`{"a\"b":1,"a\"b":2}`,
	`{"a":[1,{"b":{},"b":[]}]}`,
	`[{},{"x":{"y":1e400}}]`,
	`[1, 2, 3e999]`,
	`{"n":-1e-400, "m": -0.0e+5, "o": 0, "p": [true,false,null]}`,
	`{"n":123456789012345678901234567890.123456789}`,
	`1e999`, `"s" 1e999`, `{}{"a":1,"a":2}`, `1-2`, `nulltrue`, `[01]`, `[1.]`, `[.5]`, `[-]`,
	`{"a":1,,"a":2}`, `{"a":1,}`, `[1,]`, `{"a" 1}`, `{1:2}`, `[tru]`, `{"a":"\x"}`, "{\"a\":\"\t\"}",
	`{"a":{"b":{"c":[1,2,{"d":1,"d":2}]}}}`,
	`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":10,"k11":11,"k12":12,"k13":13,"k14":14,"k15":15,"k16":16,"k17":17,"k3":0}`,
	" \t\r\n[ { } , [ ] , \"\\u00e9\\/\\b\\f\\n\\r\\t\" ] ",
	strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	"1" + strings.Repeat("0", 310), "1" + strings.Repeat("0", 298) + ".5",
}

func sameJSONCheck(t *testing.T, body []byte) {
	t.Helper()
	got, want := errText(checkJSONBody(body)), errText(checkJSONBodyByTokens(body))
	if got != want {
		t.Fatalf("%.80q: checkJSONBody says %q, the Token reading %q", body, got, want)
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func checkJSONBodyByTokens(data []byte) error {
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

// BenchmarkCheckJSONBody: the check on a typical Medusa order, and the
// Token reading it replaced.
func BenchmarkCheckJSONBody(b *testing.B) {
	body := []byte(`{"Data":{"platform_id":"sandbox","ext_id":"order-000123","amount":"1500.00","purpose":"Payment for services","customer":{"email":"payer@example.com","phone":"+79990000000"},"services":[{"ext_id":"s1","amount":"1000.00","recipient":{"inn":"7707083893","kpp":"773601001","bik":"044525225","account":"40702810938000000001","name":"Recipient One"}},{"ext_id":"s2","amount":"500.00","recipient":{"inn":"7707083893","kpp":"773601001","bik":"044525225","account":"40702810938000000002","name":"Recipient Two"}}]}}`)
	for _, c := range []struct {
		name  string
		check func([]byte) error
	}{{"scan", checkJSONBody}, {"tokens", checkJSONBodyByTokens}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.check(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
