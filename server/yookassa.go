package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/gen/yookassaapi"
	"github.com/paysandbox/paysandbox/yookassa"
)

// yookassaHandlers implements the generated strict interface of the
// emulated YooKassa API v3 (design §5).
type yookassaHandlers struct {
	ops *yookassa.Operations
}

var _ yookassaapi.StrictServerInterface = (*yookassaHandlers)(nil)

// registerYooKassa mounts the YooKassa routes on r behind the API's guard.
func registerYooKassa(r *mux.Router, a *api, ops *yookassa.Operations) {
	sub := a.subrouter(r)
	sub.Use(a.guard)
	strict := yookassaapi.NewStrictHandlerWithOptions(&yookassaHandlers{ops: ops}, nil, yookassaapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  func(w http.ResponseWriter, r *http.Request, err error) { a.renderDecodeError(w, r, err) },
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.render(w, r, problemOf(err)) },
	})
	yookassaapi.HandlerWithOptions(strict, yookassaapi.GorillaServerOptions{
		BaseRouter:       sub,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.renderDecodeError(w, r, err) },
	})
}

// yookassaAuth checks HTTP Basic shopId:secretKey and remembers the shop
// and the raw body (the idempotence fingerprint is taken over it).
func yookassaAuth(ops *yookassa.Operations) authenticator {
	return func(r *http.Request, body []byte) *problem {
		shopID, secret, _ := r.BasicAuth()
		shop, err := ops.Authenticate(r.Context(), shopID, secret)
		if err != nil {
			p := problemOf(err)
			return &p
		}
		ri := infoOf(r)
		ri.shopID = shop.ShopID
		ri.rawBody = body
		return nil
	}
}

func shopOf(ctx context.Context) string { return info(ctx).shopID }

// idemKey binds the request's Idempotence-Key to what the request is: the
// operation, the path and the exact body bytes.
func idemKey(ctx context.Context, operationID, path, key string) yookassa.IdemKey {
	return yookassa.IdemKey{Key: key, Fingerprint: yookassa.Fingerprint(operationID, path, info(ctx).rawBody)}
}

// rawJSON is a stored or freshly rendered response: its bytes go out
// verbatim, so that a replayed request gets exactly what the first got.
type rawJSON struct {
	status int
	body   []byte
}

func (x rawJSON) write(w http.ResponseWriter) error {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(x.status)
	_, err := w.Write(x.body)
	return err
}

func (x rawJSON) VisitCreatePaymentResponse(w http.ResponseWriter) error  { return x.write(w) }
func (x rawJSON) VisitCapturePaymentResponse(w http.ResponseWriter) error { return x.write(w) }
func (x rawJSON) VisitCancelPaymentResponse(w http.ResponseWriter) error  { return x.write(w) }
func (x rawJSON) VisitCreateRefundResponse(w http.ResponseWriter) error   { return x.write(w) }

// renderJSON marshals a 200 response the way it is stored and sent.
func renderJSON[T any](convert func(T) any) yookassa.Render[T] {
	return func(v T) (int, []byte, error) {
		b, err := json.Marshal(convert(v))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, append(b, '\n'), nil
	}
}

var (
	renderPayment = renderJSON(func(p *yookassa.Payment) any { return paymentWire(p) })
	renderRefund  = renderJSON(func(r *yookassa.Refund) any { return refundWire(r) })
)

func (h *yookassaHandlers) CreatePayment(ctx context.Context, req yookassaapi.CreatePaymentRequestObject) (yookassaapi.CreatePaymentResponseObject, error) {
	in, err := newPaymentFromWire(req.Body)
	if err != nil {
		return nil, err
	}
	status, body, err := h.ops.CreatePayment(ctx, shopOf(ctx), idemKey(ctx, "createPayment", "/yookassa/v3/payments", req.Params.IdempotenceKey), in, renderPayment)
	if err != nil {
		return nil, err
	}
	return rawJSON{status, body}, nil
}

func (h *yookassaHandlers) GetPayment(ctx context.Context, req yookassaapi.GetPaymentRequestObject) (yookassaapi.GetPaymentResponseObject, error) {
	p, err := h.ops.Payment(ctx, shopOf(ctx), req.PaymentId)
	if err != nil {
		return nil, err
	}
	return yookassaapi.GetPayment200JSONResponse(paymentWire(p)), nil
}

