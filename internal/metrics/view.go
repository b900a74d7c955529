package metrics

import (
	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/proxy"
)

// view holds a generation's label values, built once when a scrape first
// sees the generation: a scrape then only reads counters, and the label
// slices are shared by every scrape of the generation.
type view struct {
	gen       *proxy.Generation
	frontends []frontendView
	backends  []backendView
}

// frontendView is a frontend's objects and label values.
type frontendView struct {
	fe     *proxy.Frontend
	http   bool
	labels []string // proxy
	states [len(proxyStates)][]string
	codes  [len(codeClasses)][]string
}

// backendView is a backend's objects and label values.
type backendView struct {
	be        *backend.Backend
	http      bool
	labels    []string // proxy
	states    [len(proxyStates)][]string
	aggStates [len(serverStates)][]string
	codes     [len(codeClasses)][]string
	servers   []serverView
}

// serverView is a server's objects and label values.
type serverView struct {
	srv    *backend.Server
	labels []string // proxy, server
	states [len(serverStates)][]string
	codes  [len(codeClasses)][]string
}

// with returns labels followed by v, as a new slice.
func with(labels []string, v string) []string {
	return append(append(make([]string, 0, len(labels)+1), labels...), v)
}

// newView resolves the label values of g's proxies and servers.
func newView(g *proxy.Generation) *view {
	v := &view{gen: g}
	for _, fe := range g.Frontends {
		f := frontendView{fe: fe, http: fe.Mode == config.ModeHTTP, labels: []string{fe.Name}}
		for i, s := range proxyStates {
			f.states[i] = with(f.labels, s)
		}
		for i, c := range codeClasses {
			f.codes[i] = with(f.labels, c)
		}
		v.frontends = append(v.frontends, f)
	}
	for _, be := range g.Backends {
		b := backendView{be: be, http: be.Mode == config.ModeHTTP, labels: []string{be.Name}}
		for i, s := range proxyStates {
			b.states[i] = with(b.labels, s)
		}
		for i, s := range serverStates {
			b.aggStates[i] = with(b.labels, s)
		}
		for i, c := range codeClasses {
			b.codes[i] = with(b.labels, c)
		}
		for _, srv := range be.Servers {
			s := serverView{srv: srv, labels: []string{be.Name, srv.Name}}
			for i, st := range serverStates {
				s.states[i] = with(s.labels, st)
			}
			for i, c := range codeClasses {
				s.codes[i] = with(s.labels, c)
			}
			b.servers = append(b.servers, s)
		}
		v.backends = append(v.backends, b)
	}
	return v
}
