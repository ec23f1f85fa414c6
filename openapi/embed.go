// Package openapi embeds the hand-written specs, the source of truth for
// code generation, request validation, the served /openapi/{name}.yaml
// files and the conformance suite.
package openapi

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed *.yaml
var files embed.FS

// Names lists the embedded specs without the .yaml suffix.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if n := e.Name(); len(n) > 5 && n[len(n)-5:] == ".yaml" {
			names = append(names, n[:len(n)-5])
		}
	}
	return names
}

// Spec returns the raw YAML of the spec called name (e.g. "medusa").
func Spec(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("openapi: no spec %q", name)
	}
	return b, nil
}
