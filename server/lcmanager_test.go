package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPaymentCommitLogsNoSecrets: PaymentCommit's failures are logged with
// their ErrorCode and Message, never with the shop's password, a password
// in ApiParams.Url, or the Basic credentials of the upstream call.
func TestPaymentCommitLogsNoSecrets(t *testing.T) {
	base, _, logs := startServer(t, serverOptions{})

	for _, body := range []string{
		`{"Amount":1,"ApiParams":{"Url":"` + base + `/yookassa/v3","Login":"100500","Password":"super-secret-1"}}`,
		`{"Amount":1,"ApiParams":{"Url":"http://100500:super-secret-2@` + strings.TrimPrefix(base, "http://") + `/yookassa/v3","Login":"100500","Password":"test_sandbox_secret"}}`,
		`{"Amount":1,"ApiParams":{"Url":"` + base + `/yookassa/v3","Login":"100500","Password":"test_sandbox_secret"}}`,
	} {
		res, err := http.Post(base+"/api/yookassa/PaymentCommit", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || strings.Contains(string(raw), "super-secret") {
			t.Errorf("%d %s", res.StatusCode, raw)
		}
	}
	out := logs.String()
	for _, secret := range []string{"super-secret", "test_sandbox_secret", "MTAwNTAw"} { // MTAwNTAw: base64 of "100500"
		if strings.Contains(out, secret) {
			t.Errorf("the log holds %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"ErrorCode=3", "YooKassa refused the credentials", "ErrorCode=2", "redacted@"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}
