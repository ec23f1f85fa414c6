package server

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// Cryptomus writes its keys in a fixed order ({"state":0,"result":{"uuid":…,
// "order_id":…}}, field errors in the order of the request's fields), while
// the generated types marshal alphabetically. JSON clients do not care, but
// people compare answers with the documentation: writeCryptomus writes the
// generated values with Cryptomus's order.

var (
	cryptomusTopOrder = []string{"state", "result", "message", "errors"}
	// the order of the documentation's invoice (the spec's Invoice.required)
	cryptomusInvoiceOrder = []string{"uuid", "order_id", "amount", "payment_amount", "payer_amount",
		"discount_percent", "discount", "payer_currency", "currency", "comments", "merchant_amount",
		"network", "address", "from", "txid", "payment_status", "url", "expired_at", "status",
		"is_final", "additional_data", "created_at", "updated_at"}
	// the request fields of each path, in the order Laravel reports them
	cryptomusFieldOrder = map[string][]string{
		"/v1/payment": {"amount", "currency", "order_id", "network", "url_return", "url_success",
			"url_callback", "lifetime", "accuracy_payment_percent", "additional_data"},
		"/v1/payment/info":   {"uuid", "order_id"},
		"/v1/payment/refund": {"address", "is_subtract", "uuid", "order_id"},
	}
)

// writeCryptomus writes v as JSON with Cryptomus's key order; fields is the
// order of the keys of `errors`.
func writeCryptomus(w http.ResponseWriter, status int, v any, fields []string) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := writeOrdered(&buf, raw, cryptomusOrder(fields), ""); err != nil {
		return err
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = buf.WriteTo(w)
	return err
}

// cryptomusOrder is Cryptomus's key order for an answer whose `errors`
// name the fields in the order fields gives.
func cryptomusOrder(fields []string) func(key string) []string {
	return func(key string) []string {
		switch key {
		case "":
			return cryptomusTopOrder
		case "result":
			return cryptomusInvoiceOrder
		case "errors":
			return fields
		}
		return nil
	}
}

// writeOrdered copies a JSON value, writing the keys of the objects at the
// top level and under each top-level key in the order orderOf gives (keys
// it does not list follow, alphabetically); deeper values are copied as is.
// It reads the members off the bytes instead of decoding the object into a
// map: this runs for every Cryptomus answer (the decoding was a tenth of a
// createInvoice's CPU outside SQLite).
func writeOrdered(buf *bytes.Buffer, raw json.RawMessage, orderOf func(key string) []string, at string) error {
	trimmed := bytes.TrimSpace(raw)
	if orderOf(at) != nil && len(trimmed) > 0 && trimmed[0] == '{' && !json.Valid(trimmed) {
		return errors.New("writeOrdered: not valid JSON")
	}
	return writeOrderedValid(buf, trimmed, orderOf, at)
}

// writeOrderedValid is writeOrdered on JSON known to be valid.
func writeOrderedValid(buf *bytes.Buffer, raw []byte, orderOf func(key string) []string, at string) error {
	order := orderOf(at)
	trimmed := bytes.TrimSpace(raw)
	if order == nil || len(trimmed) == 0 || trimmed[0] != '{' {
		buf.Write(trimmed)
		return nil
	}
	members, err := objectMembers(trimmed)
	if err != nil {
		return err
	}
	for i := range members {
		members[i].rank = slices.Index(order, members[i].name)
		if members[i].rank < 0 {
			members[i].rank = len(order)
		}
	}
	slices.SortFunc(members, func(a, b member) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	buf.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeKey(buf, m)
		buf.WriteByte(':')
		next := m.name
		if at != "" {
			next = "\x00" // only one level below the top is ordered
		}
		if err := writeOrderedValid(buf, m.value, orderOf, next); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// member is one name/value pair of a JSON object, as bytes of the input.
type member struct {
	name   string // decoded
	quoted []byte // as written, quotes included
	value  []byte
	rank   int // place in the wanted order
}

// objectMembers splits a valid JSON object into its members, in input
// order; of a name that occurs twice the last value counts, where it first
// occurred (as decoding into a map and writing the map would).
func objectMembers(obj []byte) ([]member, error) {
	var members []member
	i := skipSpace(obj, 1)
	for obj[i] != '}' {
		end := stringEnd(obj, i)
		quoted := obj[i:end]
		var name string
		if plainName(quoted[1 : len(quoted)-1]) {
			name = string(quoted[1 : len(quoted)-1])
		} else if err := json.Unmarshal(quoted, &name); err != nil {
			return nil, err
		}
		i = skipSpace(obj, skipSpace(obj, end)+1) // past the colon
		vend := valueEnd(obj, i)
		m := member{name: name, quoted: quoted, value: obj[i:vend]}
		if at := slices.IndexFunc(members, func(o member) bool { return o.name == name }); at >= 0 {
			members[at].value = m.value
		} else {
			members = append(members, m)
		}
		i = skipSpace(obj, vend)
		if obj[i] == ',' {
			i = skipSpace(obj, i+1)
		}
	}
	return members, nil
}

// writeKey writes a member's name as json.Marshal writes a string.
func writeKey(buf *bytes.Buffer, m member) {
	if plainName(m.quoted[1 : len(m.quoted)-1]) {
		buf.Write(m.quoted)
		return
	}
	quoted, _ := json.Marshal(m.name)
	buf.Write(quoted)
}

// plainName reports whether a name is made of letters, digits and
// underscores only: written and read back the same (as all of ours are).
func plainName(name []byte) bool {
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// The helpers below read JSON already known to be valid.

// stringEnd returns the index just past the string that starts at b[i].
func stringEnd(b []byte, i int) int {
	end, _, _ := scanString(b, i)
	return end
}

// valueEnd returns the index just past the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\n\r", rune(b[i])) {
		i++
	}
	return i
}

// cryptomusReply is a 200 answer of any Cryptomus operation, written in
// Cryptomus's key order; v is the generated response value.
type cryptomusReply struct{ v any }

func (c cryptomusReply) VisitCreateInvoiceResponse(w http.ResponseWriter) error {
	return writeCryptomus(w, http.StatusOK, c.v, nil)
}

func (c cryptomusReply) VisitPaymentInfoResponse(w http.ResponseWriter) error {
	return writeCryptomus(w, http.StatusOK, c.v, nil)
}

func (c cryptomusReply) VisitRefundResponse(w http.ResponseWriter) error {
	return writeCryptomus(w, http.StatusOK, c.v, nil)
}
