package server

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/gen/cryptomusapi"
)

// The Cryptomus API (design §4): signed requests under /v1/, Laravel-style
// field errors, Cryptomus's business messages, all in {"state":1,…}.
//
// Validation: kin-openapi checks every request against the spec, but the
// domain's Laravel rules (cryptomus.Parse*) decide. A request kin-openapi
// accepts is still parsed by the rules in the handler; a request it refuses
// is parsed by the rules at once: when they find field errors those are the
// answer, and when they accept it (Laravel's input normalisation goes
// beyond a schema: strings are trimmed, blank ones are absent, numbers may
// come as strings) the request is served as a valid one, faults included.

// newCryptomusAPI loads the Cryptomus spec with its auth, faults and
// renderer; registerCryptomus mounts its routes.
func newCryptomusAPI(ops *cryptomus.Operations, flt *faults) (*api, error) {
	a, err := loadAPI("cryptomus", renderCryptomus)
	if err != nil {
		return nil, err
	}
	a.auth = cryptomusAuth(a, ops)
	a.faults = flt
	return a, nil
}

// registerCryptomus mounts the Cryptomus routes on r behind the API's guard.
func registerCryptomus(r *mux.Router, a *api, ops *cryptomus.Operations) {
	h := &cryptomusHandlers{ops: ops}
	a.invalid = func(w http.ResponseWriter, r *http.Request, body []byte, _ error) {
		op := cryptomusOperation(a, r)
		if err := cryptomusParse(op, body); err != nil {
			a.render(w, r, problemOf(err))
			return
		}
		if a.fireFault(w, r, op) {
			return
		}
		h.serve(w, r, a, op)
	}
	sub := a.subrouter(r)
	sub.Use(a.guard)
	strict := cryptomusapi.NewStrictHandlerWithOptions(h, nil, cryptomusapi.StrictHTTPServerOptions{
		// Should the generated body types refuse what kin-openapi
		// accepted, the rules decide, on the raw body.
		RequestErrorHandlerFunc:  func(w http.ResponseWriter, r *http.Request, _ error) { h.serve(w, r, a, cryptomusOperation(a, r)) },
		ResponseErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.render(w, r, problemOf(err)) },
	})
	cryptomusapi.HandlerWithOptions(strict, cryptomusapi.GorillaServerOptions{
		BaseRouter:       sub,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) { a.renderDecodeError(w, r, err) },
	})
}

// cryptomusOperation is the documented operation of a request ("" when none).
func cryptomusOperation(a *api, r *http.Request) string {
	route, _, err := a.router.FindRoute(r)
	if err != nil {
		return ""
	}
	return route.Operation.OperationID
}

// cryptomusParse runs the rules of an operation on a raw body; nil when
// they accept it.
func cryptomusParse(op string, body []byte) error {
	var err error
	switch op {
	case "createInvoice":
		_, err = cryptomus.ParseInvoiceRequest(body)
	case "paymentInfo":
		_, err = cryptomus.ParseInfoRequest(body)
	case "refund":
		_, err = cryptomus.ParseRefund(body)
	default:
		err = fmt.Errorf("cryptomus: no rules for operation %q", op)
	}
	return err
}

// cryptomusAuth checks the `merchant` and `sign` headers against the raw
// body (refunds also take the payout key) and keeps the merchant and the
// raw body for the handlers.
func cryptomusAuth(a *api, ops *cryptomus.Operations) authenticator {
	return func(r *http.Request, body []byte) *problem {
		ri := infoOf(r)
		ri.rawBody = body
		m, err := ops.Authenticate(r.Context(), r.Header.Get("merchant"), r.Header.Get("sign"), body, cryptomusOperation(a, r) == "refund")
		if err != nil {
			p := problemOf(err)
			return &p
		}
		ri.merchant = m
		return nil
	}
}

// cryptomusCaller returns the authenticated merchant and the raw body of the request.
func cryptomusCaller(ctx context.Context) (*cryptomus.Merchant, []byte, error) {
	ri := info(ctx)
	m, ok := ri.merchant.(*cryptomus.Merchant)
	if !ok || m == nil {
		return nil, nil, &cryptomus.Error{Code: cryptomus.EUnauthorized, Message: cryptomus.MsgInvalidSign}
	}
	return m, ri.rawBody, nil
}

// renderCryptomus writes a problem as Cryptomus does: {"state":1,"message":…}
// or, for field errors, {"state":1,"errors":{field:[rule keys]}}. Armed
// faults are Cryptomus's own 422 "Server error" whatever status was armed;
// a real fault is a 500 with the same message.
func renderCryptomus(w http.ResponseWriter, r *http.Request, p problem) {
	status, msg := p.status, p.message
	switch p.kind {
	case kindUnauthorized:
		status, msg = http.StatusUnauthorized, cryptomus.MsgInvalidSign
	case kindFault:
		status, msg = http.StatusUnprocessableEntity, cryptomus.MsgServerError
	case kindInternal:
		status, msg = http.StatusInternalServerError, cryptomus.MsgServerError
	}
	ri := infoOf(r)
	ri.errCode = fmt.Sprintf("cryptomus:%d", status)
	if len(p.fields) > 0 { // the log line names the failing rules
		ri.errDetail = (&cryptomus.Error{Code: cryptomus.EFieldErrors, Fields: p.fields}).Error()
	}
	message := cryptomusapi.MessageError{State: cryptomusapi.MessageErrorStateN1, Message: msg}
	var body any = message
	if status == http.StatusUnprocessableEntity {
		var e cryptomusapi.Error422
		err := e.FromMessageError(message)
		if len(p.fields) > 0 {
			err = e.FromValidationError(cryptomusapi.ValidationError{State: cryptomusapi.ValidationErrorStateN1, Errors: p.fields})
		}
		if err == nil { // both are plain JSON values: it never fails
			body = e
		}
	}
	_ = writeCryptomus(w, status, body, cryptomusFieldOrder[r.URL.Path])
}
