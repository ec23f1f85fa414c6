package server_test

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/paysandbox/paysandbox/cryptomus"
	"github.com/paysandbox/paysandbox/medusa"
	"github.com/paysandbox/paysandbox/openapi"
	"github.com/paysandbox/paysandbox/server"
)

// Security (issue #7): the control token, the allow-list of PaymentCommit's
// upstream (no other host, port or spelling, no redirect, bounded answers),
// and Cryptomus's signature over the raw bytes, compared in constant time.

// secDo sends a request; header values are set as given ("" is sent empty).
func secDo(t *testing.T, method, url string, header map[string]string, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, raw
}

// --- the control token ---

type controlOp struct {
	id, method, path string
	bearer           bool // the Medusa ledger
}

// controlOps lists every operation of openapi/sandbox.yaml with its path
// parameters filled in, and checks that each names the control token or
// the Medusa bearer token in its security: an operation added with
// `security: []` would be left open by a protected server.
func controlOps(t *testing.T) []controlOp {
	t.Helper()
	raw, err := openapi.Spec("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		t.Fatal(err)
	}
	var ops []controlOp
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			var control, bearer bool
			for _, req := range *op.Security {
				_, c := req["controlToken"]
				_, b := req["bearerAuth"]
				control, bearer = control || c, bearer || b
			}
			if control == bearer {
				t.Errorf("%s: its security must name exactly one of controlToken and bearerAuth", op.OperationID)
			}
			p := path
			for _, name := range []string{"{orderExtId}", "{merchant}", "{uuid}", "{paymentId}"} {
				p = strings.ReplaceAll(p, name, "6a1d3c5e-7f9b-4d2a-8c4e-0b2d4f6a8c1e")
			}
			ops = append(ops, controlOp{id: op.OperationID, method: method, path: p, bearer: bearer})
		}
	}
	if len(ops) != 11 {
		t.Errorf("%d control operations; this test knows 11", len(ops))
	}
	return ops
}

// TestControlTokenGuardsEveryControlOperation: with a control token, every
// control operation but the ledger is 401 in the control error shape
// without the exact token, before its body is even validated; the ledger
// takes the Medusa token only. Without a control token nothing changes.
func TestControlTokenGuardsEveryControlOperation(t *testing.T) {
	const token = "the-control-token-0123"
	base, _, logs := startServer(t, serverOptions{config: func(c *server.Config) { c.ControlToken = token }})
	open, _, _ := startServer(t, serverOptions{})
	for _, op := range controlOps(t) {
		if op.bearer {
			for what, h := range map[string]map[string]string{
				"the control token alone": {server.ControlTokenHeader: token},
				"nothing":                 {},
			} {
				status, raw := secDo(t, op.method, base+op.path, h, "")
				if status != 401 || !strings.Contains(string(raw), `"errorCode":"UnauthorizedError"`) {
					t.Errorf("%s with %s: %d %s", op.id, what, status, raw)
				}
			}
			if status, raw := secDo(t, op.method, base+op.path, map[string]string{"Authorization": "Bearer " + medusa.DefaultToken}, ""); status != 404 {
				t.Errorf("%s with the Medusa token alone: %d %s", op.id, status, raw)
			}
			continue
		}
		for what, value := range map[string]string{
			"an empty token":          "",
			"a wrong token":           "not-the-control-token",
			"the token in upper case": strings.ToUpper(token),
			"a prefix of the token":   token[:len(token)-1],
			"the token and more":      token + "4",
			"the Medusa token":        medusa.DefaultToken,
		} {
			status, raw := secDo(t, op.method, base+op.path, map[string]string{server.ControlTokenHeader: value}, "{}")
			want := `{"error":{"code":"unauthorized","message":"the X-Sandbox-Control-Token header is missing or wrong"}}`
			if status != 401 || strings.TrimSpace(string(raw)) != want {
				t.Errorf("%s with %s: %d %s", op.id, what, status, raw)
			}
		}
		status, raw := secDo(t, op.method, base+op.path, map[string]string{"Authorization": "Bearer " + medusa.DefaultToken}, "{}")
		if status != 401 {
			t.Errorf("%s without the header (a Medusa token instead): %d %s", op.id, status, raw)
		}
		// With the token (or on an open server without one) the operation
		// runs: whatever it answers, it is not 401.
		if status, raw := secDo(t, op.method, base+op.path, map[string]string{server.ControlTokenHeader: token}, "{}"); status == 401 || status >= 500 {
			t.Errorf("%s with the token: %d %s", op.id, status, raw)
		}
		if status, raw := secDo(t, op.method, open+op.path, nil, "{}"); status == 401 || status >= 500 {
			t.Errorf("%s on a server without a control token: %d %s", op.id, status, raw)
		}
	}
	if strings.Contains(logs.String(), token[:12]) {
		t.Errorf("the log holds the control token:\n%s", logs.String())
	}
}

