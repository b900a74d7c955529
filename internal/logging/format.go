package logging

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Format is a compiled `log-format` string: literal text, `%<var>` tags
// with optional `%{+Q,+X,+E}` flags, and `%[sample]` expressions.
//
// Sample expressions are evaluated when the request arrives (their values
// go into Entry.Samples, in the order of Format.Samples), because the line
// of a WebSocket is written when its tunnel ends, long after the request
// head is gone.
type Format struct {
	nodes []fnode
	// Samples are the expressions of the %[...] tags, in order.
	Samples []string
}

type fnode struct {
	sep    bool // a run of spaces: one separator
	lit    string
	tag    string // variable name, "" for a literal or a sample
	sample int    // index in Samples, -1 if none
	quote  bool   // +Q
	hex    bool   // +X
	escape bool   // +E
}

// knownTags are the log-format variables hawser fills (HAProxy's names).
var knownTags = []string{
	"tsc", "trg", "trl", "hrl", "hsl", "pid", "tr", "ts", "ci", "cp", "fi", "fp", "bi", "bp",
	"si", "sp", "ft", "fc", "bc", "sc", "ac", "rc", "rt", "sq", "bq", "hr", "hs", "ms", "lc",
	"Ts", "Th", "Ti", "TR", "Tw", "Tc", "Tr", "Ta", "Tt", "Tq", "Tl", "ST", "CC", "CS", "HM", "HU",
	"HP", "HQ", "HV", "ID", "t", "T", "f", "b", "s", "B", "U", "r", "H",
}

// ParseFormat compiles a log-format string. checkSample validates each
// %[...] expression (the caller compiles them with the ACL package).
func ParseFormat(s string, checkSample func(expr string) error) (*Format, error) {
	f := &Format{}
	defaults := fnode{sample: -1}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			f.nodes = append(f.nodes, fnode{lit: lit.String(), sample: -1})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			// Spaces separate fields: a run of them is one separator,
			// printed only between fields that printed something, as in
			// HAProxy (so %hr and %hs vanish without captures).
			flush()
			for i+1 < len(s) && s[i+1] == ' ' {
				i++
			}
			f.nodes = append(f.nodes, fnode{sep: true, sample: -1})
			continue
		}
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		n := defaults
		j := i + 1
		if j < len(s) && s[j] == '{' {
			end := strings.IndexByte(s[j:], '}')
			if end < 0 {
				return nil, fmt.Errorf("log-format: missing '}' after '%%{' at position %d", i)
			}
			opts := s[j+1 : j+end]
			j += end + 1
			target := &n
			if j < len(s) && s[j] == 'o' && (j+1 == len(s) || !isLetter(s[j+1])) {
				// %{…}o sets the options of every variable that follows.
				target = &defaults
			}
			for _, opt := range strings.Split(opts, ",") {
				on := strings.HasPrefix(opt, "+")
				switch strings.TrimLeft(opt, "+-") {
				case "Q":
					target.quote = on
				case "X":
					target.hex = on
				case "E":
					target.escape = on
				case "":
				default:
					return nil, fmt.Errorf("log-format: unknown option '%s' at position %d", opt, i)
				}
			}
			if target == &defaults {
				i = j
				continue
			}
		}
		if j < len(s) && s[j] == '[' {
			depth, k := 0, j
			for ; k < len(s); k++ {
				if s[k] == '[' {
					depth++
				} else if s[k] == ']' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			if k >= len(s) {
				return nil, fmt.Errorf("log-format: missing ']' after '%%[' at position %d", i)
			}
			expr := s[j+1 : k]
			if checkSample != nil {
				if err := checkSample(expr); err != nil {
					return nil, fmt.Errorf("log-format: '%%[%s]': %w", expr, err)
				}
			}
			flush()
			n.sample = len(f.Samples)
			f.Samples = append(f.Samples, expr)
			f.nodes = append(f.nodes, n)
			i = k
			continue
		}
		tag := ""
		for _, t := range knownTags {
			if strings.HasPrefix(s[j:], t) && (len(t) > len(tag)) {
				tag = t
			}
		}
		if tag == "" {
			end := j
			for end < len(s) && isLetter(s[end]) {
				end++
			}
			return nil, fmt.Errorf("log-format: no such format variable '%s' at position %d", s[j:end], i)
		}
		flush()
		n.tag = tag
		f.nodes = append(f.nodes, n)
		i = j + len(tag) - 1
	}
	flush()
	return f, nil
}

