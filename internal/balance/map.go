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
//
// The servers in use are those of the group in use (active, else backup),
// even when only the first backup should be used: HAProxy then sizes the
// table by that backup's weight but fills it from every usable backup,
// which can put another backup in it. We do the same.
//
// The cost is slots × servers, as in HAProxy (about 0.1 s for a table of
// 128,000 slots and 1,000 servers), paid when a server changes state.
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
	cands := make([]mapCand, 0, lb.nAct+lb.nBck)
	for _, n := range lb.nodes {
		if n.backup == backup && n.usable {
			cands = append(cands, newMapCand(n, tot))
		}
	}
	fillMap(m.slots, cands, tot)
}

// mapCand is a server competing for the slots of the map. x is its score
// plus the total and v = x/total (rounded toward zero), the value compared;
// v is kept up to date as x moves, without dividing, between lo and hi.
type mapCand struct {
	x, w, v, lo, hi int
	n               *node
}

func newMapCand(n *node, tot int) mapCand {
	c := mapCand{x: tot, w: int(n.eweight), v: 1, n: n}
	c.lo, c.hi = vBounds(1, tot)
	return c
}

// vBounds returns the range [lo, hi) of x for which x/tot, rounded toward
// zero, is v.
func vBounds(v, tot int) (lo, hi int) {
	switch {
	case v > 0:
		return v * tot, (v + 1) * tot
	case v == 0:
		return 1 - tot, tot
	}
	return (v-1)*tot + 1, v*tot + 1
}

// fillMap assigns the slots: for each one every candidate adds its weight
// to its score, and the first candidate with the largest v wins the slot
// and pays the total back.
func fillMap(slots []*node, cands []mapCand, tot int) {
	if tot == 1 || len(cands) == 1 {
		for o := range slots {
			slots[o] = cands[0].n
		}
		return
	}
	for o := range slots {
		best, bestV := 0, 0
		for k := range cands {
			c := &cands[k]
			c.x += c.w
			for c.x >= c.hi {
				c.v++
				c.lo, c.hi = vBounds(c.v, tot)
			}
			if k == 0 || c.v > bestV {
				best, bestV = k, c.v
			}
		}
		c := &cands[best]
		c.x -= tot
		for c.x < c.lo {
			c.v--
			c.lo, c.hi = vBounds(c.v, tot)
		}
		slots[o] = c.n
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
