package health

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// cannedServer accepts connections on loopback, reads the request head
// and answers with reply (or does what act says). It stops with the test.
func cannedServer(t *testing.T, act func(c *net.TCPConn)) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(5 * time.Second))
				r := bufio.NewReader(c)
				for {
					l, err := r.ReadString('\n')
					if err != nil || l == "\r\n" {
						break
					}
				}
				act(c.(*net.TCPConn))
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).AddrPort()
}

// reply returns an action writing s.
func reply(s string) func(c *net.TCPConn) {
	return func(c *net.TCPConn) { c.Write([]byte(s)) }
}

// TestProbeHTTP runs HTTP checks against loopback servers and compares
// the outcomes with what haproxy 2.6.12 reported for the same exchanges.
func TestProbeHTTP(t *testing.T) {
	const ok200 = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
	tests := []struct {
		name   string
		lines  string
		act    func(c *net.TCPConn)
		status Status
		code   int
		info   string
	}{
		{"default 200", "", reply(ok200), StatusL7OK, 200, ""},
		{"default 302", "", reply("HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"), StatusL7OK, 302, ""},
		{"default 503", "", reply("HTTP/1.1 503 X\r\nContent-Length: 0\r\n\r\n"), StatusL7Sts, 503, "X"},
		{"default 404", "", reply("HTTP/1.1 404 X\r\nContent-Length: 0\r\n\r\n"), StatusL7Sts, 404, "X"},
		{"expect status 200 got 404", "http-check expect status 200", reply("HTTP/1.1 404 X\r\nContent-Length: 0\r\n\r\n"), StatusL7Sts, 404, "X"},
		{"expect ! status 200", "http-check expect ! status 200", reply(ok200), StatusL7Sts, 200, "OK"},
		{"expect rstatus", "http-check expect rstatus ^2", reply("HTTP/1.1 302 X\r\nContent-Length: 0\r\n\r\n"), StatusL7Sts, 302, "X"},
		{"expect status list", "http-check expect status 200-299,304", reply("HTTP/1.1 304 Not Modified\r\n\r\n"), StatusL7OK, 304, ""},
		{"expect status list miss", "http-check expect status 200-299,304", reply("HTTP/1.1 305 X\r\nContent-Length: 0\r\n\r\n"), StatusL7Sts, 305, "X"},
		{"expect string", "http-check expect string hello", reply(ok200), StatusL7OK, 200, ""},
		{"expect string miss", "http-check expect string okay", reply(ok200), StatusL7Rsp, 200, "HTTP content check did not match"},
		{"expect ! string", "http-check expect ! string hello", reply(ok200), StatusL7Rsp, 200, "HTTP check matched unwanted content"},
		{"expect rstring miss", "http-check expect rstring ^zz", reply(ok200), StatusL7Rsp, 200, "HTTP content check did not match"},
		{"expect ! rstring", "http-check expect ! rstring h.l", reply(ok200), StatusL7Rsp, 200, "HTTP check matched unwanted content"},
		{"expect string empty body", "http-check expect string hello", reply("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), StatusL7Rsp, 200, "HTTP content check could not find a response body"},
		{"expect string chunked", "http-check expect string hello", reply("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"), StatusL7OK, 200, ""},
		{"expect string until close", "http-check expect string world", reply("HTTP/1.0 200 OK\r\n\r\nhello world"), StatusL7OK, 200, ""},
		{"two expects", "http-check expect status 200\n http-check expect string nope", reply(ok200), StatusL7Rsp, 200, "HTTP content check did not match"},
		{"interim 100", "", reply("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), StatusL7OK, 200, ""},
		{"garbage", "", reply("garbage\r\n\r\n"), StatusL7Rsp, 0, ""},
		{"closed", "", func(c *net.TCPConn) {}, StatusL7Rsp, 0, ""},
		{"reset", "", func(c *net.TCPConn) { c.SetLinger(0) }, StatusSockErr, 0, "Connection reset by peer"},
		{"error-status and on-error", "http-check expect error-status L7RSP on-error down status 200", reply("HTTP/1.1 500 X\r\nContent-Length: 0\r\n\r\n"), StatusL7Rsp, 500, "down"},
		{"ok-status", "http-check expect ok-status L7OKC on-success fine status 200", reply(ok200), StatusL7OKC, 200, "fine"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			px := parseBackend(t, "backend be\n option httpchk\n "+tt.lines+"\n server s 127.0.0.1:80 check\n")
			p, err := Compile(px)
			if err != nil {
				t.Fatal(err)
			}
			addr := cannedServer(t, tt.act)
			now := time.Now()
			o := Probe(context.Background(), p, Target{Addr: addr, ConnectBy: now.Add(2 * time.Second), Deadline: now.Add(2 * time.Second)})
			if o.Status != tt.status || o.Code != tt.code || o.Info != tt.info {
				t.Errorf("outcome %v %d %q, want %v %d %q", o.Status, o.Code, o.Info, tt.status, tt.code, tt.info)
			}
			if o.Duration > 1000 {
				t.Errorf("the check took %dms: it waited for something it did not need", o.Duration)
			}
		})
	}
}

// TestProbeTimeouts checks L7TOUT: inter bounds the whole check, or
// `timeout check` the part after the connection.
func TestProbeTimeouts(t *testing.T) {
	silent := func(c *net.TCPConn) { time.Sleep(600 * time.Millisecond) }
	p := &Plan{HTTP: true, Request: []byte("OPTIONS / HTTP/1.0\r\n\r\n"), Method: "OPTIONS"}
	addr := cannedServer(t, silent)
	now := time.Now()
	o := Probe(context.Background(), p, Target{Addr: addr, ConnectBy: now.Add(200 * time.Millisecond), Deadline: now.Add(200 * time.Millisecond)})
	if o.Status != StatusL7Tout || o.Duration < 190 || o.Duration > 400 {
		t.Errorf("inter 200ms: %v after %dms, want L7TOUT after 200ms", o.Status, o.Duration)
	}
	now = time.Now()
	o = Probe(context.Background(), p, Target{Addr: addr, ConnectBy: now.Add(time.Second), ReadTimeout: 100 * time.Millisecond})
	if o.Status != StatusL7Tout || o.Duration < 90 || o.Duration > 300 {
		t.Errorf("timeout check 100ms: %v after %dms, want L7TOUT after 100ms", o.Status, o.Duration)
	}
	// Cancelling the check (server removed, hawser stopping) ends it at
	// once and says nothing.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	now = time.Now()
	o = Probe(ctx, p, Target{Addr: addr, ConnectBy: now.Add(time.Second), Deadline: now.Add(time.Second)})
	if o.Status != StatusUnknown || time.Since(now) > 400*time.Millisecond {
		t.Errorf("cancelled: %v after %v, want nothing at once", o.Status, time.Since(now))
	}
}

// TestProbeTCP checks plain connect checks.
func TestProbeTCP(t *testing.T) {
	addr := cannedServer(t, func(c *net.TCPConn) {})
	now := time.Now()
	if o := Probe(context.Background(), TCPPlan, Target{Addr: addr, ConnectBy: now.Add(time.Second), Deadline: now.Add(time.Second)}); o.Status != StatusL4OK {
		t.Errorf("open port: %+v, want L4OK", o)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().(*net.TCPAddr).AddrPort()
	ln.Close()
	o := Probe(context.Background(), TCPPlan, Target{Addr: closed, ConnectBy: now.Add(time.Second), Deadline: now.Add(time.Second)})
	if o.Status != StatusL4Con || o.Info != "Connection refused" {
		t.Errorf("closed port: %+v, want L4CON Connection refused", o)
	}
}

// TestErrorClassification checks the statuses given to connection errors.
func TestErrorClassification(t *testing.T) {
	if o := dialOutcome(&net.OpError{Op: "dial", Err: os.ErrDeadlineExceeded}); o.Status != StatusL4Tout || o.Info != "" {
		t.Errorf("dial timeout: %+v, want L4TOUT", o)
	}
	if o := dialOutcome(&net.OpError{Op: "dial", Err: os.NewSyscallError("connect", syscall.EHOSTUNREACH)}); o.Status != StatusL4Con || o.Info != "No route to host" {
		t.Errorf("unreachable: %+v", o)
	}
	if o := ioOutcome(errors.New("odd")); o.Status != StatusSockErr || o.Info != "odd" {
		t.Errorf("other: %+v", o)
	}
}
