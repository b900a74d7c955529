package h1

import (
	"errors"
	"strings"
)

// ruleOf returns the rule behind an error returned by this package, or
// ruleNone.
func ruleOf(err error) rule {
	var e *Error
	if !errors.As(err, &e) {
		return ruleNone
	}
	for r := range numRules {
		if reqErrs[r] == e || respErrs[r] == e {
			return r
		}
	}
	return ruleNone
}

// errName describes err for test messages.
func errName(err error) string {
	switch {
	case err == nil:
		return "<nil>"
	case err == ErrIncomplete:
		return "ErrIncomplete"
	}
	return err.Error()
}

// crlf turns the "|" line ends of a readable test head into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "|", "\r\n") }

const wsKey = "dGhlIHNhbXBsZSBub25jZQ==" // RFC 6455 §1.3, 24 characters
