package h1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The fuzz tests use Go's net/http as a differential oracle:
//
//   - when we accept a head, net/http must accept it too and agree on the
//     method, target, version, path, query, Host, header values, head
//     length, body framing and connection persistence;
//   - when net/http rejects a head, we must reject it, unless
//     headLeniency names a documented leniency of ours;
//   - when we reject a head that net/http accepts, requestStrictness or
//     responseStrictness must name the documented rule, checked on the
//     input independently of our parser;
//   - a head we accept yields ErrIncomplete for every shorter prefix, and
//     a head we reject yields ErrIncomplete or the same error.
//
// Leading CRLFs, which we skip (RFC 9112 §2.2) and net/http does not, are
// removed before the input is given to net/http.

var requestSeeds = []string{
	"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
	"\r\nGET /a/b?c=d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	"POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello",
	"POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"POST /x HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
	"POST /x HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\nabc",
	"POST /x HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabc",
	"POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
	"POST /x HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	"GET http://h:8080/p?q HTTP/1.1\r\nHost: h:8080\r\n\r\n",
	"GET http://h/p HTTP/1.1\r\nHost: other\r\n\r\n",
	"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET /chat HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: " + wsKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n",
	"GET /chat HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
	"GET / HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n",
	"GET / HTTP/1.1\nHost: a\n\n",
	"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
	"GET / HTTP/1.1\r\nX : a\r\n\r\n",
	"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
	"GET / HTTP/2.0\r\n\r\n",
	"GET / HTTP/1.2\r\nHost: a\r\n\r\n",
	"GET /a#b HTTP/1.1\r\n\r\n",
	"GET * HTTP/1.1\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
	"GET /%zz HTTP/1.1\r\n\r\n",
	"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n\r\n",
}

var responseSeeds = []string{
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
	"HTTP/1.1 204\r\n\r\n",
	"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\n\r\nuntil close",
	"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
	"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
	"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	"HTTP/1.1 099 X\r\n\r\n",
	"HTTP/1.1  200 OK\r\n\r\n",
	"HTTP/1.1 200 O\x01K\r\n\r\n",
	"HTTP/2.0 200 OK\r\n\r\n",
	"\r\nHTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\nx",
	"HTTP/1.1 200 OK\nX: y\n\n",
}

var chunkedSeeds = []string{
	"0\r\n\r\n",
	chunkedSample,
	"3\r\nabc\r\n0\r\n\r\n",
	"1;a=b\r\nx\r\n0;c\r\nT: v\r\n\r\n",
	"1 \r\nx\r\n0\r\n\r\n",
	"1\nx\r\n0\r\n\r\n",
	"1\r\nx\n0\r\n\r\n",
	"0\r\nT: v\n\r\n",
	"0\r\nT: v\r\n w\r\n\r\n",
	"0000000000000001\r\nx\r\n0\r\n\r\n",
	"00000000000000001\r\nx\r\n0\r\n\r\n",
	"fffffffffffffff\r\n",
	"1;\x01\r\nx\r\n0\r\n\r\n",
	"0\r\nT : v\r\n\r\n",
}

