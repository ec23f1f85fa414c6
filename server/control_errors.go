package server

import (
	"net/http"
	"strings"

	"github.com/paysandbox/paysandbox/gen/sandboxapi"
)

var controlKindCode = map[problemKind]string{
	kindValidation:       "invalid_request",
	kindInvalidState:     "invalid_state",
	kindUnauthorized:     "unauthorized",
	kindForbidden:        "forbidden",
	kindNotFound:         "not_found",
	kindMethodNotAllowed: "method_not_allowed",
	kindConflict:         "conflict",
	kindTooLarge:         "payload_too_large",
	kindBusiness:         "invalid_request",
	kindTooManyRequests:  "too_many_requests",
	kindFault:            "internal_error",
	kindInternal:         "internal_error",
}

// medusaLedgerPrefix is the control path that takes a Medusa token and so
// answers in the Medusa envelope, as its spec documents.
const medusaLedgerPrefix = "/sandbox/v1/medusa/orders/"

// renderControl writes the control API's own error shape.
func renderControl(w http.ResponseWriter, r *http.Request, p problem) {
	if strings.HasPrefix(r.URL.Path, medusaLedgerPrefix) {
		renderMedusa(w, r, p)
		return
	}
	writeJSON(w, p.status, sandboxapi.ControlError{Error: sandboxapi.ControlErrorBody{Code: controlKindCode[p.kind], Message: p.message}})
}
