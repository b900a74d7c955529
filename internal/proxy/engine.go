package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/logging"
	"github.com/hawser-lb/hawser/internal/tunnel"
)

// Options tune an Engine.
type Options struct {
	// Debug, when set, receives each request and response head (hawser -d).
	Debug io.Writer
	// Resolve finds server addresses; nil means the system resolver.
	Resolve backend.Resolver
	// Stderr receives alerts when no log target is configured; nil means
	// os.Stderr.
	Stderr io.Writer
	// Applets are the local services (statistics page, Prometheus
	// exporter).
	Applets Applets
}

// Engine runs a configuration: it owns the listeners, the client sessions,
// the tunnels and the loggers, and stops them all on Shutdown.
type Engine struct {
	opts    Options
	gen     atomic.Pointer[Generation]
	tunnels *tunnel.Engine

	mu        sync.Mutex
	listeners []*listener
	sessions  map[*session]struct{}
	loggers   map[string]*logging.Logger
	// global is the process-wide connection limit (global maxconn).
	global   *limit
	stopping atomic.Bool
	sessWG   sync.WaitGroup
	acceptWG sync.WaitGroup
	// actconn counts the client connections of the process (%ac).
	actconn atomic.Int64
	// sessID numbers sessions for debug output and `show sess`.
	sessID atomic.Uint64
	// started is when the engine started (show info Uptime).
	started time.Time
	errs    errorLog
	// stopCh is closed when the engine starts stopping (wakes tarpits).
	stopCh   chan struct{}
	stopOnce sync.Once
}

// New compiles cfg into an engine ready to Start. It resolves server
// addresses and compiles ACLs, so `hawser -c` calls it too.
func New(cfg *config.Config, opts Options) (*Engine, error) {
	if opts.Resolve == nil {
		opts.Resolve = backend.SystemResolver
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	e := &Engine{
		opts:     opts,
		tunnels:  tunnel.NewEngine(),
		sessions: map[*session]struct{}{},
		loggers:  map[string]*logging.Logger{},
		started:  time.Now(),
		stopCh:   make(chan struct{}),
	}
	g, err := build(cfg, nil, e.buildOptions())
	if err != nil {
		e.closeLoggers()
		return nil, err
	}
	e.gen.Store(g)
	e.global = newLimit(globalMaxconn(&cfg.Global))
	return e, nil
}

// globalMaxconn is the process limit: global maxconn, or (like HAProxy)
// derived from the file descriptor limit, leaving room for the server side
// of each connection.
func globalMaxconn(g *config.Global) int {
	if g.Maxconn > 0 {
		return g.Maxconn
	}
	n := fdLimit()
	if n <= 0 {
		return 4096
	}
	return max((n-20)/2, 1)
}

func (e *Engine) buildOptions() buildOptions {
	o := buildOptions{resolve: e.opts.Resolve, logger: e.logger}
	if sp := e.opts.Applets.StatsPage; sp != nil {
		o.statsPage = func(fe *Frontend) http.Handler { return sp(e, fe) }
	}
	o.services = map[string]func() http.Handler{}
	for name, f := range e.opts.Applets.Services {
		o.services[name] = func() http.Handler { return f(e) }
	}
	return o
}

// logger returns a logger for targets, sharing one per distinct list of
// targets so that reloads with unchanged log lines keep their sockets.
func (e *Engine) logger(targets []config.LogTarget, g *config.Global) (*logging.Logger, error) {
	var key strings.Builder
	lts := make([]logging.Target, 0, len(targets))
	for _, t := range targets {
		fmt.Fprintf(&key, "%s|%s|%d|%s|%d|%d|%d|%s|%v|%s;", t.Network, t.Address, t.Len, t.Format, t.Facility, t.Level, t.MinLevel, g.LogTag, g.LogSendHostname, g.Hostname)
		host := ""
		if g.LogSendHostname || t.Format == "rfc5424" {
			host = g.Hostname
			if host == "" && g.LogSendHostname {
				host, _ = os.Hostname()
			}
		}
		lts = append(lts, logging.Target{
			Network: t.Network, Address: t.Address, MaxLen: t.Len,
			Level: t.Level, MinLevel: t.MinLevel,
			Header: logging.Header{Format: t.Format, Facility: t.Facility, Tag: g.LogTag, Hostname: host, PID: os.Getpid()},
		})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if l := e.loggers[key.String()]; l != nil {
		return l, nil
	}
	l, err := logging.NewLogger(lts)
	if err != nil {
		return nil, err
	}
	e.loggers[key.String()] = l
	return l, nil
}

func (e *Engine) closeLoggers() {
	e.mu.Lock()
	ls := e.loggers
	e.loggers = map[string]*logging.Logger{}
	e.mu.Unlock()
	for _, l := range ls {
		l.Close()
	}
}

// Generation returns the running generation.
func (e *Engine) Generation() *Generation { return e.gen.Load() }

// Tunnels returns the number of running tunnels.
func (e *Engine) Tunnels() int { return e.tunnels.Len() }

// ActiveConns returns the number of client connections of the process.
func (e *Engine) ActiveConns() int64 { return e.actconn.Load() }

// Start opens the listeners of every frontend and starts accepting.
func (e *Engine) Start() error {
	g := e.gen.Load()
	var lns []*listener
	for _, fe := range g.Frontends {
		if fe.Config.Disabled {
			continue
		}
		for _, b := range fe.Config.Binds {
			for _, a := range b.Addrs {
				ln, err := listen(fe, b, a)
				if err != nil {
					for _, l := range lns {
						l.close()
					}
					return config.At(b.Pos, fmt.Errorf("'bind %s' for %s '%s': %w", a, fe.Config.Cap.Section(), fe.Name, err))
				}
				lns = append(lns, ln)
			}
		}
	}
	e.mu.Lock()
	e.listeners = lns
	e.mu.Unlock()
	e.startHealth()
	for _, ln := range lns {
		e.acceptWG.Add(1)
		go e.acceptLoop(ln)
	}
	return nil
}

// Addrs returns the listening addresses per frontend (for tests and the
// demo, which listen on port 0).
func (e *Engine) Addrs() map[string][]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string][]string{}
	for _, l := range e.listeners {
		out[l.frontend] = append(out[l.frontend], l.ln.Addr().String())
	}
	return out
}