func FuzzParseRequest(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req Request
		err := ParseRequest(&req, data)
		checkPrefixes(t, data, err, req.HeadLen, func(b []byte) error {
			var r Request
			return ParseRequest(&r, b)
		})

		skip := leadingCRLFs(data)
		rd := bytes.NewReader(data[skip:])
		br := bufio.NewReaderSize(rd, 64<<10)
		hreq, herr := http.ReadRequest(br)
		consumed := len(data) - skip - rd.Len() - br.Buffered()
		switch {
		case err == nil:
			if herr != nil {
				if why := headLeniency(data[skip:]); why == "" {
					t.Fatalf("we accept, net/http rejects (%v): %q", herr, data)
				}
				return
			}
			compareRequest(t, data, &req, hreq, skip+consumed)
		case err == ErrIncomplete:
			if herr == nil {
				t.Fatalf("we say incomplete, net/http accepts: %q", data)
			}
		default:
			if herr == nil {
				head := data[skip : skip+consumed]
				if why := requestStrictness(head, skip, hreq); why == "" {
					t.Fatalf("we reject (%v), net/http accepts, and no documented rule explains it: %q", err, data)
				}
			}
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var resp Response
		err := ParseResponse(&resp, data)
		checkPrefixes(t, data, err, resp.HeadLen, func(b []byte) error {
			var r Response
			return ParseResponse(&r, b)
		})

		skip := leadingCRLFs(data)
		rd := bytes.NewReader(data[skip:])
		br := bufio.NewReaderSize(rd, 64<<10)
		hresp, herr := http.ReadResponse(br, nil) // a response to GET
		consumed := len(data) - skip - rd.Len() - br.Buffered()
		switch {
		case err == nil:
			if herr != nil {
				if why := headLeniency(data[skip:]); why == "" {
					t.Fatalf("we accept, net/http rejects (%v): %q", herr, data)
				}
				return
			}
			compareResponse(t, data, &resp, hresp, skip+consumed)
		case err == ErrIncomplete:
			if herr == nil {
				t.Fatalf("we say incomplete, net/http accepts: %q", data)
			}
		default:
			if err.(*Error).Status != 502 {
				t.Fatalf("response error %v has status %d, want 502", err, err.(*Error).Status)
			}
			if herr == nil {
				head := data[skip : skip+consumed]
				if why := responseStrictness(head, skip, hresp); why == "" {
					t.Fatalf("we reject (%v), net/http accepts, and no documented rule explains it: %q", err, data)
				}
			}
		}
	})
}

