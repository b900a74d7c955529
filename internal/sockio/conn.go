package sockio

import (
	"net"
	"syscall"
	"time"
)

// Conn reads and writes a connection. For a net.TCPConn or net.UnixConn
// it makes the system calls itself (without the runtime's hooks) and waits
// for readiness through the runtime poller, which also enforces the
// connection's deadlines; anything else (a *TCPConn, which does the same
// on its own, a pipe) it reads and writes through the net.Conn. The zero
// Conn is unusable: call Init. A Conn allocates in Init and on its first
// read and write; later ones allocate nothing. One reader and one writer
// may use it at the same time.
type Conn struct {
	c  net.Conn
	rc syscall.RawConn // nil: use c's Read and Write
	io pollIO
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
	if rc, err := sc.SyscallConn(); err == nil {
		c.rc = rc
	}
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
	return c.io.read(c.rc, p)
}

// Write writes all of p, waiting for room in the send buffer as needed.
func (c *Conn) Write(p []byte) (int, error) {
	if c.rc == nil {
		return c.c.Write(p)
	}
	return c.io.write(c.rc, p, 0)
}

// SetReadDeadline sets the connection's read deadline.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.c.SetReadDeadline(t) }

// SetWriteDeadline sets the connection's write deadline.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.c.SetWriteDeadline(t) }
