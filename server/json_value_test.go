package server

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// decodeJSONValue must build exactly what kin-openapi's JSON body decoder
// builds, whenever it answers at all.

var jsonValueSeeds = []string{
	`{"Data":{"amount":"10.28","items":[1,-2.5,3e10,0,-0.0e+5,1E-7],"ok":true,"no":false,"none":null}}`,
	`{"s":"plain","u":"caf\u00e9 \"q\" \\ \/ \b\f\n\r\t","x":"\ud83d\ude00","raw":"é日本"}`,
	`[]`, `{}`, `[{}, [], [[]], {"a":{}}]`, ` 	"top" `, `123`, `-0`, `true`, `null`,
	`{"a":1,"a":2}`, `{"n":123456789012345678901234567890.123456789e-300}`,
	// mostly not one plain value, left to json.Decoder
	`{"a":1} x`, `{} {}`, `123x`, `01`, `[1,]`, `{"a":1,}`, `[1 2]`, `{"a" 1}`, `-`, `1.`, `.5`, `1e`, `1e+`,
	`"tab	in string"`, `"\x"`, `[tru]`, `nul`, `{"a":"\ud800"}`, "\"\xff\"", ``, ` `, `{`, `[`, `"`,
	strings.Repeat("[", 100) + strings.Repeat("]", 100),
}

func sameJSONValue(t *testing.T, body []byte) (fast bool) {
	t.Helper()
	got, ok := decodeJSONValue(body)
	if !ok {
		return false
	}
	want, err := openapi3filter.JSONBodyDecoder(bytes.NewReader(body), nil, nil, nil)
	if err != nil {
		t.Fatalf("%.80q: decodeJSONValue built %#v, json.Decoder refused it: %v", body, got, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%.80q:\n got %#v\nwant %#v", body, got, want)
	}
	return true
}

// TestDecodeJSONValueAgreesWithDecoder runs the seeds and every cut of
// each, and checks that well-formed bodies do take the fast reading.
func TestDecodeJSONValueAgreesWithDecoder(t *testing.T) {
	for i, seed := range jsonValueSeeds {
		for cut := 0; cut <= len(seed); cut++ {
			sameJSONValue(t, []byte(seed[:cut]))
		}
		if fast := sameJSONValue(t, []byte(seed)); i < 12 && !fast {
			t.Errorf("%.60q: well-formed, but not read by decodeJSONValue", seed)
		}
	}
}

func FuzzDecodeJSONValue(f *testing.F) {
	for _, seed := range jsonValueSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameJSONValue(t, body)
	})
}

func BenchmarkDecodeJSONValue(b *testing.B) {
	body := []byte(`{"Data":{"extId":"10000000-0000-4000-8000-000000000001","paymentType":"card","purpose":"bench order",` +
		`"services":[{"extId":"s1","price":"1000.00","commission":"100.00","recipientExtId":"00000000-0000-4000-8000-000000000001"},` +
		`{"extId":"s2","price":"500.00","commission":"50.00","recipientExtId":"00000000-0000-4000-8000-000000000001"}]}}`)
	b.Run("decodeJSONValue", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := decodeJSONValue(body); !ok {
				b.Fatal("not read")
			}
		}
	})
	b.Run("json.Decoder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := openapi3filter.JSONBodyDecoder(bytes.NewReader(body), nil, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
