package conformance

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// TestCoverageGate: every documented response example of openapi/ has a
// scenario (or, for the APIs in pendingAPIs, is listed as pending), and
// every scenario and spec_issues.go entry names an example that still
// exists.
func TestCoverageGate(t *testing.T) {
	cov, err := ComputeCoverage()
	if err != nil {
		t.Fatal(err)
	}
	t.Log(cov.Line())
	for _, a := range cov.PerAPI {
		t.Logf("  %s: %d documented, %d replayed, %d not replayable as written", a.API, a.Documented, a.Replayed, a.Unreplayable)
	}
	if len(cov.Pending) > 0 {
		byArea := map[string]int{}
		specs, _ := loadSpecs()
		for _, k := range cov.Pending {
			byArea[specs.area(k.API, k.OperationID)]++
		}
		t.Logf("pending (pendingAPIs %v): %d examples without a scenario: %v", sortedNames(pendingAPIs), len(cov.Pending), byArea)
	}
	for _, k := range cov.Missing {
		t.Errorf("documented example without a scenario: %s", k)
	}
	for _, k := range cov.Stale {
		t.Errorf("scenario or spec_issues.go entry for an example that is not documented: %s", k)
	}
}

// TestMedusaAndSandboxReplayEveryExample: for each Medusa and control-API
// operation (the parts whose scenarios exist), every documented example is
// replayed, except those spec_issues.go lists as not replayable as written
// — each logged here with its reason, so the count is never silent.
func TestMedusaAndSandboxReplayEveryExample(t *testing.T) {
	specs, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	examples, err := specs.examples()
	if err != nil {
		t.Fatal(err)
	}
	type count struct{ documented, replayed, unreplayable int }
	perOp := map[string]*count{}
	total := count{}
	for _, ex := range examples {
		if area := specs.area(ex.API, ex.OperationID); area != "medusa" && area != "sandbox" {
			continue
		}
		op := ex.API + "/" + ex.OperationID
		if perOp[op] == nil {
			perOp[op] = &count{}
		}
		c := perOp[op]
		c.documented++
		total.documented++
		switch {
		case hasScenario(ex.Key):
			c.replayed++
			total.replayed++
		case isUnreplayable(ex.Key):
			c.unreplayable++
			total.unreplayable++
			t.Logf("not replayable as written: %s — %s", ex.Key, unreplayable[ex.Key])
		default:
			t.Errorf("%s: no scenario replays %s", op, ex.Key)
		}
	}
	ops := make([]string, 0, len(perOp))
	for op := range perOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		c := perOp[op]
		t.Logf("%-55s %2d documented, %2d replayed, %d not replayable", op, c.documented, c.replayed, c.unreplayable)
	}
	t.Logf("medusa+sandbox examples: %d documented, %d replayed, %d not replayable as written (spec_issues.go)",
		total.documented, total.replayed, total.unreplayable)
	if total.documented != total.replayed+total.unreplayable {
		t.Errorf("%d documented ≠ %d replayed + %d not replayable", total.documented, total.replayed, total.unreplayable)
	}
}

// TestNegativeChecksCoverEveryRequestSchema: every Medusa and control API
// operation with a JSON body gets negative checks, one "missing" per
// required property of its example (generated, so new fields are covered).
func TestNegativeChecksCoverEveryRequestSchema(t *testing.T) {
	specs, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	checks := negativeChecks(specs)
	byOp := map[string]int{}
	for _, ch := range checks {
		parts := strings.Split(ch.Name, "/")
		byOp[parts[1]+"/"+parts[2]]++
	}
	for _, sp := range specs.list {
		if profiles[sp.name] == nil {
			continue
		}
		for _, op := range specs.sortedOps(sp.name) {
			if specs.pending(sp.name, op.op.OperationID) {
				continue
			}
			hasBody := op.op.RequestBody != nil && op.op.RequestBody.Value.Content.Get("application/json") != nil
			hasQuery := len(parametersOf(sp, op, "query")) > 0
			if (hasBody || hasQuery) && byOp[sp.name+"/"+op.op.OperationID] == 0 {
				t.Errorf("%s %s takes input but has no negative checks", sp.name, op.op.OperationID)
			}
		}
	}
	t.Logf("%d negative checks over %d operations", len(checks), len(byOp))
}

// TestXMLExamplesDecode: every XML response example of every spec decodes
// along its schema and validates against it — the decoder Send uses for
// XML answers, tried on the documented ones. Pending APIs only log.
func TestXMLExamplesDecode(t *testing.T) {
	specs, err := loadSpecs()
	if err != nil {
		t.Fatal(err)
	}
	examples, _ := specs.examples()
	n, decoded := 0, 0
	for _, ex := range examples {
		if !isXML(ex.MediaType) {
			continue
		}
		n++
		report := t.Errorf
		if specs.pending(ex.API, ex.OperationID) {
			report = t.Logf
		}
		s, ok := ex.Value.(string)
		if !ok {
			continue // documented as data: answers are decoded and compared with it as is
		}
		decoded++
		op, _ := specs.operation(ex.API, ex.OperationID)
		schema := (&env{}).responseSchema(op, ex.Status, ex.MediaType)
		if schema == nil {
			report("%s: no schema", ex.Key)
			continue
		}
		v, err := decodeXML([]byte(s), schema)
		if err != nil {
			report("%s: %v", ex.Key, err)
			continue
		}
		opts := append([]openapi3.SchemaValidationOption{openapi3.VisitAsResponse(), openapi3.MultiErrors()}, formatOptions()...)
		if err := schema.Value.VisitJSON(v, opts...); err != nil {
			report("%s: the example does not match its schema: %s", ex.Key, oneLine(err))
		}
	}
	t.Logf("%d XML examples, %d written as XML text and decoded", n, decoded)
}

func sortedNames(m map[string]bool) string {
	var out []string
	for k, v := range m {
		if v {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return fmt.Sprint(out)
}