func FuzzChunked(f *testing.F) {
	for _, s := range chunkedSeeds {
		f.Add([]byte(s), uint16(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		// The result must not depend on how the bytes are split.
		var s ChunkedScanner
		n, done, err := s.Scan(data)
		payload, n1, done1, err1 := decodeBytewise(data)
		if n != n1 || done != done1 || err != err1 {
			t.Fatalf("one Scan = %d, %v, %v; byte at a time = %d, %v, %v; input %q", n, done, err, n1, done1, err1, data)
		}
		if c := int(cut); c <= len(data) {
			var s2 ChunkedScanner
			a, d, e := s2.Scan(data[:c])
			if e == nil && !d {
				var b int
				b, d, e = s2.Scan(data[c:])
				a += b
			}
			if a != n || d != done || e != err {
				t.Fatalf("split at %d = %d, %v, %v; want %d, %v, %v; input %q", c, a, d, e, n, done, err, data)
			}
		}

		rd := bytes.NewReader(data)
		br := bufio.NewReaderSize(rd, 64<<10)
		hpayload, herr := io.ReadAll(httputil.NewChunkedReader(br))
		if herr == nil {
			herr = readTrailerLikeNetHTTP(br)
		}
		consumed := len(data) - rd.Len() - br.Buffered()
		switch {
		case done:
			if herr != nil {
				if !strings.Contains(herr.Error(), "too much non-data") {
					t.Fatalf("we accept, net/http rejects (%v): %q", herr, data)
				}
				return
			}
			if n != consumed {
				t.Fatalf("we consume %d bytes, net/http %d: %q", n, consumed, data)
			}
			if !bytes.Equal(payload, hpayload) {
				t.Fatalf("payload %q, net/http %q: %q", payload, hpayload, data)
			}
		case err == nil:
			if herr == nil {
				t.Fatalf("we want more bytes, net/http accepts: %q", data)
			}
		default:
			if herr == nil {
				if why := chunkedStrictness(data); why == "" {
					t.Fatalf("we reject (%v), net/http accepts, and no documented rule explains it: %q", err, data)
				}
			}
		}
	})
}

// checkPrefixes checks that the result for data does not depend on how
// it arrives: every prefix shorter than an accepted head is incomplete,
// and a prefix of a rejected input is incomplete or rejected the same way.
func checkPrefixes(t *testing.T, data []byte, err error, headLen int, parse func([]byte) error) {
	t.Helper()
	end := len(data)
	if err == nil {
		end = headLen
	}
	step := max(1, end/64)
	for i := 0; i < end; i += step {
		perr := parse(data[:i])
		if perr != ErrIncomplete && (err == nil || perr != err) {
			t.Fatalf("prefix %d of %q: %s, whole input: %s", i, data, errName(perr), errName(err))
		}
	}
}

func leadingCRLFs(data []byte) int {
	n := 0
	for bytes.HasPrefix(data[n:], []byte("\r\n")) {
		n += 2
	}
	return n
}

// decodeBytewise feeds data to a scanner one byte at a time and collects
// the bytes the scanner counts as chunk data.
func decodeBytewise(data []byte) (payload []byte, n int, done bool, err error) {
	var s ChunkedScanner
	for i := range data {
		inData := s.state == csData
		k, d, e := s.Scan(data[i : i+1])
		if inData && k == 1 {
			payload = append(payload, data[i])
		}
		n += k
		if d || e != nil {
			return payload, n, d, e
		}
	}
	return payload, n, s.Done(), nil
}

// readTrailerLikeNetHTTP reads a trailer section as net/http's body reader
// does after the last chunk (transfer.go, body.readTrailer).
func readTrailerLikeNetHTTP(br *bufio.Reader) error {
	buf, err := br.Peek(2)
	if bytes.Equal(buf, []byte("\r\n")) {
		br.Discard(2)
		return nil
	}
	if len(buf) < 2 {
		return io.ErrUnexpectedEOF
	}
	if err != nil {
		return err
	}
	found := false
	for size := 4; ; size++ {
		b, err := br.Peek(size)
		if bytes.HasSuffix(b, []byte("\r\n\r\n")) {
			found = true
			break
		}
		if err != nil {
			break
		}
	}
	if !found {
		return io.ErrUnexpectedEOF
	}
	_, err = textproto.NewReader(br).ReadMIMEHeader()
	return err
}

func compareRequest(t *testing.T, data []byte, req *Request, hreq *http.Request, headLen int) {
	t.Helper()
	fail := func(what string, got, want any) {
		t.Helper()
		t.Fatalf("%s: we have %v, net/http %v; input %q", what, got, want, data)
	}
	if string(req.Method) != hreq.Method {
		fail("method", string(req.Method), hreq.Method)
	}
	if string(req.Target) != hreq.RequestURI {
		fail("target", string(req.Target), hreq.RequestURI)
	}
	if req.Major != hreq.ProtoMajor || req.Minor != min(hreq.ProtoMinor, 1) {
		fail("version", [2]int{req.Major, req.Minor}, [2]int{hreq.ProtoMajor, hreq.ProtoMinor})
	}
	if req.HeadLen != headLen {
		fail("head length", req.HeadLen, headLen)
	}
	if hreq.URL != nil && string(req.Target) != "*" && string(req.Method) != "CONNECT" {
		p, perr := url.PathUnescape(string(req.Path))
		if perr != nil || p != hreq.URL.Path {
			fail("path", p, hreq.URL.Path)
		}
		if string(req.Query) != hreq.URL.RawQuery || (req.Query != nil) != (hreq.URL.RawQuery != "" || hreq.URL.ForceQuery) {
			fail("query", req.Query, hreq.URL.RawQuery)
		}
	}
	if req.Target[0] == '/' && string(req.Host) != hreq.Host {
		fail("host", string(req.Host), hreq.Host)
	}
	hChunked := slices.Equal(hreq.TransferEncoding, []string{"chunked"})
	if req.Chunked != hChunked {
		fail("chunked", req.Chunked, hChunked)
	}
	wantCL := req.ContentLength
	switch {
	case req.Chunked:
		wantCL = -1
	case wantCL < 0:
		wantCL = 0 // net/http: a request without framing has no body
	}
	if wantCL != hreq.ContentLength {
		fail("content length", wantCL, hreq.ContentLength)
	}
	if req.KeepAlive() == hreq.Close {
		fail("keep-alive", req.KeepAlive(), !hreq.Close)
	}
	compareFlags(t, data, hreq.Header, req.ConnClose, req.ConnKeepAlive, req.ConnUpgrade, req.UpgradeWebSocket)
	compareHeaders(t, data, req.Headers, hreq.Header)
}

func compareResponse(t *testing.T, data []byte, resp *Response, hresp *http.Response, headLen int) {
	t.Helper()
	fail := func(what string, got, want any) {
		t.Helper()
		t.Fatalf("%s: we have %v, net/http %v; input %q", what, got, want, data)
	}
	if resp.Status != hresp.StatusCode {
		fail("status", resp.Status, hresp.StatusCode)
	}
	if resp.Major != hresp.ProtoMajor || resp.Minor != min(hresp.ProtoMinor, 1) {
		fail("version", [2]int{resp.Major, resp.Minor}, [2]int{hresp.ProtoMajor, hresp.ProtoMinor})
	}
	if resp.HeadLen != headLen {
		fail("head length", resp.HeadLen, headLen)
	}
	_, reason, _ := strings.Cut(hresp.Status, " ")
	if string(resp.Reason) != reason {
		fail("reason", string(resp.Reason), reason)
	}
	mode, n := resp.BodyFraming([]byte("GET"))
	hmode, hn := BodyUntilClose, int64(0)
	hChunked := slices.Equal(hresp.TransferEncoding, []string{"chunked"})
	switch s := hresp.StatusCode; {
	case s < 200 || s == 204 || s == 304:
		hmode = BodyNone
	case hChunked:
		hmode = BodyChunked
	case hresp.ContentLength > 0:
		hmode, hn = BodyLength, hresp.ContentLength
	case hresp.ContentLength == 0:
		hmode = BodyNone
	}
	if mode != hmode || n != hn {
		fail("body framing", [2]any{mode, n}, [2]any{hmode, hn})
	}
	if close := !resp.KeepAlive() || mode == BodyUntilClose; close != hresp.Close {
		fail("close", close, hresp.Close)
	}
	compareFlags(t, data, hresp.Header, resp.ConnClose, resp.ConnKeepAlive, resp.ConnUpgrade, resp.UpgradeWebSocket)
	compareHeaders(t, data, resp.Headers, hresp.Header)
}

// compareFlags recomputes the Connection and Upgrade flags from net/http's
// header map with plain string functions.
func compareFlags(t *testing.T, data []byte, h http.Header, close, keepAlive, upgrade, ws bool) {
	t.Helper()
	has := func(key, token string, nameOnly bool) bool {
		for _, v := range h.Values(key) {
			for e := range strings.SplitSeq(v, ",") {
				e = strings.Trim(e, " \t")
				if nameOnly {
					e, _, _ = strings.Cut(e, "/")
				}
				if strings.EqualFold(e, token) {
					return true
				}
			}
		}
		return false
	}
	got := [4]bool{close, keepAlive, upgrade, ws}
	want := [4]bool{has("Connection", "close", false), has("Connection", "keep-alive", false), has("Connection", "upgrade", false), has("Upgrade", "websocket", true)}
	if got != want {
		t.Fatalf("close/keep-alive/upgrade/websocket flags: we have %v, net/http's header says %v; input %q", got, want, data)
	}
}

// compareHeaders checks that our field lines and net/http's header map
// hold the same values in the same order. net/http removes or rewrites
// Transfer-Encoding, Content-Length (deduplicated), Trailer and
// Cache-Control (added for Pragma: no-cache), and moves Host to
// Request.Host, so those are skipped.
func compareHeaders(t *testing.T, data []byte, ours []Header, theirs http.Header) {
	t.Helper()
	skip := map[string]bool{"Transfer-Encoding": true, "Content-Length": true, "Trailer": true, "Cache-Control": true, "Host": true}
	got := map[string][]string{}
	for _, h := range ours {
		k := http.CanonicalHeaderKey(string(h.Name))
		if !skip[k] {
			got[k] = append(got[k], string(h.Value))
		}
	}
	want := map[string][]string{}
	for k, v := range theirs {
		if !skip[k] {
			want[k] = v
		}
	}
	if len(got) != len(want) {
		t.Fatalf("header keys: we have %q, net/http %q; input %q", got, want, data)
	}
	for k, v := range got {
		if !slices.Equal(v, want[k]) {
			t.Fatalf("header %s: we have %q, net/http %q; input %q", k, v, want[k], data)
		}
	}
}

// headLeniency names the documented case where we accept a head that
// net/http rejects, or returns "".
func headLeniency(data []byte) string {
	// A Content-Length comma list of identical values (RFC 9110 §8.6
	// lets a recipient collapse it; HAProxy does).
	for _, l := range headLines(data) {
		if name, value, ok := strings.Cut(l, ":"); ok && strings.EqualFold(name, "Content-Length") && strings.Contains(value, ",") {
			return "Content-Length list of identical values"
		}
	}
	return ""
}

// headLines returns the field lines of the head at the start of data
// (split on LF, CR removed), without the start line and the empty line.
func headLines(data []byte) []string {
	var lines []string
	for i, l := range strings.Split(string(data), "\n") {
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			break
		}
		if i > 0 {
			lines = append(lines, l)
		}
	}
	return lines
}

