package sockio

import (
	"net/netip"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// DialTCP connects to addr under timeout (0: none), with TCP_NODELAY as
// net.Dial sets it, and TCP keep-alive only when keepAlive is set. Every
// system call is raw (see the package comment), and compared with
// net.Dialer it skips the resolver path, the context and its timer,
// getsockname and getpeername after the connect, and the allocations of
// those: on the handshake benchmark net.Dialer's own code was ~4% of
// hawser's CPU.
func DialTCP(addr netip.AddrPort, timeout time.Duration, keepAlive bool) (*TCPConn, error) {
	var start time.Time
	if timeout > 0 {
		start = time.Now()
	}
	ip := addr.Addr()
	family := unix.AF_INET
	if ip.Is6() && !ip.Is4In6() {
		family = unix.AF_INET6
	}
	r, _, e := unix.RawSyscall(unix.SYS_SOCKET, uintptr(family), unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, unix.IPPROTO_TCP)
	if e != 0 {
		return nil, os.NewSyscallError("socket", e)
	}
	fd := int(r)
	if err := setInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		Close(fd)
		return nil, os.NewSyscallError("setsockopt", err)
	}
	if keepAlive {
		// net.Dialer's defaults: probes after 15 s idle, every 15 s.
		for _, o := range [...][3]int{
			{unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1},
			{unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, 15},
			{unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, 15},
		} {
			if err := setInt(fd, o[0], o[1], o[2]); err != nil {
				Close(fd)
				return nil, os.NewSyscallError("setsockopt", err)
			}
		}
	}
	pending := false
	switch err := connect(fd, family, addr); err {
	case nil:
	case unix.EINPROGRESS, unix.EINTR:
		// An interrupted connect goes on in the background, as one in
		// progress does (calling connect again would fail with EALREADY).
		pending = true
	default:
		Close(fd)
		return nil, os.NewSyscallError("connect", err)
	}
	// On loopback the handshake has usually completed by now: the
	// socket then starts outside the runtime poller (see TCPConn).
	c := newTCPConn(fd, addr, netip.AddrPort{})
	if !pending || connected(fd) {
		return c, nil
	}
	c.mu.Lock()
	f := c.joinLocked()
	c.mu.Unlock()
	if timeout > 0 {
		f.SetWriteDeadline(start.Add(timeout))
	}
	if err := c.waitConnected(); err != nil {
		f.Close()
		return nil, err
	}
	if timeout > 0 {
		f.SetWriteDeadline(time.Time{})
	}
	return c, nil
}

// connected reports a socket that has a peer address: its connect is
// complete.
func connected(fd int) bool {
	var sa unix.RawSockaddrAny
	l := uint32(unsafe.Sizeof(sa))
	_, _, e := unix.RawSyscall(unix.SYS_GETPEERNAME, uintptr(fd), uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&l)))
	return e == 0
}

// waitConnected waits for the end of a non-blocking connect.
func (c *TCPConn) waitConnected() error {
	var cerr error
	err := c.rc.Write(func(fd uintptr) bool {
		// The poller may call this before the socket is writable (the
		// first time, and on spurious wake-ups): a peer address is the
		// proof of a connection, and only without one is SO_ERROR read.
		if connected(int(fd)) {
			return true
		}
		v, e := getInt(int(fd), unix.SOL_SOCKET, unix.SO_ERROR)
		switch {
		case e != nil:
			cerr = os.NewSyscallError("getsockopt", e)
			return true
		case v == 0, v == int(unix.EINPROGRESS), v == int(unix.EALREADY), v == int(unix.EINTR):
			return false
		}
		cerr = os.NewSyscallError("connect", syscall.Errno(v))
		return true
	})
	if cerr != nil {
		return cerr
	}
	return err // a deadline: the connect timed out
}

// connect is connect(2) without the runtime's system call hooks.
func connect(fd, family int, addr netip.AddrPort) error {
	var e unix.Errno
	if family == unix.AF_INET {
		sa := unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: addr.Addr().Unmap().As4()}
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		p[0], p[1] = byte(addr.Port()>>8), byte(addr.Port())
		_, _, e = unix.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
	} else {
		sa := unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: addr.Addr().As16()}
		p := (*[2]byte)(unsafe.Pointer(&sa.Port))
		p[0], p[1] = byte(addr.Port()>>8), byte(addr.Port())
		if z := addr.Addr().Zone(); z != "" {
			if ifi, err := netInterfaceIndex(z); err == nil {
				sa.Scope_id = uint32(ifi)
			}
		}
		_, _, e = unix.RawSyscall(unix.SYS_CONNECT, uintptr(fd), uintptr(unsafe.Pointer(&sa)), unsafe.Sizeof(sa))
	}
	if e != 0 {
		return errnoErr(e)
	}
	return nil
}

// setInt is setsockopt(2) of an int option without the runtime's hooks.
func setInt(fd, level, opt, v int) error {
	iv := int32(v)
	_, _, e := unix.RawSyscall6(unix.SYS_SETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(unsafe.Pointer(&iv)), 4, 0)
	if e != 0 {
		return e
	}
	return nil
}

// getInt is getsockopt(2) of an int option without the runtime's hooks.
func getInt(fd, level, opt int) (int, error) {
	var iv int32
	l := uint32(4)
	_, _, e := unix.RawSyscall6(unix.SYS_GETSOCKOPT, uintptr(fd), uintptr(level), uintptr(opt), uintptr(unsafe.Pointer(&iv)), uintptr(unsafe.Pointer(&l)), 0)
	if e != 0 {
		return 0, e
	}
	return int(iv), nil
}
