package medusa

import (
	"errors"
	"fmt"
)

// ErrorCode is Tochka's low-level `errorCode`; each maps to one HTTP status in
// the server's error table, so rules never think about HTTP.
type ErrorCode string

const (
	EValidation   ErrorCode = "ValidationError"       // 400: the body breaks a rule
	EInvalidState ErrorCode = "InvalidStateError"     // 400: the step is not allowed in the current state
	EUnauthorized ErrorCode = "UnauthorizedError"     // 401: missing or unknown token
	EForbidden    ErrorCode = "ConsentForbiddenError" // 403: token without the medusa permission
	ENotFound     ErrorCode = "NotFoundError"         // 404: unknown or another platform's id
	EConflict     ErrorCode = "ConflictError"         // 409: duplicate extId or stale version
	EInternal     ErrorCode = "HTTPInternalError"     // 500: a real fault
)

// Error is the one error type of the Medusa rules.
type Error struct {
	Code    ErrorCode
	Message string
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err, or EInternal for anything that is not an *Error.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// MessageOf returns the client-safe message of err; non-domain errors never
// leak their text.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal server error"
}
