package cryptomus

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrorCode classifies an *Error; each maps to one HTTP status and one body
// shape in the server's error table, so the rules never think about HTTP.
type ErrorCode string

const (
	// EUnauthorized: missing or unknown merchant, or a wrong sign.
	// 401 {"state":1,"message":"Invalid Sign."}.
	EUnauthorized ErrorCode = "unauthorized"
	// EFieldErrors: the body breaks validation rules.
	// 422 {"state":1,"errors":{field:["validation.<rule>", …]}} from Error.Fields.
	EFieldErrors ErrorCode = "field_errors"
	// EBusiness: a Cryptomus business refusal with one of the Msg* messages.
	// 422 {"state":1,"message":Message}.
	EBusiness ErrorCode = "business"

	// The next four are used by the sandbox control API only.

	EValidation   ErrorCode = "validation"    // 400: a control request breaks a rule
	ENotFound     ErrorCode = "not_found"     // 404: unknown merchant or invoice
	EConflict     ErrorCode = "conflict"      // 409: duplicate merchant uuid or order_id
	EInvalidState ErrorCode = "invalid_state" // 409: the status change is not allowed now

	// EInternal is a real fault. Cryptomus API: 500 {"state":1,"message":"Server error"}.
	EInternal ErrorCode = "internal"
)

// The messages that Cryptomus clients see, exactly as Cryptomus sends them.
const (
	MsgInvalidSign        = "Invalid Sign."
	MsgPaymentNotFound    = "Payment was not found"
	MsgForbidden          = "You are forbidden"
	MsgUndefinedWallet    = "Undefined merchant wallet"
	MsgRefundNotCompleted = "Refunds are made only for completed payments"
	MsgRefundMoreThanPaid = "The refund amount should not be more than the amount paid"
	MsgServerError        = "Server error"
)

// Error is the one error type of the Cryptomus rules.
type Error struct {
	Code    ErrorCode
	Message string
	// Fields holds, for EFieldErrors, every failing field with its Laravel
	// rule keys in rule order ("validation.required", …).
	Fields map[string][]string
}

func (e *Error) Error() string {
	if e.Code == EFieldErrors && len(e.Fields) > 0 {
		parts := make([]string, 0, len(e.Fields))
		for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
			parts = append(parts, f+": "+strings.Join(e.Fields[f], ", "))
		}
		return string(e.Code) + ": " + strings.Join(parts, "; ")
	}
	return string(e.Code) + ": " + e.Message
}

// Errorf builds an *Error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// business is an EBusiness error with one of the Msg* messages.
func business(msg string) *Error { return &Error{Code: EBusiness, Message: msg} }

// CodeOf returns the code of err, or EInternal for anything that is not an *Error.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// MessageOf returns the client-safe message of err: the *Error's message, or
// MsgServerError for anything else, whose text never leaks.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EInternal {
		return e.Message
	}
	return MsgServerError
}

// FieldsOf returns the field errors of an EFieldErrors error, or nil.
func FieldsOf(err error) map[string][]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
