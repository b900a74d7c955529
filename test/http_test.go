package test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// rawRequest sends raw bytes to addr and returns the parsed response.
func rawRequest(t *testing.T, addr, raw string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the response to %q: %v", raw, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}

// countingBackend is an HTTP backend that counts the requests it gets.
func countingBackend(t *testing.T, h http.HandlerFunc) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), &n
}

func TestMalformedRequestsGet400AndNeverReachAServer(t *testing.T) {
	srv, hits := countingBackend(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	p, addr := startTimeouts(t, "    timeout client 5s\n    timeout server 5s", srv)
	for _, tt := range []struct{ name, raw string }{
		{"two different Content-Length", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"},
		{"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"},
		{"bad character in name", "GET / HTTP/1.1\r\nHost: x\r\nBad[Name: y\r\n\r\n"},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n"},
		{"Content-Length and chunked", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"},
		{"oversized head", "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 17000) + "\r\n\r\n"},
		{"websocket without key", "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"},
		{"NUL in value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := rawRequest(t, addr, tt.raw)
			if resp.StatusCode != 400 {
				t.Errorf("status %d, want 400", resp.StatusCode)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server received %d malformed requests", n)
	}
	p.stdout.waitLog(t, " 400 ", " PR-- ", `"<BADREQ>"`)
}

func TestH2CUpgradeIsNeverForwarded(t *testing.T) {
	bs := backends(t, 1)
	_, addr := startTimeouts(t, "    timeout client 5s\n    timeout server 5s", bs[0].Addr())
	resp, body := rawRequest(t, addr, "GET /headers HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n")
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	for _, bad := range []string{"Upgrade", "Http2-Settings", "h2c"} {
		if strings.Contains(body, bad) {
			t.Errorf("the server saw %q:\n%s", bad, body)
		}
	}
}

func TestForwardedHeaders(t *testing.T) {
	bs := backends(t, 1)
	_, addr := startTimeouts(t, "    timeout client 5s\n    timeout server 5s\n    option forwardfor\n    option http-server-close", bs[0].Addr())
	_, body := rawRequest(t, addr, "GET /headers HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\nConnection: keep-alive, X-Hop\r\nX-Hop: secret\r\nKeep-Alive: timeout=5\r\nX-Kept: yes\r\n\r\n")
	// HAProxy appends its own X-Forwarded-For line after the client's.
	if !strings.Contains(body, "X-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 127.0.0.1") &&
		!strings.Contains(body, "X-Forwarded-For: 1.2.3.4, 127.0.0.1") {
		t.Errorf("X-Forwarded-For not appended:\n%s", body)
	}
	for _, hop := range []string{"X-Hop", "Keep-Alive"} {
		if strings.Contains(body, hop+":") {
			t.Errorf("hop-by-hop field %s forwarded:\n%s", hop, body)
		}
	}
	if !strings.Contains(body, "X-Kept: yes") {
		t.Errorf("end-to-end field lost:\n%s", body)
	}
}

// badUpgradeServer answers every request with a 101 that lacks
// Sec-WebSocket-Accept (or, with noConn, Connection: upgrade).
func badUpgradeServer(t *testing.T, resp string) string {
	t.Helper()
	return rawServer(t, func(c net.Conn, br *bufio.Reader) {
		io.WriteString(c, resp)
		io.Copy(io.Discard, br)
	})
}

func TestInvalid101Gets502(t *testing.T) {
	for _, tt := range []struct{ name, resp string }{
		{"no Sec-WebSocket-Accept", "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"},
		{"no Connection: upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := badUpgradeServer(t, tt.resp)
			p, addr := startTimeouts(t, "    timeout client 5s\n    timeout server 5s", srv)
			resp, _ := rawRequest(t, addr, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
			if resp.StatusCode != 502 {
				t.Errorf("status %d, want 502", resp.StatusCode)
			}
			p.stdout.waitLog(t, " 502 ", " PH-- ")
		})
	}
}

func TestNon101AnswerToUpgradeIsRelayed(t *testing.T) {
	srv := badUpgradeServer(t, "HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\n\r\nnope")
	p, addr := startTimeouts(t, "    timeout client 5s\n    timeout server 5s", srv)
	resp, body := rawRequest(t, addr, "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	if resp.StatusCode != 403 || body != "nope" {
		t.Errorf("got %d %q, want the server's 403", resp.StatusCode, body)
	}
	p.stdout.waitLog(t, " 403 ", " ---- ")
}

func TestKeepAliveAndBodies(t *testing.T) {
	srv, hits := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %d", r.URL.Path, len(b))
	})
	_, addr := startTimeouts(t, "    timeout client 5s\n    timeout server 5s", srv)
	client := &http.Client{Timeout: 10 * time.Second}
	for i, size := range []int{0, 10, 20000, 1 << 20} {
		resp, err := client.Post(fmt.Sprintf("http://%s/p%d", addr, i), "application/octet-stream", strings.NewReader(strings.Repeat("x", size)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("/p%d %d", i, size); string(b) != want {
			t.Errorf("body %q, want %q", b, want)
		}
	}
	// A chunked request body (no Content-Length).
	pr, pw := io.Pipe()
	go func() {
		pw.Write([]byte("hello "))
		pw.Write([]byte("chunked"))
		pw.Close()
	}()
	resp, err := client.Post("http://"+addr+"/chunked", "text/plain", pr)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "/chunked 13" {
		t.Errorf("chunked body: %q", b)
	}
	if hits.Load() != 5 {
		t.Errorf("server hits %d, want 5", hits.Load())
	}
}
