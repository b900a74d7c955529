package balance

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"
)

// LB is one backend's load balancer: its algorithm, its servers and their
// load-balancing state. It is safe for concurrent use; one mutex guards the
// algorithm state, as HAProxy 2.6 has one lock per backend.
type LB struct {
	mu         sync.Mutex
	cfg        config
	nodes      []*node // declaration order
	algo       algorithm
	hash       hasher // nil unless the algorithm hashes a key
	ring       *chash // random's ring
	tracksLoad bool   // Acquire/Release must reposition servers
	dynamic    bool   // weights may change freely (BE_LB_PROP_DYN)
	gcd        int    // the static map's weight divisor
	seq        uint64 // heap insertion counter

	// HAProxy's srv_act, srv_bck, tot_wact, tot_wbck and fbck: usable
	// active and backup servers, the sums of their effective weights, and
	// the first usable backup when only one backup may be used.
	nAct, nBck int
	wAct, wBck uint32
	fbck       *node

	rnd func() uint32 // random's draws

	// The backend's state history (show stat's lastchg, chkdown and
	// downtime for a BACKEND): it is UP while some weight can take
	// traffic, or when it has no server at all (as HAProxy).
	up        bool
	changed   time.Time
	downs     int64
	downSince time.Time
	downtime  time.Duration
}

// algorithm is the part every balancing algorithm implements. Methods are
// called with LB.mu held, after LB.recount has updated the server counts.
type algorithm interface {
	// next returns the next server in the algorithm's order, skipping
	// full servers and avoid (which is taken only if nothing else is
	// available), or nil when every server is full.
	next(avoid *Server) *node
	// up is called when n becomes usable.
	up(n *node)
	// down is called when n stops being usable; oldEW is its eweight.
	down(n *node, oldEW uint32)
	// reweight is called when n stays usable with a new eweight.
	reweight(n *node, oldEW uint32)
	// loadChanged is called when n's served or queued count or its limits
	// changed.
	loadChanged(n *node)
}

// hasher maps a 32-bit hash to a server: the static map or the ring.
type hasher interface {
	lookup(h uint32, avoid *Server) *node
}

// Need tells the caller which parts of [Input] an algorithm reads.
type Need uint8

// The parts of Input an algorithm may read.
const (
	NeedSource  Need = 1 << iota // Input.Src (source)
	NeedTarget                   // Input.Target (uri, url_param)
	NeedBody                     // Input.Post and Input.Body (url_param)
	NeedHeader                   // Input.Header (hdr)
	NeedPayload                  // Input.Payload (rdp-cookie)
	NeedKey                      // Input.Key and Input.HasKey (hash)
)

// Input is what the caller knows about a request. Only the fields the
// algorithm reads ([LB.Needs]) have to be set; byte slices are read during
// Pick only and never retained.
type Input struct {
	// Src is the client's address (balance source), as the socket reports
	// it: do not Unmap it. HAProxy XORs the address's 32-bit words, so an
	// IPv4 client of an IPv4 listener (4 bytes) and the same client seen
	// IPv4-mapped by a dual-stack listener (16 bytes) hash differently,
	// in HAProxy too. The zero Addr (a UNIX socket client) falls back to
	// round robin.
	Src netip.Addr
	// Target is the request-target as it will be sent to the server, after
	// the http-request rules (uri, url_param).
	Target []byte
	// Post reports a POST request and Body holds the body bytes received
	// so far. HAProxy 2.6 looks for the url_param in the body of a POST
	// whose query string does not have it, whether or not check_post is
	// configured: pass what is buffered (`option http-buffer-request`
	// makes HAProxy wait for the body).
	Post bool
	Body []byte
	// Header is the value of the first field named [LB.HeaderName] (names
	// compare case-insensitively), nil when there is none (hdr). HAProxy
	// hashes the first comma-separated element of that first field; Pick
	// does the splitting.
	Header []byte
	// Payload holds the bytes received from the client so far on a TCP
	// connection: an RDP connection request (rdp-cookie).
	Payload []byte
	// Key is the sample of `balance hash <expr>` converted to binary, as
	// HAProxy converts it: strings as their bytes, IPv4 addresses as their
	// 4 bytes (`hash src` from 127.0.0.1 hashes 7f 00 00 01), IPv6 ones
	// (IPv4-mapped included) as 16, integers as 8 big-endian bytes. HasKey
	// is false when the sample could not be fetched, which falls back to
	// round robin; an empty sample is hashed.
	Key    []byte
	HasKey bool
	// Avoid is a server to choose only if no other is available: the one
	// a redispatch is moving away from.
	Avoid *Server
}

