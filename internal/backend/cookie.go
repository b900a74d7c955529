package backend

import (
	"github.com/hawser-lb/hawser/internal/config"
)

// Cookie is a backend's compiled cookie persistence (`cookie` plus the
// servers' `cookie <value>`).
type Cookie struct {
	*config.Cookie
	// byValue finds the servers of a cookie value, in declaration order.
	// Several servers may share a value, as in HAProxy (a backup dedicated
	// to one active server, say): the first usable one takes the request.
	byValue map[string][]*Server
}

// Servers returns the servers whose cookie value is v, in declaration
// order, or nil.
func (c *Cookie) Servers(v []byte) []*Server { return c.byValue[string(v)] }

// compileCookie builds the persistence of b; nil without `cookie`.
func compileCookie(px *config.Proxy, b *Backend) (*Cookie, error) {
	if px.Cookie == nil {
		return nil, nil
	}
	if px.Cookie.Dynamic {
		return nil, config.Errorf(px.Cookie.Pos, "'cookie %s': 'dynamic' is not supported by hawser yet", px.Cookie.Name)
	}
	c := &Cookie{Cookie: px.Cookie, byValue: map[string][]*Server{}}
	for _, s := range b.Servers {
		if v := s.Config().Params.Cookie; v != "" {
			c.byValue[v] = append(c.byValue[v], s)
		}
	}
	return c, nil
}