// Append renders the format for e. Separators follow HAProxy: a space
// is written after a field that printed something (so fields that print
// nothing, like %hr without captures, leave a single space, and a line
// ending with such fields ends with a space, as HAProxy's do).
func (f *Format) Append(b []byte, e *Entry) []byte {
	lastSpace := true
	for i := range f.nodes {
		n := &f.nodes[i]
		if n.sep {
			if !lastSpace {
				b = append(b, ' ')
				lastSpace = true
			}
			continue
		}
		if n.tag == "" && n.sample < 0 {
			b = append(b, n.lit...)
			lastSpace = false
			continue
		}
		// Only text values take quotes, as in HAProxy: numbers, dates and
		// the termination state never do.
		quote := n.quote && (n.sample >= 0 || quotable[n.tag])
		mark := len(b)
		if quote {
			b = append(b, '"')
		}
		vstart := len(b)
		if n.sample >= 0 {
			if n.sample < len(e.Samples) && e.Samples[n.sample] != nil {
				b = appendEscaped(b, e.Samples[n.sample], n.escape)
			}
		} else {
			b = appendTag(b, n, e)
		}
		if len(b) == vstart {
			if n.tag == "hr" || n.tag == "hs" || n.tag == "hrl" || n.tag == "hsl" {
				// No captures: nothing at all.
				b = b[:mark]
				continue
			}
			if !quote {
				// An empty value prints "-", as in HAProxy; quoted, "".
				b = append(b, '-')
			}
		}
		if quote {
			b = append(b, '"')
		}
		lastSpace = false
	}
	return b
}

// quotable are the variables %{+Q} quotes: HAProxy's text values.
var quotable = map[string]bool{
	"ci": true, "fi": true, "bi": true, "si": true, "ft": true, "f": true, "b": true, "s": true,
	"CC": true, "CS": true, "r": true, "HM": true, "HU": true, "HP": true, "HQ": true, "HV": true,
	"ID": true, "H": true, "hr": true, "hs": true, "hrl": true, "hsl": true,
}

