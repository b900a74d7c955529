package sockio

import (
	"net"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawOK tells that this platform has the raw calls.
const rawOK = true

// Read is read(2) without the runtime's system call hooks.
func Read(fd int, b []byte) (int, error) {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(p), uintptr(len(b)))
	if e != 0 {
		return -1, errnoErr(e)
	}
	return int(n), nil
}

// Write is write(2) without the runtime's system call hooks.
func Write(fd int, b []byte) (int, error) {
	var p unsafe.Pointer
	if len(b) > 0 {
		p = unsafe.Pointer(&b[0])
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(p), uintptr(len(b)))
	if e != 0 {
		return -1, errnoErr(e)
	}
	return int(n), nil
}

// Close is close(2) without the runtime's system call hooks. Only for
// descriptors with no positive SO_LINGER (which would make it block).
func Close(fd int) error {
	if _, _, e := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0); e != 0 {
		return errnoErr(e)
	}
	return nil
}

// Shutdown is shutdown(2) without the runtime's system call hooks.
func Shutdown(fd, how int) error {
	if _, _, e := unix.RawSyscall(unix.SYS_SHUTDOWN, uintptr(fd), uintptr(how), 0); e != 0 {
		return errnoErr(e)
	}
	return nil
}

// EpollCtl is epoll_ctl(2) without the runtime's system call hooks.
func EpollCtl(epfd, op, fd int, ev *unix.EpollEvent) error {
	_, _, e := unix.RawSyscall6(unix.SYS_EPOLL_CTL, uintptr(epfd), uintptr(op), uintptr(fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	if e != 0 {
		return errnoErr(e)
	}
	return nil
}

// EpollPoll is epoll_pwait(2) with a zero timeout, so it never blocks,
// without the runtime's system call hooks. events must not be empty.
func EpollPoll(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, errnoErr(e)
	}
	return int(n), nil
}

// errnoErr returns the frequent errnos as shared values, so that the hot
// path does not box an Errno into an interface.
func errnoErr(e unix.Errno) error {
	switch e {
	case unix.EAGAIN:
		return unix.EAGAIN
	case unix.EINTR:
		return unix.EINTR
	}
	return e
}

// DupCloexec is fcntl(fd, F_DUPFD_CLOEXEC, 0) without the runtime's system
// call hooks: a close-on-exec duplicate of fd.
func DupCloexec(fd int) (int, error) {
	nfd, _, e := unix.RawSyscall(unix.SYS_FCNTL, uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if e != 0 {
		return -1, errnoErr(e)
	}
	return int(nfd), nil
}

// dupOf returns a close-on-exec duplicate of c's descriptor.
func dupOf(c syscall.Conn) (int, error) {
	nfd := -1
	err := Control(c, func(fd int) (err error) {
		nfd, err = DupCloexec(fd)
		return err
	})
	return nfd, err
}

// socketOf returns the socket of a connection Conn can do raw I/O on.
func socketOf(nc net.Conn) (syscall.Conn, bool) {
	switch t := nc.(type) {
	case *net.TCPConn:
		return t, true
	case *net.UnixConn:
		return t, true
	}
	// A *TCPConn does its own raw I/O (and joins the poller lazily): Conn
	// calls its Read and Write.
	return nil, false
}
