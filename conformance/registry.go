package conformance

import (
	"fmt"
	"sort"
	"strings"
)

// Key names one documented response example.
type Key struct {
	// API is the spec's name: the file openapi/<API>.yaml (medusa, sandbox,
	// cryptomus, lcmanager, yookassa).
	API         string
	OperationID string
	Status      int
	// Example is the example's name under `examples`; "" for a media type's
	// single `example`, and for a response without a body.
	Example string
	// MediaType is the response's media type ("application/json",
	// "application/xml", …), so that the JSON and XML variants of an example
	// are separate keys; "" for a response without a body.
	MediaType string
}

// String names the key for humans and for check names, e.g.
// "medusa/getOrderV3/404/notFound"; a media type other than JSON is
// appended ("…/ok@text_xml").
func (k Key) String() string {
	name := k.Example
	switch {
	case k.MediaType == "":
		name = "(no body)"
	case name == "":
		name = "(example)"
	}
	s := fmt.Sprintf("%s/%s/%d/%s", k.API, k.OperationID, k.Status, name)
	if k.MediaType != "" && k.MediaType != "application/json" {
		s += "@" + strings.ReplaceAll(k.MediaType, "/", "_")
	}
	return s
}

func (k Key) less(o Key) bool {
	if k.API != o.API {
		return k.API < o.API
	}
	if k.OperationID != o.OperationID {
		return k.OperationID < o.OperationID
	}
	if k.Status != o.Status {
		return k.Status < o.Status
	}
	if k.MediaType != o.MediaType {
		return k.MediaType < o.MediaType
	}
	return k.Example < o.Example
}

// Scenario replays one documented response example: Run sets up the state
// the example needs through the public and control APIs and calls c.Send
// with the request that must produce it. Send checks the status, the
// Content-Type, the body against the response schema and the pointers of
// Equal against the example.
type Scenario struct {
	Key
	// Equal lists JSON pointers (RFC 6901) whose values in the response
	// must equal the example's. A "*" segment matches every item of an
	// array (both arrays must have the same length) or every member of an
	// object.
	Equal []string
	// Exclusive marks a scenario that changes what other callers see (an
	// armed fault, a reset); it runs alone, after the other checks.
	Exclusive bool
	Run       func(c *Ctx) error
}

var registry = map[Key]Scenario{}

// Register adds scenarios to the suite. It panics on a key registered twice
// or a scenario without Run, so mistakes fail at start.
func Register(scenarios ...Scenario) {
	for _, s := range scenarios {
		if s.Run == nil {
			panic(fmt.Sprintf("conformance: scenario %s has no Run", s.Key))
		}
		if _, dup := registry[s.Key]; dup {
			panic(fmt.Sprintf("conformance: scenario %s registered twice", s.Key))
		}
		if _, dup := unreplayable[s.Key]; dup {
			panic(fmt.Sprintf("conformance: %s is both a scenario and marked unreplayable", s.Key))
		}
		registry[s.Key] = s
	}
}

// Scenarios lists the registered scenarios in key order.
func Scenarios() []Scenario {
	out := make([]Scenario, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key.less(out[j].Key) })
	return out
}

// unreplayable lists documented examples that no request can produce from
// a server that behaves as its spec says (see spec_issues.go). They are
// reported as skipped, never passed, and the coverage gate treats a marker
// whose example is gone as stale.
var unreplayable = map[Key]string{}

// disagreements lists, per example, pointers whose documented value
// differs from what the server does and should do (see spec_issues.go).
// Send compares them and reports a difference as a note, not a failure.
var disagreements = map[Key]map[string]string{}

// markUnreplayable records that an example cannot be replayed as written.
func markUnreplayable(reason string, keys ...Key) {
	for _, k := range keys {
		if _, dup := unreplayable[k]; dup {
			panic(fmt.Sprintf("conformance: %s marked unreplayable twice", k))
		}
		unreplayable[k] = reason
	}
}

