package backend

import (
	"fmt"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hawser-lb/hawser/internal/balance"
	"github.com/hawser-lb/hawser/internal/config"
)

// Admin flags of a server, as HAProxy's srv_admin_state bits.
const (
	AdminForcedMaint uint32 = 0x01 // `set server state maint`, `disable server`
	AdminConfigMaint uint32 = 0x04 // `disabled` in the configuration
	AdminForcedDrain uint32 = 0x08 // `set server state drain`
	AdminResolvMaint uint32 = 0x20 // no address (init-addr none)
)

// Operational states, as HAProxy's srv_op_state.
const (
	OpStopped  uint32 = 0 // DOWN
	OpStarting uint32 = 1
	OpRunning  uint32 = 2 // UP
	OpStopping uint32 = 3 // NOLB
)

// Session is something running on a server that an operator or a state
// change may have to end: an HTTP exchange or a tunnel.
type Session interface {
	// Kill ends the session; cause is HAProxy's termination letter
	// ('K' killed, 'D' server down, 'U' backup preempted).
	Kill(cause byte)
}

// Server is one server of a backend at run time.
type Server struct {
	// Name and ID are the server's name and persistent ID (puid).
	Name string
	ID   int
	// Backend is the name of the backend the server belongs to.
	Backend string
	// LB is the balancer's view of the server.
	LB *balance.Server
	// Counters are the server's traffic counters.
	Counters Counters
	// Idle holds connections to the server kept for reuse.
	Idle IdlePool

	cfg   atomic.Pointer[config.Server]
	addr  atomic.Pointer[serverAddr]
	admin atomic.Uint32
	op    atomic.Uint32
	// lastChange is when the state last changed (Unix nanoseconds).
	lastChange atomic.Int64
	// lb is the balancer the server currently belongs to; queue its
	// backend's queue.
	lb    atomic.Pointer[balance.LB]
	queue atomic.Pointer[Queue]

	mu       sync.Mutex
	sessions map[Session]struct{}
}

// serverAddr is a server's address: an IP and a port, where port 0 means
// "the port the client connected to" and offset means "that port plus
// Port".
type serverAddr struct {
	ip     netip.Addr
	port   int
	offset bool
	// host is the name or address as configured, for stats.
	host string
}

// Config returns the configuration the server was last built from.
func (s *Server) Config() *config.Server { return s.cfg.Load() }

// DialAddr returns the address to connect to for a client that connected
// to port dstPort, and false when the server has no address yet.
func (s *Server) DialAddr(dstPort uint16) (netip.AddrPort, bool) {
	a := s.addr.Load()
	if a == nil || !a.ip.IsValid() {
		return netip.AddrPort{}, false
	}
	port := a.port
	switch {
	case a.offset:
		port += int(dstPort)
	case port == 0:
		port = int(dstPort)
	}
	if port <= 0 || port > 65535 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a.ip, uint16(port)), true
}

// AddrString returns the address for stats: ip:port, with +N/-N offsets or
// no port as configured.
func (s *Server) AddrString() string {
	a := s.addr.Load()
	if a == nil || !a.ip.IsValid() {
		return "-"
	}
	ip := a.ip.String()
	if a.ip.Is6() {
		ip = "[" + ip + "]"
	}
	switch {
	case a.offset && a.port >= 0:
		return ip + ":+" + strconv.Itoa(a.port)
	case a.offset:
		return ip + ":" + strconv.Itoa(a.port)
	case a.port == 0:
		return ip
	}
	return ip + ":" + strconv.Itoa(a.port)
}

// SetAddr changes the server's IP and, if port > 0, its port (`set server
// addr`).
func (s *Server) SetAddr(ip netip.Addr, port int) {
	old := s.addr.Load()
	n := &serverAddr{ip: ip}
	if old != nil {
		n.port, n.offset, n.host = old.port, old.offset, old.host
	}
	if port > 0 {
		n.port, n.offset = port, false
	}
	s.addr.Store(n)
	s.admin.And(^AdminResolvMaint)
	s.updateLB()
	s.Idle.CloseAll()
}

