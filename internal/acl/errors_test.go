package acl

import (
	"strings"
	"testing"
)

func TestDeclareErrors(t *testing.T) {
	const p = "error detected while parsing ACL 'a' : "
	tests := []struct {
		name string
		acl  string // words after "acl"
		want string // the whole message
	}{
		{"missing name", "", "missing ACL name"},
		{"bad name", "a/b path /", "character '/' is not permitted in acl name 'a/b'"},
		{"missing fetch", "a", p + "missing fetch method in ACL expression ''"},
		{"unknown fetch", "a xyz foo", p + "unknown fetch method 'xyz' in ACL expression 'xyz'"},
		{"unknown fetch with args", "a xyz(1) foo", p + "unknown fetch method 'xyz' in ACL expression 'xyz(1)'"},
		{"predefined is not a fetch", "a LOCALHOST", p + "unknown fetch method 'LOCALHOST' in ACL expression 'LOCALHOST'"},
		{"unknown method", "a path -m foo x", p + "unknown matching method 'foo' when parsing ACL expression"},
		{"missing method", "a path -m", p + "'-m' flag requires a match method"},
		{"-m on suffixed fetch", "a hdr_beg(host) -m str foo", p + "'-m' cannot be used with ACL keyword 'hdr_beg' (it implies '-m beg')"},
		{"-m on path_len", "a path_len -m str 3", p + "'-m' cannot be used with ACL keyword 'path_len' (it implies '-m len')"},
		{"-m after -f", "a path -f /dev/null -m beg", p + "'-m' must only be specified before patterns and files in parsing ACL expression"},
		{"bad regex", "a path_reg (", p + "regex '(' is invalid (error=error parsing regexp: missing closing ): `(`)"},
		{"bad class", "a path -m reg x[", p + "regex 'x[' is invalid (error=error parsing regexp: missing closing ]: `[`)"},
		{"pcre lookahead", "a path_reg a(?=b)", p + "regex 'a(?=b)' is invalid (error=error parsing regexp: invalid or unsupported Perl syntax: `(?=`; hawser uses Go's RE2 syntax: PCRE look-around, back-references, possessive quantifiers and atomic groups are not supported)"},
		{"pcre backreference", `a path_reg (a)\1`, p + "regex '(a)\\1' is invalid (error=error parsing regexp: invalid escape sequence: `\\1`; hawser uses Go's RE2 syntax: PCRE look-around, back-references, possessive quantifiers and atomic groups are not supported)"},
		{"pcre possessive", "a path_reg a*+", p + "regex 'a*+' is invalid (error=error parsing regexp: invalid nested repetition operator: `*+`; hawser uses Go's RE2 syntax: PCRE look-around, back-references, possessive quantifiers and atomic groups are not supported)"},
		{"bad ip", "a src 300.1.1.1", p + "'300.1.1.1' is not a valid IPv4 or IPv6 address"},
		{"bad mask", "a src 10.0.0.0/33", p + "'10.0.0.0/33' is not a valid IPv4 or IPv6 address"},
		{"host name", "a src localhost", p + "'localhost' is not a valid IPv4 or IPv6 address"},
		{"short form with -n", "a src -n 127.1", p + "'127.1' is not a valid IPv4 or IPv6 address"},
		{"bad v6 mask", "a src ::1/129", p + "'::1/129' is not a valid IPv4 or IPv6 address"},
		{"not a number", "a dst_port abc", p + "'abc' is not a number"},
		{"too big", "a dst_port 99999999999999999999", p + "'99999999999999999999' is not a number"},
		{"decimal", "a dst_port 5.5", p + "'5.5' is not a number"},
		{"bad range", "a dst_port 1:x", p + "'1:x' is not a valid number range"},
		{"double range", "a dst_port 1:2:3", p + "'1:2:3' is not a valid number range"},
		{"bad operand", "a dst_port gt x", p + "'x' is neither a number nor a supported operator"},
		{"bad len", "a path_len abc", p + "'abc' is not a number"},
		{"bad hex", "a path -m bin 2g", p + "'2g' is not a valid hex string"},
		{"bad occ", "a hdr(host,x) foo", p + "ACL keyword 'hdr' : failed to parse 'x' as type 'integer' at position 2"},
		{"too many args", "a hdr(host,1,2) foo", p + "ACL keyword 'hdr' : expected ')' before ',2)'"},
		{"args to argless fetch", "a path(x) /", p + "ACL keyword 'path' : expected ')' before 'x)'"},
		{"too many hdr_cnt args", "a hdr_cnt(x,1) 1", p + "ACL keyword 'hdr_cnt' : expected ')' before ',1)'"},
		{"unclosed args", "a hdr(x foo", p + "ACL keyword 'hdr' : expected ')'"},
		{"junk after args", "a hdr(x)y foo", p + "ACL keyword 'hdr' : missing comma after fetch keyword"},
		{"unknown converter", "a path,nosuch foo", p + "ACL keyword 'path' : unknown converter 'nosuch' (hawser supports lower and upper)"},
		{"unknown flag", "a path -x x", p + "'-x' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'"},
		{"negative pattern", "a dst_port -5", p + "'-5' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'"},
		{"bad -u", "a path -u x x", p + "the argument of -u must be an integer"},
		{"missing -u", "a path -u", p + "the argument of -u must be an integer"},
		{"missing -f", "a path -f", p + "'-f' expects a file name"},
		{"missing file", "a path -f /nonexistent/file", p + "failed to open pattern file </nonexistent/file>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			words := w(tc.acl)
			name := ""
			if len(words) > 0 {
				name, words = words[0], words[1:]
			}
			err := NewSet().Declare(name, words)
			if err == nil {
				t.Fatalf("acl %s: no error, want %q", tc.acl, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("acl %s:\n got: %s\nwant: %s", tc.acl, err, tc.want)
			}
		})
	}
}

