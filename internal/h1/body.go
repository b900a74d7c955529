package h1

// BodyMode says how the body that follows a head is delimited (RFC 9112
// §6.3).
type BodyMode uint8

const (
	// BodyNone: no body; the next message starts right after the head.
	BodyNone BodyMode = iota
	// BodyLength: exactly n bytes (n > 0).
	BodyLength
	// BodyChunked: chunked transfer coding; feed the bytes to a
	// ChunkedScanner to find its end.
	BodyChunked
	// BodyUntilClose: the body runs until the server closes the
	// connection (responses only); the connection cannot be reused.
	BodyUntilClose
)

// String returns the mode's name.
func (m BodyMode) String() string {
	switch m {
	case BodyNone:
		return "none"
	case BodyLength:
		return "length"
	case BodyChunked:
		return "chunked"
	case BodyUntilClose:
		return "until-close"
	}
	return "BodyMode(?)"
}

// BodyFraming returns how the body of a parsed request is delimited and,
// for BodyLength, its length. RFC 9112 §6.3: chunked if Transfer-Encoding
// ends with chunked, else Content-Length, else no body (a request is never
// read until close). A Content-Length of 0 is reported as BodyNone.
func (req *Request) BodyFraming() (mode BodyMode, n int64) {
	switch {
	case req.Chunked:
		return BodyChunked, 0
	case req.ContentLength > 0:
		return BodyLength, req.ContentLength
	}
	return BodyNone, 0
}

// BodyFraming returns how the body of a parsed response to a request with
// method reqMethod is delimited and, for BodyLength, its length (RFC 9112
// §6.3, in order):
//  1. a response to HEAD, a 1xx, a 204 or a 304 has no body, whatever its
//     fields say;
//  2. a 2xx to CONNECT has no body: the connection becomes a tunnel (so
//     does a 101, which rule 1 covers);
//  3. chunked Transfer-Encoding: BodyChunked;
//  4. Content-Length: BodyLength (BodyNone when 0);
//  5. otherwise the body runs until the server closes: BodyUntilClose.
func (resp *Response) BodyFraming(reqMethod []byte) (mode BodyMode, n int64) {
	switch {
	case string(reqMethod) == "HEAD",
		resp.Status < 200, resp.Status == 204, resp.Status == 304:
		return BodyNone, 0
	case string(reqMethod) == "CONNECT" && resp.Status < 300:
		return BodyNone, 0
	case resp.Chunked:
		return BodyChunked, 0
	case resp.ContentLength > 0:
		return BodyLength, resp.ContentLength
	case resp.ContentLength == 0:
		return BodyNone, 0
	}
	return BodyUntilClose, 0
}

// KeepAlive reports whether the server allows the connection to persist
// after this response (RFC 9112 §9.3): HTTP/1.1 unless "close", HTTP/1.0
// only with "keep-alive" and without "close". The caller must also check
// that the body is not BodyUntilClose.
func (resp *Response) KeepAlive() bool {
	if resp.ConnClose {
		return false
	}
	return resp.Minor >= 1 || resp.ConnKeepAlive
}
