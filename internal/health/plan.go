package health

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/hawser-lb/hawser/internal/config"
)

// Plan is a backend's compiled check: a TCP connect check, or an HTTP
// request and what its response must look like.
type Plan struct {
	// HTTP is set for `option httpchk`.
	HTTP bool
	// Request is the HTTP request sent, bytes as HAProxy 2.6 sends them.
	Request []byte
	// Method is the request method (a HEAD response has no body).
	Method string
	// Expects are the `http-check expect` rules, all of which must pass;
	// none means HAProxy's default, a 2xx or 3xx status.
	Expects []*Expect
	// Port and Addr are the `http-check connect port|addr` overrides; 0
	// and invalid when not set.
	Port int
	Addr netip.Addr
}

// TCPPlan is the plan of a plain `check`: the connection is the check.
var TCPPlan = &Plan{}

// Compile builds the check plan of a backend from `option httpchk` and
// its `http-check` rules. `http-check` rules without `option httpchk`
// are ignored, as HAProxy ignores them (with a warning).
func Compile(px *config.Proxy) (*Plan, error) {
	if px.TCPCheck || len(px.TCPChecks) > 0 {
		pos := px.Pos
		if len(px.TCPChecks) > 0 {
			pos = px.TCPChecks[0].Pos
		}
		return nil, config.Errorf(pos, "'option tcp-check' and 'tcp-check' rules are HAProxy keywords that hawser does not support yet")
	}
	if px.HTTPChk == nil {
		return TCPPlan, nil
	}
	p := &Plan{HTTP: true}
	c := px.HTTPChk
	s := sendSpec{meth: c.Method, uri: c.URI, ver: c.Version}
	// HAProxy still accepts the pre-2.2 trick of headers smuggled into the
	// version argument: `option httpchk GET / "HTTP/1.1\r\nHost: x"`.
	if i := strings.Index(s.ver, "\r\n"); i >= 0 {
		for _, line := range strings.Split(s.ver[i+2:], "\r\n") {
			if line == "" {
				continue
			}
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				return nil, config.Errorf(px.Pos, "'option httpchk': invalid header line '%s' in the version", line)
			}
			s.hdrs = append(s.hdrs, [2]string{strings.TrimSpace(name), strings.TrimSpace(value)})
		}
		s.ver = s.ver[:i]
	}
	sent, started := false, false
	for _, r := range px.HTTPChecks {
		var err error
		switch r.Action {
		case "comment":
		case "connect":
			if started {
				err = fmt.Errorf("'http-check connect' is only supported as the first rule (multi-step checks are not supported yet)")
				break
			}
			err = p.connect(r.Words)
		case "send":
			if sent {
				err = fmt.Errorf("only one 'http-check send' rule is supported (multi-step checks are not supported yet)")
				break
			}
			sent = true
			err = s.parse(r.Words)
		case "expect":
			var e *Expect
			e, err = parseExpect(r.Words)
			if err == nil {
				p.Expects = append(p.Expects, e)
			}
		default:
			err = fmt.Errorf("'http-check %s' is a HAProxy keyword that hawser does not support yet", r.Action)
		}
		if err != nil {
			return nil, config.At(r.Pos, err)
		}
		if r.Action != "comment" {
			started = true
		}
	}
	p.Method = s.meth
	p.Request = s.request()
	return p, nil
}

// connect reads the arguments of `http-check connect`.
func (p *Plan) connect(args []string) error {
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "default", "linger":
		case "port", "addr", "comment":
			if i+1 >= len(args) {
				return fmt.Errorf("'http-check connect %s' expects an argument", args[i])
			}
			v := args[i+1]
			i++
			switch args[i-1] {
			case "port":
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || n > 65535 {
					return fmt.Errorf("'http-check connect port' expects a port number, got '%s'", v)
				}
				p.Port = n
			case "addr":
				a, err := netip.ParseAddr(v)
				if err != nil {
					return fmt.Errorf("'http-check connect addr' expects an IP address, got '%s'", v)
				}
				p.Addr = a.Unmap()
			}
		default:
			return fmt.Errorf("'http-check connect %s' is not supported yet", args[i])
		}
	}
	return nil
}

