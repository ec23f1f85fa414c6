package main

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

var shBlock = regexp.MustCompile("(?s)```sh\n(.*?)```")

// readmeSection returns the ```sh blocks of the README section titled title.
func readmeSection(t *testing.T, title string) []string {
	t.Helper()
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	start := strings.Index(text, "## "+title+"\n")
	if start < 0 {
		t.Fatalf("README has no section %q", title)
	}
	section := text[start+3:]
	if end := strings.Index(section, "\n## "); end >= 0 {
		section = section[:end]
	}
	var blocks []string
	for _, m := range shBlock.FindAllStringSubmatch(section, -1) {
		blocks = append(blocks, m[1])
	}
	return blocks
}

// TestReadmeMedusaWalkthrough runs the README's curl walk-through verbatim
// (with $SANDBOX pointing at a test server) and checks what it prints.
func TestReadmeMedusaWalkthrough(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Fatal("curl is needed to run the README walk-through")
	}
	s := startSandbox(t, "")
	var script strings.Builder
	script.WriteString("set -e\n")
	for _, b := range readmeSection(t, "Medusa walk-through") {
		if strings.HasPrefix(b, "export SANDBOX=") {
			continue // the test's own server stands in for localhost:8080
		}
		script.WriteString(b + "\necho\n")
	}
	cmd := exec.Command("bash", "-c", script.String())
	cmd.Env = append(os.Environ(), "SANDBOX="+s.url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("walk-through failed: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		`"extId":"11111111-1111-4111-8111-111111111111","name":"Ivan Petrov"`,
		`"extId":"22222222-2222-4222-8222-222222222222"`,
		`"paymentUrl":"`,
		`"result":"waiting_services"`,
		`"decision":"confirmed"`,
		`"result":"executing"`,
		`"result":"executed"`,
		`"result":"finished"`,
		`"balances":{"commission":"0.00","nominal":"0.00","settlement":"75.00"}`,
		`"errorCode":"InvalidStateError"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("walk-through output lacks %s\n%s", want, text)
		}
	}
	if strings.Count(text, `"code":"`) != 1 {
		t.Errorf("walk-through should fail only at its last, deliberate step:\n%s", text)
	}
}