func TestCondErrors(t *testing.T) {
	tests := []struct {
		cond string
		want string
	}{
		{"", "missing 'if' or 'unless'"},
		{"foo bar", "unexpected keyword 'foo', only 'if' and 'unless' are allowed"},
		{"If known", "unexpected keyword 'If', only 'if' and 'unless' are allowed"},
		{"if", "missing condition after 'if'"},
		{"unless", "missing condition after 'unless'"},
		{"if !", "missing condition after 'if'"},
		{"if or", "missing condition after 'if'"},
		{"if nosuch", "no such ACL : 'nosuch'"},
		{"if known nosuch", "no such ACL : 'nosuch'"},
		{"if known or !nosuch", "no such ACL : 'nosuch'"},
		{"if true", "no such ACL : 'true'"},
		{"if { path /", "missing closing '}' in condition"},
		{"if {", "missing closing '}' in condition"},
		{"if { }", "missing fetch method in ACL expression ''"},
		{"if known }", "no such ACL : '}'"},
		{"if { path / } }", "no such ACL : '}'"},
		{"if { { path / } }", "unknown fetch method '{' in ACL expression '{'"},
		{"if {path / }", "no such ACL : '{path'"},
		{"if { xyz }", "unknown fetch method 'xyz' in ACL expression 'xyz'"},
		{"if { src 1.2.3.256 }", "'1.2.3.256' is not a valid IPv4 or IPv6 address"},
		{"if { hdr_beg(host) -m beg x }", "'-m' cannot be used with ACL keyword 'hdr_beg' (it implies '-m beg')"},
		{"if { path_reg ( }", "regex '(' is invalid (error=error parsing regexp: missing closing ): `(`)"},
	}
	s := NewSet()
	if err := s.Declare("known", []string{"path", "/"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.cond, func(t *testing.T) {
			_, err := s.Cond(w(tc.cond))
			if err == nil {
				t.Fatalf("%q: no error, want %q", tc.cond, tc.want)
			}
			if err.Error() != tc.want {
				t.Errorf("%q:\n got: %s\nwant: %s", tc.cond, err, tc.want)
			}
		})
	}
	// An anonymous ACL is not added to the Set.
	if _, err := s.Cond(w("if { path /x }")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Cond(w("if anonymous")); err == nil || !strings.Contains(err.Error(), "no such ACL") {
		t.Errorf("anonymous ACL leaked into the set: %v", err)
	}
}
