package balance

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The oracle test runs HAProxy 2.6 and hawser's balancer side by side: the
// same backend configuration, the same requests, and the server each
// request reached through haproxy must be the one LB.Pick chooses.

// oracleServer is one `server` line of an oracle backend.
type oracleServer struct {
	weight   int
	id       int // 0: declaration order
	backup   bool
	disabled bool
	maxconn  int
	dead     bool // nothing listens at its address: connecting fails
}

// oracleReq is one request of an oracle scenario.
type oracleReq struct {
	target string            // request-target ("/" if empty)
	header map[string]string // extra request headers
	src    string            // client address (127.0.0.0/8) for source
	body   string            // POST body
	rdp    []byte            // TCP payload (rdp-cookie scenarios)
	hold   bool              // the server keeps the request until released
}

// oracleAction changes the backend at run time before request #at: cli is
// the stats socket command (with %s for the backend name), apply mirrors it.
type oracleAction struct {
	at      int
	cli     string
	apply   func(lb *LB, ss []*Server) error
	release int // if > 0: end the release-th held request instead
}

type oracleScenario struct {
	name     string
	balance  string
	hashType string
	servers  []oracleServer
	extra    []string // more backend lines
	tcp      bool     // mode tcp, own frontend (rdp-cookie)
	// redispatch retries a failed connection once, on another server
	// (`retries 1`, `option redispatch`): Input.Avoid.
	redispatch bool
	reqs       []oracleReq
	actions    []oracleAction

	backend string // assigned backend name
	port    int    // tcp frontend port
}

func weightsOf(ws ...int) []oracleServer {
	out := make([]oracleServer, len(ws))
	for i, w := range ws {
		out[i] = oracleServer{weight: w}
	}
	return out
}

func findHAProxy() string {
	if _, err := os.Stat("/usr/sbin/haproxy"); err == nil {
		return "/usr/sbin/haproxy"
	}
	if p, err := exec.LookPath("haproxy"); err == nil {
		return p
	}
	return ""
}

// TestHAProxyOracle starts haproxy (nbthread 1) with one backend per
// scenario of oracleScenarios, sends each scenario's requests through it and
// checks that every request reached the server LB.Pick chooses for it. Run
// it with -v and ORACLE_LOG=1 to print every scenario's sequence.
func TestHAProxyOracle(t *testing.T) {
	bin := findHAProxy()
	if bin == "" {
		t.Skip("haproxy not installed: neither /usr/sbin/haproxy nor haproxy on PATH")
	}
	scenarios := oracleScenarios()
	maxSrv := 0
	for _, sc := range scenarios {
		maxSrv = max(maxSrv, len(sc.servers))
	}
	httpPorts := startHTTPServers(t, maxSrv)
	tcpPorts := startTCPServers(t, maxSrv)

	h := startHAProxy(t, bin, scenarios, httpPorts, tcpPorts)

	var (
		mu                   sync.Mutex
		keys, scenariosCount int
	)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, sc := range scenarios {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			n := runScenario(t, h, sc)
			mu.Lock()
			keys += n
			scenariosCount++
			mu.Unlock()
		}()
	}
	wg.Wait()
	t.Logf("compared %d requests in %d scenarios with %s", keys, scenariosCount, bin)
}

