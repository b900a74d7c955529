package backend

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"errors"
)

// head is what the backend needs from a request head. The benchmark
// clients and the proxies in front send well-formed heads, so this reader
// only finds the fields it needs; it is not a validating parser.
type head struct {
	websocket bool
	close     bool
	key       []byte // Sec-WebSocket-Key
	keyBuf    [64]byte
}

// maxHeadLines bounds the lines of one request head.
const maxHeadLines = 100

var errHead = errors.New("backend: malformed or oversized request head")

// read reads one request head and ignores any body (the benchmark sends
// none).
func (h *head) read(br *bufio.Reader) error {
	h.websocket, h.close, h.key = false, false, nil
	upgrade := false
	for i := 0; i < maxHeadLines; i++ {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if i == 0 {
				continue // a stray CRLF between requests
			}
			h.websocket = upgrade && h.key != nil
			return nil
		}
		if i == 0 {
			continue // the request line
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return errHead
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Upgrade")):
			upgrade = bytes.EqualFold(value, []byte("websocket"))
		case bytes.EqualFold(name, []byte("Connection")):
			h.close = containsFold(value, "close")
		case bytes.EqualFold(name, []byte("Sec-WebSocket-Key")):
			h.key = append(h.keyBuf[:0], value...)
		}
	}
	return errHead
}

func containsFold(v []byte, tok string) bool {
	return bytes.Contains(bytes.ToLower(v), []byte(tok))
}

// websocketGUID is RFC 6455's magic string for Sec-WebSocket-Accept.
const websocketGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// appendSwitch appends the 101 answering key (RFC 6455 §4.2.2).
func appendSwitch(b, key []byte) []byte {
	sum := sha1.Sum(append(append([]byte(nil), key...), websocketGUID...))
	b = append(b, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	b = base64.StdEncoding.AppendEncode(b, sum[:])
	return append(b, "\r\n\r\n"...)
}
