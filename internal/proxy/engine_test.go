package proxy

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/echo"
	"go.uber.org/goleak"
)

// TestMain checks that no goroutine of the engine (sessions, tunnels,
// loggers, accept loops) outlives the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startEngine compiles cfg (with ${S1}… from env) and starts it; the
// engine is shut down at the end of the test.
func startEngine(t testing.TB, cfg string, env map[string]string) (*Engine, string) {
	t.Helper()
	c, err := config.Parse([]config.Source{{Name: "test.cfg", Data: []byte(cfg)}}, config.ParseOptions{
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := e.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return e, e.Addrs()["fe"][0]
}

const engineCfg = `
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
    timeout tunnel 1m
frontend fe
    bind 127.0.0.1:0
    acl ws hdr(Upgrade) -i websocket
    use_backend wsbe if ws
    default_backend be
backend be
    server s1 "${S1}"
backend wsbe
    server s2 "${S2}"
`

func echoBackends(t testing.TB, n int) map[string]string {
	env := map[string]string{}
	for i := 1; i <= n; i++ {
		b, err := echo.Start(fmt.Sprintf("servers%d", i), "127.0.0.1:0", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		env[fmt.Sprintf("S%d", i)] = b.Addr()
	}
	return env
}

func TestEngineHTTPAndWebSocketThenShutdown(t *testing.T) {
	env := echoBackends(t, 2)
	e, addr := startEngine(t, engineCfg, env)
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	for i := 0; i < 3; i++ { // keep-alive: three requests, one connection
		resp, err := client.Get("http://" + addr + "/?name")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Header.Get("X-Served-By") != "servers1" {
			t.Errorf("served by %q", resp.Header.Get("X-Served-By"))
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws://"+addr+"/echo", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if err := c.Write(ctx, websocket.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := c.Read(ctx); err != nil || string(msg) != "hi" {
		t.Fatalf("echo %q %v", msg, err)
	}
	if e.Tunnels() != 1 {
		t.Errorf("Tunnels() = %d, want 1", e.Tunnels())
	}
	// Shutdown (in Cleanup) closes the idle keep-alive connection and the
	// tunnel; goleak then checks that nothing is left running.
}

func TestEngineShutdownWaitsForInFlightRequest(t *testing.T) {
	env := echoBackends(t, 2)
	c, err := config.Parse([]config.Source{{Name: "t.cfg", Data: []byte(engineCfg)}}, config.ParseOptions{
		Env: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(c, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(); err != nil {
		t.Fatal(err)
	}
	addr := e.Addrs()["fe"][0]
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /sleep?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n")
	// Wait until hawser has the request in flight (its backend session is
	// open), then shut down.
	deadline := time.Now().Add(5 * time.Second)
	for e.Generation().Backend("be").Counters.Cur.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("request never reached the backend")
		}
		time.Sleep(time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { done <- e.Shutdown(context.Background()) }()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost during shutdown: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("slept 300ms")) {
		t.Errorf("got %d %q", resp.StatusCode, body)
	}
	if err := <-done; err != nil {
		t.Errorf("shutdown: %v", err)
	}
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("still accepting after shutdown")
	}
}

// rawBackend answers every request of a keep-alive connection with a fixed
// 64-byte response, allocating nothing per request, so that benchmarks
// measure the proxy.
func rawBackend(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n" + strings.Repeat("x", 64))
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
			go func() {
				buf := make([]byte, 4096)
				n := 0
				for {
					m, err := c.Read(buf[n:])
					if err != nil {
						c.Close()
						return
					}
					n += m
					for {
						i := bytes.Index(buf[:n], []byte("\r\n\r\n"))
						if i < 0 {
							break
						}
						c.Write(resp)
						n = copy(buf, buf[i+4:n])
					}
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// BenchmarkProxyRequest measures one keep-alive request through the engine
// (client and server connections reused), with its allocations.
// benchConfig is the configuration of the per-request allocation test and
// benchmark: an ACL-routed keep-alive request to one server.
const benchConfig = `
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:0
    acl host_ws1 hdr_beg(Host) -i wss1.dy.xxxx.com
    use_backend be if host_ws1
    default_backend be
backend be
    server s1 "${S1}"
`

// TestProxyRequestAllocs: a keep-alive request through the proxy costs no
// allocation in the steady state (the whole process is counted: the
// client, the engine and the backend; less than one per request leaves
// room for a rare timer or GC allocation, not for one on the path).
func TestProxyRequestAllocs(t *testing.T) {
	srv := rawBackend(t)
	_, addr := startEngine(t, benchConfig, map[string]string{"S1": srv})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET /bench HTTP/1.1\r\nHost: wss1.dy.xxxx.com\r\nUser-Agent: bench\r\n\r\n")
	buf := make([]byte, len("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n")+64)
	roundTrip := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
	}
	for range 50 {
		roundTrip() // warm the pools
	}
	if n := testing.AllocsPerRun(500, roundTrip); n >= 1 {
		t.Errorf("%.2f allocations per request, want none", n)
	}
}

func BenchmarkProxyRequest(b *testing.B) {
	srv := rawBackend(b)
	_, addr := startEngine(b, benchConfig, map[string]string{"S1": srv})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET /bench HTTP/1.1\r\nHost: wss1.dy.xxxx.com\r\nUser-Agent: bench\r\n\r\n")
	want := len("HTTP/1.1 200 OK\r\nContent-Length: 64\r\n\r\n") + 64
	buf := make([]byte, want)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// TestSessionGoroutinesReused: a goroutine that served a connection
// serves the next one (keeping its grown stack) instead of a new
// goroutine starting for each.
func TestSessionGoroutinesReused(t *testing.T) {
	env := echoBackends(t, 2)
	e, addr := startEngine(t, engineCfg, env)
	for i := range 5 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET /?name HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		resp, err := io.ReadAll(c)
		c.Close()
		if err != nil || !strings.HasPrefix(string(resp), "HTTP/1.1 200") {
			t.Fatalf("request %d: %q, %v", i, resp, err)
		}
		// The session ends after the client sees the close; wait for its
		// goroutine to be back in the pool.
		for deadline := time.Now().Add(5 * time.Second); e.workersIdle.Load() == 0; {
			if time.Now().After(deadline) {
				t.Fatal("no session goroutine waiting after the connection closed")
			}
			time.Sleep(time.Millisecond)
		}
	}
	if n := e.workersStarted.Load(); n != 1 {
		t.Errorf("%d session goroutines started for 5 sequential connections, want 1", n)
	}
}
