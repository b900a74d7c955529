package backend

import (
	"sync"
	"time"
)

// IdleConn is a server connection waiting for reuse.
type IdleConn interface {
	// Close closes the connection.
	Close() error
}

// PurgeDelay is how long an idle server connection is kept (HAProxy's
// pool-purge-delay default).
const PurgeDelay = 5 * time.Second

// maxIdle bounds the idle connections kept per server.
const maxIdle = 256

// IdlePool keeps idle connections to one server, most recently used first
// (HAProxy's http-reuse safe keeps them per server too).
type IdlePool struct {
	mu    sync.Mutex
	conns []idleEntry
}

type idleEntry struct {
	c    IdleConn
	when time.Time
}

// Put offers c for reuse. It returns false (and the caller closes c) when
// the pool is full.
func (p *IdlePool) Put(c IdleConn, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.conns) >= maxIdle {
		return false
	}
	p.conns = append(p.conns, idleEntry{c, now})
	return true
}

// Get takes the most recently used idle connection, or nil. Connections
// idle for longer than PurgeDelay are closed instead.
func (p *IdlePool) Get(now time.Time) IdleConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	for n := len(p.conns); n > 0; n = len(p.conns) {
		e := p.conns[n-1]
		p.conns[n-1] = idleEntry{}
		p.conns = p.conns[:n-1]
		if now.Sub(e.when) < PurgeDelay {
			return e.c
		}
		e.c.Close()
	}
	return nil
}

// Purge closes connections idle for longer than PurgeDelay.
func (p *IdlePool) Purge(now time.Time) {
	p.mu.Lock()
	keep := p.conns[:0]
	var old []IdleConn
	for _, e := range p.conns {
		if now.Sub(e.when) < PurgeDelay {
			keep = append(keep, e)
		} else {
			old = append(old, e.c)
		}
	}
	for i := len(keep); i < len(p.conns); i++ {
		p.conns[i] = idleEntry{}
	}
	p.conns = keep
	p.mu.Unlock()
	for _, c := range old {
		c.Close()
	}
}

// Len returns the number of idle connections.
func (p *IdlePool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.conns)
}

// CloseAll closes every idle connection (address change, shutdown).
func (p *IdlePool) CloseAll() {
	p.mu.Lock()
	conns := p.conns
	p.conns = nil
	p.mu.Unlock()
	for _, e := range conns {
		e.c.Close()
	}
}