// sendSpec is the request of an HTTP check before it is serialized.
type sendSpec struct {
	meth, uri, ver string
	hdrs           [][2]string
	body           string
}

// parse reads the arguments of `http-check send`.
func (s *sendSpec) parse(args []string) error {
	for i := 0; i < len(args); i++ {
		kw := args[i]
		need := 1
		if kw == "hdr" {
			need = 2
		}
		if i+need >= len(args) {
			return fmt.Errorf("'http-check send %s' expects %d argument(s)", kw, need)
		}
		v := args[i+1]
		switch kw {
		case "meth":
			s.meth = v
		case "uri":
			s.uri = v
		case "ver":
			s.ver = v
		case "hdr":
			s.hdrs = append(s.hdrs, [2]string{v, args[i+2]})
		case "body":
			s.body = v
		case "comment":
		case "uri-lf", "body-lf":
			return fmt.Errorf("'http-check send %s' (log-format) is not supported yet", kw)
		default:
			return fmt.Errorf("'http-check send' does not know '%s'", kw)
		}
		i += need
	}
	return nil
}

// request serializes the check request the way HAProxy 2.6 sends it
// (observed): header names in lower case, a Content-Length computed from
// the body (a configured one is dropped), and the connection mode last:
// HTTP/1.1 gets "connection: close" unless a Connection header asks for
// keep-alive; HTTP/1.0 closes by default and only a keep-alive request
// shows the header.
func (s *sendSpec) request() []byte {
	var b []byte
	b = append(b, s.meth...)
	b = append(b, ' ')
	b = append(b, s.uri...)
	b = append(b, ' ')
	b = append(b, s.ver...)
	b = append(b, "\r\n"...)
	conn := ""
	for _, h := range s.hdrs {
		name := strings.ToLower(h[0])
		switch name {
		case "content-length":
			continue
		case "connection":
			conn = strings.ToLower(h[1])
			continue
		}
		b = append(b, name...)
		b = append(b, ": "...)
		b = append(b, h[1]...)
		b = append(b, "\r\n"...)
	}
	if s.body != "" {
		b = append(b, "content-length: "+strconv.Itoa(len(s.body))+"\r\n"...)
	}
	keepAlive := strings.Contains(conn, "keep-alive")
	if s.ver == "HTTP/1.0" {
		if keepAlive {
			b = append(b, "connection: keep-alive\r\n"...)
		}
	} else if !keepAlive {
		b = append(b, "connection: close\r\n"...)
	}
	b = append(b, "\r\n"...)
	b = append(b, s.body...)
	return b
}

// Expect is one `http-check expect` rule.
type Expect struct {
	// Kind is what is matched: "status", "rstatus", "string" or
	// "rstring".
	Kind string
	// Not inverts the match (`!`).
	Not bool
	// Codes are the status ranges of "status".
	Codes [][2]int
	// Re is the regular expression of "rstatus" and "rstring".
	Re *regexp.Regexp
	// Str is the string of "string".
	Str string
	// OK, Err and Tout replace the status of a success, a failure and a
	// timeout (`ok-status`, `error-status`, `tout-status`); 0 keeps it.
	OK, Err, Tout Status
	// OnSuccess and OnError replace the info text (`on-success`,
	// `on-error`).
	OnSuccess, OnError string
}

// defaultExpect is what HAProxy checks when there is no expect rule.
var defaultExpect = &Expect{Kind: "status", Codes: [][2]int{{200, 399}}}

