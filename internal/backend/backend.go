package backend

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/hawser-lb/hawser/internal/acl"
	"github.com/hawser-lb/hawser/internal/balance"
	"github.com/hawser-lb/hawser/internal/config"
)

// ConnMode is how HTTP connections are handled after a response
// (HAProxy's option http-keep-alive / http-server-close / httpclose).
type ConnMode uint8

// Connection modes, weakest first: when a frontend and a backend disagree,
// the strongest wins (CLO > SCL > KAL).
const (
	KeepAlive   ConnMode = iota // both sides stay open
	ServerClose                 // close the server side after each response
	Close                       // close both sides after each response
)

// ModeOf returns the connection mode set by a proxy's options.
func ModeOf(o *config.Options) ConnMode {
	switch {
	case o.HTTPClose:
		return Close
	case o.HTTPServerClose:
		return ServerClose
	}
	return KeepAlive
}

// Backend is one backend (or the backend half of a listen section) of a
// configuration generation.
type Backend struct {
	// Name and ID identify the backend (pxname, iid).
	Name string
	ID   int
	// Config is the section the backend was built from.
	Config *config.Proxy
	// Servers are the servers in declaration order.
	Servers []*Server
	// LB chooses servers.
	LB *balance.LB
	// Mode is the proxy mode (tcp or http).
	Mode config.Mode
	// ConnMode is the backend's HTTP connection mode.
	ConnMode ConnMode
	// Counters are the backend's traffic counters; shared across reloads
	// for a backend that keeps its name.
	Counters *Counters
	// Queue holds the requests waiting for a server slot (maxconn); shared
	// across reloads too.
	Queue *Queue
	// Cookie is the compiled cookie persistence; nil without `cookie`.
	Cookie *Cookie
	// RetryOn is the compiled `retry-on`.
	RetryOn RetryOn
	// ForwardFor is the backend's compiled `option forwardfor`, nil when
	// off.
	ForwardFor *ForwardFor
	// KeySample is the compiled sample of `balance hash <expr>`, nil for
	// other algorithms.
	KeySample *acl.Sample

	byName map[string]*Server
	byLB   map[*balance.Server]*Server
}

// ServerOf returns the server whose balancer view is s.
func (b *Backend) ServerOf(s *balance.Server) *Server { return b.byLB[s] }

// Server returns the server named name, or nil.
func (b *Backend) Server(name string) *Server { return b.byName[name] }

// Weights returns the backend's weight as HAProxy reports it (show stat,
// Prometheus): the sum over its usable active servers, or over its usable
// backups when the active ones weigh nothing; effective (less during
// slowstart) and user weights.
func (b *Backend) Weights() (effective, user int) {
	var act, bck, uact, ubck int
	for _, s := range b.Servers {
		if !s.Usable() {
			continue
		}
		cur, _ := b.LB.Weight(s.LB)
		eff := b.LB.EffectiveWeight(s.LB)
		if s.LB.Backup {
			bck, ubck = bck+eff, ubck+cur
		} else {
			act, uact = act+eff, uact+cur
		}
	}
	if act == 0 {
		return bck, ubck
	}
	return act, uact
}

// Resolver finds the addresses of a host name.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

