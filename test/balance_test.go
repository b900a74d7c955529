package test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// servedBy sends a request and returns the X-Served-By of the answer.
func servedBy(t *testing.T, client *http.Client, addr, path string, hdr map[string]string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.Header.Get("X-Served-By")
}

func newClient() *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
}

// balanceConfig has one backend per scenario, chosen by the X-Be header.
const balanceConfig = `
defaults
    mode http
    timeout client 10s
    timeout server 10s
    timeout connect 1s
frontend fe
    bind "127.0.0.1:${PORT}"
    use_backend %[1]s
%[2]s
`

func TestRoundRobinFollowsHAProxysSequence(t *testing.T) {
	bs := backends(t, 3)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(balanceConfig, "rr", `
backend rr
    server a "${S1}" weight 1
    server b "${S2}" weight 2
    server c "${S3}" weight 3
`)
	startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr(), "S3": bs[2].Addr()}, addr)
	names := map[string]string{"servers1": "a", "servers2": "b", "servers3": "c"}
	var seq []string
	c := newClient()
	for i := 0; i < 12; i++ {
		seq = append(seq, names[servedBy(t, c, addr, "/", nil)])
	}
	// haproxy 2.6 with weights 1,2,3: c b c a c b, repeating.
	if got, want := strings.Join(seq, " "), "c b c a c b c b c a c b"; got != want {
		t.Errorf("sequence %q, want %q", got, want)
	}
}

func TestFirstFillsServersInOrder(t *testing.T) {
	bs := backends(t, 3)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(balanceConfig, "first", `
backend first
    balance first
    server a "${S1}" maxconn 1
    server b "${S2}" maxconn 1
    server c "${S3}" maxconn 1
`)
	startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr(), "S3": bs[2].Addr()}, addr)
	// One keep-alive connection: each request is read once the previous
	// one gave its slot back. (With a connection per request, the next
	// one may arrive before the previous connection's slot is released,
	// and rightly go to b.)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer c.CloseIdleConnections()
	for i := 0; i < 4; i++ {
		if got := servedBy(t, c, addr, "/", nil); got != "servers1" {
			t.Errorf("sequential request %d went to %s, want the first server", i, got)
		}
	}
	// Held WebSockets fill the servers in order: a, then b, then c.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, want := range []string{"servers1", "servers2", "servers3"} {
		ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws?hello=1", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		_, msg, err := ws.Read(ctx)
		if err != nil || string(msg) != "hello from "+want {
			t.Errorf("WebSocket %d: %q %v, want %s", i, msg, err, want)
		}
	}
}

func TestLeastconnSpreadsLongWebSockets(t *testing.T) {
	bs := backends(t, 3)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(balanceConfig, "lc", `
backend lc
    balance leastconn
    timeout tunnel 1m
    server a "${S1}"
    server b "${S2}"
    server c "${S3}"
`)
	startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr(), "S3": bs[2].Addr()}, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	count := map[string]int{}
	for i := 0; i < 9; i++ {
		ws, _, err := websocket.Dial(ctx, "ws://"+addr+"/ws?hello=1", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		_, msg, err := ws.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		count[strings.TrimPrefix(string(msg), "hello from ")]++
	}
	// Open tunnels count as connections: 9 tunnels over 3 servers, 3 each.
	for _, s := range []string{"servers1", "servers2", "servers3"} {
		if count[s] != 3 {
			t.Errorf("leastconn spread %v, want 3 tunnels per server", count)
			break
		}
	}
	// Plain requests now go round the servers too (all equal).
	c := newClient()
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		seen[servedBy(t, c, addr, "/", nil)] = true
	}
	if len(seen) != 3 {
		t.Errorf("requests with equal loads went to %v", seen)
	}
}

