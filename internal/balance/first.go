package balance

// first is `balance first`: the server with the lowest ID that has a free
// connection slot takes the request, so that servers fill up one after the
// other and the last ones can be powered down. Weights are ignored.
type first struct {
	lb *LB
	// act and bck hold the usable servers with a free slot, by ID.
	act, bck nodeHeap
}

var _ algorithm = (*first)(nil)

func newFirst(lb *LB) *first {
	f := &first{lb: lb, act: newHeap(len(lb.nodes), &lb.seq), bck: newHeap(len(lb.nodes), &lb.seq)}
	for _, n := range lb.nodes {
		if n.usable {
			f.loadChanged(n)
		}
	}
	return f
}

func (f *first) up(n *node)               { f.loadChanged(n) }
func (f *first) down(n *node, _ uint32)   { n.unlink() }
func (f *first) reweight(*node, uint32)   {}
func (f *first) next(avoid *Server) *node { return headOf(f.lb, &f.act, &f.bck, avoid) }

// loadChanged keeps n in its heap exactly while it has a free slot.
func (f *first) loadChanged(n *node) {
	switch free := n.usable && !n.full(); {
	case free && n.heap == nil:
		h := &f.act
		if n.backup {
			h = &f.bck
		}
		h.push(n, uint32(n.id))
	case !free && n.heap != nil:
		n.unlink()
	}
}