// fieldStrictness names the documented field rule of ours that head (as
// net/http read it) violates, or returns "".
func fieldStrictness(head []byte, skip int) string {
	for i, c := range head {
		if c == '\n' && (i == 0 || head[i-1] != '\r') {
			return "bare LF (RFC 9112 §2.2)"
		}
	}
	lines := headLines(head)
	for _, l := range lines {
		if l[0] == ' ' || l[0] == '\t' {
			return "obs-fold (RFC 9112 §5.2)"
		}
		if name, _, _ := strings.Cut(l, ":"); strings.ContainsAny(name, " \t") {
			return "whitespace before colon (RFC 9112 §5.1)"
		}
	}
	counted := 0
	for _, l := range lines {
		name, value, _ := strings.Cut(l, ":")
		if !onlyPersistence([]byte(name), []byte(strings.TrimSpace(value))) {
			counted++
		}
	}
	if counted > MaxHeaders {
		return "more than MaxHeaders fields"
	}
	if skip+len(head) > MaxHeadLen {
		return "head longer than MaxHeadLen"
	}
	if framing(lines) {
		return "Content-Length with Transfer-Encoding (RFC 9112 §6.1)"
	}
	return ""
}

// framing reports both Content-Length and Transfer-Encoding fields.
func framing(lines []string) bool {
	var cl, te bool
	for _, l := range lines {
		name, _, _ := strings.Cut(l, ":")
		cl = cl || strings.EqualFold(name, "Content-Length")
		te = te || strings.EqualFold(name, "Transfer-Encoding")
	}
	return cl && te
}

