package acl

import (
	"bytes"

	"github.com/hawser-lb/hawser/internal/h1"
)

// paramIter walks the values of the URL parameter name in a request target
// (url_param / urlp): the parameter list starts after the first '?' or
// delim, parameters are separated by '&', ';' or delim, and a parameter
// matches when its name (case-sensitive unless fold) is followed by '='.
// An empty name matches any parameter that has a '='. Values are not
// URL-decoded.
type paramIter struct {
	s     []byte // the rest of the parameter list
	name  string
	delim byte
	fold  bool
}

func (it *paramIter) init(target []byte, name string, delim byte, fold bool) {
	*it = paramIter{name: name, delim: delim, fold: fold}
	for i, c := range target {
		if c == '?' || c == delim {
			it.s = target[i+1:]
			return
		}
	}
	it.s = nil
}

func (it *paramIter) isSep(c byte) bool {
	return c == '&' || c == ';' || c == it.delim
}

func (it *paramIter) next() ([]byte, bool) {
	for it.s != nil {
		// Cut the next parameter.
		end := 0
		for end < len(it.s) && !it.isSep(it.s[end]) {
			end++
		}
		p := it.s[:end]
		if end < len(it.s) {
			it.s = it.s[end+1:]
		} else {
			it.s = nil
		}
		eq := bytes.IndexByte(p, '=')
		if eq < 0 {
			continue
		}
		if it.name == "" {
			return p[eq+1:], true
		}
		n := p[:eq]
		if (it.fold && h1.EqualFoldString(n, it.name)) || (!it.fold && string(n) == it.name) {
			return p[eq+1:], true
		}
	}
	return nil, false
}

// queryOf returns what follows the first '?' of target (`query`); ok is
// false when there is no '?'.
func queryOf(target []byte) ([]byte, bool) {
	i := bytes.IndexByte(target, '?')
	if i < 0 {
		return nil, false
	}
	return target[i+1:], true
}

// rdpCookie finds the cookie of an RDP Connection Request (X.224) in p, as
// `req.rdp_cookie` does: after the 4-byte TPKT and 7-byte X.224 headers
// comes "Cookie:" (any case), optional spaces, "name=" (any case; any name
// when name is empty) and the value, which ends at CRLF. more reports that
// the buffer is too short to decide.
func rdpCookie(p []byte, name string) (val []byte, ok, more bool) {
	const hdrs = 11
	const prefix = "Cookie:"
	if len(p) <= hdrs {
		return nil, false, true
	}
	p = p[hdrs:]
	if len(p) <= len(prefix) {
		return nil, false, true
	}
	if !h1.EqualFoldString(p[:len(prefix)], prefix) {
		return nil, false, false
	}
	p = p[len(prefix):]
	for len(p) > 0 && p[0] == ' ' {
		p = p[1:]
	}
	if name != "" {
		if len(p) <= len(name) {
			return nil, false, true
		}
		if p[len(name)] != '=' || !h1.EqualFoldString(p[:len(name)], name) {
			return nil, false, false
		}
		p = p[len(name)+1:]
	} else {
		i := 0
		for i < len(p) && p[i] != '=' {
			if p[i] == '\r' || p[i] == '\n' {
				return nil, false, false
			}
			i++
		}
		if i == len(p) {
			return nil, false, true
		}
		p = p[i+1:]
	}
	end := bytes.IndexByte(p, '\r')
	if end < 0 || end+1 >= len(p) {
		return nil, false, true
	}
	if p[end+1] != '\n' {
		return nil, false, false
	}
	return p[:end], true, false
}