// parseExpect reads the arguments of `http-check expect`.
func parseExpect(args []string) (*Expect, error) {
	e := &Expect{}
	statusArg := func(v string, allowed ...Status) (Status, error) {
		for _, s := range allowed {
			if s.String() == v {
				return s, nil
			}
		}
		return 0, fmt.Errorf("'http-check expect': unknown status '%s'", v)
	}
	i := 0
	for ; i < len(args); i++ {
		kw := args[i]
		if kw == "!" {
			e.Not = true
			continue
		}
		switch kw {
		case "min-recv", "comment", "ok-status", "error-status", "tout-status", "on-success", "on-error":
		default:
			goto match
		}
		if i+1 >= len(args) {
			return nil, fmt.Errorf("'http-check expect %s' expects an argument", kw)
		}
		v := args[i+1]
		i++
		var err error
		switch kw {
		case "ok-status":
			e.OK, err = statusArg(v, StatusL7OK, StatusL7OKC, StatusL4OK)
		case "error-status":
			e.Err, err = statusArg(v, StatusL7Rsp, StatusL7Sts, StatusL4Con)
		case "tout-status":
			e.Tout, err = statusArg(v, StatusL7Tout, StatusL4Tout)
		case "on-success", "on-error":
			if strings.Contains(v, "%") {
				return nil, fmt.Errorf("'http-check expect %s' with a log-format is not supported yet", kw)
			}
			if kw == "on-success" {
				e.OnSuccess = v
			} else {
				e.OnError = v
			}
		}
		if err != nil {
			return nil, err
		}
	}
match:
	if i >= len(args) {
		return nil, fmt.Errorf("'http-check expect' expects a match ('status', 'rstatus', 'string' or 'rstring') and a pattern")
	}
	e.Kind = args[i]
	rest := args[i+1:]
	switch e.Kind {
	case "status", "rstatus", "string", "rstring":
	case "hdr", "fhdr", "custom":
		return nil, fmt.Errorf("'http-check expect %s' is not supported yet", e.Kind)
	default:
		return nil, fmt.Errorf("'http-check expect' does not know the match '%s'", e.Kind)
	}
	if len(rest) != 1 {
		return nil, fmt.Errorf("'http-check expect %s' expects exactly one pattern", e.Kind)
	}
	pat := rest[0]
	var err error
	switch e.Kind {
	case "status":
		e.Codes, err = parseCodes(pat)
	case "rstatus", "rstring":
		e.Re, err = regexp.Compile(pat)
		if err != nil {
			err = fmt.Errorf("'http-check expect %s': %w", e.Kind, err)
		}
	case "string":
		e.Str = pat
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

// parseCodes reads a status list such as "200", "200-399" or
// "200,301-302".
func parseCodes(s string) ([][2]int, error) {
	var out [][2]int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err1 := strconv.Atoi(lo)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.Atoi(hi)
		}
		if err1 != nil || err2 != nil || a > b {
			return nil, fmt.Errorf("'http-check expect status': invalid status '%s'", part)
		}
		out = append(out, [2]int{a, b})
	}
	return out, nil
}

// Eval checks a parsed response against the rule. body is nil when the
// response has none. It returns the failure outcome, or ok.
func (e *Expect) Eval(code int, reason string, body []byte) (out Outcome, ok bool) {
	var match bool
	switch e.Kind {
	case "status":
		for _, r := range e.Codes {
			if code >= r[0] && code <= r[1] {
				match = true
				break
			}
		}
	case "rstatus":
		match = e.Re.MatchString(strconv.Itoa(code))
	case "string", "rstring":
		if len(body) == 0 {
			return e.fail(Outcome{Status: StatusL7Rsp, Code: code, Info: "HTTP content check could not find a response body"}), false
		}
		if e.Kind == "string" {
			match = strings.Contains(string(body), e.Str)
		} else {
			match = e.Re.Match(body)
		}
	}
	if match != e.Not {
		return Outcome{}, true
	}
	switch e.Kind {
	case "status", "rstatus":
		return e.fail(Outcome{Status: StatusL7Sts, Code: code, Info: reason}), false
	}
	info := "HTTP content check did not match"
	if e.Not {
		info = "HTTP check matched unwanted content"
	}
	return e.fail(Outcome{Status: StatusL7Rsp, Code: code, Info: info}), false
}

// fail applies error-status and on-error to a failure.
func (e *Expect) fail(o Outcome) Outcome {
	if e.Err != 0 {
		o.Status = e.Err
	}
	if e.OnError != "" {
		o.Info = e.OnError
	}
	return o
}
