package sockio

import (
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TCPConn is a TCP connection from DialTCP or Accept. It joins the
// runtime's network poller only when it first has to wait: a read that
// finds no data, a write that finds the send buffer full. A WebSocket
// handshake on loopback usually never waits on either socket (the request
// is there when the connection is accepted; the server has answered by
// the time its socket is read, having been woken by the write), and a
// socket that never joined the poller goes to the tunnel engine as it is,
// without the dup, poller removal and close of a handed-over net.Conn:
// eight system calls per handshake fewer (32 → 24, as many as HAProxy).
//
// Until it joins, its reads and writes are raw system calls made under a
// mutex that Close also takes, so that a concurrent Close (a session being
// killed) can never close the descriptor, and let it be reused, during
// one. Once it joins, an *os.File (which adopts a descriptor without
// duplicating it) does that job and enforces the deadlines.
type TCPConn struct {
	file atomic.Pointer[os.File] // set once the socket joined the poller
	rc   syscall.RawConn         // file's, set before file
	// shut is set by Close, before it takes mu: an operation holding mu
	// finishes with the descriptor first, one that takes mu after sees
	// it. Operations on a closed connection fail with net.ErrClosed, not
	// the *os.File's own closed errors.
	shut atomic.Bool

	mu       sync.Mutex // guards the fields below until the socket joins
	fd       int
	detached bool // the descriptor belongs to someone else (Detach)
	rdl, wdl time.Time

	remote, local netip.AddrPort

	io pollIO // reads and writes once joined
}

var (
	_ net.Conn     = (*TCPConn)(nil)
	_ syscall.Conn = (*TCPConn)(nil)
)

// errClosed is returned by operations on a closed connection.
var errClosed = net.ErrClosed

func newTCPConn(fd int, remote, local netip.AddrPort) *TCPConn {
	return &TCPConn{fd: fd, remote: remote, local: local}
}

// enter returns the file once the socket joined the poller. Before, it
// returns nil with c.mu held, or an error (without the lock) if the
// connection is closed or detached.
func (c *TCPConn) enter() (*os.File, error) {
	if f := c.file.Load(); f != nil {
		return f, nil
	}
	c.mu.Lock()
	if f := c.file.Load(); f != nil {
		c.mu.Unlock()
		return f, nil
	}
	if c.shut.Load() || c.detached {
		c.mu.Unlock()
		return nil, errClosed
	}
	return nil, nil
}

// Read reads once into b, waiting for data if there is none. It returns
// io.EOF when the peer closed its side.
func (c *TCPConn) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	f, err := c.enter()
	if err != nil {
		return 0, err
	}
	if f != nil {
		return c.polledErr(c.io.read(c.rc, b))
	}
	if expired(c.rdl) {
		c.mu.Unlock()
		return 0, os.ErrDeadlineExceeded
	}
	n, err := retryEINTR(Read, c.fd, b)
	if err == unix.EAGAIN {
		c.joinLocked()
		c.mu.Unlock()
		return c.polledErr(c.io.read(c.rc, b))
	}
	c.mu.Unlock()
	return readResult(n, err)
}

// Write writes all of b, waiting for room in the send buffer as needed.
func (c *TCPConn) Write(b []byte) (int, error) {
	f, err := c.enter()
	if err != nil {
		return 0, err
	}
	if f != nil {
		return c.polledErr(c.io.write(c.rc, b, 0))
	}
	if expired(c.wdl) {
		c.mu.Unlock()
		return 0, os.ErrDeadlineExceeded
	}
	done := 0
	for done < len(b) {
		n, err := retryEINTR(Write, c.fd, b[done:])
		if err == unix.EAGAIN {
			c.joinLocked()
			c.mu.Unlock()
			return c.polledErr(c.io.write(c.rc, b, done))
		}
		if err != nil {
			c.mu.Unlock()
			return done, os.NewSyscallError("write", err)
		}
		done += n
	}
	c.mu.Unlock()
	return done, nil
}

// polledErr reports an operation that failed because the connection was
// closed as net.ErrClosed.
func (c *TCPConn) polledErr(n int, err error) (int, error) {
	if err != nil && c.shut.Load() {
		return n, errClosed
	}
	return n, err
}

