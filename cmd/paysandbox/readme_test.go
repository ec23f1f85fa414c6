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

// TestReadmeCryptomusWalkthrough runs the README's Cryptomus walk-through
// verbatim (with $SANDBOX pointing at a test server): a signed invoice,
// paid, refunded with the seed's own request body, the refund completed,
// and a second refund refused.
func TestReadmeCryptomusWalkthrough(t *testing.T) {
	for _, tool := range []string{"curl", "base64", "md5sum", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run the README walk-through", tool)
		}
	}
	s := startSandbox(t, "")
	var script strings.Builder
	script.WriteString("set -e\n")
	blocks := readmeSection(t, "Cryptomus walk-through")
	for _, b := range blocks {
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
	uuid := regexp.MustCompile(`(?m)^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).FindString(text)
	if uuid == "" {
		t.Fatalf("the walk-through did not print the invoice's uuid:\n%s", text)
	}
	for _, want := range []string{
		`{"state":0,"result":{"uuid":"` + uuid + `","order_id":"readme-1001","amount":"10.28"`,
		`"status":"check","is_final":false`,
		`"payment_amount":"10.28","status":"paid","uuid":"` + uuid + `"`, // the control API's answer
		`"payment_status":"paid"`,
		"{\"state\":0,\"result\":[]}\n",
		`"payment_status":"refund_process"`,
		`"status":"refund_paid"`,
		`"payment_status":"refund_paid"`,
		`{"balance":"-0.10280000","currency":"USDT"}`,
		`{"state":1,"message":"Refunds are made only for completed payments"}`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("walk-through output lacks %s\n%s", want, text)
		}
	}
	if strings.Count(text, `"state":1`) != 1 {
		t.Errorf("walk-through should fail only at its last, deliberate step:\n%s", text)
	}
	// The README shows the wallet's line as the server prints it.
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), "\n{\"balance\":\"-0.10280000\",\"currency\":\"USDT\"}\n") {
		t.Error("the README no longer shows the wallet's balance after the refund")
	}
}

// TestReadmeYooKassaWalkthrough runs the README's YooKassa / LCManager
// walk-through verbatim (with $SANDBOX pointing at a test server, whose own
// /yookassa/v3 at 127.0.0.1 is an allowed upstream): in JSON and in XML, a
// payment through PaymentCommit, the payer's confirmation through the
// control API, two partial refunds and a refused third.
func TestReadmeYooKassaWalkthrough(t *testing.T) {
	for _, tool := range []string{"curl", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed to run the README walk-through", tool)
		}
	}
	s := startSandbox(t, "")
	var script strings.Builder
	script.WriteString("set -e\n")
	for _, b := range readmeSection(t, "YooKassa / LCManager walk-through") {
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
	ids := regexp.MustCompile(`(?m)^([0-9a-f]{8}-000f-5000-[89ab][0-9a-f]{3}-[0-9a-f]{12})$`).FindAllString(text, -1)
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("the walk-through did not print two payment ids:\n%s", text)
	}
	pay, xpay := ids[0], ids[1]
	const abstractions = `<ErrorCode xmlns="http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Abstractions">`
	for _, want := range []string{
		// JSON
		`{"PaymentId":"` + pay + `","RefundId":null,"Status":"pending","ConfirmationToken":"ct-` + pay + `","IdempotenceKey":"readme-json-pay","ErrorCode":0,"Message":""}`,
		`{"id":"` + pay + `","paid":true,"status":"succeeded"}`,
		`"PaymentId":"` + pay + `","RefundId":"`,
		`"Status":"succeeded","ConfirmationToken":null,"IdempotenceKey":"readme-json-refund-1","ErrorCode":0,"Message":""}`,
		`"Status":"succeeded","ConfirmationToken":null,"IdempotenceKey":"readme-json-refund-2","ErrorCode":0,"Message":""}`,
		`"IdempotenceKey":"readme-json-refund-3","ErrorCode":5,"Message":"The refund amount 10.00 exceeds what is left of the payment. YooKassa: `,
		`"refunded_amount":{"currency":"RUB","value":"100.00"}`,
		`"refundable":false`,
		// XML
		`<PaymentCommitResponse xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Response.YooKassaResponse">` + abstractions + `0</ErrorCode>`,
		`<ConfirmationToken>ct-` + xpay + `</ConfirmationToken><IdempotenceKey>readme-xml-pay</IdempotenceKey><PaymentId>` + xpay + `</PaymentId><RefundId i:nil="true"/><Status>pending</Status>`,
		`{"id":"` + xpay + `","paid":true,"status":"succeeded"}`,
		`<IdempotenceKey>readme-xml-refund-1</IdempotenceKey><PaymentId>` + xpay + `</PaymentId><RefundId>`,
		`<IdempotenceKey>readme-xml-refund-2</IdempotenceKey><PaymentId>` + xpay + `</PaymentId><RefundId>`,
		abstractions + `5</ErrorCode>`,
		`The refund amount 0.01 exceeds what is left of the payment. YooKassa: `,
		`<IdempotenceKey>readme-xml-refund-3</IdempotenceKey><PaymentId>` + xpay + `</PaymentId><RefundId i:nil="true"/><Status i:nil="true"/></PaymentCommitResponse>`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("walk-through output lacks %s\n%s", want, text)
		}
	}
	if n := strings.Count(text, `"ErrorCode":0`) + strings.Count(text, abstractions+"0<"); n != 6 {
		// Per format: the payment (its repeat is captured by sed) and two refunds.
		t.Errorf("%d answers with ErrorCode 0, want 6:\n%s", n, text)
	}
	if n := strings.Count(text, `<Status>succeeded</Status>`); n != 2 {
		t.Errorf("%d XML refunds succeeded, want 2:\n%s", n, text)
	}
}
