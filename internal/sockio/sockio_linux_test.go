package sockio

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// listen returns a loopback listener and its address.
func listen(t *testing.T, network, addr string) (net.Listener, netip.AddrPort) {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Skipf("listen %s %s: %v", network, addr, err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln, ln.Addr().(*net.TCPAddr).AddrPort()
}

// accepted returns the server side of the next connection to ln.
func accepted(t *testing.T, ln net.Listener) net.Conn {
	t.Helper()
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestDialTCP(t *testing.T) {
	for _, tc := range []struct{ network, addr string }{
		{"tcp4", "127.0.0.1:0"},
		{"tcp6", "[::1]:0"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			ln, ap := listen(t, tc.network, tc.addr)
			c, err := DialTCP(ap, 5*time.Second, false)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			peer := accepted(t, ln)
			if got := c.RemoteAddrPort(); got != ap {
				t.Errorf("RemoteAddrPort = %v, want %v", got, ap)
			}
			if got, want := c.LocalAddr().String(), peer.RemoteAddr().String(); got != want {
				t.Errorf("LocalAddr = %s, want %s (the peer's view)", got, want)
			}
			nodelay, err := controlInt(c, syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
			if err != nil || nodelay == 0 {
				t.Errorf("TCP_NODELAY = %d, %v; want set", nodelay, err)
			}
			ka, _ := controlInt(c, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE)
			if ka != 0 {
				t.Errorf("SO_KEEPALIVE set without keepAlive")
			}
			roundTrip(t, c, peer)
		})
	}
}

func TestDialTCPKeepAlive(t *testing.T) {
	ln, ap := listen(t, "tcp4", "127.0.0.1:0")
	c, err := DialTCP(ap, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	accepted(t, ln)
	for _, o := range []struct {
		level, opt, want int
		name             string
	}{
		{syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1, "SO_KEEPALIVE"},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, 15, "TCP_KEEPIDLE"},
		{syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, 15, "TCP_KEEPINTVL"},
	} {
		if v, err := controlInt(c, o.level, o.opt); err != nil || v != o.want {
			t.Errorf("%s = %d, %v; want %d", o.name, v, err, o.want)
		}
	}
}

func TestDialTCPRefused(t *testing.T) {
	ln, ap := listen(t, "tcp4", "127.0.0.1:0")
	ln.Close() // nothing listens on the port any more
	c, err := DialTCP(ap, 5*time.Second, false)
	if err == nil {
		c.Close()
		t.Fatal("dial to a closed port succeeded")
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v, want ECONNREFUSED", err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Errorf("refusal reported as a timeout: %v", err)
	}
}

// TestConnRawIO: a Conn on a TCPConn (its own lazy raw I/O) and on a
// net.TCPConn (raw I/O through its RawConn) reads, writes, honours
// deadlines and reports EOF and resets as net.Conn does.
func TestConnRawIO(t *testing.T) {
	tc, peer := dialled(t)
	var a, b Conn
	a.Init(tc)
	b.Init(peer)
	if b.rc == nil {
		t.Fatal("raw I/O not enabled on a net.TCPConn")
	}
	roundTrip(t, &a, &b)

	// A read deadline ends a read that would wait.
	a.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	buf := make([]byte, 16)
	if _, err := a.Read(buf); !isTimeout(err) {
		t.Fatalf("read past deadline: err = %v, want a timeout", err)
	}
	if !tc.Joined() {
		t.Fatal("a read that waited did not join the poller")
	}
	a.SetReadDeadline(time.Time{})

	// A large write waits for room while the peer drains it.
	big := make([]byte, 4<<20)
	for i := range big {
		big[i] = byte(i)
	}
	got := make(chan []byte, 1)
	go func() {
		all, _ := io.ReadAll(io.LimitReader(peer, int64(len(big))))
		got <- all
	}()
	if n, err := a.Write(big); n != len(big) || err != nil {
		t.Fatalf("Write(4 MiB) = %d, %v", n, err)
	}
	if all := <-got; string(all) != string(big) {
		t.Fatalf("peer read %d bytes, not what was written", len(all))
	}

	// The peer closes: EOF.
	peer.Close()
	if n, err := a.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("read after peer close = %d, %v; want 0, EOF", n, err)
	}
}

func TestConnReset(t *testing.T) {
	tc, peer := dialled(t)
	peer.(*net.TCPConn).SetLinger(0)
	peer.Close() // RST
	var c Conn
	c.Init(tc)
	buf := make([]byte, 8)
	if _, err := c.Read(buf); !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after RST: err = %v, want ECONNRESET", err)
	}
}

