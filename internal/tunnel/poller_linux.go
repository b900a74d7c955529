package tunnel

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hawser-lb/hawser/internal/sockio"
)

const (
	// batchEvents is how many events one epoll_wait returns at most.
	batchEvents = 128
	// maxRounds bounds the batches handled per wake-up before the poller
	// goes back through the runtime (where a stop is noticed).
	maxRounds = 64
	// wakeSlot is the slot number in the eventfd's event id; tunnels use
	// slots from 1.
	wakeSlot = 0
)

// pollers are an engine's epoll sets, one per CPU the runtime uses. A
// tunnel stays on the poller it was given for its whole life.
type pollers struct {
	ws   []*poller
	next atomic.Uint32
}

func startPollers() (*pollers, error) {
	n := runtime.GOMAXPROCS(0)
	ps := &pollers{}
	for range n {
		w, err := newPoller()
		if err != nil {
			ps.stop()
			return nil, err
		}
		ps.ws = append(ps.ws, w)
	}
	return ps, nil
}

// pick spreads tunnels over the pollers in turn.
func (ps *pollers) pick() *poller {
	return ps.ws[int(ps.next.Add(1))%len(ps.ws)]
}

// stop closes every poller and waits for their goroutines. The engine
// calls it only when no tunnel is left.
func (ps *pollers) stop() {
	for _, w := range ps.ws {
		w.close()
	}
	for _, w := range ps.ws {
		<-w.exited
	}
}

// poller owns one edge-triggered epoll set and the tunnels registered in
// it: only its goroutine reads, writes or closes their descriptors. It
// waits for its epoll descriptor through the runtime's netpoller, like any
// socket, so an idle poller costs a parked goroutine and no thread.
type poller struct {
	file   *os.File // the epoll descriptor, registered with the runtime poller
	rc     syscall.RawConn
	epfd   int
	wake   int // eventfd that interrupts the poller for kills and timeouts
	exited chan struct{}

	// Owned by the poller goroutine.
	events []unix.EpollEvent
	batch  []*Tunnel
	again  []*Tunnel // tunnels with bytes left to move after their turn
	buf    *[]byte   // the 64 KiB every read goes through
	waitFn func(uintptr) bool
	runErr error

	clock    *time.Timer // fires at the earliest deadline
	clockDue atomic.Bool // set when it fired, cleared by the poller

	mu sync.Mutex // guards the fields below
	// slots find a tunnel from its event id (slot and generation, see
	// eventID): a slice, not a map, as it costs an idle tunnel 12 bytes.
	slots   []*Tunnel
	gens    []uint32
	free    []uint32
	kills   []*Tunnel
	timers  deadlines
	expired []*Tunnel // scratch for expire
	clockAt int64     // when clock is set to fire (ns on the monotonic clock), 0: not set
	stopped bool
}

func newPoller() (*poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("tunnel: epoll_create1: %w", err)
	}
	// The runtime registers a descriptor with its poller only when it is
	// non-blocking; epoll_wait itself ignores the flag.
	if err := unix.SetNonblock(epfd, true); err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("tunnel: epoll set non-blocking: %w", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("tunnel: eventfd: %w", err)
	}
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET}
	setEventID(&ev, wakeSlot, 0, 0)
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wake, &ev); err != nil {
		unix.Close(epfd)
		unix.Close(wake)
		return nil, fmt.Errorf("tunnel: epoll add eventfd: %w", err)
	}
	f := os.NewFile(uintptr(epfd), "tunnel-epoll")
	// A file the runtime could not register rejects deadlines; waiting on
	// it would block a thread, so refuse it and use goroutines instead.
	if err := f.SetReadDeadline(time.Time{}); err != nil {
		f.Close()
		unix.Close(wake)
		return nil, fmt.Errorf("tunnel: epoll descriptor not pollable: %w", err)
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		unix.Close(wake)
		return nil, fmt.Errorf("tunnel: epoll descriptor: %w", err)
	}
	w := &poller{
		file: f, rc: rc, epfd: epfd, wake: wake,
		exited: make(chan struct{}),
		events: make([]unix.EpollEvent, batchEvents),
		batch:  make([]*Tunnel, batchEvents),
		buf:    bufPool.Get().(*[]byte),
		slots:  []*Tunnel{nil}, // slot 0 is the eventfd's
		gens:   []uint32{0},
	}
	w.waitFn = w.wait
	w.clock = time.AfterFunc(time.Hour, w.clockFired)
	w.clock.Stop()
	go w.run()
	return w, nil
}

// run is the poller goroutine: it handles events until the epoll file is
// closed.
func (w *poller) run() {
	defer close(w.exited)
	defer unix.Close(w.wake)
	for {
		if err := w.rc.Read(w.waitFn); err != nil || w.runErr != nil {
			break
		}
	}
	w.clock.Stop()
	bufPool.Put(w.buf)
	w.buf = nil
}

// wait is called by the runtime when the epoll descriptor may be ready.
// It returns false when the set is drained, to park until the next event.
func (w *poller) wait(fd uintptr) bool {
	for range maxRounds {
		n, err := sockio.EpollPoll(int(fd), w.events)
		if err != nil {
			if err == unix.EINTR {
				continue
			}
			w.runErr = err
			return true
		}
		if n > 0 {
			w.handle(n)
		}
		if len(w.again) > 0 {
			w.runAgain()
			continue
		}
		// Fewer events than room for them: the ready list was empty when
		// the kernel filled the batch, and whatever arrived since has
		// raised the epoll descriptor's readiness for the runtime poller,
		// so parking now cannot miss it. This saves the epoll_wait that
		// would return nothing.
		if n < len(w.events) {
			return false
		}
	}
	return true
}

