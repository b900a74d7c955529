package test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/hawser-lb/hawser/examples"
	"github.com/hawser-lb/hawser/internal/echo"
)

// seed starts the founding article's config (rewritten for loopback) in
// front of three echo backends and returns hawser's address.
func seed(t *testing.T) (*proc, string, []*echo.Server) {
	t.Helper()
	bs := backends(t, 3)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := startHawser(t, examples.SeedLoopback, map[string]string{
		"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr(), "S3": bs[2].Addr(),
	}, addr)
	return p, addr, bs
}

func get(t *testing.T, addr, host, path string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	req.Host = host
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s (Host %s): %v", path, host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", path, err)
	}
	return resp, string(body)
}

func TestSeedRoutesEachHostToItsBackend(t *testing.T) {
	p, addr, _ := seed(t)
	for _, tt := range []struct{ host, want string }{
		{"wss1.dy.xxxx.com", "servers1"},
		{"wss2.dy.xxxx.com", "servers2"},
		{"WSS3.DY.XXXX.COM:80", "servers3"}, // -i, and hdr_beg ignores the port
	} {
		resp, body := get(t, addr, tt.host, "/?name")
		if got := resp.Header.Get("X-Served-By"); resp.StatusCode != 200 || got != tt.want {
			t.Errorf("Host %s: status %d served by %q (%q), want 200 from %s", tt.host, resp.StatusCode, got, body, tt.want)
		}
		if !strings.Contains(body, "xff=127.0.0.1") {
			t.Errorf("Host %s: option forwardfor: backend saw %q", tt.host, body)
		}
	}
	p.stdout.waitLog(t, "http ws_s2/servers2", " 200 ", `"GET /?name HTTP/1.1"`)
}

func TestSeedPlainRequestWithUnknownHostGets503(t *testing.T) {
	p, addr, _ := seed(t)
	resp, body := get(t, addr, "unknown.example", "/nomatch")
	if resp.StatusCode != 503 || !strings.Contains(body, "No server is available") {
		t.Errorf("status %d body %q, want HAProxy's 503 page", resp.StatusCode, body)
	}
	// HAProxy 2.6 logs this as: http http/<NOSRV> -1/-1/-1/-1/0 503 ... SC--
	p.stdout.waitLog(t, "http http/<NOSRV> -1/-1/-1/-1/", " 503 ", " SC-- ", `"GET /nomatch HTTP/1.1"`)
}

func dialWS(t *testing.T, addr, host, path string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws://"+addr+path, &websocket.DialOptions{Host: host})
	if err != nil {
		t.Fatalf("WebSocket dial %s%s (Host %s): %v (response %v)", addr, path, host, err, resp)
	}
	c.SetReadLimit(64 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func TestSeedUpgradeWithUnknownHostFallsToFirstUpgradeRule(t *testing.T) {
	p, addr, _ := seed(t)
	c := dialWS(t, addr, "unknown.example", "/chat?hello=1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, msg, err := c.Read(ctx)
	if err != nil || string(msg) != "hello from servers1" {
		t.Fatalf("first message %q, %v; want the greeting of servers1 (ws_s1 is the first upgrade rule)", msg, err)
	}
	c.Close(websocket.StatusNormalClosure, "")
	// The tunnel is logged once, when it ends, with its status 101.
	p.stdout.waitLog(t, "http ws_s1/servers1", " 101 ", `"GET /chat?hello=1 HTTP/1.1"`)
}

func TestWebSocketEchoesAllSizes(t *testing.T) {
	_, addr, _ := seed(t)
	c := dialWS(t, addr, "wss2.dy.xxxx.com", "/echo")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, size := range []int{0, 1, 125, 126, 65535, 65536, 100_000, 1 << 20} {
		msg := make([]byte, size)
		rand.Read(msg)
		if err := c.Write(ctx, websocket.MessageBinary, msg); err != nil {
			t.Fatalf("size %d: write: %v", size, err)
		}
		_, got, err := c.Read(ctx)
		if err != nil {
			t.Fatalf("size %d: read: %v", size, err)
		}
		if !bytes.Equal(got, msg) {
			t.Fatalf("size %d: echo differs (got %d bytes)", size, len(got))
		}
	}
}

// A client may send its first frame in the same write as the upgrade
// request: those bytes sit in hawser's buffer behind the head and must
// reach the server (httputil.ReverseProxy loses them: golang/go#80875).
func TestFirstFrameInSameWriteAsUpgrade(t *testing.T) {
	_, addr, _ := seed(t)
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	frame := maskedTextFrame("first")
	req := "GET /echo HTTP/1.1\r\nHost: wss3.dy.xxxx.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	if _, err := c.Write(append([]byte(req), frame...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 101 || resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Fatalf("status %d, accept %q", resp.StatusCode, resp.Header.Get("Sec-WebSocket-Accept"))
	}
	// The echo server answers with an unmasked text frame "first".
	want := []byte{0x81, 5, 'f', 'i', 'r', 's', 't'}
	got := make([]byte, len(want))
	if _, err := io.ReadFull(br, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("echo of the first frame = %x, %v; want %x", got, err, want)
	}
}

// maskedTextFrame builds a client-to-server text frame (RFC 6455 §5.2).
func maskedTextFrame(s string) []byte {
	mask := []byte{1, 2, 3, 4}
	f := []byte{0x81, 0x80 | byte(len(s))}
	f = append(f, mask...)
	for i := 0; i < len(s); i++ {
		f = append(f, s[i]^mask[i%4])
	}
	return f
}