// --- constant-time comparisons, by inspection of the code ---

// TestSecretsAreComparedInConstantTime reads the functions that compare a
// secret the caller sent and requires that the comparison is
// crypto/subtle's, with no ==, != or bytes.Equal-like call on the secret
// (a comparison with "" or nil, and len(), tell nothing but emptiness and
// length). Timing assertions would be flaky; the code is what decides.
func TestSecretsAreComparedInConstantTime(t *testing.T) {
	for _, c := range []struct {
		file, fn string
		secrets  []string // identifiers that hold a secret or what is compared with one
		compare  string   // the call that must compare them
	}{
		{"../cryptomus/sign.go", "VerifySign", []string{"got", "want", "sign"}, "subtle.ConstantTimeCompare"},
		{"../cryptomus/operations.go", "Authenticate", []string{"sign", "body"}, "VerifySign"},
		{"../yookassa/operations.go", "Authenticate", []string{"secret", "got", "exp", "want"}, "subtle.ConstantTimeCompare"},
		{"control_auth.go", "controlAuth", []string{"token", "got", "want"}, "subtle.ConstantTimeCompare"},
	} {
		t.Run(c.fn+" in "+filepath.Base(c.file), func(t *testing.T) {
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, c.file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			var body *ast.BlockStmt
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok && fd.Name.Name == c.fn {
					body = fd.Body
				}
			}
			if body == nil {
				t.Fatalf("no func %s", c.fn)
			}
			secret := map[string]bool{}
			for _, s := range c.secrets {
				secret[s] = true
			}
			compared := false
			ast.Inspect(body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name := secExpr(n.Fun)
					if name == c.compare && mentionsSecret(n, secret, "") {
						compared = true
					}
					switch name {
					case "bytes.Equal", "bytes.Compare", "strings.Compare", "strings.EqualFold", "reflect.DeepEqual", "slices.Equal":
						if mentionsSecret(n, secret, "") {
							t.Errorf("%s: %s compares a secret in variable time", fset.Position(n.Pos()), name)
						}
					}
				case *ast.BinaryExpr:
					if (n.Op == token.EQL || n.Op == token.NEQ) && !isEmptiness(n.X) && !isEmptiness(n.Y) && (mentionsSecret(n.X, secret, c.compare) || mentionsSecret(n.Y, secret, c.compare)) {
						t.Errorf("%s: %s compares a secret in variable time", fset.Position(n.Pos()), secExpr(n))
					}
				}
				return true
			})
			if !compared {
				t.Errorf("%s does not compare its secret with %s", c.fn, c.compare)
			}
		})
	}
}

