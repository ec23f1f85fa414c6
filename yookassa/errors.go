package yookassa

import (
	"errors"
	"fmt"
)

// ErrorCode is the `code` of YooKassa's error object. Each code has one HTTP
// status (HTTPStatus), so the rules never think about HTTP.
type ErrorCode string

// The codes of the YooKassa API v3 and, last, the control API's own.
const (
	EInvalidRequest     ErrorCode = "invalid_request"       // 400: the request breaks the API's syntax or logic
	EInvalidCredentials ErrorCode = "invalid_credentials"   // 401: wrong shopId or secret key
	EForbidden          ErrorCode = "forbidden"             // 403: not enough rights for the operation
	ENotFound           ErrorCode = "not_found"             // 404: unknown id, or another shop's
	ETooManyRequests    ErrorCode = "too_many_requests"     // 429: rate limit (only through an armed fault)
	EInternal           ErrorCode = "internal_server_error" // 500: a real fault; the result is unknown

	// Control API (/sandbox/v1/yookassa/…) only; never sent by the emulated
	// YooKassa API itself.
	EInvalidState ErrorCode = "invalid_state" // 409: the payer's step is not allowed in the payment's status
	EConflict     ErrorCode = "conflict"      // 409: the shop already exists
)

// HTTPStatus is the HTTP status YooKassa answers with the code; unknown
// codes are 500.
func (c ErrorCode) HTTPStatus() int {
	switch c {
	case EInvalidRequest:
		return 400
	case EInvalidCredentials:
		return 401
	case EForbidden:
		return 403
	case ENotFound:
		return 404
	case EInvalidState, EConflict:
		return 409
	case ETooManyRequests:
		return 429
	default:
		return 500
	}
}

// Error is the one error type of the YooKassa rules: the fields of
// YooKassa's error object {type:"error", id, code, description, parameter}
// that the rules decide (the HTTP layer adds type and id).
type Error struct {
	Code        ErrorCode
	Description string
	// Parameter names the offending request parameter ("amount.value",
	// "Idempotence-Key", …), or is empty.
	Parameter string
}

func (e *Error) Error() string {
	if e.Parameter != "" {
		return string(e.Code) + ": " + e.Description + " (parameter " + e.Parameter + ")"
	}
	return string(e.Code) + ": " + e.Description
}

// Errorf builds an *Error without a parameter.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// ParamErrorf builds an *Error that names the offending parameter.
func ParamErrorf(code ErrorCode, parameter, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...), Parameter: parameter}
}

// CodeOf returns the code of err, or EInternal for anything that is not an *Error.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// StatusOf is the HTTP status of err (500 for non-domain errors).
func StatusOf(err error) int { return CodeOf(err).HTTPStatus() }

// DescriptionOf returns the client-safe description of err; non-domain
// errors never leak their text.
func DescriptionOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Description
	}
	return "Internal server error. The result of the operation is unknown: repeat the request with the same Idempotence-Key"
}

// ParameterOf returns the parameter named by err, or "".
func ParameterOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Parameter
	}
	return ""
}

// IsNotFound reports whether err is an ENotFound.
func IsNotFound(err error) bool { return CodeOf(err) == ENotFound }

// PaymentNotFound is the error for a payment id the shop does not have
// (YooKassa's text does not echo the id).
func PaymentNotFound() *Error {
	return ParamErrorf(ENotFound, "payment_id", "Incorrect payment_id. Payment doesn't exist or access denied")
}

// RefundNotFound is the error for a refund id the shop does not have.
func RefundNotFound() *Error {
	return ParamErrorf(ENotFound, "refund_id", "Incorrect refund_id. Refund doesn't exist or access denied")
}
