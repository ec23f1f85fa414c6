package server

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/gorilla/mux"
	"github.com/shopspring/decimal"

	"github.com/paysandbox/paysandbox/gen/lcmanagerapi"
	"github.com/paysandbox/paysandbox/gen/yookassaapi"
	"github.com/paysandbox/paysandbox/yookassa"
)

// LCManager's partner API call POST /api/yookassa/PaymentCommit (design §5):
// it reads PaymentCommitRequest as JSON, DataContract XML or a form, calls
// YooKassa at ApiParams.Url (when allowed) and answers PaymentCommitResponse
// as JSON or XML according to Accept.

// The ErrorCode table of openapi/lcmanager.yaml.
const (
	lcOK                 = 0
	lcInvalidRequest     = 1
	lcURLNotAllowed      = 2
	lcCredentials        = 3
	lcPaymentNotFound    = 4
	lcRefundExceeds      = 5
	lcPaymentNotSucceded = 6
	lcUnreachable        = 7
	lcUpstreamError      = 8
	lcInternal           = 9
)

// lcKeyNamespace names the UUIDs (v5) that stand in for idempotence keys
// YooKassa would refuse (see upstreamKey).
var lcKeyNamespace = uuid.MustParse("6f1c2a8e-3b7d-5e4f-9a0b-1c2d3e4f5a6b")

// loadYooKassaAPIs loads the YooKassa and LCManager specs as served APIs,
// and the upstream client PaymentCommit uses.
func loadYooKassaAPIs(cfg Config, flt *faults) (yk, lc *api, up *upstreams, err error) {
	yk, err = loadAPI("yookassa", renderYooKassa)
	if err != nil {
		return nil, nil, nil, err
	}
	yk.auth = yookassaAuth(cfg.YooKassa)
	yk.faults = flt
	yk.invalid = yookassaInvalid(yk)

	lc, err = loadAPI("lcmanager", renderLCManager)
	if err != nil {
		return nil, nil, nil, err
	}
	lc.faults = flt
	lc.invalid = lcmanagerInvalid(lc)

	up, err = newUpstreams(cfg.UpstreamAllow, cfg.UpstreamTimeout)
	if err != nil {
		return nil, nil, nil, err
	}
	return yk, lc, up, nil
}

// lcmanagerHandlers implements the generated (plain) server interface:
// PaymentCommit takes five media types, which oapi-codegen's strict server
// cannot bind.
type lcmanagerHandlers struct {
	api       *api
	upstreams *upstreams
}

var _ lcmanagerapi.ServerInterface = (*lcmanagerHandlers)(nil)

// registerLCManager mounts PaymentCommit on r behind the API's guard.
func registerLCManager(r *mux.Router, a *api, up *upstreams) {
	sub := a.subrouter(r)
	sub.Use(a.guard)
	lcmanagerapi.HandlerWithOptions(&lcmanagerHandlers{api: a, upstreams: up}, lcmanagerapi.GorillaServerOptions{
		BaseRouter:       sub,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.renderDecodeError(w, r, err) },
	})
}

// commitResult is PaymentCommitResponse before it is written.
type commitResult struct {
	PaymentID, RefundID, Status, ConfirmationToken, IdempotenceKey *string
	ErrorCode                                                      int
	Message                                                        string
}

// PaymentCommit creates a payment (Refund false) or a refund upstream.
func (h *lcmanagerHandlers) PaymentCommit(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body) // already read and limited by the guard
	req, bad := parseCommit(r.Header.Get("Content-Type"), body)
	if bad != "" {
		h.fail(w, r, http.StatusBadRequest, commitResult{ErrorCode: lcInvalidRequest, Message: bad})
		return
	}
	res := h.commit(r, req)
	status := http.StatusOK
	if res.ErrorCode != lcOK {
		h.fail(w, r, status, res)
		return
	}
	writeCommit(w, r, status, res)
}

// fail writes a failure and notes it for the request's log line (the
// message never holds credentials).
func (h *lcmanagerHandlers) fail(w http.ResponseWriter, r *http.Request, status int, res commitResult) {
	ri := infoOf(r)
	ri.errCode = fmt.Sprintf("lcmanager:%d:ErrorCode=%d", status, res.ErrorCode)
	ri.errDetail = res.Message
	writeCommit(w, r, status, res)
}

func invalid(msg string) commitResult {
	return commitResult{ErrorCode: lcInvalidRequest, Message: msg}
}

