package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/paysandbox/paysandbox/medusa"
)

// ControlTokenHeader is the header that carries the control token
// (Config.ControlToken, `--control-token`).
const ControlTokenHeader = "X-Sandbox-Control-Token"

// msgControlUnauthorized is the 401 of a protected control API; it never
// says which part of the token was wrong, nor echoes what was sent.
const msgControlUnauthorized = "the X-Sandbox-Control-Token header is missing or wrong"

// controlAuth authenticates the control API by each operation's security
// in openapi/sandbox.yaml: the Medusa ledger (bearerAuth) takes a Medusa
// bearer token and ignores the control token; every other operation
// (controlToken) needs the control token when the server has one. The two
// never mix: a control token does not open the ledger, and a Medusa token
// opens nothing else.
func controlAuth(a *api, ops *medusa.Operations, token string) authenticator {
	bearer := medusaAuth(ops)
	// Both sides are hashed first, so the comparison takes the same time
	// whatever the lengths and wherever the first difference is.
	want := sha256.Sum256([]byte(token))
	return func(r *http.Request, body []byte) *problem {
		route, _, err := a.router.FindRoute(r)
		if err != nil {
			return nil // the guard has already answered 404
		}
		if hasScheme(a.doc, route.Operation, "bearerAuth") {
			return bearer(r, body)
		}
		if token == "" {
			return nil
		}
		got := sha256.Sum256([]byte(r.Header.Get(ControlTokenHeader)))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			return &problem{status: http.StatusUnauthorized, kind: kindUnauthorized, message: msgControlUnauthorized}
		}
		return nil
	}
}

// hasScheme reports whether any security requirement of op (its own, or
// the document's) names the scheme.
func hasScheme(doc *openapi3.T, op *openapi3.Operation, scheme string) bool {
	reqs := doc.Security
	if op.Security != nil {
		reqs = *op.Security
	}
	for _, req := range reqs {
		if _, ok := req[scheme]; ok {
			return true
		}
	}
	return false
}
