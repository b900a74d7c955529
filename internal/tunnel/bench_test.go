package tunnel

import (
	"io"
	"net"
	"testing"
	"time"
)

// benchBulk sends b.N chunks of 64 KiB from one end to the other and
// reads them back on the far side. With tunnel set, the bytes cross a
// tunnel; otherwise they go directly, which is the reference for the
// ratio quoted in the README.
func benchBulk(b *testing.B, tunnel bool) {
	client, far := pairB(b)
	if tunnel {
		near, server := pairB(b)
		// client <-> far | tunnel | near <-> server: the tunnel joins the
		// far end of the client pair to the near end of the server pair.
		e := NewEngine()
		e.Start(far, near, Timeouts{Tunnel: time.Minute}, nil)
		defer e.Wait()
		defer client.Close()
		defer server.Close()
		far = server
	} else {
		defer client.Close()
		defer far.Close()
	}
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
	for i := 0; i < n; i++ {
		if _, err := client.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

func pairB(b *testing.B) (*net.TCPConn, *net.TCPConn) {
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

func BenchmarkBulkDirect(b *testing.B) { benchBulk(b, false) }
func BenchmarkBulkTunnel(b *testing.B) { benchBulk(b, true) }
