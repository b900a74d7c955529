package sockio

import (
	"net"
	"net/netip"
	"os"
	"syscall"
	"time"
)

// TCPConn is a TCP connection opened by DialTCP: a socket in the
// runtime's poller (through an *os.File, which adopts a descriptor without
// duplicating it) that skips the address look-ups net.Dial makes. It
// implements net.Conn and syscall.Conn.
type TCPConn struct {
	f      *os.File
	remote netip.AddrPort
}

var _ net.Conn = (*TCPConn)(nil)
var _ syscall.Conn = (*TCPConn)(nil)

// Read reads from the connection.
func (c *TCPConn) Read(b []byte) (int, error) { return c.f.Read(b) }

// Write writes to the connection.
func (c *TCPConn) Write(b []byte) (int, error) { return c.f.Write(b) }

// Close closes the connection.
func (c *TCPConn) Close() error { return c.f.Close() }

// CloseWrite shuts down the writing side (sends a FIN).
func (c *TCPConn) CloseWrite() error {
	return c.control(func(fd int) error { return Shutdown(fd, syscall.SHUT_WR) })
}

// SetLinger sets SO_LINGER as net.TCPConn.SetLinger does.
func (c *TCPConn) SetLinger(sec int) error {
	l := syscall.Linger{}
	if sec >= 0 {
		l.Onoff, l.Linger = 1, int32(sec)
	}
	return c.control(func(fd int) error { return syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &l) })
}

// LocalAddr returns the local address (a system call: nothing on the hot
// path asks for it).
func (c *TCPConn) LocalAddr() net.Addr {
	var a net.Addr = &net.TCPAddr{}
	c.control(func(fd int) error {
		sa, err := syscall.Getsockname(fd)
		if err != nil {
			return err
		}
		switch sa := sa.(type) {
		case *syscall.SockaddrInet4:
			a = &net.TCPAddr{IP: sa.Addr[:], Port: sa.Port}
		case *syscall.SockaddrInet6:
			a = &net.TCPAddr{IP: sa.Addr[:], Port: sa.Port}
		}
		return nil
	})
	return a
}

// RemoteAddr returns the address dialled.
func (c *TCPConn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(c.remote) }

// RemoteAddrPort returns the address dialled, without allocating.
func (c *TCPConn) RemoteAddrPort() netip.AddrPort { return c.remote }

// SetDeadline sets the read and write deadlines.
func (c *TCPConn) SetDeadline(t time.Time) error { return c.f.SetDeadline(t) }

// SetReadDeadline sets the read deadline.
func (c *TCPConn) SetReadDeadline(t time.Time) error { return c.f.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline.
func (c *TCPConn) SetWriteDeadline(t time.Time) error { return c.f.SetWriteDeadline(t) }

// SyscallConn gives access to the socket.
func (c *TCPConn) SyscallConn() (syscall.RawConn, error) { return c.f.SyscallConn() }

// Dup returns a close-on-exec duplicate of the socket's descriptor, which
// shares its non-blocking flag.
func (c *TCPConn) Dup() (int, error) {
	rc, err := c.f.SyscallConn()
	if err != nil {
		return -1, err
	}
	nfd, derr := -1, error(nil)
	if err := rc.Control(func(fd uintptr) { nfd, derr = DupCloexec(int(fd)) }); err != nil {
		return -1, err
	}
	return nfd, derr
}

// control runs f on the descriptor.
func (c *TCPConn) control(f func(fd int) error) error {
	rc, err := c.f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}
