package tunnel

import (
	"net"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hawser-lb/hawser/internal/sockio"
)

// The epoll path. After the 101, a plain TCP tunnel's two descriptors
// leave Go's poller (duplicated, then the net.Conns closed) for one of the
// engine's edge-triggered epoll sets. The poller goroutine moves bytes
// through its own 64 KiB buffer, so an idle tunnel holds no goroutine, no
// buffer and no pipe: only this state and its entry in the poller's
// deadline heap. A buffer is tied to a direction only while the
// destination pushes back.

const (
	up   = 0 // client → server; also the index of the client descriptor
	down = 1 // server → client; also the index of the server descriptor

	// maxReads bounds the reads one direction makes per turn (1 MiB), so
	// that a bulk tunnel cannot starve the others on its poller.
	maxReads = 16
)

// Per-descriptor readiness, as the edges reported it and the system calls
// confirmed it.
const (
	readable uint8 = 1 << iota
	writable
	rdhup    // the peer's FIN is queued: read until 0 even after a short read
	errored  // EPOLLERR: fetch SO_ERROR if no read or write reports it
	outArmed // EPOLLOUT is in the descriptor's event mask
)

// Event masks. A descriptor starts without EPOLLOUT: a fresh socket is
// writable, and asking for EPOLLOUT would only wake the poller once per
// descriptor for nothing. It is added the first time a write finds the
// socket full, and kept (edge-triggered, it fires only after a full send
// buffer drains).
const (
	eventsIn    = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET
	eventsInOut = eventsIn | unix.EPOLLOUT
)

// polled is a tunnel's state on the epoll path. Only its poller goroutine
// touches it after registration, except the deadline fields, which the
// poller's lock guards.
type polled struct {
	w      *poller
	slot   uint32   // in w.slots
	gen    uint32   // the slot's generation, in the event ids
	fd     [2]int32 // client, server
	flags  [2]uint8 // per descriptor, as above
	closed bool
	queued bool // in the poller's again list
	cause  Cause
	dir    [2]direction

	// Inactivity (deadlines_linux.go): the limit in force, HAProxy's fin
	// timeouts for when a side half-closes, the last activity and the
	// next check, in nanoseconds on the monotonic clock.
	limit      time.Duration
	finC, finS time.Duration
	last       int64
	deadline   int64
	heapIdx    int32 // in w.timers, -1 when not there
}

// direction is one way through the tunnel.
type direction struct {
	pend     *[]byte // bytes read but not yet written (back-pressure)
	off, end int32
	eof      bool // the source sent its FIN
	shut     bool // the FIN was passed on (shutdown(SHUT_WR))
}

// startPolled moves a tunnel between two plain TCP connections to the
// epoll path. It returns false, leaving both connections untouched, when
// either is not plain TCP or the descriptors cannot be taken over.
func (e *Engine) startPolled(t *Tunnel, client, server net.Conn, to Timeouts) bool {
	cfd, cown, ok := takeFD(client)
	if !ok {
		return false
	}
	sfd, sown, ok := takeFD(server)
	if !ok {
		giveBack(client, cfd, cown)
		return false
	}
	// The engine's lock is held until the tunnel is registered: KillAll
	// cannot find a tunnel its poller does not know yet, and Wait cannot
	// stop the pollers under it.
	e.mu.Lock()
	if e.pollers == nil {
		ps, err := startPollers()
		if err != nil {
			e.mu.Unlock()
			giveBack(client, cfd, cown)
			giveBack(server, sfd, sown)
			return false
		}
		e.pollers = ps
	}
	w := e.pollers.pick()
	p := &t.p
	p.w = w
	p.fd = [2]int32{int32(cfd), int32(sfd)}
	p.flags = [2]uint8{writable, writable}
	p.heapIdx = -1
	p.limit, p.cause = baseLimit(to)
	p.finC, p.finS = to.ClientFin, to.ServerFin
	p.last = monotonic(t.start)
	p.deadline = p.last + int64(p.limit)
	if err := w.register(t); err != nil {
		e.mu.Unlock()
		p.w = nil
		giveBack(client, cfd, cown)
		giveBack(server, sfd, sown)
		return false
	}
	e.live[t] = struct{}{}
	e.mu.Unlock()
	// A duplicate keeps its socket open; closing the original takes it
	// out of the runtime poller, which would otherwise keep waking up for
	// a descriptor nobody reads through it. A connection that gave its own
	// descriptor only forgets it.
	client.Close()
	server.Close()
	return true
}

