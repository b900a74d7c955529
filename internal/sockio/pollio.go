package sockio

import (
	"io"
	"os"
	"syscall"
)

// pollIO does reads and writes through a syscall.RawConn: raw calls,
// with waits (and deadlines) in the runtime poller. Its callbacks are
// bound on first use, so that reads and writes allocate nothing.
type pollIO struct {
	readFn, writeFn func(uintptr) bool
	rb              []byte
	rn              int
	rerr            error
	wb              []byte
	wn              int
	werr            error
}

// read reads once into b, waiting for data if there is none. It returns
// io.EOF when the peer closed its side.
func (p *pollIO) read(rc syscall.RawConn, b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if p.readFn == nil {
		p.readFn = p.readReady
	}
	p.rb = b
	err := rc.Read(p.readFn)
	n, rerr := p.rn, p.rerr
	p.rb, p.rn, p.rerr = nil, 0, nil
	if err != nil {
		return 0, err // deadline, closed connection
	}
	return readResult(n, rerr)
}

// readReady is called by the runtime poller when the socket may be
// readable; it returns false to wait for the next readiness.
func (p *pollIO) readReady(fd uintptr) bool {
	n, err := retryEINTR(Read, int(fd), p.rb)
	if err == syscall.EAGAIN {
		return false
	}
	p.rn, p.rerr = n, err
	return true
}

// write writes b[done:], waiting for room in the send buffer as needed,
// and returns the bytes of b written in all.
func (p *pollIO) write(rc syscall.RawConn, b []byte, done int) (int, error) {
	if p.writeFn == nil {
		p.writeFn = p.writeReady
	}
	p.wb, p.wn = b, done
	err := rc.Write(p.writeFn)
	n, werr := p.wn, p.werr
	p.wb, p.wn, p.werr = nil, 0, nil
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
func (p *pollIO) writeReady(fd uintptr) bool {
	for p.wn < len(p.wb) {
		n, err := retryEINTR(Write, int(fd), p.wb[p.wn:])
		switch err {
		case nil:
			p.wn += n
			continue
		case syscall.EAGAIN:
			return false
		}
		p.werr = err
		return true
	}
	return true
}

// retryEINTR runs a read or write again when a signal interrupted it.
func retryEINTR(op func(int, []byte) (int, error), fd int, b []byte) (int, error) {
	for {
		n, err := op(fd, b)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// readResult turns a raw read's result into io.Reader's.
func readResult(n int, err error) (int, error) {
	switch {
	case err != nil:
		return 0, os.NewSyscallError("read", err)
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// Control runs f on c's descriptor, which stays open meanwhile. A
// connection with its own Control (a *TCPConn, which would otherwise join
// the runtime poller for a RawConn) runs it.
func Control(c syscall.Conn, f func(fd int) error) error {
	if cc, ok := c.(interface {
		Control(func(fd int) error) error
	}); ok {
		return cc.Control(f)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	if err := rc.Control(func(fd uintptr) { ferr = f(int(fd)) }); err != nil {
		return err
	}
	return ferr
}
