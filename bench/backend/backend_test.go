package backend

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/gobwas/ws"
)

func TestHTTPKeepAliveAndWebSocketEcho(t *testing.T) {
	p, err := Listen([]string{"127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addrs()[0])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	// Two requests on one connection, then an upgrade on the same one.
	for range 2 {
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: b\r\n\r\n")
		buf := make([]byte, len(response))
		if _, err := io.ReadFull(br, buf); err != nil || string(buf) != string(response) {
			t.Fatalf("response %q, %v", buf, err)
		}
	}
	io.WriteString(c, "GET /echo HTTP/1.1\r\nHost: b\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		// RFC 6455 §1.3's example key and accept value.
		if strings.HasPrefix(line, "Sec-WebSocket-Accept:") && strings.TrimSpace(line) != "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
			t.Errorf("accept line %q", line)
		}
		if line == "\r\n" {
			break
		}
	}
	msg := []byte("hello")
	mask := [4]byte{1, 2, 3, 4}
	ws.WriteHeader(c, ws.Header{Fin: true, OpCode: ws.OpText, Masked: true, Mask: mask, Length: int64(len(msg))})
	masked := append([]byte(nil), msg...)
	ws.Cipher(masked, mask, 0)
	c.Write(masked)
	h, err := ws.ReadHeader(br)
	if err != nil || h.Masked || h.Length != int64(len(msg)) {
		t.Fatalf("echo header %+v, %v", h, err)
	}
	got := make([]byte, h.Length)
	if _, err := io.ReadFull(br, got); err != nil || string(got) != "hello" {
		t.Fatalf("echo %q, %v", got, err)
	}
}