// New builds the load balancer of one backend from its configuration and
// its servers in declaration order. It reads each server's exported fields
// and takes the servers over from any LB they belonged to. Errors read like
// HAProxy's configuration errors.
func New(spec Spec, servers []*Server) (*LB, error) {
	cfg, err := parseSpec(spec)
	if err != nil {
		return nil, err
	}
	lb := &LB{cfg: cfg, dynamic: cfg.dynamic(), rnd: rand.Uint32}
	lb.nodes = make([]*node, len(servers))
	ids := make(map[int]*Server, len(servers))
	for i, s := range servers {
		switch {
		case s == nil:
			return nil, fmt.Errorf("balance: server #%d is nil", i+1)
		case s.ID <= 0 || s.ID > 1<<31-1:
			return nil, fmt.Errorf("balance: server '%s': id must be a positive 32-bit integer (got %d)", s.Name, s.ID)
		case s.Weight < 0 || s.Weight > maxWeight:
			return nil, fmt.Errorf("balance: server '%s': weight only supports values between 0 and %d (got %d)", s.Name, maxWeight, s.Weight)
		case s.Maxconn < 0 || s.Maxqueue < 0:
			return nil, fmt.Errorf("balance: server '%s': maxconn and maxqueue must not be negative", s.Name)
		}
		if o := ids[s.ID]; o != nil {
			return nil, fmt.Errorf("balance: server '%s' has the same ID (%d) as server '%s'", s.Name, s.ID, o.Name)
		}
		ids[s.ID] = s
		lb.nodes[i] = &node{
			srv: s, lb: lb, idx: i, hidx: -1,
			uweight: s.Weight, iweight: s.Weight, down: s.Disabled, id: s.ID, backup: s.Backup,
			maxconn: int64(s.Maxconn), maxq: int64(s.Maxqueue),
		}
	}
	lb.gcd = 1
	if !lb.dynamic {
		lb.gcd = weightGCD(servers)
	}
	for _, n := range lb.nodes {
		n.eweight = lb.eweightOf(n)
		n.usable = !n.down && n.eweight > 0
	}
	lb.recount()

	switch {
	case cfg.kind == kindRoundRobin:
		lb.algo = newFWRR(lb)
	case cfg.kind == kindLeastconn:
		lb.algo, lb.tracksLoad = newLeastconn(lb), true
	case cfg.kind == kindFirst:
		lb.algo, lb.tracksLoad = newFirst(lb), true
	case cfg.lookupConsistent():
		c := newCHash(lb)
		lb.algo, lb.hash, lb.ring = c, c, c
	default: // static-rr and map-based hashing
		m := newStaticMap(lb)
		lb.algo, lb.hash = m, m
	}
	for _, n := range lb.nodes {
		n.srv.owner.Store(n)
	}
	return lb, nil
}

// maxWeight is HAProxy's largest user weight (SRV_UWGHT_MAX).
const maxWeight = 256

// weightScale is HAProxy's BE_WEIGHT_SCALE: dynamic algorithms work on
// effective weights of uweight*16 so that slowstart can ramp smoothly.
const weightScale = 16