// Admin returns the admin flags; Op the operational state.
func (s *Server) Admin() uint32 { return s.admin.Load() }

// Op returns the operational state (OpStopped … OpStopping).
func (s *Server) Op() uint32 { return s.op.Load() }

// LastChange returns when the server's state last changed.
func (s *Server) LastChange() time.Time { return time.Unix(0, s.lastChange.Load()) }

// Usable reports whether the server takes load-balanced traffic: UP and
// neither in maintenance nor draining.
func (s *Server) Usable() bool {
	return s.op.Load() == OpRunning && s.admin.Load() == 0
}

// Reachable reports whether a persistent request (cookie) may still be sent
// to the server: draining servers take it, servers in maintenance or DOWN
// do not.
func (s *Server) Reachable() bool {
	a := s.admin.Load()
	return s.op.Load() != OpStopped && a&(AdminForcedMaint|AdminConfigMaint|AdminResolvMaint) == 0
}

// SetAdmin sets or clears admin flags and updates the balancer.
func (s *Server) SetAdmin(flags uint32, on bool) {
	if on {
		s.admin.Or(flags)
	} else {
		s.admin.And(^flags)
	}
	s.lastChange.Store(time.Now().UnixNano())
	s.updateLB()
}

// SetOp sets the operational state and updates the balancer.
func (s *Server) SetOp(op uint32) {
	if s.op.Swap(op) != op {
		s.lastChange.Store(time.Now().UnixNano())
	}
	s.updateLB()
}

func (s *Server) updateLB() {
	if lb := s.lb.Load(); lb != nil {
		lb.SetUsable(s.LB, s.Usable())
	}
	s.dispatch()
}

// Release gives back a connection slot taken on the server (by the
// balancer's Pick, Acquire or a queue) and hands it to the oldest request
// waiting for it, if any.
func (s *Server) Release() {
	s.LB.Release()
	s.dispatch()
}

// hasSlot reports whether the server can take one more request.
func (s *Server) hasSlot() bool {
	lb := s.lb.Load()
	if lb == nil {
		return false
	}
	max := lb.Maxconn(s.LB)
	return max == 0 || s.LB.Served() < max
}

// dispatch hands free slots to queued requests: requests bound to the
// server when it is reachable, requests of the backend queue when it also
// takes load-balanced traffic.
func (s *Server) dispatch() {
	q := s.queue.Load()
	if q == nil || !s.Reachable() {
		return
	}
	q.dispatch(s, s.Usable(), s.hasSlot)
}

// StatusString returns the server's status as `show stat` prints it.
func (s *Server) StatusString() string {
	a := s.admin.Load()
	switch {
	case a&(AdminForcedMaint|AdminConfigMaint|AdminResolvMaint) != 0:
		return "MAINT"
	case a&AdminForcedDrain != 0:
		return "DRAIN"
	}
	switch s.op.Load() {
	case OpStopped:
		return "DOWN"
	case OpStopping:
		return "NOLB"
	}
	if c := s.cfg.Load(); c == nil || !c.Params.Check {
		return "no check"
	}
	return "UP"
}

// Attach registers a session running on the server.
func (s *Server) Attach(ss Session) {
	s.mu.Lock()
	if s.sessions == nil {
		s.sessions = make(map[Session]struct{})
	}
	s.sessions[ss] = struct{}{}
	s.mu.Unlock()
}

// Detach removes a session registered with Attach.
func (s *Server) Detach(ss Session) {
	s.mu.Lock()
	delete(s.sessions, ss)
	s.mu.Unlock()
}

// KillSessions ends every session on the server (`shutdown sessions
// server`, on-marked-down shutdown-sessions) and returns how many.
func (s *Server) KillSessions(cause byte) int {
	s.mu.Lock()
	list := make([]Session, 0, len(s.sessions))
	for ss := range s.sessions {
		list = append(list, ss)
	}
	s.mu.Unlock()
	for _, ss := range list {
		ss.Kill(cause)
	}
	return len(list)
}

// Sessions returns the number of sessions registered on the server.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

// String names the server as backend/server.
func (s *Server) String() string { return fmt.Sprintf("%s/%s", s.Backend, s.Name) }