// commit checks the request, calls YooKassa and words the outcome.
func (h *lcmanagerHandlers) commit(r *http.Request, req lcmanagerapi.PaymentCommitRequest) commitResult {
	refund := req.Refund != nil && *req.Refund
	params := req.ApiParams
	if params == nil {
		params = &lcmanagerapi.YooKassaApiParams{}
	}
	var res commitResult
	if refund {
		res.PaymentID = optString(deref(req.PaymentRefund))
	}
	switch {
	case req.Amount == nil || !req.Amount.IsPositive():
		return invalid("Amount must be greater than 0")
	case !req.Amount.Equal(req.Amount.Round(2)):
		return invalid("Amount must have at most 2 decimal places")
	case refund && deref(req.PaymentRefund) == "":
		return invalid("PaymentRefund is required when Refund is true")
	case deref(params.Url) == "":
		return invalid("ApiParams.Url is required")
	}
	base, ok := h.upstreams.allow(*params.Url)
	if !ok {
		res.ErrorCode, res.Message = lcURLNotAllowed, "ApiParams.Url is not an allowed upstream: "+redactURL(*params.Url)
		return res
	}
	key := deref(params.IdempotenceKey)
	if key == "" {
		key = uuid.NewString()
	}
	res.IdempotenceKey = &key
	call := upstreamCall{base: base, login: deref(params.Login), password: deref(params.Password), idempotenceKey: upstreamKey(key)}
	amount := yookassaapi.Amount{Value: yookassa.FormatValue(*req.Amount), Currency: yookassa.CurrencyRUB}

	if refund {
		rf, err := h.upstreams.createRefund(r.Context(), call, yookassaapi.CreateRefundRequest{
			PaymentId: *req.PaymentRefund, Amount: amount, Description: optString(deref(req.Description)),
		})
		if err != nil {
			res.ErrorCode, res.Message = commitFailure(err, true, *req.PaymentRefund, amount.Value, h.upstreams.timeout)
			return res
		}
		res.RefundID, res.Status = &rf.Id, ptr(string(rf.Status))
		return res
	}
	capture := true
	p, err := h.upstreams.createPayment(r.Context(), call, yookassaapi.CreatePaymentRequest{
		Amount: amount, Capture: &capture,
		Confirmation: &yookassaapi.ConfirmationRequest{Type: yookassaapi.ConfirmationType(yookassa.ConfirmationEmbedded)},
		Description:  optString(deref(req.Description)),
	})
	if err != nil {
		res.ErrorCode, res.Message = commitFailure(err, false, "", amount.Value, h.upstreams.timeout)
		return res
	}
	res.PaymentID, res.Status = &p.Id, ptr(string(p.Status))
	if p.Confirmation != nil {
		res.ConfirmationToken = p.Confirmation.ConfirmationToken
	}
	return res
}

// redactURL hides the parts of a URL that may hold a secret (the user
// information, the query, the fragment) before the URL is echoed in a
// Message and so in the log. A string that is not a URL is echoed only when
// it has none of the characters that begin those parts.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		if strings.ContainsAny(raw, "@?#") {
			return "(not a URL; not shown)"
		}
		return raw
	}
	if u.User == nil && u.RawQuery == "" && !u.ForceQuery && u.Fragment == "" {
		return raw
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = "redacted", false
	}
	if u.Fragment != "" {
		u.Fragment, u.RawFragment = "redacted", ""
	}
	return u.String()
}

// upstreamKey is the Idempotence-Key sent to YooKassa for the caller's
// IdempotenceKey: the key itself when YooKassa takes it (at most 64
// characters of 0-9 a-z A-Z + - _ .), else a UUID derived from it (v5), so
// that a key like the help page's "sample string 4" still works and still
// gives the same result when repeated.
func upstreamKey(key string) string {
	if yookassa.ValidateIdempotenceKey(key) == nil {
		return key
	}
	return uuid.NewSHA1(lcKeyNamespace, []byte(key)).String()
}