// weightGCD returns the greatest common divisor of the non-zero weights,
// or 1: the static map stores ceil(weight/gcd) slots per server.
func weightGCD(servers []*Server) int {
	g := 0
	for _, s := range servers {
		for w := s.Weight; w != 0; {
			g, w = w, g%w
		}
	}
	return max(g, 1)
}

// eweightOf returns the effective weight of n: its user weight scaled,
// and ramped during slowstart (at least 1 while the user weight is not 0,
// so a starting server takes a little traffic).
func (lb *LB) eweightOf(n *node) uint32 {
	w := n.uweight
	if !lb.dynamic {
		return uint32((w + lb.gcd - 1) / lb.gcd)
	}
	ew := w * weightScale
	if n.ramp > 0 && w > 0 {
		ew = max((ew*n.ramp+99)/100, 1)
	}
	return uint32(ew)
}

// recount recomputes the usable server counts, the weight sums and the
// first usable backup (HAProxy's recount_servers).
func (lb *LB) recount() {
	lb.nAct, lb.nBck, lb.wAct, lb.wBck, lb.fbck = 0, 0, 0, 0, nil
	for _, n := range lb.nodes {
		if !n.usable {
			continue
		}
		if n.backup {
			if lb.nBck == 0 && !lb.cfg.allBackups {
				lb.fbck = n
			}
			lb.nBck++
			lb.wBck += n.eweight
		} else {
			lb.nAct++
			lb.wAct += n.eweight
		}
	}
	up := lb.totWeight() > 0 || len(lb.nodes) == 0
	now := time.Now()
	switch {
	case lb.changed.IsZero():
		lb.up, lb.changed = up, now
		if !up {
			lb.downSince = now
		}
	case up != lb.up:
		lb.up, lb.changed = up, now
		if up {
			lb.downtime += now.Sub(lb.downSince)
		} else {
			lb.downs++
			lb.downSince = now
		}
	}
}

// History returns when the backend last went UP or DOWN (or was built),
// how many times it went DOWN, and how long it has been DOWN in all.
func (lb *LB) History(now time.Time) (changed time.Time, downs int64, downtime time.Duration) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	downtime = lb.downtime
	if !lb.up {
		downtime += now.Sub(lb.downSince)
	}
	return lb.changed, lb.downs, downtime
}

// totWeight is the weight of the servers in use: the active ones, else
// the first backup, else every backup (HAProxy's tot_weight).
func (lb *LB) totWeight() uint32 {
	switch {
	case lb.nAct > 0:
		return lb.wAct
	case lb.fbck != nil:
		return lb.fbck.eweight
	}
	return lb.wBck
}

// totUsed is the number of servers in use (HAProxy's tot_used).
func (lb *LB) totUsed() int {
	switch {
	case lb.nAct > 0:
		return lb.nAct
	case lb.fbck != nil:
		return 1
	}
	return lb.nBck
}

// Pick chooses a server for a request.
//
//   - s != nil, full == false: the request goes to s, and Pick has taken a
//     connection slot on it for the request: call s.Release when the request
//     (or the tunnel that follows it) ends.
//   - s != nil, full == true: the algorithm chose s but s is at its maxconn
//     (hash algorithms and the single first backup do not look for another
//     server): queue the request on s ([Server.Enqueue]).
//   - s == nil, full == true: every usable server is full: queue the request
//     in the backend's queue.
//   - s == nil, full == false: no server is usable (HAProxy answers 503).
//
// With roundrobin, static-rr or first, HAProxy sends a new request straight
// to the backend queue when that queue is not empty; that check belongs to
// the caller, which owns the queue.
func (lb *LB) Pick(in *Input) (s *Server, full bool) {
	if in == nil {
		in = &Input{}
	}
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.totWeight() == 0 {
		return nil, false
	}
	var n *node
	switch k := lb.cfg.kind; {
	case k == kindRandom:
		n = lb.ring.random(lb.cfg.draws, lb.rnd, in.Avoid)
	case k.hashed():
		if h, ok := lb.hashKey(in); ok {
			n = lb.hash.lookup(h, in.Avoid)
		} else {
			// No key: round robin, on the map or along the ring.
			n = lb.algo.next(in.Avoid)
		}
	default:
		n = lb.algo.next(in.Avoid)
	}
	if n == nil {
		return nil, true
	}
	if n.full() {
		return n.srv, true
	}
	n.srv.served.Add(1)
	if lb.tracksLoad {
		lb.algo.loadChanged(n)
	}
	return n.srv, false
}

