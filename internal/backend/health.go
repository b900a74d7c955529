package backend

// This file holds what health checking needs from servers and backends
// beyond their public state setters.

// RequeueDown moves the requests queued on s, which just went DOWN, to
// the backend's queue and lets the backend's other servers take them, as
// HAProxy redistributes the queue of a server marked DOWN. It returns how
// many requests moved and how many are still queued on s, the numbers of
// the "N requeued, M remaining in queue" part of the DOWN log line.
func (b *Backend) RequeueDown(s *Server) (requeued, remaining int) {
	if b.Queue == nil {
		return 0, 0
	}
	requeued = b.Queue.Requeue(s)
	if requeued > 0 {
		for _, o := range b.Servers {
			if o != s {
				o.dispatch()
			}
		}
	}
	return requeued, b.Queue.ServerLen(s)
}

// QueueLen returns the requests queued on the backend, in its own queue
// and its servers' queues (the "N total in queue" of the UP log line).
func (b *Backend) QueueLen() int {
	if b.Queue == nil {
		return 0
	}
	be, srv := b.Queue.Len()
	return be + srv
}
