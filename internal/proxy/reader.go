package proxy

import (
	"errors"
	"net"
	"sync"
	"time"
)

// bufSize is the size of a connection's read buffer: HAProxy's
// tune.bufsize. A request or response head must fit in it.
const bufSize = 16384

var bufPool = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

// errBufferFull is returned by fill when the buffer holds bufSize unread
// bytes.
var errBufferFull = errors.New("read buffer full")

// reader buffers what is read from a connection. Its buffer comes from a
// pool and goes back with release, so that connections handed to a tunnel
// or closed hold no buffer.
type reader struct {
	c    net.Conn
	bp   *[]byte
	buf  []byte
	r, w int
}

func (b *reader) init(c net.Conn) {
	b.c = c
	b.r, b.w = 0, 0
}

// ensure gets a buffer from the pool when the reader has none.
func (b *reader) ensure() {
	if b.bp == nil {
		b.bp = bufPool.Get().(*[]byte)
		b.buf = *b.bp
	}
}

// release gives the buffer back if nothing is buffered. It returns false
// (and keeps the buffer) otherwise.
func (b *reader) release() bool {
	if b.r != b.w {
		return false
	}
	if b.bp != nil {
		bufPool.Put(b.bp)
		b.bp, b.buf = nil, nil
	}
	b.r, b.w = 0, 0
	return true
}

// drop gives the buffer back whatever it holds.
func (b *reader) drop() {
	b.r, b.w = 0, 0
	b.release()
}

// buffered returns the unread bytes.
func (b *reader) buffered() []byte { return b.buf[b.r:b.w] }

// consume marks n buffered bytes as read.
func (b *reader) consume(n int) {
	b.r += n
	if b.r == b.w {
		b.r, b.w = 0, 0
	}
}

// fill reads once from the connection, after the buffered bytes. It moves
// them to the start of the buffer first if the end is reached.
func (b *reader) fill() (int, error) {
	b.ensure()
	if b.w == len(b.buf) {
		if b.r == 0 {
			return 0, errBufferFull
		}
		b.w = copy(b.buf, b.buf[b.r:b.w])
		b.r = 0
	}
	n, err := b.c.Read(b.buf[b.w:])
	b.w += n
	return n, err
}

// fillTimeout is fill with an inactivity timeout (0: none).
func (b *reader) fillTimeout(d time.Duration) (int, error) {
	setReadTimeout(b.c, d)
	return b.fill()
}

func setReadTimeout(c net.Conn, d time.Duration) {
	if d > 0 {
		c.SetReadDeadline(time.Now().Add(d))
	} else {
		c.SetReadDeadline(time.Time{})
	}
}

func setWriteTimeout(c net.Conn, d time.Duration) {
	if d > 0 {
		c.SetWriteDeadline(time.Now().Add(d))
	} else {
		c.SetWriteDeadline(time.Time{})
	}
}

// isTimeout reports whether err is a deadline expiry.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
