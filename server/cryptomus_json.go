package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
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
	if err := writeOrdered(&buf, raw, func(key string) []string {
		switch key {
		case "":
			return cryptomusTopOrder
		case "result":
			return cryptomusInvoiceOrder
		case "errors":
			return fields
		}
		return nil
	}, ""); err != nil {
		return err
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = buf.WriteTo(w)
	return err
}

// writeOrdered copies a JSON value, writing the keys of the objects at the
// top level and under each top-level key in the order orderOf gives (keys
// it does not list follow, alphabetically); deeper values are copied as is.
func writeOrdered(buf *bytes.Buffer, raw json.RawMessage, orderOf func(key string) []string, at string) error {
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
			next = "\x00" // only one level below the top is ordered
		}
		if err := writeOrdered(buf, obj[k], orderOf, next); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
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
