// Package conformance is paysandbox's conformance suite: it proves, over
// HTTP only, that a server keeps every promise the specs of openapi/ make.
//
// It works against any base URL that implements the contracts — our server
// in-process (go test ./conformance/...), our server elsewhere, another
// implementation (paysandbox conformance --base-url URL). Three kinds of
// check:
//
//   - example: one scenario per documented response example, registered by
//     Key{API, OperationID, Status, Example, MediaType} in the per-API files
//     (medusa_scenarios.go, sandbox_scenarios.go, …). A scenario sets up
//     state through the public and control APIs (helpers on Ctx) and calls
//     Ctx.Send, which checks the status, the Content-Type, the body and
//     headers against the response schema (kin-openapi), the scenario's
//     Equal pointers against the example's values, and the API's
//     invariants. A coverage gate (TestCoverageGate) fails on a documented
//     example without a scenario and on a scenario without its example.
//   - lifecycle: created resources are readable in every view, every step
//     is allowed exactly where the spec says and refused (changing nothing)
//     everywhere else, repeated steps are refused, platforms are isolated.
//   - negative: generated from the request schemas — every required field
//     dropped, every typed field given another type, unknown enum values,
//     strings past maxLength, … — each must get the API's validation error,
//     never a 5xx.
//
// The package imports the embedded specs and libraries only: never the
// server, the store or the domain packages.
package conformance