// Shutdown stops the engine gracefully: it stops accepting, closes idle
// keep-alive connections, lets in-flight requests finish, then closes the
// tunnels (logged as killed) and returns. If ctx ends first, everything
// still open is closed at once.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.stopping.Store(true)
	e.stopOnce.Do(func() { close(e.stopCh) })
	e.mu.Lock()
	lns := e.listeners
	e.listeners = nil
	e.mu.Unlock()
	for _, l := range lns {
		l.close()
	}
	e.acceptWG.Wait()
	e.wakeIdle()
	done := make(chan struct{})
	go func() {
		e.sessWG.Wait()
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		e.killSessions()
		<-done
	}
	e.stopHealth()
	e.tunnels.KillAll(tunnel.Killed)
	e.tunnels.Wait()
	e.closeIdleServerConns()
	e.closeLoggers()
	return err
}

// wakeIdle interrupts the sessions waiting for a next request, so that
// they notice the shutdown and close.
func (e *Engine) wakeIdle() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for s := range e.sessions {
		if s.idle.Load() {
			s.conn.SetReadDeadline(time.Now())
		}
	}
}

func (e *Engine) killSessions() {
	e.mu.Lock()
	list := make([]*session, 0, len(e.sessions))
	for s := range e.sessions {
		list = append(list, s)
	}
	e.mu.Unlock()
	for _, s := range list {
		s.Kill('K')
	}
}

func (e *Engine) closeIdleServerConns() {
	g := e.gen.Load()
	for _, be := range g.Backends {
		for _, s := range be.Servers {
			s.Idle.CloseAll()
		}
	}
}

func (e *Engine) addSession(s *session) {
	e.mu.Lock()
	e.sessions[s] = struct{}{}
	e.mu.Unlock()
}

func (e *Engine) removeSession(s *session) {
	e.mu.Lock()
	delete(e.sessions, s)
	e.mu.Unlock()
}