// takeFD returns a descriptor for a plain TCP connection's socket that
// the engine will own: a *sockio.TCPConn that never joined the runtime
// poller hands over its own (own is true; no system call), anything else
// a close-on-exec duplicate sharing the socket and its non-blocking flag.
func takeFD(c net.Conn) (fd int, own, ok bool) {
	switch tc := c.(type) {
	case *net.TCPConn:
		// Spelled out for the concrete type: through an interface the
		// closure's captures would escape, two allocations per socket.
		rc, err := tc.SyscallConn()
		if err != nil {
			return -1, false, false
		}
		nfd, derr := -1, error(nil)
		if err := rc.Control(func(fd uintptr) {
			nfd, derr = sockio.DupCloexec(int(fd))
		}); err != nil || derr != nil {
			return -1, false, false
		}
		return nfd, false, true
	case *sockio.TCPConn:
		fd, own, err := tc.Detach()
		return fd, own, err == nil
	}
	return -1, false, false
}

// giveBack undoes takeFD when the tunnel could not start.
func giveBack(c net.Conn, fd int, own bool) {
	if tc, ok := c.(*sockio.TCPConn); ok {
		tc.Reattach(fd, own)
		return
	}
	sockio.Close(fd)
}

// ready records what an edge reported for one descriptor.
func (p *polled) ready(side int, events uint32) {
	f := p.flags[side]
	if events&(unix.EPOLLIN|unix.EPOLLRDHUP|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		f |= readable
	}
	if events&(unix.EPOLLRDHUP|unix.EPOLLHUP) != 0 {
		f |= rdhup
	}
	if events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 {
		f |= writable
	}
	if events&unix.EPOLLERR != 0 {
		f |= errored
	}
	p.flags[side] = f
}

// release gives back the buffers held under back-pressure.
func (p *polled) release() {
	for d := range p.dir {
		if b := p.dir[d].pend; b != nil {
			bufPool.Put(b)
			p.dir[d].pend = nil
		}
	}
}

// service moves what can be moved both ways, then ends the tunnel if both
// directions are done or a socket failed silently. now is the batch's
// time on the monotonic clock.
func (w *poller) service(t *Tunnel, now int64) {
	p := &t.p
	moved := false
	for d := range 2 {
		if !w.pump(t, d, now, &moved) {
			return
		}
	}
	if moved {
		p.last = now // activity either way is activity on both sides
	}
	if p.dir[up].shut && p.dir[down].shut {
		w.finish(t)
		return
	}
	for side := range 2 {
		if p.flags[side]&errored == 0 {
			continue
		}
		p.flags[side] &^= errored
		// An error on a socket nothing reads or writes at the moment (its
		// direction already ended, nothing to send to it) would otherwise
		// wait for the timeout.
		if soerr, err := unix.GetsockoptInt(int(p.fd[side]), unix.SOL_SOCKET, unix.SO_ERROR); err == nil && soerr != 0 {
			w.fail(t, sideAbort(side))
			return
		}
	}
}

// sideAbort is the cause of a failure on a descriptor.
func sideAbort(side int) Cause {
	if side == up {
		return ClientAbort
	}
	return ServerAbort
}

