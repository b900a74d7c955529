package h1

import "testing"

func TestEqualFoldString(t *testing.T) {
	tests := []struct {
		b, s string
		want bool
	}{
		{"Content-Length", "content-length", true},
		{"CONTENT-LENGTH", "Content-Length", true},
		{"content-lengtH", "content-length", true},
		{"content-lengt", "content-length", false},
		{"content_length", "content-length", false},
		{"", "", true},
		{"\xc9", "\xe9", false}, // no folding outside ASCII
		{"@", "`", false},       // 0x40 and 0x60 differ by the case bit but are not letters
		{"[", "{", false},
	}
	for _, tt := range tests {
		if got := EqualFoldString([]byte(tt.b), tt.s); got != tt.want {
			t.Errorf("EqualFoldString(%q, %q) = %v, want %v", tt.b, tt.s, got, tt.want)
		}
	}
}

func TestHasToken(t *testing.T) {
	tests := []struct {
		value, token string
		want         bool
	}{
		{"keep-alive, Upgrade", "upgrade", true},
		{"Upgrade", "upgrade", true},
		{" \tupgrade\t ", "upgrade", true},
		{",,upgrade,", "upgrade", true},
		{"upgrades", "upgrade", false},
		{"x-upgrade", "upgrade", false},
		{"up grade", "upgrade", false},
		{"", "upgrade", false},
		{"close", "close", true},
	}
	for _, tt := range tests {
		if got := HasToken([]byte(tt.value), tt.token); got != tt.want {
			t.Errorf("HasToken(%q, %q) = %v, want %v", tt.value, tt.token, got, tt.want)
		}
	}
}

func TestValidAuthority(t *testing.T) {
	tests := []struct {
		in       string
		needPort bool
		want     bool
	}{
		{"example.com", false, true},
		{"example.com:8080", false, true},
		{"example.com", true, false},
		{"example.com:443", true, true},
		{"a-b_c~d.e!$&'()*+,;=", false, true},
		{"1.2.3.4:80", false, true},
		{"[::1]", false, true},
		{"[::1]:443", true, true},
		{"[2001:db8::8:800:200c:417a]", false, true},
		{"[1:2:3:4:5:6:7:8]", false, true},
		{"[::ffff:192.0.2.1]", false, true},
		{"[1:2:3:4:5:6:1.2.3.4]", false, true},
		{"[1::]", false, true},
		{"[::]", false, true},
		{"", false, false},
		{":80", false, false},
		{"h:", false, false},
		{"h:123456", false, false},
		{"h:8x", false, false},
		{"u@h", false, false},
		{"h/p", false, false},
		{"a%41", false, false},
		{"[::1", false, false},
		{"[::1]x", false, false},
		{"[1.2.3.4]", false, false},
		{"[::1%25eth0]", false, false},
		{"[1:2:3:4:5:6:7:8:9]", false, false},
		{"[1::2::3]", false, false},
		{"[1:2:3:4:5:6:7]", false, false},
		{"[1::2:3:4:5:6:7:8]", false, false},
		{"[12345::]", false, false},
		{"[:1]", false, false},
		{"[1:]", false, false},
		{"[::1.2.3]", false, false},
		{"[::1.2.3.04]", false, false},
		{"[::1.2.3.256]", false, false},
		{"[v1.x]", false, false},
	}
	for _, tt := range tests {
		if got := validAuthority([]byte(tt.in), tt.needPort); got != tt.want {
			t.Errorf("validAuthority(%q, %v) = %v, want %v", tt.in, tt.needPort, got, tt.want)
		}
	}
}

func TestAppend(t *testing.T) {
	var b []byte
	b = AppendRequestLine(b, []byte("GET"), []byte("/a?b"), 1)
	b = AppendHeader(b, []byte("host"), []byte("example.com"))
	b = AppendHeaderString(b, "x-forwarded-for", "127.0.0.1")
	b = append(b, "\r\n"...)
	want := "GET /a?b HTTP/1.1\r\nhost: example.com\r\nx-forwarded-for: 127.0.0.1\r\n\r\n"
	if string(b) != want {
		t.Errorf("got %q, want %q", b, want)
	}
	// What we write, we parse.
	var req Request
	if err := ParseRequest(&req, b); err != nil || req.HeadLen != len(b) || len(req.Headers) != 2 {
		t.Errorf("ParseRequest(appended head) = %v, HeadLen %d, %d headers", err, req.HeadLen, len(req.Headers))
	}
	s := AppendStatusLine(nil, 1, 503, []byte("Service Unavailable"))
	if string(s) != "HTTP/1.1 503 Service Unavailable\r\n" {
		t.Errorf("AppendStatusLine = %q", s)
	}
}

func TestErrors(t *testing.T) {
	if got, want := ErrHeadTooLarge.Error(), "h1: message head too large"; got != want {
		t.Errorf("ErrHeadTooLarge.Error() = %q, want %q", got, want)
	}
	if ErrHeadTooLarge.Status != 400 {
		t.Errorf("ErrHeadTooLarge.Status = %d, want 400 (HAProxy 2.6 answers 400, not 431)", ErrHeadTooLarge.Status)
	}
	for r := rule(1); r < numRules; r++ {
		if ruleMsgs[r] == "" {
			t.Errorf("rule %d has no message", r)
		}
		if respErrs[r].Status != 502 {
			t.Errorf("response error %q: Status %d, want 502", ruleMsgs[r], respErrs[r].Status)
		}
	}
}

func TestBodyModeString(t *testing.T) {
	for m, want := range map[BodyMode]string{BodyNone: "none", BodyLength: "length", BodyChunked: "chunked", BodyUntilClose: "until-close", 9: "BodyMode(?)"} {
		if got := m.String(); got != want {
			t.Errorf("BodyMode(%d).String() = %q, want %q", m, got, want)
		}
	}
}
