package test

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// limitsConfig raises tune.bufsize and lowers tune.http.maxhdr.
const limitsConfig = `
global
    tune.bufsize 32768
    tune.http.maxhdr 10
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s1 %s
`

// headRequest is a GET with a header of size bytes and lines more header
// lines after Host and Connection.
func headRequest(size, lines int) string {
	var b strings.Builder
	b.WriteString("GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
	if size > 0 {
		fmt.Fprintf(&b, "X-Big: %s\r\n", strings.Repeat("a", size))
	}
	for i := 0; i < lines; i++ {
		fmt.Fprintf(&b, "X-L%d: v\r\n", i)
	}
	b.WriteString("\r\n")
	return b.String()
}

// TestTuneLimits: tune.bufsize bounds the request head (a 20 kB cookie
// passes with 32768, a 40 kB one gets a 400) and tune.http.maxhdr the
// number of header lines, the request line counting as one, as in
// HAProxy; with haproxy installed, it answers the same statuses.
func TestTuneLimits(t *testing.T) {
	bs := backends(t, 1)
	cases := []struct {
		name        string
		size, lines int
		want        int
	}{
		{"20 kB header", 20000, 0, 200},
		{"40 kB header", 40000, 0, 400},
		// Host and 8 more; Connection: close does not count (HAProxy
		// drops it before counting).
		{"9 header lines", 0, 8, 200},
		{"10 header lines", 0, 9, 400},
	}
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startHawser(t, fmt.Sprintf(limitsConfig, port, bs[0].Addr()), nil, addr)
	for _, tc := range cases {
		resp, _ := rawRequest(t, addr, headRequest(tc.size, tc.lines))
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
	// The defaults still hold without the tune lines.
	port2 := freePort(t)
	addr2 := fmt.Sprintf("127.0.0.1:%d", port2)
	plain := strings.Replace(strings.Replace(limitsConfig, "    tune.bufsize 32768\n", "", 1), "    tune.http.maxhdr 10\n", "", 1)
	startHawser(t, fmt.Sprintf(plain, port2, bs[0].Addr()), nil, addr2)
	if resp, _ := rawRequest(t, addr2, headRequest(20000, 0)); resp.StatusCode != 400 {
		t.Errorf("20 kB header with the default tune.bufsize: status %d, want 400", resp.StatusCode)
	}
	if resp, _ := rawRequest(t, addr2, headRequest(0, 9)); resp.StatusCode != 200 {
		t.Errorf("10 header lines with the default tune.http.maxhdr: status %d, want 200", resp.StatusCode)
	}

	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (apt-get install -y haproxy): cannot compare the limits")
	}
	hport := oraclePort(t)
	haddr := fmt.Sprintf("127.0.0.1:%d", hport)
	startHAProxy(t, haproxy, fmt.Sprintf(limitsConfig, hport, bs[0].Addr()), haddr)
	for _, tc := range cases {
		if resp, _ := rawRequest(t, haddr, headRequest(tc.size, tc.lines)); resp.StatusCode != tc.want {
			t.Errorf("%s: haproxy answers %d, the test expects %d", tc.name, resp.StatusCode, tc.want)
		}
	}
}

// TestHTTPLogCLFMatchesHAProxy: `option httplog clf` logs the Common Log
// Format variant, field for field as haproxy does (numbers aside).
func TestHTTPLogCLFMatchesHAProxy(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (apt-get install -y haproxy): cannot compare the CLF log")
	}
	bs := backends(t, 1)
	const cfg = `
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog clf
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s1 %s
`
	hport := oraclePort(t)
	haddr := fmt.Sprintf("127.0.0.1:%d", hport)
	hlog := startHAProxy(t, haproxy, fmt.Sprintf(cfg, hport, bs[0].Addr()), haddr)
	wport := freePort(t)
	waddr := fmt.Sprintf("127.0.0.1:%d", wport)
	p := startHawser(t, fmt.Sprintf(cfg, wport, bs[0].Addr()), nil, waddr)
	digits := regexp.MustCompile(`[0-9]+`)
	norm := func(l string) string {
		// Dates, ports, timers and byte counts vary; the shape must not.
		return digits.ReplaceAllString(strings.ReplaceAll(l, "/Nov/", "/M/"), "N")
	}
	for _, path := range []string{"/clf", "/nosuch?q=1"} {
		req := "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
		rawRequest(t, haddr, req)
		rawRequest(t, waddr, req)
		want := norm(hlog.waitLog(t, "GET "+path))
		got := norm(p.stdout.waitLog(t, "GET "+path))
		if got != want {
			t.Errorf("CLF log line differs\nhawser:  %s\nhaproxy: %s", got, want)
		}
	}
}