// pump moves bytes in direction d until the source has nothing more or
// the destination is full. It returns false if the tunnel ended.
func (w *poller) pump(t *Tunnel, d int, now int64, moved *bool) bool {
	p := &t.p
	src, dst := d, 1-d
	ds := &p.dir[d]
	if ds.shut {
		return true
	}
	counter := &t.bytesUp
	if d == down {
		counter = &t.bytesDown
	}
	for range maxReads {
		if ds.pend != nil {
			if p.flags[dst]&writable == 0 {
				return true
			}
			n, err := write(int(p.fd[dst]), (*ds.pend)[ds.off:ds.end])
			if n > 0 {
				ds.off += int32(n)
				counter.Add(int64(n))
				*moved = true
			}
			if err != nil && err != unix.EAGAIN {
				w.fail(t, sideAbort(dst))
				return false
			}
			if ds.off < ds.end {
				return w.full(t, dst)
			}
			bufPool.Put(ds.pend)
			ds.pend = nil
		}
		if ds.eof {
			ds.shut = true
			if p.dir[1-d].shut {
				// Both sides have sent their FIN: closing both sockets
				// (service does) sends this one, no shutdown needed.
				return true
			}
			// Pass the FIN on, and keep the other direction going under
			// the fin timeout of the side that closed.
			sockio.Shutdown(int(p.fd[dst]), unix.SHUT_WR)
			w.halfClosed(t, d == up, now)
			return true
		}
		if p.flags[src]&readable == 0 || p.flags[dst]&writable == 0 {
			return true
		}
		buf := *w.buf
		n, err := read(int(p.fd[src]), buf)
		switch {
		case err == unix.EAGAIN:
			p.flags[src] &^= readable
			return true
		case err != nil:
			w.fail(t, sideAbort(src))
			return false
		case n == 0:
			ds.eof = true
			p.flags[src] &^= readable
			continue
		}
		m, err := write(int(p.fd[dst]), buf[:n])
		if m > 0 {
			counter.Add(int64(m))
			*moved = true
		}
		if err != nil && err != unix.EAGAIN {
			w.fail(t, sideAbort(dst))
			return false
		}
		if m < n {
			// The destination is full (a short write on a non-blocking
			// socket means so): the direction keeps the rest in the
			// poller's buffer, and the poller takes a fresh one.
			ds.pend, ds.off, ds.end = w.buf, int32(m), int32(n)
			w.buf = bufPool.Get().(*[]byte)
			if !w.full(t, dst) {
				return false
			}
		}
		if n < len(buf) && p.flags[src]&rdhup == 0 {
			// A short read emptied the socket, and any byte arriving
			// after it raises a new edge: skip the read that would only
			// return EAGAIN (HAProxy does the same). After EPOLLRDHUP the
			// FIN is still to be read, so that read is not skipped.
			p.flags[src] &^= readable
			return true
		}
		if m < n {
			return true
		}
	}
	// Turn used up with bytes still flowing: come back after the others.
	if !p.queued {
		p.queued = true
		w.again = append(w.again, t)
	}
	return true
}

// full records that a descriptor's send buffer is full, and asks for
// EPOLLOUT the first time. Adding it re-polls the socket, so room freed
// since the write is reported too. It returns false if the tunnel ended.
func (w *poller) full(t *Tunnel, side int) bool {
	p := &t.p
	p.flags[side] &^= writable
	if p.flags[side]&outArmed != 0 {
		return true
	}
	p.flags[side] |= outArmed
	ev := unix.EpollEvent{Events: eventsInOut}
	setEventID(&ev, p.slot, p.gen, side)
	if err := sockio.EpollCtl(w.epfd, unix.EPOLL_CTL_MOD, int(p.fd[side]), &ev); err != nil {
		w.fail(t, sideAbort(side))
		return false
	}
	return true
}

// read and write are one system call each, retried (a few times) only
// when a signal interrupted it before any byte moved. A short write is
// not retried: on a non-blocking socket it means the send buffer is full,
// and the kernel raises EPOLLOUT once there is room again.
func read(fd int, b []byte) (n int, err error) {
	for range eintrRetries {
		if n, err = sockio.Read(fd, b); err != unix.EINTR {
			break
		}
	}
	return max(n, 0), err
}

func write(fd int, b []byte) (n int, err error) {
	for range eintrRetries {
		if n, err = sockio.Write(fd, b); err != unix.EINTR {
			break
		}
	}
	return max(n, 0), err
}

// eintrRetries bounds the retries of an interrupted system call.
const eintrRetries = 8

// fail ends the tunnel after a failed read or write on one side.
func (w *poller) fail(t *Tunnel, c Cause) {
	t.setCause(c)
	w.finish(t)
}
