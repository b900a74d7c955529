package proxy

import (
	"testing"

	"github.com/hawser-lb/hawser/internal/h1"
)

func parseReq(t testing.TB, raw string) *h1.Request {
	t.Helper()
	var req h1.Request
	if err := h1.ParseRequest(&req, []byte(raw)); err != nil {
		t.Fatalf("ParseRequest(%q): %v", raw, err)
	}
	return &req
}

func TestAppendRequestHead(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		rw   reqRewrite
		want string
	}{
		{
			name: "plain request kept as sent",
			raw:  "GET /a?b HTTP/1.1\r\nHost: x\r\nX-Case: KeepMe\r\n\r\n",
			want: "GET /a?b HTTP/1.1\r\nHost: x\r\nX-Case: KeepMe\r\n\r\n",
		},
		{
			// HAProxy removes keep-alive/close tokens and joins the rest
			// without spaces; fields named by Connection are hop-by-hop.
			name: "connection tokens",
			raw:  "GET / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, X-Custom\r\nX-Custom: 1\r\nKeep-Alive: timeout=5\r\n\r\n",
			want: "GET / HTTP/1.1\r\nHost: x\r\nConnection: X-Custom\r\n\r\n",
		},
		{
			name: "server close adds close",
			raw:  "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
			rw:   reqRewrite{closeServer: true},
			want: "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
		},
		{
			// No Connection: close on an upgrade, even in server-close mode.
			name: "websocket upgrade kept",
			raw:  "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
			rw:   reqRewrite{upgrade: true, closeServer: true},
			want: "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nConnection: Upgrade\r\n\r\n",
		},
		{
			name: "h2c upgrade dropped",
			raw:  "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMA\r\n\r\n",
			want: "GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		},
		{
			name: "forwarded-for appended after a client one",
			raw:  "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n",
			rw:   reqRewrite{xffName: "X-Forwarded-For", xffValue: []byte("127.0.0.1")},
			want: "GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 1.2.3.4\r\nX-Forwarded-For: 127.0.0.1\r\n\r\n",
		},
		{
			name: "proxy-connection dropped",
			raw:  "GET / HTTP/1.0\r\nHost: x\r\nProxy-Connection: keep-alive\r\n\r\n",
			want: "GET / HTTP/1.0\r\nHost: x\r\n\r\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(appendRequestHead(nil, parseReq(t, tt.raw), &tt.rw))
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestAppendResponseHead(t *testing.T) {
	parse := func(raw string) *h1.Response {
		var r h1.Response
		if err := h1.ParseResponse(&r, []byte(raw)); err != nil {
			t.Fatal(err)
		}
		return &r
	}
	tests := []struct {
		name string
		raw  string
		rw   respRewrite
		want string
	}{
		{"keep-alive to a 1.1 client", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n", respRewrite{}, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"},
		{"closing the client", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", respRewrite{close: true}, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{"keep-alive to a 1.0 client", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", respRewrite{keepAlive10: true}, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"},
		{"101 keeps upgrade", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n", respRewrite{upgrade: true, close: true}, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: x\r\nConnection: Upgrade\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendResponseHead(nil, parse(tt.raw), &tt.rw)); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestErrorPagesMatchHAProxy(t *testing.T) {
	// Bytes observed from haproxy 2.6.12.
	want503 := "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
	if got := string(errorPage(503, false)); got != want503 {
		t.Errorf("503 page:\n%q\nwant\n%q", got, want503)
	}
	want400 := "HTTP/1.1 400 Bad request\r\nContent-length: 90\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n"
	if got := string(errorPage(400, true)); got != want400 {
		t.Errorf("400 page:\n%q\nwant\n%q", got, want400)
	}
	want408 := "HTTP/1.1 408 Request Time-out\r\nContent-length: 110\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<html><body><h1>408 Request Time-out</h1>\nYour browser didn't send a complete request in time.\n</body></html>\n"
	if got := string(errorPage(408, true)); got != want408 {
		t.Errorf("408 page:\n%q\nwant\n%q", got, want408)
	}
	// HTTP/1.0 clients get "connection: close" (observed).
	want503close := "HTTP/1.1 503 Service Unavailable\r\ncontent-length: 107\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"
	if got := string(errorPage(503, true)); got != want503close {
		t.Errorf("503 close page:\n%q\nwant\n%q", got, want503close)
	}
}

func BenchmarkAppendRequestHead(b *testing.B) {
	req := parseReq(b, "GET /chat?room=1 HTTP/1.1\r\nHost: wss1.dy.xxxx.com\r\nUser-Agent: Mozilla/5.0\r\nAccept: */*\r\nAccept-Language: en\r\nConnection: keep-alive\r\nCookie: a=b\r\n\r\n")
	rw := reqRewrite{closeServer: true, xffName: "X-Forwarded-For", xffValue: []byte("127.0.0.1")}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = appendRequestHead(buf[:0], req, &rw)
	}
}
