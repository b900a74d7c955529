package backend

import (
	"bufio"
	"io"
	"net"

	"github.com/gobwas/ws"
)

// maxMessage bounds the payload of one echoed frame.
const maxMessage = 1 << 20

// echo sends every data frame back, unmasked, until the client closes
// or sends a close frame (answered with a close frame).
func echo(c net.Conn, br *bufio.Reader) {
	var payload []byte
	var hb [ws.MaxHeaderSize]byte
	for {
		h, err := ws.ReadHeader(br)
		if err != nil || h.Length > maxMessage {
			return
		}
		n := int(h.Length)
		if cap(payload) < n {
			payload = make([]byte, n)
		}
		payload = payload[:n]
		if _, err := io.ReadFull(br, payload); err != nil {
			return
		}
		if h.Masked {
			ws.Cipher(payload, h.Mask, 0)
		}
		out := ws.Header{Fin: h.Fin, OpCode: h.OpCode, Length: h.Length}
		hdr := appendHeader(hb[:0], out)
		bufs := net.Buffers{hdr, payload}
		if _, err := bufs.WriteTo(c); err != nil {
			return
		}
		if h.OpCode == ws.OpClose {
			return
		}
	}
}

// appendHeader appends an unmasked frame header (RFC 6455 §5.2).
func appendHeader(b []byte, h ws.Header) []byte {
	first := byte(h.OpCode)
	if h.Fin {
		first |= 0x80
	}
	b = append(b, first)
	switch n := h.Length; {
	case n < 126:
		b = append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126, byte(n>>8), byte(n))
	default:
		b = append(b, 127, 0, 0, 0, 0, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return b
}
