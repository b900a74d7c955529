package test

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

const rulesConfig = `
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout client 5s
    timeout connect 1s
    timeout server 5s
    timeout tarpit 300ms
frontend fe
    bind "127.0.0.1:${PORT}"
    capture request header Host len 5
    http-request deny if { path /deny }
    http-request deny deny_status 429 if { path /deny429 }
    http-request return status 200 content-type text/plain string "hello\n" hdr X-A b if { path /ret }
    http-request return if { path /ret0 }
    http-request redirect location /new code 301 if { path /redir }
    http-request redirect prefix /pre if { path /redirp }
    http-request redirect scheme https if { path /redirs }
    http-request tarpit if { path /tarpit }
    http-request auth realm Hello if { path /auth }
    http-request set-header X-Set %[src] if { path /headers }
    http-request add-header X-Add "v %[path]" if { path /headers }
    http-request del-header User-Agent if { path /headers }
    default_backend be
backend be
    http-response set-header X-Resp from-backend
    server s1 "${S1}"
`

// rawExchange sends one request with Connection: close and returns all
// the bytes of the answer.
func rawExchange(t *testing.T, addr, path string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: h.example\r\nUser-Agent: test\r\nConnection: close\r\n\r\n", path)
	b, _ := io.ReadAll(c)
	return string(b)
}

func TestHTTPRequestRulesAnswerLikeHAProxy(t *testing.T) {
	bs := backends(t, 1)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := startHawser(t, rulesConfig, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr()}, addr)
	// Each answer below is what haproxy 2.6.12 sent for the same rule.
	for _, tt := range []struct{ path, want, log string }{
		{"/deny", "HTTP/1.1 403 Forbidden\r\ncontent-length: 93\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n", "fe fe/<NOSRV> 0/-1/-1/-1/0 403 "},
		{"/deny429", "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 117\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>429 Too Many Requests</h1>\nYou have sent too many requests in a given amount of time.\n</body></html>\n", " 429 "},
		{"/ret", "HTTP/1.1 200 OK\r\nx-a: b\r\ncontent-length: 6\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nhello\n", " LR-- "},
		{"/ret0", "HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n", `"GET /ret0 HTTP/1.1"`},
		{"/redir", "HTTP/1.1 301 Moved Permanently\r\ncontent-length: 0\r\nlocation: /new\r\nconnection: close\r\n\r\n", " 301 "},
		{"/redirp?x=1", "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: /pre/redirp?x=1\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n", " 302 "},
		{"/redirs", "HTTP/1.1 302 Found\r\ncontent-length: 0\r\nlocation: https://h.example/redirs\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n", `"GET /redirs HTTP/1.1"`},
		{"/tarpit", "HTTP/1.1 500 Internal Server Error\r\ncontent-length: 97\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nconnection: close\r\n\r\n<html><body><h1>500 Internal Server Error</h1>\nAn internal server error occurred.\n</body></html>\n", " PT-- "},
		{"/auth", "HTTP/1.1 401 Unauthorized\r\ncontent-length: 112\r\ncache-control: no-cache\r\ncontent-type: text/html\r\nwww-authenticate: Basic realm=\"Hello\"\r\nconnection: close\r\n\r\n<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n", " 401 "},
	} {
		if got := rawExchange(t, addr, tt.path); got != tt.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tt.path, got, tt.want)
		}
		p.stdout.waitLog(t, tt.log, `"GET `+tt.path+` HTTP/1.1"`)
	}
	// The tarpit held the request for timeout tarpit: TR is -1 and Tw the
	// time held (HAProxy logs -1/302/-1/-1/301 500 … PT--).
	line := p.stdout.waitLog(t, " PT-- ")
	if !strings.Contains(line, "fe fe/<NOSRV> -1/") {
		t.Errorf("tarpit log line %q", line)
	}
	// The captured Host (5 bytes) shows between the counters and the request.
	p.stdout.waitLog(t, "0/0 {h.exa} \"GET /deny HTTP/1.1\"")
}

func TestHTTPRequestHeaderRules(t *testing.T) {
	bs := backends(t, 1)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	startHawser(t, rulesConfig, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr()}, addr)
	got := rawExchange(t, addr, "/headers")
	for _, want := range []string{"X-Set: 127.0.0.1", "X-Add: v /headers", "X-Resp: from-backend"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "User-Agent") {
		t.Errorf("del-header User-Agent did not delete it:\n%s", got)
	}
}

func TestLogFormatAndUniqueID(t *testing.T) {
	bs := backends(t, 1)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := `
global
    log stdout format raw local0
defaults
    mode http
    log global
    timeout client 5s
    timeout connect 1s
    timeout server 5s
frontend fe
    bind "127.0.0.1:${PORT}"
    unique-id-format "id-%[src]-%cp"
    unique-id-header X-Unique-ID
    log-format "custom %ci %ID %HM %HP %{+Q}[req.hdr(host)] %ST %b/%s %tsc"
    default_backend be
backend be
    server s1 "${S1}"
`
	p := startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr()}, addr)
	got := rawExchange(t, addr, "/headers?q=1")
	if !strings.Contains(got, "X-Unique-Id: id-127.0.0.1-") {
		t.Errorf("unique-id-header not sent:\n%s", got)
	}
	p.stdout.waitLog(t, "custom 127.0.0.1 id-127.0.0.1-", ` GET /headers "h.example" 200 be/s1 ----`)
}
