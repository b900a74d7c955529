package balance

import (
	"cmp"
	"slices"
)

// chash is HAProxy's consistent-hash ring, used by `hash-type consistent`
// and by `balance random`. A server with effective weight w owns w points
// of a 32-bit circle, at fullHash(ID*4096 + j) for j < w, so a server's
// points do not depend on the other servers: when one goes away only the
// keys it owned move. A hash goes to the closer of the point at or after it
// and the point before it.
type chash struct {
	lb       *LB
	act, bck ring

	// last is the point the round-robin walk (used for requests without a
	// key) stopped at; lastRing is the ring it belongs to. Like HAProxy we
	// keep one position for both rings, so a walk that stopped on the
	// backup ring resumes there after active servers come back.
	last     int
	lastRing *ring
}

var (
	_ algorithm = (*chash)(nil)
	_ hasher    = (*chash)(nil)
)

// ring is a sorted circle of points. Points with the same hash stay in
// insertion order, as in HAProxy's tree.
type ring struct {
	pts []point
}

// point is one ring node: its hash, its server and its index j.
type point struct {
	key uint32
	j   uint32
	n   *node
}

// pointKey is the position of the j-th point of the server with id.
func pointKey(id int, j uint32) uint32 {
	return fullHash(uint32(id)*ewMax + j)
}

func newCHash(lb *LB) *chash {
	c := &chash{lb: lb, last: -1}
	// Insert every point at once, in one sort.
	for _, backup := range []bool{false, true} {
		r, total := &c.act, lb.wAct
		if backup {
			r, total = &c.bck, lb.wBck
		}
		r.pts = make([]point, 0, total)
		for _, n := range lb.nodes {
			if n.usable && n.backup == backup {
				r.pts = appendPoints(r.pts, n, 0, n.eweight)
				n.ringNodes = n.eweight
			}
		}
		sortPoints(r.pts)
	}
	return c
}

// appendPoints appends n's points j in [from, to).
func appendPoints(pts []point, n *node, from, to uint32) []point {
	for j := from; j < to; j++ {
		pts = append(pts, point{key: pointKey(n.id, j), j: j, n: n})
	}
	return pts
}

// sortPoints sorts points by hash; equal hashes keep the order in which
// HAProxy inserts them: servers in declaration order, then by j.
func sortPoints(pts []point) {
	slices.SortFunc(pts, func(a, b point) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		if c := cmp.Compare(a.n.idx, b.n.idx); c != 0 {
			return c
		}
		return cmp.Compare(a.j, b.j)
	})
}

func (c *chash) ringOf(n *node) *ring {
	if n.backup {
		return &c.bck
	}
	return &c.act
}

// root returns the ring in use, or the single backup server in use.
func (c *chash) root() (*ring, *node) {
	switch lb := c.lb; {
	case lb.nAct > 0:
		return &c.act, nil
	case lb.fbck != nil:
		return nil, lb.fbck
	case lb.nBck > 0:
		return &c.bck, nil
	}
	return nil, nil
}

func (c *chash) up(n *node) { c.resize(n, n.eweight) }

func (c *chash) down(n *node, _ uint32) { c.resize(n, 0) }

func (c *chash) reweight(n *node, _ uint32) { c.resize(n, n.eweight) }

func (c *chash) loadChanged(*node) {}

// resize gives n exactly want points: the last ones are removed, or the
// missing ones added.
func (c *chash) resize(n *node, want uint32) {
	r := c.ringOf(n)
	switch {
	case want < n.ringNodes:
		c.remove(r, n, want)
	case want > n.ringNodes:
		c.add(r, n, n.ringNodes, want)
	}
	n.ringNodes = want
}

