package tunnel

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/hawser-lb/hawser/internal/sockio"
)

// The timeout tests of tunnel_test.go run the goroutine path in a
// synctest bubble; the epoll path waits on real sockets through the
// runtime poller, which a bubble cannot fake, so these use short real
// timeouts and generous upper bounds.

func TestPolledIdleTimeout(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		for _, tc := range []struct {
			name  string
			to    Timeouts
			limit time.Duration
			cause Cause
		}{
			{"tunnel", Timeouts{Tunnel: 150 * time.Millisecond, Client: time.Minute, Server: time.Minute}, 150 * time.Millisecond, ClientTimeout},
			{"server is smaller", Timeouts{Client: time.Minute, Server: 150 * time.Millisecond}, 150 * time.Millisecond, ServerTimeout},
		} {
			t.Run(tc.name, func(t *testing.T) {
				// The limit runs from inside Start: take the time before.
				start := time.Now()
				_, _, res, _ := setup(t, p, tc.to)
				r := <-res
				if got := time.Since(start); got < tc.limit || got > tc.limit+2*time.Second {
					t.Errorf("closed after %v, want %v", got, tc.limit)
				}
				if r.Cause != tc.cause {
					t.Errorf("cause %c, want %c", r.Cause, tc.cause)
				}
			})
		}
	})
}

func TestPolledActivityKeepsTunnel(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		client, server, res, _ := setup(t, p, Timeouts{Tunnel: 300 * time.Millisecond})
		// One direction only, every 100 ms for a second: three timeouts'
		// worth of time with activity.
		buf := make([]byte, 1)
		for i := range 10 {
			time.Sleep(100 * time.Millisecond)
			if _, err := server.Write([]byte{byte(i)}); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(client, buf); err != nil {
				t.Fatalf("push %d: %v", i, err)
			}
		}
		select {
		case r := <-res:
			t.Fatalf("active tunnel ended: %+v", r)
		default:
		}
		start := time.Now()
		r := <-res
		if got := time.Since(start); got > 2*time.Second || r.Cause != ClientTimeout {
			t.Errorf("ended %v after the last byte with %c, want about 300ms with c", got, r.Cause)
		}
	})
}

func TestPolledFinTimeouts(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		for _, tc := range []struct {
			name       string
			clientSide bool
			cause      Cause
		}{
			{"client-fin", true, ClientTimeout},
			{"server-fin", false, ServerTimeout},
		} {
			t.Run(tc.name, func(t *testing.T) {
				to := Timeouts{Tunnel: time.Minute, ClientFin: 150 * time.Millisecond, ServerFin: 150 * time.Millisecond}
				client, server, res, _ := setup(t, p, to)
				closer, reader := client, server
				if !tc.clientSide {
					closer, reader = server, client
				}
				closer.CloseWrite()
				if got, err := io.ReadAll(reader); err != nil || len(got) != 0 {
					t.Fatalf("read %q, %v; want the FIN", got, err)
				}
				start := time.Now()
				r := <-res
				if got := time.Since(start); got > 2*time.Second || r.Cause != tc.cause {
					t.Errorf("ended %v after the FIN with %c, want about 150ms with %c", got, r.Cause, tc.cause)
				}
			})
		}
	})
}

// TestBackPressure fills every buffer on the way (the server reads
// nothing for a while), then checks that every byte arrives, in order.
func TestBackPressure(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		client, server, res, _ := setup(t, p, Timeouts{Tunnel: time.Minute})
		data := make([]byte, 16<<20)
		rand.Read(data)
		wrote := make(chan error, 1)
		go func() {
			_, err := client.Write(data)
			client.CloseWrite()
			wrote <- err
		}()
		time.Sleep(100 * time.Millisecond)
		got, err := io.ReadAll(server)
		if err != nil {
			t.Fatal(err)
		}
		if err := <-wrote; err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("server got %d bytes, different from the %d sent", len(got), len(data))
		}
		server.CloseWrite()
		if r := <-res; r.Cause != Normal || r.BytesUp != int64(len(data)) {
			t.Errorf("result %+v, want a normal end with %d bytes up", r, len(data))
		}
	})
}

// TestKillUnderBackPressure kills a tunnel holding a pending buffer.
func TestKillUnderBackPressure(t *testing.T) {
	bothPaths(t, func(t *testing.T, p path) {
		client, _, res, e := setup(t, p, Timeouts{Tunnel: time.Minute})
		go client.Write(make([]byte, 16<<20)) // ends with an error once killed
		time.Sleep(100 * time.Millisecond)
		e.KillAll(Killed)
		if r := <-res; r.Cause != Killed || r.BytesUp == 0 {
			t.Errorf("result %+v, want K after some bytes", r)
		}
	})
}

