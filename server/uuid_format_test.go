package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/paysandbox/paysandbox/medusa"
)

// TestUUIDFormatIsChecked: a `format: uuid` parameter that is no UUID is a
// validation error naming it, before any handler runs (the format checker
// is ours: kin-openapi has none for uuid).
func TestUUIDFormatIsChecked(t *testing.T) {
	base, _, _ := startServer(t, serverOptions{})
	get := func(id string) (int, string) {
		req, _ := http.NewRequest("GET", base+"/medusa/v1.0/orders/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+medusa.DefaultToken)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(raw)
	}
	if status, body := get("not-a-uuid"); status != 400 || !strings.Contains(body, "orderExtId") || !strings.Contains(body, "must be a UUID") {
		t.Fatalf("not a UUID: %d %s", status, body)
	}
	if status, body := get("00000000-0000-4000-8000-00000000dead"); status != 404 {
		t.Fatalf("a well-formed unknown id: %d %s", status, body)
	}
}
