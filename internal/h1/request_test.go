package h1

import (
	"strings"
	"testing"
)

// reqWant is the expected outcome of a ParseRequest that succeeds; unset
// string fields are not compared unless the case says so.
type reqWant struct {
	method, target, path, query string
	queryNil                    bool
	minor                       int
	headers                     int
	cl                          int64
	chunked                     bool
	close, keepAlive, upgrade   bool
	ws, h2c                     bool
	wsKeyLen                    int
	host                        string
	hostNil                     bool
	headLen                     int // 0: the whole input
}

func TestParseRequestValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want reqWant
	}{
		{"minimal 1.1", "GET / HTTP/1.1|Host: a|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "a"}},
		{"minimal 1.0 without Host", "GET / HTTP/1.0||", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 0, cl: -1, wsKeyLen: -1, hostNil: true}},
		// HAProxy 2.6 accepts an HTTP/1.1 request without Host; so do we.
		{"1.1 without Host", "GET /x HTTP/1.1||", reqWant{method: "GET", target: "/x", path: "/x", queryNil: true, minor: 1, cl: -1, wsKeyLen: -1, hostNil: true}},
		{"empty Host", "GET / HTTP/1.1|Host:|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: ""}},
		{"query", "GET /a/b?c=d&e HTTP/1.1|Host: a|", reqWant{method: "GET", target: "/a/b?c=d&e", path: "/a/b", query: "c=d&e", minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "a"}},
		{"empty query", "GET /a? HTTP/1.1|Host: a|", reqWant{method: "GET", target: "/a?", path: "/a", query: "", minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "a"}},
		{"second ? in query", "GET /a?b?c HTTP/1.1|Host: a|", reqWant{method: "GET", target: "/a?b?c", path: "/a", query: "b?c", minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "a"}},
		{"percent-encoded path", "GET /a%2Fb%20?%zz HTTP/1.1|Host: a|", reqWant{method: "GET", target: "/a%2Fb%20?%zz", path: "/a%2Fb%20", query: "%zz", minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "a"}},
		{"absolute-form", "GET http://h:8080/p?q HTTP/1.1|Host: h:8080|", reqWant{method: "GET", target: "http://h:8080/p?q", path: "/p", query: "q", minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h:8080"}},
		{"absolute-form no path", "GET http://h HTTP/1.1|Host: h|", reqWant{method: "GET", target: "http://h", path: "", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h"}},
		{"absolute-form query without path", "GET http://h?q HTTP/1.1|Host: h|", reqWant{method: "GET", target: "http://h?q", path: "", query: "q", minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h"}},
		{"absolute-form no Host", "GET https://h/p HTTP/1.1||", reqWant{method: "GET", target: "https://h/p", path: "/p", queryNil: true, minor: 1, cl: -1, wsKeyLen: -1, hostNil: true}},
		{"absolute-form Host case and default port", "GET http://Example.COM/ HTTP/1.1|Host: example.com:80|", reqWant{method: "GET", target: "http://Example.COM/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "example.com:80"}},
		{"absolute-form https default port", "GET https://h:443/ HTTP/1.1|Host: h|", reqWant{method: "GET", target: "https://h:443/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h"}},
		{"absolute-form IPv6", "GET http://[::1]:80/x HTTP/1.1|Host: [::1]|", reqWant{method: "GET", target: "http://[::1]:80/x", path: "/x", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "[::1]"}},
		{"authority-form", "CONNECT h.example:443 HTTP/1.1|Host: h.example:443|", reqWant{method: "CONNECT", target: "h.example:443", path: "", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h.example:443"}},
		{"asterisk-form", "OPTIONS * HTTP/1.1|Host: h|", reqWant{method: "OPTIONS", target: "*", path: "", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h"}},
		{"extension method", "PURGE /x HTTP/1.1|Host: h|", reqWant{method: "PURGE", target: "/x", path: "/x", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h"}},
		{"HTTP/1.2 is 1.1", "GET / HTTP/1.2|Host: h|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h"}},
		{"leading CRLFs skipped", "||GET / HTTP/1.1|Host: h||", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, host: "h"}},
		{"OWS trimmed", "GET / HTTP/1.1|Host: \t h \t|X:|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 2, cl: -1, wsKeyLen: -1, host: "h"}},
		{"obs-text value", "GET / HTTP/1.1|X: caf\xc3\xa9|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, wsKeyLen: -1, hostNil: true}},
		{"content-length", "POST / HTTP/1.1|Content-Length: 5||hello", reqWant{method: "POST", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: 5, wsKeyLen: -1, hostNil: true, headLen: len("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n")}},
		{"content-length zero", "POST / HTTP/1.1|Content-Length: 0|", reqWant{method: "POST", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: 0, wsKeyLen: -1, hostNil: true}},
		{"content-length leading zeros", "POST / HTTP/1.1|Content-Length: 007|", reqWant{method: "POST", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: 7, wsKeyLen: -1, hostNil: true}},
		{"content-length max", "POST / HTTP/1.1|Content-Length: 9223372036854775807|", reqWant{method: "POST", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: 1<<63 - 1, wsKeyLen: -1, hostNil: true}},
		{"content-length identical lines", "POST / HTTP/1.1|Content-Length: 3|content-length: 3|", reqWant{method: "POST", target: "/", path: "/", queryNil: true, minor: 1, headers: 2, cl: 3, wsKeyLen: -1, hostNil: true}},
		{"content-length identical list", "POST / HTTP/1.1|Content-Length: 3, 3,3|", reqWant{method: "POST", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: 3, wsKeyLen: -1, hostNil: true}},
		{"chunked", "POST / HTTP/1.1|Transfer-Encoding: chunked|", reqWant{method: "POST", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, chunked: true, wsKeyLen: -1, hostNil: true}},
		{"chunked case-insensitive", "POST / HTTP/1.1|transfer-encoding: CHUNKED|", reqWant{method: "POST", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, chunked: true, wsKeyLen: -1, hostNil: true}},
		{"connection tokens", "GET / HTTP/1.1|Connection: Keep-Alive , foo|connection: ,CLOSE|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 2, cl: -1, close: true, keepAlive: true, wsKeyLen: -1, hostNil: true}},
		{"websocket", "GET /chat HTTP/1.1|Host: h|Connection: keep-alive, Upgrade|Upgrade: websocket|Sec-WebSocket-Key: " + wsKey + "|", reqWant{method: "GET", target: "/chat", path: "/chat", queryNil: true, minor: 1, headers: 4, cl: -1, keepAlive: true, upgrade: true, ws: true, wsKeyLen: 24, host: "h"}},
		{"websocket with version, several Upgrade lines", "GET / HTTP/1.1|Connection: upgrade|Upgrade: foo|Upgrade: WebSocket/13|Sec-WebSocket-Key: " + wsKey + "|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 4, cl: -1, upgrade: true, ws: true, wsKeyLen: 24, hostNil: true}},
		// HAProxy checks the key only when both flags are set.
		{"websocket without Connection upgrade needs no key", "GET / HTTP/1.1|Upgrade: websocket|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 1, cl: -1, ws: true, wsKeyLen: -1, hostNil: true}},
		{"h2c", "GET / HTTP/1.1|Connection: Upgrade, HTTP2-Settings|Upgrade: h2c|HTTP2-Settings: AAMAAABkAAQAAP__|", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 3, cl: -1, upgrade: true, h2c: true, wsKeyLen: -1, hostNil: true}},
		{"100 headers", "GET / HTTP/1.1|" + strings.Repeat("X: y|", 100), reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, headers: 100, cl: -1, wsKeyLen: -1, hostNil: true}},
		{"pipelined bytes after head", "GET / HTTP/1.1||GET /next HTTP/1.1||", reqWant{method: "GET", target: "/", path: "/", queryNil: true, minor: 1, cl: -1, wsKeyLen: -1, hostNil: true, headLen: len("GET / HTTP/1.1\r\n\r\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := crlf(tt.in)
			if !strings.Contains(tt.in, "||") {
				in += "\r\n"
			}
			var req Request
			if err := ParseRequest(&req, []byte(in)); err != nil {
				t.Fatalf("ParseRequest(%q) = %v, want nil", in, err)
			}
			w := tt.want
			headLen := w.headLen
			if headLen == 0 {
				headLen = len(in)
			}
			checks := []struct {
				what      string
				got, want any
			}{
				{"Method", string(req.Method), w.method},
				{"Target", string(req.Target), w.target},
				{"Path", string(req.Path), w.path},
				{"Query", string(req.Query), w.query},
				{"Query==nil", req.Query == nil, w.queryNil},
				{"Major", req.Major, 1},
				{"Minor", req.Minor, w.minor},
				{"len(Headers)", len(req.Headers), w.headers},
				{"HeadLen", req.HeadLen, headLen},
				{"ContentLength", req.ContentLength, w.cl},
				{"Chunked", req.Chunked, w.chunked},
				{"ConnClose", req.ConnClose, w.close},
				{"ConnKeepAlive", req.ConnKeepAlive, w.keepAlive},
				{"ConnUpgrade", req.ConnUpgrade, w.upgrade},
				{"UpgradeWebSocket", req.UpgradeWebSocket, w.ws},
				{"UpgradeH2C", req.UpgradeH2C, w.h2c},
				{"WebSocketKeyLen", req.WebSocketKeyLen, w.wsKeyLen},
				{"Host", string(req.Host), w.host},
				{"Host==nil", req.Host == nil, w.hostNil},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v (input %q)", c.what, c.got, c.want, in)
				}
			}
		})
	}
}

func TestParseRequestHeaders(t *testing.T) {
	in := "GET / HTTP/1.1\r\nHost: a\r\nX-A:b \r\nx-a: \t c d\t\r\nEmpty:\r\n\r\n"
	var req Request
	if err := ParseRequest(&req, []byte(in)); err != nil {
		t.Fatal(err)
	}
	want := []Header{{[]byte("Host"), []byte("a")}, {[]byte("X-A"), []byte("b")}, {[]byte("x-a"), []byte("c d")}, {[]byte("Empty"), []byte("")}}
	if len(req.Headers) != len(want) {
		t.Fatalf("got %d headers, want %d", len(req.Headers), len(want))
	}
	for i, h := range req.Headers {
		if string(h.Name) != string(want[i].Name) || string(h.Value) != string(want[i].Value) {
			t.Errorf("header %d = %q: %q, want %q: %q", i, h.Name, h.Value, want[i].Name, want[i].Value)
		}
		if cap(h.Name) != len(h.Name) || cap(h.Value) != len(h.Value) {
			t.Errorf("header %d: capacity reaches past the field; appending would overwrite the buffer", i)
		}
	}
}

// TestParseRequestInvalid has one case per strictness rule.
func TestParseRequestInvalid(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		want   rule
		status int
	}{
		// Line endings, RFC 9112 §2.2.
		{"bare LF after request line", "GET / HTTP/1.1\nHost: a\r\n\r\n", ruleBareLF, 400},
		{"bare LF after field", "GET / HTTP/1.1\r\nHost: a\n\r\n", ruleBareLF, 400},
		{"bare LF ends head", "GET / HTTP/1.1\r\nHost: a\r\n\n", ruleBareLF, 400},
		{"bare LF before request line", "\nGET / HTTP/1.1\r\n\r\n", ruleBareLF, 400},
		{"bare CR in request line", "GET / HTTP/1.1\rX\r\n\r\n", ruleBareCR, 400},
		{"bare CR in value", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", ruleBareCR, 400},
		{"bare CR ends head", "GET / HTTP/1.1\r\n\r\r\n", ruleBareCR, 400},
		{"bare CR before request line", "\r\rGET / HTTP/1.1\r\n\r\n", ruleBareCR, 400},
		// Request line, RFC 9112 §3.
		{"method not a token", "G(T / HTTP/1.1||", ruleMethod, 400},
		{"empty method", " / HTTP/1.1||", ruleMethod, 400},
		{"tab separator", "GET\t/ HTTP/1.1||", ruleMethod, 400},
		{"two SPs after method", "GET  / HTTP/1.1||", ruleTargetEmpty, 400},
		{"two SPs after target", "GET /  HTTP/1.1||", ruleVersion, 400},
		{"trailing SP", "GET / HTTP/1.1 ||", ruleVersion, 400},
		{"target CTL", "GET /\x01 HTTP/1.1||", ruleTargetChar, 400},
		{"target DEL", "GET /\x7f HTTP/1.1||", ruleTargetChar, 400},
		{"target non-ASCII", "GET /\xc3\xa9 HTTP/1.1||", ruleTargetChar, 400},
		{"target fragment", "GET /a#b HTTP/1.1||", ruleTargetFragment, 400},
		{"HTTP/0.9 request", "GET /||", ruleMissingVersion, 400},
		{"no target", "GET ||", ruleTargetEmpty, 400},
		{"target bad percent", "GET /a%2 HTTP/1.1||", ruleTargetPercent, 400},
		{"target bad percent hex", "GET /a%zz?q HTTP/1.1||", ruleTargetPercent, 400},
		{"relative target", "GET a/b HTTP/1.1||", ruleTargetForm, 400},
		{"asterisk with GET", "GET * HTTP/1.1||", ruleTargetForm, 400},
		{"CONNECT origin-form", "CONNECT /x HTTP/1.1||", ruleTargetForm, 400},
		{"CONNECT without port", "CONNECT h HTTP/1.1||", ruleTargetAuthority, 400},
		{"CONNECT userinfo", "CONNECT u@h:1 HTTP/1.1||", ruleTargetAuthority, 400},
		{"absolute-form without //", "GET http:/x HTTP/1.1||", ruleTargetForm, 400},
		{"absolute-form urn", "GET urn:x HTTP/1.1||", ruleTargetForm, 400},
		{"absolute-form empty host", "GET http:///x HTTP/1.1||", ruleTargetAuthority, 400},
		{"absolute-form userinfo", "GET http://u@h/ HTTP/1.1||", ruleTargetAuthority, 400},
		{"absolute-form bad port", "GET http://h:8x/ HTTP/1.1||", ruleTargetAuthority, 400},
		{"absolute-form bad IPv6", "GET http://[::g]/ HTTP/1.1||", ruleTargetAuthority, 400},
		{"absolute-form pct host", "GET http://a%41/ HTTP/1.1||", ruleTargetAuthority, 400},
		{"absolute-form Host mismatch", "GET http://h:1/p HTTP/1.1|Host: other||", ruleHostMismatch, 400},
		{"absolute-form Host port mismatch", "GET http://h:443/p HTTP/1.1|Host: h||", ruleHostMismatch, 400},
		// Versions, RFC 9112 §2.3.
		{"lower-case version", "GET / http/1.1||", ruleVersion, 400},
		{"HTTP/3", "GET / HTTP/3||", ruleVersion, 400},
		{"HTTP/1.10", "GET / HTTP/1.10||", ruleVersion, 400},
		{"HTTP/2.0", "GET / HTTP/2.0||", ruleVersionUnsupported, 505},
		{"HTTP/0.9", "GET / HTTP/0.9||", ruleVersionUnsupported, 505},
		{"h2 preface", "PRI * HTTP/2.0||SM||", ruleVersionUnsupported, 505},
		// Fields, RFC 9112 §5 and RFC 9110 §5.
		{"space before colon", "GET / HTTP/1.1|Host : a||", ruleFieldNameSpace, 400},
		{"tab before colon", "GET / HTTP/1.1|Host\t: a||", ruleFieldNameSpace, 400},
		{"obs-fold", "GET / HTTP/1.1|X: a| b||", ruleObsFold, 400},
		{"obs-fold tab", "GET / HTTP/1.1|X: a|\tb||", ruleObsFold, 400},
		{"whitespace before first field", "GET / HTTP/1.1| X: a||", ruleLeadingWhitespace, 400},
		{"empty name", "GET / HTTP/1.1|: a||", ruleFieldNameEmpty, 400},
		{"no colon", "GET / HTTP/1.1|Xy||", ruleFieldNoColon, 400},
		{"name non-token", "GET / HTTP/1.1|X(y: a||", ruleFieldNameChar, 400},
		{"name non-ASCII", "GET / HTTP/1.1|X\xff: a||", ruleFieldNameChar, 400},
		{"value NUL", "GET / HTTP/1.1|X: a\x00b||", ruleFieldValueNUL, 400},
		{"value CTL", "GET / HTTP/1.1|X: a\x01b||", ruleFieldValueChar, 400},
		{"value DEL", "GET / HTTP/1.1|X: a\x7fb||", ruleFieldValueChar, 400},
		{"value ESC", "GET / HTTP/1.1|X: \x1b[0m||", ruleFieldValueChar, 400},
		{"101 headers", "GET / HTTP/1.1|" + strings.Repeat("X: y|", 101) + "|", ruleTooManyFields, 400},
		{"101 headers with Connection: upgrade", "GET / HTTP/1.1|Connection: upgrade|" + strings.Repeat("X: y|", 100) + "|", ruleTooManyFields, 400},
		// Host, RFC 9112 §3.2.
		{"two Host lines", "GET / HTTP/1.1|Host: a|Host: b||", ruleHostDuplicate, 400},
		{"two identical Host lines", "GET / HTTP/1.1|Host: a|Host: a||", ruleHostDuplicate, 400},
		{"Host with space", "GET / HTTP/1.1|Host: a b||", ruleHostInvalid, 400},
		{"Host with slash", "GET / HTTP/1.1|Host: a/b||", ruleHostInvalid, 400},
		{"Host with userinfo", "GET / HTTP/1.1|Host: u@a||", ruleHostInvalid, 400},
		{"Host bad port", "GET / HTTP/1.1|Host: a:b||", ruleHostInvalid, 400},
		// Framing, RFC 9112 §6 and RFC 9110 §8.6.
		{"CL sign", "POST / HTTP/1.1|Content-Length: +1||", ruleCLInvalid, 400},
		{"CL negative", "POST / HTTP/1.1|Content-Length: -1||", ruleCLInvalid, 400},
		{"CL empty", "POST / HTTP/1.1|Content-Length: ||", ruleCLInvalid, 400},
		{"CL hex", "POST / HTTP/1.1|Content-Length: 0x1||", ruleCLInvalid, 400},
		{"CL inner space", "POST / HTTP/1.1|Content-Length: 1 0||", ruleCLInvalid, 400},
		{"CL overflow", "POST / HTTP/1.1|Content-Length: 9223372036854775808||", ruleCLInvalid, 400},
		{"CL huge", "POST / HTTP/1.1|Content-Length: 99999999999999999999999||", ruleCLInvalid, 400},
		{"CL empty element", "POST / HTTP/1.1|Content-Length: 1,||", ruleCLInvalid, 400},
		{"CL differing lines", "POST / HTTP/1.1|Content-Length: 1|Content-Length: 2||", ruleCLConflict, 400},
		{"CL differing list", "POST / HTTP/1.1|Content-Length: 1, 2||", ruleCLConflict, 400},
		{"CL 01 and 1", "POST / HTTP/1.1|Content-Length: 01|Content-Length: 1||", ruleCLConflict, 400},
		{"CL and TE", "POST / HTTP/1.1|Content-Length: 3|Transfer-Encoding: chunked||", ruleCLWithTE, 400},
		{"TE and CL", "POST / HTTP/1.1|Transfer-Encoding: chunked|Content-Length: 3||", ruleCLWithTE, 400},
		{"TE gzip", "POST / HTTP/1.1|Transfer-Encoding: gzip||", ruleTEChunkedNotLast, 400},
		{"TE identity", "POST / HTTP/1.1|Transfer-Encoding: identity||", ruleTEChunkedNotLast, 400},
		{"TE chunked, gzip", "POST / HTTP/1.1|Transfer-Encoding: chunked, gzip||", ruleTEChunkedNotLast, 400},
		{"TE chunked then gzip line", "POST / HTTP/1.1|Transfer-Encoding: chunked|Transfer-Encoding: gzip||", ruleTEChunkedNotLast, 400},
		{"TE chunked twice", "POST / HTTP/1.1|Transfer-Encoding: chunked, chunked||", ruleTEChunkedTwice, 400},
		{"TE chunked two lines", "POST / HTTP/1.1|Transfer-Encoding: chunked|Transfer-Encoding: chunked||", ruleTEChunkedTwice, 400},
		{"TE empty", "POST / HTTP/1.1|Transfer-Encoding: ||", ruleTEEmpty, 400},
		{"TE empty element", "POST / HTTP/1.1|Transfer-Encoding: ,chunked||", ruleTEEmpty, 400},
		{"TE chunked with parameter", "POST / HTTP/1.1|Transfer-Encoding: chunked;x=1||", ruleTEChunkedNotLast, 400},
		{"TE gzip, chunked", "POST / HTTP/1.1|Transfer-Encoding: gzip, chunked||", ruleTEUnsupported, 501},
		{"TE in HTTP/1.0", "POST / HTTP/1.0|Transfer-Encoding: chunked||", ruleTEHTTP10, 400},
		{"Trailer announces CL", "POST / HTTP/1.1|Transfer-Encoding: chunked|Trailer: Foo, Content-Length||", ruleTrailerFraming, 400},
		// WebSocket, HAProxy 2.4+ (haproxy-reference.md §8.2).
		{"websocket without key", "GET / HTTP/1.1|Connection: upgrade|Upgrade: websocket||", ruleWebSocketKey, 400},
		{"websocket short key", "GET / HTTP/1.1|Connection: upgrade|Upgrade: websocket|Sec-WebSocket-Key: " + wsKey[1:] + "||", ruleWebSocketKey, 400},
		{"websocket two keys", "GET / HTTP/1.1|Sec-WebSocket-Key: " + wsKey + "|Sec-WebSocket-Key: " + wsKey + "||", ruleWebSocketKeyDuplicate, 400},
		// Size.
		{"head too large", "GET / HTTP/1.1|X: " + strings.Repeat("a", MaxHeadLen) + "||", ruleHeadTooLarge, 400},
		{"head too large incomplete", "GET / HTTP/1.1|X: " + strings.Repeat("a", MaxHeadLen), ruleHeadTooLarge, 400},
		{"empty lines too many", strings.Repeat("|", MaxHeadLen/2), ruleHeadTooLarge, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := crlf(tt.in)
			var req Request
			err := ParseRequest(&req, []byte(in))
			if got := ruleOf(err); got != tt.want {
				t.Fatalf("ParseRequest(%.80q) = %s, want %q", in, errName(err), ruleMsgs[tt.want])
			}
			if got := err.(*Error).Status; got != tt.status {
				t.Errorf("Status = %d, want %d", got, tt.status)
			}
		})
	}
}

func TestParseRequestIncomplete(t *testing.T) {
	full := crlf("||POST /a?b HTTP/1.1|Host: h|Content-Length: 2|Transfer-Encoding: chunked|X: y||")
	// Every prefix of a head is incomplete, even one whose full form
	// is invalid (CL+TE here): the rule that combines fields needs the
	// whole head.
	for i := 0; i < len(full); i++ {
		var req Request
		if err := ParseRequest(&req, []byte(full[:i])); err != ErrIncomplete {
			t.Errorf("ParseRequest(%q) = %s, want ErrIncomplete", full[:i], errName(err))
		}
	}
	var req Request
	if err := ParseRequest(&req, []byte(full)); ruleOf(err) != ruleCLWithTE {
		t.Errorf("ParseRequest(full) = %s, want %q", errName(err), ruleMsgs[ruleCLWithTE])
	}
}

// TestParseRequestEarlyReject checks that an invalid line is reported as
// soon as it is complete, without waiting for the end of the head.
func TestParseRequestEarlyReject(t *testing.T) {
	for _, in := range []string{
		"GET / HTTP/1.1\n",
		"GET / HTTP/1.1\r\nX : y",
		"G\x00",
		"GET / HTTP/2.0\r\n",
		"GET / HTTP/1.1\r\nX: \x00",
	} {
		var req Request
		if err := ParseRequest(&req, []byte(in)); err == nil || err == ErrIncomplete {
			t.Errorf("ParseRequest(%q) = %s, want an *Error", in, errName(err))
		}
	}
}

func TestParseRequestReuse(t *testing.T) {
	var req Request
	ws := crlf("GET /ws HTTP/1.1|Host: h|Connection: upgrade|Upgrade: websocket|Sec-WebSocket-Key: " + wsKey + "|Content-Length: 4||")
	plain := crlf("GET / HTTP/1.0||")
	if err := ParseRequest(&req, []byte(ws)); err != nil {
		t.Fatal(err)
	}
	if err := ParseRequest(&req, []byte(plain)); err != nil {
		t.Fatal(err)
	}
	if req.ConnUpgrade || req.UpgradeWebSocket || req.WebSocketKeyLen != -1 || req.Host != nil || req.ContentLength != -1 || len(req.Headers) != 0 || req.Minor != 0 {
		t.Errorf("fields of the previous request leaked: %+v", req)
	}
}

func TestRequestKeepAlive(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"GET / HTTP/1.1||", true},
		{"GET / HTTP/1.1|Connection: close||", false},
		{"GET / HTTP/1.0||", false},
		{"GET / HTTP/1.0|Connection: keep-alive||", true},
		{"GET / HTTP/1.0|Connection: keep-alive, close||", false},
	}
	for _, tt := range tests {
		var req Request
		if err := ParseRequest(&req, []byte(crlf(tt.in))); err != nil {
			t.Fatal(err)
		}
		if got := req.KeepAlive(); got != tt.want {
			t.Errorf("%q: KeepAlive() = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestRequestLimits(t *testing.T) {
	lines := func(n int, extra string) []byte {
		return []byte("GET / HTTP/1.1\r\n" + extra + strings.Repeat("X: y\r\n", n) + "\r\n")
	}
	small := Limits{HeadLen: 200, Fields: 9}
	tests := []struct {
		name string
		in   []byte
		lim  Limits
		ok   bool
	}{
		{"100 lines, default limits", lines(100, ""), DefaultLimits, true},
		{"101 lines, default limits", lines(101, ""), DefaultLimits, false},
		// HAProxy drops a Connection field that only says close or
		// keep-alive before counting.
		{"100 lines and Connection: close", lines(100, "Connection: close\r\n"), DefaultLimits, true},
		{"100 lines and Connection: Keep-Alive, close", lines(100, "Connection: Keep-Alive, close\r\n"), DefaultLimits, true},
		{"9 lines, 9 allowed", lines(9, ""), small, true},
		{"10 lines, 9 allowed", lines(10, ""), small, false},
		{"head of 200 bytes allowed", []byte("GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 150) + "\r\n\r\n"), small, true},
		{"head of 201 bytes", []byte("GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 180) + "\r\n\r\n"), small, false},
		{"16 kB head with a larger buffer", []byte("GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 20000) + "\r\n\r\n"), Limits{HeadLen: 32768 - 1024, Fields: 100}, true},
	}
	for _, tc := range tests {
		var req Request
		err := ParseRequestLimits(&req, tc.in, tc.lim)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}