// requestStrictness names the documented rule of ours that a request head
// accepted by net/http violates, or returns "".
func requestStrictness(head []byte, skip int, hreq *http.Request) string {
	if why := fieldStrictness(head, skip); why != "" {
		return why
	}
	if hreq.ProtoMajor != 1 {
		return "HTTP major version other than 1 (505)"
	}
	if hreq.ProtoMinor == 0 && hasField(head, "Transfer-Encoding") {
		return "Transfer-Encoding in HTTP/1.0 (RFC 9112 §6.1)"
	}
	uri := hreq.RequestURI
	switch {
	case uri == "":
		return "empty request-target (RFC 9112 §3)"
	case strings.ContainsFunc(uri, func(r rune) bool { return r >= 0x80 || r == '#' }):
		return "non-ASCII byte or fragment in request-target (RFC 9112 §3.2)"
	case uri == "*" && hreq.Method != "OPTIONS":
		return "asterisk-form without OPTIONS (RFC 9112 §3.2.4)"
	case hreq.Method == "CONNECT" && strings.HasPrefix(uri, "/"):
		return "CONNECT without authority-form (RFC 9112 §3.2.3)"
	case uri[0] != '/' && uri != "*":
		// absolute-form and authority-form: our authority rules.
		auth := uri
		if hreq.Method != "CONNECT" {
			scheme, rest, ok := strings.Cut(uri, "://")
			if !ok || scheme == "" || hreq.URL.Opaque != "" {
				return "absolute-form without //authority"
			}
			auth, _, _ = strings.Cut(rest, "/")
			auth, _, _ = strings.Cut(auth, "?")
		}
		if !plainAuthority(auth, hreq.Method == "CONNECT") {
			return "authority with userinfo, %, IP literal, empty host or bad port (RFC 9110 §4.2)"
		}
		if hosts := fieldValues(head, "Host"); len(hosts) > 0 && !strings.EqualFold(hosts[0], auth) {
			return "Host differs from absolute-form authority (RFC 9112 §3.2.2)"
		}
	}
	if hosts := fieldValues(head, "Host"); len(hosts) == 1 && hosts[0] != "" && !plainAuthority(hosts[0], false) {
		return "invalid Host value (RFC 9110 §7.2)"
	}
	if keys := hreq.Header.Values("Sec-WebSocket-Key"); len(keys) > 1 {
		return "duplicate Sec-WebSocket-Key (RFC 6455 §11.3.1)"
	} else if hasTok(hreq.Header, "Connection", "upgrade") && hasTok(hreq.Header, "Upgrade", "websocket") && (len(keys) == 0 || len(keys[0]) != 24) {
		return "WebSocket upgrade without 24-character key (HAProxy 2.4+)"
	}
	return ""
}

