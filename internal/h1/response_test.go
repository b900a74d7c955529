package h1

import (
	"strings"
	"testing"
)

func TestParseResponseValid(t *testing.T) {
	tests := []struct {
		name       string
		in         string
		minor      int
		status     int
		reason     string
		headers    int
		cl         int64
		chunked    bool
		close      bool
		upgrade    bool
		ws, accept bool
	}{
		{"ok", "HTTP/1.1 200 OK|Content-Length: 2|", 1, 200, "OK", 1, 2, false, false, false, false, false},
		{"no reason", "HTTP/1.1 204|", 1, 204, "", 0, -1, false, false, false, false, false},
		{"empty reason", "HTTP/1.1 404 |", 1, 404, "", 0, -1, false, false, false, false, false},
		{"reason with spaces and obs-text", "HTTP/1.0 500 Internal \tServer Erreur \xe9|", 0, 500, "Internal \tServer Erreur \xe9", 0, -1, false, false, false, false, false},
		{"HTTP/1.2 is 1.1", "HTTP/1.2 200 OK|", 1, 200, "OK", 0, -1, false, false, false, false, false},
		{"status 100", "HTTP/1.1 100 Continue|", 1, 100, "Continue", 0, -1, false, false, false, false, false},
		{"status 599", "HTTP/1.1 599 X|", 1, 599, "X", 0, -1, false, false, false, false, false},
		{"chunked", "HTTP/1.1 200 OK|Transfer-Encoding: chunked|", 1, 200, "OK", 1, -1, true, false, false, false, false},
		{"close", "HTTP/1.1 200 OK|Connection: close|", 1, 200, "OK", 1, -1, false, true, false, false, false},
		{"websocket", "HTTP/1.1 101 Switching Protocols|Upgrade: websocket|Connection: Upgrade|Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=|", 1, 101, "Switching Protocols", 3, -1, false, false, true, true, true},
		{"leading CRLF", "|HTTP/1.1 200 OK|", 1, 200, "OK", 0, -1, false, false, false, false, false},
		// Host and Sec-WebSocket-Key mean nothing in a response.
		{"request-only fields ignored", "HTTP/1.1 200 OK|Host: a|Host: b c|Sec-WebSocket-Key: x|Sec-WebSocket-Key: y|", 1, 200, "OK", 4, -1, false, false, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := crlf(tt.in + "|")
			var resp Response
			if err := ParseResponse(&resp, []byte(in)); err != nil {
				t.Fatalf("ParseResponse(%q) = %v, want nil", in, err)
			}
			checks := []struct {
				what      string
				got, want any
			}{
				{"Major", resp.Major, 1},
				{"Minor", resp.Minor, tt.minor},
				{"Status", resp.Status, tt.status},
				{"Reason", string(resp.Reason), tt.reason},
				{"len(Headers)", len(resp.Headers), tt.headers},
				{"HeadLen", resp.HeadLen, len(in)},
				{"ContentLength", resp.ContentLength, tt.cl},
				{"Chunked", resp.Chunked, tt.chunked},
				{"ConnClose", resp.ConnClose, tt.close},
				{"ConnUpgrade", resp.ConnUpgrade, tt.upgrade},
				{"UpgradeWebSocket", resp.UpgradeWebSocket, tt.ws},
				{"HasWebSocketAccept", resp.HasWebSocketAccept, tt.accept},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
				}
			}
		})
	}
}

func TestParseResponseInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want rule
	}{
		{"bare LF", "HTTP/1.1 200 OK\nX: y\r\n\r\n", ruleBareLF},
		{"bare LF first", "\nHTTP/1.1 200 OK\r\n\r\n", ruleBareLF},
		{"bare LF after status", "HTTP/1.1 200\n\r\n", ruleBareLF},
		{"bare CR", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", ruleBareCR},
		{"lower-case version", "http/1.1 200 OK||", ruleVersion},
		{"HTTP/2.0", "HTTP/2.0 200 OK||", ruleVersionUnsupported},
		{"HTTP/0.9", "HTTP/0.9 200 OK||", ruleVersionUnsupported},
		{"no status", "HTTP/1.1||", ruleStatus},
		{"two SPs", "HTTP/1.1  200 OK||", ruleStatus},
		{"two-digit status", "HTTP/1.1 20 OK||", ruleStatus},
		{"four-digit status", "HTTP/1.1 2000 OK||", ruleStatus},
		{"status letter", "HTTP/1.1 2x0 OK||", ruleStatus},
		{"status 099", "HTTP/1.1 099 X||", ruleStatusRange},
		{"status 600", "HTTP/1.1 600 X||", ruleStatusRange},
		{"reason CTL", "HTTP/1.1 200 O\x01K||", ruleReason},
		{"reason NUL", "HTTP/1.1 200 O\x00K||", ruleReason},
		{"obs-fold", "HTTP/1.1 200 OK|X: a| b||", ruleObsFold},
		{"value NUL", "HTTP/1.1 200 OK|X: a\x00||", ruleFieldValueNUL},
		{"space before colon", "HTTP/1.1 200 OK|X : a||", ruleFieldNameSpace},
		{"101 headers", "HTTP/1.1 200 OK|" + strings.Repeat("X: y|", 101) + "|", ruleTooManyFields},
		{"CL differing", "HTTP/1.1 200 OK|Content-Length: 2|Content-Length: 3||", ruleCLConflict},
		{"CL invalid", "HTTP/1.1 200 OK|Content-Length: x||", ruleCLInvalid},
		{"CL and TE", "HTTP/1.1 200 OK|Content-Length: 2|Transfer-Encoding: chunked||", ruleCLWithTE},
		{"TE gzip", "HTTP/1.1 200 OK|Transfer-Encoding: gzip||", ruleTEChunkedNotLast},
		{"TE gzip, chunked", "HTTP/1.1 200 OK|Transfer-Encoding: gzip, chunked||", ruleTEUnsupported},
		{"TE in HTTP/1.0", "HTTP/1.0 200 OK|Transfer-Encoding: chunked||", ruleTEHTTP10},
		{"head too large", "HTTP/1.1 200 OK|X: " + strings.Repeat("a", MaxHeadLen), ruleHeadTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := crlf(tt.in)
			var resp Response
			err := ParseResponse(&resp, []byte(in))
			if got := ruleOf(err); got != tt.want {
				t.Fatalf("ParseResponse(%.80q) = %s, want %q", in, errName(err), ruleMsgs[tt.want])
			}
			if got := err.(*Error).Status; got != 502 {
				t.Errorf("Status = %d, want 502", got)
			}
		})
	}
}

func TestParseResponseIncomplete(t *testing.T) {
	full := crlf("|HTTP/1.1 200 OK|Content-Length: 2|Set-Cookie: a=b||")
	for i := 0; i < len(full); i++ {
		var resp Response
		if err := ParseResponse(&resp, []byte(full[:i])); err != ErrIncomplete {
			t.Errorf("ParseResponse(%q) = %s, want ErrIncomplete", full[:i], errName(err))
		}
	}
}