// TestConnClosedDuringRead: closing the connection wakes a waiting read.
func TestConnClosedDuringRead(t *testing.T) {
	tc, _ := dialled(t)
	var c Conn
	c.Init(tc)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 8))
		errc <- err
	}()
	tc.Close()
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("read on a closed conn: err = %v, want net.ErrClosed", err)
	}
	if err := tc.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close: err = %v, want net.ErrClosed", err)
	}
}

// TestConnFallback: a connection that is not a socket goes through its
// own Read and Write.
func TestConnFallback(t *testing.T) {
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	var a, b Conn
	a.Init(p1)
	b.Init(p2)
	if a.rc != nil {
		t.Fatal("raw I/O enabled on a pipe")
	}
	roundTrip(t, &a, &b)
}

// TestConnAllocs: once initialised, reads and writes allocate nothing.
func TestConnAllocs(t *testing.T) {
	tc, peer := dialled(t)
	var a, b Conn
	a.Init(tc)
	b.Init(peer)
	msg := []byte("ping")
	buf := make([]byte, 16)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := a.Write(msg); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(&b, buf[:len(msg)]); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per write and read, want 0", allocs)
	}
}

func TestTCPConnCloseWriteAndDup(t *testing.T) {
	tc, peer := dialled(t)
	fd, err := tc.Dup()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(fd, []byte("via dup")); err != nil {
		t.Fatal(err)
	}
	Close(fd)
	if err := tc.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	all, err := io.ReadAll(peer)
	if err != nil || string(all) != "via dup" {
		t.Fatalf("peer read %q, %v; want \"via dup\" then EOF", all, err)
	}
	if err := tc.SetLinger(0); err != nil {
		t.Fatal(err)
	}
}

// dialled returns both ends of a loopback connection dialled with
// DialTCP; the test's cleanup closes them.
func dialled(t *testing.T) (*TCPConn, net.Conn) {
	t.Helper()
	ln, ap := listen(t, "tcp4", "127.0.0.1:0")
	tc, err := DialTCP(ap, 5*time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tc.Close() })
	return tc, accepted(t, ln)
}

