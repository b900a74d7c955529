package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/internal/config"
)

// listener is one listening socket. It outlives configuration
// generations: a reload keeps the listeners whose address is unchanged,
// so no connection is refused while the configuration changes.
type listener struct {
	ln  net.Listener
	key string
	// fe is the name of the frontend the socket belongs to (it may change
	// on reload).
	fe  atomic.Pointer[string]
	lim *limit
	// path is the socket file of a unix listener, removed on close.
	path string
}

func (l *listener) frontend() string { return *l.fe.Load() }

// listenerKey identifies a listening address across reloads and
// processes: "tcp4 0.0.0.0:80", "tcp [::]:80", "unix /run/x.sock",
// "abns name", "fd 3".
func listenerKey(a config.BindAddr, b *config.Bind) string {
	switch a.Network {
	case "unix", "abns":
		return a.Network + " " + a.Host
	case "fd":
		return "fd " + strconv.Itoa(a.Port)
	}
	network := a.Network
	if network == "tcp" && b.V6Only {
		network = "tcp6"
	}
	return network + " " + a.String()
}

// SocketKey returns the listener key of an inherited listening socket
// (systemd socket activation), to put it in Options.Inherited.
func SocketKey(f *os.File) (string, error) { return socketKey(f) }

// socketKey computes the key of an existing listening socket from its
// address, to match inherited sockets (systemd, -x, master-worker) with
// bind lines.
func socketKey(f *os.File) (string, error) {
	sa, err := syscall.Getsockname(int(f.Fd()))
	if err != nil {
		return "", err
	}
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return "tcp4 " + net.IP(a.Addr[:]).String() + ":" + strconv.Itoa(a.Port), nil
	case *syscall.SockaddrInet6:
		v6only, _ := syscall.GetsockoptInt(int(f.Fd()), syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY)
		net6 := "tcp"
		if v6only == 1 {
			net6 = "tcp6"
		}
		return net6 + " [" + net.IP(a.Addr[:]).String() + "]:" + strconv.Itoa(a.Port), nil
	case *syscall.SockaddrUnix:
		if len(a.Name) > 0 && (a.Name[0] == '@' || a.Name[0] == 0) {
			return "abns " + a.Name[1:], nil
		}
		return "unix " + a.Name, nil
	}
	return "", fmt.Errorf("unsupported socket family")
}

// listen opens (or adopts from inherited) the listening socket of one
// address of a bind line. Like HAProxy it sets SO_REUSEPORT on TCP sockets
// (so that a new process can bind next to an old one) and applies the
// backlog: bind backlog, else frontend backlog, else frontend maxconn. TCP
// keep-alive stays off unless `option tcpka`/`clitcpka` asks for it (Go
// enables it by default, which costs system calls on every connection).
func listen(fe *Frontend, b *config.Bind, a config.BindAddr, inherited map[string]*os.File) (*listener, error) {
	key := listenerKey(a, b)
	backlog := b.Backlog
	if backlog == 0 {
		backlog = fe.Config.Backlog
	}
	if backlog == 0 {
		backlog = fe.Config.Maxconn
	}
	var ln net.Listener
	var err error
	path := ""
	switch {
	case inherited[key] != nil:
		f := inherited[key]
		delete(inherited, key)
		ln, err = net.FileListener(f)
		f.Close()
	case a.Network == "fd":
		f := os.NewFile(uintptr(a.Port), "fd@"+strconv.Itoa(a.Port))
		if f == nil {
			return nil, fmt.Errorf("fd@%d is not open", a.Port)
		}
		ln, err = net.FileListener(f)
		f.Close()
	case a.Network == "unix":
		ln, err = listenUnix(a.Host, b)
		path = a.Host
	case a.Network == "abns":
		// A leading '@' makes Go use the abstract namespace.
		ln, err = net.Listen("unix", "@"+a.Host)
	default:
		ln, err = listenTCP(a, b)
	}
	if err != nil {
		return nil, err
	}
	if backlog > 0 {
		// listen(2) may be called again on a listening socket to change
		// its backlog; Go always uses somaxconn.
		if sc, ok := ln.(syscall.Conn); ok {
			if rc, err := sc.SyscallConn(); err == nil {
				rc.Control(func(fd uintptr) { syscall.Listen(int(fd), backlog) })
			}
		}
	}
	if ul, ok := ln.(*net.UnixListener); ok {
		// The socket file belongs to the configuration, not to the
		// listener object: a reload or a successor keeps it.
		ul.SetUnlinkOnClose(false)
	}
	l := &listener{ln: ln, key: key, lim: newLimit(bindMaxconn(fe, b)), path: path}
	name := fe.Name
	l.fe.Store(&name)
	return l, nil
}

func bindMaxconn(fe *Frontend, b *config.Bind) int {
	if b.Maxconn != 0 {
		return b.Maxconn
	}
	return fe.Config.Maxconn
}

func listenTCP(a config.BindAddr, b *config.Bind) (net.Listener, error) {
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
	return lc.Listen(context.Background(), network, a.String())
}

// listenUnix binds a unix socket file, replacing a stale one, with the
// bind line's mode and owner.
func listenUnix(path string, b *config.Bind) (net.Listener, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		if c, err := net.Dial("unix", path); err == nil {
			c.Close()
			return nil, fmt.Errorf("%s is in use by a running process", path)
		}
		os.Remove(path)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if b.Mode != 0 {
		if err := os.Chmod(path, os.FileMode(b.Mode)); err != nil {
			ln.Close()
			return nil, err
		}
	}
	if b.UID >= 0 || b.GID >= 0 {
		if err := os.Chown(path, b.UID, b.GID); err != nil {
			ln.Close()
			return nil, err
		}
	}
	return ln, nil
}

// soReusePort is SO_REUSEPORT on Linux.
const soReusePort = 0xf

// close stops the listener. removeFile also removes a unix socket file
// (when the address is gone from the configuration).
func (l *listener) close(removeFile bool) {
	l.ln.Close()
	l.lim.close()
	if removeFile && l.path != "" {
		os.Remove(l.path)
	}
}

// file returns a duplicate of the listening socket, to hand it to another
// process.
func (l *listener) file() (*os.File, error) {
	type filer interface{ File() (*os.File, error) }
	if f, ok := l.ln.(filer); ok {
		return f.File()
	}
	return nil, errors.New("listener cannot be duplicated")
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
		c, err := l.ln.Accept()
		if err != nil {
			e.global.release()
			l.lim.release()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of file descriptors or similar: back off as net/http
			// does; the kernel keeps the connection in the backlog.
			if delay == 0 {
				delay = 5 * time.Millisecond
			} else if delay *= 2; delay > time.Second {
				delay = time.Second
			}
			select {
			case <-time.After(delay):
			case <-e.stopCh:
			}
			continue
		}
		delay = 0
		e.sessWG.Add(1)
		e.actconn.Add(1)
		go e.serve(l, c)
	}
}
