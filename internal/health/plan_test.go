package health

import (
	"strings"
	"testing"

	"github.com/hawser-lb/hawser/internal/config"
)

// parseBackend parses a configuration and returns its backend "be".
func parseBackend(t *testing.T, text string) *config.Proxy {
	t.Helper()
	cfg, err := config.Parse([]config.Source{{Name: "test.cfg", Data: []byte(text)}})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	for _, px := range cfg.Proxies {
		if px.Name == "be" {
			return px
		}
	}
	t.Fatal("no backend be")
	return nil
}

// TestRequestBytes compares the check requests with the bytes haproxy
// 2.6.12 sent for the same lines (observed on a raw TCP listener).
func TestRequestBytes(t *testing.T) {
	tests := []struct {
		lines string
		want  string
	}{
		{"option httpchk", "OPTIONS / HTTP/1.0\r\n\r\n"},
		{"option httpchk /only\n http-check send hdr Connection keep-alive hdr content-length 99",
			"OPTIONS /only HTTP/1.0\r\nconnection: keep-alive\r\n\r\n"},
		{"option httpchk GET / HTTP/1.1", "GET / HTTP/1.1\r\nconnection: close\r\n\r\n"},
		{"option httpchk GET / HTTP/1.1\n http-check send hdr Connection keep-alive hdr Host x",
			"GET / HTTP/1.1\r\nhost: x\r\n\r\n"},
		{"option httpchk GET /healthz HTTP/1.1\n http-check send hdr Host chk.example hdr X-A b body hello\n http-check expect status 200",
			"GET /healthz HTTP/1.1\r\nhost: chk.example\r\nx-a: b\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello"},
		{"option httpchk\n http-check send meth GET uri /u ver HTTP/1.1 hdr Host h body abc",
			"GET /u HTTP/1.1\r\nhost: h\r\ncontent-length: 3\r\nconnection: close\r\n\r\nabc"},
		{`option httpchk HEAD /x HTTP/1.1\r\nHost:\ www.example.com`,
			"HEAD /x HTTP/1.1\r\nhost: www.example.com\r\nconnection: close\r\n\r\n"},
		{"option httpchk POST /p\n http-check send body abc", "POST /p HTTP/1.0\r\ncontent-length: 3\r\n\r\nabc"},
		{"option httpchk\n http-check send hdr X-A b", "OPTIONS / HTTP/1.0\r\nx-a: b\r\n\r\n"},
	}
	for _, tt := range tests {
		px := parseBackend(t, "backend be\n "+tt.lines+"\n server s 127.0.0.1:80 check\n")
		p, err := Compile(px)
		if err != nil {
			t.Errorf("%q: %v", tt.lines, err)
			continue
		}
		if string(p.Request) != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.lines, p.Request, tt.want)
		}
	}
}

// TestCompileRefuses checks that what hawser does not implement is an
// error, never silently ignored.
func TestCompileRefuses(t *testing.T) {
	tests := []struct{ lines, want string }{
		{"option tcp-check", "tcp-check"},
		{"option httpchk\n http-check disable-on-404", "'http-check disable-on-404'"},
		{"option httpchk\n http-check send-state", "'http-check send-state'"},
		{"option httpchk\n http-check expect hdr name x", "'http-check expect hdr' is not supported yet"},
		{"option httpchk\n http-check send uri-lf /%[src]", "uri-lf"},
		{"option httpchk\n http-check send\n http-check expect status 200\n http-check send", "only one 'http-check send'"},
		{"option httpchk\n http-check expect status 200\n http-check connect", "first rule"},
		{"option httpchk\n http-check expect rstring (?<=x)", "rstring"},
		{"option httpchk\n http-check expect status abc", "invalid status"},
		{"option httpchk\n http-check expect on-error %[src] status 200", "log-format"},
	}
	for _, tt := range tests {
		px := parseBackend(t, "backend be\n "+tt.lines+"\n server s 127.0.0.1:80 check\n")
		_, err := Compile(px)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want one mentioning %q", tt.lines, err, tt.want)
		}
	}
	// http-check rules without option httpchk: ignored, as by HAProxy.
	px := parseBackend(t, "backend be\n http-check expect status 200\n server s 127.0.0.1:80 check\n")
	if p, err := Compile(px); err != nil || p.HTTP {
		t.Errorf("http-check without httpchk: %+v, %v; want a TCP check", p, err)
	}
}

// TestCompileConnect checks `http-check connect port|addr`.
func TestCompileConnect(t *testing.T) {
	px := parseBackend(t, "backend be\n option httpchk\n http-check connect port 8080 addr 10.0.0.1\n http-check send meth GET\n server s 127.0.0.1:80 check\n")
	p, err := Compile(px)
	if err != nil {
		t.Fatal(err)
	}
	if p.Port != 8080 || p.Addr.String() != "10.0.0.1" || !strings.HasPrefix(string(p.Request), "GET / HTTP/1.0\r\n") {
		t.Errorf("plan %+v", p)
	}
}

// parseConfig parses a configuration text.
func parseConfig(t testing.TB, text string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]config.Source{{Name: "test.cfg", Data: []byte(text)}})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return cfg
}
