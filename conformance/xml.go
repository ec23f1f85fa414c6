package conformance

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// xnode is one XML element.
type xnode struct {
	name  xml.Name
	attrs []xml.Attr
	kids  []*xnode
	text  strings.Builder
}

const xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

// decodeXML decodes an XML document into the JSON-like value (maps,
// slices, strings, float64, bools) that its OpenAPI schema describes, so
// that it can be validated and compared like JSON. The schema's `xml`
// objects give element names (`name`), namespaces (`namespace`, checked
// when declared), attributes (`attribute`) and array wrapping (`wrapped`);
// scalars are converted to the schema's type; `i:nil="true"` is null.
// Elements the schema does not know are kept as strings so that
// `additionalProperties: false` can refuse them. Element order is free.
func decodeXML(data []byte, schema *openapi3.SchemaRef) (any, error) {
	root, err := parseXML(data)
	if err != nil {
		return nil, err
	}
	var s *openapi3.Schema
	if schema != nil {
		s = schema.Value
	}
	if s != nil && s.XML != nil {
		if s.XML.Name != "" && root.name.Local != s.XML.Name {
			return nil, fmt.Errorf("root element is <%s>, the schema names it <%s>", root.name.Local, s.XML.Name)
		}
		if s.XML.Namespace != "" && root.name.Space != s.XML.Namespace {
			return nil, fmt.Errorf("root element <%s> is in namespace %q, the schema's is %q", root.name.Local, root.name.Space, s.XML.Namespace)
		}
	}
	return xmlValue(root, s, root.name.Local)
}

func parseXML(data []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var stack []*xnode
	var root *xnode
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name, attrs: t.Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, fmt.Errorf("not well-formed XML: more than one root element")
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
				return nil, fmt.Errorf("not well-formed XML: text outside the root element")
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("not well-formed XML: no root element")
	}
	return root, nil
}

func (n *xnode) isNil() bool {
	for _, a := range n.attrs {
		if a.Name.Space == xsiNamespace && a.Name.Local == "nil" && a.Value == "true" {
			return true
		}
	}
	return false
}

// flatten merges allOf and the branches of oneOf/anyOf into one view of
// properties and type, enough to find elements by name; validation still
// runs against the real schema.
func flatten(s *openapi3.Schema) *openapi3.Schema {
	if s == nil || (len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0) {
		return s
	}
	out := &openapi3.Schema{Type: s.Type, Items: s.Items, Properties: openapi3.Schemas{}, XML: s.XML}
	add := func(o *openapi3.Schema) {
		if o == nil {
			return
		}
		o = flatten(o)
		if out.Type == nil || out.Type.IsEmpty() {
			out.Type = o.Type
		}
		if out.Items == nil {
			out.Items = o.Items
		}
		for k, v := range o.Properties {
			if _, ok := out.Properties[k]; !ok {
				out.Properties[k] = v
			}
		}
	}
	for k, v := range s.Properties {
		out.Properties[k] = v
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, r := range group {
			if r != nil {
				add(r.Value)
			}
		}
	}
	return out
}

func xmlName(propName string, s *openapi3.Schema) string {
	if s != nil && s.XML != nil && s.XML.Name != "" {
		return s.XML.Name
	}
	return propName
}

func xmlValue(n *xnode, s *openapi3.Schema, at string) (any, error) {
	if n.isNil() {
		return nil, nil
	}
	s = flatten(s)
	switch {
	case s == nil || s.Type == nil || s.Type.IsEmpty():
		if len(n.kids) == 0 {
			return n.text.String(), nil
		}
		m := map[string]any{}
		for _, k := range n.kids {
			v, err := xmlValue(k, nil, at+"/"+k.name.Local)
			if err != nil {
				return nil, err
			}
			m[k.name.Local] = v
		}
		return m, nil
	case s.Type.Is("object"):
		return xmlObject(n, s, at)
	case s.Type.Is("array"):
		var items *openapi3.Schema
		if s.Items != nil {
			items = s.Items.Value
		}
		out := []any{}
		for _, k := range n.kids {
			v, err := xmlValue(k, items, at+"/"+k.name.Local)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	default:
		return xmlScalar(n.text.String(), s), nil
	}
}

func xmlObject(n *xnode, s *openapi3.Schema, at string) (any, error) {
	m := map[string]any{}
	used := make([]bool, len(n.kids))
	for prop, ref := range s.Properties {
		var ps *openapi3.Schema
		if ref != nil {
			ps = flatten(ref.Value)
		}
		name := xmlName(prop, ps)
		if ps != nil && ps.XML != nil && ps.XML.Attribute {
			for _, a := range n.attrs {
				if a.Name.Local == name && (ps.XML.Namespace == "" || a.Name.Space == ps.XML.Namespace) {
					m[prop] = xmlScalar(a.Value, ps)
				}
			}
			continue
		}
		if ps != nil && ps.Type != nil && ps.Type.Is("array") && (ps.XML == nil || !ps.XML.Wrapped) {
			// Unwrapped array: every child named like the items (or the property).
			var items *openapi3.Schema
			if ps.Items != nil {
				items = ps.Items.Value
			}
			itemName := name
			if items != nil && items.XML != nil && items.XML.Name != "" {
				itemName = items.XML.Name
			}
			var list []any
			for i, k := range n.kids {
				if used[i] || k.name.Local != itemName {
					continue
				}
				used[i] = true
				v, err := xmlValue(k, items, at+"/"+prop)
				if err != nil {
					return nil, err
				}
				list = append(list, v)
			}
			if list != nil {
				m[prop] = list
			}
			continue
		}
		for i, k := range n.kids {
			if used[i] || k.name.Local != name {
				continue
			}
			used[i] = true
			if ps != nil && ps.XML != nil && ps.XML.Namespace != "" && k.name.Space != ps.XML.Namespace {
				return nil, fmt.Errorf("%s/%s is in namespace %q, the schema's is %q", at, name, k.name.Space, ps.XML.Namespace)
			}
			v, err := xmlValue(k, ps, at+"/"+name)
			if err != nil {
				return nil, err
			}
			m[prop] = v
			break
		}
	}
	for i, k := range n.kids {
		if !used[i] {
			if _, taken := m[k.name.Local]; !taken {
				m[k.name.Local] = k.text.String()
			}
		}
	}
	return m, nil
}

func xmlScalar(text string, s *openapi3.Schema) any {
	t := strings.TrimSpace(text)
	switch {
	case s.Type.Is("integer"), s.Type.Is("number"):
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			return f
		}
	case s.Type.Is("boolean"):
		switch t {
		case "true", "1":
			return true
		case "false", "0":
			return false
		}
	}
	return text // a string, or a value of the wrong type for validation to refuse
}