func (h *yookassaHandlers) CapturePayment(ctx context.Context, req yookassaapi.CapturePaymentRequestObject) (yookassaapi.CapturePaymentResponseObject, error) {
	var amount *yookassa.Amount
	if req.Body != nil && req.Body.Amount != nil {
		a, err := yookassa.ParseAmount("amount", req.Body.Amount.Value, req.Body.Amount.Currency)
		if err != nil {
			return nil, err
		}
		amount = &a
	}
	status, body, err := h.ops.Capture(ctx, shopOf(ctx), req.PaymentId, idemKey(ctx, "capturePayment", "/yookassa/v3/payments/"+req.PaymentId+"/capture", req.Params.IdempotenceKey), amount, renderPayment)
	if err != nil {
		return nil, err
	}
	return rawJSON{status, body}, nil
}

func (h *yookassaHandlers) CancelPayment(ctx context.Context, req yookassaapi.CancelPaymentRequestObject) (yookassaapi.CancelPaymentResponseObject, error) {
	status, body, err := h.ops.Cancel(ctx, shopOf(ctx), req.PaymentId, idemKey(ctx, "cancelPayment", "/yookassa/v3/payments/"+req.PaymentId+"/cancel", req.Params.IdempotenceKey), renderPayment)
	if err != nil {
		return nil, err
	}
	return rawJSON{status, body}, nil
}

func (h *yookassaHandlers) CreateRefund(ctx context.Context, req yookassaapi.CreateRefundRequestObject) (yookassaapi.CreateRefundResponseObject, error) {
	b := req.Body
	amount, err := yookassa.ParseAmount("amount", b.Amount.Value, b.Amount.Currency)
	if err != nil {
		return nil, err
	}
	in := yookassa.NewRefund{PaymentID: b.PaymentId, Amount: amount, Description: deref(b.Description)}
	status, body, err := h.ops.CreateRefund(ctx, shopOf(ctx), idemKey(ctx, "createRefund", "/yookassa/v3/refunds", req.Params.IdempotenceKey), in, renderRefund)
	if err != nil {
		return nil, err
	}
	return rawJSON{status, body}, nil
}

func (h *yookassaHandlers) GetRefund(ctx context.Context, req yookassaapi.GetRefundRequestObject) (yookassaapi.GetRefundResponseObject, error) {
	r, err := h.ops.Refund(ctx, shopOf(ctx), req.RefundId)
	if err != nil {
		return nil, err
	}
	return yookassaapi.GetRefund200JSONResponse(refundWire(r)), nil
}

// --- wire ↔ domain ---

func newPaymentFromWire(b *yookassaapi.CreatePaymentRequest) (yookassa.NewPayment, error) {
	amount, err := yookassa.ParseAmount("amount", b.Amount.Value, b.Amount.Currency)
	if err != nil {
		return yookassa.NewPayment{}, err
	}
	in := yookassa.NewPayment{Amount: amount, Capture: b.Capture != nil && *b.Capture, Description: deref(b.Description)}
	if b.Metadata != nil {
		in.Metadata = map[string]string(*b.Metadata)
	}
	if c := b.Confirmation; c != nil {
		in.Confirmation = &yookassa.Confirmation{Type: yookassa.ConfirmationType(c.Type), ReturnURL: deref(c.ReturnUrl)}
	}
	return in, nil
}

func amountWire(a yookassa.Amount) yookassaapi.Amount {
	return yookassaapi.Amount{Value: yookassa.FormatValue(a.Value), Currency: a.Currency}
}

// wireTime is YooKassa's timestamp: UTC, at most millisecond precision.
func wireTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func wireTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return ptr(wireTime(*t))
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// paymentWire renders a payment as YooKassa does: the confirmation only
// while the payer has to act (pending), refunded_amount once something was
// refunded, metadata always (empty when none was sent), test always true.
func paymentWire(p *yookassa.Payment) yookassaapi.Payment {
	out := yookassaapi.Payment{
		Id:          p.ID,
		Status:      yookassaapi.PaymentStatus(p.Status),
		Paid:        p.Paid,
		Amount:      amountWire(p.Amount),
		Description: optString(p.Description),
		Recipient:   yookassaapi.Recipient{AccountId: p.ShopID, GatewayId: p.ShopID},
		CreatedAt:   wireTime(p.CreatedAt),
		CapturedAt:  wireTimePtr(p.CapturedAt),
		ExpiresAt:   wireTimePtr(p.ExpiresAt),
		Test:        true,
		Refundable:  p.Refundable(),
	}
	if p.IncomeAmount != nil {
		out.IncomeAmount = ptr(amountWire(*p.IncomeAmount))
	}
	if p.RefundedAmount.IsPositive() {
		out.RefundedAmount = ptr(amountWire(yookassa.Amount{Value: p.RefundedAmount, Currency: p.Amount.Currency}))
	}
	meta := yookassaapi.Metadata{}
	for k, v := range p.Metadata {
		meta[k] = v
	}
	out.Metadata = &meta
	if c := p.Confirmation; c != nil && p.Status == yookassa.StatusPending {
		out.Confirmation = &yookassaapi.Confirmation{
			Type:              yookassaapi.ConfirmationType(c.Type),
			ConfirmationToken: optString(c.ConfirmationToken),
			ConfirmationUrl:   optString(c.ConfirmationURL),
			ReturnUrl:         optString(c.ReturnURL),
		}
	}
	if d := p.CancellationDetails; d != nil {
		out.CancellationDetails = &yookassaapi.CancellationDetails{Party: yookassaapi.CancellationDetailsParty(d.Party), Reason: d.Reason}
	}
	return out
}

