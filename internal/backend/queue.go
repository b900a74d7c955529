package backend

import (
	"sort"
	"sync"
	"time"
)

// Queue holds the requests waiting for a connection slot on a backend's
// servers (server `maxconn`): one queue per server, for requests already
// bound to it (persistence, hashing), and one for the backend, for
// requests any server may take. When a slot frees on a server, the oldest
// request of the two queues gets it, as in HAProxy.
type Queue struct {
	mu  sync.Mutex
	seq uint64
	be  []*Waiter
	srv map[*Server][]*Waiter
}

// Waiter is one queued request.
type Waiter struct {
	seq  uint64
	srv  *Server // the server it waits for; nil in the backend queue
	got  chan *Server
	done bool
	// Pos is the request's position in its queue when it was queued
	// (HAProxy's %sq or %bq).
	Pos int
	// Since is when the request was queued.
	Since time.Time
}

// Len returns the lengths of the backend queue and of all server queues.
func (q *Queue) Len() (backend, servers int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, l := range q.srv {
		servers += len(l)
	}
	return len(q.be), servers
}

// ServerLen returns the length of s's queue.
func (q *Queue) ServerLen(s *Server) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.srv[s])
}

// Enqueue queues a request: for server s, or in the backend queue when s
// is nil. It returns nil when s's queue is at its maxqueue.
func (q *Queue) Enqueue(s *Server, now time.Time) *Waiter {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.seq++
	w := &Waiter{seq: q.seq, srv: s, got: make(chan *Server, 1), Since: now}
	if s == nil {
		q.be = append(q.be, w)
		w.Pos = len(q.be)
		return w
	}
	if mq := s.Config().Params.Maxqueue; mq > 0 && len(q.srv[s]) >= mq {
		return nil
	}
	if q.srv == nil {
		q.srv = map[*Server][]*Waiter{}
	}
	q.srv[s] = append(q.srv[s], w)
	w.Pos = len(q.srv[s])
	s.LB.Enqueue()
	return w
}

// Wait blocks until the request gets a slot (it returns the server, the
// slot already taken for it), or until timeout or done fires (it returns
// nil and the request leaves the queue).
func (q *Queue) Wait(w *Waiter, timeout time.Duration, done <-chan struct{}) *Server {
	var tc <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		tc = t.C
	}
	select {
	case s := <-w.got:
		return s
	case <-tc:
	case <-done:
	}
	q.mu.Lock()
	if w.done {
		// A slot was handed over while we gave up: keep it.
		q.mu.Unlock()
		return <-w.got
	}
	w.done = true
	if w.srv == nil {
		q.be = remove(q.be, w)
	} else {
		q.srv[w.srv] = remove(q.srv[w.srv], w)
		w.srv.LB.Unqueue()
	}
	q.mu.Unlock()
	return nil
}

func remove(l []*Waiter, w *Waiter) []*Waiter {
	for i, x := range l {
		if x == w {
			copy(l[i:], l[i+1:])
			l[len(l)-1] = nil
			return l[:len(l)-1]
		}
	}
	return l
}

// dispatch gives the free slots of s to the oldest waiting requests of s's
// queue and, when takeBackend is set, of the backend queue. hasSlot
// reports whether s has a free slot (it is called under the queue's lock,
// so that a slot is handed to one request only). It returns how many
// requests were dispatched.
func (q *Queue) dispatch(s *Server, takeBackend bool, hasSlot func() bool) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for hasSlot() {
		sl := q.srv[s]
		var w *Waiter
		fromServer := false
		switch {
		case len(sl) > 0 && (!takeBackend || len(q.be) == 0 || sl[0].seq < q.be[0].seq):
			w, fromServer = sl[0], true
			q.srv[s] = sl[1:]
		case takeBackend && len(q.be) > 0:
			w = q.be[0]
			q.be = q.be[1:]
		default:
			return n
		}
		w.done = true
		if fromServer {
			s.LB.TakeQueued()
		} else {
			s.LB.Acquire()
		}
		w.got <- s
		n++
	}
	return n
}

// Requeue moves the requests waiting for s (which went DOWN) to the
// backend queue, so that another server takes them (HAProxy's "requeued").
func (q *Queue) Requeue(s *Server) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	sl := q.srv[s]
	delete(q.srv, s)
	for _, w := range sl {
		s.LB.Unqueue()
		w.srv = nil
		q.be = append(q.be, w)
	}
	sort.Slice(q.be, func(i, j int) bool { return q.be[i].seq < q.be[j].seq })
	return len(sl)
}
