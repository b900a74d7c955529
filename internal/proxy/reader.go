package proxy

import (
	"errors"
	"net"
	"sync"
	"time"

	"github.com/hawser-lb/hawser/internal/h1"
	"github.com/hawser-lb/hawser/internal/sockio"
)

// bufSize is HAProxy's default tune.bufsize.
const bufSize = 16384

// bufPool holds buffers of bufSize: the default connection buffers, and
// scratch space for log lines and error captures.
var bufPool = defaultBufLimits.pool

// bufLimits are a generation's connection buffers: their size
// (tune.bufsize) and the limits of a head (tune.bufsize less
// tune.maxrewrite, tune.http.maxhdr). A connection keeps the limits it
// started with across reloads.
type bufLimits struct {
	size int
	head h1.Limits
	pool *sync.Pool
}

// pools holds one buffer pool per size, so generations with the same
// tune.bufsize share buffers.
var pools sync.Map // int → *sync.Pool

// newBufLimits returns the limits for tune.bufsize and tune.http.maxhdr.
func newBufLimits(size, maxhdr int) *bufLimits {
	// HAProxy keeps tune.maxrewrite (1024) free for header rewrites, at
	// most half of the buffer; the start line counts as one of maxhdr.
	rewrite := min(1024, size/2)
	p, _ := pools.LoadOrStore(size, &sync.Pool{New: func() any { b := make([]byte, size); return &b }})
	return &bufLimits{size: size, head: h1.Limits{HeadLen: size - rewrite, Fields: maxhdr - 1}, pool: p.(*sync.Pool)}
}

// defaultBufLimits are HAProxy's defaults.
var defaultBufLimits = newBufLimits(bufSize, h1.MaxHeaders+1)

// errBufferFull is returned by fill when the buffer holds bufSize unread
// bytes.
var errBufferFull = errors.New("read buffer full")

// reader buffers what is read from a connection. Its buffer comes from a
// pool and goes back with release, so that connections handed to a tunnel
// or closed hold no buffer.
type reader struct {
	c    *sockio.Conn
	lim  *bufLimits
	bp   *[]byte
	buf  []byte
	r, w int
}

func (b *reader) init(c *sockio.Conn, lim *bufLimits) {
	b.c, b.lim = c, lim
	b.r, b.w = 0, 0
}

// ensure gets a buffer from the pool when the reader has none.
func (b *reader) ensure() {
	if b.bp == nil {
		b.bp = b.lim.pool.Get().(*[]byte)
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
		b.lim.pool.Put(b.bp)
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

func setReadTimeout(c deadliner, d time.Duration) {
	if d > 0 {
		c.SetReadDeadline(time.Now().Add(d))
	} else {
		c.SetReadDeadline(time.Time{})
	}
}

func setWriteTimeout(c deadliner, d time.Duration) {
	if d > 0 {
		c.SetWriteDeadline(time.Now().Add(d))
	} else {
		c.SetWriteDeadline(time.Time{})
	}
}

// deadliner is a connection with deadlines.
type deadliner interface {
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

// isTimeout reports whether err is a deadline expiry.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
