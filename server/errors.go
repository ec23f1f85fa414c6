package server

import (
	"errors"
	"net/http"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/yookassa"
)

// problemOf maps any domain error to a problem; each API's renderer then
// words it. Errors that are no domain error are 500s whose text stays in
// the log.
func problemOf(err error) problem {
	var (
		me *medusa.Error
		ce *cryptomus.Error
		ye *yookassa.Error
	)
	switch {
	case errors.As(err, &me):
		return medusaProblem(err)
	case errors.As(err, &ce):
		return cryptomusProblem(ce)
	case errors.As(err, &ye):
		return yookassaProblem(ye)
	}
	return problem{status: http.StatusInternalServerError, kind: kindInternal, message: "Internal server error", detail: err.Error()}
}

var cryptomusKinds = map[cryptomus.ErrorCode]struct {
	status int
	kind   problemKind
}{
	cryptomus.EUnauthorized: {http.StatusUnauthorized, kindUnauthorized},
	cryptomus.EFieldErrors:  {http.StatusUnprocessableEntity, kindValidation},
	cryptomus.EBusiness:     {http.StatusUnprocessableEntity, kindBusiness},
	cryptomus.EValidation:   {http.StatusBadRequest, kindValidation},
	cryptomus.ENotFound:     {http.StatusNotFound, kindNotFound},
	cryptomus.EConflict:     {http.StatusConflict, kindConflict},
	cryptomus.EInvalidState: {http.StatusConflict, kindInvalidState},
}

func cryptomusProblem(e *cryptomus.Error) problem {
	k, ok := cryptomusKinds[e.Code]
	if !ok {
		return problem{status: http.StatusInternalServerError, kind: kindInternal, message: cryptomus.MsgServerError, detail: e.Error()}
	}
	return problem{status: k.status, kind: k.kind, message: e.Message, fields: e.Fields}
}

var yookassaKinds = map[yookassa.ErrorCode]problemKind{
	yookassa.EInvalidRequest:     kindValidation,
	yookassa.EInvalidCredentials: kindUnauthorized,
	yookassa.EForbidden:          kindForbidden,
	yookassa.ENotFound:           kindNotFound,
	yookassa.ETooManyRequests:    kindTooManyRequests,
	yookassa.EInvalidState:       kindInvalidState,
	yookassa.EConflict:           kindConflict,
}

func yookassaProblem(e *yookassa.Error) problem {
	k, ok := yookassaKinds[e.Code]
	if !ok {
		return problem{status: http.StatusInternalServerError, kind: kindInternal, message: "Internal server error", detail: e.Error()}
	}
	return problem{status: e.Code.HTTPStatus(), kind: k, message: e.Description, parameter: e.Parameter}
}
