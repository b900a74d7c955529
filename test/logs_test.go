package test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

var updateLogs = flag.Bool("update", false, "rewrite testdata/logs.golden")

// normalizeLog replaces what varies from run to run in an httplog line:
// the client port, the date and the timers (except -1).
func normalizeLog(l string) string {
	l = regexp.MustCompile(`^127\.0\.0\.1:\d+ \[[^\]]+\]`).ReplaceAllString(l, "127.0.0.1:PORT [DATE]")
	l = regexp.MustCompile(`^([^ ]+ [^ ]+ [^ ]+ [^ ]+) (-?\d+/-?\d+/-?\d+/-?\d+/-?\d+) `).ReplaceAllStringFunc(l, func(t string) string {
		i := strings.LastIndex(strings.TrimSpace(t), " ")
		head, timers := t[:i], t[i+1:]
		parts := strings.Split(strings.TrimSpace(timers), "/")
		for i, p := range parts {
			if p != "-1" {
				parts[i] = "N"
			}
		}
		return head + " " + strings.Join(parts, "/") + " "
	})
	// What reached a client that aborted depends on socket buffers.
	l = regexp.MustCompile(` \d+ - - CD--`).ReplaceAllString(l, " B - - CD--")
	return l
}

// TestLogLinesOfEveryTermination produces one request or tunnel per
// termination case and compares the normalised log lines with
// testdata/logs.golden (go test ./test -run LogLines -update rewrites it;
// review the diff). The termination states are HAProxy's.
func TestLogLinesOfEveryTermination(t *testing.T) {
	bs := backends(t, 1)
	sock := filepath.Join(t.TempDir(), "api.sock")
	// A server that sends half a response and closes (server abort).
	half := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
	})
	// A WebSocket server that closes right after its 101 (tunnel closed by
	// the server).
	closer := rawServer(t, func(c net.Conn, br *bufio.Reader) {
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
	})
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(`
global
    log stdout format raw local0
    stats socket %s level admin
defaults
    mode http
    log global
    option httplog
    timeout client 10s
    timeout server 300ms
    timeout connect 1s
    timeout http-request 300ms
    timeout tunnel 1m
frontend fe
    bind 127.0.0.1:%d
    use_backend half if { path /half }
    use_backend closer if { path /closer }
    use_backend none if { path /none }
    use_backend be unless { path /nomatch }
backend be
    server s1 %s
backend half
    server h %s
backend closer
    server c %s
backend none
    server n %s disabled
`, sock, port, bs[0].Addr(), half, closer, bs[0].Addr())
	p := startHawser(t, cfg, nil, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	step := func(name string, run func()) {
		n := strings.Count(p.stdout.String(), "\n")
		run()
		deadline := time.Now().Add(15 * time.Second)
		for strings.Count(p.stdout.String(), "\n") == n {
			if time.Now().After(deadline) {
				t.Fatalf("no log line for %s; output:\n%s", name, p.stdout)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	step("closed before a request", func() {
		c, _ := net.Dial("tcp", addr)
		c.Close()
	})
	step("normal", func() { httpGet(addr, "/normal") })
	step("408", func() {
		c, _ := net.Dial("tcp", addr)
		defer c.Close()
		io.WriteString(c, "GET /slow HTTP/1.1\r\nHost: x\r\n")
		io.ReadAll(c)
	})
	step("503 no route", func() { httpGet(addr, "/nomatch") })
	step("503 no server", func() { httpGet(addr, "/none") })
	step("504", func() { httpGet(addr, "/sleep?ms=3000") })
	step("server abort", func() { httpGet(addr, "/half") })
	step("client abort", func() {
		c, _ := net.Dial("tcp", addr)
		io.WriteString(c, "GET /bytes?n=50000000 HTTP/1.1\r\nHost: x\r\n\r\n")
		buf := make([]byte, 4096)
		c.Read(buf)
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
	step("tunnel closed by the client", func() {
		ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws", nil)
		if err != nil {
			t.Fatal(err)
		}
		echoOnce(ctx, ws, "hi")
		ws.Close(websocket.StatusNormalClosure, "")
	})
	step("tunnel closed by the server", func() {
		c, _ := net.Dial("tcp", addr)
		defer c.Close()
		io.WriteString(c, "GET /closer HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
		io.ReadAll(c) // the 101, then the server's FIN
	})
	step("killed by shutdown sessions", func() {
		ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/killme", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		echoOnce(ctx, ws, "hi")
		apiCommand(t, sock, "shutdown sessions server be/s1")
	})
	// The harness's readiness probe is a connection closed before any
	// request too: keep one such line, whichever produced it.
	var got strings.Builder
	sawCR := false
	for _, l := range strings.Split(strings.TrimSpace(p.stdout.String()), "\n") {
		n := normalizeLog(l)
		if strings.Contains(n, " 400 0 - - CR-- ") {
			if sawCR {
				continue
			}
			sawCR = true
			// The probe may still be open: the connection counts vary.
			n = regexp.MustCompile(`CR-- \d+/\d+/`).ReplaceAllString(n, "CR-- N/N/")
		}
		got.WriteString(n + "\n")
	}
	golden := "testdata/logs.golden"
	if *updateLogs {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, []byte(got.String()), 0o644)
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update)", err)
	}
	if got.String() != string(want) {
		t.Errorf("log lines differ from %s\n--- got\n%s--- want\n%s", golden, got.String(), want)
	}
}

// rawServer runs handle for each connection after reading one request
// head.
func rawServer(t *testing.T, handle func(c net.Conn, br *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				br := bufio.NewReader(c)
				if _, err := http.ReadRequest(br); err != nil {
					return
				}
				handle(c, br)
			}()
		}
	}()
	return ln.Addr().String()
}
