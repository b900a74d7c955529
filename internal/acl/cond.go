package acl

import (
	"fmt"
	"strings"
)

// Result is the outcome of a condition evaluated on a request that may
// still be incomplete (HAProxy's ACL_TEST_FAIL, ACL_TEST_MISS and
// ACL_TEST_PASS).
type Result uint8

// The values are chosen so that AND is & and OR is | (HAProxy's encoding).
const (
	// False: the condition does not hold.
	False Result = 0
	// Miss: the condition does not hold yet but might once more data has
	// arrived (only when Txn.More is set): a tcp-request content rule
	// should wait for more data or for the inspect-delay to expire.
	Miss Result = 1
	// True: the condition holds.
	True Result = 3
)

// String returns "true", "miss" or "false".
func (r Result) String() string {
	switch r {
	case True:
		return "true"
	case Miss:
		return "miss"
	}
	return "false"
}

// not negates r; "not yet" stays "not yet".
func (r Result) not() Result {
	switch r {
	case True:
		return False
	case False:
		return True
	}
	return Miss
}

// Cond is a compiled `if|unless` condition: a disjunction of conjunctions
// of possibly negated ACLs.
type Cond struct {
	unless bool
	suites [][]term
	text   string
}

type term struct {
	acl *acl
	neg bool
}

// Cond compiles a condition. words are ["if"|"unless", terms...]: terms are
// ACL names (the Set's or the predefined ones), joined by an implicit AND;
// `or` (any case) or `||` starts a new AND group; `!` negates the next
// ACL, prefixed (`!name`, `!!name`) or standing alone (`! name`); `{
// criterion [flags] [patterns] }` is an anonymous ACL, with the braces as
// separate words, exactly one expression and no nesting.
//
// Errors read like HAProxy's ("no such ACL : 'x'", "missing closing '}' in
// condition"); the caller adds the rule and FILE:LINE.
func (s *Set) Cond(words []string) (*Cond, error) {
	if len(words) == 0 {
		return nil, fmt.Errorf("missing 'if' or 'unless'")
	}
	words = untilEmpty(words)
	if len(words) == 0 {
		return nil, fmt.Errorf("missing 'if' or 'unless'")
	}
	c := &Cond{text: strings.Join(words, " ")}
	switch words[0] {
	case "if":
	case "unless":
		c.unless = true
	default:
		return nil, fmt.Errorf("unexpected keyword '%s', only 'if' and 'unless' are allowed", words[0])
	}
	var suite []term
	neg := false
	for i := 1; i < len(words); i++ {
		w := words[i]
		for strings.HasPrefix(w, "!") {
			neg = !neg
			w = w[1:]
		}
		if w == "" {
			// A standalone "!" negates the next term.
			continue
		}
		if strings.EqualFold(w, "or") || w == "||" {
			if len(suite) > 0 {
				c.suites = append(c.suites, suite)
			}
			suite, neg = nil, false
			continue
		}
		var a *acl
		if w == "{" {
			end := i + 1
			for end < len(words) && words[end] != "}" {
				end++
			}
			if end == len(words) {
				return nil, fmt.Errorf("missing closing '}' in condition")
			}
			e, err := parseExpr(words[i+1:end], s.Warn)
			if err != nil {
				return nil, err
			}
			a = &acl{name: "anonymous", exprs: []*expr{e}}
			i = end
		} else {
			var err error
			if a, err = s.lookup(w); err != nil {
				return nil, err
			}
		}
		suite = append(suite, term{acl: a, neg: neg})
		neg = false
	}
	if len(suite) > 0 {
		c.suites = append(c.suites, suite)
	}
	if len(c.suites) == 0 {
		// HAProxy 2.6 accepts an empty condition as "never" ("always" with
		// unless); it is almost certainly a mistake, so refuse it.
		return nil, fmt.Errorf("missing condition after '%s'", words[0])
	}
	return c, nil
}

// Exec evaluates the condition, short-circuiting: AND groups stop at the
// first false term, the OR stops at the first true group. The result is
// Miss only when t.More is set and the answer depends on data not received
// yet. Exec does not allocate once t's scratch space has grown (see
// [Txn.Reset]).
func (c *Cond) Exec(t *Txn) Result {
	res := False
	for _, suite := range c.suites {
		sres := True
		for i := range suite {
			tm := &suite[i]
			r := tm.acl.exec(t)
			if tm.neg {
				r = r.not()
			}
			sres &= r
			if sres == False {
				break
			}
		}
		res |= sres
		if res == True {
			break
		}
	}
	if c.unless {
		res = res.not()
	}
	return res
}

// Eval reports whether the condition holds (Exec(t) == True).
func (c *Cond) Eval(t *Txn) bool {
	return c.Exec(t) == True
}

// String returns the condition's words as given to [Set.Cond].
func (c *Cond) String() string {
	return c.text
}
