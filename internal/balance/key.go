package balance

import (
	"bytes"
	"strings"
)

// hashKey computes the hash of the request's key for the hash algorithms,
// or reports that the key is missing, in which case the request is
// balanced round robin.
//
// When a single server is in use HAProxy skips the key and uses hash 0,
// without avalanche, for every algorithm but url_param (rdp-cookie still
// needs a cookie). We mirror it because the map-based lookup of hash 0 is
// not always that server (see staticMap.rebuild), as observed on 2.6.12.
func (lb *LB) hashKey(in *Input) (uint32, bool) {
	c := &lb.cfg
	single := lb.totUsed() == 1
	var h uint32
	switch c.kind {
	case kindSource:
		// The address is not hashed: its 32-bit words are XORed.
		if !in.Src.IsValid() {
			return 0, false
		}
		if single {
			return 0, true
		}
		h = sourceWords(in)
	case kindURI:
		if single {
			return 0, true
		}
		h = c.fn.sum(uriKey(in.Target, c))
	case kindURLParam:
		v, ok := queryParam(in.Target, c.arg)
		if !ok && in.Post {
			v, ok = postParam(in.Body, c.arg)
		}
		if !ok {
			return 0, false
		}
		h = c.fn.sum(v)
	case kindHdr:
		if single {
			return 0, true
		}
		v := firstValue(in.Header)
		if len(v) == 0 {
			return 0, false
		}
		if c.useDomainOnly {
			v = domainOnly(v)
		}
		h = c.fn.sum(v)
	case kindRDPCookie:
		v, ok := rdpCookie(in.Payload, c.arg)
		if !ok || len(v) == 0 {
			return 0, false
		}
		if single {
			return 0, true
		}
		h = c.fn.sum(v)
	case kindHash:
		if single {
			return 0, true
		}
		if !in.HasKey {
			return 0, false
		}
		h = c.fn.sum(in.Key)
	}
	if c.avalanche {
		h = fullHash(h)
	}
	return h, true
}