// markDisagreement records that an example's value at pointer is wrong.
func markDisagreement(k Key, pointer, reason string) {
	if disagreements[k] == nil {
		disagreements[k] = map[string]string{}
	}
	disagreements[k][pointer] = reason
}

// pendingAPIs are the APIs whose scenarios are not written yet. The
// coverage gate lists their examples as pending instead of failing, and no
// negative checks are generated for them; take an API off the list and the
// gate demands a scenario for each of its examples. A control API
// operation belongs to the API its path names (/sandbox/v1/cryptomus/… is
// Cryptomus's).
var pendingAPIs = map[string]bool{}

// area is the API an operation belongs to for coverage: its spec, except
// for control API operations under /sandbox/v1/<api>/.
func (s *specSet) area(api, operationID string) string {
	op := s.ops[api][operationID]
	if op == nil {
		return api
	}
	if rest, ok := strings.CutPrefix(op.path, "/sandbox/v1/"); ok {
		first, _, _ := strings.Cut(rest, "/")
		if _, isAPI := s.byName[first]; isAPI && first != api {
			return first
		}
		if pendingAPIs[first] || first == "medusa" {
			return first
		}
	}
	return api
}

func (s *specSet) pending(api, operationID string) bool {
	return pendingAPIs[s.area(api, operationID)]
}

// APICoverage counts one API's documented examples.
type APICoverage struct {
	API string
	// Documented counts the examples of openapi/<API>.yaml; Replayed those
	// with a scenario; Unreplayable those marked as not replayable as written.
	Documented, Replayed, Unreplayable int
}

// Coverage compares the documented examples with the registry.
type Coverage struct {
	Documented, Replayed, Unreplayable int
	PerAPI                             []APICoverage
	// Missing are documented examples with neither a scenario nor an
	// unreplayable marker; Stale are scenarios and markers whose example is
	// no longer documented; Pending are the examples without a scenario of
	// the APIs in pendingAPIs.
	Missing, Stale, Pending []Key
}

// ComputeCoverage enumerates every documented example of openapi/ and
// matches it with the registry.
func ComputeCoverage() (Coverage, error) {
	specs, err := loadSpecs()
	if err != nil {
		return Coverage{}, err
	}
	examples, err := specs.examples()
	if err != nil {
		return Coverage{}, err
	}
	var cov Coverage
	per := map[string]*APICoverage{}
	for _, sp := range specs.list {
		per[sp.name] = &APICoverage{API: sp.name}
	}
	documented := map[Key]bool{}
	for _, ex := range examples {
		documented[ex.Key] = true
		a := per[ex.API]
		a.Documented++
		cov.Documented++
		switch {
		case hasScenario(ex.Key):
			a.Replayed++
			cov.Replayed++
		case isUnreplayable(ex.Key):
			a.Unreplayable++
			cov.Unreplayable++
		case specs.pending(ex.API, ex.OperationID):
			cov.Pending = append(cov.Pending, ex.Key)
		default:
			cov.Missing = append(cov.Missing, ex.Key)
		}
	}
	for k := range registry {
		if !documented[k] {
			cov.Stale = append(cov.Stale, k)
		}
	}
	for k := range unreplayable {
		if !documented[k] {
			cov.Stale = append(cov.Stale, k)
		}
	}
	for k := range disagreements {
		if !documented[k] {
			cov.Stale = append(cov.Stale, k)
		}
	}
	sort.Slice(cov.Stale, func(i, j int) bool { return cov.Stale[i].less(cov.Stale[j]) })
	for _, sp := range specs.list {
		cov.PerAPI = append(cov.PerAPI, *per[sp.name])
	}
	return cov, nil
}

func hasScenario(k Key) bool    { _, ok := registry[k]; return ok }
func isUnreplayable(k Key) bool { _, ok := unreplayable[k]; return ok }

// Line is the coverage line the gate and the CLI print.
func (c Coverage) Line() string {
	return fmt.Sprintf("examples: %d documented, %d replayed", c.Documented, c.Replayed)
}