func TestHashAlgorithmsAreSticky(t *testing.T) {
	bs := backends(t, 3)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(balanceConfig, "%[req.hdr(X-Be)]", "")
	cfg = strings.Replace(cfg, "    use_backend %[req.hdr(X-Be)]\n", `    use_backend uri if { req.hdr(X-Be) uri }
    use_backend urlp if { req.hdr(X-Be) urlp }
    use_backend hdr if { req.hdr(X-Be) hdr }
    use_backend src if { req.hdr(X-Be) src }
    use_backend chash if { req.hdr(X-Be) chash }
`, 1)
	for _, be := range []struct{ name, lines string }{
		{"uri", "balance uri"}, {"urlp", "balance url_param sid"}, {"hdr", "balance hdr(X-User)"},
		{"src", "balance source"}, {"chash", "balance uri\n    hash-type consistent"},
	} {
		cfg += fmt.Sprintf("backend %s\n    %s\n    server a \"${S1}\"\n    server b \"${S2}\"\n    server c \"${S3}\"\n", be.name, be.lines)
	}
	startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr(), "S3": bs[2].Addr()}, addr)
	c := newClient()
	for _, be := range []string{"uri", "urlp", "hdr", "src", "chash"} {
		spread := map[string]bool{}
		for k := 0; k < 12; k++ {
			path := fmt.Sprintf("/k%d?sid=s%d", k, k)
			hdr := map[string]string{"X-Be": be, "X-User": fmt.Sprintf("user%d", k)}
			first := servedBy(t, c, addr, path, hdr)
			spread[first] = true
			for r := 0; r < 3; r++ {
				if got := servedBy(t, c, addr, path, hdr); got != first {
					t.Errorf("%s: key %d went to %s then %s", be, k, first, got)
				}
			}
		}
		if be != "src" && len(spread) < 2 {
			t.Errorf("%s: 12 keys all went to %v", be, spread)
		}
	}
}

// rdpRequest builds an RDP connection request (TPKT + X.224) carrying
// "Cookie: mstshash=<user>".
func rdpRequest(user string) []byte {
	cookie := "Cookie: mstshash=" + user + "\r\n"
	x224 := append([]byte{byte(6 + len(cookie)), 0xe0, 0, 0, 0, 0, 0}, cookie...)
	n := 4 + len(x224)
	return append([]byte{3, 0, byte(n >> 8), byte(n)}, x224...)
}

// tcpNamed starts a TCP server that answers every connection with its
// name and the first bytes it received.
func tcpNamed(t *testing.T, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(10 * time.Second))
				buf := make([]byte, 512)
				n, _ := c.Read(buf)
				fmt.Fprintf(c, "%s got %d bytes\n", name, n)
			}()
		}
	}()
	return ln.Addr().String()
}

func TestRDPCookieInTCPMode(t *testing.T) {
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := `
defaults
    mode tcp
    timeout client 10s
    timeout server 10s
    timeout connect 1s
frontend rdp
    bind "127.0.0.1:${PORT}"
    default_backend farm
backend farm
    balance rdp-cookie
    tcp-request inspect-delay 5s
    tcp-request content accept if RDP_COOKIE
    server a "${S1}"
    server b "${S2}"
    server c "${S3}"
`
	startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": tcpNamed(t, "a"), "S2": tcpNamed(t, "b"), "S3": tcpNamed(t, "c")}, addr)
	dial := func(user string, split bool) string {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		req := rdpRequest(user)
		if split {
			// The cookie arrives in two pieces: hawser waits for it
			// (inspect-delay) before choosing.
			c.Write(req[:9])
			time.Sleep(50 * time.Millisecond) // the client's pace
			c.Write(req[9:])
		} else {
			c.Write(req)
		}
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatalf("user %s: %v", user, err)
		}
		if want := fmt.Sprintf(" got %d bytes\n", len(req)); !strings.HasSuffix(line, want) {
			t.Errorf("user %s: server answered %q: the inspected bytes were not all forwarded", user, line)
		}
		return strings.Fields(line)[0]
	}
	spread := map[string]bool{}
	for u := 0; u < 8; u++ {
		user := fmt.Sprintf("user%d", u)
		first := dial(user, false)
		spread[first] = true
		if again := dial(user, true); again != first {
			t.Errorf("%s went to %s, then %s", user, first, again)
		}
	}
	if len(spread) < 2 {
		t.Errorf("8 users all went to %v", spread)
	}
}