// joinLocked puts the socket in the runtime poller (the descriptor is
// non-blocking, so os.NewFile registers it) with the deadlines set so far.
// Called with c.mu held, on an open, attached connection.
func (c *TCPConn) joinLocked() *os.File {
	if f := c.file.Load(); f != nil {
		return f
	}
	f := os.NewFile(uintptr(c.fd), "tcp")
	if !c.rdl.IsZero() {
		f.SetReadDeadline(c.rdl)
	}
	if !c.wdl.IsZero() {
		f.SetWriteDeadline(c.wdl)
	}
	c.rc, _ = f.SyscallConn() // never fails on a file that is open
	c.file.Store(f)
	return f
}

// Close closes the connection. Reads and writes waiting in the poller
// return an error; a detached connection's descriptor is left alone.
func (c *TCPConn) Close() error {
	if c.shut.Swap(true) {
		return errClosed
	}
	if f := c.file.Load(); f != nil {
		return f.Close()
	}
	c.mu.Lock()
	if f := c.file.Load(); f != nil {
		c.mu.Unlock()
		return f.Close()
	}
	if c.detached {
		c.mu.Unlock()
		return nil
	}
	err := Close(c.fd)
	c.fd = -1
	c.mu.Unlock()
	if err != nil {
		return os.NewSyscallError("close", err)
	}
	return nil
}

// Detach gives the socket to the caller (the tunnel engine) and tells
// whether it is the connection's own descriptor: then the connection lets
// go of it (Close does nothing more), which costs no system call. A
// socket that joined the runtime poller has to leave it by being closed,
// so the caller gets a duplicate and closes the connection once it is done
// with the hand-over. Undo a Detach with Reattach.
func (c *TCPConn) Detach() (fd int, own bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.file.Load(); f != nil {
		fd, err := c.dupLocked(f)
		return fd, false, err
	}
	if c.shut.Load() || c.detached {
		return -1, false, errClosed
	}
	c.detached = true
	return c.fd, true, nil
}

// Reattach gives back a descriptor that Detach handed out: the
// connection's own one becomes its own again (closed at once if Close was
// called meanwhile), a duplicate is closed.
func (c *TCPConn) Reattach(fd int, own bool) {
	if !own {
		Close(fd)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.detached = false
	if c.shut.Load() {
		Close(c.fd)
		c.fd = -1
	}
}

// Dup returns a close-on-exec duplicate of the socket's descriptor, which
// shares its non-blocking flag.
func (c *TCPConn) Dup() (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.file.Load(); f != nil {
		return c.dupLocked(f)
	}
	if c.shut.Load() || c.detached {
		return -1, errClosed
	}
	return DupCloexec(c.fd)
}

func (c *TCPConn) dupLocked(f *os.File) (int, error) { return dupOf(f) }

// Control runs f on the descriptor, which stays open meanwhile.
func (c *TCPConn) Control(f func(fd int) error) error {
	file, err := c.enter()
	if err != nil {
		return err
	}
	if file != nil {
		return Control(file, f)
	}
	defer c.mu.Unlock()
	return f(c.fd)
}

// CloseWrite shuts down the writing side (sends a FIN).
func (c *TCPConn) CloseWrite() error {
	return c.Control(func(fd int) error { return Shutdown(fd, syscall.SHUT_WR) })
}

// SetLinger sets SO_LINGER as net.TCPConn.SetLinger does.
func (c *TCPConn) SetLinger(sec int) error {
	l := syscall.Linger{}
	if sec >= 0 {
		l.Onoff, l.Linger = 1, int32(sec)
	}
	return c.Control(func(fd int) error { return syscall.SetsockoptLinger(fd, syscall.SOL_SOCKET, syscall.SO_LINGER, &l) })
}

// SetKeepAlive turns TCP keep-alive probes on or off (SO_KEEPALIVE), as
// net.TCPConn.SetKeepAlive does.
func (c *TCPConn) SetKeepAlive(on bool) error {
	v := 0
	if on {
		v = 1
	}
	return c.Control(func(fd int) error { return setInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, v) })
}

