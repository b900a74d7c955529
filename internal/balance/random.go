package balance

// random is `balance random(draws)`: draws random points are looked up on
// the ring and the least loaded of the servers drawn (served requests
// relative to weight) wins; a full winner sends the request to the
// backend's queue.
func (c *chash) random(draws int, rnd func() uint32, avoid *Server) *node {
	var cur *node
	for d := max(draws, 1); d > 0; d-- {
		prev := cur
		cur = c.lookup(rnd(), avoid)
		if cur == nil {
			break
		}
		if prev != nil && prev != cur &&
			uint64(cur.srv.served.Load())*uint64(prev.eweight) > uint64(prev.srv.served.Load())*uint64(cur.eweight) {
			cur = prev
		}
	}
	if cur != nil && (cur.srv.queued.Load() > 0 || cur.maxconn > 0 && cur.srv.served.Load() >= cur.maxconn) {
		return nil
	}
	return cur
}
