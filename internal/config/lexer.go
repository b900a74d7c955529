package config

import (
	"bytes"
	"fmt"
	"strings"
)

// Line is one statement: the words of a line after quote removal, escape
// processing and environment expansion, and where it was read.
type Line struct {
	Pos   Pos
	Words []string
}

// LookupEnv finds the value of an environment variable. The parser passes
// one that sees `setenv`/`presetenv`/`unsetenv` lines of the global section
// before the process environment, because HAProxy applies them while it
// reads the file.
type LookupEnv func(name string) (string, bool)

// lexer splits a file into Lines, one at a time, so that environment
// changes made by earlier lines apply to later ones.
type lexer struct {
	file string
	src  []byte
	line int
	env  LookupEnv
}

func newLexer(file string, src []byte, env LookupEnv) *lexer {
	return &lexer{file: file, src: src, env: env}
}

// next returns the next line that holds at least one word. ok is false at
// the end of the file.
func (l *lexer) next() (ln Line, ok bool, err error) {
	for len(l.src) > 0 {
		raw := l.src
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			raw, l.src = raw[:i], l.src[i+1:]
		} else {
			l.src = nil
		}
		l.line++
		raw = bytes.TrimSuffix(raw, []byte{'\r'})
		pos := Pos{File: l.file, Line: l.line}
		words, err := splitWords(raw, l.env)
		if err != nil {
			return Line{}, false, &Error{Pos: pos, Msg: err.Error()}
		}
		if len(words) > 0 {
			return Line{Pos: pos, Words: words}, true, nil
		}
	}
	return Line{}, false, nil
}

// splitWords applies HAProxy's word rules to one line:
//   - unprotected blanks (space, tab) separate words, runs count as one;
//   - an unprotected '#' starts a comment;
//   - outside quotes and inside double quotes a backslash escapes the next
//     character (\ , \#, \\, \', \", \$) or introduces \n, \r, \t, \xNN;
//   - "..." protects blanks, '#' and ', and expands $VAR, ${VAR},
//     ${VAR-default} (for unset variables only) and ${VAR[*]} (one word per
//     blank-separated element);
//   - '...' protects everything, backslashes included;
//   - quoted and unquoted pieces next to each other make one word.
//
// These were checked against haproxy 2.6 (see lexer_test.go).
func splitWords(line []byte, env LookupEnv) ([]string, error) {
	var (
		words  []string
		cur    []byte
		inWord bool // a word has started, even if it is still empty ("")
	)
	flush := func() {
		if inWord {
			words = append(words, string(cur))
		}
		cur, inWord = cur[:0], false
	}
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case c == ' ' || c == '\t':
			flush()
			i++
		case c == '#':
			flush()
			return words, nil
		case c == '\\':
			n, out := unescape(line[i:])
			cur = append(cur, out...)
			inWord = true
			i += n
		case c == '\'':
			end := bytes.IndexByte(line[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unmatched quote at position %d", i+1)
			}
			cur = append(cur, line[i+1:i+1+end]...)
			inWord = true
			i += end + 2
		case c == '"':
			inWord = true
			i++
			closed := false
			for i < len(line) && !closed {
				switch c := line[i]; c {
				case '"':
					closed = true
					i++
				case '\\':
					n, out := unescape(line[i:])
					cur = append(cur, out...)
					i += n
				case '$':
					n, parts, err := expand(line[i:], env)
					if err != nil {
						return nil, err
					}
					i += n
					for k, p := range parts {
						if k > 0 {
							// ${VAR[*]}: each further element is a word of its own.
							flush()
							inWord = true
						}
						cur = append(cur, p...)
					}
				default:
					cur = append(cur, c)
					i++
				}
			}
			if !closed {
				return nil, fmt.Errorf("unmatched quote at position %d", i)
			}
		default:
			cur = append(cur, c)
			inWord = true
			i++
		}
	}
	flush()
	return words, nil
}

// unescape handles a backslash sequence at the start of s and returns how
// many bytes it used and what it stands for. An unknown escape is kept as
// written, as HAProxy does.
func unescape(s []byte) (int, []byte) {
	if len(s) < 2 {
		return 1, []byte{'\\'}
	}
	switch c := s[1]; c {
	case ' ', '#', '\\', '\'', '"', '$':
		return 2, []byte{c}
	case 'n':
		return 2, []byte{'\n'}
	case 'r':
		return 2, []byte{'\r'}
	case 't':
		return 2, []byte{'\t'}
	case 'x':
		if len(s) >= 4 {
			if h, ok := hexByte(s[2], s[3]); ok {
				return 4, []byte{h}
			}
		}
	}
	return 2, s[:2]
}

func hexByte(a, b byte) (byte, bool) {
	hi, ok1 := hexVal(a)
	lo, ok2 := hexVal(b)
	return hi<<4 | lo, ok1 && ok2
}

func hexVal(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func isNameByte(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}

// expand handles a '$' at the start of s inside double quotes. It returns
// the bytes used and the expansion, split in several parts for ${VAR[*]}.
// A '$' not followed by a variable name is literal.
func expand(s []byte, env LookupEnv) (int, []string, error) {
	if len(s) >= 2 && s[1] == '{' {
		end := bytes.IndexByte(s, '}')
		if end < 0 {
			return 0, nil, fmt.Errorf("missing '}' after '${'")
		}
		body := string(s[2:end])
		name, def, hasDef := body, "", false
		if i := strings.IndexByte(body, '-'); i >= 0 {
			name, def, hasDef = body[:i], body[i+1:], true
		}
		split := strings.HasSuffix(name, "[*]")
		name = strings.TrimSuffix(name, "[*]")
		if !validVarName(name) {
			return 0, nil, fmt.Errorf("invalid variable name '%s' in '${%s}'", name, body)
		}
		v, ok := lookup(env, name)
		if !ok && hasDef {
			v = def
		}
		if split {
			return end + 1, strings.Fields(v), nil
		}
		return end + 1, []string{v}, nil
	}
	n := 1
	for n < len(s) && isNameByte(s[n], n == 1) {
		n++
	}
	if n == 1 {
		return 1, []string{"$"}, nil
	}
	v, _ := lookup(env, string(s[1:n]))
	return n, []string{v}, nil
}

func validVarName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isNameByte(name[i], i == 0) {
			return false
		}
	}
	return true
}

func lookup(env LookupEnv, name string) (string, bool) {
	if env == nil {
		return "", false
	}
	return env(name)
}

// Quote returns w written so that splitWords reads it back as one word
// with the same bytes: as is when it needs no protection, in single quotes
// otherwise, or with backslash escapes when it contains a single quote.
func Quote(w string) string {
	if w != "" && !strings.ContainsAny(w, " \t#\\'\"$\n\r") {
		return w
	}
	if !strings.ContainsAny(w, "'\n\r") {
		return "'" + w + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(w); i++ {
		switch c := w[i]; c {
		case '"', '\\', '$':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