// runScenario sends the scenario's requests through haproxy and through an
// LB built from the same configuration, and reports every difference.
func runScenario(t *testing.T, h *haproxy, sc *oracleScenario) int {
	ss := make([]*Server, len(sc.servers))
	for i, o := range sc.servers {
		id := o.id
		if id == 0 {
			id = i + 1
		}
		ss[i] = &Server{Name: string(rune('a' + i)), ID: id, Weight: o.weight, Backup: o.backup, Disabled: o.disabled, Maxconn: o.maxconn}
	}
	spec := Spec{Balance: strings.Fields(sc.balance), HashType: strings.Fields(sc.hashType)}
	for _, l := range sc.extra {
		if l == "option allbackups" {
			spec.AllBackups = true
		}
	}
	lb, err := New(spec, ss)
	if err != nil {
		t.Errorf("%s: New: %v", sc.name, err)
		return 0
	}
	var c *oracleConn
	defer func() {
		if c != nil {
			c.close()
		}
	}()
	var got, want, diffs []string
	mismatches := 0
	var held []*heldRequest
	defer func() {
		for _, hr := range held {
			hr.end()
		}
	}()
	for i, r := range sc.reqs {
		for _, a := range sc.actions {
			if a.at != i {
				continue
			}
			if a.release > 0 {
				hr := held[a.release-1]
				if err := hr.end(); err != nil {
					t.Errorf("%s: ending held request %d: %v", sc.name, a.release, err)
				}
				if hr.srv != nil {
					hr.srv.Release()
					hr.srv = nil
				}
				continue
			}
			if out, err := h.cli(fmt.Sprintf(a.cli, sc.backend)); err != nil || strings.TrimSpace(out) != "" {
				t.Errorf("%s: cli %q: %q %v", sc.name, a.cli, out, err)
			}
			if err := a.apply(lb, ss); err != nil {
				t.Errorf("%s: mirror of %q: %v", sc.name, a.cli, err)
			}
		}
		var g string
		var err error
		var hr *heldRequest
		switch {
		case r.hold:
			hr, g, err = h.hold(sc.backend, r)
			held = append(held, hr)
		case sc.tcp:
			g, err = h.tcpRequest(sc.port, r.rdp)
		case r.src != "":
			g, err = h.httpRequestFrom(sc.backend, r)
		default:
			if c == nil {
				if c, err = h.dial(""); err != nil {
					t.Fatalf("%s: %v", sc.name, err)
				}
			}
			g, err = c.request(sc.backend, r)
			if err != nil {
				c.close()
				c = nil
			}
		}
		if err != nil {
			t.Errorf("%s: request %d: %v", sc.name, i, err)
			return i
		}
		in := oracleInput(lb, r)
		s, full := lb.Pick(in)
		if sc.redispatch && s != nil && !full && sc.servers[serverIndex(ss, s)].dead {
			// The connection fails: the slot is given back and the
			// single retry goes elsewhere if it can.
			s.Release()
			in.Avoid = s
			s, full = lb.Pick(in)
			if s != nil && !full && sc.servers[serverIndex(ss, s)].dead {
				s.Release()
				s = nil // 503 after the last retry
			}
		}
		w := "-"
		if s != nil {
			w = s.Name
			switch {
			case full:
			case hr != nil:
				hr.srv = s // released with the held request
			default:
				s.Release()
			}
		}
		got, want = append(got, w), append(want, g)
		if g != w {
			mismatches++
			if len(diffs) < 5 {
				diffs = append(diffs, fmt.Sprintf("#%d %+v: hawser %s, haproxy %s", i, r, w, g))
			}
		}
	}
	if testing.Verbose() && os.Getenv("ORACLE_LOG") != "" {
		t.Logf("%s: %s", sc.name, strings.Join(got, " "))
	}
	if mismatches > 0 {
		t.Errorf("%s (balance %s, hash-type %s): %d/%d requests differ\nhawser  %s\nhaproxy %s\n%s",
			sc.name, sc.balance, sc.hashType, mismatches, len(sc.reqs), strings.Join(got, " "), strings.Join(want, " "), strings.Join(diffs, "\n"))
	}
	return len(sc.reqs)
}

func serverIndex(ss []*Server, s *Server) int {
	for i, x := range ss {
		if x == s {
			return i
		}
	}
	panic("oracle: unknown server " + s.Name)
}

