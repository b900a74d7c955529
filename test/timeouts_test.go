package test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// timeoutConfig is a one-backend config with short timeouts; %s are the
// extra defaults lines.
const timeoutConfig = `
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
%s
frontend fe
    bind "127.0.0.1:${PORT}"
    default_backend be
backend be
    server s1 "${S1}"
`

func startTimeouts(t *testing.T, defaults string, server string) (*proc, string) {
	t.Helper()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := startHawser(t, fmt.Sprintf(timeoutConfig, defaults), map[string]string{"PORT": fmt.Sprint(port), "S1": server}, addr)
	return p, addr
}

func TestActiveTunnelOutlivesClientTimeoutIdleOneClosesAtTunnelTimeout(t *testing.T) {
	bs := backends(t, 1)
	p, addr := startTimeouts(t, "    timeout client 1s\n    timeout server 1s\n    timeout tunnel 4s", bs[0].Addr())
	c := dialWS(t, addr, "x", "/active")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// Keep the tunnel busy for three times timeout client.
	var lastEcho time.Time
	for start := time.Now(); time.Since(start) < 3*time.Second; {
		if err := c.Write(ctx, websocket.MessageText, []byte("ping")); err != nil {
			t.Fatalf("active tunnel closed after %v: %v", time.Since(start), err)
		}
		if _, _, err := c.Read(ctx); err != nil {
			t.Fatalf("active tunnel closed after %v: %v", time.Since(start), err)
		}
		lastEcho = time.Now()
		time.Sleep(100 * time.Millisecond) // the client's pace, not a wait for hawser
	}
	// Now idle: closed at timeout tunnel (4s after the last byte hawser
	// moved, which was just before lastEcho), long after timeout client.
	_, _, err := c.Read(ctx)
	idle := time.Since(lastEcho)
	if err == nil {
		t.Fatal("read on an idle tunnel returned a message")
	}
	if idle < 3500*time.Millisecond {
		t.Errorf("idle tunnel closed %v after the last message, before timeout tunnel (4s)", idle)
	}
	p.stdout.waitLog(t, " 101 ", " cD-- ", `"GET /active HTTP/1.1"`)
}

func TestTunnelWithoutTunnelTimeoutKeepsClientServerTimeouts(t *testing.T) {
	bs := backends(t, 1)
	p, addr := startTimeouts(t, "    timeout client 1s\n    timeout server 5s", bs[0].Addr())
	c := dialWS(t, addr, "x", "/notunnel")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	if _, _, err := c.Read(ctx); err == nil {
		t.Fatal("idle tunnel without timeout tunnel stayed open")
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("closed after %v, before timeout client (1s)", d)
	}
	p.stdout.waitLog(t, " 101 ", " cD-- ")
}

func TestSlowRequestHeadGets408(t *testing.T) {
	bs := backends(t, 1)
	p, addr := startTimeouts(t, "    timeout client 10s\n    timeout server 10s\n    timeout http-request 500ms", bs[0].Addr())
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(15 * time.Second))
	fmt.Fprint(c, "GET /slow HTTP/1.1\r\nHost: x\r\n") // never finished
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 408 {
		t.Errorf("status %d, want 408", resp.StatusCode)
	}
	p.stdout.waitLog(t, " 408 ", " cR-- ", `"<BADREQ>"`)
}

func TestSlowServerGets504(t *testing.T) {
	bs := backends(t, 1)
	p, addr := startTimeouts(t, "    timeout client 10s\n    timeout server 500ms", bs[0].Addr())
	resp, _ := get(t, addr, "x", "/sleep?ms=5000")
	if resp.StatusCode != 504 {
		t.Errorf("status %d, want 504", resp.StatusCode)
	}
	p.stdout.waitLog(t, "fe be/s1 ", " 504 ", " sH-- ")
}

func TestDeadServerGets503(t *testing.T) {
	dead := fmt.Sprintf("127.0.0.1:%d", freePort(t)) // nothing listens there
	p, addr := startTimeouts(t, "    timeout client 10s\n    timeout server 10s\n    retries 2\n    timeout connect 100ms", dead)
	resp, _ := get(t, addr, "x", "/")
	if resp.StatusCode != 503 {
		t.Errorf("status %d, want 503", resp.StatusCode)
	}
	// Two retries on the only server, as HAProxy logs them: .../2
	line := p.stdout.waitLog(t, "fe be/s1 ", " 503 ", " SC-- ")
	if !strings.Contains(line, " 1/1/0/0/2 0/0 ") {
		t.Errorf("log line %q does not show 2 retries", line)
	}
}
