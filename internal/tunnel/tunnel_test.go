package tunnel

import (
	"bytes"
	"crypto/rand"
	"io"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// pair returns the two ends of a loopback TCP connection.
func pair(t *testing.T) (a, b *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		ch <- c
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-ch
	if s == nil {
		t.Fatal("accept failed")
	}
	return c.(*net.TCPConn), s.(*net.TCPConn)
}

// setup returns a client end, a server end and the tunnel between them:
// client <-> [cp | tunnel | sp] <-> server, on the path p (epoll for
// plain TCP, goroutines for a wrapped connection).
func setup(t *testing.T, p path, to Timeouts) (client, server *net.TCPConn, res chan Result, e *Engine) {
	client, cp := pair(t)
	sp, server := pair(t)
	e = NewEngine()
	res = make(chan Result, 1)
	var c, s net.Conn = cp, sp
	if p == goroutines {
		c, s = tcpOnly{cp}, tcpOnly{sp}
	}
	tun := e.Start(c, s, to, func(r Result) { res <- r })
	if got := tun.p.w != nil; got != (p == viaEpoll) {
		t.Fatalf("tunnel on the epoll path: %v, want %v", got, p == viaEpoll)
	}
	t.Cleanup(func() {
		client.Close()
		server.Close()
		e.Wait()
	})
	return client, server, res, e
}

// bothPaths runs f on the epoll path and on the goroutine path: they must
// behave alike.
func bothPaths(t *testing.T, f func(t *testing.T, p path)) {
	t.Run("epoll", func(t *testing.T) { f(t, viaEpoll) })
	t.Run("goroutines", func(t *testing.T) { f(t, goroutines) })
}

func TestTunnelMovesBytesBothWays(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		client, server, res, _ := setup(t, p, Timeouts{Tunnel: time.Minute})
		for _, size := range []int{1, 100, 64 << 10, 1 << 20, 3<<20 + 7} {
			up := make([]byte, size)
			rand.Read(up)
			go client.Write(up)
			got := make([]byte, size)
			if _, err := io.ReadFull(server, got); err != nil {
				t.Fatalf("size %d: server read: %v", size, err)
			}
			if !bytes.Equal(got, up) {
				t.Fatalf("size %d: client→server bytes differ", size)
			}
			go server.Write(up)
			if _, err := io.ReadFull(client, got); err != nil {
				t.Fatalf("size %d: client read: %v", size, err)
			}
			if !bytes.Equal(got, up) {
				t.Fatalf("size %d: server→client bytes differ", size)
			}
		}
		client.Close()
		server.Close()
		r := <-res
		if r.Cause != Normal && r.Cause != ClientAbort && r.Cause != ServerAbort {
			t.Errorf("cause = %c", r.Cause)
		}
		want := int64(1 + 100 + 64<<10 + 1<<20 + 3<<20 + 7)
		if r.BytesUp != want || r.BytesDown != want {
			t.Errorf("bytes up %d down %d, want %d each", r.BytesUp, r.BytesDown, want)
		}
	})
}

func TestTunnelHalfClose(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		client, server, res, _ := setup(t, p, Timeouts{Tunnel: time.Minute})
		client.Write([]byte("last words"))
		client.CloseWrite()
		got, err := io.ReadAll(server) // ends at the propagated FIN
		if err != nil || string(got) != "last words" {
			t.Fatalf("server read %q, %v", got, err)
		}
		// The other direction still works after the client's FIN.
		server.Write([]byte("reply"))
		server.CloseWrite()
		got, err = io.ReadAll(client)
		if err != nil || string(got) != "reply" {
			t.Fatalf("client read %q, %v", got, err)
		}
		if r := <-res; r.Cause != Normal || r.BytesUp != 10 || r.BytesDown != 5 {
			t.Errorf("result = %+v, want normal end with 10 and 5 bytes", r)
		}
	})
}

func TestTunnelServerReset(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		client, server, res, _ := setup(t, p, Timeouts{Tunnel: time.Minute})
		server.SetLinger(0)
		server.Close() // RST
		if r := <-res; r.Cause != ServerAbort && r.Cause != Normal {
			t.Errorf("cause = %c, want S", r.Cause)
		}
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := client.Read(make([]byte, 1)); err == nil {
			t.Error("client still open after the server reset")
		}
	})
}

