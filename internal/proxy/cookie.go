package proxy

import (
	"bytes"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/h1"
)

// Cookie persistence (`cookie NAME insert|rewrite|prefix …` with `server
// … cookie VALUE`): a request carrying a server's cookie goes to that
// server while it can take it, and the response sets the cookie, a 101
// included (what socket.io needs behind a balancer). The log's third and
// fourth termination characters tell what happened, as in HAProxy.

// findCookie returns the value of the cookie name in the request's
// Cookie fields, and whether it is there.
func findCookie(hs []h1.Header, name string) ([]byte, bool) {
	for i := range hs {
		if !h1.EqualFoldString(hs[i].Name, "cookie") {
			continue
		}
		for v := hs[i].Value; len(v) > 0; {
			var pair []byte
			pair, v = nextCookie(v)
			if val, ok := cookieValue(pair, name); ok {
				return val, true
			}
		}
	}
	return nil, false
}

// nextCookie splits a Cookie value at its first ';': the first
// name=value pair, trimmed, and the rest.
func nextCookie(v []byte) (pair, rest []byte) {
	if j := bytes.IndexByte(v, ';'); j >= 0 {
		return h1.TrimOWS(v[:j]), v[j+1:]
	}
	return h1.TrimOWS(v), nil
}

// cookieValue returns the value of pair when its name is name.
func cookieValue(pair []byte, name string) ([]byte, bool) {
	if k := bytes.IndexByte(pair, '='); k >= 0 && string(pair[:k]) == name {
		return pair[k+1:], true
	}
	return nil, false
}

// persistentServer reads the persistence cookie of the request and
// returns the server it designates when that server may take the request
// (UP, or draining, or any state with `option persist`). It records the
// request-side cookie state as HAProxy logs it: N none, I invalid, D
// server down, V valid, E expired (idle longer than maxidle), O too old
// (older than maxlife).
func (s *session) persistentServer(now time.Time) *backend.Server {
	x := &s.x
	c := x.be.Cookie
	x.ckReq, x.ckResp = 'N', 'N'
	v, ok := findCookie(s.req.Headers, c.Name)
	if !ok {
		return nil
	}
	if c.Mode == "prefix" {
		if i := bytes.IndexByte(v, '~'); i >= 0 {
			v = v[:i]
		}
	} else {
		v, x.ckLast, x.ckFirst = splitCookieDates(v)
		// Dates more than a day ahead are ignored rather than trusted, so
		// a clock fixed after the fact does not pin clients for long.
		sec := now.Unix()
		if x.ckFirst != 0 && c.MaxLife > 0 && (sec-x.ckFirst > int64(c.MaxLife/time.Second) || x.ckFirst-sec > 86400) {
			x.ckReq, x.ckFirst, x.ckLast = 'O', 0, 0
			return nil
		}
		if x.ckLast != 0 && c.MaxIdle > 0 && (sec-x.ckLast > int64(c.MaxIdle/time.Second) || x.ckLast-sec > 86400) {
			x.ckReq, x.ckFirst, x.ckLast = 'E', 0, 0
			return nil
		}
	}
	x.ckReq = 'I'
	if len(v) == 0 {
		return nil
	}
	for _, srv := range c.Servers(v) {
		if srv.Reachable() {
			x.ckReq = 'V'
			return srv
		}
		x.ckReq = 'D'
		if x.be.Config.Options.Persist {
			return srv
		}
	}
	return nil
}

