package sockio

import (
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// Conn reads and writes a connection. For a TCP or Unix socket it makes
// the system calls itself (without the runtime's hooks) and waits for
// readiness through the runtime poller, which also enforces the
// connection's deadlines; for anything else it calls the net.Conn. The
// zero Conn is unusable: call Init. A Conn allocates once, in Init; reads
// and writes allocate nothing. One reader and one writer may use it at the
// same time.
type Conn struct {
	c  net.Conn
	rc syscall.RawConn // nil: use c's Read and Write

	// The callbacks given to rc, bound once in Init, and their arguments
	// and results.
	readFn, writeFn func(uintptr) bool
	rb              []byte
	rn              int
	rerr            error
	wb              []byte
	wn              int
	werr            error
}

// Init sets c as the connection.
func (c *Conn) Init(nc net.Conn) {
	*c = Conn{c: nc}
	if !rawOK {
		return
	}
	sc, ok := socketOf(nc)
	if !ok {
		return
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return
	}
	c.rc = rc
	c.readFn = c.readReady
	c.writeFn = c.writeReady
}

// Reset forgets the connection, so that the Conn holds nothing alive.
func (c *Conn) Reset() { *c = Conn{} }

// NetConn returns the connection.
func (c *Conn) NetConn() net.Conn { return c.c }

// Read reads once into p, waiting for data if there is none. It returns
// io.EOF when the peer closed its side.
func (c *Conn) Read(p []byte) (int, error) {
	if c.rc == nil {
		return c.c.Read(p)
	}
	if len(p) == 0 {
		return 0, nil
	}
	c.rb = p
	err := c.rc.Read(c.readFn)
	n, rerr := c.rn, c.rerr
	c.rb, c.rn, c.rerr = nil, 0, nil
	switch {
	case err != nil:
		return 0, err // deadline, closed connection
	case rerr != nil:
		return 0, os.NewSyscallError("read", rerr)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// readReady is called by the runtime poller when the socket may be
// readable; it returns false to wait for the next readiness.
func (c *Conn) readReady(fd uintptr) bool {
	for {
		n, err := Read(int(fd), c.rb)
		switch err {
		case nil:
			c.rn = n
			return true
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.rerr = err
		return true
	}
}

// Write writes all of p, waiting for room in the send buffer as needed.
func (c *Conn) Write(p []byte) (int, error) {
	if c.rc == nil {
		return c.c.Write(p)
	}
	c.wb, c.wn = p, 0
	err := c.rc.Write(c.writeFn)
	n, werr := c.wn, c.werr
	c.wb, c.wn, c.werr = nil, 0, nil
	switch {
	case werr != nil:
		return n, os.NewSyscallError("write", werr)
	case err != nil:
		return n, err
	}
	return n, nil
}

// writeReady is called by the runtime poller when the socket may be
// writable; it returns false to wait for room.
func (c *Conn) writeReady(fd uintptr) bool {
	for c.wn < len(c.wb) {
		n, err := Write(int(fd), c.wb[c.wn:])
		switch err {
		case nil:
			c.wn += n
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.werr = err
		return true
	}
	return true
}

// SetReadDeadline sets the connection's read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.c.SetReadDeadline(t) }

// SetWriteDeadline sets the connection's write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.c.SetWriteDeadline(t) }