// TestManyTunnels runs tunnels concurrently on the pollers, each echoing
// messages of random sizes, and checks every byte.
func TestManyTunnels(t *testing.T) {
	const tunnels, rounds = 64, 20
	e := NewEngine()
	defer e.Wait()
	var wg sync.WaitGroup
	errs := make(chan error, tunnels)
	for i := range tunnels {
		client, cp := pair(t)
		sp, server := pair(t)
		e.Start(cp, sp, Timeouts{Tunnel: time.Minute}, nil)
		wg.Add(2)
		go func() { // the server echoes
			defer wg.Done()
			defer server.Close()
			io.Copy(server, server)
		}()
		go func() {
			defer wg.Done()
			defer client.Close()
			for r := range rounds {
				msg := make([]byte, 1+(i*7919+r*104729)%(200<<10))
				rand.Read(msg)
				go client.Write(msg)
				got := make([]byte, len(msg))
				if _, err := io.ReadFull(client, got); err != nil {
					errs <- fmt.Errorf("tunnel %d round %d: %v", i, r, err)
					return
				}
				if !bytes.Equal(got, msg) {
					errs <- fmt.Errorf("tunnel %d round %d: bytes differ", i, r)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestWaitStopsPollers: an engine with no tunnel left owns no goroutine.
func TestWaitStopsPollers(t *testing.T) {
	before := runtime.NumGoroutine()
	client, server, res, e := setup(t, viaEpoll, Timeouts{})
	if e.pollers == nil {
		t.Fatal("no pollers while a tunnel runs")
	}
	client.Close()
	server.Close()
	<-res
	e.Wait()
	if e.pollers != nil {
		t.Error("pollers still set after Wait")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Wait, %d before the tunnel", n, before)
	}
	// The engine starts its pollers again for the next tunnel.
	c2, s2 := pair(t)
	c3, s3 := pair(t)
	done := make(chan Result, 1)
	e.Start(s2, c3, Timeouts{}, func(r Result) { done <- r })
	c2.Close()
	s3.Close()
	if r := <-done; r.Cause == 0 {
		t.Errorf("result %+v", r)
	}
	e.Wait()
}

// TestPolledMessageAllocs: moving a message through an established
// tunnel allocates nothing (the poller's buffer, batch and event arrays
// are reused).
func TestPolledMessageAllocs(t *testing.T) {
	client, server, _, _ := setup(t, viaEpoll, Timeouts{Tunnel: time.Minute})
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	echo := func() {
		client.Write(msg)
		io.ReadFull(server, buf)
		server.Write(buf)
		io.ReadFull(client, buf)
	}
	for range 100 {
		echo() // warm up: pollers started, buffers taken
	}
	if n := testing.AllocsPerRun(1000, echo); n != 0 {
		t.Errorf("%.2f allocations per echoed message, want 0", n)
	}
}

// TestNotTCPTakesGoroutines: anything but *net.TCPConn stays on the
// goroutine path (net.Pipe here).
func TestNotTCPTakesGoroutines(t *testing.T) {
	client, cp := net.Pipe()
	sp, server := net.Pipe()
	e := NewEngine()
	tun := e.Start(cp, sp, Timeouts{}, nil)
	if tun.p.w != nil || e.pollers != nil {
		t.Error("a net.Pipe tunnel went to the pollers")
	}
	client.Close()
	server.Close()
	e.Wait()
}

// TestPolledDeadlines: tunnels with different timeouts on the same
// pollers end in order, each after its own limit, and leave the heap.
func TestPolledDeadlines(t *testing.T) {
	const n = 12
	e := NewEngine()
	defer e.Wait()
	type end struct {
		i   int
		at  time.Duration
		res Result
	}
	ends := make(chan end, n)
	start := time.Now()
	var conns []*net.TCPConn
	for i := range n {
		client, cp := pair(t)
		sp, server := pair(t)
		conns = append(conns, client, server)
		limit := time.Duration(100+40*i) * time.Millisecond
		e.Start(cp, sp, Timeouts{Tunnel: limit}, func(r Result) { ends <- end{i, time.Since(start), r} })
	}
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	// A tunnel without a timeout stays.
	c1, s1 := pair(t)
	c2, s2 := pair(t)
	defer c1.Close()
	defer s2.Close()
	e.Start(s1, c2, Timeouts{}, nil)
	last := -1
	for range n {
		en := <-ends
		limit := time.Duration(100+40*en.i) * time.Millisecond
		if en.res.Cause != ClientTimeout || en.at < limit || en.at > limit+2*time.Second {
			t.Errorf("tunnel %d ended after %v with %c, want about %v with c", en.i, en.at, en.res.Cause, limit)
		}
		if en.i < last {
			t.Errorf("tunnel %d ended after tunnel %d", en.i, last)
		}
		last = en.i
	}
	if got := e.Len(); got != 1 {
		t.Errorf("%d tunnels left, want the one without a timeout", got)
	}
	for _, w := range e.pollers.ws {
		w.mu.Lock()
		if len(w.timers) != 0 {
			t.Errorf("%d deadlines left in a poller", len(w.timers))
		}
		w.mu.Unlock()
	}
	e.KillAll(Killed)
}

// TestIdlePollersReleased: pollers outlive the last tunnel by
// pollerLinger, then give back their goroutines and descriptors without
// waiting for Wait.
func TestIdlePollersReleased(t *testing.T) {
	client, server, res, e := setup(t, viaEpoll, Timeouts{})
	client.Close()
	server.Close()
	<-res
	e.mu.Lock()
	running := e.pollers != nil
	e.mu.Unlock()
	if !running {
		t.Fatal("pollers released at once, want them to linger")
	}
	deadline := time.Now().Add(pollerLinger + 5*time.Second)
	for time.Now().Before(deadline) {
		e.mu.Lock()
		running = e.pollers != nil
		e.mu.Unlock()
		if !running {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Errorf("pollers still running %v after the last tunnel", pollerLinger+5*time.Second)
}

// TestPolledStartAllocs: starting and ending a tunnel on the epoll path
// allocates the Tunnel and nothing else in steady state (the goroutine
// path allocates a dozen objects: goroutines, readers, timer, closures).
func TestPolledStartAllocs(t *testing.T) {
	const runs = 50
	type quad struct{ client, cp, sp, server *net.TCPConn }
	qs := make([]quad, runs+1)
	for i := range qs {
		client, cp := pair(t)
		sp, server := pair(t)
		qs[i] = quad{client, cp, sp, server}
	}
	e := NewEngine()
	defer e.Wait()
	done := make(chan Result, 1)
	report := func(r Result) { done <- r }
	// Warm up: pollers started, slots and heap grown.
	for range 4 {
		client, cp := pair(t)
		sp, server := pair(t)
		e.Start(cp, sp, Timeouts{Tunnel: time.Minute}, report)
		client.Close()
		server.Close()
		<-done
	}
	i := 0
	allocs := testing.AllocsPerRun(runs, func() {
		q := qs[i]
		i++
		e.Start(q.cp, q.sp, Timeouts{Tunnel: time.Minute}, report)
		q.client.Close()
		q.server.Close()
		<-done
	})
	if allocs > 1 {
		t.Errorf("%.1f allocations per tunnel, want 1 (the Tunnel)", allocs)
	}
}

// TestKillAllDuringStarts: KillAll running while tunnels start never
// finds a tunnel its poller does not know, and every tunnel ends.
func TestKillAllDuringStarts(t *testing.T) {
	const n = 40
	type quad struct{ client, cp, sp, server *net.TCPConn }
	qs := make([]quad, n)
	for i := range qs {
		client, cp := pair(t)
		sp, server := pair(t)
		qs[i] = quad{client, cp, sp, server}
	}
	defer func() {
		for _, q := range qs {
			q.client.Close()
			q.server.Close()
		}
	}()
	e := NewEngine()
	var ended sync.WaitGroup
	ended.Add(n)
	stop := make(chan struct{})
	killer := make(chan struct{})
	go func() {
		defer close(killer)
		for {
			select {
			case <-stop:
				return
			default:
				e.KillAll(Killed)
				runtime.Gosched()
			}
		}
	}()
	for _, q := range qs {
		e.Start(q.cp, q.sp, Timeouts{}, func(Result) { ended.Done() })
	}
	close(stop)
	<-killer
	e.KillAll(Killed)
	ended.Wait()
	e.Wait()
	if e.Len() != 0 {
		t.Errorf("%d tunnels left", e.Len())
	}
}

// TestTunnelSockioServer: a server connection dialled by sockio.DialTCP
// takes the epoll path like a net.TCPConn.
func TestTunnelSockioServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sp, err := sockio.DialTCP(ln.Addr().(*net.TCPAddr).AddrPort(), 5*time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	client, cp := pair(t)
	e := NewEngine()
	res := make(chan Result, 1)
	tun := e.Start(cp, sp, Timeouts{Tunnel: time.Minute}, func(r Result) { res <- r })
	defer e.Wait()
	if tun.p.w == nil {
		t.Fatal("tunnel with a sockio server connection not on the epoll path")
	}
	client.Write([]byte("hello"))
	got := make([]byte, 5)
	if _, err := io.ReadFull(server, got); err != nil || string(got) != "hello" {
		t.Fatalf("server read %q, %v", got, err)
	}
	client.Close()
	server.Close()
	if r := <-res; r.BytesUp != 5 {
		t.Errorf("result = %+v, want 5 bytes up", r)
	}
}
