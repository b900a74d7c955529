package test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const cookieConfig = `
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout client 10s
    timeout server 10s
    timeout connect 1s
frontend fe
    bind "127.0.0.1:${PORT}"
    default_backend be
backend be
    cookie SRV insert indirect nocache httponly
    server a "${S1}" cookie ca
    server b "${S2}" cookie cb
`

func TestCookieInsertIndirect(t *testing.T) {
	bs := backends(t, 2)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := startHawser(t, cookieConfig, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr()}, addr)
	// No cookie: the balancer chooses, the response sets the cookie
	// (logged --NI, as HAProxy does).
	resp, _ := rawRequest(t, addr, "GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	sc := resp.Header.Get("Set-Cookie")
	by := resp.Header.Get("X-Served-By")
	want := map[string]string{"servers1": "SRV=ca; path=/; HttpOnly", "servers2": "SRV=cb; path=/; HttpOnly"}[by]
	if sc != want {
		t.Fatalf("Set-Cookie %q from %s, want %q", sc, by, want)
	}
	p.stdout.waitLog(t, " --NI ")
	// With the cookie every request sticks to that server, and the server
	// never sees the cookie (indirect); nothing is set again (--VN).
	cookie := strings.SplitN(sc, ";", 2)[0]
	for i := 0; i < 6; i++ {
		resp, body := rawRequest(t, addr, "GET /headers HTTP/1.1\r\nHost: x\r\nCookie: a=1; "+cookie+"; b=2\r\nConnection: close\r\n\r\n")
		if got := resp.Header.Get("X-Served-By"); got != by {
			t.Fatalf("request %d with %s went to %s, want %s", i, cookie, got, by)
		}
		if resp.Header.Get("Set-Cookie") != "" {
			t.Errorf("cookie set again on a persistent request")
		}
		if strings.Contains(body, "SRV=") || !strings.Contains(body, "Cookie: a=1; b=2") {
			t.Errorf("the server saw the persistence cookie or lost the others:\n%s", body)
		}
	}
	p.stdout.waitLog(t, " --VN ")
	// An unknown value is invalid: the balancer chooses and a cookie is
	// set (--II).
	resp, _ = rawRequest(t, addr, "GET / HTTP/1.1\r\nHost: x\r\nCookie: SRV=zz\r\nConnection: close\r\n\r\n")
	if resp.Header.Get("Set-Cookie") == "" {
		t.Error("no cookie set after an invalid one")
	}
	p.stdout.waitLog(t, " --II ")
}

// TestCookieOnWebSocketUpgrade: the cookie is set on the 101, so a
// socket.io client's long-polling requests and its WebSocket reach the
// same server.
func TestCookieOnWebSocketUpgrade(t *testing.T) {
	bs := backends(t, 2)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startHawser(t, cookieConfig, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr()}, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+addr+"/ws?hello=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	sc := resp.Header.Get("Set-Cookie")
	if !strings.HasPrefix(sc, "SRV=c") {
		t.Fatalf("101 carries Set-Cookie %q", sc)
	}
	_, hello, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	server := strings.TrimPrefix(string(hello), "hello from ")
	// Plain requests with that cookie go to the WebSocket's server.
	cookie := strings.SplitN(sc, ";", 2)[0]
	for i := 0; i < 4; i++ {
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req.Header.Set("Cookie", cookie)
		r, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if got := r.Header.Get("X-Served-By"); got != server {
			t.Errorf("request %d went to %s, want %s", i, got, server)
		}
	}
}
