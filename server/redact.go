package server

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// readErrorText words why a PaymentCommit body cannot be read without
// quoting the body: the answer's Message is also logged, and a body that
// breaks the syntax may do so inside the password (an unescaped & or < in
// XML, a stray % in a form). The XML decoder names the entity or element
// it stopped at, and a bad %-escape is quoted; both are replaced by a plain
// description. JSON's errors quote at most one character and are kept.
func readErrorText(err error) string {
	var syntax *xml.SyntaxError
	if errors.As(err, &syntax) {
		if strings.ContainsAny(syntax.Msg, "<&\"'") {
			return fmt.Sprintf("XML syntax error on line %d: the markup is malformed (an element, entity or attribute; escape & and < in values)", syntax.Line)
		}
		return syntax.Error()
	}
	var escape url.EscapeError
	if errors.As(err, &escape) {
		return "invalid URL escape (a % not followed by two hexadecimal digits)"
	}
	return err.Error()
}