// LocalAddrPort returns the local address: known from the listener or
// read with getsockname the first time.
func (c *TCPConn) LocalAddrPort() netip.AddrPort {
	c.mu.Lock()
	local := c.local
	c.mu.Unlock()
	if local.IsValid() {
		return local
	}
	c.Control(func(fd int) error {
		local = sockname(fd)
		return nil
	})
	c.mu.Lock()
	c.local = local
	c.mu.Unlock()
	return local
}

// LocalAddr returns the local address.
func (c *TCPConn) LocalAddr() net.Addr { return net.TCPAddrFromAddrPort(c.LocalAddrPort()) }

// RemoteAddr returns the peer's address.
func (c *TCPConn) RemoteAddr() net.Addr { return net.TCPAddrFromAddrPort(c.remote) }

// RemoteAddrPort returns the peer's address, without allocating.
func (c *TCPConn) RemoteAddrPort() netip.AddrPort { return c.remote }

// SetDeadline sets the read and write deadlines.
func (c *TCPConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

// SetReadDeadline sets the read deadline. Before the socket joins the
// poller it is only remembered: nothing waits yet.
func (c *TCPConn) SetReadDeadline(t time.Time) error {
	return c.setDeadline(t, &c.rdl, (*os.File).SetReadDeadline)
}

// SetWriteDeadline sets the write deadline (see SetReadDeadline).
func (c *TCPConn) SetWriteDeadline(t time.Time) error {
	return c.setDeadline(t, &c.wdl, (*os.File).SetWriteDeadline)
}

func (c *TCPConn) setDeadline(t time.Time, dl *time.Time, set func(*os.File, time.Time) error) error {
	f, err := c.enter()
	if err != nil {
		return err
	}
	if f != nil {
		if c.shut.Load() {
			return errClosed
		}
		return set(f, t)
	}
	*dl = t
	c.mu.Unlock()
	return nil
}

// SyscallConn gives access to the socket, which joins the runtime poller
// (a syscall.RawConn waits through it).
func (c *TCPConn) SyscallConn() (syscall.RawConn, error) {
	f, err := c.enter()
	if err != nil {
		return nil, err
	}
	if f == nil {
		f = c.joinLocked()
		c.mu.Unlock()
	}
	return f.SyscallConn()
}

// Joined reports whether the socket joined the runtime poller (for
// tests).
func (c *TCPConn) Joined() bool { return c.file.Load() != nil }

// expired reports a deadline that has passed.
func expired(dl time.Time) bool { return !dl.IsZero() && !time.Now().Before(dl) }

// sockname returns a socket's local address.
func sockname(fd int) netip.AddrPort {
	var sa unix.RawSockaddrAny
	l := uint32(unsafe.Sizeof(sa))
	if _, _, e := unix.RawSyscall(unix.SYS_GETSOCKNAME, uintptr(fd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&l))); e != 0 {
		return netip.AddrPort{}
	}
	return sockaddrAddrPort(&sa)
}

// sockaddrAddrPort decodes an IPv4 or IPv6 socket address.
func sockaddrAddrPort(sa *unix.RawSockaddrAny) netip.AddrPort {
	switch sa.Addr.Family {
	case unix.AF_INET:
		a := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		p := (*[2]byte)(unsafe.Pointer(&a.Port))
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(p[0])<<8|uint16(p[1]))
	case unix.AF_INET6:
		a := (*unix.RawSockaddrInet6)(unsafe.Pointer(sa))
		p := (*[2]byte)(unsafe.Pointer(&a.Port))
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(p[0])<<8|uint16(p[1]))
	}
	return netip.AddrPort{}
}

// isTemporaryAccept reports accept errors after which the next accept may
// succeed (the connection went away before it was accepted).
func isTemporaryAccept(err error) bool {
	return errors.Is(err, unix.ECONNABORTED) || errors.Is(err, unix.EINTR)
}

// Listener is a TCP listener whose Accept returns *TCPConns, outside the
// runtime poller until they wait. It waits for connections through a
// duplicate of the listening socket that it owns (net.TCPListener's own
// descriptor only offers Control), and otherwise is the *net.TCPListener
// it wraps (Addr, File, SyscallConn).
type Listener struct {
	*net.TCPListener
	f      *os.File // the duplicate, in the runtime poller
	rc     syscall.RawConn
	closed atomic.Bool
	// local is the listener's address when it is a specific one (the
	// accepted connections' local address); invalid for a wildcard.
	local netip.AddrPort

	// The callback given to rc, bound once, and its results.
	fn  func(uintptr) bool
	nfd int
	sa  unix.RawSockaddrAny
	err error
}

