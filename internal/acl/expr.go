package acl

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// expr is one compiled ACL expression: `criterion [flags] [patterns]`.
type expr struct {
	f    fetch
	conv []converter
	pats patSet
}

// parseExpr compiles the words of an ACL expression. warn receives
// HAProxy's non-fatal diagnostics (may be nil).
func parseExpr(args []string, warn func(string)) (*expr, error) {
	args = untilEmpty(args)
	if len(args) == 0 || args[0] == "" {
		return nil, fmt.Errorf("missing fetch method in ACL expression ''")
	}
	f, conv, err := parseCriterion(args[0], "ACL keyword")
	if err != nil {
		var u unknownFetchError
		if errors.As(err, &u) {
			return nil, fmt.Errorf("%v in ACL expression '%s'", err, args[0])
		}
		return nil, err
	}
	e := &expr{f: f, conv: conv}
	e.pats.m = f.def.suffix
	args = args[1:]
	bare := len(args) == 0 // HAProxy warns about a missing pattern only then

	fold, noDNS, loaded := false, false, false
	// Flags come first; the first word that is not one starts the patterns.
flags:
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "-i":
			fold = true
		case "-n":
			// Do not resolve names in IP patterns: short forms such as
			// "127.1" are refused too (HAProxy hands them to the resolver).
			noDNS = true
		case "-M":
			// Load the file as a map: irrelevant to an ACL.
		case "--":
			args = args[1:]
			break flags
		case "-m":
			if f.def.suffix != mNone {
				return nil, fmt.Errorf("'-m' cannot be used with ACL keyword '%s' (it implies '-m %v')", f.keyword, f.def.suffix)
			}
			if loaded {
				return nil, fmt.Errorf("'-m' must only be specified before patterns and files in parsing ACL expression")
			}
			if len(args) < 2 || args[1] == "" {
				return nil, fmt.Errorf("'-m' flag requires a match method")
			}
			m, ok := methodByName[args[1]]
			if !ok {
				return nil, fmt.Errorf("unknown matching method '%s' when parsing ACL expression", args[1])
			}
			e.pats.m = m
			args = args[1:]
		case "-u":
			if len(args) < 2 {
				return nil, fmt.Errorf("the argument of -u must be an integer")
			}
			if _, err := strconv.Atoi(args[1]); err != nil {
				return nil, fmt.Errorf("the argument of -u must be an integer")
			}
			args = args[1:]
		case "-f":
			if len(args) < 2 || args[1] == "" {
				return nil, fmt.Errorf("'-f' expects a file name")
			}
			if e.pats.m == mNone {
				e.pats.m = defaultMethod(&f)
			}
			if err := e.loadFile(args[1], fold, noDNS); err != nil {
				return nil, err
			}
			loaded = true
			args = args[1:]
		default:
			return nil, fmt.Errorf("'%s' is not a valid ACL option. Please use '--' before any pattern beginning with a '-'", args[0])
		}
		args = args[1:]
	}
	if e.pats.m == mNone {
		e.pats.m = defaultMethod(&f)
	}
	if err := e.addPatterns(args, fold, noDNS); err != nil {
		return nil, err
	}
	e.pats.finish()
	if bare && e.pats.m.needsPatterns() && warn != nil {
		warn(fmt.Sprintf("parsing acl keyword '%s' :\n"+
			"  no pattern to match against were provided, so this ACL will never match.\n"+
			"  If this is what you intended, please add '--' to get rid of this warning.\n"+
			"  If you intended to match only for existence, please use '-m found'.\n"+
			"  If you wanted to force an int to match as a bool, please use '-m bool'.", f.keyword))
	}
	return e, nil
}

// untilEmpty cuts words at the first empty one: HAProxy's word lists end
// with an empty word, so a quoted "" ends an ACL or a condition there.
func untilEmpty(words []string) []string {
	for i, w := range words {
		if w == "" {
			return words[:i]
		}
	}
	return words
}

// addPatterns compiles inline patterns. For integer matching (int, len),
// the words eq, ge, gt, le and lt are operators applying to the patterns
// that follow them.
func (e *expr) addPatterns(words []string, fold, noDNS bool) error {
	op := "eq"
	for _, w := range words {
		if e.pats.m == mInt || e.pats.m == mLen {
			if isOperator(w) {
				op = w
				continue
			}
			var err error
			if w, err = operatorPattern(op, w); err != nil {
				return err
			}
		}
		if err := e.pats.add(w, fold, noDNS); err != nil {
			return err
		}
	}
	return nil
}

// loadFile adds the patterns of a `-f` file: one per line, the line's
// leading spaces and tabs removed (trailing ones are kept, as in HAProxy),
// lines starting with '#' and empty lines skipped.
func (e *expr) loadFile(path string, fold, noDNS bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("failed to open pattern file <%s>", path)
	}
	for n := 1; len(data) > 0; n++ {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) > 0 && line[0] == '#' {
			continue
		}
		if i := bytes.IndexByte(line, '\r'); i >= 0 {
			line = line[:i]
		}
		line = bytes.TrimLeft(line, " \t")
		if len(line) == 0 {
			continue
		}
		if err := e.pats.add(string(line), fold, noDNS); err != nil {
			return fmt.Errorf("%v at line %d of file '%s'", err, n, path)
		}
	}
	return nil
}

// exec evaluates the expression: True when one of the fetch's values
// matches a pattern, Miss when none did but the answer may change as more
// data arrives, False otherwise.
func (e *expr) exec(t *Txn) Result {
	var c cursor
	buf := t.scratch[:0]
	res := False
	for {
		var v value
		b, ok := e.f.next(t, &c, true, &v, buf[:0])
		buf = b
		if !ok {
			break
		}
		if len(e.conv) > 0 {
			v, buf = convert(v, e.conv, buf)
		}
		var m bool
		m, buf = e.pats.match(&v, buf)
		if m {
			res = True
			break
		}
	}
	t.scratch = buf[:0]
	if res == False && e.f.mayChange(t) {
		return Miss
	}
	return res
}

// convert applies converters to v; the result lives in buf.
func convert(v value, conv []converter, buf []byte) (value, []byte) {
	n := len(buf)
	s, buf := v.asStr(buf)
	if len(buf) == n {
		// s aliases the request or a constant: copy before rewriting.
		buf = append(buf, s...)
	}
	out := buf[n:]
	for _, c := range conv {
		for i, b := range out {
			if c == convLower {
				out[i] = lower(b)
			} else {
				out[i] = upper(b)
			}
		}
	}
	return value{k: kStr, s: out}, buf
}