// roundTrip sends a message each way between a and b.
func roundTrip(t *testing.T, a, b io.ReadWriter) {
	t.Helper()
	for _, dir := range []struct {
		w io.Writer
		r io.Reader
	}{{a, b}, {b, a}} {
		msg := []byte("hello, hawser")
		errc := make(chan error, 1)
		go func() {
			_, err := dir.w.Write(msg)
			errc <- err
		}()
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(dir.r, got); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if string(got) != string(msg) {
			t.Fatalf("read %q, want %q", got, msg)
		}
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func controlInt(c *TCPConn, level, opt int) (int, error) {
	var v int
	err := c.Control(func(fd int) error {
		var err error
		v, err = syscall.GetsockoptInt(fd, level, opt)
		return err
	})
	return v, err
}

// TestTCPConnLazyJoin: a TCPConn whose reads and writes never wait stays
// out of the runtime poller; a deadline set meanwhile applies once it
// joins; an expired deadline fails at once either way.
func TestTCPConnLazyJoin(t *testing.T) {
	tc, peer := dialled(t)
	if tc.Joined() {
		t.Fatal("a connected dial joined the poller")
	}
	// On loopback a write has queued its bytes at the receiver when it
	// returns, so the read below finds them.
	peer.Write([]byte("hi"))
	buf := make([]byte, 8)
	if n, err := tc.Read(buf); err != nil || string(buf[:n]) != "hi" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	if _, err := tc.Write([]byte("yo")); err != nil {
		t.Fatal(err)
	}
	if err := Control(tc, func(int) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if tc.Joined() {
		t.Fatal("reads, writes and Control that did not wait joined the poller")
	}
	tc.SetReadDeadline(time.Now().Add(-time.Second))
	if _, err := tc.Read(buf); !isTimeout(err) {
		t.Fatalf("read with an expired deadline: err = %v, want a timeout", err)
	}
	tc.SetReadDeadline(time.Now().Add(30 * time.Millisecond))
	start := time.Now()
	if _, err := tc.Read(buf); !isTimeout(err) {
		t.Fatalf("read past the deadline set before joining: err = %v, want a timeout", err)
	}
	if !tc.Joined() || time.Since(start) > 10*time.Second {
		t.Fatalf("joined %v after %v", tc.Joined(), time.Since(start))
	}
}

// TestTCPConnDetach: an unjoined connection gives its own descriptor
// away and Close leaves it alone; Reattach takes it back; a joined one
// gives a duplicate.
func TestTCPConnDetach(t *testing.T) {
	tc, peer := dialled(t)
	fd, own, err := tc.Detach()
	if err != nil || !own {
		t.Fatalf("Detach = %d, %v, %v; want the own descriptor", fd, own, err)
	}
	if _, err := tc.Write([]byte("x")); err == nil {
		t.Fatal("Write on a detached connection succeeded")
	}
	tc.Reattach(fd, own)
	if _, err := tc.Write([]byte("a")); err != nil {
		t.Fatalf("Write after Reattach: %v", err)
	}
	fd, own, _ = tc.Detach()
	if err := tc.Close(); err != nil {
		t.Fatalf("Close of a detached connection: %v", err)
	}
	// The descriptor still works: Close left it to its new owner.
	if _, err := Write(fd, []byte("b")); err != nil {
		t.Fatalf("write on the detached descriptor after Close: %v", err)
	}
	Close(fd)
	got, _ := io.ReadAll(peer)
	if string(got) != "ab" {
		t.Fatalf("peer read %q, want \"ab\"", got)
	}

	// Joined: a duplicate, the connection stays usable until closed.
	tc2, peer2 := dialled(t)
	tc2.SetReadDeadline(time.Now().Add(time.Millisecond))
	tc2.Read(make([]byte, 1)) // waits, so joins
	fd, own, err = tc2.Detach()
	if err != nil || own {
		t.Fatalf("Detach of a joined connection = %d, %v, %v; want a duplicate", fd, own, err)
	}
	Write(fd, []byte("c"))
	Close(fd)
	tc2.Close()
	if got, _ := io.ReadAll(peer2); string(got) != "c" {
		t.Fatalf("peer read %q, want \"c\"", got)
	}
}

// TestTCPConnCloseDuringIO: Close racing with reads and writes (a killed
// session) neither crashes nor leaves one waiting (run with -race).
func TestTCPConnCloseDuringIO(t *testing.T) {
	for range 50 {
		tc, _ := dialled(t)
		done := make(chan struct{})
		go func() {
			defer close(done)
			buf := make([]byte, 8)
			for {
				if _, err := tc.Read(buf); err != nil {
					return
				}
			}
		}()
		tc.Close()
		<-done
	}
}

func TestListener(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "0.0.0.0:0"} {
		t.Run(addr, func(t *testing.T) {
			l := newListener(t, addr)
			c, ac := acceptOne(t, l)
			if got, want := ac.RemoteAddrPort().String(), c.LocalAddr().String(); got != want {
				t.Errorf("RemoteAddrPort = %s, want %s", got, want)
			}
			if got, want := ac.LocalAddrPort().String(), c.RemoteAddr().String(); got != want {
				t.Errorf("LocalAddrPort = %s, want %s", got, want)
			}
			nodelay, _ := controlInt(ac, syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
			if nodelay == 0 {
				t.Error("accepted connection without TCP_NODELAY")
			}
			roundTrip(t, ac, c)

			errc := make(chan error, 1)
			go func() {
				_, err := l.Accept()
				errc <- err
			}()
			l.Close()
			if err := <-errc; !errors.Is(err, net.ErrClosed) {
				t.Fatalf("Accept after Close: err = %v, want net.ErrClosed", err)
			}
		})
	}
}

// TestListenerBlockingSocket: a listening socket another process switched
// to blocking mode is still accepted from (through the runtime's Syscall,
// not a raw call that could hold a P).
func TestListenerBlockingSocket(t *testing.T) {
	l := newListener(t, "127.0.0.1:0")
	// The flag belongs to the open file description both descriptors
	// share, as it does across processes.
	if err := Control(l.TCPListener, func(fd int) error { return syscall.SetNonblock(fd, false) }); err != nil {
		t.Fatal(err)
	}
	if Control(l.f, func(fd int) error {
		if nonblocking(fd) {
			t.Error("the duplicate did not share the blocking mode")
		}
		return nil
	}) != nil {
		t.Fatal("control")
	}
	c, ac := acceptOne(t, l)
	roundTrip(t, ac, c)
}

// newListener returns a Listener on a tcp4 address; the test's cleanup
// closes it.
func newListener(t *testing.T, addr string) *Listener {
	t.Helper()
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := NewListener(ln.(*net.TCPListener))
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// acceptOne dials l on 127.0.0.1 and accepts: the client end and the
// accepted one, closed by the test's cleanup.
func acceptOne(t *testing.T, l *Listener) (net.Conn, *TCPConn) {
	t.Helper()
	port := l.Addr().(*net.TCPAddr).Port
	c, err := net.Dial("tcp4", net.JoinHostPort("127.0.0.1", fmt.Sprint(port)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ac, err := l.AcceptSockio()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ac.Close() })
	return c, ac
}
