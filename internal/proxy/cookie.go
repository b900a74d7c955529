package proxy

import (
	"bytes"

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
			if j := bytes.IndexByte(v, ';'); j >= 0 {
				pair, v = v[:j], v[j+1:]
			} else {
				pair, v = v, nil
			}
			pair = trimOWS(pair)
			if k := bytes.IndexByte(pair, '='); k >= 0 && string(pair[:k]) == name {
				return pair[k+1:], true
			}
		}
	}
	return nil, false
}

// persistentServer reads the persistence cookie of the request and
// returns the server it designates when that server may take the request
// (UP, or draining, or any state with `option persist`). It records the
// request-side cookie state: N none, I invalid, D server down, V valid.
func (s *session) persistentServer() *backend.Server {
	x := &s.x
	c := x.be.Cookie
	v, ok := findCookie(s.req.Headers, c.Name)
	if !ok {
		x.ckReq = 'N'
		return nil
	}
	if c.Mode == "prefix" {
		if i := bytes.IndexByte(v, '~'); i >= 0 {
			v = v[:i]
		}
	}
	srv := c.Server(v)
	if srv == nil {
		x.ckReq = 'I'
		return nil
	}
	if srv.Reachable() || x.be.Config.Options.Persist {
		x.ckReq = 'V'
		return srv
	}
	x.ckReq = 'D'
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
			if j := bytes.IndexByte(v, ';'); j >= 0 {
				pair, v = v[:j], v[j+1:]
			} else {
				pair, v = v, nil
			}
			pair = trimOWS(pair)
			if k := bytes.IndexByte(pair, '='); k >= 0 && string(pair[:k]) == c.Name {
				if c.Mode != "prefix" {
					continue
				}
				val := pair[k+1:]
				if i := bytes.IndexByte(val, '~'); i >= 0 {
					pair = append(append([]byte{}, pair[:k+1]...), val[i+1:]...)
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

// cookieResponse applies persistence to the response head: insert the
// cookie (insert mode), rewrite the server's own cookie (rewrite) or
// prefix it (prefix), recording the response-side state: N none,
// I inserted, P preserved, R rewritten.
func (s *session) cookieResponse() {
	x := &s.x
	c := x.be.Cookie
	x.ckResp = 'N'
	val := x.srv.Config().Params.Cookie
	if val == "" {
		return
	}
	hs := s.resp.Headers
	switch c.Mode {
	case "insert":
		if x.ckReq == 'V' && x.ckServer == x.srv {
			return
		}
		if c.PostOnly && string(s.req.Method) != "POST" {
			return
		}
		if c.Preserve && setsCookie(hs, c.Name) {
			x.ckResp = 'P'
			return
		}
		v := append([]byte(c.Name+"="), val...)
		v = append(v, "; path=/"...)
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
		s.resp.Headers = append(append([]h1.Header(nil), hs...), h1.Header{Name: []byte("set-cookie"), Value: v})
		x.ckResp = 'I'
	case "rewrite", "prefix":
		out := make([]h1.Header, len(hs))
		copy(out, hs)
		for i := range out {
			if !h1.EqualFoldString(out[i].Name, "set-cookie") {
				continue
			}
			v := out[i].Value
			if !bytes.HasPrefix(v, []byte(c.Name+"=")) {
				continue
			}
			rest := v[len(c.Name)+1:]
			nv := append([]byte(c.Name+"="), val...)
			if c.Mode == "rewrite" {
				if j := bytes.IndexByte(rest, ';'); j >= 0 {
					nv = append(nv, rest[j:]...)
				}
			} else {
				nv = append(append(nv, '~'), rest...)
			}
			out[i].Value = nv
			x.ckResp = 'R'
		}
		s.resp.Headers = out
	}
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