// errNotMine is returned for a server that is not part of the LB.
var errNotMine = errors.New("No such server.")

// node returns the LB's state for s, or nil.
func (lb *LB) node(s *Server) *node {
	if s == nil {
		return nil
	}
	if n := s.owner.Load(); n != nil && n.lb == lb {
		return n
	}
	return nil
}

// commit applies a change of n's weight or state to the algorithm, as
// HAProxy's srv_update_status does.
func (lb *LB) commit(n *node) {
	oldUsable, oldEW := n.usable, n.eweight
	n.eweight = lb.eweightOf(n)
	n.usable = !n.down && n.eweight > 0
	if oldUsable == n.usable && (!n.usable || oldEW == n.eweight) {
		return
	}
	lb.recount()
	switch {
	case !oldUsable:
		lb.algo.up(n)
	case !n.usable:
		lb.algo.down(n, oldEW)
	default:
		lb.algo.reweight(n, oldEW)
	}
}

// SetUsable marks s usable (UP, READY) or not (DOWN, MAINT, DRAIN,
// stopping). A usable server with weight 0 still takes no load-balanced
// traffic. Connections already on s are not touched. The error is HAProxy's
// "No such server." when s does not belong to lb.
func (lb *LB) SetUsable(s *Server, usable bool) error {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	n := lb.node(s)
	if n == nil {
		return errNotMine
	}
	n.down = !usable
	lb.commit(n)
	return nil
}

// Usable reports whether s can take load-balanced traffic: it is usable and
// its weight is not 0.
func (lb *LB) Usable(s *Server) bool {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	n := lb.node(s)
	return n != nil && n.usable
}

// UsableServers returns the number of usable active and backup servers
// (HAProxy's "N active and M backup servers left").
func (lb *LB) UsableServers() (active, backup int) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	return lb.nAct, lb.nBck
}

// SetMaxconn changes the server's maxconn (`set maxconn server`; 0 means
// unlimited). Raising it frees slots: the caller should then serve the
// server's queue.
func (lb *LB) SetMaxconn(s *Server, maxconn int) error {
	if maxconn < 0 {
		return errors.New("balance: maxconn must not be negative")
	}
	lb.mu.Lock()
	defer lb.mu.Unlock()
	n := lb.node(s)
	if n == nil {
		return errNotMine
	}
	n.maxconn = int64(maxconn)
	if lb.tracksLoad && n.usable {
		lb.algo.loadChanged(n)
	}
	return nil
}

// Maxconn returns the server's current maxconn (0 = unlimited).
func (lb *LB) Maxconn(s *Server) int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if n := lb.node(s); n != nil {
		return int(n.maxconn)
	}
	return 0
}

// Weight returns the server's current user weight and its initial weight,
// what `get weight` prints as "cur (initial init)".
func (lb *LB) Weight(s *Server) (cur, initial int) {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if n := lb.node(s); n != nil {
		return n.uweight, n.iweight
	}
	return 0, 0
}

// Errors of SetWeight. Their texts are the replies of HAProxy's
// `set weight` command, without the final newline.
var (
	ErrWeightMissing  = errors.New("Require <weight> or <weight%>.")
	ErrWeightSyntax   = errors.New("Empty weight string empty or preceded by garbage")
	ErrWeightNegative = errors.New("Relative weight must be positive.")
	ErrWeightRange    = errors.New("Absolute weight can only be between 0 and 256 inclusive.")
	ErrWeightTrailing = errors.New("Trailing garbage in weight string")
	ErrWeightStatic   = errors.New("Backend is using a static LB algorithm and only accepts weights '0%' and '100%'.")
)

