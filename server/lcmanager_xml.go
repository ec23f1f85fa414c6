package server

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// DataContract XML, as ASP.NET Web API's XmlMediaTypeFormatter reads and
// writes it for LCManager (design §5): elements in the contract's
// namespace, `i:nil="true"` for null. Unlike DataContractSerializer, which
// silently drops elements out of alphabetical order, elements are read in
// any order.

// The namespaces of the seed's samples.
const (
	xsiNS           = "http://www.w3.org/2001/XMLSchema-instance"
	lcRequestNS     = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Request.YooKassaRequest"
	lcResponseNS    = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Response.YooKassaResponse"
	lcAbstractionNS = "http://schemas.datacontract.org/2004/07/LCManagerPartner.Implementation.Abstractions"
)

func init() {
	// Request validation covers every media type PaymentCommit takes
	// (design §7): text/json is JSON (json_body.go), XML is decoded along
	// the schema.
	openapi3filter.RegisterBodyDecoder("application/xml", xmlBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/xml", xmlBodyDecoder)
}

// xelem is one XML element.
type xelem struct {
	name  xml.Name
	attrs []xml.Attr
	kids  []*xelem
	text  strings.Builder
}

func (e *xelem) isNil() bool {
	for _, a := range e.attrs {
		if a.Name.Space == xsiNS && a.Name.Local == "nil" && strings.TrimSpace(a.Value) == "true" {
			return true
		}
	}
	return false
}

// child returns the first child element called local (in any namespace).
func (e *xelem) child(local string) *xelem {
	for _, k := range e.kids {
		if k.name.Local == local {
			return k
		}
	}
	return nil
}

// maxXMLDepth is the deepest element nesting read, ASP.NET Web API's
// XmlMediaTypeFormatter.MaxDepth; PaymentCommitRequest itself needs 3.
const maxXMLDepth = 256

// parseXMLTree reads a whole document into elements; the error is the XML
// decoder's ("XML syntax error on line 3: unexpected EOF"). Entities other
// than XML's five are an error (Strict), so a DTD cannot expand anything.
func parseXMLTree(data []byte) (*xelem, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []*xelem
	var root *xelem
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return nil, fmt.Errorf("XML is nested more than %d levels deep", maxXMLDepth)
			}
			n := &xelem{name: t.Name, attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("more than one root element")
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				parent.kids = append(parent.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			} else if strings.TrimSpace(string(t)) != "" {
				return nil, errors.New("text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// checkRoot requires the schema's root element name and namespace (a
// document without any namespace is accepted too).
func checkRoot(root *xelem, s *openapi3.Schema) error {
	if s == nil || s.XML == nil {
		return nil
	}
	if s.XML.Name != "" && root.name.Local != s.XML.Name {
		return fmt.Errorf("expecting element '%s' from namespace '%s', found '%s'", s.XML.Name, s.XML.Namespace, root.name.Local)
	}
	if s.XML.Namespace != "" && root.name.Space != "" && root.name.Space != s.XML.Namespace {
		return fmt.Errorf("expecting element '%s' from namespace '%s', found namespace '%s'", s.XML.Name, s.XML.Namespace, root.name.Space)
	}
	return nil
}

// xmlBodyDecoder is kin-openapi's body decoder for XML: it decodes the
// document into the JSON-like value its schema describes (objects, and
// scalars converted to the schema's type when they are of it, left as
// strings otherwise so that validation names the field), so that XML
// requests are validated like JSON ones.
func xmlBodyDecoder(body io.Reader, _ http.Header, schema *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
	data, err := io.ReadAll(body)
	if err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	root, err := parseXMLTree(data)
	if err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	var s *openapi3.Schema
	if schema != nil {
		s = schema.Value
	}
	if err := checkRoot(root, s); err != nil {
		return nil, &openapi3filter.ParseError{Kind: openapi3filter.KindInvalidFormat, Cause: err}
	}
	return xmlToValue(root, s), nil
}

func xmlToValue(e *xelem, s *openapi3.Schema) any {
	if e.isNil() {
		return nil
	}
	switch {
	case s == nil || s.Type == nil || s.Type.IsEmpty():
		return e.text.String()
	case s.Type.Is("object"):
		m := map[string]any{}
		for name, ref := range s.Properties {
			k := e.child(name)
			if k == nil {
				continue
			}
			var ps *openapi3.Schema
			if ref != nil {
				ps = ref.Value
			}
			m[name] = xmlToValue(k, ps)
		}
		return m
	case s.Type.Is("array"):
		var items *openapi3.Schema
		if s.Items != nil {
			items = s.Items.Value
		}
		out := []any{}
		for _, k := range e.kids {
			out = append(out, xmlToValue(k, items))
		}
		return out
	case s.Type.Is("number"), s.Type.Is("integer"):
		if f, err := strconv.ParseFloat(strings.TrimSpace(e.text.String()), 64); err == nil {
			return f
		}
	case s.Type.Is("boolean"):
		if b, ok := xsdBool(e.text.String()); ok {
			return b
		}
	}
	return e.text.String()
}

// xsdBool reads xsd:boolean: true, false, 1, 0.
func xsdBool(s string) (bool, bool) {
	switch strings.TrimSpace(s) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}