// commitFailure maps a failed upstream call to the ErrorCode table.
func commitFailure(err error, refund bool, paymentID, amount string, timeout time.Duration) (int, string) {
	var f *upstreamFailure
	if !errors.As(err, &f) {
		return lcInternal, "Internal error"
	}
	desc := strings.ToLower(f.description)
	switch {
	case f.status == 0 && f.timeout:
		return lcUnreachable, "YooKassa did not answer within " + timeout.String()
	case f.status == 0 && headersTooLarge(f.err): // upstream.go
		return lcUpstreamError, "YooKassa answered with headers larger than 64 KiB"
	case f.status == 0:
		return lcUnreachable, "YooKassa is unreachable: " + unreachableReason(f.err)
	case f.code == "" && f.description != "":
		return lcUpstreamError, fmt.Sprintf("YooKassa answered HTTP %d, but %s", f.status, f.description)
	case f.status >= 300 && f.status < 400:
		return lcUpstreamError, fmt.Sprintf("YooKassa answered HTTP %d (redirects are not followed)", f.status)
	case f.code == "":
		return lcUpstreamError, fmt.Sprintf("YooKassa answered HTTP %d", f.status)
	case f.status == http.StatusUnauthorized:
		return lcCredentials, fmt.Sprintf("YooKassa refused the credentials (401 %s)", f.code)
	case refund && f.status == http.StatusNotFound:
		return lcPaymentNotFound, fmt.Sprintf("Payment %s was not found (404 %s)", paymentID, f.code)
	case refund && f.status == http.StatusBadRequest && strings.Contains(desc, "exceed"):
		return lcRefundExceeds, fmt.Sprintf("The refund amount %s exceeds what is left of the payment. YooKassa: %s", amount, f.description)
	case refund && f.status == http.StatusBadRequest && f.parameter == "payment_id" &&
		(strings.Contains(desc, "status") || strings.Contains(desc, "succeeded")):
		return lcPaymentNotSucceded, fmt.Sprintf("Payment %s has not succeeded, so it cannot be refunded. YooKassa: %s", paymentID, f.description)
	default:
		return lcUpstreamError, fmt.Sprintf("YooKassa error %d %s: %s", f.status, f.code, f.description)
	}
}

// --- reading the request ---

// mediaTypeOf is the lower-case media type of a Content-Type header.
func mediaTypeOf(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

const lcMediaTypes = "application/json, text/json, application/xml, text/xml or application/x-www-form-urlencoded"

// parseCommit reads PaymentCommitRequest from any of its media types; bad
// is the Message of a body that cannot be read or has a field of the wrong
// type (HTTP 400).
func parseCommit(contentType string, body []byte) (req lcmanagerapi.PaymentCommitRequest, bad string) {
	mt := mediaTypeOf(contentType)
	if len(bytes.TrimSpace(body)) == 0 {
		return req, "The request body is required"
	}
	switch mt {
	case "application/json", "text/json":
		return parseCommitJSON(body)
	case "application/xml", "text/xml":
		return parseCommitXML(body)
	case "application/x-www-form-urlencoded":
		return parseCommitForm(body)
	}
	return req, fmt.Sprintf("Content-Type %q is not supported: use %s", contentType, lcMediaTypes)
}

func cannotRead(err error) string { return "The request body cannot be read: " + readErrorText(err) } // redact.go

func invalidField(field, want string) string {
	return "The request body is invalid: " + field + " must be " + want
}

func parseCommitJSON(body []byte) (req lcmanagerapi.PaymentCommitRequest, bad string) {
	if jb, ok := asJSONBodyError(checkJSONBody(body)); ok {
		if jb.field == "" {
			return req, "The request body " + jb.reason
		}
		return req, "The request body is invalid: " + jb.Error()
	}
	var syntax json.RawMessage // numbers stay text: the syntax check takes any size
	if err := json.Unmarshal(body, &syntax); err != nil {
		return req, cannotRead(err)
	}
	if bytes.TrimSpace(syntax)[0] != '{' {
		return req, "The request body is invalid: it must be a JSON object"
	}
	if err := json.Unmarshal(body, &req); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return req, invalidField(typeErr.Field, jsonKind(typeErr.Type))
		}
		return req, invalidField("Amount", "a number") // decimal's own decoding error
	}
	return req, ""
}

// jsonKind names a Go type as JSON Schema does.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Struct:
		if t == reflect.TypeOf(decimal.Decimal{}) {
			return "a number"
		}
		return "an object"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Float64:
		return "a number"
	}
	return "of another type"
}