// SetWeight changes the server's weight as `set weight <be>/<srv> <arg>`
// does: arg is an absolute weight from 0 to 256, or "N%" relative to the
// initial weight (capped at 256). Static algorithms (static-rr and
// map-based hashing) only accept 0 and the initial weight.
func (lb *LB) SetWeight(s *Server, arg string) error {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	n := lb.node(s)
	if n == nil {
		return errNotMine
	}
	w, err := parseWeight(arg, n.iweight)
	if err != nil {
		return err
	}
	if w != 0 && w != n.iweight && !lb.dynamic {
		return ErrWeightStatic
	}
	n.uweight = w
	lb.commit(n)
	return nil
}

// SetRamp applies slowstart to s: its effective weight is pct percent of
// its user weight (rounded up, at least 1), which `set weight` and
// `get weight` leave alone, as in HAProxy. pct 0 or 100 ends the ramp.
// Static algorithms do not ramp.
func (lb *LB) SetRamp(s *Server, pct int) error {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	n := lb.node(s)
	if n == nil {
		return errNotMine
	}
	if !lb.dynamic {
		return nil
	}
	if pct >= 100 || pct < 0 {
		pct = 0
	}
	n.ramp = pct
	lb.commit(n)
	return nil
}

// EffectiveWeight returns the weight s currently has in the balancing, in
// user-weight units: the user weight, less while slowstart ramps (the
// `weight` column of show stat; `uweight` is the user weight).
func (lb *LB) EffectiveWeight(s *Server) int {
	lb.mu.Lock()
	defer lb.mu.Unlock()
	n := lb.node(s)
	if n == nil {
		return 0
	}
	if !lb.dynamic {
		return n.uweight
	}
	return (int(n.eweight) + weightScale - 1) / weightScale
}

// parseWeight parses the argument of `set weight`.
func parseWeight(arg string, iweight int) (int, error) {
	if arg == "" {
		return 0, ErrWeightMissing
	}
	w, rest := strtol(arg, 10)
	switch {
	case rest == arg:
		return 0, ErrWeightSyntax
	case rest == "%":
		if w < 0 {
			return 0, ErrWeightNegative
		}
		w = int64(iweight) * min(w, 25600) / 100
		return int(min(w, maxWeight)), nil
	case w < 0 || w > maxWeight:
		return 0, ErrWeightRange
	case rest != "":
		return 0, ErrWeightTrailing
	}
	return int(w), nil
}

// Needs reports which Input fields the algorithm reads.
func (lb *LB) Needs() Need {
	switch lb.cfg.kind {
	case kindSource:
		return NeedSource
	case kindURI:
		return NeedTarget
	case kindURLParam:
		return NeedTarget | NeedBody
	case kindHdr:
		return NeedHeader
	case kindRDPCookie:
		return NeedPayload
	case kindHash:
		return NeedKey
	}
	return 0
}

// HeaderName returns the header of `balance hdr(<name>)`, or "".
func (lb *LB) HeaderName() string {
	if lb.cfg.kind == kindHdr {
		return lb.cfg.arg
	}
	return ""
}

// KeyExpr returns the sample expression of `balance hash <expr>`, or "".
// The caller evaluates it and passes the result as Input.Key.
func (lb *LB) KeyExpr() string {
	if lb.cfg.kind == kindHash {
		return lb.cfg.arg
	}
	return ""
}

// Algorithm returns the `balance` keyword of the algorithm ("roundrobin",
// "uri", "hdr", ...). HAProxy 2.6's `show stat` prints the same words in its
// algo column, except "unknown" for random.
func (lb *LB) Algorithm() string { return names[lb.cfg.kind] }

// Dynamic reports whether weights may be changed to any value at run time;
// static algorithms (static-rr, map-based hashing) accept only 0% and 100%.
func (lb *LB) Dynamic() bool { return lb.dynamic }
