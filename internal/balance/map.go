package balance

// staticMap is HAProxy's map: a table with one slot per unit of effective
// weight of the servers in use, spread in proportion to the weights. It
// serves `balance static-rr` (the table walked round robin) and map-based
// hashing (slot hash % size). Weights are divided by their greatest common
// divisor to keep the table small, and a change of server state rebuilds
// the table, so most hash keys move when a server comes or goes.
type staticMap struct {
	lb    *LB
	slots []*node
	rrIdx int // next slot of static-rr
}

var (
	_ algorithm = (*staticMap)(nil)
	_ hasher    = (*staticMap)(nil)
)

func newStaticMap(lb *LB) *staticMap {
	m := &staticMap{lb: lb}
	m.rebuild()
	return m
}

// rebuild fills the table. For each slot, every server in use adds its
// weight to its score; the first server (in declaration order) whose
// (score+total)/total is the largest takes the slot and pays the total back.
// Heavy servers thus come back often and every server appears as early as
// its weight allows, the first declared one first.
func (m *staticMap) rebuild() {
	lb := m.lb
	if lb.totUsed() == 0 {
		m.slots = m.slots[:0]
		return
	}
	tot := int(lb.totWeight())
	backup := lb.nAct == 0
	if cap(m.slots) < tot {
		m.slots = make([]*node, tot)
	}
	m.slots = m.slots[:tot]
	for _, n := range lb.nodes {
		n.wscore = 0
	}
	for o := range m.slots {
		var best *node
		bestV := 0
		for _, n := range lb.nodes {
			if n.srv.Backup != backup || !n.usable {
				continue
			}
			if tot == 1 {
				best = n
				break
			}
			n.wscore += int(n.eweight)
			if v := (n.wscore + tot) / tot; best == nil || v > bestV {
				best, bestV = n, v
			}
		}
		m.slots[o] = best
		if best != nil {
			best.wscore -= tot
		}
	}
}

// next walks the table from where the previous request stopped, skipping
// full servers.
func (m *staticMap) next(avoid *Server) *node {
	tot := len(m.slots)
	if tot == 0 {
		return nil
	}
	if m.rrIdx < 0 || m.rrIdx >= tot {
		m.rrIdx = 0
	}
	var avoided *node
	avoidedIdx := 0
	for i := m.rrIdx; ; {
		n := m.slots[i]
		i++
		if !n.full() {
			if n.srv != avoid {
				m.rrIdx = i
				return n
			}
			avoided, avoidedIdx = n, i
		}
		if i == tot {
			i = 0
		}
		if i == m.rrIdx {
			break
		}
	}
	if avoided != nil {
		m.rrIdx = avoidedIdx
	}
	return avoided
}

// lookup returns the slot of hash h; servers are not checked for
// fullness (the request then waits in the server's queue).
func (m *staticMap) lookup(h uint32, _ *Server) *node {
	if len(m.slots) == 0 {
		return nil
	}
	return m.slots[h%uint32(len(m.slots))]
}

func (m *staticMap) up(*node)               { m.rebuild() }
func (m *staticMap) down(*node, uint32)     { m.rebuild() }
func (m *staticMap) reweight(*node, uint32) { m.rebuild() }
func (m *staticMap) loadChanged(*node)      {}
