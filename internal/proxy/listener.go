package proxy

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/internal/config"
)

// listener is one listening socket of a frontend.
type listener struct {
	ln       *net.TCPListener
	frontend string
	bind     *config.Bind
	lim      *limit
}

// listen opens a listening socket for one address of a bind line. Like
// HAProxy it sets SO_REUSEPORT (so that a new process can bind next to an
// old one during an upgrade) and applies the backlog: bind backlog, else
// frontend backlog, else frontend maxconn. TCP keep-alive stays off unless
// `option tcpka` or `clitcpka` asks for it (Go enables it by default, which
// costs system calls on every connection).
func listen(fe *Frontend, b *config.Bind, a config.BindAddr) (*listener, error) {
	backlog := b.Backlog
	if backlog == 0 {
		backlog = fe.Config.Backlog
	}
	if backlog == 0 {
		backlog = fe.Config.Maxconn
	}
	lc := net.ListenConfig{
		KeepAlive: -1,
		Control: func(network, address string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, soReusePort, 1)
				if serr == nil && network == "tcp6" && b.V6Only {
					serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1)
				}
			})
			if err != nil {
				return err
			}
			return serr
		},
	}
	network := a.Network
	if network == "tcp" && b.V6Only {
		network = "tcp6"
	}
	l, err := lc.Listen(context.Background(), network, a.String())
	if err != nil {
		return nil, err
	}
	tl := l.(*net.TCPListener)
	if backlog > 0 {
		// listen(2) may be called again on a listening socket to change
		// its backlog; Go always uses somaxconn.
		if rc, err := tl.SyscallConn(); err == nil {
			rc.Control(func(fd uintptr) { syscall.Listen(int(fd), backlog) })
		}
	}
	maxconn := b.Maxconn
	if maxconn == 0 {
		maxconn = fe.Config.Maxconn
	}
	return &listener{ln: tl, frontend: fe.Name, bind: b, lim: newLimit(maxconn)}, nil
}

// soReusePort is SO_REUSEPORT on Linux.
const soReusePort = 0xf

func (l *listener) close() {
	l.ln.Close()
	l.lim.close()
}

// acceptLoop accepts connections until the listener is closed, holding a
// slot of the frontend's and the process's maxconn for each.
func (e *Engine) acceptLoop(l *listener) {
	defer e.acceptWG.Done()
	var delay time.Duration
	for {
		if !l.lim.acquire() {
			return
		}
		if !e.global.acquire() {
			l.lim.release()
			return
		}
		c, err := l.ln.AcceptTCP()
		if err != nil {
			e.global.release()
			l.lim.release()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors or similar: back off as net/http
			// does, the kernel keeps the connection in the backlog.
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			time.Sleep(delay)
			continue
		}
		delay = 0
		e.sessWG.Add(1)
		e.actconn.Add(1)
		go e.serve(l, c)
	}
}
