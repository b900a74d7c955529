package tunnel

import (
	"container/heap"
	"time"
)

// The epoll path's inactivity timeouts. HAProxy's `timeout tunnel` (or
// the smaller of client and server) is inactivity in both directions, and
// a half-closed tunnel is bound by the fin timeout of the side that closed.
// Instead of a timer per tunnel (a time.Timer and its closure are 120 bytes
// of every idle tunnel), each poller keeps its tunnels in a heap ordered by
// their next check and one timer for the earliest. Moving bytes only
// records the time (service); when a check comes due and the tunnel was
// active since, it is pushed back by what is left, as idleTimer.fire does
// on the goroutine path.

// epoch is the origin of the monotonic nanoseconds the poller uses.
var epoch = time.Now()

// monotonic returns t as nanoseconds since epoch (monotonic clock).
func monotonic(t time.Time) int64 { return int64(t.Sub(epoch)) }

// deadlines is a min-heap of tunnels by p.deadline; each tunnel knows its
// index (p.heapIdx) so that it can leave the heap when it ends.
type deadlines []*Tunnel

var _ heap.Interface = (*deadlines)(nil)

func (d deadlines) Len() int           { return len(d) }
func (d deadlines) Less(i, j int) bool { return d[i].p.deadline < d[j].p.deadline }
func (d deadlines) Swap(i, j int) {
	d[i], d[j] = d[j], d[i]
	d[i].p.heapIdx, d[j].p.heapIdx = int32(i), int32(j)
}

func (d *deadlines) Push(x any) {
	t := x.(*Tunnel)
	t.p.heapIdx = int32(len(*d))
	*d = append(*d, t)
}

func (d *deadlines) Pop() any {
	old := *d
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*d = old[:len(old)-1]
	t.p.heapIdx = -1
	return t
}

// arm schedules a new tunnel's first check (p.deadline, set before the
// tunnel was registered). Called with w.mu held, from the goroutine that
// starts the tunnel, which the poller may already be serving: a tunnel
// that already ended, or that a half-close already armed, is left alone.
func (w *poller) arm(t *Tunnel) {
	p := &t.p
	if p.limit <= 0 || p.closed || p.heapIdx >= 0 {
		return
	}
	heap.Push(&w.timers, t)
	w.rearm(p.deadline)
}

// disarm removes an ending tunnel from the heap. Called with w.mu held.
func (w *poller) disarm(t *Tunnel) {
	if i := t.p.heapIdx; i >= 0 {
		heap.Remove(&w.timers, int(i))
	}
}

// rearm makes the poller's timer fire by at, if the heap's earliest
// check is that early. Called with w.mu held.
func (w *poller) rearm(at int64) {
	if len(w.timers) == 0 || w.timers[0].p.deadline < at {
		at = w.earliest()
	}
	if at == 0 || (w.clockAt != 0 && w.clockAt <= at) {
		return
	}
	w.clockAt = at
	w.clock.Reset(time.Duration(at - monotonic(time.Now())))
}

func (w *poller) earliest() int64 {
	if len(w.timers) == 0 {
		return 0
	}
	return w.timers[0].p.deadline
}

// clockFired runs on the runtime's timer goroutine: it hands the checks
// to the poller goroutine, which owns the tunnels.
func (w *poller) clockFired() {
	w.clockDue.Store(true)
	w.mu.Lock()
	w.notify()
	w.mu.Unlock()
}

// expire ends the tunnels idle for their limit and pushes back the checks
// of the others. Bounded: each tunnel due is either ended or moved past
// now.
func (w *poller) expire(now int64) {
	w.mu.Lock()
	w.clockAt = 0
	for len(w.timers) > 0 && w.timers[0].p.deadline <= now {
		t := w.timers[0]
		p := &t.p
		if now-p.last >= int64(p.limit) {
			heap.Pop(&w.timers)
			w.expired = append(w.expired, t)
			continue
		}
		p.deadline = p.last + int64(p.limit)
		heap.Fix(&w.timers, 0)
	}
	w.rearm(w.earliest())
	w.mu.Unlock()
	for i, t := range w.expired {
		w.expired[i] = nil
		if !t.p.closed {
			t.setCause(t.p.cause)
			w.finish(t)
		}
	}
	w.expired = w.expired[:0]
}

// halfClosed applies the fin timeout of the side that sent its FIN, when
// it is shorter than the limit in force: the rest of the tunnel must see
// activity within it. now is the batch's time.
func (w *poller) halfClosed(t *Tunnel, clientSide bool, now int64) {
	p := &t.p
	fin, cause := p.finS, ServerTimeout
	if clientSide {
		fin, cause = p.finC, ClientTimeout
	}
	if fin <= 0 || (p.limit > 0 && fin >= p.limit) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	p.limit, p.cause, p.last = fin, cause, now
	p.deadline = now + int64(fin)
	if p.heapIdx >= 0 {
		heap.Fix(&w.timers, int(p.heapIdx))
	} else {
		heap.Push(&w.timers, t)
	}
	w.rearm(p.deadline)
}
