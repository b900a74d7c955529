package tunnel

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Cause says why a tunnel ended, with the letters of HAProxy's termination
// state (first character).
type Cause byte

// Causes, as HAProxy logs them.
const (
	Normal        Cause = '-' // both sides closed
	ClientAbort   Cause = 'C' // the client reset or failed
	ServerAbort   Cause = 'S' // the server reset or failed
	ClientTimeout Cause = 'c' // inactivity, client side (or timeout tunnel)
	ServerTimeout Cause = 's' // inactivity, server side
	Killed        Cause = 'K' // closed by an operator or a hard stop
	ServerDown    Cause = 'D' // the server was marked DOWN (on-marked-down shutdown-sessions)
	BackupKilled  Cause = 'U' // a backup server's session killed when an active one came back
)

// Timeouts govern a tunnel. Zero means unset.
type Timeouts struct {
	// Tunnel is `timeout tunnel`: inactivity in both directions. When
	// set, it replaces Client and Server.
	Tunnel time.Duration
	// Client and Server are `timeout client` and `timeout server`. Without
	// Tunnel, the tunnel closes when no byte moved for the smaller one.
	Client, Server time.Duration
	// ClientFin and ServerFin are `timeout client-fin` and `timeout
	// server-fin`: the inactivity limit once that side has half-closed.
	ClientFin, ServerFin time.Duration
}

// Result is what a tunnel did.
type Result struct {
	Cause Cause
	// BytesUp moved from client to server, BytesDown from server to client.
	BytesUp, BytesDown int64
	// Duration is the tunnel's life.
	Duration time.Duration
}

// Tunnel is one running tunnel. It runs on one of two paths: plain TCP
// connections leave Go's poller for an engine's epoll sets (polled_linux.go),
// anything else is copied by two goroutines (copy.go).
type Tunnel struct {
	engine *Engine
	start  time.Time
	done   func(Result)

	cause     atomic.Uint32 // first Cause recorded, 0 while running
	ended     atomic.Bool   // set once, when the tunnel has finished
	bytesUp   atomic.Int64
	bytesDown atomic.Int64

	// g is the goroutine path's state, nil on the epoll path: an idle
	// epoll tunnel is this struct alone, so what only the other path
	// needs lives behind a pointer.
	g *copier
	// p is the epoll path's state, owned by its poller's goroutine.
	p polled
}

// Engine runs tunnels and keeps track of them so that they can be killed
// together (hard stop) and waited for (tests, shutdown).
type Engine struct {
	mu   sync.Mutex
	live map[*Tunnel]struct{}
	wg   sync.WaitGroup
	// pollers move the bytes of plain TCP tunnels. They start with the
	// first such tunnel and stop pollerLinger after the last one ends (or
	// at Wait), so that an engine without tunnels holds no goroutine and
	// no descriptor.
	pollers *pollers
	linger  *time.Timer    // releases idle pollers
	release sync.WaitGroup // pollers being stopped
}

// pollerLinger is how long pollers outlive the last tunnel: long enough
// that a steady stream of short WebSockets does not start and stop them
// again and again.
const pollerLinger = 2 * time.Second

// NewEngine returns an empty engine.
func NewEngine() *Engine {
	return &Engine{live: make(map[*Tunnel]struct{})}
}

// Start runs a tunnel between client and server and returns at once. Any
// bytes either side had buffered must have been forwarded by the caller,
// and the caller must not use the connections any more: when both are
// TCP sockets (*net.TCPConn, *sockio.TCPConn), their descriptors move to
// the engine's epoll sets and the net.Conns are closed. Deadlines the
// connections had are ignored (the tunnel has its own timeouts). done is
// called once, after both connections are closed, from a goroutine of the
// engine; it must not block.
func (e *Engine) Start(client, server net.Conn, to Timeouts, done func(Result)) *Tunnel {
	t := &Tunnel{engine: e, start: time.Now(), done: done}
	e.wg.Add(1)
	if e.startPolled(t, client, server, to) {
		return t
	}
	// The goroutine path reads and writes through the connections: a
	// deadline left from before would end the tunnel.
	client.SetDeadline(time.Time{})
	server.SetDeadline(time.Time{})
	t.g = &copier{client: client, server: server}
	t.g.idle.init(t, to)
	e.mu.Lock()
	e.live[t] = struct{}{}
	e.mu.Unlock()
	t.g.running.Store(2)
	go t.copyUp()
	go t.copyDown()
	return t
}

// Len returns the number of running tunnels.
func (e *Engine) Len() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.live)
}

// KillAll ends every running tunnel with cause c.
func (e *Engine) KillAll(c Cause) {
	e.mu.Lock()
	ts := make([]*Tunnel, 0, len(e.live))
	for t := range e.live {
		ts = append(ts, t)
	}
	e.mu.Unlock()
	for _, t := range ts {
		t.Kill(c)
	}
}

// Wait blocks until every tunnel started so far has ended. If no tunnel
// is running then, it also stops the engine's poller goroutines; the next
// Start starts them again.
func (e *Engine) Wait() {
	e.wg.Wait()
	e.mu.Lock()
	var p *pollers
	if len(e.live) == 0 {
		p, e.pollers = e.pollers, nil
		if e.linger != nil {
			e.linger.Stop()
		}
	}
	e.mu.Unlock()
	if p != nil {
		p.stop()
	}
	e.release.Wait()
}

// lingerLocked schedules the release of the pollers once the last tunnel
// has ended. Called with e.mu held.
func (e *Engine) lingerLocked() {
	if e.linger == nil {
		e.linger = time.AfterFunc(pollerLinger, e.releaseIdle)
		return
	}
	e.linger.Reset(pollerLinger)
}

// releaseIdle stops the pollers if no tunnel started since the last one
// ended.
func (e *Engine) releaseIdle() {
	e.mu.Lock()
	if len(e.live) != 0 || e.pollers == nil {
		e.mu.Unlock()
		return
	}
	p := e.pollers
	e.pollers = nil
	e.release.Add(1)
	e.mu.Unlock()
	defer e.release.Done()
	p.stop()
}

// Kill ends the tunnel with cause c (unless it already ended). It does not
// wait: the tunnel's done function runs once its connections are closed.
func (t *Tunnel) Kill(c Cause) {
	if t.ended.Load() {
		return
	}
	t.setCause(c)
	if t.g == nil {
		t.p.w.kill(t)
		return
	}
	t.g.closeBoth()
}

// BytesUp and BytesDown report the bytes moved so far, for
// `option contstats`.
func (t *Tunnel) BytesUp() int64 { return t.bytesUp.Load() }

// BytesDown reports the bytes moved from server to client so far.
func (t *Tunnel) BytesDown() int64 { return t.bytesDown.Load() }

// StartTime returns when the tunnel started.
func (t *Tunnel) StartTime() time.Time { return t.start }

func (t *Tunnel) setCause(c Cause) {
	t.cause.CompareAndSwap(0, uint32(c))
}

// end finishes a tunnel whose connections are closed and whose timer is
// stopped: it leaves the engine and reports the result. Each path calls
// it once.
func (t *Tunnel) end() {
	t.ended.Store(true)
	t.setCause(Normal)
	e := t.engine
	e.mu.Lock()
	delete(e.live, t)
	if len(e.live) == 0 && e.pollers != nil {
		e.lingerLocked()
	}
	e.mu.Unlock()
	if t.done != nil {
		t.done(Result{
			Cause:     Cause(t.cause.Load()),
			BytesUp:   t.bytesUp.Load(),
			BytesDown: t.bytesDown.Load(),
			Duration:  time.Since(t.start),
		})
	}
	e.wg.Done()
}
