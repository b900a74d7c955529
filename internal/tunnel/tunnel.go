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

// Tunnel is one running tunnel.
type Tunnel struct {
	engine         *Engine
	client, server net.Conn
	start          time.Time
	done           func(Result)

	cause     atomic.Uint32 // first Cause recorded, 0 while running
	bytesUp   atomic.Int64
	bytesDown atomic.Int64
	idle      idleTimer
	running   atomic.Int32 // directions still copying
	closeOnce sync.Once
}

// Engine runs tunnels and keeps track of them so that they can be killed
// together (hard stop) and waited for (tests, shutdown).
type Engine struct {
	mu   sync.Mutex
	live map[*Tunnel]struct{}
	wg   sync.WaitGroup
}

// NewEngine returns an empty engine.
func NewEngine() *Engine {
	return &Engine{live: make(map[*Tunnel]struct{})}
}

// Start runs a tunnel between client and server and returns at once. Any
// bytes either side had buffered must have been forwarded by the caller.
// done is called once, from the tunnel's own goroutine, after both
// connections are closed.
func (e *Engine) Start(client, server net.Conn, to Timeouts, done func(Result)) *Tunnel {
	t := &Tunnel{engine: e, client: client, server: server, start: time.Now(), done: done}
	t.idle.init(t, to)
	e.mu.Lock()
	e.live[t] = struct{}{}
	e.mu.Unlock()
	e.wg.Add(1)
	t.running.Store(2)
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

// Wait blocks until every tunnel started so far has ended.
func (e *Engine) Wait() { e.wg.Wait() }

// Kill ends the tunnel with cause c (unless it already ended).
func (t *Tunnel) Kill(c Cause) {
	t.setCause(c)
	t.closeBoth()
}

// BytesUp and BytesDown report the bytes moved so far, for
// `option contstats`.
func (t *Tunnel) BytesUp() int64 { return t.bytesUp.Load() }

// BytesDown reports the bytes moved from server to client so far.
func (t *Tunnel) BytesDown() int64 { return t.bytesDown.Load() }

// Start returns when the tunnel started.
func (t *Tunnel) StartTime() time.Time { return t.start }

func (t *Tunnel) setCause(c Cause) {
	t.cause.CompareAndSwap(0, uint32(c))
}

func (t *Tunnel) closeBoth() {
	t.closeOnce.Do(func() {
		t.client.Close()
		t.server.Close()
	})
}

// directionDone is called by each copier when it stops. The last one
// finishes the tunnel.
func (t *Tunnel) directionDone() {
	if t.running.Add(-1) != 0 {
		return
	}
	t.idle.stop()
	t.closeBoth()
	t.setCause(Normal)
	e := t.engine
	e.mu.Lock()
	delete(e.live, t)
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
