package config

import (
	"fmt"
	"strconv"
	"strings"
)

// HAProxyVersion is the HAProxy version whose configuration language
// hawser follows. `.if version_atleast(X)` and `version_before(X)` compare
// against it, so that configs written for HAProxy 2.6 take the same
// branches under hawser.
const HAProxyVersion = "2.6.12"

// condStack tracks nested .if blocks while lines are read.
type condStack struct {
	frames []condFrame
}

type condFrame struct {
	pos     Pos
	active  bool // lines in the current branch are used
	taken   bool // a branch of this block was already used
	parent  bool // the enclosing block is active
	sawElse bool
}

// active reports whether lines at the current nesting are used.
func (s *condStack) active() bool {
	return len(s.frames) == 0 || s.frames[len(s.frames)-1].active
}

// handle processes a line that starts with '.', returning whether it was a
// conditional directive. Messages (.diag/.notice/.warning) are appended to
// warns; .alert is an error when active.
func (s *condStack) handle(ln Line, env LookupEnv, warns *[]Warning) (bool, error) {
	kw := ln.Words[0]
	switch kw {
	case ".if":
		parent := s.active()
		v := false
		if parent {
			var err error
			if v, err = evalCond(ln.Words[1:], env); err != nil {
				return true, &Error{Pos: ln.Pos, Msg: err.Error()}
			}
		}
		s.frames = append(s.frames, condFrame{pos: ln.Pos, active: parent && v, taken: v, parent: parent})
	case ".elif":
		f, err := s.top(ln, kw)
		if err != nil {
			return true, err
		}
		if f.sawElse {
			return true, &Error{Pos: ln.Pos, Msg: "'.elif' after '.else'"}
		}
		f.active = false
		if f.parent && !f.taken {
			v, err := evalCond(ln.Words[1:], env)
			if err != nil {
				return true, &Error{Pos: ln.Pos, Msg: err.Error()}
			}
			f.active, f.taken = v, v
		}
	case ".else":
		f, err := s.top(ln, kw)
		if err != nil {
			return true, err
		}
		if f.sawElse {
			return true, &Error{Pos: ln.Pos, Msg: "several '.else' in the same block"}
		}
		f.sawElse = true
		f.active = f.parent && !f.taken
		f.taken = true
	case ".endif":
		if _, err := s.top(ln, kw); err != nil {
			return true, err
		}
		s.frames = s.frames[:len(s.frames)-1]
	case ".diag", ".notice", ".warning", ".alert":
		if !s.active() {
			return true, nil
		}
		msg := strings.Join(ln.Words[1:], " ")
		if kw == ".alert" {
			return true, &Error{Pos: ln.Pos, Msg: msg}
		}
		*warns = append(*warns, Warning{Pos: ln.Pos, Msg: msg})
	default:
		return false, nil
	}
	return true, nil
}

func (s *condStack) top(ln Line, kw string) (*condFrame, error) {
	if len(s.frames) == 0 {
		return nil, &Error{Pos: ln.Pos, Msg: fmt.Sprintf("'%s' without a matching '.if'", kw)}
	}
	return &s.frames[len(s.frames)-1], nil
}

// unclosed returns an error for a block still open at the end of a file.
func (s *condStack) unclosed() error {
	if len(s.frames) == 0 {
		return nil
	}
	return &Error{Pos: s.frames[len(s.frames)-1].pos, Msg: "'.if' block is not closed by '.endif' before the end of the file"}
}

// evalCond evaluates the expression of an .if/.elif line: predicates
// defined(VAR), feature(NAME), streq(a,b), strneq(a,b),
// version_atleast(V), version_before(V), integers (0 is false), '!',
// '&&', '||' and parentheses.
func evalCond(words []string, env LookupEnv) (bool, error) {
	if len(words) == 0 {
		return false, fmt.Errorf("missing condition after '.if'")
	}
	p := &condParser{s: strings.Join(words, " "), env: env}
	v, err := p.or()
	if err != nil {
		return false, err
	}
	p.skipSpace()
	if p.i < len(p.s) {
		return false, fmt.Errorf("unexpected '%s' in condition", p.s[p.i:])
	}
	return v, nil
}

type condParser struct {
	s   string
	i   int
	env LookupEnv
}

func (p *condParser) skipSpace() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *condParser) eat(tok string) bool {
	p.skipSpace()
	if strings.HasPrefix(p.s[p.i:], tok) {
		p.i += len(tok)
		return true
	}
	return false
}

func (p *condParser) or() (bool, error) {
	v, err := p.and()
	for err == nil && p.eat("||") {
		var r bool
		r, err = p.and()
		v = v || r
	}
	return v, err
}

func (p *condParser) and() (bool, error) {
	v, err := p.term()
	for err == nil && p.eat("&&") {
		var r bool
		r, err = p.term()
		v = v && r
	}
	return v, err
}

func (p *condParser) term() (bool, error) {
	if p.eat("!") {
		v, err := p.term()
		return !v, err
	}
	if p.eat("(") {
		v, err := p.or()
		if err != nil {
			return false, err
		}
		if !p.eat(")") {
			return false, fmt.Errorf("missing ')' in condition")
		}
		return v, nil
	}
	p.skipSpace()
	start := p.i
	for p.i < len(p.s) && p.s[p.i] != '(' && p.s[p.i] != ' ' && p.s[p.i] != ')' && p.s[p.i] != '&' && p.s[p.i] != '|' {
		p.i++
	}
	name := p.s[start:p.i]
	if name == "" {
		return false, fmt.Errorf("missing term in condition")
	}
	if n, err := strconv.Atoi(name); err == nil {
		return n != 0, nil
	}
	if p.i >= len(p.s) || p.s[p.i] != '(' {
		return false, fmt.Errorf("unknown term '%s' in condition", name)
	}
	end := strings.IndexByte(p.s[p.i:], ')')
	if end < 0 {
		return false, fmt.Errorf("missing ')' after '%s('", name)
	}
	args := strings.Split(p.s[p.i+1:p.i+end], ",")
	p.i += end + 1
	return p.predicate(name, args)
}

func (p *condParser) predicate(name string, args []string) (bool, error) {
	want := map[string]int{"defined": 1, "feature": 1, "streq": 2, "strneq": 2, "version_atleast": 1, "version_before": 1}
	n, ok := want[name]
	if !ok {
		return false, fmt.Errorf("unknown predicate '%s' in condition", name)
	}
	if len(args) != n {
		return false, fmt.Errorf("predicate '%s' takes %d argument(s)", name, n)
	}
	switch name {
	case "defined":
		_, ok := lookup(p.env, args[0])
		return ok, nil
	case "feature":
		// hawser does not claim any of HAProxy's build features (OPENSSL,
		// LUA, …): configs guard such blocks with feature().
		return false, nil
	case "streq":
		return args[0] == args[1], nil
	case "strneq":
		return args[0] != args[1], nil
	case "version_atleast":
		return compareVersions(HAProxyVersion, args[0]) >= 0, nil
	default: // version_before
		return compareVersions(HAProxyVersion, args[0]) < 0, nil
	}
}

// compareVersions compares dotted numeric versions ("2.6.12" vs "2.4").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
