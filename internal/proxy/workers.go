package proxy

import (
	"net"
	"time"
)

// Sessions run on pooled goroutines. A new goroutine starts with a small
// stack and grows it (copying it each time) on its way down to the server
// dial and the tunnel hand-off: on the WebSocket handshake benchmark
// runtime.copystack was ~3% of hawser's CPU. A goroutine that served a
// session keeps its grown stack, so it waits a while for the next
// connection instead of exiting.

// workerIdle is how long a session goroutine waits for another connection
// before it exits.
const workerIdle = 2 * time.Second

// handoff is a connection accepted by a listener, for a waiting worker.
type handoff struct {
	l *listener
	c net.Conn
}

// dispatch serves c on a waiting worker, or on a new one when none waits.
func (e *Engine) dispatch(l *listener, c net.Conn) {
	select {
	case e.work <- handoff{l, c}:
	default:
		e.workWG.Add(1)
		e.workersStarted.Add(1)
		go e.worker(l, c)
	}
}

// worker serves connections until none came for workerIdle or the engine
// stops.
func (e *Engine) worker(l *listener, c net.Conn) {
	defer e.workWG.Done()
	var idle *time.Timer
	for {
		e.serve(l, c)
		l, c = nil, nil // hold nothing of the last session while waiting
		if idle == nil {
			idle = time.NewTimer(workerIdle)
		} else {
			idle.Reset(workerIdle)
		}
		e.workersIdle.Add(1)
		var h handoff
		select {
		case h = <-e.work:
		case <-idle.C:
		case <-e.stopCh:
			idle.Stop()
		}
		e.workersIdle.Add(-1)
		if h.c == nil {
			return
		}
		l, c = h.l, h.c
	}
}
