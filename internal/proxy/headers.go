package proxy

import (
	"github.com/hawser-lb/hawser/internal/h1"
)

// tokens iterates over the elements of a comma-separated header value
// (RFC 9110 §5.6.1), trimmed of optional whitespace, without allocating.
type tokens struct {
	v []byte
}

func (t *tokens) next() ([]byte, bool) {
	for len(t.v) > 0 {
		i := 0
		for i < len(t.v) && t.v[i] != ',' {
			i++
		}
		tok := h1.TrimOWS(t.v[:i])
		if i < len(t.v) {
			t.v = t.v[i+1:]
		} else {
			t.v = nil
		}
		if len(tok) > 0 {
			return tok, true
		}
	}
	return nil, false
}

// namedByConnection reports whether the field name is listed as a
// connection option in one of the Connection fields: such fields are
// hop-by-hop and not forwarded (RFC 9110 §7.6.1). keep is a token that
// stays end to end (the "upgrade" option of a forwarded upgrade).
func namedByConnection(hs []h1.Header, name []byte, keep string) bool {
	for i := range hs {
		if !h1.EqualFoldString(hs[i].Name, "connection") {
			continue
		}
		t := tokens{hs[i].Value}
		for tok, ok := t.next(); ok; tok, ok = t.next() {
			if h1.EqualFold(tok, name) && !h1.EqualFoldString(tok, keep) {
				return true
			}
		}
	}
	return false
}

// hopByHop reports the fields a proxy never forwards as they are: the
// Connection field (rebuilt), and the legacy hop-by-hop fields
// Keep-Alive and Proxy-Connection.
func hopByHop(name []byte) bool {
	return h1.EqualFoldString(name, "connection") || h1.EqualFoldString(name, "keep-alive") ||
		h1.EqualFoldString(name, "proxy-connection")
}

// appendConnectionTokens appends the Connection options to forward: every
// option except keep-alive and close (HAProxy's rule), re-serialised
// without spaces, and without "upgrade"/"http2-settings" when dropUpgrade
// is set. It returns dst unchanged when nothing remains.
func appendConnectionTokens(dst []byte, hs []h1.Header, dropUpgrade bool, extra string) []byte {
	start := len(dst)
	dst = append(dst, "Connection: "...)
	n := 0
	for i := range hs {
		if !h1.EqualFoldString(hs[i].Name, "connection") {
			continue
		}
		t := tokens{hs[i].Value}
		for tok, ok := t.next(); ok; tok, ok = t.next() {
			if h1.EqualFoldString(tok, "keep-alive") || h1.EqualFoldString(tok, "close") {
				continue
			}
			if dropUpgrade && (h1.EqualFoldString(tok, "upgrade") || h1.EqualFoldString(tok, "http2-settings")) {
				continue
			}
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, tok...)
			n++
		}
	}
	if extra != "" {
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, extra...)
		n++
	}
	if n == 0 {
		return dst[:start]
	}
	return append(dst, "\r\n"...)
}

// reqRewrite says how a request head is rewritten for the server.
type reqRewrite struct {
	// upgrade keeps the Upgrade field and the "upgrade" option: the
	// request asks for a protocol switch hawser relays (a WebSocket).
	upgrade bool
	// closeServer adds "Connection: close" (http-server-close, httpclose)
	// unless the request is an upgrade, as HAProxy does.
	closeServer bool
	// xffName and xffValue add an X-Forwarded-For style field at the end
	// when xffName is set.
	xffName  string
	xffValue []byte
}

// appendRequestHead writes the request head to forward to the server:
// the request line as received, the fields in order and case as received
// except the hop-by-hop ones, a rebuilt Connection field, and the
// X-Forwarded-For field appended as a new line (HAProxy leaves a
// client-sent one untouched).
func appendRequestHead(dst []byte, req *h1.Request, rw *reqRewrite) []byte {
	dst = h1.AppendRequestLine(dst, req.Method, req.Target, req.Minor)
	for i := range req.Headers {
		h := &req.Headers[i]
		if hopByHop(h.Name) {
			continue
		}
		if h1.EqualFoldString(h.Name, "upgrade") || h1.EqualFoldString(h.Name, "http2-settings") {
			// Upgrade only travels with the "upgrade" option it belongs
			// to; an h2c upgrade is never forwarded: it would let a client
			// tunnel requests past the routing rules.
			if !rw.upgrade || h1.EqualFoldString(h.Name, "http2-settings") {
				continue
			}
		}
		if namedByConnection(req.Headers, h.Name, "upgrade") {
			continue
		}
		dst = h1.AppendHeader(dst, h.Name, h.Value)
	}
	extra := ""
	if rw.closeServer && !rw.upgrade {
		extra = "close"
	}
	dst = appendConnectionTokens(dst, req.Headers, !rw.upgrade, extra)
	if rw.xffName != "" {
		dst = append(dst, rw.xffName...)
		dst = append(dst, ": "...)
		dst = append(dst, rw.xffValue...)
		dst = append(dst, "\r\n"...)
	}
	return append(dst, "\r\n"...)
}

// respRewrite says how a response head is rewritten for the client.
type respRewrite struct {
	// upgrade keeps Upgrade and the "upgrade" option (a 101).
	upgrade bool
	// close announces that hawser closes the client connection after the
	// response.
	close bool
	// keepAlive10 announces keep-alive to an HTTP/1.0 client that asked
	// for it.
	keepAlive10 bool
}

// appendResponseHead writes the response head to send to the client.
func appendResponseHead(dst []byte, resp *h1.Response, rw *respRewrite) []byte {
	dst = h1.AppendStatusLine(dst, 1, resp.Status, resp.Reason)
	for i := range resp.Headers {
		h := &resp.Headers[i]
		if hopByHop(h.Name) {
			continue
		}
		if !rw.upgrade && h1.EqualFoldString(h.Name, "upgrade") {
			continue
		}
		if namedByConnection(resp.Headers, h.Name, "upgrade") {
			continue
		}
		dst = h1.AppendHeader(dst, h.Name, h.Value)
	}
	extra := ""
	switch {
	case rw.close && !rw.upgrade:
		extra = "close"
	case rw.keepAlive10:
		extra = "keep-alive"
	}
	dst = appendConnectionTokens(dst, resp.Headers, !rw.upgrade, extra)
	return append(dst, "\r\n"...)
}