// remove deletes n's points j >= from. If the walk position was on one of
// them it moves to the first surviving point after it.
func (c *chash) remove(r *ring, n *node, from uint32) {
	gone := func(p point) bool { return p.n == n && p.j >= from }
	last := -1
	if c.lastRing == r && c.last >= 0 {
		last = c.last
		if gone(r.pts[last]) {
			last = -1
			for k := 1; k < len(r.pts); k++ {
				if i := (c.last + k) % len(r.pts); !gone(r.pts[i]) {
					last = i
					break
				}
			}
		}
	}
	w := 0
	for i, p := range r.pts {
		if gone(p) {
			continue
		}
		if i == last {
			c.last = w
		}
		r.pts[w] = p
		w++
	}
	clear(r.pts[w:])
	r.pts = r.pts[:w]
	if c.lastRing == r && last < 0 {
		c.last, c.lastRing = -1, nil
	}
}

// add inserts n's points j in [from, to), each after the points already
// holding the same hash.
func (c *chash) add(r *ring, n *node, from, to uint32) {
	add := appendPoints(make([]point, 0, to-from), n, from, to)
	sortPoints(add)
	old := r.pts
	merged := make([]point, 0, len(old)+len(add))
	trackLast := c.lastRing == r && c.last >= 0
	i, k := 0, 0
	for i < len(old) || k < len(add) {
		if k == len(add) || i < len(old) && old[i].key <= add[k].key {
			if trackLast && i == c.last {
				c.last = len(merged)
				trackLast = false
			}
			merged = append(merged, old[i])
			i++
		} else {
			merged = append(merged, add[k])
			k++
		}
	}
	r.pts = merged
}

// closest returns the index of the point closer to h among the first point
// at or after h and the one before it (ties go to the one before).
func (r *ring) closest(h uint32) int {
	lo, hi := 0, len(r.pts)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if r.pts[m].key < h {
			lo = m + 1
		} else {
			hi = m
		}
	}
	next := lo
	if next == len(r.pts) {
		next = 0
	}
	prev := next - 1
	if prev < 0 {
		prev = len(r.pts) - 1
	}
	// Distances along the circle, in wrapping 32-bit arithmetic.
	if h-r.pts[prev].key <= r.pts[next].key-h {
		return prev
	}
	return next
}

// lookup returns the server owning hash h, or the next server along the
// ring if that one is avoid. Fullness is not checked: the request then
// waits in that server's queue.
func (c *chash) lookup(h uint32, avoid *Server) *node {
	r, single := c.root()
	if r == nil || len(r.pts) == 0 {
		return single
	}
	i := r.closest(h)
	n := r.pts[i].n
	for wraps := 0; n.srv == avoid; {
		i++
		if i == len(r.pts) {
			i = 0
			wraps++
			if wraps > 1 {
				break
			}
		}
		n = r.pts[i].n
	}
	return n
}

// next is the round robin used when a request has no key: the walk moves
// one point along the ring from where the previous one stopped, skipping
// full servers.
func (c *chash) next(avoid *Server) *node {
	r, single := c.root()
	if r == nil {
		return single
	}
	stopRing, stop := c.lastRing, c.last
	curRing, cur := c.lastRing, c.last
	var avoided *node
	avoidedRing, avoidedIdx := (*ring)(nil), -1
	// A walk visits each point at most once; the bound also protects
	// against a stop position on the other ring, which HAProxy would
	// circle forever when every server is full.
	for budget := len(c.act.pts) + len(c.bck.pts) + 1; budget > 0; budget-- {
		if curRing != nil {
			cur++
			if cur >= len(curRing.pts) {
				curRing = nil
			}
		}
		if curRing == nil {
			if len(r.pts) == 0 {
				c.last, c.lastRing = -1, nil
				return avoided
			}
			curRing, cur = r, 0
		}
		c.lastRing, c.last = curRing, cur
		if stopRing == nil {
			stopRing, stop = curRing, cur
		}
		n := curRing.pts[cur].n
		if !n.full() {
			if n.srv != avoid {
				return n
			}
			avoided, avoidedRing, avoidedIdx = n, curRing, cur
		}
		if curRing == stopRing && cur == stop {
			break
		}
	}
	if avoided != nil {
		c.lastRing, c.last = avoidedRing, avoidedIdx
	}
	return avoided
}
