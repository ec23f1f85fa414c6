package server

import (
	"errors"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Request validation findings in a form that the YooKassa and LCManager
// renderers word in their own vocabulary (a parameter name, a reason).

// finding is one problem kin-openapi found in a request.
type finding struct {
	param   string // a header, path or query parameter's name
	field   string // a body field, dotted ("amount.value"); "" for the body itself
	reason  string // e.g. "must be a string"
	missing bool   // a required field, parameter or body is absent
	parse   bool   // the body could not be decoded at all
	badType bool   // the body's Content-Type is not documented
}

// flattenValidation lists kin-openapi's findings: parameters first, then
// the body itself, then body fields by name.
func flattenValidation(err error) []finding {
	var out []finding
	var walk func(reqErr *openapi3filter.RequestError, err error)
	walk = func(reqErr *openapi3filter.RequestError, err error) {
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, inner := range e {
				walk(reqErr, inner)
			}
			return
		case *openapi3filter.RequestError:
			if e.Err != nil {
				if _, isMulti := e.Err.(openapi3.MultiError); isMulti {
					walk(e, e.Err)
					return
				}
			}
			out = append(out, findingOf(e, e))
			return
		}
		out = append(out, findingOf(reqErr, err))
	}
	walk(nil, err)
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

func rank(f finding) string {
	switch {
	case f.param != "":
		return "0" + f.param
	case f.field == "":
		return "1"
	default:
		return "2" + f.field
	}
}

func findingOf(reqErr *openapi3filter.RequestError, err error) finding {
	var f finding
	if reqErr != nil && reqErr.Parameter != nil {
		f.param = reqErr.Parameter.Name
	}
	switch {
	case errors.Is(err, openapi3filter.ErrInvalidRequired), errors.Is(err, openapi3filter.ErrInvalidEmptyValue):
		f.missing = true
		f.reason = "is required"
		return f
	}
	var parseErr *openapi3filter.ParseError
	if errors.As(err, &parseErr) {
		if jb, ok := asJSONBodyError(parseErr); ok && f.param == "" {
			f.field, f.reason, f.parse = jb.field, jb.reason, jb.field == ""
			return f
		}
		f.parse = f.param == ""
		f.reason = "is malformed"
		return f
	}
	var schemaErr *openapi3.SchemaError
	if errors.As(err, &schemaErr) {
		if f.param == "" {
			f.field = strings.Join(schemaErr.JSONPointer(), ".")
		}
		f.reason = reasonOf(schemaErr.Reason)
		if schemaErr.SchemaField == "required" {
			f.missing = true
			f.reason = "is required"
		}
		if schemaErr.SchemaField == "oneOf" || schemaErr.SchemaField == "anyOf" {
			f.reason = "does not match any of the documented shapes"
		}
		return f
	}
	if reqErr != nil {
		f.reason = reqErr.Reason
		if strings.HasPrefix(reqErr.Reason, "header Content-Type has unexpected value") {
			f.badType = true
		}
		if f.reason == "" && reqErr.Err != nil {
			f.reason = reqErr.Err.Error()
		}
		return f
	}
	f.reason = "is invalid"
	return f
}

// reasonOf words kin-openapi's "value must be a string" as "must be a string".
func reasonOf(reason string) string {
	if r, ok := strings.CutPrefix(reason, "value "); ok {
		return r
	}
	if r, ok := strings.CutPrefix(reason, "Value "); ok {
		return r
	}
	return reason
}