// handle serves the n events of the last epoll_wait.
func (w *poller) handle(n int) {
	now := monotonic(time.Now())
	wake := false
	w.mu.Lock()
	for i := range n {
		slot, gen, _ := eventID(&w.events[i])
		if slot == wakeSlot {
			wake = true
			continue
		}
		// A stale event (its tunnel ended earlier in this batch and the
		// slot was reused) carries an old generation.
		if int(slot) < len(w.slots) && w.gens[slot] == gen {
			w.batch[i] = w.slots[slot]
		}
	}
	w.mu.Unlock()
	for i := range n {
		t := w.batch[i]
		if t == nil {
			continue
		}
		w.batch[i] = nil
		if t.p.closed {
			continue
		}
		ev := &w.events[i]
		_, _, side := eventID(ev)
		t.p.ready(side, ev.Events)
		w.service(t, now)
	}
	if wake {
		w.takeKills()
		if w.clockDue.Swap(false) {
			w.expire(monotonic(time.Now()))
		}
	}
}

// runAgain gives the tunnels that used up their turn another one.
func (w *poller) runAgain() {
	now := monotonic(time.Now())
	ts := w.again
	w.again = w.again[len(w.again):]
	for i, t := range ts {
		ts[i] = nil
		t.p.queued = false
		if !t.p.closed {
			w.service(t, now)
		}
	}
	if len(w.again) == 0 {
		w.again = ts[:0]
	}
}

// register adds a tunnel whose descriptors the poller now owns and arms
// its inactivity deadline. Events may reach the poller goroutine as soon
// as the descriptors are in the set, so the tunnel is findable first.
func (w *poller) register(t *Tunnel) error {
	p := &t.p
	w.mu.Lock()
	if len(w.free) > 0 {
		p.slot = w.free[len(w.free)-1]
		w.free = w.free[:len(w.free)-1]
	} else {
		p.slot = uint32(len(w.slots))
		w.slots = append(w.slots, nil)
		w.gens = append(w.gens, 0)
	}
	w.slots[p.slot] = t
	p.gen = w.gens[p.slot]
	w.mu.Unlock()
	for side := range 2 {
		// Edge-triggered: the poller reads until EAGAIN (or a short
		// read) and writes until the socket is full, then waits for the
		// next edge. EPOLLRDHUP tells a FIN apart from data, which is what
		// allows skipping the read that would fail. EPOLLOUT comes later,
		// if ever needed (see full).
		ev := unix.EpollEvent{Events: eventsIn}
		setEventID(&ev, p.slot, p.gen, side)
		if err := sockio.EpollCtl(w.epfd, unix.EPOLL_CTL_ADD, int(p.fd[side]), &ev); err != nil {
			if side == 1 {
				sockio.EpollCtl(w.epfd, unix.EPOLL_CTL_DEL, int(p.fd[0]), nil)
			}
			w.mu.Lock()
			w.release(p.slot)
			w.mu.Unlock()
			return fmt.Errorf("tunnel: epoll add: %w", err)
		}
	}
	w.mu.Lock()
	w.arm(t)
	w.mu.Unlock()
	return nil
}

// release frees a slot; its generation changes so that events still
// queued for the old tunnel are recognised. Called with w.mu held.
func (w *poller) release(slot uint32) {
	w.slots[slot] = nil
	w.gens[slot]++
	w.free = append(w.free, slot)
}

// notify interrupts the poller goroutine. The eventfd is written under the
// lock, so that it never reaches a closed (and maybe reused) descriptor.
// Called with w.mu held.
func (w *poller) notify() {
	if w.stopped {
		return
	}
	var one = [8]byte{1}
	sockio.Write(w.wake, one[:])
}

// kill asks the poller goroutine to end t; t's cause is already set.
func (w *poller) kill(t *Tunnel) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.kills = append(w.kills, t)
	if len(w.kills) == 1 {
		w.notify()
	}
}

// takeKills ends the tunnels Kill asked for. The eventfd is read before
// the list is taken: a kill queued after that writes it again.
func (w *poller) takeKills() {
	var b [8]byte
	sockio.Read(w.wake, b[:])
	w.mu.Lock()
	ks := w.kills
	w.kills = nil
	w.mu.Unlock()
	for _, t := range ks {
		if !t.p.closed {
			w.finish(t)
		}
	}
}

// close stops the poller: the runtime wakes its goroutine, which exits.
func (w *poller) close() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	w.file.Close()
}

// finish closes a tunnel's descriptors (which removes them from the set)
// and reports its end.
func (w *poller) finish(t *Tunnel) {
	p := &t.p
	sockio.Close(int(p.fd[0]))
	sockio.Close(int(p.fd[1]))
	p.release()
	w.mu.Lock()
	// Under the lock: register reads it to not arm a finished tunnel.
	p.closed = true
	w.disarm(t)
	w.release(p.slot)
	w.mu.Unlock()
	t.end()
}

// eventID and setEventID keep a tunnel's slot, its generation and the side
// (client or server descriptor) in epoll's 64-bit data union, which
// x/sys/unix spells as two int32 fields on every Linux architecture.
func eventID(ev *unix.EpollEvent) (slot, gen uint32, side int) {
	lo, hi := uint32(ev.Fd), uint32(ev.Pad)
	return lo >> 1, hi, int(lo & 1)
}

func setEventID(ev *unix.EpollEvent, slot, gen uint32, side int) {
	ev.Fd = int32(slot<<1 | uint32(side))
	ev.Pad = int32(gen)
}
