package balance

// nodeHeap is an intrusive binary min-heap of servers ordered by
// (key, seq): the key an algorithm gives a server, then the order in which
// servers were inserted. That order is HAProxy's: its trees keep servers
// with equal keys first in, first out. A server is in at most one heap at a
// time (node.heap) and knows its position (node.hidx), so removal is
// O(log n). The slice is allocated once with room for every server, so
// inserting never allocates.
type nodeHeap struct {
	a   []*node
	seq *uint64 // insertion counter, shared by the heaps of one LB
}

func newHeap(capacity int, seq *uint64) nodeHeap {
	return nodeHeap{a: make([]*node, 0, capacity), seq: seq}
}

func (h *nodeHeap) len() int { return len(h.a) }

// min returns the first server, or nil.
func (h *nodeHeap) min() *node {
	if len(h.a) == 0 {
		return nil
	}
	return h.a[0]
}

// second returns the server that follows min in the heap's order, or nil:
// the smaller of the root's children.
func (h *nodeHeap) second() *node {
	switch len(h.a) {
	case 0, 1:
		return nil
	case 2:
		return h.a[1]
	}
	if h.a[2].less(h.a[1]) {
		return h.a[2]
	}
	return h.a[1]
}

// push inserts n with key, after every server already holding that key.
func (h *nodeHeap) push(n *node, key uint32) {
	*h.seq++
	h.pushSeq(n, key, *h.seq)
}

// pushSeq inserts n with key and an explicit insertion rank, to put a
// server back exactly where it was.
func (h *nodeHeap) pushSeq(n *node, key uint32, seq uint64) {
	n.hkey, n.hseq = key, seq
	n.heap = h
	n.hidx = len(h.a)
	h.a = append(h.a, n)
	h.up(n.hidx)
}

// unlink takes n out of its heap, if it is in one.
func (n *node) unlink() {
	h := n.heap
	if h == nil {
		return
	}
	i, last := n.hidx, len(h.a)-1
	if i != last {
		h.a[i] = h.a[last]
		h.a[i].hidx = i
	}
	h.a[last] = nil
	h.a = h.a[:last]
	if i != last {
		if !h.down(i) {
			h.up(i)
		}
	}
	n.heap, n.hidx = nil, -1
}

func (n *node) less(m *node) bool {
	return n.hkey < m.hkey || n.hkey == m.hkey && n.hseq < m.hseq
}

func (h *nodeHeap) up(i int) {
	a := h.a
	for i > 0 {
		p := (i - 1) / 2
		if !a[i].less(a[p]) {
			break
		}
		a[i], a[p] = a[p], a[i]
		a[i].hidx, a[p].hidx = i, p
		i = p
	}
}

// down sifts the element at i down and reports whether it moved.
func (h *nodeHeap) down(i int) bool {
	a := h.a
	start := i
	for {
		l := 2*i + 1
		if l >= len(a) {
			break
		}
		c := l
		if r := l + 1; r < len(a) && a[r].less(a[l]) {
			c = r
		}
		if !a[c].less(a[i]) {
			break
		}
		a[i], a[c] = a[c], a[i]
		a[i].hidx, a[c].hidx = i, c
		i = c
	}
	return i != start
}