func parseCommitXML(body []byte) (req lcmanagerapi.PaymentCommitRequest, bad string) {
	root, err := parseXMLTree(body)
	if err != nil {
		return req, cannotRead(err)
	}
	if root.name.Local != "PaymentCommitRequest" || (root.name.Space != "" && root.name.Space != lcRequestNS) {
		return req, cannotRead(fmt.Errorf("expecting element 'PaymentCommitRequest' from namespace '%s', found '%s' from namespace '%s'",
			lcRequestNS, root.name.Local, root.name.Space))
	}
	str := func(e *xelem, name string) *string {
		k := e.child(name)
		if k == nil || k.isNil() {
			return nil
		}
		return ptr(k.text.String())
	}
	if k := root.child("Refund"); k != nil && !k.isNil() {
		b, ok := xsdBool(k.text.String())
		if !ok {
			return req, invalidField("Refund", "a boolean")
		}
		req.Refund = &b
	}
	if k := root.child("Amount"); k != nil && !k.isNil() {
		d, err := parseDecimal(k.text.String())
		if err != nil {
			return req, invalidField("Amount", "a number")
		}
		req.Amount = &d
	}
	req.Description = str(root, "Description")
	req.PaymentRefund = str(root, "PaymentRefund")
	if k := root.child("ApiParams"); k != nil && !k.isNil() {
		req.ApiParams = &lcmanagerapi.YooKassaApiParams{
			Url: str(k, "Url"), Login: str(k, "Login"), Password: str(k, "Password"), IdempotenceKey: str(k, "IdempotenceKey"),
		}
	}
	return req, ""
}

// parseDecimal reads a decimal as written in XML or a form ("2", "2.50").
func parseDecimal(s string) (decimal.Decimal, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "eE") {
		return decimal.Decimal{}, errors.New("not a decimal")
	}
	return decimal.NewFromString(s)
}

// parseCommitForm reads the form as ASP.NET model binding does: names are
// case-insensitive, the first of repeated names counts (in the body's
// order, whatever their case) and the ApiParams fields are dotted. Values
// must be UTF-8 once decoded, as in the other media types.
func parseCommitForm(body []byte) (req lcmanagerapi.PaymentCommitRequest, bad string) {
	if _, err := url.ParseQuery(string(body)); err != nil {
		return req, cannotRead(err)
	}
	fields := map[string]string{}
	for _, pair := range strings.Split(string(body), "&") {
		k, v, _ := strings.Cut(pair, "=")
		k, errK := url.QueryUnescape(k)
		v, errV := url.QueryUnescape(v)
		if errK != nil || errV != nil || k == "" && v == "" {
			continue // ParseQuery vetted the escapes; empty pairs ("a=1&&b=2") are nothing
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return req, "The request body is not valid UTF-8"
		}
		lk := strings.ToLower(k)
		if _, seen := fields[lk]; !seen {
			fields[lk] = v
		}
	}
	get := func(name string) *string {
		if v, ok := fields[strings.ToLower(name)]; ok {
			return &v
		}
		return nil
	}
	if v := get("Refund"); v != nil {
		b, err := strconv.ParseBool(strings.TrimSpace(*v))
		if err != nil {
			return req, invalidField("Refund", "a boolean")
		}
		req.Refund = &b
	}
	if v := get("Amount"); v != nil && strings.TrimSpace(*v) != "" {
		d, err := parseDecimal(*v)
		if err != nil {
			return req, invalidField("Amount", "a number")
		}
		req.Amount = &d
	}
	req.Description = get("Description")
	req.PaymentRefund = get("PaymentRefund")
	p := lcmanagerapi.YooKassaApiParams{
		Url: get("ApiParams.Url"), Login: get("ApiParams.Login"), Password: get("ApiParams.Password"), IdempotenceKey: get("ApiParams.IdempotenceKey"),
	}
	if p != (lcmanagerapi.YooKassaApiParams{}) {
		req.ApiParams = &p
	}
	return req, ""
}

// --- writing the answer ---

// negotiate picks the answer's media type from Accept: the acceptable
// type with the highest q (the first listed on a tie); JSON when Accept is
// absent, accepts anything or names nothing PaymentCommit writes.
func negotiate(r *http.Request) string {
	best, bestQ := "application/json", 0.0
	for _, part := range strings.Split(strings.Join(r.Header.Values("Accept"), ","), ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				q = f
			}
		}
		var pick string
		switch strings.ToLower(mt) {
		case "application/json", "text/json", "application/xml", "text/xml":
			pick = strings.ToLower(mt)
		case "application/*", "*/*":
			pick = "application/json"
		case "text/*":
			pick = "text/json"
		}
		if pick != "" && q > bestQ {
			best, bestQ = pick, q
		}
	}
	return best
}

