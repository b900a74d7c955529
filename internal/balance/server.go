package balance

import "sync/atomic"

// Server is the balancer's view of one server of a backend. The backend
// package owns the real server object and keeps a *Server inside it.
//
// The exported fields are the server's configuration; [New] reads them each
// time it builds an LB with the server and never writes them. What changes
// at run time (weight, state, maxconn) is changed through the LB, and the
// load (connection slots and queued requests) through the Server's own
// methods, which are safe for concurrent use.
//
// A Server may be handed to a new LB, on a configuration reload for example:
// the new LB takes it over, while its load counters keep counting the
// connections opened through the previous one, so long-lived tunnels still
// weigh on leastconn after a reload.
type Server struct {
	// Name is the server's name (`server <name> ...`).
	Name string
	// ID is HAProxy's persistent server ID (puid): the `id` keyword, or the
	// ID HAProxy assigns (the first unused one from 1, in declaration
	// order). Consistent hashing places the server's ring nodes from it and
	// `balance first` tries servers in increasing ID order. It must be
	// positive and unique within the backend.
	ID int
	// Backup marks a `backup` server: it takes traffic only when no active
	// server is usable.
	Backup bool
	// Weight is the initial weight (`weight`, 0 to 256). HAProxy's default
	// is 1: set it explicitly, 0 means the server takes no load-balanced
	// traffic.
	Weight int
	// Maxconn is the server's `maxconn`: the number of concurrent requests
	// (connection slots) it accepts; 0 means unlimited.
	Maxconn int
	// Maxqueue is the server's `maxqueue` (0 means unlimited), which the
	// caller enforces on its queue. Of the algorithms only leastconn reads
	// it: in HAProxy 2.6 it may choose a full server whose queue is shorter
	// than maxqueue (observed on 2.6.12).
	Maxqueue int
	// Disabled makes the server start unusable: `disabled`, or a server
	// that is not UP yet.
	Disabled bool

	served atomic.Int64 // connection slots in use (HAProxy's served)
	queued atomic.Int64 // requests waiting in this server's queue

	owner atomic.Pointer[node] // the server's state in its current LB
}

// Served returns the number of connection slots in use.
func (s *Server) Served() int { return int(s.served.Load()) }

// Queued returns the number of requests waiting in the server's queue.
func (s *Server) Queued() int { return int(s.queued.Load()) }

// Acquire takes a connection slot on s for a request that did not get it
// from [LB.Pick], such as one sent to s by cookie persistence. Every slot
// must be given back once with [Server.Release]. A WebSocket or other tunnel
// keeps the slot of the request that opened it until it closes: HAProxy
// counts requests and long-lived tunnels alike, so leastconn spreads long
// tunnels evenly.
func (s *Server) Acquire() { s.addLoad(1, 0) }

// Release gives back a connection slot taken by [LB.Pick] or
// [Server.Acquire].
func (s *Server) Release() { s.addLoad(-1, 0) }

// Enqueue records a request waiting in the server's own queue: one that
// [LB.Pick] returned with full set, or one bound to the server by
// persistence while it was full. While a server has a queue, roundrobin,
// static-rr and first treat it as full, and leastconn counts the queued
// requests in its load.
func (s *Server) Enqueue() { s.addLoad(0, 1) }

// Unqueue removes a waiting request that gave up (timeout queue, client
// abort, redispatch).
func (s *Server) Unqueue() { s.addLoad(0, -1) }

// TakeQueued moves a request from the server's queue to a connection slot,
// when a slot was freed for it. It is Unqueue and Acquire in one step, so
// the server keeps its place among equally loaded leastconn servers.
func (s *Server) TakeQueued() { s.addLoad(1, -1) }

// addLoad changes the counters and lets the owning LB reposition the server
// when its algorithm orders servers by load (leastconn) or by free slots
// (first).
func (s *Server) addLoad(served, queued int64) {
	if served != 0 {
		s.served.Add(served)
	}
	if queued != 0 {
		s.queued.Add(queued)
	}
	n := s.owner.Load()
	if n == nil || !n.lb.tracksLoad {
		return
	}
	lb := n.lb
	lb.mu.Lock()
	if s.owner.Load() == n { // still ours: not taken over meanwhile
		lb.algo.loadChanged(n)
	}
	lb.mu.Unlock()
}

// node is one server's state inside one LB. Every field but srv and lb is
// guarded by lb.mu.
type node struct {
	srv *Server
	lb  *LB
	idx int // declaration order in the backend

	uweight int  // user weight (HAProxy's uweight), 0..256
	iweight int  // initial weight, the reference of `N%`
	down    bool // not usable whatever its weight (MAINT, DRAIN, DOWN)
	// id and backup are Server.ID and Server.Backup when the balancer
	// was built: a reload may rewrite the Server (it outlives
	// generations) while this balancer still picks.
	id      int
	backup  bool
	maxconn int64
	maxq    int64

	usable  bool   // !down && eweight > 0 (HAProxy's srv_currently_usable)
	eweight uint32 // effective weight: uweight*16, or uweight/gcd in the map
	ramp    int    // slowstart percentage applied to eweight; 0 when none

	// heap membership (roundrobin, leastconn, first)
	heap *nodeHeap
	hidx int
	hkey uint32
	hseq uint64

	// roundrobin (fwrr): next and last position, remainder of the step.
	npos, lpos, rweight uint32
	nextFull            *node // chain of servers skipped by one pick

	// leastconn: the key last computed, and whether it is tracked at all.
	lcKey    uint32
	lcSeq    uint64
	lcQueued bool

	// consistent hashing: nodes on the ring (HAProxy's lb_nodes_now).
	ringNodes uint32
}

// full reports whether the server has no free connection slot: it has a
// maxconn and either requests wait in its queue or every slot is taken.
// This is HAProxy's test for sending a request to the server's queue, and
// the one roundrobin, static-rr, first and the consistent ring walk use to
// skip a server.
func (n *node) full() bool {
	return n.maxconn > 0 && (n.srv.queued.Load() > 0 || n.srv.served.Load() >= n.maxconn)
}
