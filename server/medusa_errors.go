package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/paysandbox/paysandbox/gen/medusaapi"
	"github.com/paysandbox/paysandbox/medusa"
)

// medusaStatus is the one table from Medusa's errorCodes to HTTP statuses.
var medusaStatus = map[medusa.ErrorCode]int{
	medusa.EValidation:   http.StatusBadRequest,
	medusa.EInvalidState: http.StatusBadRequest,
	medusa.EUnauthorized: http.StatusUnauthorized,
	medusa.EForbidden:    http.StatusForbidden,
	medusa.ENotFound:     http.StatusNotFound,
	medusa.EConflict:     http.StatusConflict,
	medusa.EInternal:     http.StatusInternalServerError,
}

// medusaKindCode names the cross-cutting problems in Medusa's vocabulary.
var medusaKindCode = map[problemKind]string{
	kindValidation:       string(medusa.EValidation),
	kindInvalidState:     string(medusa.EInvalidState),
	kindUnauthorized:     string(medusa.EUnauthorized),
	kindForbidden:        string(medusa.EForbidden),
	kindNotFound:         string(medusa.ENotFound),
	kindMethodNotAllowed: "MethodNotAllowedError",
	kindConflict:         string(medusa.EConflict),
	kindTooLarge:         "PayloadTooLargeError",
	kindBusiness:         string(medusa.EValidation),
	kindTooManyRequests:  "TooManyRequestsError",
	kindFault:            string(medusa.EInternal),
	kindInternal:         string(medusa.EInternal),
}

var medusaCodeKind = map[medusa.ErrorCode]problemKind{
	medusa.EValidation:   kindValidation,
	medusa.EInvalidState: kindInvalidState,
	medusa.EUnauthorized: kindUnauthorized,
	medusa.EForbidden:    kindForbidden,
	medusa.ENotFound:     kindNotFound,
	medusa.EConflict:     kindConflict,
	medusa.EInternal:     kindInternal,
}

// medusaProblem maps a domain error to a problem; anything that is not a
// *medusa.Error is a 500 whose text stays in the log.
func medusaProblem(err error) problem {
	code := medusa.CodeOf(err)
	p := problem{status: medusaStatus[code], kind: medusaCodeKind[code], message: medusa.MessageOf(err)}
	if code == medusa.EInternal {
		p.detail = err.Error()
	}
	return p
}

const tochkaHelpURL = "https://developers.tochka.com/"

// medusaTitle is the envelope's short top-level message per errorCode; the
// detail goes in Errors[].message, as Tochka's API does.
var medusaTitle = map[string]string{
	string(medusa.EValidation):      "Validation error",
	string(medusa.EInvalidState):    "Invalid state",
	string(medusa.EUnauthorized):    "Unauthorized",
	string(medusa.EForbidden):       "Forbidden",
	string(medusa.ENotFound):        "Not found",
	string(medusa.EConflict):        "Conflict",
	string(medusa.EInternal):        "Server error",
	"MethodNotAllowedError":         "Method not allowed",
	"PayloadTooLargeError":          "Payload too large",
	"TooManyRequestsError":          "Too many requests",
	"FailedDependencyError":         "Dependent service fail",
	"FailedDependencyCriticalError": "Dependent service fail",
}

func renderMedusa(w http.ResponseWriter, r *http.Request, p problem) {
	code := medusaKindCode[p.kind]
	switch p.status {
	case http.StatusFailedDependency:
		code = "FailedDependencyError"
	case http.StatusBadGateway:
		code = "FailedDependencyCriticalError"
	}
	writeJSON(w, p.status, medusaapi.Error{
		Code:    strconv.Itoa(p.status),
		Id:      infoOf(r).id,
		Message: medusaTitle[code],
		Errors:  []medusaapi.ErrorDetail{{ErrorCode: code, Message: truncate(p.message, 603), Url: tochkaHelpURL}},
	})
}

// truncate cuts s to at most n bytes, dropping a rune cut in half, as the
// portal's maxLength limits require.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// medusaAuth checks `Authorization: Bearer <token>` and remembers the
// caller's platform for the handlers.
func medusaAuth(ops *medusa.Operations) authenticator {
	return func(r *http.Request, _ []byte) *problem {
		token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		t, err := ops.Authenticate(r.Context(), strings.TrimSpace(token))
		if err != nil {
			p := medusaProblem(err)
			return &p
		}
		infoOf(r).platformID = t.PlatformID
		return nil
	}
}