// mentionsSecret reports whether n uses a secret identifier other than inside
// len() or the constant-time compare (whose result is no secret).
func mentionsSecret(n ast.Node, secret map[string]bool, compare string) bool {
	found := false
	ast.Inspect(n, func(m ast.Node) bool {
		if call, ok := m.(*ast.CallExpr); ok && (secExpr(call.Fun) == "len" || secExpr(call.Fun) == compare) {
			return false
		}
		if id, ok := m.(*ast.Ident); ok && secret[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// isEmptiness: e is "" or nil; comparing with it tells only whether a value is
// there.
func isEmptiness(e ast.Expr) bool {
	if lit, ok := e.(*ast.BasicLit); ok {
		return lit.Kind == token.STRING && (lit.Value == `""` || lit.Value == "``")
	}
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "nil"
}

func secExpr(e ast.Expr) string {
	var b bytes.Buffer
	_ = secFormat(&b, e)
	return b.String()
}

func secFormat(w io.Writer, e ast.Expr) error {
	switch e := e.(type) {
	case *ast.Ident:
		_, err := io.WriteString(w, e.Name)
		return err
	case *ast.SelectorExpr:
		if err := secFormat(w, e.X); err != nil {
			return err
		}
		_, err := io.WriteString(w, "."+e.Sel.Name)
		return err
	case *ast.BinaryExpr:
		_ = secFormat(w, e.X)
		_, _ = io.WriteString(w, " "+e.Op.String()+" ")
		return secFormat(w, e.Y)
	default:
		_, err := fmt.Fprintf(w, "%T", e)
		return err
	}
}

// --- Cryptomus: the sign covers the raw bytes ---

func secSign(body, key string) string {
	sum := md5.Sum([]byte(base64.StdEncoding.EncodeToString([]byte(body)) + key))
	return hex.EncodeToString(sum[:])
}

// TestCryptomusSignCoversTheRawBytes: the same JSON written with other
// whitespace, another key order, escaped characters or a trailing newline
// is other bytes, so the sign of the original does not fit it (401); each
// signed as it is sent is accepted and means the same request.
func TestCryptomusSignCoversTheRawBytes(t *testing.T) {
	base, _, _ := startServer(t, serverOptions{})
	send := func(body, sign string) (int, []byte) {
		return secDo(t, "POST", base+"/v1/payment", map[string]string{"merchant": cryptomus.DefaultMerchantUUID, "sign": sign}, body)
	}
	original := `{"amount":"10.28","currency":"USDT","order_id":"raw-bytes-1"}`
	status, raw := send(original, secSign(original, cryptomus.DefaultPaymentKey))
	if status != 200 {
		t.Fatalf("original: %d %s", status, raw)
	}
	var first struct{ Result struct{ UUID string } }
	_ = json.Unmarshal(raw, &first)
	for what, variant := range map[string]string{
		"spaces":           `{"amount": "10.28", "currency": "USDT", "order_id": "raw-bytes-1"}`,
		"another order":    `{"order_id":"raw-bytes-1","currency":"USDT","amount":"10.28"}`,
		"pretty-printed":   "{\n  \"amount\": \"10.28\",\n  \"currency\": \"USDT\",\n  \"order_id\": \"raw-bytes-1\"\n}",
		"escaped letters":  `{"amount":"10.28","currency":"\u0055SDT","order_id":"raw-bytes-1"}`,
		"trailing newline": original + "\n",
		"leading space":    " " + original,
	} {
		if status, raw := send(variant, secSign(original, cryptomus.DefaultPaymentKey)); status != 401 || !strings.Contains(string(raw), "Invalid Sign.") {
			t.Errorf("%s with the original's sign: %d %s", what, status, raw)
		}
		status, raw := send(variant, secSign(variant, cryptomus.DefaultPaymentKey))
		var again struct{ Result struct{ UUID string } }
		_ = json.Unmarshal(raw, &again)
		if status != 200 || again.Result.UUID != first.Result.UUID {
			t.Errorf("%s signed as sent: %d %s (want the same invoice %s)", what, status, raw, first.Result.UUID)
		}
	}
	// The sign of the re-encoded body Go would send does not fit the original.
	var v map[string]any
	_ = json.Unmarshal([]byte(original), &v)
	reencoded, _ := json.MarshalIndent(v, "", " ")
	if status, _ := send(original, secSign(string(reencoded), cryptomus.DefaultPaymentKey)); status != 401 {
		t.Errorf("the original with the sign of its re-encoding: %d", status)
	}
}

// BenchmarkVerifySign compares a right sign with signs that differ in their
// first and in their last digit. It asserts nothing (timings are noisy);
// with subtle.ConstantTimeCompare the three take the same time, which
// `go test -bench VerifySign ./server` shows.
func BenchmarkVerifySign(b *testing.B) {
	body := []byte(`{"amount":"10.28","currency":"USDT","order_id":"bench"}`)
	good := cryptomus.Sign(body, cryptomus.DefaultPaymentKey)
	flip := func(i int) string {
		s := []byte(good)
		s[i] = "01"[map[bool]int{true: 1}[s[i] == '0']]
		return string(s)
	}
	for name, sign := range map[string]string{"equal": good, "first-digit-differs": flip(0), "last-digit-differs": flip(31)} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				cryptomus.VerifySign(body, cryptomus.DefaultPaymentKey, sign)
			}
		})
	}
}

// --- PaymentCommit's upstream: the allow-list ---

// connCounter is an HTTP server that counts the connections it accepts.
// It closes each connection after one answer, so that every call the
// client makes is a new connection, dialed through the allow-list, and
// the count of connections is the count of calls.
type connCounter struct {
	*httptest.Server
	conns atomic.Int64
}

func newConnCounter(t *testing.T, h http.HandlerFunc) *connCounter {
	t.Helper()
	c := &connCounter{Server: httptest.NewUnstartedServer(h)}
	c.Config.SetKeepAlivesEnabled(false)
	c.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			c.conns.Add(1)
		}
	}
	c.Start()
	t.Cleanup(c.Close)
	return c
}

