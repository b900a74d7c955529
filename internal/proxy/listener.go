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
	"github.com/hawser-lb/hawser/internal/sockio"
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
	// path is the socket file of a unix listener, removed on close while
	// it is still ours (info).
	path string
	info os.FileInfo
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
	// Not f.Fd(): it switches the socket, which other processes share,
	// to blocking mode.
	var sa syscall.Sockaddr
	v6only := 0
	err := sockio.Control(f, func(fd int) error {
		var err error
		if sa, err = syscall.Getsockname(fd); err != nil {
			return err
		}
		if _, ok := sa.(*syscall.SockaddrInet6); ok {
			v6only, _ = syscall.GetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return "tcp4 " + net.IP(a.Addr[:]).String() + ":" + strconv.Itoa(a.Port), nil
	case *syscall.SockaddrInet6:
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
	l := &listener{ln: wrapListener(ln), key: key, lim: newLimit(bindMaxconn(fe, b)), path: path}
	if path != "" {
		l.info, _ = os.Stat(path)
	}
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

// listenUnix binds a unix socket file with the bind line's mode and
// owner. Like HAProxy it binds under a temporary name and renames it over
// the path, so that a successor takes the path over atomically while a
// predecessor serves its open connections.
func listenUnix(path string, b *config.Bind) (net.Listener, error) {
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	os.Remove(tmp)
	ln, err := net.Listen("unix", tmp)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (net.Listener, error) {
		ln.Close()
		os.Remove(tmp)
		return nil, err
	}
	if b.Mode != 0 {
		if err := os.Chmod(tmp, os.FileMode(b.Mode)); err != nil {
			return fail(err)
		}
	}
	if b.UID >= 0 || b.GID >= 0 {
		if err := os.Chown(tmp, b.UID, b.GID); err != nil {
			return fail(err)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return fail(err)
	}
	return ln, nil
}

// soReusePort is SO_REUSEPORT on Linux.
const soReusePort = 0xf

// close stops the listener. removeFile also removes a unix socket file
// (when the address is gone from the configuration).
func (l *listener) close(removeFile bool) {
	closeListener(l.ln)
	l.lim.close()
	if removeFile && l.path != "" && l.info != nil {
		if fi, err := os.Stat(l.path); err == nil && os.SameFile(fi, l.info) {
			os.Remove(l.path)
		}
	}
}

// closeListener closes ln. A socket shared with another process (a
// successor, a worker) may have been switched to blocking mode for a
// moment by that process (os.File.Fd does it; hawser itself no longer
// calls it on listening sockets, an older binary taking over might); an
// accept(2) that started then blocks in the kernel, where Close cannot
// wake it. If Close does not return quickly, a connection to the socket
// wakes it (whichever process accepts that connection sees it close at
// once).
func closeListener(ln net.Listener) {
	done := make(chan struct{})
	go func() {
		ln.Close()
		close(done)
	}()
	for i := 0; i < 10; i++ {
		select {
		case <-done:
			return
		case <-time.After(200 * time.Millisecond):
		}
		a := ln.Addr()
		if c, err := net.DialTimeout(a.Network(), a.String(), time.Second); err == nil {
			c.Close()
		}
	}
	<-done
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
		e.dispatch(l, c)
	}
}

// ListenFiles opens the listening sockets of every enabled frontend of
// cfg and returns them as files by listener key, for a master process that
// hands them to its workers. Sockets of keep are reused (the master's from
// before a reload). The caller owns the files.
func ListenFiles(cfg *config.Config, keep map[string]*os.File) (map[string]*os.File, error) {
	out := map[string]*os.File{}
	fail := func(err error) (map[string]*os.File, error) {
		for k, f := range out {
			if keep[k] != f {
				f.Close()
			}
		}
		return nil, err
	}
	for _, px := range cfg.Proxies {
		if px.Cap&config.CapFrontend == 0 || px.Disabled {
			continue
		}
		fe := &Frontend{Name: px.Name, Config: px}
		for _, b := range px.Binds {
			for _, a := range b.Addrs {
				key := listenerKey(a, b)
				if _, ok := out[key]; ok {
					continue
				}
				if f := keep[key]; f != nil {
					out[key] = f
					continue
				}
				l, err := listen(fe, b, a, nil)
				if err != nil {
					return fail(config.At(b.Pos, fmt.Errorf("'bind %s' for %s '%s': %w", a, px.Cap.Section(), px.Name, err)))
				}
				f, err := l.file()
				l.ln.Close()
				if err != nil {
					return fail(err)
				}
				out[key] = f
			}
		}
	}
	return out, nil
}
