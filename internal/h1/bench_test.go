package h1

import (
	"strconv"
	"testing"
)

// browserGET is a typical browser navigation head: about 500 bytes, 12
// fields.
var browserGET = []byte("GET /articles/2026/hawser-load-balancer?utm_source=feed&page=2 HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Referer: https://www.example.com/\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=5f2b1c9e8a; theme=dark\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Priority: u=0, i\r\n" +
	"\r\n")

var wsHandshake = []byte("GET /chat HTTP/1.1\r\n" +
	"Host: ws.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0\r\n" +
	"Origin: https://www.example.com\r\n" +
	"Sec-WebSocket-Version: 13\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
	"Sec-WebSocket-Extensions: permessage-deflate\r\n" +
	"Connection: keep-alive, Upgrade\r\n" +
	"Upgrade: websocket\r\n" +
	"\r\n")

var responseHead = []byte("HTTP/1.1 200 OK\r\n" +
	"Date: Thu, 26 Nov 2026 22:13:43 GMT\r\n" +
	"Content-Type: text/html; charset=utf-8\r\n" +
	"Content-Length: 12345\r\n" +
	"Cache-Control: private, max-age=0\r\n" +
	"Set-Cookie: session=5f2b1c9e8a; Path=/; HttpOnly; Secure\r\n" +
	"Vary: Accept-Encoding\r\n" +
	"Server: app\r\n" +
	"\r\n")

func TestZeroAllocs(t *testing.T) {
	if testing.CoverMode() != "" {
		t.Skip("coverage instrumentation allocates")
	}
	var req Request
	var resp Response
	body := chunkedBody(64<<10, 4<<10)
	bad := []byte("GET / HTTP/1.1\r\nX : y\r\n\r\n")
	tests := []struct {
		name string
		f    func()
	}{
		{"ParseRequest browser GET", func() { _ = ParseRequest(&req, browserGET) }},
		{"ParseRequest WebSocket", func() { _ = ParseRequest(&req, wsHandshake) }},
		{"ParseRequest error", func() { _ = ParseRequest(&req, bad) }},
		{"ParseRequest incomplete", func() { _ = ParseRequest(&req, browserGET[:100]) }},
		{"ParseResponse", func() { _ = ParseResponse(&resp, responseHead) }},
		{"ChunkedScanner 64 KiB", func() {
			var s ChunkedScanner
			_, _, _ = s.Scan(body)
		}},
		{"ChunkedScanner byte at a time", func() {
			var s ChunkedScanner
			for i := range 200 {
				_, _, _ = s.Scan(body[i : i+1])
			}
		}},
	}
	for _, tt := range tests {
		tt.f() // warm the Headers slices
		if got := testing.AllocsPerRun(100, tt.f); got != 0 {
			t.Errorf("%s: %v allocations per run, want 0", tt.name, got)
		}
	}
}

func benchmarkRequest(b *testing.B, head []byte) {
	var req Request
	b.ReportAllocs()
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		if err := ParseRequest(&req, head); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseRequestBrowserGET(b *testing.B) { benchmarkRequest(b, browserGET) }

func BenchmarkParseRequestWebSocket(b *testing.B) { benchmarkRequest(b, wsHandshake) }

func BenchmarkParseResponse(b *testing.B) {
	var resp Response
	b.ReportAllocs()
	b.SetBytes(int64(len(responseHead)))
	for b.Loop() {
		if err := ParseResponse(&resp, responseHead); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChunkedScan64KiB(b *testing.B) {
	for _, chunk := range []int{256, 4 << 10, 16 << 10} {
		body := chunkedBody(64<<10, chunk)
		b.Run("chunk="+strconv.Itoa(chunk), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				var s ChunkedScanner
				if _, done, err := s.Scan(body); !done || err != nil {
					b.Fatal(done, err)
				}
			}
		})
	}
}
