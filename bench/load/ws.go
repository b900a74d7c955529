package load

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"

	"github.com/gobwas/ws"
)

// wsConn is a client WebSocket: the connection and a reader holding what
// followed the 101.
type wsConn struct {
	c  net.Conn
	br *bufio.Reader
}

// wsDialer upgrades with gobwas/ws; NetDial keeps TCP keep-alive off.
var wsDialer = ws.Dialer{
	NetDial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, addr)
	},
}

// dialWS connects to addr and upgrades to a WebSocket at /echo.
func dialWS(ctx context.Context, addr string, rbuf int) (*wsConn, error) {
	c, br, _, err := wsDialer.Dial(ctx, "ws://"+addr+"/echo")
	if err != nil {
		return nil, fmt.Errorf("load: websocket to %s: %w", addr, err)
	}
	r := bufio.NewReaderSize(c, rbuf)
	if br != nil {
		// The server spoke first: keep those bytes in front.
		r = bufio.NewReaderSize(io.MultiReader(br, c), rbuf)
	}
	return &wsConn{c: c, br: r}, nil
}

// maskedFrame returns a binary frame of size bytes as a client sends it
// (masked, RFC 6455 §5.3). The same bytes are sent again and again: the
// server unmasks each copy alike, which is all an echo needs.
func maskedFrame(size int) []byte {
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = 'a' + byte(i%26)
	}
	mask := [4]byte{0x12, 0x34, 0x56, 0x78}
	h := ws.Header{Fin: true, OpCode: ws.OpBinary, Masked: true, Mask: mask, Length: int64(size)}
	var hb headerBuf
	if err := ws.WriteHeader(&hb, h); err != nil {
		panic(err) // writes to memory do not fail
	}
	ws.Cipher(payload, mask, 0)
	return append(hb.b, payload...)
}

type headerBuf struct{ b []byte }

func (h *headerBuf) Write(p []byte) (int, error) { h.b = append(h.b, p...); return len(p), nil }

// readEcho reads one frame and checks that its payload has size bytes.
func (w *wsConn) readEcho(size int, scratch []byte) error {
	h, err := ws.ReadHeader(w.br)
	if err != nil {
		return err
	}
	if h.Length != int64(size) {
		return fmt.Errorf("load: echoed frame of %d bytes, want %d", h.Length, size)
	}
	for left := size; left > 0; {
		n := min(left, len(scratch))
		if _, err := io.ReadFull(w.br, scratch[:n]); err != nil {
			return err
		}
		left -= n
	}
	return nil
}
