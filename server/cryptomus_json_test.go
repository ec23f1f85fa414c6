package server

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
	"testing"
)

// writeOrderedByMap is the map-decoding writeOrdered replaced, kept as the
// reference the byte-reading one must agree with.
func writeOrderedByMap(buf *bytes.Buffer, raw json.RawMessage, orderOf func(key string) []string, at string) error {
	order := orderOf(at)
	trimmed := bytes.TrimSpace(raw)
	if order == nil || len(trimmed) == 0 || trimmed[0] != '{' {
		buf.Write(trimmed)
		return nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &obj); err != nil {
		return err
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		name, _ := json.Marshal(k)
		buf.Write(name)
		buf.WriteByte(':')
		next := k
		if at != "" {
			next = "\x00"
		}
		if err := writeOrderedByMap(buf, obj[k], orderOf, next); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

var orderedSeeds = []string{
	`{"state":0,"result":{"uuid":"u","order_id":"o","amount":"1.00","additional_data":null,"zeta":[1,{"b":2,"a":1}],"alpha":{"y":1,"x":"}"}}}`,
	`{"message":"m","errors":{"currency":["c"],"amount":["a","b"],"order_id":[]},"state":1}`,
	` { "result" : { "url" : "x\"}" , "uuid" : "a\\" } , "state" : 0 } `,
	`{"a":1,"a":2,"b":{"c":1,"c":{"d":2}}}`,
	`{"\u0061":1,"a<b":2,"é":3,"\ud800":4,"state":[]}`,
	`{}`, `[]`, `"s"`, `1`, `null`, `{"result":[{"b":1,"a":2}]}`, `{"result":"x","errors":null}`,
	`{"a":1`, `{"a" 1}`, `{"a":1}{}`, ``, `{"result":{"uuid":tru}}`,
}

func sameOrdered(t *testing.T, raw []byte) {
	t.Helper()
	orderOf := cryptomusOrder([]string{"order_id", "amount", "currency"})
	var got, want bytes.Buffer
	gotErr := writeOrdered(&got, raw, orderOf, "")
	wantErr := writeOrderedByMap(&want, raw, orderOf, "")
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("%q: error %v, the map reading's %v", raw, gotErr, wantErr)
	}
	if gotErr == nil && got.String() != want.String() {
		t.Fatalf("%q:\n got %s\nwant %s", raw, got.String(), want.String())
	}
}

// TestWriteOrderedAgreesWithMap runs the seeds and every cut of each
// through both; FuzzWriteOrdered goes further.
func TestWriteOrderedAgreesWithMap(t *testing.T) {
	for _, seed := range orderedSeeds {
		for cut := 0; cut <= len(seed); cut++ {
			sameOrdered(t, []byte(seed[:cut]))
		}
	}
}

func FuzzWriteOrdered(f *testing.F) {
	for _, seed := range orderedSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		sameOrdered(t, raw)
	})
}

// BenchmarkWriteCryptomus orders an invoice answer as json.Marshal writes
// the generated type (alphabetically).
func BenchmarkWriteCryptomus(b *testing.B) {
	raw := []byte(`{"result":{"additional_data":null,"address":null,"amount":"15.00","comments":null,` +
		`"created_at":"2026-12-04T23:13:19+03:00","currency":"USD","discount":"0.00000000","discount_percent":0,` +
		`"expired_at":1733350399,"from":null,"is_final":false,"merchant_amount":null,"network":null,` +
		`"order_id":"bench-000000000001","payer_amount":null,"payer_currency":null,"payment_amount":null,` +
		`"payment_status":"check","status":"check","txid":null,"updated_at":"2026-12-04T23:13:19+03:00",` +
		`"url":"https://pay.cryptomus.com/pay/7e5b2a4c-1f7e-4d0a-9a3b-6a1f2c3d4e5f",` +
		`"uuid":"7e5b2a4c-1f7e-4d0a-9a3b-6a1f2c3d4e5f"},"state":0}`)
	orderOf := cryptomusOrder(nil)
	b.ReportAllocs()
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := writeOrdered(&buf, raw, orderOf, ""); err != nil {
			b.Fatal(err)
		}
	}
}
