package balance

// leastconn is `balance leastconn`: the server with the fewest requests in
// flight relative to its weight. Servers are ordered by the key
// (served+queued+1)*4096/eweight, or 0 when idle; servers with the same key
// take turns because a server whose load changes goes after the others with
// its new key. Requests and long-lived tunnels count alike.
type leastconn struct {
	lb *LB
	// act and bck hold the usable servers that may take a request; those
	// whose load reached maxconn+maxqueue wait outside with their key.
	act, bck nodeHeap
}

var _ algorithm = (*leastconn)(nil)

func newLeastconn(lb *LB) *leastconn {
	l := &leastconn{lb: lb, act: newHeap(len(lb.nodes), &lb.seq), bck: newHeap(len(lb.nodes), &lb.seq)}
	for _, n := range lb.nodes {
		if n.usable {
			l.up(n)
		}
	}
	return l
}

func (l *leastconn) heapOf(n *node) *nodeHeap {
	if n.backup {
		return &l.bck
	}
	return &l.act
}

// key is HAProxy's fwlc key. It grows with every request in flight, so a
// change of load always moves the server.
func (l *leastconn) key(n *node) uint32 {
	inflight := uint32(n.srv.served.Load() + n.srv.queued.Load())
	if inflight == 0 || n.eweight == 0 {
		return 0
	}
	return (inflight + 1) * ewMax / n.eweight
}

// eligible reports whether n may take one more request. In HAProxy 2.6
// leastconn lets a full server's queue grow up to maxqueue.
func (l *leastconn) eligible(n *node) bool {
	return n.maxconn == 0 || n.srv.served.Load()+n.srv.queued.Load() < n.maxconn+n.maxq
}

// place (re)inserts n with a fresh key, after the servers holding the same.
func (l *leastconn) place(n *node) {
	n.unlink()
	l.lb.seq++
	n.lcKey, n.lcSeq, n.lcQueued = l.key(n), l.lb.seq, true
	if l.eligible(n) {
		l.heapOf(n).pushSeq(n, n.lcKey, n.lcSeq)
	}
}

func (l *leastconn) up(n *node)                 { l.place(n) }
func (l *leastconn) reweight(n *node, _ uint32) { l.place(n) }

func (l *leastconn) down(n *node, _ uint32) {
	n.unlink()
	n.lcQueued = false
}

func (l *leastconn) loadChanged(n *node) {
	if !n.lcQueued {
		return
	}
	if l.key(n) != n.lcKey {
		l.place(n)
		return
	}
	// Same key: HAProxy leaves the server where it is; only its
	// eligibility may have changed (maxconn).
	switch el := l.eligible(n); {
	case el && n.heap == nil:
		l.heapOf(n).pushSeq(n, n.lcKey, n.lcSeq)
	case !el && n.heap != nil:
		n.unlink()
	}
}

func (l *leastconn) next(avoid *Server) *node {
	return headOf(l.lb, &l.act, &l.bck, avoid)
}

// headOf returns the first server of the active heap, else the first
// usable backup, else the first of the backup heap, passing over avoid when
// another server is there.
func headOf(lb *LB, act, bck *nodeHeap, avoid *Server) *node {
	var h *nodeHeap
	switch {
	case lb.nAct > 0:
		h = act
	case lb.fbck != nil:
		return lb.fbck
	case lb.nBck > 0:
		h = bck
	default:
		return nil
	}
	n := h.min()
	if n != nil && n.srv == avoid {
		if m := h.second(); m != nil {
			return m
		}
	}
	return n
}
