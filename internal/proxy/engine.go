package proxy

import (
	"context"
	"errors"
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
	"github.com/hawser-lb/hawser/internal/health"
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
	// OnTunnelEnd, when set, is told about every tunnel that ends (the
	// metrics' tunnel durations and causes).
	OnTunnelEnd func(backend, server string, r tunnel.Result)
	// Quiet silences the messages printed on Stderr in the foreground
	// (hawser -q); log targets still get them.
	Quiet bool
	// Inherited are listening sockets received from elsewhere (a
	// predecessor's -x, the master process, systemd), by listener key
	// ("tcp4 0.0.0.0:80"). Binds with the same address use them instead of
	// binding; the engine takes ownership of the ones it uses.
	Inherited map[string]*os.File
}

// Engine runs a configuration: it owns the listeners, the client sessions,
// the tunnels and the loggers, and stops them all on Shutdown.
type Engine struct {
	opts    Options
	gen     atomic.Pointer[Generation]
	tunnels *tunnel.Engine

	mu        sync.Mutex
	listeners []*listener
	// bound is set once Bind opened the listeners.
	bound    bool
	sessions map[*session]struct{}
	loggers  map[string]*logging.Logger
	// global is the process-wide connection limit (global maxconn).
	global   *limit
	stopping atomic.Bool
	sessWG   sync.WaitGroup
	acceptWG sync.WaitGroup
	// work hands accepted connections to idle session goroutines
	// (workers.go); workWG counts those goroutines.
	work   chan handoff
	workWG sync.WaitGroup
	// workersStarted and workersIdle count the session goroutines
	// started and those waiting for a connection.
	workersStarted, workersIdle atomic.Int64
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
	// reloadMu serialises reloads and stops.
	reloadMu sync.Mutex
	// reloads counts successful reloads.
	reloads atomic.Int64
	// health runs the health checks (nil before Start and after stop).
	health atomic.Pointer[health.Set]
	// tunnelEnds are the running tunnels' accounting (contstats).
	tmu        sync.Mutex
	tunnelEnds map[*tunnelEnd]struct{}
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
		work:     make(chan handoff),
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

// Bind opens the listening sockets of every frontend without accepting
// on them yet, so that the process can drop its privileges in between, as
// HAProxy does: a connection is never served with the privileges that
// binding needed. Start calls it when it was not called.
func (e *Engine) Bind() error {
	g := e.gen.Load()
	lns, err := e.openListeners(g, nil)
	if err != nil {
		return err
	}
	// Sockets handed over that no bind line wants are closed.
	for k, f := range e.opts.Inherited {
		f.Close()
		delete(e.opts.Inherited, k)
	}
	e.mu.Lock()
	e.listeners = lns
	e.bound = true
	e.mu.Unlock()
	return nil
}

// Start starts the health checks and accepting on the listeners, binding
// them first if Bind was not called.
func (e *Engine) Start() error {
	e.mu.Lock()
	bound := e.bound
	e.mu.Unlock()
	if !bound {
		if err := e.Bind(); err != nil {
			return err
		}
	}
	e.mu.Lock()
	lns := e.listeners
	e.mu.Unlock()
	e.startHealth()
	for _, ln := range lns {
		e.acceptWG.Add(1)
		go e.acceptLoop(ln)
	}
	e.acceptWG.Add(1)
	go e.housekeeping()
	return nil
}

// openListeners opens the listening sockets g needs. Sockets of keep
// (the running listeners, by key) are reused instead; the result lists
// every listener of g, kept and new. On error, the new ones are closed.
func (e *Engine) openListeners(g *Generation, keep map[string]*listener) ([]*listener, error) {
	var lns, opened []*listener
	seen := map[string]bool{}
	for _, fe := range g.Frontends {
		if fe.Config.Disabled {
			continue
		}
		for _, b := range fe.Config.Binds {
			for _, a := range b.Addrs {
				key := listenerKey(a, b)
				if seen[key] {
					continue
				}
				seen[key] = true
				if l := keep[key]; l != nil {
					name := fe.Name
					l.fe.Store(&name)
					l.lim.setMax(bindMaxconn(fe, b))
					lns = append(lns, l)
					continue
				}
				l, err := listen(fe, b, a, e.opts.Inherited)
				if err != nil {
					for _, o := range opened {
						o.close(false)
					}
					return nil, config.At(b.Pos, fmt.Errorf("'bind %s' for %s '%s': %w", a, fe.Config.Cap.Section(), fe.Name, err))
				}
				opened = append(opened, l)
				lns = append(lns, l)
			}
		}
	}
	return lns, nil
}

// Reload switches to cfg without dropping anything: the new generation
// is built with the running one's servers (states, weights set at run
// time, counters) and counters, listening sockets whose address is
// unchanged are kept, new ones are opened and removed ones closed. Requests
// in flight finish on the generation they started with; tunnels are not
// touched. On error nothing changes.
func (e *Engine) Reload(cfg *config.Config) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	if e.stopping.Load() {
		return errors.New("stopping: not reloading")
	}
	old := e.gen.Load()
	g, err := build(cfg, old, e.buildOptions())
	if err != nil {
		return err
	}
	e.mu.Lock()
	running := map[string]*listener{}
	for _, l := range e.listeners {
		running[l.key] = l
	}
	e.mu.Unlock()
	lns, err := e.openListeners(g, running)
	if err != nil {
		return err
	}
	e.global.setMax(globalMaxconn(&cfg.Global))
	e.gen.Store(g)
	kept := map[*listener]bool{}
	for _, l := range lns {
		kept[l] = true
	}
	e.mu.Lock()
	e.listeners = lns
	e.mu.Unlock()
	for _, l := range lns {
		if running[l.key] == nil {
			e.acceptWG.Add(1)
			go e.acceptLoop(l)
		}
	}
	for _, l := range running {
		if !kept[l] {
			l.close(true)
		}
	}
	e.reloadHealth(old, g)
	// Idle connections to servers that left the configuration are closed;
	// their sessions and tunnels run to their end.
	for _, be := range old.Backends {
		nb := g.Backend(be.Name)
		for _, srv := range be.Servers {
			if nb == nil || nb.Server(srv.Name) != srv {
				srv.Idle.CloseAll()
			}
		}
	}
	e.reloads.Add(1)
	return nil
}