func TestKillAll(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		client, _, res, e := setup(t, p, Timeouts{})
		e.KillAll(Killed)
		if r := <-res; r.Cause != Killed {
			t.Errorf("cause = %c, want K", r.Cause)
		}
		client.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := client.Read(make([]byte, 1)); err == nil {
			t.Error("client still open after KillAll")
		}
		if e.Len() != 0 {
			t.Errorf("Len = %d after the tunnel ended", e.Len())
		}
	})
}

// The timeout tests run in a synctest bubble over net.Pipe, so the clock is
// fake: they check exact durations without sleeping or flaking.

func pipeTunnel(t *testing.T, to Timeouts) (client, server net.Conn, res chan Result) {
	client, cp := net.Pipe()
	sp, server := net.Pipe()
	res = make(chan Result, 1)
	NewEngine().Start(cp, sp, to, func(r Result) { res <- r })
	return client, server, res
}

func TestIdleTunnelClosesAtTimeoutTunnel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, res := pipeTunnel(t, Timeouts{Tunnel: 5 * time.Second, Client: 2 * time.Second, Server: 2 * time.Second})
		defer client.Close()
		defer server.Close()
		start := time.Now()
		r := <-res
		if got := time.Since(start); got != 5*time.Second {
			t.Errorf("idle tunnel closed after %v, want exactly timeout tunnel (5s)", got)
		}
		if r.Cause != ClientTimeout {
			t.Errorf("cause = %c, want c (HAProxy logs cD-- for timeout tunnel)", r.Cause)
		}
	})
}

func TestActiveTunnelOutlivesTimeouts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, res := pipeTunnel(t, Timeouts{Tunnel: 3 * time.Second})
		defer client.Close()
		defer server.Close()
		// The server pushes a byte every second and the client never
		// sends: activity in one direction keeps the whole tunnel alive.
		buf := make([]byte, 1)
		for i := 0; i < 10; i++ {
			time.Sleep(time.Second)
			go server.Write([]byte{byte(i)})
			if _, err := io.ReadFull(client, buf); err != nil {
				t.Fatalf("push %d: %v", i, err)
			}
		}
		start := time.Now()
		<-res
		if got := time.Since(start); got != 3*time.Second {
			t.Errorf("closed %v after the last byte, want 3s", got)
		}
	})
}

func TestNoTunnelTimeoutUsesClientServer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, res := pipeTunnel(t, Timeouts{Client: 4 * time.Second, Server: 3 * time.Second})
		defer client.Close()
		defer server.Close()
		start := time.Now()
		r := <-res
		if got := time.Since(start); got != 3*time.Second || r.Cause != ServerTimeout {
			t.Errorf("closed after %v with %c, want 3s with s (timeout server is the smaller)", got, r.Cause)
		}
	})
}

func TestNoTimeoutAtAll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server, res := pipeTunnel(t, Timeouts{})
		time.Sleep(24 * time.Hour)
		select {
		case r := <-res:
			t.Fatalf("tunnel without timeouts ended: %+v", r)
		default:
		}
		client.Close()
		server.Close()
		<-res
	})
}

// TestTunnelIgnoresStaleDeadlines: deadlines the HTTP phase left on the
// connections (here already past) do not end the tunnel on either path.
func TestTunnelIgnoresStaleDeadlines(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		client, cp := pair(t)
		sp, server := pair(t)
		past := time.Now().Add(-time.Second)
		cp.SetDeadline(past)
		sp.SetDeadline(past)
		var c, s net.Conn = cp, sp
		if p == goroutines {
			c, s = tcpOnly{cp}, tcpOnly{sp}
		}
		e := NewEngine()
		res := make(chan Result, 1)
		e.Start(c, s, Timeouts{Tunnel: time.Minute}, func(r Result) { res <- r })
		defer e.Wait()
		client.Write([]byte("ping"))
		got := make([]byte, 4)
		if _, err := io.ReadFull(server, got); err != nil || string(got) != "ping" {
			t.Fatalf("server read %q, %v", got, err)
		}
		server.Write([]byte("pong"))
		if _, err := io.ReadFull(client, got); err != nil || string(got) != "pong" {
			t.Fatalf("client read %q, %v", got, err)
		}
		client.Close()
		server.Close()
		if r := <-res; r.BytesUp != 4 || r.BytesDown != 4 {
			t.Errorf("result = %+v, want 4 bytes each way", r)
		}
	})
}