// oracleInput is what the proxy would pass to Pick for r.
func oracleInput(lb *LB, r oracleReq) *Input {
	in := &Input{Target: []byte(r.target), Payload: r.rdp}
	if len(in.Target) == 0 {
		in.Target = []byte("/")
	}
	if r.body != "" {
		in.Post, in.Body = true, []byte(r.body)
	}
	src := r.src
	if src == "" {
		src = "127.0.0.1"
	}
	in.Src = netip.MustParseAddr(src)
	if name := lb.HeaderName(); name != "" {
		for k, v := range r.header {
			if strings.EqualFold(k, name) {
				in.Header = []byte(v)
			}
		}
	}
	if expr := lb.KeyExpr(); expr != "" {
		switch {
		case expr == "src":
			b := in.Src.As4()
			in.Key, in.HasKey = b[:], true
		case strings.HasPrefix(expr, "req.hdr(") && strings.HasSuffix(expr, ")"):
			name := expr[len("req.hdr(") : len(expr)-1]
			for k, v := range r.header {
				if strings.EqualFold(k, name) {
					// req.hdr() returns the last comma-separated value.
					in.Key, in.HasKey = lastValue(v), true
				}
			}
		default:
			panic("oracle: unsupported expression " + expr)
		}
	}
	return in
}

// --- the servers behind haproxy ---

// startHTTPServers starts n HTTP servers that answer with their index.
func startHTTPServers(t *testing.T, n int) []int {
	ports := make([]int, n)
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		body := []byte(strconv.Itoa(i))
		srv := &http.Server{
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				if id := r.Header.Get("x-hold"); id != "" {
					if v, ok := holds.Load(id); ok {
						hr := v.(*heldRequest)
						hr.arrived <- i
						select {
						case <-hr.release:
						case <-time.After(10 * time.Second):
						}
					}
				}
				w.Write(body)
			}),
			ReadHeaderTimeout: 5 * time.Second,
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// startTCPServers starts n TCP servers that write their index and close.
func startTCPServers(t *testing.T, n int) []int {
	ports := make([]int, n)
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		msg := []byte(strconv.Itoa(i) + "\n")
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.SetDeadline(time.Now().Add(5 * time.Second))
				c.Write(msg)
				c.Close()
			}
		}()
		t.Cleanup(func() { ln.Close(); <-done })
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// --- haproxy ---

