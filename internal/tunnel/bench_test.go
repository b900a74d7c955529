package tunnel

import (
	"io"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// The benchmarks report cpu-ns/op, the process's user+system CPU per
// operation, next to the wall time: on a shared machine it is the stable
// figure, and the tunnel's own cost is the difference between a Tunnel
// (or Goroutines) run and the Direct one (same client and reader, no
// tunnel).

// cpuClock reads the process's CPU time (all threads, user + system).
func cpuClock(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU adds the cpu-ns/op metric for the CPU used since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuClock(b)-start)/float64(b.N), "cpu-ns/op")
}

// path says how a benchmark connects its two ends.
type path int

const (
	direct     path = iota // no tunnel: the reference
	viaEpoll               // the epoll path (plain *net.TCPConn)
	goroutines             // the two-goroutine path (a wrapped TCP connection)
)

// tcpOnly hides *net.TCPConn from the engine while keeping its
// SyscallConn and CloseWrite, so that the tunnel takes the goroutine path
// with the same sockets.
type tcpOnly struct{ *net.TCPConn }

// benchEnds returns the two ends a benchmark talks through, joined
// directly or by a tunnel, and a cleanup function.
func benchEnds(b *testing.B, p path) (near, far *net.TCPConn, cleanup func()) {
	client, cp := pairB(b)
	if p == direct {
		return client, cp, func() { client.Close(); cp.Close() }
	}
	sp, server := pairB(b)
	// client <-> cp | tunnel | sp <-> server
	e := NewEngine()
	var c, s net.Conn = cp, sp
	if p == goroutines {
		c, s = tcpOnly{cp}, tcpOnly{sp}
	}
	e.Start(c, s, Timeouts{Tunnel: time.Minute}, nil)
	return client, server, func() {
		client.Close()
		server.Close()
		e.Wait()
	}
}

// benchBulk sends b.N chunks of 64 KiB from one end to the other and
// reads them on the far side.
func benchBulk(b *testing.B, p path) {
	client, far, cleanup := benchEnds(b, p)
	defer cleanup()
	chunk := make([]byte, 64<<10)
	b.SetBytes(int64(len(chunk)))
	b.ReportAllocs()
	done := make(chan error, 1)
	n := b.N
	go func() {
		_, err := io.CopyN(io.Discard, far, int64(n)*int64(len(chunk)))
		done <- err
	}()
	b.ResetTimer()
	cpu := cpuClock(b)
	for i := 0; i < n; i++ {
		if _, err := client.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	reportCPU(b, cpu)
}

// benchEcho sends b.N 64-byte messages, each echoed by the far end before
// the next one: the WebSocket echo pattern, where every message costs a
// wake-up, a read and a write in each direction.
func benchEcho(b *testing.B, p path) {
	client, far, cleanup := benchEnds(b, p)
	defer cleanup()
	echoed := make(chan struct{})
	go func() {
		defer close(echoed)
		buf := make([]byte, 64)
		for {
			if _, err := io.ReadFull(far, buf); err != nil {
				return
			}
			if _, err := far.Write(buf); err != nil {
				return
			}
		}
	}()
	msg := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuClock(b)
	for i := 0; i < b.N; i++ {
		if _, err := client.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(client, msg); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu)
	b.StopTimer()
	cleanup()
	<-echoed
}

func pairB(b testing.TB) (*net.TCPConn, *net.TCPConn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	ch := make(chan net.Conn, 1)
	go func() { c, _ := ln.Accept(); ch <- c }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	return c.(*net.TCPConn), (<-ch).(*net.TCPConn)
}

func BenchmarkBulkDirect(b *testing.B)     { benchBulk(b, direct) }
func BenchmarkBulkTunnel(b *testing.B)     { benchBulk(b, viaEpoll) }
func BenchmarkBulkGoroutines(b *testing.B) { benchBulk(b, goroutines) }

func BenchmarkEcho64Direct(b *testing.B)     { benchEcho(b, direct) }
func BenchmarkEcho64Tunnel(b *testing.B)     { benchEcho(b, viaEpoll) }
func BenchmarkEcho64Goroutines(b *testing.B) { benchEcho(b, goroutines) }

// benchIdle opens idleTunnels tunnels, lets them settle and reports the
// Go memory (heap in use plus goroutine stacks) each one holds.
func benchIdle(b *testing.B, p path) {
	for i := 0; i < b.N; i++ {
		b.ReportMetric(idleBytesPerTunnel(b, p, idleTunnels), "B/tunnel")
	}
}

// idleTunnels is how many tunnels the idle measurements hold: 8 sockets
// each with the reference set, well under the 20,000 files a process may
// hold here.
const idleTunnels = 1000

// idleBytesPerTunnel opens n idle tunnels and returns the heap and stack
// bytes each holds, measured after a collection, relative to its two
// middle sockets being closed: the epoll path closes the net.Conns (and
// frees their Go objects), the goroutine path keeps them. What closing
// frees is measured on a reference set of n more socket pairs.
func idleBytesPerTunnel(tb testing.TB, p path, n int) float64 {
	type quad [4]*net.TCPConn // client, cp | tunnel | sp, server
	open := func() []quad {
		qs := make([]quad, n)
		for i := range qs {
			client, cp := pairB(tb)
			sp, server := pairB(tb)
			qs[i] = quad{client, cp, sp, server}
		}
		return qs
	}
	ref, tun := open(), open()
	defer func() {
		for _, qs := range [][]quad{ref, tun} {
			for _, q := range qs {
				for _, c := range q {
					c.Close()
				}
			}
		}
	}()
	e := NewEngine()
	defer e.Wait()
	m0 := goMemory()
	for _, q := range ref {
		q[1].Close()
		q[2].Close()
	}
	m1 := goMemory()
	for _, q := range tun {
		var c, s net.Conn = q[1], q[2]
		if p == goroutines {
			c, s = tcpOnly{q[1]}, tcpOnly{q[2]}
		}
		e.Start(c, s, Timeouts{Tunnel: time.Hour}, func(Result) {})
	}
	// Let every copier park (goroutine path) or every registration
	// event be served (epoll path).
	time.Sleep(200 * time.Millisecond)
	m2 := goMemory()
	if e.Len() != n {
		tb.Fatalf("%d tunnels running, want %d", e.Len(), n)
	}
	e.KillAll(Killed)
	return float64((m2-m1)+(m0-m1)) / float64(n)
}

// goMemory returns the live heap and stack bytes after a collection.
// Closed sockets are freed only once their finalizers have run, after a
// first collection: collect, let them run, collect.
func goMemory() int64 {
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc + ms.StackInuse)
}

func BenchmarkIdleTunnel(b *testing.B)     { benchIdle(b, viaEpoll) }
func BenchmarkIdleGoroutines(b *testing.B) { benchIdle(b, goroutines) }
