// Package h1 parses and frames HTTP/1.x message heads for the proxy.
//
// It is hawser's attack surface: every byte from the network passes through
// it before any routing decision, so it is strict (RFC 9112) and it never
// allocates in steady state. Parsed values alias the caller's buffer; they
// are valid until the buffer is reused.
package h1

// Header is one header field of a parsed head. Name and Value alias the
// buffer the head was parsed from; Value has leading and trailing optional
// whitespace (SP, HTAB) removed.
type Header struct {
	Name  []byte
	Value []byte
}

// Request is a parsed HTTP/1.x request head. Reset it (or parse into it
// again) to reuse its Headers slice without allocating.
type Request struct {
	// Method is the request method token, e.g. "GET".
	Method []byte
	// Target is the request-target exactly as sent (origin-form,
	// absolute-form, authority-form or "*").
	Target []byte
	// Path is the path part of Target: from the first '/' up to but
	// excluding '?'. For an absolute-form target the scheme and authority
	// are not included (HAProxy's `path` fetch). Empty for "*" and
	// authority-form.
	Path []byte
	// Query is the part of Target after the first '?', without the '?';
	// nil when Target has no '?'.
	Query []byte
	// Major and Minor are the HTTP version numbers (1.0 or 1.1).
	Major, Minor int
	// Headers are the header fields in wire order, duplicates included.
	Headers []Header
	// HeadLen is the length of the whole head, request line through the
	// empty line that ends it.
	HeadLen int

	// ContentLength is the body length from Content-Length, or -1 when the
	// request has no Content-Length (a request without Content-Length and
	// without chunked Transfer-Encoding has no body: RFC 9112 §6.3).
	ContentLength int64
	// Chunked reports Transfer-Encoding: chunked (as the final coding).
	Chunked bool

	// ConnClose reports a "close" token in Connection.
	ConnClose bool
	// ConnKeepAlive reports a "keep-alive" token in Connection.
	ConnKeepAlive bool
	// ConnUpgrade reports an "upgrade" token in Connection.
	ConnUpgrade bool
	// UpgradeWebSocket reports a "websocket" token in Upgrade.
	UpgradeWebSocket bool
	// UpgradeH2C reports an "h2c" token in Upgrade.
	UpgradeH2C bool
	// WebSocketKeyLen is the length of the Sec-WebSocket-Key value, or -1
	// when the header is absent (HAProxy requires exactly 24 characters).
	WebSocketKeyLen int
	// Host is the value of the Host header (nil when absent).
	Host []byte
}

// Response is a parsed HTTP/1.x response head.
type Response struct {
	// Major and Minor are the HTTP version numbers.
	Major, Minor int
	// Status is the three-digit status code.
	Status int
	// Reason is the reason phrase (may be empty).
	Reason []byte
	// Headers are the header fields in wire order.
	Headers []Header
	// HeadLen is the length of the whole head including the empty line.
	HeadLen int

	// ContentLength is the body length from Content-Length, or -1 when
	// absent.
	ContentLength int64
	// Chunked reports Transfer-Encoding: chunked (as the final coding).
	Chunked bool

	// ConnClose, ConnKeepAlive and ConnUpgrade report the tokens of the
	// Connection header.
	ConnClose, ConnKeepAlive, ConnUpgrade bool
	// UpgradeWebSocket reports a "websocket" token in Upgrade.
	UpgradeWebSocket bool
	// HasWebSocketAccept reports a Sec-WebSocket-Accept header.
	HasWebSocketAccept bool
}