// ykRefuses answers every call as YooKassa refusing the credentials.
func ykRefuses(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(401)
	_, _ = io.WriteString(w, `{"type":"error","id":"x","code":"invalid_credentials","description":"no"}`)
}

type commitOut struct {
	ErrorCode int
	Message   string
	PaymentID *string `json:"PaymentId"`
}

func secCommit(t *testing.T, base, upstreamURL string) commitOut {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"Amount": 1, "ApiParams": map[string]any{"Url": upstreamURL, "Login": "100500", "Password": "test_sandbox_secret"}})
	status, raw := secDo(t, "POST", base+"/api/yookassa/PaymentCommit", nil, string(body))
	var out commitOut
	if status != 200 || json.Unmarshal(raw, &out) != nil {
		t.Fatalf("PaymentCommit %s: %d %s", upstreamURL, status, raw)
	}
	return out
}

// TestUpstreamAllowListSpellings: only the exact (normalized) URL of the
// allow-list is called. Every other spelling of the same host, another
// port, user information, a path that leaves the base, and names that
// resolve to the same address are ErrorCode 2 without a connection.
func TestUpstreamAllowListSpellings(t *testing.T) {
	trap := newConnCounter(t, ykRefuses)
	port := trap.Listener.Addr().(*net.TCPAddr).Port
	p := fmt.Sprint(port)
	allowed := "http://127.0.0.1:" + p + "/yookassa/v3"
	base, _, _ := startServer(t, serverOptions{config: func(c *server.Config) { c.UpstreamAllow = []string{allowed} }})

	for _, u := range []string{
		"http://127.0.0.1:" + fmt.Sprint(port+1) + "/yookassa/v3", // another port
		"http://127.0.0.1:0" + p + "/yookassa/v3",                 // a leading zero
		"http://localhost:" + p + "/yookassa/v3",                  // a name of the same address
		"http://[::1]:" + p + "/yookassa/v3",
		"http://[::ffff:127.0.0.1]:" + p + "/yookassa/v3",
		"http://[0:0:0:0:0:ffff:7f00:1]:" + p + "/yookassa/v3",
		"http://0.0.0.0:" + p + "/yookassa/v3",
		"http://127.1:" + p + "/yookassa/v3", // IPv4 shorthands some resolvers take
		"http://2130706433:" + p + "/yookassa/v3",
		"http://0x7f.1:" + p + "/yookassa/v3",
		"http://0x7f000001:" + p + "/yookassa/v3",
		"http://0177.0.0.1:" + p + "/yookassa/v3",
		"http://127.0.0.01:" + p + "/yookassa/v3",
		"http://127.0.0.1.:" + p + "/yookassa/v3", // a trailing dot
		"http://localhost.:" + p + "/yookassa/v3",
		"http://LOCALHOST:" + p + "/yookassa/v3",
		"http://127.0.0.1\u3002:" + p + "/yookassa/v3", // an ideographic full stop
		"http://user@127.0.0.1:" + p + "/yookassa/v3",  // user information
		"http://100500:test_sandbox_secret@127.0.0.1:" + p + "/yookassa/v3",
		"http://127.0.0.1:" + p + "@evil.example/yookassa/v3",
		"http://evil.example#@127.0.0.1:" + p + "/yookassa/v3",
		"http://127.0.0.1:" + p + "\\@evil.example/yookassa/v3",
		"https://127.0.0.1:" + p + "/yookassa/v3", // another scheme
		"ftp://127.0.0.1:" + p + "/yookassa/v3",
		"//127.0.0.1:" + p + "/yookassa/v3",
		"http://127.0.0.1:" + p + "/yookassa/v3/../x",     // leaving the base
		"http://127.0.0.1:" + p + "/yookassa/v3/%2e%2e/x", // encoded
		"http://127.0.0.1:" + p + "/yookassa/v3%2F..%2Fx",
		"http://127.0.0.1:" + p + "/yookassa/v3%2fpayments",
		"http://127.0.0.1:" + p + "/yookassa/v3/x",
		"http://127.0.0.1:" + p + "/yookassa",
		"http://127.0.0.1:" + p + "/YOOKASSA/v3",
		"http://127.0.0.1:" + p + "/yookassa/v3?x=1",
		"http://127.0.0.1:" + p + "/yookassa/v3;x",
		"http://127.0.0.1:" + p + "/yookassa/v3\x00",
		"http://[fe80::1%25lo]:" + p + "/yookassa/v3",
		"http://xn--80ak6aa92e.com:" + p + "/yookassa/v3",
		"http://loca\u212Ahost:" + p + "/yookassa/v3", // a Kelvin sign, whose lower case is k
	} {
		if got := secCommit(t, base, u); got.ErrorCode != 2 || !strings.HasPrefix(got.Message, "ApiParams.Url is not an allowed upstream") {
			t.Errorf("%q: ErrorCode %d %q, want 2", u, got.ErrorCode, got.Message)
		}
	}
	if n := trap.conns.Load(); n != 0 {
		t.Fatalf("the upstream got %d connections from refused URLs", n)
	}
	// The allowed URL, in its spellings that are the same URL (case of the
	// scheme, a trailing slash, a dot segment), is called.
	for i, u := range []string{allowed, "HTTP://127.0.0.1:" + p + "/yookassa/v3/", "http://127.0.0.1:" + p + "/x/../yookassa/v3", " " + allowed + " "} {
		if got := secCommit(t, base, u); got.ErrorCode != 3 {
			t.Errorf("%q: %+v, want ErrorCode 3 from the upstream", u, got)
		}
		if n := trap.conns.Load(); n != int64(i+1) {
			t.Errorf("%q: %d connections, want %d", u, n, i+1)
		}
	}
}