// stripCookie removes the persistence cookie from the request (indirect
// mode: the server never sees it) or, in prefix mode, the server prefix
// of its value.
func (s *session) stripCookie() {
	c := s.x.be.Cookie
	if !(c.Indirect && c.Mode == "insert") && c.Mode != "prefix" {
		return
	}
	hs := s.req.Headers
	out := make([]h1.Header, 0, len(hs))
	for _, h := range hs {
		if !h1.EqualFoldString(h.Name, "cookie") {
			out = append(out, h)
			continue
		}
		var nv []byte
		for v := h.Value; len(v) > 0; {
			var pair []byte
			pair, v = nextCookie(v)
			if val, ok := cookieValue(pair, c.Name); ok {
				if c.Mode != "prefix" {
					continue
				}
				if i := bytes.IndexByte(val, '~'); i >= 0 {
					pair = append([]byte(c.Name+"="), val[i+1:]...)
				}
			}
			if len(nv) > 0 {
				nv = append(nv, "; "...)
			}
			nv = append(nv, pair...)
		}
		if len(nv) > 0 {
			out = append(out, h1.Header{Name: h.Name, Value: nv})
		}
	}
	s.req.Headers = out
}

// persistTo takes a slot on srv for a persistent request, queueing on the
// server when it is full.
func (s *session) persistTo(srv *backend.Server) (*backend.Server, bool) {
	x := &s.x
	lb := x.be.LB
	if max := lb.Maxconn(srv.LB); max > 0 && srv.LB.Served() >= max {
		got := s.queue(srv)
		if got == nil {
			return nil, false
		}
		srv = got
	} else {
		srv.LB.Acquire()
		x.tW = 0
	}
	x.srv, x.slot = srv, true
	srv.Counters.Enter()
	return srv, true
}

// cookieResponse applies persistence to the response head, in HAProxy's
// order: first the server's own Set-Cookie for the persistence cookie
// (kept with preserve, deleted in insert mode or on a direct indirect
// request, rewritten in rewrite mode, prefixed in prefix mode), then, in
// insert mode, a Set-Cookie naming the server (and, with nocache, a
// "cache-control: private" on a cacheable response). It records the
// response-side state: N none, P found and kept, D deleted, I inserted,
// R rewritten, U dates updated.
func (s *session) cookieResponse(now time.Time) {
	x := &s.x
	c := x.be.Cookie
	if st := s.resp.Status; st < 200 && st != 101 {
		return
	}
	val := x.srv.Config().Params.Cookie
	direct := x.ckServer != nil && x.ckServer == x.srv
	hs := s.resp.Headers
	out := make([]h1.Header, 0, len(hs)+2)
	found := false
	for _, h := range hs {
		if !h1.EqualFoldString(h.Name, "set-cookie") {
			out = append(out, h)
			continue
		}
		name, rest, _ := bytes.Cut(h.Value, []byte("="))
		if string(h1.TrimOWS(name)) != c.Name {
			out = append(out, h)
			continue
		}
		found, x.ckResp = true, 'P'
		switch {
		case c.Preserve:
		case c.Mode == "insert" || (direct && c.Indirect):
			x.ckResp = 'D'
			continue
		case val != "" && c.Mode == "rewrite":
			nv := append([]byte(c.Name+"="), val...)
			if j := bytes.IndexByte(rest, ';'); j >= 0 {
				nv = append(nv, rest[j:]...)
			}
			h.Value, x.ckResp = nv, 'R'
		case val != "" && c.Mode == "prefix":
			nv := append([]byte(c.Name+"="), val...)
			h.Value, x.ckResp = append(append(nv, '~'), h1.TrimOWS(rest)...), 'R'
		}
		out = append(out, h)
	}
	s.resp.Headers = out
	if c.Mode != "insert" || (found && c.Preserve) {
		return
	}
	if c.PostOnly && string(s.req.Method) != "POST" {
		return
	}
	sec := now.Unix()
	maxIdle, maxLife := c.MaxIdle > 0, c.MaxLife > 0
	refresh := (maxIdle || x.ckLast != 0) && (x.ckLast == 0 || x.ckLast-sec < 0)
	if direct && !refresh && !(maxLife && x.ckFirst == 0) && !(!maxLife && x.ckFirst != 0) {
		return
	}
	var v []byte
	if val == "" {
		// A server without a cookie (a backup, say) has the client forget
		// the cookie, so it does not stick to a server it cannot name.
		v = append(v, c.Name+"=; Expires=Thu, 01-Jan-1970 00:00:01 GMT; path=/"...)
	} else {
		v = append(append(v, c.Name+"="...), val...)
		if maxIdle || maxLife {
			v = appendCookieDate(append(v, '|'), sec)
			if maxLife {
				first := sec
				if x.ckFirst != 0 {
					first = x.ckFirst - 3 // re-encodes to the same date
				}
				v = appendCookieDate(append(v, '|'), first)
			}
		}
		v = append(v, "; path=/"...)
	}
	for _, d := range c.Domains {
		v = append(v, "; domain="+d...)
	}
	if c.HTTPOnly {
		v = append(v, "; HttpOnly"...)
	}
	if c.Secure {
		v = append(v, "; Secure"...)
	}
	for _, a := range c.Attrs {
		v = append(v, "; "+a...)
	}
	s.resp.Headers = append(s.resp.Headers, h1.Header{Name: []byte("set-cookie"), Value: v})
	x.ckResp = 'I'
	if val != "" && direct {
		x.ckResp = 'U'
	}
	if c.NoCache && cacheable(&s.req, &s.resp) {
		s.resp.Headers = append(s.resp.Headers, h1.Header{Name: []byte("cache-control"), Value: []byte("private")})
	}
}