func appendEscaped(b, v []byte, escape bool) []byte {
	for _, c := range v {
		switch {
		case c < 0x20 || c >= 0x7f || c == '"' || c == '#':
			b = append(b, '#', hexdigits[c>>4], hexdigits[c&15])
		case escape && (c == '\\' || c == ']'):
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return b
}

func (n *fnode) num(b []byte, v int64) []byte {
	if n.hex {
		return strconv.AppendUint(b, uint64(v), 16)
	}
	return strconv.AppendInt(b, v, 10)
}

func appendTag(b []byte, n *fnode, e *Entry) []byte {
	switch n.tag {
	case "ci":
		return e.ClientAddr.Addr().Unmap().AppendTo(b)
	case "cp":
		return n.num(b, int64(e.ClientAddr.Port()))
	case "fi":
		return e.FrontendAddr.Addr().Unmap().AppendTo(b)
	case "fp":
		return n.num(b, int64(e.FrontendAddr.Port()))
	case "bi":
		if !e.BackendAddr.IsValid() {
			return b
		}
		return e.BackendAddr.Addr().Unmap().AppendTo(b)
	case "bp":
		if !e.BackendAddr.IsValid() {
			return b
		}
		return n.num(b, int64(e.BackendAddr.Port()))
	case "si":
		if !e.ServerAddr.IsValid() {
			return b
		}
		return e.ServerAddr.Addr().Unmap().AppendTo(b)
	case "sp":
		if !e.ServerAddr.IsValid() {
			return b
		}
		return n.num(b, int64(e.ServerAddr.Port()))
	case "t":
		return appendDate(b, e.Accept)
	case "tr":
		return appendDate(b, e.Start)
	case "trg":
		return e.Start.UTC().AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	case "trl":
		return e.Start.Local().AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	case "T":
		return e.Accept.UTC().AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	case "Ts":
		return n.num(b, e.Accept.Unix())
	case "ms":
		return append(b, fmt.Sprintf("%03d", e.Accept.Nanosecond()/1e6)...)
	case "ft", "f":
		return append(b, e.Frontend...)
	case "b":
		return append(b, e.Backend...)
	case "s":
		return append(b, e.Server...)
	case "Th":
		return n.num(b, 0)
	case "Ti":
		return n.num(b, max(int64(e.Start.Sub(e.Accept)/time.Millisecond), 0))
	case "TR":
		return n.num(b, e.TR)
	case "Tq":
		if e.TR < 0 {
			return n.num(b, -1)
		}
		return n.num(b, e.TR+max(int64(e.Start.Sub(e.Accept)/time.Millisecond), 0))
	case "Tw":
		return n.num(b, e.Tw)
	case "Tc":
		return n.num(b, e.Tc)
	case "Tr":
		return n.num(b, e.Tr)
	case "Ta":
		return n.num(b, e.Ta)
	case "Tt":
		return n.num(b, e.Tt)
	case "Tl":
		return n.num(b, e.Ta)
	case "ST":
		return n.num(b, int64(e.Status))
	case "B":
		return n.num(b, e.Bytes)
	case "U":
		return n.num(b, e.BytesUp)
	case "CC", "CS":
		// No cookie capture: empty, printed "-" (or "" quoted).
		return b
	case "ts":
		return append(b, e.Termination[:2]...)
	case "tsc":
		return append(b, e.Termination[:]...)
	case "ac":
		return n.num(b, e.ActConn)
	case "fc":
		return n.num(b, e.FeConn)
	case "bc":
		return n.num(b, e.BeConn)
	case "sc":
		return n.num(b, e.SrvConn)
	case "rc":
		if e.Redispatched {
			b = append(b, '+')
		}
		return n.num(b, int64(e.Retries))
	case "rt", "lc":
		return n.num(b, e.RequestCounter)
	case "sq":
		return n.num(b, int64(e.SrvQueue))
	case "bq":
		return n.num(b, int64(e.BeQueue))
	case "hr", "hrl":
		return appendCaptures(b, e.ReqCaptures, n.tag == "hr")
	case "hs", "hsl":
		return appendCaptures(b, e.RespCaptures, n.tag == "hs")
	case "r":
		if e.BadReq {
			return append(b, "<BADREQ>"...)
		}
		return appendEscaped(b, e.Request, false)
	case "HM", "HU", "HP", "HQ", "HV":
		return appendRequestPart(b, n.tag, e)
	case "H":
		host, _ := os.Hostname()
		return append(b, host...)
	case "pid":
		return n.num(b, int64(os.Getpid()))
	case "ID":
		return append(b, e.UniqueID...)
	}
	return b
}

// appendCaptures prints captured headers: "{a|b}" for %hr/%hs, "a b" for
// %hrl/%hsl.
func appendCaptures(b []byte, caps [][]byte, braces bool) []byte {
	if len(caps) == 0 {
		return b
	}
	if braces {
		b = append(b, '{')
	}
	for i, c := range caps {
		if i > 0 {
			if braces {
				b = append(b, '|')
			} else {
				b = append(b, ' ')
			}
		}
		b = appendEscaped(b, c, false)
	}
	if braces {
		b = append(b, '}')
	}
	return b
}

// appendRequestPart prints a part of the request line: method (%HM), URI
// (%HU), path (%HP), query with its '?' (%HQ) or version (%HV).
func appendRequestPart(b []byte, tag string, e *Entry) []byte {
	if e.BadReq {
		return b
	}
	parts := bytes.SplitN(e.Request, []byte(" "), 3)
	if len(parts) != 3 {
		return b
	}
	switch tag {
	case "HM":
		return append(b, parts[0]...)
	case "HU":
		return appendEscaped(b, parts[1], false)
	case "HP":
		p := parts[1]
		if i := bytes.IndexByte(p, '?'); i >= 0 {
			p = p[:i]
		}
		return appendEscaped(b, p, false)
	case "HQ":
		if i := bytes.IndexByte(parts[1], '?'); i >= 0 {
			return appendEscaped(b, parts[1][i:], false)
		}
		return b
	}
	return append(b, parts[2]...)
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