// sourceWords XORs the big-endian 32-bit words of the client address.
func sourceWords(in *Input) uint32 {
	if in.Src.Is4() {
		b := in.Src.As4()
		return be32(b[:])
	}
	b := in.Src.As16()
	return be32(b[0:]) ^ be32(b[4:]) ^ be32(b[8:]) ^ be32(b[12:])
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// uriKey returns the part of the request-target `balance uri` hashes: the
// path (only, with path-only) truncated to `len` characters, up to but
// excluding the `depth`+1-th slash and, unless `whole`, the '?'.
func uriKey(target []byte, c *config) []byte {
	u := target
	if c.uriPathOnly {
		u = pathOf(u)
	}
	if c.uriLen > 0 && len(u) > c.uriLen {
		u = u[:c.uriLen]
	}
	slashes := 0
	for i, ch := range u {
		switch {
		case ch == '/':
			slashes++
			if c.uriDepth > 0 && slashes == c.uriDepth+1 {
				return u[:i]
			}
		case ch == '?' && !c.uriWhole:
			return u[:i]
		}
	}
	return u
}

// pathOf returns the path and query of a request-target without the scheme
// and authority of an absolute URI; empty for "*", for the authority form
// and for an absolute URI without a path.
func pathOf(u []byte) []byte {
	if len(u) == 0 || u[0] == '/' {
		return u
	}
	// scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) "://"
	if !isAlpha(u[0]) {
		return nil
	}
	i := 1
	for i < len(u) && (isAlpha(u[i]) || u[i] >= '0' && u[i] <= '9' || u[i] == '+' || u[i] == '-' || u[i] == '.') {
		i++
	}
	if len(u) < i+3 || string(u[i:i+3]) != "://" {
		return nil
	}
	u = u[i+3:]
	// The authority runs to the first '/'.
	if j := bytes.IndexByte(u, '/'); j >= 0 {
		return u[j:]
	}
	return nil
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// queryParam finds name=value in the query string of target and returns the
// value (which may be empty). Names are case-sensitive; parameters are
// separated by '&'.
func queryParam(target []byte, name string) ([]byte, bool) {
	q := bytes.IndexByte(target, '?')
	if q < 0 {
		return nil, false
	}
	v, ok := paramValue(target[q+1:], name)
	return untilAmp(v), ok
}

// postParam finds name=value in a url-encoded POST body. HAProxy 2.6 gives
// up (round robin) when the value starts with a character that is neither a
// token character nor white space, since the body is then not url-encoded,
// and hashes an empty value when it starts with white space.
func postParam(body []byte, name string) ([]byte, bool) {
	v, ok := paramValue(body, name)
	if !ok {
		return nil, false
	}
	if len(v) > 0 && v[0] != '&' && !isToken(v[0]) {
		if isLWS(v[0]) {
			return v[:0], true
		}
		return nil, false
	}
	return untilAmp(v), true
}

// paramValue finds name= in the '&'-separated parameters p and returns
// everything after the '=' (the value and the parameters that follow).
func paramValue(p []byte, name string) ([]byte, bool) {
	for len(p) > len(name) {
		if p[len(name)] == '=' && string(p[:len(name)]) == name {
			return p[len(name)+1:], true
		}
		i := bytes.IndexByte(p, '&')
		if i < 0 {
			return nil, false
		}
		p = p[i+1:]
	}
	return nil, false
}

// untilAmp cuts v at its first '&'.
func untilAmp(v []byte) []byte {
	if i := bytes.IndexByte(v, '&'); i >= 0 {
		return v[:i]
	}
	return v
}

// isToken reports an RFC 9110 tchar.
func isToken(c byte) bool {
	switch {
	case c >= '0' && c <= '9', isAlpha(c):
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isLWS reports HAProxy's linear white space: SP, HT, CR, LF.
func isLWS(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// firstValue returns the first comma-separated element of a header field
// value (commas inside quoted strings do not separate), without surrounding
// white space: what HAProxy's header lookup returns.
func firstValue(v []byte) []byte {
	for len(v) > 0 && isLWS(v[0]) {
		v = v[1:]
	}
	quoted, pair := false, false
	for i, c := range v {
		switch {
		case pair:
			pair = false
		case quoted && c == '\\':
			pair = true
		case c == '"':
			quoted = !quoted
		case !quoted && c == ',':
			v = v[:i]
			goto trim
		}
	}
trim:
	for len(v) > 0 && isLWS(v[len(v)-1]) {
		v = v[:len(v)-1]
	}
	return v
}

// domainOnly implements `use_domain_only`: the label before the last dot
// ("haproxy.1wt.eu" gives "1wt"); a name without a dot is kept whole. Like
// HAProxy, the first character is never taken for a dot.
func domainOnly(v []byte) []byte {
	start, end := 0, len(v)
	seen := false
	for p := len(v); p > 0; p-- {
		if seen {
			if v[p-1] == '.' {
				start = p
				break
			}
		} else if p < len(v) && v[p] == '.' {
			end, seen = p, true
		}
	}
	return v[start:end]
}

// rdpCookie extracts the value of the cookie name from an RDP connection
// request: after the 11 bytes of the TPKT and X.224 headers comes
// "Cookie: <name>=<value>\r\n" (keyword and name case-insensitive).
func rdpCookie(p []byte, name string) ([]byte, bool) {
	if len(p) <= 11 {
		return nil, false
	}
	d := p[11:]
	if len(d) <= 7 || !equalFold(d[:7], "Cookie:") {
		return nil, false
	}
	d = d[7:]
	for len(d) > 0 && d[0] == ' ' {
		d = d[1:]
	}
	if len(d) <= len(name) || d[len(name)] != '=' || !equalFold(d[:len(name)], name) {
		return nil, false
	}
	d = d[len(name)+1:]
	i := bytes.IndexByte(d, '\r')
	if i < 0 || i+1 >= len(d) || d[i+1] != '\n' {
		return nil, false
	}
	return d[:i], true
}

// equalFold reports whether b and s are equal under ASCII case folding.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if x != y && (x|0x20 != y|0x20 || !isAlpha(x)) {
			return false
		}
	}
	return true
}
