package server

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/paysandbox/paysandbox/docs"
)

// registerDocs serves the HTML API references that `make docs` builds (package
// docs): GET /docs lists them, GET /docs/{name} is one of them, the same
// standalone page as dist/{name}.html.
func registerDocs(r *mux.Router) {
	r.HandleFunc("/docs", serveDocsIndex).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/docs/{name}", serveDocsPage).Methods(http.MethodGet, http.MethodHead)
}

func serveDocsPage(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	page, err := docs.Open(name)
	if err != nil {
		renderControl(w, r, problem{status: http.StatusNotFound, kind: kindNotFound, message: "no API reference named " + name})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(page.Len()))
	_, _ = page.WriteTo(w)
}

// The links are relative to /docs, so the index also works behind a proxy
// that serves paysandbox under a path prefix.
var docsIndex = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>paysandbox API references</title>
  <style>
    body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
    td { padding: 0.25rem 1rem 0.25rem 0; }
  </style>
</head>
<body>
  <h1>paysandbox API references</h1>
  <p>The reference of each emulated API and of the sandbox control API, and its OpenAPI spec.</p>
  <table>
{{- range .}}
    <tr><td><a href="docs/{{.Name}}">{{.Title}}</a></td><td><a href="openapi/{{.Name}}.yaml">{{.Name}}.yaml</a></td></tr>
{{- end}}
  </table>
</body>
</html>
`))

func serveDocsIndex(w http.ResponseWriter, r *http.Request) {
	var pages []*docs.Page
	for _, name := range docs.Names() {
		if p, err := docs.Open(name); err == nil {
			pages = append(pages, p)
		}
	}
	var b bytes.Buffer
	if err := docsIndex.Execute(&b, pages); err != nil {
		renderControl(w, r, problem{status: http.StatusInternalServerError, kind: kindInternal, message: "internal error", detail: err.Error()})
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}
