package acl

import (
	"fmt"
)

// Set holds the ACLs of one proxy section (frontend, backend or listen).
// HAProxy's predefined ACLs (TRUE, HTTP, METH_GET, ...) are visible in every
// Set unless the section declares an ACL of the same name.
//
// Declare and Cond are for configuration time; once the conditions are
// compiled, evaluating them from many goroutines is safe as long as no more
// ACLs are declared.
type Set struct {
	// Warn, when not nil, receives the diagnostics HAProxy prints as
	// warnings (for example an ACL without any pattern, which never
	// matches). The caller prefixes FILE:LINE.
	Warn func(msg string)

	acls map[string]*acl
}

// acl is a named ACL: the OR of its declarations, in declaration order.
type acl struct {
	name  string
	exprs []*expr
}

// NewSet returns an empty Set.
func NewSet() *Set {
	return &Set{acls: map[string]*acl{}}
}

// Declare compiles one `acl NAME CRITERION [flags] [patterns...]` line;
// args are the words after NAME, already unquoted by the configuration
// lexer. Declaring NAME again adds a test to it: the ACL matches when any
// of its declarations does (HAProxy), and conditions compiled earlier see
// the addition.
//
// Errors read like HAProxy's, without FILE:LINE, e.g.
// "error detected while parsing ACL 'a' : unknown fetch method 'xyz' in ACL
// expression 'xyz'". A pattern file named by -f is opened as given.
func (s *Set) Declare(name string, args []string) error {
	if name == "" {
		return fmt.Errorf("missing ACL name")
	}
	for i := 0; i < len(name); i++ {
		if !validNameChar(name[i]) {
			return fmt.Errorf("character '%c' is not permitted in acl name '%s'", name[i], name)
		}
	}
	e, err := parseExpr(args, s.Warn)
	if err != nil {
		return fmt.Errorf("error detected while parsing ACL '%s' : %w", name, err)
	}
	a := s.acls[name]
	if a == nil {
		a = &acl{name: name}
		s.acls[name] = a
	}
	a.exprs = append(a.exprs, e)
	return nil
}

// validNameChar reports the characters allowed in ACL names
// (configuration.txt §7.1: upper and lower case letters, digits, '-', '_',
// '.' and ':').
func validNameChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == ':'
}

// lookup finds an ACL by name: the section's own first, then the
// predefined ones.
func (s *Set) lookup(name string) (*acl, error) {
	if a := s.acls[name]; a != nil {
		return a, nil
	}
	pre, err := predefined()
	if err != nil {
		return nil, err
	}
	if a := pre[name]; a != nil {
		return a, nil
	}
	return nil, fmt.Errorf("no such ACL : '%s'", name)
}

// exec evaluates the ACL: the OR of its expressions, short-circuited.
func (a *acl) exec(t *Txn) Result {
	res := False
	for _, e := range a.exprs {
		res |= e.exec(t)
		if res == True {
			break
		}
	}
	return res
}
