package server

import (
	"strings"
	"testing"
)

// TestCheckJSONBody: what checkJSONBody refuses, and where it says it is.
func TestCheckJSONBody(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`{"a":1,"b":[{"c":1},{"c":2,"d":{"e":1}}]}`, ""},
		{`{"a":{"a":{"a":1}},"b":{"a":1,"A":2}}`, ""},
		{`{"a":1,"a":1}`, "a appears twice in the same object"},
		{`{"a":1,"\u0061":2}`, "a appears twice in the same object"},
		{`{"a":[1,{"b":{},"b":[]}]}`, "a.1.b appears twice in the same object"},
		{`[{},{"x":{"y":1e400}}]`, "1.x.y is a number out of range: 1e400"},
		{`{"n":-1e-400}`, ""},
		{`{"n":123456789012345678901234567890.123456789}`, ""},
		{"{\"a\":\"\xc3\"}", "request body is not valid UTF-8"},
		{`{"a":"\ud800"}`, `request body is not valid UTF-8: \ud800 is half of a UTF-16 surrogate pair`},
		{`{"a":"\udc00\ud800"}`, `\udc00 is half`},
		{`{"a":"\ud800\u0041"}`, `\ud800 is half`},
		{`{"a":"x\ud800"}`, `\ud800 is half`},
		{`{"a":"\ud800\udc00\\ud800\u00e9"}`, ""},
		{strings.Repeat("[", 10000) + strings.Repeat("]", 10000), ""},
		{strings.Repeat("[", 10001) + strings.Repeat("]", 10001), "request body is nested more than 10000 levels deep"},
		{`{"a":1,"a"`, "a appears twice in the same object"},
		{`{"a":1,,"a":2}`, ""}, // a syntax error, for the decoder to word
		{`{"a":1} {"a":2}`, ""},
	} {
		err := checkJSONBody([]byte(c.body))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%.60s: %q, want %q", c.body, got, c.want)
		}
	}
}
