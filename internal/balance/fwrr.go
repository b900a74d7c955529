package balance

// fwrr is `balance roundrobin`: HAProxy's "fast weighted round robin", a
// smooth weighted round robin whose weights may change at run time.
//
// Each group of servers (active, backup) walks a window of positions as wide
// as the group's total effective weight. A server picked at position p is
// due again nextWeight/eweight positions later (the remainder accumulates in
// rweight and adds one position when it reaches eweight). Servers wait in
// three heaps: "curr", ordered by their next position (ties by weight, then
// first in first out); "init", servers not placed yet, heaviest first; and
// "next", servers pushed past the current window, which becomes "init" when
// the window is exhausted.
type fwrr struct {
	lb       *LB
	act, bck fwrrGroup
}

var _ algorithm = (*fwrr)(nil)

type fwrrGroup struct {
	curr       nodeHeap
	trees      [2]nodeHeap
	init, next *nodeHeap

	// currPos is the position being served, currWeight the width of the
	// current window, nextWeight the group's total effective weight (the
	// width of the next window).
	currPos, currWeight, nextWeight uint32
}

// ewMax is HAProxy's SRV_EWGHT_MAX, the largest effective weight (256*16).
const ewMax = maxWeight * weightScale

func newFWRR(lb *LB) *fwrr {
	f := &fwrr{lb: lb}
	for _, g := range []*fwrrGroup{&f.act, &f.bck} {
		g.curr = newHeap(len(lb.nodes), &lb.seq)
		g.trees[0] = newHeap(len(lb.nodes), &lb.seq)
		g.trees[1] = newHeap(len(lb.nodes), &lb.seq)
		g.init, g.next = &g.trees[0], &g.trees[1]
	}
	f.act.currPos, f.act.currWeight, f.act.nextWeight = lb.wAct, lb.wAct, lb.wAct
	f.bck.currPos, f.bck.currWeight, f.bck.nextWeight = lb.wBck, lb.wBck, lb.wBck
	for _, n := range lb.nodes {
		if n.usable {
			f.group(n).init.pushWeight(n)
		}
	}
	return f
}

func (f *fwrr) group(n *node) *fwrrGroup {
	if n.backup {
		return &f.bck
	}
	return &f.act
}

// pushWeight queues n in an init or next heap: heaviest first.
func (h *nodeHeap) pushWeight(n *node) { h.push(n, ewMax-n.eweight) }

func (f *fwrr) next(avoid *Server) *node {
	lb := f.lb
	var g *fwrrGroup
	switch {
	case lb.nAct > 0:
		g = &f.act
	case lb.fbck != nil:
		return lb.fbck
	case lb.nBck > 0:
		g = &f.bck
	default:
		return nil
	}
	n, skipped, switched := g.pick(avoid)
	// Put back the servers that were stepped over because they were full
	// (or to be avoided). They were advanced as if picked; if the window
	// switched meanwhile their position is meaningless, so they restart
	// from the init heap.
	for s := skipped; s != nil; {
		nx := s.nextFull
		s.nextFull = nil
		if s != n {
			if switched {
				g.init.pushWeight(s)
			} else {
				g.queue(s)
			}
		}
		s = nx
	}
	return n
}

// pick takes the next server of g that is not full and not avoid, and
// returns it requeued at its next position, with the chain of servers it
// stepped over (not requeued) and whether the window switched.
func (g *fwrrGroup) pick(avoid *Server) (n, skipped *node, switched bool) {
	var avoided *node
	for {
		if g.currWeight == 0 {
			g.currPos, g.currWeight = g.nextWeight, g.nextWeight
		}
		for n = g.candidate(); n == nil; n = g.candidate() {
			if switched {
				// Everything was tried since the switch.
				if avoided != nil {
					g.queue(avoided)
				}
				return avoided, skipped, switched
			}
			switched = true
			g.init, g.next = g.next, g.init
			g.currWeight = g.nextWeight
			g.currPos = g.currWeight
		}
		g.advance(n)
		n.unlink()
		g.currPos++
		if !n.full() {
			if n.srv != avoid || avoided != nil {
				g.queue(n)
				return n, skipped, switched
			}
			avoided = n
		}
		n.nextFull = skipped
		skipped = n
	}
}

// candidate returns the server due at the current position: the head of
// curr if its position has come, otherwise the heaviest server not placed
// yet (which restarts from position 0), otherwise the head of curr anyway.
func (g *fwrrGroup) candidate() *node {
	c := g.curr.min()
	if c != nil && c.eweight > 0 && c.npos <= g.currPos {
		return c
	}
	if i := g.init.min(); i != nil && i.eweight > 0 {
		i.npos, i.rweight = 0, 0
		return i
	}
	return c
}

// advance moves n's next position one step of nextWeight/eweight further.
func (g *fwrrGroup) advance(n *node) {
	ew := n.eweight
	if ew == 0 {
		return
	}
	if n.npos == 0 {
		n.npos = g.currPos // first pick since placed
	}
	n.lpos = n.npos
	n.npos += g.nextWeight / ew
	n.rweight += g.nextWeight % ew
	if n.rweight >= ew {
		n.rweight -= ew
		n.npos++
	}
}

// queue places n at its next position: in curr if that position falls in
// the current window (and in the width the next one will have), otherwise
// in next, its position made relative to the next window.
func (g *fwrrGroup) queue(n *node) {
	if n.eweight == 0 || n.npos >= 2*g.currWeight || n.npos >= g.currWeight+g.nextWeight {
		n.npos -= g.currWeight
		g.next.pushWeight(n)
		return
	}
	// 256 slots per position: lighter servers (and those with a larger
	// remainder) go after heavier ones due at the same position.
	g.curr.push(n, maxWeight*n.npos+(ewMax+n.rweight-n.eweight)/weightScale)
}

// placeNew gives a server that enters the group a position proportional to
// the room left in the window.
func (g *fwrrGroup) placeNew(n *node) {
	n.npos = g.currPos + (g.nextWeight+g.currWeight-g.currPos)/n.eweight
	g.queue(n)
}

func (f *fwrr) up(n *node) {
	g := f.group(n)
	g.nextWeight += n.eweight
	g.placeNew(n)
}

func (f *fwrr) down(n *node, oldEW uint32) {
	g := f.group(n)
	g.nextWeight -= oldEW
	n.unlink()
}

func (f *fwrr) reweight(n *node, oldEW uint32) {
	g := f.group(n)
	g.nextWeight = g.nextWeight - oldEW + n.eweight
	switch n.heap {
	case g.init:
		// Not placed yet: only its rank by weight changes.
		n.unlink()
		g.init.pushWeight(n)
		return
	case nil:
		g.placeNew(n)
		return
	case g.next:
		n.npos += g.currWeight // back to current-window coordinates
	}
	// Move the next position to one new step after the last pick, but
	// never later than planned, and not into the past.
	prev := n.npos
	step := g.nextWeight / n.eweight
	n.npos = n.lpos + step
	n.rweight = 0
	if n.npos > prev {
		n.npos = prev
	}
	if n.npos < g.currPos+2 {
		n.npos = g.currPos + step
	}
	n.unlink()
	g.queue(n)
}

func (f *fwrr) loadChanged(*node) {}
