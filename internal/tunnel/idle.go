package tunnel

import (
	"sync"
	"sync/atomic"
	"time"
)

// idleTimer is the goroutine path's inactivity timeout (the epoll path
// keeps its deadlines in its poller, see deadlines_linux.go): it closes a
// tunnel after a period without any byte moving in either direction. One timer serves both directions: a byte moved either
// way is activity on both sides (HAProxy counts a write to a side as
// activity on that side), so the copiers only store a timestamp and the
// timer, when it fires, re-arms itself for the time still left.
type idleTimer struct {
	t     *Tunnel
	last  atomic.Int64 // ns since t.start of the last byte moved
	mu    sync.Mutex   // guards the fields below
	limit time.Duration
	cause Cause
	fin   Timeouts // the fin timeouts, applied when a side half-closes
	timer *time.Timer
	done  bool
}

func (it *idleTimer) init(t *Tunnel, to Timeouts) {
	it.t = t
	it.fin = to
	it.limit, it.cause = baseLimit(to)
	if it.limit > 0 {
		it.timer = time.AfterFunc(it.limit, it.fire)
	}
}

// baseLimit is the inactivity limit of an established tunnel: timeout
// tunnel when set (logged as a client timeout, as HAProxy does), else the
// smaller of timeout client and timeout server.
func baseLimit(to Timeouts) (time.Duration, Cause) {
	switch {
	case to.Tunnel > 0:
		return to.Tunnel, ClientTimeout
	case to.Client > 0 && (to.Server == 0 || to.Client <= to.Server):
		return to.Client, ClientTimeout
	case to.Server > 0:
		return to.Server, ServerTimeout
	}
	return 0, 0
}

// touch records activity. It is on the per-chunk path: one clock read and
// one atomic store.
func (it *idleTimer) touch() {
	it.last.Store(int64(time.Since(it.t.start)))
}

// halfClosed applies the fin timeout of the side that sent its FIN: the
// rest of the tunnel must see activity within it.
func (it *idleTimer) halfClosed(clientSide bool) {
	fin, cause := it.fin.ServerFin, ServerTimeout
	if clientSide {
		fin, cause = it.fin.ClientFin, ClientTimeout
	}
	if fin == 0 {
		return
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.done {
		return
	}
	if it.limit == 0 || fin < it.limit {
		it.limit, it.cause = fin, cause
		it.touchLocked()
		if it.timer == nil {
			it.timer = time.AfterFunc(fin, it.fire)
		} else {
			it.timer.Reset(fin)
		}
	}
}

func (it *idleTimer) touchLocked() { it.last.Store(int64(time.Since(it.t.start))) }

func (it *idleTimer) fire() {
	it.mu.Lock()
	if it.done {
		it.mu.Unlock()
		return
	}
	idle := time.Since(it.t.start) - time.Duration(it.last.Load())
	if left := it.limit - idle; left > 0 {
		it.timer.Reset(left)
		it.mu.Unlock()
		return
	}
	cause := it.cause
	it.mu.Unlock()
	it.t.Kill(cause)
}

func (it *idleTimer) stop() {
	it.mu.Lock()
	it.done = true
	if it.timer != nil {
		it.timer.Stop()
	}
	it.mu.Unlock()
}
