package backend

import (
	"fmt"

	"github.com/hawser-lb/hawser/internal/config"
)

// Cookie is a backend's compiled cookie persistence (`cookie` plus the
// servers' `cookie <value>`).
type Cookie struct {
	*config.Cookie
	// byValue finds the server of a cookie value.
	byValue map[string]*Server
}

// Server returns the server whose cookie value is v, or nil.
func (c *Cookie) Server(v []byte) *Server { return c.byValue[string(v)] }

// compileCookie builds the persistence of b; nil without `cookie`.
func compileCookie(px *config.Proxy, b *Backend) (*Cookie, error) {
	if px.Cookie == nil {
		return nil, nil
	}
	if px.Cookie.MaxIdle > 0 || px.Cookie.MaxLife > 0 {
		return nil, config.Errorf(px.Cookie.Pos, "'cookie %s': 'maxidle' and 'maxlife' are not supported by hawser yet", px.Cookie.Name)
	}
	if px.Cookie.Dynamic {
		return nil, config.Errorf(px.Cookie.Pos, "'cookie %s': 'dynamic' is not supported by hawser yet", px.Cookie.Name)
	}
	c := &Cookie{Cookie: px.Cookie, byValue: map[string]*Server{}}
	for _, s := range b.Servers {
		v := s.Config().Params.Cookie
		if v == "" {
			continue
		}
		if o := c.byValue[v]; o != nil {
			return nil, config.At(s.Config().Pos, fmt.Errorf("server '%s/%s' has the same cookie value '%s' as server '%s'", b.Name, s.Name, v, o.Name))
		}
		c.byValue[v] = s
	}
	return c, nil
}