func refundWire(r *yookassa.Refund) yookassaapi.Refund {
	return yookassaapi.Refund{
		Id:          r.ID,
		PaymentId:   r.PaymentID,
		Status:      yookassaapi.RefundStatus(r.Status),
		Amount:      amountWire(r.Amount),
		CreatedAt:   wireTime(r.CreatedAt),
		Description: optString(r.Description),
	}
}

// --- errors ---

var yookassaKindCode = map[problemKind]yookassa.ErrorCode{
	kindValidation:       yookassa.EInvalidRequest,
	kindInvalidState:     yookassa.EInvalidRequest,
	kindUnauthorized:     yookassa.EInvalidCredentials,
	kindForbidden:        yookassa.EForbidden,
	kindNotFound:         yookassa.ENotFound,
	kindMethodNotAllowed: yookassa.EInvalidRequest,
	kindConflict:         yookassa.EInvalidRequest,
	kindTooLarge:         yookassa.EInvalidRequest,
	kindBusiness:         yookassa.EInvalidRequest,
	kindTooManyRequests:  yookassa.ETooManyRequests,
	kindFault:            yookassa.EInternal,
	kindInternal:         yookassa.EInternal,
}

// renderYooKassa writes YooKassa's error object {type, id, code,
// description, parameter}; the id is the request's, also in its log line.
// An armed fault is always YooKassa's 500 internal_server_error.
func renderYooKassa(w http.ResponseWriter, r *http.Request, p problem) {
	code, ok := yookassaKindCode[p.kind]
	if !ok {
		code = yookassa.EInternal
	}
	status := p.status
	if p.kind == kindFault || p.kind == kindInternal {
		status = http.StatusInternalServerError
	}
	msg := p.message
	if code == yookassa.EInternal {
		msg = "Internal server error"
	}
	out := yookassaapi.Error{Type: "error", Id: infoOf(r).id, Code: yookassaapi.ErrorCode(code), Description: msg}
	if p.parameter != "" {
		out.Parameter = ptr(p.parameter)
	}
	writeJSON(w, status, out)
}

// yookassaInvalid renders a request that broke the spec as YooKassa's
// 400 invalid_request, naming the parameter at fault.
func yookassaInvalid(a *api) func(w http.ResponseWriter, r *http.Request, body []byte, err error) {
	return func(w http.ResponseWriter, r *http.Request, _ []byte, err error) {
		param, msg := describeYooKassaValidation(r, err)
		a.render(w, r, problem{status: http.StatusBadRequest, kind: kindValidation, message: msg, parameter: param, detail: describeValidation(err)})
	}
}

// describeYooKassaValidation picks the first finding of kin-openapi (in a
// stable order) and words it as YooKassa does, with the parameter's name.
func describeYooKassaValidation(r *http.Request, err error) (parameter, description string) {
	findings := flattenValidation(err)
	if len(findings) == 0 {
		return "", "The request is invalid"
	}
	f := findings[0]
	switch {
	case f.param == "Idempotence-Key":
		if e := yookassa.ValidateIdempotenceKey(r.Header.Get("Idempotence-Key")); e != nil {
			return "Idempotence-Key", yookassa.DescriptionOf(e)
		}
		return "Idempotence-Key", "Invalid Idempotence-Key"
	case f.param != "":
		return f.param, "Invalid value of " + f.param + ": " + f.reason
	case f.parse && f.reason != "is malformed": // json_body.go's findings
		return "", "The request body " + f.reason
	case f.parse:
		return "", "The request body is not valid JSON"
	case f.field == "" && f.missing:
		return "", "The request body is required"
	case f.field == "":
		return "", "The request body is invalid: " + f.reason
	case f.missing:
		return f.field, "Missing required parameter " + f.field
	default:
		return f.field, "Invalid value of " + f.field + ": " + f.reason
	}
}
