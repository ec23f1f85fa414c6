package conformance

import "fmt"

// apiProfile is what the suite knows about one API beyond its spec: how it
// answers a request that breaks the schema, how a generated request gets
// valid credentials, and invariants of every answer. Each API's scenario
// file registers its profile; negative checks are generated for the APIs
// that have one.
type apiProfile struct {
	// validationStatus is the status of the answer to a request that breaks
	// the request schema (Medusa 400, Cryptomus 422, …).
	validationStatus int
	// validationError checks that answer's decoded body.
	validationError func(body any) error
	// credentials makes a generated request of op authentic.
	credentials func(c *Ctx, op *operation, r *Request)
	// invariants lists what is wrong with any answer of this API.
	invariants func(req *Request, resp *Response) []string
}

var profiles = map[string]*apiProfile{}

func registerProfile(api string, p *apiProfile) {
	if _, dup := profiles[api]; dup {
		panic(fmt.Sprintf("conformance: profile of %s registered twice", api))
	}
	profiles[api] = p
}

// requiresBearer reports whether an operation demands the bearer scheme
// (its own security, or the document's).
func requiresBearer(sp *apiSpec, op *operation) bool {
	reqs := sp.doc.Security
	if op.op.Security != nil {
		reqs = *op.op.Security
	}
	for _, r := range reqs {
		if _, ok := r["bearerAuth"]; ok {
			return true
		}
	}
	return false
}