// writeCommit writes PaymentCommitResponse in the negotiated media type.
func writeCommit(w http.ResponseWriter, r *http.Request, status int, res commitResult) {
	mt := negotiate(r)
	var body []byte
	if mt == "application/xml" || mt == "text/xml" {
		body = commitXML(res)
	} else {
		body = commitJSON(res)
	}
	w.Header().Set("Content-Type", mt+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// commitJSON writes the fields in the seed's order, null for no value, as
// Json.NET does (no HTML escaping).
func commitJSON(res commitResult) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		PaymentID         *string `json:"PaymentId"`
		RefundID          *string `json:"RefundId"`
		Status            *string `json:"Status"`
		ConfirmationToken *string `json:"ConfirmationToken"`
		IdempotenceKey    *string `json:"IdempotenceKey"`
		ErrorCode         int     `json:"ErrorCode"`
		Message           string  `json:"Message"`
	}{res.PaymentID, res.RefundID, res.Status, res.ConfirmationToken, res.IdempotenceKey, res.ErrorCode, res.Message})
	return bytes.TrimRight(b.Bytes(), "\n")
}

// commitXML writes DataContract XML as the seed's sample: ErrorCode and
// Message first in the Abstractions namespace, then the rest
// alphabetically, i:nil for no value.
func commitXML(res commitResult) []byte {
	var b bytes.Buffer
	b.WriteString(`<PaymentCommitResponse xmlns:i="` + xsiNS + `" xmlns="` + lcResponseNS + `">`)
	b.WriteString(`<ErrorCode xmlns="` + lcAbstractionNS + `">` + strconv.Itoa(res.ErrorCode) + `</ErrorCode>`)
	b.WriteString(`<Message xmlns="` + lcAbstractionNS + `">`)
	_ = xml.EscapeText(&b, []byte(res.Message))
	b.WriteString(`</Message>`)
	for _, f := range []struct {
		name string
		v    *string
	}{
		{"ConfirmationToken", res.ConfirmationToken},
		{"IdempotenceKey", res.IdempotenceKey},
		{"PaymentId", res.PaymentID},
		{"RefundId", res.RefundID},
		{"Status", res.Status},
	} {
		if f.v == nil {
			b.WriteString(`<` + f.name + ` i:nil="true"/>`)
			continue
		}
		b.WriteString(`<` + f.name + `>`)
		_ = xml.EscapeText(&b, []byte(*f.v))
		b.WriteString(`</` + f.name + `>`)
	}
	b.WriteString(`</PaymentCommitResponse>`)
	return b.Bytes()
}

// --- errors before the handler ---

// renderLCManager writes problems raised before PaymentCommit runs in its
// response shape: an armed fault or a crash is HTTP 200 with ErrorCode 9,
// anything else (unknown route, wrong method, body too large) keeps its
// status with ErrorCode 1.
func renderLCManager(w http.ResponseWriter, r *http.Request, p problem) {
	res := commitResult{ErrorCode: lcInvalidRequest, Message: p.message}
	status := p.status
	if p.kind == kindFault || p.kind == kindInternal || status >= 500 {
		status, res = http.StatusOK, commitResult{ErrorCode: lcInternal, Message: "Internal error"}
	}
	writeCommit(w, r, status, res)
}

// lcmanagerInvalid renders a request that broke the spec: HTTP 400 with
// ErrorCode 1 and a Message naming the field.
func lcmanagerInvalid(a *api) func(w http.ResponseWriter, r *http.Request, body []byte, err error) {
	return func(w http.ResponseWriter, r *http.Request, body []byte, err error) {
		msg := ""
		findings := flattenValidation(err)
		for _, f := range findings {
			if f.badType {
				msg = fmt.Sprintf("Content-Type %q is not supported: use %s", r.Header.Get("Content-Type"), lcMediaTypes)
				break
			}
		}
		if msg == "" {
			// The reader's own words for a body it cannot read.
			_, msg = parseCommit(r.Header.Get("Content-Type"), body)
		}
		if msg == "" && len(findings) > 0 {
			parts := make([]string, 0, len(findings))
			for _, f := range findings {
				switch {
				case f.field != "":
					parts = append(parts, f.field+" "+f.reason)
				case f.param != "":
					parts = append(parts, f.param+" "+f.reason)
				default:
					parts = append(parts, f.reason)
				}
			}
			msg = "The request body is invalid: " + strings.Join(dedupe(parts), "; ")
		}
		if msg == "" {
			msg = "The request body is invalid"
		}
		a.render(w, r, problem{status: http.StatusBadRequest, kind: kindValidation, message: msg, detail: describeValidation(err)})
	}
}