type haproxy struct {
	port int    // the HTTP frontend
	sock string // the admin stats socket
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startHAProxy writes the configuration and starts haproxy in the
// foreground; it is killed when the test ends.
func startHAProxy(t *testing.T, bin string, scs []*oracleScenario, httpPorts, tcpPorts []int) *haproxy {
	dir := t.TempDir()
	h := &haproxy{sock: filepath.Join(dir, "admin.sock")}
	var lastErr error
	deadPort := freePort(t) // closed again: connections are refused
	for attempt := 0; attempt < 3; attempt++ {
		h.port = freePort(t)
		var b bytes.Buffer
		fmt.Fprintf(&b, "global\n  nbthread 1\n  stats socket %s level admin\n", h.sock)
		b.WriteString("defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n")
		fmt.Fprintf(&b, "frontend fe\n  bind 127.0.0.1:%d\n  use_backend %%[req.hdr(x-be)]\n", h.port)
		for i, sc := range scs {
			sc.backend = fmt.Sprintf("s%02d", i)
			ports := httpPorts
			if sc.tcp {
				sc.port = freePort(t)
				ports = tcpPorts
				fmt.Fprintf(&b, "frontend f%s\n  mode tcp\n  bind 127.0.0.1:%d\n", sc.backend, sc.port)
				b.WriteString("  tcp-request inspect-delay 2s\n  tcp-request content accept if { req.len gt 0 }\n")
				fmt.Fprintf(&b, "  default_backend %s\n", sc.backend)
			}
			fmt.Fprintf(&b, "backend %s\n  balance %s\n", sc.backend, sc.balance)
			if sc.tcp {
				b.WriteString("  mode tcp\n")
			}
			if sc.hashType != "" {
				fmt.Fprintf(&b, "  hash-type %s\n", sc.hashType)
			}
			for _, l := range sc.extra {
				fmt.Fprintf(&b, "  %s\n", l)
			}
			if sc.redispatch {
				b.WriteString("  retries 1\n  option redispatch\n  timeout connect 200ms\n")
			}
			for j, s := range sc.servers {
				port := ports[j]
				if s.dead {
					port = deadPort
				}
				fmt.Fprintf(&b, "  server %c 127.0.0.1:%d weight %d", 'a'+j, port, s.weight)
				if s.id != 0 {
					fmt.Fprintf(&b, " id %d", s.id)
				}
				if s.backup {
					b.WriteString(" backup")
				}
				if s.maxconn > 0 {
					fmt.Fprintf(&b, " maxconn %d", s.maxconn)
				}
				if s.disabled {
					b.WriteString(" disabled")
				}
				b.WriteString("\n")
			}
		}
		cfg := filepath.Join(dir, "haproxy.cfg")
		if err := os.WriteFile(cfg, b.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd := exec.Command(bin, "-db", "-f", cfg)
		cmd.Stdout, cmd.Stderr = &stderr, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		if err := h.waitReady(exited); err != nil {
			cmd.Process.Kill()
			<-exited
			lastErr = fmt.Errorf("%v\n%s", err, stderr.String())
			continue
		}
		t.Cleanup(func() {
			cmd.Process.Kill()
			<-exited
		})
		return h
	}
	t.Fatalf("haproxy did not start: %v", lastErr)
	return nil
}

// waitReady polls haproxy's HTTP listener, for at most 10 s. HAProxy binds
// every listener before it accepts on any, and polling the TCP frontends
// would hand an empty connection to their balancers.
func (h *haproxy) waitReady(exited <-chan error) error {
	ports := []int{h.port}
	deadline := time.Now().Add(10 * time.Second)
	for _, p := range ports {
		for {
			select {
			case err := <-exited:
				return fmt.Errorf("haproxy exited: %v", err)
			default:
			}
			c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p), time.Second)
			if err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("port %d not ready: %v", p, err)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// cli runs one stats socket command and returns its output.
func (h *haproxy) cli(cmd string) (string, error) {
	c, err := net.DialTimeout("unix", h.sock, 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, cmd+"\n"); err != nil {
		return "", err
	}
	out, err := io.ReadAll(c)
	return string(out), err
}

type oracleConn struct {
	c  net.Conn
	br *bufio.Reader
}

func (h *haproxy) dial(src string) (*oracleConn, error) {
	d := net.Dialer{Timeout: 2 * time.Second, KeepAlive: -1}
	if src != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(src)}
	}
	c, err := d.DialContext(context.Background(), "tcp", fmt.Sprintf("127.0.0.1:%d", h.port))
	if err != nil {
		return nil, err
	}
	return &oracleConn{c: c, br: bufio.NewReader(c)}, nil
}

func (c *oracleConn) close() { c.c.Close() }

// request sends r to backend be and returns the name of the server that
// answered, or "-" for haproxy's 503.
func (c *oracleConn) request(be string, r oracleReq) (string, error) {
	target := r.target
	if target == "" {
		target = "/"
	}
	method := "GET"
	if r.body != "" {
		method = "POST"
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nx-be: %s\r\n", method, target, be)
	if _, ok := r.header["Host"]; !ok {
		// HAProxy requires Host to match the authority of an absolute URI.
		host := "oracle"
		if _, rest, ok := strings.Cut(target, "://"); ok {
			host, _, _ = strings.Cut(rest, "/")
		}
		fmt.Fprintf(&b, "Host: %s\r\n", host)
	}
	for k, v := range r.header {
		fmt.Fprintf(&b, "%s: %s\r\n", k, v)
	}
	if r.body != "" {
		fmt.Fprintf(&b, "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n", len(r.body))
	}
	// use_domain_only makes HAProxy read the byte that follows the header
	// value in its buffer, which is the next header's name or, after the
	// last header, leftovers of earlier requests: end with a header that
	// makes that byte known (and not a dot).
	b.WriteString("x-end: 1\r\n\r\n")
	b.WriteString(r.body)
	c.c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.c.Write(b.Bytes()); err != nil {
		return "", err
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return "", err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode == http.StatusServiceUnavailable {
		return "-", nil
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %s", resp.Status)
	}
	return serverName(string(body))
}

func serverName(body string) (string, error) {
	i, err := strconv.Atoi(strings.TrimSpace(body))
	if err != nil {
		return "", fmt.Errorf("unexpected answer %q", body)
	}
	return string(rune('a' + i)), nil
}

// httpRequestFrom sends r on a new connection from r.src.
func (h *haproxy) httpRequestFrom(be string, r oracleReq) (string, error) {
	c, err := h.dial(r.src)
	if err != nil {
		return "", err
	}
	defer c.close()
	return c.request(be, r)
}

// tcpRequest sends payload to a TCP frontend and returns the server name.
func (h *haproxy) tcpRequest(port int, payload []byte) (string, error) {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), 2*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(payload); err != nil {
		return "", err
	}
	out, err := io.ReadAll(c)
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return "", err
	}
	if len(out) == 0 {
		return "-", nil
	}
	return serverName(string(out))
}

// lastValue returns the last element of a comma-separated header value,
// commas in quoted strings excepted, trimmed: what req.hdr(name) fetches.
func lastValue(v string) []byte {
	quoted, start := false, 0
	for i := 0; i < len(v); i++ {
		switch {
		case quoted && v[i] == '\\':
			i++
		case v[i] == '"':
			quoted = !quoted
		case !quoted && v[i] == ',':
			start = i + 1
		}
	}
	return []byte(strings.TrimSpace(v[start:]))
}

// holds maps the x-hold header of held requests to their state.
var (
	holds   sync.Map
	holdSeq atomic.Int64
)

// heldRequest is a request the server keeps open until end is called: a
// long request or a tunnel occupying a connection slot.
type heldRequest struct {
	id      string
	arrived chan int
	release chan struct{}
	done    chan error
	ended   bool
	srv     *Server // the slot LB.Pick took for it
}

// hold sends r on its own connection and waits until a server has it.
func (h *haproxy) hold(be string, r oracleReq) (*heldRequest, string, error) {
	id := strconv.FormatInt(holdSeq.Add(1), 10)
	hr := &heldRequest{id: id, arrived: make(chan int, 1), release: make(chan struct{}), done: make(chan error, 1)}
	holds.Store(id, hr)
	go func() {
		c, err := h.dial("")
		if err != nil {
			hr.done <- err
			return
		}
		defer c.close()
		r.header = map[string]string{"x-hold": id, "Connection": "close"}
		if _, err := c.request(be, r); err != nil {
			hr.done <- err
			return
		}
		// Wait for haproxy to close: the stream, and its slot, are gone.
		c.c.SetDeadline(time.Now().Add(5 * time.Second))
		_, err = io.Copy(io.Discard, c.br)
		hr.done <- err
	}()
	select {
	case i := <-hr.arrived:
		return hr, string(rune('a' + i)), nil
	case err := <-hr.done:
		hr.ended = true
		holds.Delete(id)
		return hr, "", fmt.Errorf("held request ended early: %v", err)
	case <-time.After(5 * time.Second):
		return hr, "", errors.New("held request reached no server (queued?)")
	}
}

// end lets the server answer and waits until haproxy closed the
// connection.
func (hr *heldRequest) end() error {
	if hr.ended {
		return nil
	}
	hr.ended = true
	defer holds.Delete(hr.id)
	close(hr.release)
	select {
	case err := <-hr.done:
		return err
	case <-time.After(5 * time.Second):
		return errors.New("held request did not end")
	}
}
