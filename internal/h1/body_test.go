package h1

import "testing"

func TestRequestBodyFraming(t *testing.T) {
	tests := []struct {
		name string
		in   string
		mode BodyMode
		n    int64
	}{
		{"no framing fields", "POST / HTTP/1.1||", BodyNone, 0},
		{"content-length", "POST / HTTP/1.1|Content-Length: 12||", BodyLength, 12},
		{"content-length 0", "POST / HTTP/1.1|Content-Length: 0||", BodyNone, 0},
		{"chunked", "POST / HTTP/1.1|Transfer-Encoding: chunked||", BodyChunked, 0},
		{"GET with body", "GET / HTTP/1.1|Content-Length: 3||", BodyLength, 3},
	}
	for _, tt := range tests {
		var req Request
		if err := ParseRequest(&req, []byte(crlf(tt.in))); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if mode, n := req.BodyFraming(); mode != tt.mode || n != tt.n {
			t.Errorf("%s: BodyFraming() = %v, %d, want %v, %d", tt.name, mode, n, tt.mode, tt.n)
		}
	}
}

func TestResponseBodyFraming(t *testing.T) {
	tests := []struct {
		name   string
		method string
		in     string
		mode   BodyMode
		n      int64
	}{
		{"content-length", "GET", "HTTP/1.1 200 OK|Content-Length: 5||", BodyLength, 5},
		{"content-length 0", "GET", "HTTP/1.1 200 OK|Content-Length: 0||", BodyNone, 0},
		{"chunked", "POST", "HTTP/1.1 200 OK|Transfer-Encoding: chunked||", BodyChunked, 0},
		{"until close", "GET", "HTTP/1.1 200 OK||", BodyUntilClose, 0},
		{"until close 1.0", "GET", "HTTP/1.0 200 OK||", BodyUntilClose, 0},
		{"HEAD with CL", "HEAD", "HTTP/1.1 200 OK|Content-Length: 5||", BodyNone, 0},
		{"HEAD chunked", "HEAD", "HTTP/1.1 200 OK|Transfer-Encoding: chunked||", BodyNone, 0},
		{"HEAD nothing", "HEAD", "HTTP/1.1 200 OK||", BodyNone, 0},
		{"100", "GET", "HTTP/1.1 100 Continue||", BodyNone, 0},
		{"101", "GET", "HTTP/1.1 101 Switching Protocols|Connection: upgrade|Upgrade: websocket||", BodyNone, 0},
		{"103 with CL", "GET", "HTTP/1.1 103 Early Hints|Content-Length: 5||", BodyNone, 0},
		{"204", "GET", "HTTP/1.1 204 No Content|Content-Length: 5||", BodyNone, 0},
		{"304", "GET", "HTTP/1.1 304 Not Modified|Transfer-Encoding: chunked||", BodyNone, 0},
		{"2xx to CONNECT", "CONNECT", "HTTP/1.1 200 Connection established|Content-Length: 5||", BodyNone, 0},
		{"407 to CONNECT", "CONNECT", "HTTP/1.1 407 Proxy Auth|Content-Length: 5||", BodyLength, 5},
		{"205", "GET", "HTTP/1.1 205 Reset|Content-Length: 0||", BodyNone, 0},
	}
	for _, tt := range tests {
		var resp Response
		if err := ParseResponse(&resp, []byte(crlf(tt.in))); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if mode, n := resp.BodyFraming([]byte(tt.method)); mode != tt.mode || n != tt.n {
			t.Errorf("%s: BodyFraming(%q) = %v, %d, want %v, %d", tt.name, tt.method, mode, n, tt.mode, tt.n)
		}
	}
}

func TestResponseKeepAlive(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"HTTP/1.1 200 OK||", true},
		{"HTTP/1.1 200 OK|Connection: close||", false},
		{"HTTP/1.0 200 OK||", false},
		{"HTTP/1.0 200 OK|Connection: Keep-Alive||", true},
	}
	for _, tt := range tests {
		var resp Response
		if err := ParseResponse(&resp, []byte(crlf(tt.in))); err != nil {
			t.Fatal(err)
		}
		if got := resp.KeepAlive(); got != tt.want {
			t.Errorf("%q: KeepAlive() = %v, want %v", tt.in, got, tt.want)
		}
	}
}
