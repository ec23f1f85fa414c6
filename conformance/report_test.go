package conformance

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestReportFormats(t *testing.T) {
	rep := Report{BaseURL: "http://127.0.0.1:1", Started: time.Unix(0, 0), Duration: time.Second, Results: []Result{
		{Name: "example/medusa/getOrderV3/404/notFound", Kind: "example", Passed: true, Duration: time.Millisecond},
		{Name: "example/medusa/getOrderV3/200/newOrder", Kind: "example", Failure: "status 500 & <broken>\nmore", Duration: time.Millisecond},
		{Name: "example/medusa/getOrder/400/invalidState", Kind: "example", Skipped: true, Failure: "not replayable as written: why"},
		{Name: "negative/medusa/createOrderV3/Data/missing", Kind: "negative", Passed: true},
	}}
	var sum bytes.Buffer
	rep.WriteSummary(&sum, false)
	lines := strings.Split(strings.TrimRight(sum.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; last != "2 passed, 1 failed" {
		t.Errorf("last line %q, want %q\n%s", last, "2 passed, 1 failed", sum.String())
	}
	if !strings.Contains(sum.String(), "FAIL example/medusa/getOrderV3/200/newOrder") {
		t.Errorf("the summary does not name the failure:\n%s", sum.String())
	}

	var junit bytes.Buffer
	if err := rep.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	var parsed junitSuites
	if err := xml.Unmarshal(junit.Bytes(), &parsed); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, junit.String())
	}
	if parsed.Tests != 4 || parsed.Failures != 1 || parsed.Skipped != 1 || len(parsed.Suites) != 2 {
		t.Errorf("JUnit counts %+v\n%s", parsed, junit.String())
	}
	c := parsed.Suites[0].Cases[1]
	if c.Classname != "example.medusa.getOrderV3" || c.Name != "200/newOrder" || c.Failure == nil || !strings.Contains(c.Failure.Text, "<broken>") {
		t.Errorf("testcase %+v", c)
	}
}
