package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestControlTokenSetting: --control-token, else PAYSANDBOX_CONTROL_TOKEN;
// a value that cannot travel in a header is refused without being echoed.
func TestControlTokenSetting(t *testing.T) {
	t.Setenv("PAYSANDBOX_CONTROL_TOKEN", "from-the-env")
	c, err := parseServe(nil, io.Discard)
	if err != nil || c.controlToken != "from-the-env" {
		t.Fatalf("env: %q %v", c.controlToken, err)
	}
	c, err = parseServe([]string{"--control-token", "from-the-flag"}, io.Discard)
	if err != nil || c.controlToken != "from-the-flag" {
		t.Fatalf("flag: %q %v", c.controlToken, err)
	}
	for _, bad := range []string{"has space-secret", "tab\tsecret", "nonascii-sécret"} {
		_, err := parseServe([]string{"--control-token", bad}, io.Discard)
		if err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestControlTokenProtectsTheRealServer: with --control-token the control
// API answers 401 without the header and works with it; the ledger keeps
// taking the Medusa token alone; the conformance CLI passes with
// --control-token (the control API's 401 examples included) and fails
// without it.
func TestControlTokenProtectsTheRealServer(t *testing.T) {
	const token = "cli-control-token-5d1e"
	s := startSandbox(t, "", "--control-token", token)
	call := func(method, path string, header map[string]string) int {
		req, _ := http.NewRequest(method, s.url+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if got := call("DELETE", "/sandbox/v1/faults", nil); got != 401 {
		t.Errorf("without the token: %d", got)
	}
	if got := call("DELETE", "/sandbox/v1/faults", map[string]string{"X-Sandbox-Control-Token": token}); got != 204 {
		t.Errorf("with the token: %d", got)
	}
	ledger := "/sandbox/v1/medusa/orders/00000000-0000-4000-8000-0000000000aa/ledger"
	if got := call("GET", ledger, map[string]string{"Authorization": "Bearer " + defaultToken}); got != 404 {
		t.Errorf("the ledger with the Medusa token only: %d", got)
	}
	if got := call("GET", ledger, map[string]string{"X-Sandbox-Control-Token": token}); got != 401 {
		t.Errorf("the ledger with the control token only: %d", got)
	}

	var out bytes.Buffer
	err := run(context.Background(), []string{"conformance", "--base-url", s.url, "--control-token", token, "--run", "^example/sandbox/"}, &out, io.Discard)
	if err != nil || !strings.HasSuffix(out.String(), " 0 failed\n") {
		t.Fatalf("conformance --control-token: %v\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "skipped") {
		t.Errorf("with the token nothing of the control API is skipped:\n%s", out.String())
	}
	t.Setenv("PAYSANDBOX_CONTROL_TOKEN", "")
	out.Reset()
	if err := run(context.Background(), []string{"conformance", "--base-url", s.url, "--run", "^example/sandbox/reset/"}, &out, io.Discard); err == nil {
		t.Errorf("conformance without the token passed against a protected server:\n%s", out.String())
	}
}

// TestOpenControlAPIWarning: a server that listens beyond localhost without
// a control token says so in its log.
func TestOpenControlAPIWarning(t *testing.T) {
	banner, logs := &syncBuffer{}, &syncBuffer{}
	s := startSandboxOutput(t, banner, logs, "", "--addr", "0.0.0.0:0")
	s.stop()
	if !strings.Contains(logs.String(), "the control API is open to anyone") {
		t.Errorf("no warning:\n%s", logs.String())
	}
	if !strings.Contains(banner.String(), "control API: open") {
		t.Errorf("banner:\n%s", banner.String())
	}
	banner, logs = &syncBuffer{}, &syncBuffer{}
	startSandboxOutput(t, banner, logs, "").stop() // 127.0.0.1
	if strings.Contains(logs.String(), "control API is open") {
		t.Errorf("a warning on localhost:\n%s", logs.String())
	}
}