// SystemResolver resolves with the system's resolver (HAProxy's "libc").
func SystemResolver(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// Build makes the runtime backend of px. prev holds the servers of the
// previous generation's backend of the same name (nil at startup): those
// whose name is kept are reused with their state and counters. counters is
// the backend's counters to keep (nil for new ones).
func Build(px *config.Proxy, prev *Backend, resolve Resolver) (*Backend, error) {
	b := &Backend{
		Name: px.Name, ID: px.ID, Config: px, Mode: px.Mode,
		ConnMode: ModeOf(&px.Options),
		RetryOn:  ParseRetryOn(px.RetryOn),
		byName:   make(map[string]*Server, len(px.Servers)),
		byLB:     make(map[*balance.Server]*Server, len(px.Servers)),
		Counters: &Counters{},
		Queue:    &Queue{},
	}
	if prev != nil {
		b.Counters, b.Queue = prev.Counters, prev.Queue
	}
	ff, err := CompileForwardFor(px.Options.ForwardFor)
	if err != nil {
		return nil, config.At(px.Pos, err)
	}
	b.ForwardFor = ff
	lbServers := make([]*balance.Server, 0, len(px.Servers))
	for _, cs := range px.Servers {
		var old *Server
		if prev != nil {
			old = prev.byName[cs.Name]
		}
		s, err := buildServer(px, cs, old, resolve)
		if err != nil {
			return nil, config.At(cs.Pos, err)
		}
		b.Servers = append(b.Servers, s)
		b.byName[s.Name] = s
		lbServers = append(lbServers, s.LB)
	}
	lb, err := balance.New(balance.Spec{
		Balance:    px.Balance.Words,
		HashType:   px.HashType,
		AllBackups: px.Options.AllBackups,
	}, lbServers)
	if err != nil {
		pos := px.Balance.Pos
		var hte *balance.HashTypeError
		if pos.Line == 0 || errors.As(err, &hte) && px.HashTypePos.Line != 0 {
			pos = px.HashTypePos
		}
		if pos.Line == 0 {
			pos = px.Pos
		}
		return nil, config.At(pos, fmt.Errorf("backend '%s': %w", px.Name, err))
	}
	b.LB = lb
	if b.Cookie, err = compileCookie(px, b); err != nil {
		return nil, err
	}
	if expr := lb.KeyExpr(); expr != "" {
		smp, err := acl.CompileSample(expr)
		if err != nil {
			return nil, config.At(px.Balance.Pos, fmt.Errorf("backend '%s': 'balance hash %s': %w", px.Name, expr, err))
		}
		b.KeySample = smp
	}
	for _, s := range b.Servers {
		s.queue.Store(b.Queue)
		b.byLB[s.LB] = s
		s.lb.Store(lb)
		// The new LB starts from the configuration; apply the state the
		// server carries (from the previous generation or its config).
		lb.SetUsable(s.LB, s.Usable())
	}
	return b, nil
}

// buildServer makes the runtime server of cs, reusing old when given.
func buildServer(px *config.Proxy, cs *config.Server, old *Server, resolve Resolver) (*Server, error) {
	if p := &cs.Params; p.Minconn > 0 && p.Minconn < p.Maxconn {
		// HAProxy's dynamic maxconn (minconn up to maxconn as the backend
		// fills towards fullconn) is not implemented: refusing it beats
		// silently running with a different limit.
		return nil, config.At(cs.Pos, fmt.Errorf("server '%s/%s': 'minconn' below 'maxconn' (dynamic maxconn) is not supported by hawser yet; remove it or set it to maxconn", px.Name, cs.Name))
	}
	addr, err := resolveServer(px, cs, old, resolve)
	if err != nil {
		return nil, err
	}
	s := old
	if s == nil {
		s = &Server{Name: cs.Name, Backend: px.Name}
		s.op.Store(OpRunning)
		s.lastChange.Store(time.Now().UnixNano())
	}
	// A kept server is live: sessions of the running generation read its
	// fields, so a reload writes only what changed.
	if s.ID != cs.Params.ID {
		s.ID = cs.Params.ID
	}
	s.cfg.Store(cs)
	s.addr.Store(addr)
	if !addr.ip.IsValid() {
		s.admin.Or(AdminResolvMaint)
	} else {
		s.admin.And(^AdminResolvMaint)
	}
	if cs.Params.Disabled {
		s.admin.Or(AdminConfigMaint)
	} else {
		s.admin.And(^AdminConfigMaint)
	}
	lbs := &balance.Server{
		Name: cs.Name, ID: cs.Params.ID, Backup: cs.Params.Backup,
		Weight: cs.Params.Weight, Maxconn: cs.Params.Maxconn, Maxqueue: cs.Params.Maxqueue,
		Disabled: !s.Usable(),
	}
	if old != nil && old.LB != nil {
		// Keep the balancer's view (and its load counters: live tunnels
		// still weigh on leastconn) but refresh its configuration.
		lbs = old.LB
		if lbs.ID != cs.Params.ID || lbs.Backup != cs.Params.Backup || lbs.Maxconn != cs.Params.Maxconn || lbs.Maxqueue != cs.Params.Maxqueue {
			lbs.ID, lbs.Backup, lbs.Maxconn, lbs.Maxqueue = cs.Params.ID, cs.Params.Backup, cs.Params.Maxconn, cs.Params.Maxqueue
		}
		if d := !s.Usable(); lbs.Disabled != d {
			lbs.Disabled = d
		}
		if oldCfg := old.cfg.Load(); oldCfg == nil || oldCfg.Params.Weight == cs.Params.Weight {
			// The weight may have been changed at run time: keep it unless
			// the configuration changed it.
			if lb := old.lb.Load(); lb != nil {
				if cur, _ := lb.Weight(old.LB); lbs.Weight != cur {
					lbs.Weight = cur
				}
			}
		} else if lbs.Weight != cs.Params.Weight {
			lbs.Weight = cs.Params.Weight
		}
	}
	if s.LB != lbs {
		s.LB = lbs
	}
	return s, nil
}

// resolveServer finds the server's address following its init-addr
// methods (last, libc, none, or a literal IP), as HAProxy does at startup.
func resolveServer(px *config.Proxy, cs *config.Server, old *Server, resolve Resolver) (*serverAddr, error) {
	a := &serverAddr{port: cs.Port, offset: cs.PortOffset, host: cs.Addr}
	if ip, err := netip.ParseAddr(cs.Addr); err == nil {
		a.ip = ip.Unmap()
		return a, nil
	}
	var lastErr error
	for _, m := range cs.Params.InitAddr {
		switch m {
		case "last":
			// hawser has no server-state file yet; a reload keeps the
			// address the server had if its name still resolves the same.
			if old != nil {
				if o := old.addr.Load(); o != nil && o.host == cs.Addr && o.ip.IsValid() {
					a.ip = o.ip
					return a, nil
				}
			}
		case "libc":
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			ips, err := resolve(ctx, cs.Addr)
			cancel()
			if err == nil && len(ips) > 0 {
				a.ip = pickAddr(ips)
				return a, nil
			}
			lastErr = err
		case "none":
			return a, nil // no address: the server starts in maintenance
		default:
			if ip, err := netip.ParseAddr(m); err == nil {
				a.ip = ip.Unmap()
				return a, nil
			}
		}
	}
	msg := fmt.Sprintf("'server %s/%s' : could not resolve address '%s'", px.Name, cs.Name, cs.Addr)
	if lastErr != nil && !strings.Contains(lastErr.Error(), "no such host") {
		msg += ": " + lastErr.Error()
	}
	return nil, fmt.Errorf("%s", msg)
}

// pickAddr prefers an IPv4 address, as HAProxy's default resolve-prefer
// ipv6 does not apply to libc resolution at startup (it takes the first).
func pickAddr(ips []netip.Addr) netip.Addr {
	return ips[0].Unmap()
}

// ForwardFor is a compiled `option forwardfor`.
type ForwardFor struct {
	// Header is the field name, X-Forwarded-For by default.
	Header string
	// Except holds the `except` network when HasExcept is set.
	Except    netip.Prefix
	HasExcept bool
	// IfNone adds the field only when the request has none.
	IfNone bool
}

// CompileForwardFor compiles the option; nil stays nil.
func CompileForwardFor(ff *config.ForwardFor) (*ForwardFor, error) {
	if ff == nil {
		return nil, nil
	}
	f := &ForwardFor{Header: ff.Header, IfNone: ff.IfNone}
	if ff.Except != "" {
		p, err := config.ParseNetwork(ff.Except)
		if err != nil {
			return nil, fmt.Errorf("'option forwardfor except': %w", err)
		}
		f.Except, f.HasExcept = p, true
	}
	return f, nil
}
