package balance

import "testing"

func TestURIKey(t *testing.T) {
	tests := []struct {
		name   string
		target string
		cfg    config
		want   string
	}{
		{"stops at query", "/a/b?x=1", config{}, "/a/b"},
		{"whole", "/a/b?x=1", config{uriWhole: true}, "/a/b?x=1"},
		{"len", "/abcdef?x", config{uriLen: 4}, "/abc"},
		{"len longer than path", "/ab?x", config{uriLen: 10}, "/ab"},
		{"depth 1", "/a/b/c", config{uriDepth: 1}, "/a"},
		{"depth 2", "/a/b/c", config{uriDepth: 2}, "/a/b"},
		{"depth beyond", "/a/b", config{uriDepth: 5}, "/a/b"},
		{"len then depth", "/a/bcdef/g", config{uriLen: 6, uriDepth: 2}, "/a/bcd"},
		{"absolute without path-only", "http://h/p?q", config{}, "http://h/p"},
		{"absolute with depth", "http://h/p?q", config{uriDepth: 1}, "http:/"},
		{"path-only absolute", "http://h.example:80/p/q?x", config{uriPathOnly: true}, "/p/q"},
		{"path-only userinfo", "https://u@h/p", config{uriPathOnly: true}, "/p"},
		{"path-only no path", "http://h?x=1", config{uriPathOnly: true}, ""},
		{"path-only authority form", "h:443", config{uriPathOnly: true}, ""},
		{"path-only asterisk", "*", config{uriPathOnly: true}, ""},
		{"path-only origin form", "/o?x", config{uriPathOnly: true, uriWhole: true}, "/o?x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(uriKey([]byte(tt.target), &tt.cfg)); got != tt.want {
				t.Errorf("uriKey(%q) = %q, want %q", tt.target, got, tt.want)
			}
		})
	}
}

func TestQueryParam(t *testing.T) {
	tests := []struct {
		name, target, param, want string
		ok                        bool
	}{
		{"first", "/p?uid=42&x=1", "uid", "42", true},
		{"later", "/p?a=1&uid=42", "uid", "42", true},
		{"empty value is a key", "/p?uid=&x", "uid", "", true},
		{"missing", "/p?a=1", "uid", "", false},
		{"no query", "/p", "uid", "", false},
		{"longer name", "/p?uidx=1", "uid", "", false},
		{"case-sensitive", "/p?UID=1", "uid", "", false},
		{"name alone", "/p?uid", "uid", "", false},
		{"in path is not a param", "/uid=1?a", "uid", "", false},
		{"value to the end", "/p?uid=a/b#c", "uid", "a/b#c", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := queryParam([]byte(tt.target), tt.param)
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("queryParam(%q, %q) = %q, %v; want %q, %v", tt.target, tt.param, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestPostParam(t *testing.T) {
	tests := []struct {
		name, body, want string
		ok               bool
	}{
		{"plain", "a=1&uid=42&b", "42", true},
		{"not url-encoded", "uid==1", "", false},
		{"leading space hashes empty", "uid= 1", "", true},
		{"slash inside", "uid=a/b&c", "a/b", true},
		{"empty", "uid=&c", "", true},
		{"missing", "a=1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := postParam([]byte(tt.body), "uid")
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("postParam(%q) = %q, %v; want %q, %v", tt.body, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFirstValue(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"  a , b", "a"},
		{", b", ""},
		{`"x,y", z`, `"x,y"`},
		{`"x\",y", z`, `"x\",y"`},
		{"", ""},
	}
	for _, tt := range tests {
		if got := string(firstValue([]byte(tt.in))); got != tt.want {
			t.Errorf("firstValue(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDomainOnly(t *testing.T) {
	tests := []struct{ in, want string }{
		{"haproxy.1wt.eu", "1wt"},
		{"www.example.com", "example"},
		{"example.com", "example"},
		{"localhost", "localhost"},
		{"a..com", "a."},
		{"x.example.net:8080", "example"},
		{".com", ".com"},
	}
	for _, tt := range tests {
		if got := string(domainOnly([]byte(tt.in))); got != tt.want {
			t.Errorf("domainOnly(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRDPCookie(t *testing.T) {
	hdr := "\x03\x00\x00\x2a\x25\xe0\x00\x00\x00\x00\x00"
	tests := []struct {
		name, payload, cookie, want string
		ok                          bool
	}{
		{"mstshash", hdr + "Cookie: mstshash=alice\r\n\x01\x00", "mstshash", "alice", true},
		{"case-insensitive", hdr + "cookie:  MSTSHASH=bob\r\n", "mstshash", "bob", true},
		{"other name", hdr + "Cookie: sid=x\r\n", "mstshash", "", false},
		{"no CRLF yet", hdr + "Cookie: mstshash=alice", "mstshash", "", false},
		{"bare CR", hdr + "Cookie: mstshash=alice\rX", "mstshash", "", false},
		{"short", "\x03\x00", "mstshash", "", false},
		{"no cookie", hdr + "\x01\x00\x08\x00\x03\x00\x00\x00", "mstshash", "", false},
		{"empty value", hdr + "Cookie: mstshash=\r\n", "mstshash", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := rdpCookie([]byte(tt.payload), tt.cookie)
			if string(got) != tt.want || ok != tt.ok {
				t.Errorf("rdpCookie = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}
