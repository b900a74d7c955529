package h1

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestOracleDifferences lists, one input each, the documented cases where
// our request parser and net/http.ReadRequest disagree, and checks that
// the fuzz classifiers recognise each of them (and nothing else).
func TestOracleDifferences(t *testing.T) {
	stricter := []struct{ in, why string }{
		{"GET / HTTP/1.1\nHost: a\n\n", "bare LF"},
		{"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n", "obs-fold"},
		{"GET / HTTP/1.1\r\nX : a\r\n\r\n", "whitespace before colon"},
		{"GET / HTTP/1.1\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n", "MaxHeaders"},
		{"GET / HTTP/1.1\r\nX: " + strings.Repeat("a", MaxHeadLen) + "\r\n\r\n", "MaxHeadLen"},
		{"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "Content-Length with Transfer-Encoding"},
		{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", "Transfer-Encoding in HTTP/1.0"},
		{"GET / HTTP/2.0\r\n\r\n", "major version"},
		{"CONNECT  HTTP/1.1\r\n\r\n", "empty request-target"},
		{"GET /\xc3\xa9 HTTP/1.1\r\n\r\n", "non-ASCII"},
		{"GET /#f HTTP/1.1\r\n\r\n", "fragment"},
		{"GET * HTTP/1.1\r\n\r\n", "asterisk-form"},
		{"CONNECT /x HTTP/1.1\r\n\r\n", "CONNECT without authority-form"},
		{"CONNECT h HTTP/1.1\r\n\r\n", "authority with"},
		{"GET http://u@h/ HTTP/1.1\r\n\r\n", "authority with"},
		{"GET http:/x HTTP/1.1\r\n\r\n", "without //authority"},
		{"GET http://h/ HTTP/1.1\r\nHost: other\r\n\r\n", "Host differs"},
		{"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "invalid Host"},
		{"GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", "WebSocket upgrade"},
		{"GET / HTTP/1.1\r\nSec-WebSocket-Key: a\r\nSec-WebSocket-Key: b\r\n\r\n", "duplicate Sec-WebSocket-Key"},
	}
	for _, tt := range stricter {
		data := []byte(tt.in)
		var req Request
		err := ParseRequest(&req, data)
		if err == nil || err == ErrIncomplete {
			t.Errorf("%q: ParseRequest = %s, want a rejection", tt.in, errName(err))
			continue
		}
		rd := bytes.NewReader(data)
		br := bufio.NewReaderSize(rd, 64<<10)
		hreq, herr := http.ReadRequest(br)
		if herr != nil {
			t.Errorf("%q: net/http rejects it too (%v): not a difference", tt.in, herr)
			continue
		}
		head := data[:len(data)-rd.Len()-br.Buffered()]
		if why := requestStrictness(head, 0, hreq); !strings.Contains(why, tt.why) {
			t.Errorf("%q: classified as %q, want %q", tt.in, why, tt.why)
		}
	}

	// Leniency: we accept, net/http rejects.
	lenient := []string{"POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n"}
	for _, in := range lenient {
		var req Request
		if err := ParseRequest(&req, []byte(in)); err != nil {
			t.Errorf("%q: ParseRequest = %v, want nil", in, err)
		}
		if _, herr := http.ReadRequest(bufio.NewReader(strings.NewReader(in))); herr == nil {
			t.Errorf("%q: net/http accepts it too: not a difference", in)
		}
		if headLeniency([]byte(in)) == "" {
			t.Errorf("%q: not classified as a leniency", in)
		}
	}

	// A plain request is neither.
	plain := []byte("GET /a HTTP/1.1\r\nHost: h:80\r\nConnection: keep-alive\r\n\r\n")
	hreq, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(plain)))
	if err != nil {
		t.Fatal(err)
	}
	if why := requestStrictness(plain, 0, hreq); why != "" {
		t.Errorf("plain request classified as %q", why)
	}
}