var _ net.Listener = (*Listener)(nil)

// NewListener wraps tl.
func NewListener(tl *net.TCPListener) (*Listener, error) {
	nfd, err := dupOf(tl)
	if err != nil {
		return nil, os.NewSyscallError("fcntl", err)
	}
	f := os.NewFile(uintptr(nfd), "tcp-listener")
	frc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	l := &Listener{TCPListener: tl, f: f, rc: frc}
	if ap := tl.Addr().(*net.TCPAddr).AddrPort(); !ap.Addr().IsUnspecified() {
		l.local = ap
	}
	l.fn = l.ready
	return l, nil
}

// Accept waits for and accepts a connection, with TCP_NODELAY set as
// net.TCPListener.Accept sets it. Once the listener is closed it returns
// an error matching net.ErrClosed. One goroutine at a time may call it.
func (l *Listener) Accept() (net.Conn, error) {
	c, err := l.AcceptSockio()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// AcceptSockio is Accept returning the *TCPConn.
func (l *Listener) AcceptSockio() (*TCPConn, error) {
	l.nfd, l.err = -1, nil
	err := l.rc.Read(l.fn)
	if l.closed.Load() {
		if l.nfd >= 0 {
			Close(l.nfd)
		}
		return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: l.Addr(), Err: net.ErrClosed}
	}
	if err != nil {
		return nil, err
	}
	if l.err != nil {
		return nil, l.err
	}
	fd := l.nfd
	if err := setInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		Close(fd)
		return nil, os.NewSyscallError("setsockopt", err)
	}
	return newTCPConn(fd, sockaddrAddrPort(&l.sa), l.local), nil
}

// SetDeadline sets the deadline of Accept (and of the wrapped listener's
// own descriptor, which Accept does not wait on).
func (l *Listener) SetDeadline(t time.Time) error {
	if err := l.f.SetDeadline(t); err != nil {
		return err
	}
	return l.TCPListener.SetDeadline(t)
}

// Close closes the listener (both descriptors).
func (l *Listener) Close() error {
	l.closed.Store(true)
	l.f.Close()
	return l.TCPListener.Close()
}

// ready is called by the runtime poller when the listener may have a
// connection.
//
// accept4 is a raw call only while the listening socket is non-blocking,
// which a raw fcntl checks first: a socket shared with another process
// can be switched to blocking mode by that process (os.File.Fd does it),
// and a blocking accept must go through the runtime's Syscall, which lets
// the P go while the thread waits. The raw call matters: accept4 is
// usually the first system call after the process went idle, and one
// made through Syscall wakes sysmon from its deep sleep, after which it
// polls every 20 µs for a millisecond (a third of hawser's context
// switches on the handshake benchmark).
func (l *Listener) ready(fd uintptr) bool {
	for {
		n := uint32(unsafe.Sizeof(l.sa))
		sa, np := uintptr(unsafe.Pointer(&l.sa)), uintptr(unsafe.Pointer(&n))
		var r uintptr
		var e unix.Errno
		if nonblocking(int(fd)) {
			r, _, e = unix.RawSyscall6(unix.SYS_ACCEPT4, fd, sa, np, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
		} else {
			r, _, e = unix.Syscall6(unix.SYS_ACCEPT4, fd, sa, np, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
		}
		switch {
		case e == 0:
			l.nfd = int(r)
			return true
		case e == unix.EAGAIN:
			return false
		case isTemporaryAccept(e):
			continue
		}
		l.err = os.NewSyscallError("accept4", e)
		return true
	}
}

// nonblocking reports a descriptor whose file status has O_NONBLOCK.
func nonblocking(fd int) bool {
	fl, _, e := unix.RawSyscall(unix.SYS_FCNTL, uintptr(fd), unix.F_GETFL, 0)
	return e == 0 && fl&unix.O_NONBLOCK != 0
}
