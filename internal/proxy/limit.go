package proxy

import (
	"sync"
	"syscall"
)

// limit is a counting semaphore for maxconn: acquire blocks while the
// limit is reached, which stops the accept loop so that new connections
// wait in the kernel's backlog, as HAProxy does.
type limit struct {
	mu   sync.Mutex
	cond *sync.Cond
	max  int
	cur  int
	done bool
}

func newLimit(max int) *limit {
	l := &limit{max: max}
	l.cond = sync.NewCond(&l.mu)
	return l
}

// acquire takes a slot; it returns false once the limit is closed.
func (l *limit) acquire() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.max > 0 && l.cur >= l.max && !l.done {
		l.cond.Wait()
	}
	if l.done {
		return false
	}
	l.cur++
	return true
}

// setMax changes the limit (a reload), waking waiters if it grew.
func (l *limit) setMax(max int) {
	l.mu.Lock()
	l.max = max
	l.mu.Unlock()
	l.cond.Broadcast()
}

func (l *limit) release() {
	l.mu.Lock()
	l.cur--
	l.mu.Unlock()
	l.cond.Signal()
}

// close wakes every waiter and refuses new acquisitions.
func (l *limit) close() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
	l.cond.Broadcast()
}

// fdLimit returns the soft limit of open files.
func fdLimit() int {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	return int(r.Cur)
}
