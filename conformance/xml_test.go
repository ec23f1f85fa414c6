package conformance

import (
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

const dataContractSpec = `
openapi: 3.0.3
info: {title: t, version: "1"}
paths: {}
components:
  schemas:
    Result:
      type: object
      xml: {name: PaymentCommitResult, namespace: "http://schemas.example/Result"}
      required: [ErrorCode, PaymentId]
      additionalProperties: false
      properties:
        ErrorCode:
          type: integer
          xml: {namespace: "http://schemas.example/Abstractions"}
        Message:
          type: string
          nullable: true
          xml: {namespace: "http://schemas.example/Abstractions"}
        PaymentId: {type: string}
        Paid: {type: boolean}
        Amount: {type: number}
        Version: {type: string, xml: {attribute: true}}
        Tags:
          type: array
          xml: {wrapped: true}
          items: {type: string, xml: {name: Tag}}
        Lines:
          type: array
          items: {type: integer, xml: {name: Line}}
`

func TestDecodeXML(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData([]byte(dataContractSpec))
	if err != nil {
		t.Fatal(err)
	}
	schema := doc.Components.Schemas["Result"]
	good := `<PaymentCommitResult xmlns="http://schemas.example/Result" xmlns:a="http://schemas.example/Abstractions" xmlns:i="http://www.w3.org/2001/XMLSchema-instance" Version="2">
  <PaymentId>p-1</PaymentId><a:ErrorCode>0</a:ErrorCode><a:Message i:nil="true"/>
  <Paid>true</Paid><Amount>10.50</Amount><Tags><Tag>x</Tag><Tag>y</Tag></Tags><Line>1</Line><Line>2</Line>
</PaymentCommitResult>`
	v, err := decodeXML([]byte(good), schema)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"PaymentId": "p-1", "ErrorCode": 0.0, "Message": nil, "Paid": true, "Amount": 10.5,
		"Version": "2", "Tags": []any{"x", "y"}, "Lines": []any{1.0, 2.0}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("decoded %#v\nwant    %#v", v, want)
	}
	if err := schema.Value.VisitJSON(v); err != nil {
		t.Errorf("valid document refused: %v", err)
	}

	for _, bad := range []struct{ name, doc, says string }{
		{"wrong root", `<Other xmlns="http://schemas.example/Result"/>`, "root element"},
		{"wrong namespace", `<PaymentCommitResult xmlns="urn:other"/>`, "namespace"},
		{"child in wrong namespace", `<PaymentCommitResult xmlns="http://schemas.example/Result"><PaymentId>p</PaymentId><ErrorCode>0</ErrorCode></PaymentCommitResult>`, "namespace"},
		{"not XML", `{"ErrorCode":0}`, "XML"},
	} {
		_, err := decodeXML([]byte(bad.doc), schema)
		if err == nil || !strings.Contains(err.Error(), bad.says) {
			t.Errorf("%s: err %v, want one mentioning %q", bad.name, err, bad.says)
		}
	}
	// Decodable but invalid: schema validation refuses it.
	for _, bad := range []string{
		`<PaymentCommitResult xmlns="http://schemas.example/Result" xmlns:a="http://schemas.example/Abstractions"><a:ErrorCode>zero</a:ErrorCode><PaymentId>p</PaymentId></PaymentCommitResult>`,
		`<PaymentCommitResult xmlns="http://schemas.example/Result" xmlns:a="http://schemas.example/Abstractions"><a:ErrorCode>0</a:ErrorCode></PaymentCommitResult>`,
		`<PaymentCommitResult xmlns="http://schemas.example/Result" xmlns:a="http://schemas.example/Abstractions"><a:ErrorCode>0</a:ErrorCode><PaymentId>p</PaymentId><Surprise>1</Surprise></PaymentCommitResult>`,
	} {
		v, err := decodeXML([]byte(bad), schema)
		if err != nil {
			t.Errorf("%s: %v", bad, err)
			continue
		}
		if schema.Value.VisitJSON(v) == nil {
			t.Errorf("invalid document accepted: %s → %#v", bad, v)
		}
	}
}
