package server

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

// TestFindRouteAgreesWithKin holds the route reuse in findRoute to what
// kin-openapi's router answers, for every operation of every spec: same
// operation, same path parameters; and checks that plain paths really take
// the reuse while escaped ones are left to kin-openapi.
func TestFindRouteAgreesWithKin(t *testing.T) {
	param := regexp.MustCompile(`\{[^}]+\}`)
	for name := range apiPrefixes {
		a, err := loadAPI(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Mounted like the generated code mounts its handlers: one mux
		// route per operation, with the spec's path template.
		r := mux.NewRouter()
		r.SkipClean(true)
		var checked int
		for _, path := range a.doc.Paths.InMatchingOrder() {
			for method := range a.doc.Paths.Value(path).Operations() {
				r.HandleFunc(path, func(w http.ResponseWriter, req *http.Request) {
					got, gotParams, err := a.findRoute(req)
					want, wantParams, wantErr := a.router.FindRoute(req)
					if err != nil || wantErr != nil {
						t.Errorf("%s %s: findRoute error %v, kin-openapi error %v", req.Method, req.URL, err, wantErr)
						return
					}
					if got.Operation != want.Operation || got.Path != want.Path || got.Method != want.Method {
						t.Errorf("%s %s: findRoute gave %s %s, kin-openapi %s %s", req.Method, req.URL, got.Method, got.Path, want.Method, want.Path)
					}
					if !reflect.DeepEqual(gotParams, wantParams) {
						t.Errorf("%s %s: parameters %v, kin-openapi %v", req.Method, req.URL, gotParams, wantParams)
					}
					reused := got == a.routes[req.Method+" "+path]
					if plain := !strings.Contains(req.RequestURI, "%"); reused != plain {
						t.Errorf("%s %s: route reused = %v, want %v", req.Method, req.URL, reused, plain)
					}
					checked++
				}).Methods(method)
			}
		}
		for _, path := range a.doc.Paths.InMatchingOrder() {
			for method := range a.doc.Paths.Value(path).Operations() {
				plain := param.ReplaceAllString(path, "0f8fad5b-d19b-4ac6-a1b4-c1e3f5a77c4d")
				targets := []string{plain}
				if plain != path {
					// Escapes kept in RawPath, and one that Path's own
					// escaping reproduces (RawPath stays empty).
					targets = append(targets,
						param.ReplaceAllString(path, "%30f8fad5b-d19b-4ac6-a1b4-c1e3f5a77c4d"),
						param.ReplaceAllString(path, "0f8fad5b%20d19b"))
				}
				for _, target := range targets {
					r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(method, target, nil))
				}
			}
		}
		if checked == 0 {
			t.Fatalf("%s: no operation was routed", name)
		}
	}
}

// TestSpecPathsUnderPrefixes: every path of every spec lies under one of
// its API's prefixes, or the API's subrouter would never route it.
func TestSpecPathsUnderPrefixes(t *testing.T) {
	for name := range apiPrefixes {
		a, err := loadAPI(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range a.doc.Paths.InMatchingOrder() {
			if !slices.ContainsFunc(a.prefixes, func(p string) bool { return strings.HasPrefix(path, p) }) {
				t.Errorf("%s: %s is under none of %v", a.name, path, a.prefixes)
			}
		}
	}
}
