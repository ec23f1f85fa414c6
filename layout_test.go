package paysandbox

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/paysandbox/paysandbox"

// TestImportDirections keeps design §1 true: imports point inward.
func TestImportDirections(t *testing.T) {
	rules := []struct {
		pkg       string
		forbidden []string // prefixes (relative to the module) it must not depend on
	}{
		{"gen/...", []string{"medusa", "sqlitedb", "server", "cmd", "conformance", "openapi"}},
		{"medusa", []string{"gen", "sqlitedb", "server", "cmd", "conformance", "openapi", "cryptomus", "yookassa"}},
		{"cryptomus", []string{"gen", "sqlitedb", "server", "cmd", "conformance", "openapi", "medusa", "yookassa"}},
		{"yookassa", []string{"gen", "sqlitedb", "server", "cmd", "conformance", "openapi", "medusa", "cryptomus"}},
		{"sqlitedb", []string{"gen", "server", "cmd", "conformance", "openapi"}},
		{"server", []string{"sqlitedb", "cmd", "conformance"}},
		{"openapi", []string{"gen", "medusa", "sqlitedb", "server", "cmd", "conformance"}},
		{"docs", []string{"gen", "medusa", "cryptomus", "yookassa", "sqlitedb", "server", "cmd", "conformance", "openapi"}},
		// The suite speaks HTTP only, so it can judge any implementation.
		{"conformance", []string{"server", "sqlitedb", "medusa", "cryptomus", "yookassa", "cmd"}},
	}
	for _, rule := range rules {
		out, err := exec.Command("go", "list", "-deps", "./"+rule.pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps ./%s: %v\n%s", rule.pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			rel, ok := strings.CutPrefix(dep, module+"/")
			if !ok {
				continue
			}
			for _, f := range rule.forbidden {
				if rel == f || strings.HasPrefix(rel, f+"/") {
					t.Errorf("%s depends on %s, against design §1", rule.pkg, dep)
				}
			}
		}
	}
	// Domain packages use the standard library and decimal only.
	for _, domain := range []string{"medusa", "cryptomus", "yookassa"} {
		out, err := exec.Command("go", "list", "-deps", "./"+domain).CombinedOutput()
		if err != nil {
			t.Fatalf("go list: %v\n%s", err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			first, _, _ := strings.Cut(dep, "/")
			if strings.Contains(first, ".") && !strings.HasPrefix(dep, module) && dep != "github.com/shopspring/decimal" {
				t.Errorf("%s depends on %s; domain packages use the standard library and decimal only", domain, dep)
			}
		}
	}
}