// Addrs returns the listening addresses per frontend (for tests and the
// demo, which listen on port 0).
func (e *Engine) Addrs() map[string][]string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string][]string{}
	for _, l := range e.listeners {
		out[l.frontend()] = append(out[l.frontend()], l.ln.Addr().String())
	}
	return out
}

// ListenerFiles returns duplicates of the listening sockets with their
// keys, to hand them to a successor process (`-x`, master-worker). The
// caller closes the files.
func (e *Engine) ListenerFiles() (keys []string, files []*os.File, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.listeners {
		f, err := l.file()
		if err != nil {
			for _, o := range files {
				o.Close()
			}
			return nil, nil, fmt.Errorf("listener %s: %w", l.key, err)
		}
		keys = append(keys, l.key)
		files = append(files, f)
	}
	return keys, files, nil
}

// Shutdown stops the engine: it stops accepting, closes idle keep-alive
// connections, lets in-flight requests finish, then closes the tunnels
// (logged as killed) and returns. If ctx ends first, everything still open
// is closed at once.
func (e *Engine) Shutdown(ctx context.Context) error {
	return e.stop(ctx, false)
}

// SoftStop stops the engine the way HAProxy's soft stop (SIGUSR1, or a
// successor's -sf) does: it stops accepting, lets in-flight requests
// finish and keeps the tunnels until they end. When ctx ends first
// (hard-stop-after) whatever is left is closed, logged as killed.
func (e *Engine) SoftStop(ctx context.Context) error {
	return e.stop(ctx, true)
}

func (e *Engine) stop(ctx context.Context, waitTunnels bool) error {
	// grace: the frontends keep accepting for a while after the stop
	// signal (HAProxy's `grace`, for load balancers that need time to
	// notice a node is leaving).
	var grace time.Duration
	for _, fe := range e.gen.Load().Frontends {
		grace = max(grace, fe.Config.Grace)
	}
	if grace > 0 {
		select {
		case <-time.After(grace):
		case <-ctx.Done():
		}
	}
	e.reloadMu.Lock()
	e.stopping.Store(true)
	e.reloadMu.Unlock()
	e.stopOnce.Do(func() { close(e.stopCh) })
	e.mu.Lock()
	lns := e.listeners
	e.listeners = nil
	e.mu.Unlock()
	for _, l := range lns {
		// A successor may have taken the socket over: leave its file.
		l.close(false)
	}
	e.global.close()
	e.acceptWG.Wait()
	e.wakeIdle()
	done := make(chan struct{})
	go func() {
		e.sessWG.Wait()
		e.workWG.Wait()
		if waitTunnels {
			e.tunnels.Wait()
		}
		close(done)
	}()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		e.killSessions()
		e.tunnels.KillAll(tunnel.Killed)
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
