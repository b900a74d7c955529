package proxy

import (
	"runtime"
	"time"
)

// SessionInfo describes a running session for `show sess`.
type SessionInfo struct {
	ID       uint64
	Src      string
	Frontend string
	Backend  string
	Server   string
	Age      time.Duration
	Tunnel   bool
}

// Sessions lists the HTTP and TCP sessions being served (tunnels are
// listed by their servers).
func (e *Engine) Sessions() []SessionInfo {
	e.mu.Lock()
	defer e.mu.Unlock()
	now := time.Now()
	out := make([]SessionInfo, 0, len(e.sessions))
	for s := range e.sessions {
		out = append(out, SessionInfo{ID: s.id, Src: s.src.String(), Frontend: s.l.frontend(), Age: now.Sub(s.accept)})
	}
	return out
}

// KillSession ends the session with this ID (`shutdown session`).
func (e *Engine) KillSession(id uint64) bool {
	e.mu.Lock()
	var found *session
	for s := range e.sessions {
		if s.id == id {
			found = s
			break
		}
	}
	e.mu.Unlock()
	if found == nil {
		return false
	}
	found.Kill('K')
	return true
}

// Info holds the process figures of `show info`.
type Info struct {
	Started    time.Time
	Maxconn    int
	CurrConns  int64
	CumConns   uint64
	Tunnels    int
	Listeners  int
	Stopping   bool
	DroppedLog int64
	Reloads    int64
	Goroutines int
}

// Info returns the process figures.
func (e *Engine) Info() Info {
	e.mu.Lock()
	defer e.mu.Unlock()
	var dropped int64
	for _, l := range e.loggers {
		dropped += l.Dropped()
	}
	return Info{
		Started: e.started, Maxconn: e.global.max, CurrConns: e.actconn.Load(),
		CumConns: e.sessID.Load(), Tunnels: e.tunnels.Len(), Listeners: len(e.listeners),
		Stopping: e.stopping.Load(), DroppedLog: dropped,
		Reloads: e.reloads.Load(), Goroutines: runtime.NumGoroutine(),
	}
}