// TestHashChoicesMatchHAProxy runs haproxy and hawser on the same config
// with the same backends and compares the server each of 200 keys reaches
// for every hash algorithm.
func TestHashChoicesMatchHAProxy(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (apt-get install -y haproxy): cannot compare hash choices")
	}
	bs := backends(t, 4)
	algos := []struct{ name, lines string }{
		{"uri", "balance uri"},
		{"uri_whole", "balance uri whole"},
		{"uri_djb2", "balance uri\n    hash-type map-based djb2"},
		{"uri_crc32_av", "balance uri\n    hash-type map-based crc32 avalanche"},
		{"uri_chash", "balance uri\n    hash-type consistent"},
		{"uri_chash_wt6", "balance uri\n    hash-type consistent wt6"},
		{"urlp", "balance url_param sid"},
		{"urlp_chash", "balance url_param sid\n    hash-type consistent sdbm"},
		{"hdr", "balance hdr(X-User)"},
		{"hdr_chash", "balance hdr(X-User)\n    hash-type consistent djb2"},
		{"hash", "balance hash req.hdr(X-User)"},
	}
	makeCfg := func(port int) string {
		var b strings.Builder
		fmt.Fprintf(&b, "global\n    nbthread 1\ndefaults\n    mode http\n    timeout client 10s\n    timeout server 10s\n    timeout connect 1s\nfrontend fe\n    bind 127.0.0.1:%d\n", port)
		for _, a := range algos {
			fmt.Fprintf(&b, "    use_backend %s if { req.hdr(X-Be) %s }\n", a.name, a.name)
		}
		for _, a := range algos {
			fmt.Fprintf(&b, "backend %s\n    %s\n", a.name, a.lines)
			for i, s := range bs {
				fmt.Fprintf(&b, "    server s%d %s weight %d\n", i+1, s.Addr(), []int{1, 2, 3, 1}[i])
			}
		}
		return b.String()
	}
	hport := freePort(t)
	hcfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	os.WriteFile(hcfg, []byte(makeCfg(hport)), 0o644)
	cmd := exec.Command(haproxy, "-db", "-f", hcfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	haddr := fmt.Sprintf("127.0.0.1:%d", hport)
	(&proc{done: make(chan struct{})}).waitListening(t, haddr)
	wport := freePort(t)
	waddr := fmt.Sprintf("127.0.0.1:%d", wport)
	startHawser(t, makeCfg(wport), nil, waddr)
	c := newClient()
	for _, a := range algos {
		diff := 0
		for k := 0; k < 200; k++ {
			path := fmt.Sprintf("/p%d/x?sid=%d&z=%d", k, k*7, k)
			hdr := map[string]string{"X-Be": a.name, "X-User": fmt.Sprintf("u%d", k*13)}
			h, w := servedBy(t, c, haddr, path, hdr), servedBy(t, c, waddr, path, hdr)
			if h != w {
				diff++
				if diff <= 3 {
					t.Errorf("%s key %d: haproxy chose %s, hawser %s", a.name, k, h, w)
				}
			}
		}
		if diff > 0 {
			t.Errorf("%s: %d of 200 keys differ", a.name, diff)
		}
	}
}

// TestHashTypeNone: with `hash-type map-based none` the key is the hash
// (HAProxy 2.8's function): with three equal servers, keys k and k+3 land
// on the same server and keys 0, 1, 2 on three different ones.
func TestHashTypeNone(t *testing.T) {
	bs := backends(t, 3)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(balanceConfig, "none", `
backend none
    balance hash req.hdr(X-K)
    hash-type map-based none
    server a "${S1}"
    server b "${S2}"
    server c "${S3}"
`)
	startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr(), "S3": bs[2].Addr()}, addr)
	c := newClient()
	byKey := map[int]string{}
	for k := 0; k < 12; k++ {
		byKey[k] = servedBy(t, c, addr, "/", map[string]string{"X-K": fmt.Sprint(k)})
		if k >= 3 && byKey[k] != byKey[k%3] {
			t.Errorf("key %d went to %s, key %d to %s", k, byKey[k], k%3, byKey[k%3])
		}
	}
	if byKey[0] == byKey[1] || byKey[1] == byKey[2] || byKey[0] == byKey[2] {
		t.Errorf("keys 0, 1, 2 went to %s, %s, %s: want three servers", byKey[0], byKey[1], byKey[2])
	}
}
