package cryptomus

import (
	"bytes"
	"encoding/json"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// This file validates request bodies the way Cryptomus's Laravel back end
// does, so clients see the same field errors:
//
//   - The body is read as a JSON object. A body that is not one (invalid
//     JSON or UTF-8, an array, a string, null, trailing data) is read as an
//     empty object, as Laravel's $request->json() does, so every required
//     field reports its "required" rule. A member given twice keeps its
//     last value, as in PHP's json_decode.
//   - Laravel's default middleware run first: TrimStrings trims top-level
//     string values (PHP trim: space, \t, \n, \r, \0, \x0B) and
//     ConvertEmptyStringsToNull makes "" null. A missing key, null and a
//     blank string are therefore all absent.
//   - Every field runs its rules in order; a rule that fails adds its key
//     once. A failed required / required_without stops the field's other
//     rules; the other rules are skipped for an absent value (so every
//     optional field is effectively nullable). All failing fields are
//     reported together.
//   - Sizes follow Laravel's getSize: for a field with a numeric or integer
//     rule and a numeric value the number itself (key suffix .numeric), for
//     an array or object its length (.array), otherwise the length in
//     characters of the value as PHP would print it (.string).
//   - Sandbox bound: a number whose text is longer than 100 characters or
//     whose exponent is beyond ±100 fails numeric / integer, so that no
//     request can make the server compute with absurd numbers.

// Rule keys, as Laravel's validator reports them.
const (
	RuleRequired        = "validation.required"
	RuleRequiredWithout = "validation.required_without"
	RuleBoolean         = "validation.boolean"
	RuleString          = "validation.string"
	RuleNumeric         = "validation.numeric"
	RuleInteger         = "validation.integer"
	RuleAlphaDash       = "validation.alpha_dash"
	RuleAlphaNum        = "validation.alpha_num"
	RuleUUID            = "validation.uuid"
	RuleMinString       = "validation.min.string"
	RuleMaxString       = "validation.max.string"
	RuleMinNumeric      = "validation.min.numeric"
	RuleMaxNumeric      = "validation.max.numeric"
	RuleBetweenNumeric  = "validation.between.numeric"
)

// Limits of the invoice fields.
const (
	DefaultLifetime    = 3600  // seconds, when lifetime is absent
	MinLifetime        = 300   // seconds
	MaxLifetime        = 43200 // seconds
	MaxAccuracyPercent = 5
	MaxOrderIDLen      = 128
	MaxURLLen          = 255
)

// RefundRequest is a validated POST /v1/payment/refund body.
type RefundRequest struct {
	Address    string
	IsSubtract bool
	UUID       string // lower case; used when set (it wins over OrderID)
	OrderID    string
}

// InvoiceRequest is a validated POST /v1/payment body.
type InvoiceRequest struct {
	Amount          decimal.Decimal // exact, with the decimals the client sent
	Currency        string          // upper case
	OrderID         string
	Network         string
	URLReturn       string
	URLSuccess      string
	URLCallback     string
	Lifetime        int             // seconds; DefaultLifetime when absent
	AccuracyPercent decimal.Decimal // 0 when absent
	AdditionalData  string
}

// InfoRequest is a validated POST /v1/payment/info body.
type InfoRequest struct {
	UUID    string // lower case
	OrderID string // used when set (it wins over UUID)
}

var refundRules = []fieldRules{
	{"address", []rule{required, isString}},
	{"is_subtract", []rule{required, boolean}},
	{"uuid", []rule{requiredWithout("order_id"), isUUID}},
	{"order_id", []rule{requiredWithout("uuid"), isString, minSize(1), maxSize(MaxOrderIDLen), alphaDash}},
}

var invoiceRules = []fieldRules{
	{"amount", []rule{required, numeric, positive}},
	{"currency", []rule{required, isString, maxSize(MaxCurrencyLen), alphaNum}},
	{"order_id", []rule{required, isString, minSize(1), maxSize(MaxOrderIDLen), alphaDash}},
	{"network", []rule{isString}},
	{"url_return", []rule{isString, maxSize(MaxURLLen)}},
	{"url_success", []rule{isString, maxSize(MaxURLLen)}},
	{"url_callback", []rule{isString, maxSize(MaxURLLen)}},
	{"lifetime", []rule{integer, between(MinLifetime, MaxLifetime)}},
	{"accuracy_payment_percent", []rule{numeric, between(0, MaxAccuracyPercent)}},
	{"additional_data", []rule{isString, maxSize(MaxURLLen)}},
}

var infoRules = []fieldRules{
	{"uuid", []rule{requiredWithout("order_id"), isUUID}},
	{"order_id", []rule{requiredWithout("uuid"), isString, minSize(1), maxSize(MaxOrderIDLen), alphaDash}},
}

// ParseRefund validates a refund body; on failure the error is an
// EFieldErrors *Error listing every failing field.
func ParseRefund(body []byte) (RefundRequest, error) {
	in := readInput(body)
	if err := validate(in, refundRules); err != nil {
		return RefundRequest{}, err
	}
	return RefundRequest{
		Address:    str(in["address"]),
		IsSubtract: truthy(in["is_subtract"]),
		UUID:       strings.ToLower(str(in["uuid"])),
		OrderID:    str(in["order_id"]),
	}, nil
}

// ParseInvoiceRequest validates a create-invoice body; on failure the error
// is an EFieldErrors *Error listing every failing field.
func ParseInvoiceRequest(body []byte) (InvoiceRequest, error) {
	in := readInput(body)
	if err := validate(in, invoiceRules); err != nil {
		return InvoiceRequest{}, err
	}
	req := InvoiceRequest{
		Currency:        strings.ToUpper(str(in["currency"])),
		OrderID:         str(in["order_id"]),
		Network:         str(in["network"]),
		URLReturn:       str(in["url_return"]),
		URLSuccess:      str(in["url_success"]),
		URLCallback:     str(in["url_callback"]),
		AdditionalData:  str(in["additional_data"]),
		Lifetime:        DefaultLifetime,
		AccuracyPercent: decimal.Zero,
	}
	req.Amount, _ = numberOf(in["amount"])
	if v := in["lifetime"]; v != nil {
		n, _ := integerOf(v)
		req.Lifetime = int(n)
	}
	if v := in["accuracy_payment_percent"]; v != nil {
		req.AccuracyPercent, _ = numberOf(v)
	}
	return req, nil
}

// ParseInfoRequest validates an invoice-info body; on failure the error is
// an EFieldErrors *Error listing every failing field.
func ParseInfoRequest(body []byte) (InfoRequest, error) {
	in := readInput(body)
	if err := validate(in, infoRules); err != nil {
		return InfoRequest{}, err
	}
	return InfoRequest{UUID: strings.ToLower(str(in["uuid"])), OrderID: str(in["order_id"])}, nil
}

// readInput decodes the body's top-level object with numbers kept as text,
// then trims strings and turns blank ones into nil (absent).
func readInput(body []byte) map[string]any {
	if !utf8.Valid(body) || hasLoneSurrogate(body) { // PHP's json_decode fails on both
		return map[string]any{}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var in map[string]any
	if err := dec.Decode(&in); err != nil || in == nil {
		return map[string]any{}
	}
	if _, err := dec.Token(); err != io.EOF { // trailing data: not one JSON document
		return map[string]any{}
	}
	for k, v := range in {
		if s, ok := v.(string); ok {
			s = phpTrim(s)
			if s == "" {
				in[k] = nil
			} else {
				in[k] = s
			}
		}
	}
	return in
}

// hasLoneSurrogate reports a \uXXXX escape of half a UTF-16 surrogate pair
// without its other half (PHP: JSON_ERROR_UTF16; encoding/json would read
// U+FFFD).
func hasLoneSurrogate(body []byte) bool {
	escape := func(i int) rune { // the \uXXXX at body[i:], or -1
		if i+6 > len(body) || body[i] != '\\' || body[i+1] != 'u' {
			return -1
		}
		n, err := strconv.ParseUint(string(body[i+2:i+6]), 16, 16)
		if err != nil {
			return -1
		}
		return rune(n)
	}
	for i := 0; i < len(body); i++ {
		if body[i] != '\\' {
			continue
		}
		switch r := escape(i); {
		case r < 0:
			i++ // a one-character escape, \\ included
		case r >= 0xD800 && r < 0xDC00:
			if low := escape(i + 6); low < 0xDC00 || low > 0xDFFF {
				return true
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return true
		default:
			i += 5
		}
	}
	return false
}

func phpTrim(s string) string { return strings.Trim(s, " \t\n\r\x00\x0b") }

func str(v any) string {
	s, _ := v.(string)
	return s
}

// fieldRules is one field's rules, in Laravel's order.
type fieldRules struct {
	field string
	rules []rule
}

// rule is one Laravel rule. check returns the failed rule's key, or "".
// Implicit rules (required*) also run on absent values.
type rule struct {
	implicit bool
	numeric  bool // numeric / integer: sizes of the field compare numbers
	check    func(c ruleCtx) string
}

type ruleCtx struct {
	v       any
	in      map[string]any
	numeric bool // the field has a numeric or integer rule
}

func validate(in map[string]any, fields []fieldRules) error {
	errs := map[string][]string{}
	for _, f := range fields {
		c := ruleCtx{v: in[f.field], in: in}
		for _, r := range f.rules {
			c.numeric = c.numeric || r.numeric
		}
		for _, r := range f.rules {
			if c.v == nil && !r.implicit {
				continue
			}
			key := r.check(c)
			if key == "" {
				continue
			}
			if !contains(errs[f.field], key) {
				errs[f.field] = append(errs[f.field], key)
			}
			if r.implicit {
				break
			}
		}
	}
	if len(errs) > 0 {
		return &Error{Code: EFieldErrors, Message: "The given data was invalid.", Fields: errs}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// filled is the opposite of Laravel's failing "required": not null, not a
// blank string, not an empty array or object.
func filled(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return phpTrim(x) != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

func keyIf(fail bool, key string) string {
	if fail {
		return key
	}
	return ""
}

var required = rule{implicit: true, check: func(c ruleCtx) string { return keyIf(!filled(c.v), RuleRequired) }}

func requiredWithout(other string) rule {
	return rule{implicit: true, check: func(c ruleCtx) string {
		return keyIf(!filled(c.in[other]) && !filled(c.v), RuleRequiredWithout)
	}}
}

var isString = rule{check: func(c ruleCtx) string {
	_, ok := c.v.(string)
	return keyIf(!ok, RuleString)
}}

// boolean is Laravel's true, false, 1, 0, "1", "0", plus "true" and "false"
// (design §4: the seed's own example sends "true"). Nothing else: not
// "TRUE", "yes", 2 or 1.0.
var boolean = rule{check: func(c ruleCtx) string {
	switch x := c.v.(type) {
	case bool:
		return ""
	case json.Number:
		return keyIf(x != "0" && x != "1", RuleBoolean)
	case string:
		return keyIf(x != "0" && x != "1" && x != "true" && x != "false", RuleBoolean)
	}
	return RuleBoolean
}}

// truthy reads a value that passed boolean.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case json.Number:
		return x == "1"
	case string:
		return x == "1" || x == "true"
	}
	return false
}

var isUUID = rule{check: func(c ruleCtx) string {
	s, ok := c.v.(string)
	return keyIf(!ok || !IsUUID(s), RuleUUID)
}}

var (
	alphaDashRE = regexp.MustCompile(`^[\pL\pM\pN_-]+$`)
	// alpha_num:ascii — currency codes are stored upper-cased as A–Z, 0–9
	alphaNumRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)
)

// patternRule matches strings and numbers (as PHP prints them); other
// values fail, as in Laravel.
func patternRule(re *regexp.Regexp, key string) rule {
	return rule{check: func(c ruleCtx) string {
		switch x := c.v.(type) {
		case string:
			return keyIf(!re.MatchString(x), key)
		case json.Number:
			return keyIf(!re.MatchString(x.String()), key)
		}
		return key
	}}
}

var (
	alphaDash = patternRule(alphaDashRE, RuleAlphaDash)
	alphaNum  = patternRule(alphaNumRE, RuleAlphaNum)
)

var numeric = rule{numeric: true, check: func(c ruleCtx) string {
	_, ok := numberOf(c.v)
	return keyIf(!ok, RuleNumeric)
}}

var integer = rule{numeric: true, check: func(c ruleCtx) string {
	_, ok := integerOf(c.v)
	return keyIf(!ok, RuleInteger)
}}

// positive: amounts must be more than zero (reported as min.numeric).
// Only numeric values are checked; numeric reports the others.
var positive = rule{check: func(c ruleCtx) string {
	d, ok := numberOf(c.v)
	return keyIf(ok && !d.IsPositive(), RuleMinNumeric)
}}

// size is Laravel's getSize with the key suffix of getAttributeType.
func size(c ruleCtx) (decimal.Decimal, string) {
	if c.numeric {
		if d, ok := numberOf(c.v); ok {
			return d, "numeric"
		}
	}
	n := 0
	typ := "string"
	switch x := c.v.(type) {
	case []any:
		n, typ = len(x), "array"
	case map[string]any:
		n, typ = len(x), "array"
	case string:
		n = utf8.RuneCountInString(x)
	case json.Number:
		n = utf8.RuneCountInString(x.String())
	case bool:
		if x {
			n = 1 // PHP prints true as "1", false as ""
		}
	}
	return decimal.NewFromInt(int64(n)), typ
}

func minSize(n int64) rule {
	return rule{check: func(c ruleCtx) string {
		s, typ := size(c)
		return keyIf(s.LessThan(decimal.NewFromInt(n)), "validation.min."+typ)
	}}
}

func maxSize(n int64) rule {
	return rule{check: func(c ruleCtx) string {
		s, typ := size(c)
		return keyIf(s.GreaterThan(decimal.NewFromInt(n)), "validation.max."+typ)
	}}
}

func between(lo, hi int64) rule {
	return rule{check: func(c ruleCtx) string {
		s, typ := size(c)
		return keyIf(s.LessThan(decimal.NewFromInt(lo)) || s.GreaterThan(decimal.NewFromInt(hi)), "validation.between."+typ)
	}}
}

// phpNumeric is PHP 8's is_numeric for strings: optional surrounding
// whitespace, a sign, digits with an optional fraction, an exponent.
var phpNumeric = regexp.MustCompile(`^[ \t\n\r\v\f]*([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?[ \t\n\r\v\f]*$`)

// Bounds of the numbers the sandbox computes with (see the file comment).
const (
	maxNumberText     = 100
	maxNumberExponent = 100
)

// numberOf returns the exact value of a JSON number or a numeric string,
// keeping the decimals as written.
func numberOf(v any) (decimal.Decimal, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	default:
		return decimal.Decimal{}, false
	}
	m := phpNumeric.FindStringSubmatch(s)
	if m == nil || len(s) > maxNumberText {
		return decimal.Decimal{}, false
	}
	text := m[2]
	if strings.HasPrefix(text, ".") {
		text = "0" + text
	}
	text = strings.TrimSuffix(text, ".")
	if m[3] != "" {
		e, err := strconv.Atoi(m[3])
		if err != nil || e > maxNumberExponent || e < -maxNumberExponent {
			return decimal.Decimal{}, false
		}
		text += "e" + m[3]
	}
	d, err := decimal.NewFromString(text)
	if err != nil {
		return decimal.Decimal{}, false
	}
	if m[1] == "-" {
		d = d.Neg()
	}
	return d, true
}

var phpInt = regexp.MustCompile(`^[ \t\n\r\v\f]*[+-]?(0|[1-9][0-9]*)[ \t\n\r\v\f]*$`)

// integerOf is Laravel's integer rule (PHP's FILTER_VALIDATE_INT): a JSON
// number with an integral value, or a string of an optional sign and
// digits without leading zeros; within int64.
func integerOf(v any) (int64, bool) {
	switch x := v.(type) {
	case json.Number:
		d, ok := numberOf(x)
		if !ok || !d.IsInteger() {
			return 0, false
		}
		if d.LessThan(decimal.NewFromInt(-1<<63)) || d.GreaterThan(decimal.NewFromInt(1<<63-1)) {
			return 0, false
		}
		return d.IntPart(), true
	case string:
		if !phpInt.MatchString(x) {
			return 0, false
		}
		n, err := strconv.ParseInt(strings.TrimLeft(strings.TrimSpace(x), "+"), 10, 64)
		return n, err == nil
	}
	return 0, false
}