// plainAuthority is a deliberately coarse over-approximation of what our
// authority rules reject: it reports false for anything with userinfo,
// a '%', an IP literal, an empty host, a character outside reg-name, or a
// port that is not 1 to 5 digits (or missing when needPort).
func plainAuthority(a string, needPort bool) bool {
	if strings.ContainsAny(a, "@%[]") {
		return false
	}
	host, port, hasPort := strings.Cut(a, ":")
	if host == "" || strings.Trim(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=") != "" {
		return false
	}
	if !hasPort {
		return !needPort
	}
	return len(port) >= 1 && len(port) <= 5 && strings.Trim(port, "0123456789") == ""
}

// fieldValues returns the OWS-trimmed values of the field lines named
// name in head.
func fieldValues(head []byte, name string) []string {
	var vs []string
	for _, l := range headLines(head) {
		if n, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(n, name) {
			vs = append(vs, strings.Trim(v, " \t"))
		}
	}
	return vs
}

// hasField reports a field line named name in head.
func hasField(head []byte, name string) bool {
	return slices.ContainsFunc(headLines(head), func(l string) bool {
		n, _, _ := strings.Cut(l, ":")
		return strings.EqualFold(n, name)
	})
}

func hasTok(h http.Header, key, token string) bool {
	for _, v := range h.Values(key) {
		for e := range strings.SplitSeq(v, ",") {
			e, _, _ = strings.Cut(strings.Trim(e, " \t"), "/")
			if strings.EqualFold(e, token) {
				return true
			}
		}
	}
	return false
}

// responseStrictness names the documented rule of ours that a response
// head accepted by net/http violates, or returns "".
func responseStrictness(head []byte, skip int, hresp *http.Response) string {
	if why := fieldStrictness(head, skip); why != "" {
		return why
	}
	line, _, _ := strings.Cut(string(head), "\n")
	line = strings.TrimSuffix(line, "\r")
	switch {
	case hresp.ProtoMajor != 1:
		return "HTTP major version other than 1"
	case hresp.StatusCode < 100 || hresp.StatusCode > 599:
		return "status outside 100-599 (RFC 9110 §15)"
	case len(line) > 9 && line[9] == ' ':
		return "more than one SP after the version (RFC 9112 §4)"
	case strings.ContainsFunc(line, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }):
		return "CTL in reason phrase (RFC 9112 §4)"
	case hresp.ProtoMinor == 0 && hasField(head, "Transfer-Encoding"):
		return "Transfer-Encoding in HTTP/1.0 (RFC 9112 §6.1)"
	}
	return ""
}

// chunkedStrictness names the documented rule of ours that a chunked body
// accepted by net/http violates, or returns "". It walks the body the way
// net/http reads it (lines end at LF; sizes, then data).
func chunkedStrictness(data []byte) string {
	rest := data
	for {
		line, after, ok := bytes.Cut(rest, []byte("\n"))
		if !ok {
			return ""
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > maxChunkLine {
			return "chunk size line longer than 4094 bytes"
		}
		size, ext, hasExt := bytes.Cut(line, []byte(";"))
		if bytes.ContainsAny(size, " \t") {
			return "whitespace after chunk size (RFC 9112 §7.1)"
		}
		if hasExt && bytes.ContainsFunc(ext, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
			return "CTL in chunk extension"
		}
		n := 0
		for _, c := range size {
			n = n<<4 | int(unhex(c))
			if n > len(data) {
				return ""
			}
		}
		rest = after
		if n == 0 {
			break
		}
		if len(rest) < n+2 {
			return ""
		}
		rest = rest[n+2:]
	}
	// The trailer section: the field rules of a head.
	if len(rest) > MaxHeadLen {
		return "trailer section longer than MaxHeadLen"
	}
	end := bytes.Index(rest, []byte("\r\n\r\n"))
	if bytes.HasPrefix(rest, []byte("\r\n")) {
		return ""
	}
	if end < 0 {
		end = len(rest)
	} else {
		end += 4
	}
	trailer := append([]byte("X\r\n"), rest[:end]...)
	if why := fieldStrictness(trailer, 0); why != "" && !strings.Contains(why, "Content-Length") {
		return "trailer: " + why
	}
	return ""
}