// TestUpstreamNoRedirectsAndBoundedAnswers: an allowed upstream that
// redirects elsewhere is not followed (the target sees no connection); an
// answer over 1 MiB, also once decompressed, or with oversized headers,
// and an answer too slow to start or to finish are ErrorCode 8 or 7 with a
// message saying why.
func TestUpstreamNoRedirectsAndBoundedAnswers(t *testing.T) {
	trap := newConnCounter(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"2f8e6c1a-000f-5000-9000-1b68e7b15f3f","status":"pending"}`)
	})
	big := bytes.Repeat([]byte(" "), 2<<20)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(bytes.Repeat([]byte(" "), 64<<20))
	_ = zw.Close()
	up := newConnCounter(t, func(w http.ResponseWriter, r *http.Request) {
		kind, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		switch kind {
		case "r301", "r302", "r303", "r307", "r308":
			code := map[string]int{"r301": 301, "r302": 302, "r303": 303, "r307": 307, "r308": 308}[kind]
			http.Redirect(w, r, trap.URL+"/v3/payments", code)
		case "big":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"id":"x","status":"pending","description":"`))
			_, _ = w.Write(big)
			_, _ = w.Write([]byte(`"}`))
		case "gzip":
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gz.Bytes())
		case "headers":
			w.Header().Set("X-Big", strings.Repeat("h", 100<<10))
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{}`)
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		case "trickle":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"x",`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}
	})
	kinds := []string{"r301", "r302", "r303", "r307", "r308", "big", "gzip", "headers", "slow", "trickle"}
	var allow []string
	for _, k := range kinds {
		allow = append(allow, up.URL+"/"+k+"/v3")
	}
	base, _, _ := startServer(t, serverOptions{config: func(c *server.Config) {
		c.UpstreamAllow = allow
		c.UpstreamTimeout = 400 * time.Millisecond
	}})
	for _, c := range []struct {
		kind    string
		code    int
		message string
	}{
		{"r301", 8, "YooKassa answered HTTP 301 (redirects are not followed)"},
		{"r302", 8, "YooKassa answered HTTP 302 (redirects are not followed)"},
		{"r303", 8, "YooKassa answered HTTP 303 (redirects are not followed)"},
		{"r307", 8, "YooKassa answered HTTP 307 (redirects are not followed)"},
		{"r308", 8, "YooKassa answered HTTP 308 (redirects are not followed)"},
		{"big", 8, "YooKassa answered HTTP 200, but its answer is larger than 1 MiB"},
		{"gzip", 8, "YooKassa answered HTTP 200, but its answer is larger than 1 MiB"},
		{"headers", 8, "YooKassa answered with headers larger than 64 KiB"},
		{"slow", 7, "YooKassa did not answer within 400ms"},
		{"trickle", 7, "YooKassa did not answer within 400ms"},
	} {
		start := time.Now()
		got := secCommit(t, base, up.URL+"/"+c.kind+"/v3")
		if got.ErrorCode != c.code || got.Message != c.message {
			t.Errorf("%s: ErrorCode %d %q, want %d %q", c.kind, got.ErrorCode, got.Message, c.code, c.message)
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("%s took %s", c.kind, d)
		}
	}
	if n := trap.conns.Load(); n != 0 {
		t.Errorf("the redirect target got %d connections", n)
	}
}