// cacheable reports whether a shared cache could store the response, by
// HAProxy's rules (2.6 as shipped): a safe method and a status cacheable
// by default, or an explicit "public"; no "pragma: no-cache" nor a
// cache-control directive forbidding it; and some freshness information
// (max-age, s-maxage, Expires) or a validator (ETag, Last-Modified).
// `cookie … nocache` marks such a response private so no cache hands one
// client's persistence cookie to another.
func cacheable(req *h1.Request, resp *h1.Response) bool {
	ok := false
	switch string(req.Method) {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		ok = true
	}
	switch resp.Status {
	case 200, 203, 204, 206, 300, 301, 404, 405, 410, 414, 501:
	default:
		ok = false
	}
	if resp.Status < 200 {
		return false
	}
	hs := resp.Headers
	if v, found := firstValue(hs, "pragma"); found && h1.EqualFoldString(v, "no-cache") {
		return false
	}
	fresh := false
	for _, h := range hs {
		if !h1.EqualFoldString(h.Name, "cache-control") {
			continue
		}
		t := tokens{h.Value}
		for v, more := t.next(); more; v, more = t.next() {
			switch {
			case h1.EqualFoldString(v, "public"):
				ok = true
			case h1.EqualFoldString(v, "private"), h1.EqualFoldString(v, "no-cache"),
				h1.EqualFoldString(v, "no-store"), h1.EqualFoldString(v, "max-age=0"),
				h1.EqualFoldString(v, "s-maxage=0"):
				ok = false
			case hasPrefixFold(v, "s-maxage"):
				fresh = true
			case hasPrefixFold(v, "max-age"):
				fresh = true
			}
		}
	}
	if !fresh && !hasField(hs, "expires") && !hasField(hs, "etag") && !hasField(hs, "last-modified") {
		// Nothing says how long it stays fresh: no cache keeps it.
		return false
	}
	return ok
}

// firstValue returns the first field named name, trimmed.
func firstValue(hs []h1.Header, name string) ([]byte, bool) {
	for _, h := range hs {
		if h1.EqualFoldString(h.Name, name) {
			return h1.TrimOWS(h.Value), true
		}
	}
	return nil, false
}

// hasPrefixFold reports whether b begins with the ASCII prefix p, in any
// case.
func hasPrefixFold(b []byte, p string) bool {
	return len(b) >= len(p) && h1.EqualFoldString(b[:len(p)], p)
}

// setsCookie reports a Set-Cookie field for the cookie name.
func setsCookie(hs []h1.Header, name string) bool {
	for i := range hs {
		if h1.EqualFoldString(hs[i].Name, "set-cookie") && bytes.HasPrefix(hs[i].Value, []byte(name+"=")) {
			return true
		}
	}
	return false
}
