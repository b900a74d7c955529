package tunnel

// The goroutine path: two goroutines per tunnel, each waiting for
// readability through the runtime poller. It serves connections that are
// not plain TCP (net.Pipe in tests, TLS, platforms without epoll).

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
)

// chunk is the most a direction moves per system call: 64 KiB is what
// makes bulk transfer cheap (16 KiB only reaches parity with HAProxy).
const chunk = 64 << 10

var bufPool = sync.Pool{New: func() any { b := make([]byte, chunk); return &b }}

// copier is a tunnel's state on the goroutine path.
type copier struct {
	client, server net.Conn
	running        atomic.Int32 // directions still copying
	closeOnce      sync.Once
	idle           idleTimer
}

func (g *copier) closeBoth() {
	g.closeOnce.Do(func() {
		g.client.Close()
		g.server.Close()
	})
}

// directionDone is called by each copier when it stops. The last one
// finishes the tunnel.
func (t *Tunnel) directionDone() {
	if t.g.running.Add(-1) != 0 {
		return
	}
	t.g.idle.stop()
	t.g.closeBoth()
	t.end()
}

func (t *Tunnel) copyUp() {
	defer t.directionDone()
	t.copy(t.g.server, t.g.client, &t.bytesUp, true)
}

func (t *Tunnel) copyDown() {
	defer t.directionDone()
	t.copy(t.g.client, t.g.server, &t.bytesDown, false)
}

type counter interface{ Add(int64) int64 }

// copy moves bytes from src to dst until src ends. fromClient tells which
// side src is, to name the culprit of an error and to apply the right fin
// timeout.
func (t *Tunnel) copy(dst, src net.Conn, n counter, fromClient bool) {
	srcSide, dstSide := ServerAbort, ClientAbort
	if fromClient {
		srcSide, dstSide = ClientAbort, ServerAbort
	}
	r := newLazyReader(src)
	for {
		buf, m, err := r.read()
		if m > 0 {
			t.g.idle.touch()
			_, werr := dst.Write((*buf)[:m])
			bufPool.Put(buf)
			if werr != nil {
				t.setCause(dstSide)
				t.g.closeBoth()
				return
			}
			n.Add(int64(m))
			t.g.idle.touch()
		}
		if err == nil {
			continue
		}
		if err == io.EOF {
			// Propagate the FIN and keep the other direction going, under
			// the fin timeout of the side that closed.
			if cw, ok := dst.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			}
			t.g.idle.halfClosed(fromClient)
			return
		}
		if !errors.Is(err, net.ErrClosed) {
			t.setCause(srcSide)
		}
		t.g.closeBoth()
		return
	}
}

// lazyReader reads a connection without holding a buffer while it waits:
// the buffer is taken from the pool inside the poller's readiness
// callback and given back at once if the read would block.
type lazyReader struct {
	rc    syscall.RawConn
	plain net.Conn
	// per-read state, kept here so the callback closure allocates once
	buf *[]byte
	n   int
	err error
	cb  func(fd uintptr) bool
}

func newLazyReader(c net.Conn) *lazyReader {
	r := &lazyReader{plain: c}
	if sc, ok := c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			r.rc = rc
		}
	}
	r.cb = r.callback
	return r
}

func (r *lazyReader) callback(fd uintptr) bool {
	// A short read does not prove the socket is drained of everything: a
	// FIN that arrived with the data raises no new readiness edge, so the
	// read that may return EAGAIN cannot be skipped here (HAProxy can,
	// because it sees EPOLLRDHUP; Go's poller hides it).
	buf := bufPool.Get().(*[]byte)
	n, err := syscall.Read(int(fd), *buf)
	if err == syscall.EAGAIN {
		bufPool.Put(buf)
		return false
	}
	if err == syscall.EINTR {
		bufPool.Put(buf)
		return r.callback(fd)
	}
	if n <= 0 {
		bufPool.Put(buf)
		n = 0
		if err == nil {
			err = io.EOF
		}
		r.buf = nil
	} else {
		r.buf = buf
	}
	r.n, r.err = n, err
	return true
}

// read returns a pooled buffer holding m bytes (nil when m is 0). The
// caller puts the buffer back.
func (r *lazyReader) read() (buf *[]byte, m int, err error) {
	if r.rc == nil {
		b := bufPool.Get().(*[]byte)
		m, err = r.plain.Read(*b)
		if m == 0 {
			bufPool.Put(b)
			return nil, 0, err
		}
		return b, m, err
	}
	r.buf, r.n, r.err = nil, 0, nil
	if err := r.rc.Read(r.cb); err != nil {
		return nil, 0, err
	}
	return r.buf, r.n, r.err
}
