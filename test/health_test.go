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
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// checkPort is a TCP port that health checks (`check port N`) connect to
// and that a test opens and closes to make a server pass or fail its
// checks while its traffic port keeps working.
type checkPort struct {
	t    *testing.T
	addr string
	port int
	mu   sync.Mutex
	ln   net.Listener
	wg   sync.WaitGroup
}

func newCheckPort(t *testing.T) *checkPort {
	t.Helper()
	p := &checkPort{t: t, port: freePort(t)}
	p.addr = fmt.Sprintf("127.0.0.1:%d", p.port)
	p.open()
	t.Cleanup(p.close)
	return p
}

// open starts accepting (checks pass).
func (p *checkPort) open() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		return
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("reopening the check port: %v", err)
	}
	p.ln = ln
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
}

// close refuses connections (checks fail with L4CON).
func (p *checkPort) close() {
	p.mu.Lock()
	ln := p.ln
	p.ln = nil
	p.mu.Unlock()
	if ln != nil {
		ln.Close()
		p.wg.Wait()
	}
}

// healthConfig is the common part of the configurations below: logs on
// stdout in raw format, so that the state-change lines can be awaited.
const healthConfig = `
global
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 10s
    timeout server 10s
    timeout tunnel 1m
frontend fe
    bind "127.0.0.1:${PORT}"
`

// startHealthHawser runs hawser with healthConfig followed by rest.
func startHealthHawser(t *testing.T, rest string, env map[string]string) (*proc, string) {
	t.Helper()
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if env == nil {
		env = map[string]string{}
	}
	env["PORT"] = fmt.Sprint(port)
	return startHawser(t, healthConfig+rest, env, addr), addr
}

// servedCount sends n requests and counts them by X-Served-By.
func servedCount(t *testing.T, addr string, n int) map[string]int {
	t.Helper()
	c := newClient()
	out := map[string]int{}
	for range n {
		out[servedBy(t, c, addr, "/", nil)]++
	}
	return out
}

func TestHealthFailingServerIsTakenOutAndComesBack(t *testing.T) {
	bs := backends(t, 2)
	c1 := newCheckPort(t)
	p, addr := startHealthHawser(t, `
    default_backend be
backend be
    server s1 "${S1}" check port "${C1}" inter 200ms fall 2 rise 2
    server s2 "${S2}" check inter 200ms fall 2 rise 2
`, map[string]string{"S1": bs[0].Addr(), "S2": bs[1].Addr(), "C1": fmt.Sprint(c1.port)})
	if got := servedCount(t, addr, 4); got["servers1"] != 2 || got["servers2"] != 2 {
		t.Fatalf("both UP: served %v, want round robin", got)
	}
	start := time.Now()
	c1.close()
	p.stdout.waitLog(t, `Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: `,
		"ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.")
	// fall 2 × inter 200ms, plus the wait for the first failing check
	// and some scheduling slack.
	if took := time.Since(start); took > 1200*time.Millisecond {
		t.Errorf("DOWN %v after the check port closed, want within fall × inter (400ms)", took)
	}
	p.stderr.waitLog(t, "[WARNING]  (", ") : Server be/s1 is DOWN, reason: Layer4 connection problem")
	if got := servedCount(t, addr, 6); got["servers2"] != 6 {
		t.Errorf("s1 DOWN: served %v, want everything on servers2", got)
	}
	start = time.Now()
	c1.open()
	p.stdout.waitLog(t, "Server be/s1 is UP, reason: Layer4 check passed, check duration: ",
		"ms. 2 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.")
	// rise 2: two successful checks, 200ms apart.
	if took := time.Since(start); took > 1200*time.Millisecond {
		t.Errorf("UP %v after the check port opened, want within rise × inter (400ms)", took)
	}
	if got := servedCount(t, addr, 4); got["servers1"] != 2 || got["servers2"] != 2 {
		t.Errorf("s1 back: served %v, want round robin again", got)
	}
}

func TestHealthHTTPCheckExpectStatus(t *testing.T) {
	bs := backends(t, 1)
	var status atomic.Int64
	status.Store(200)
	var reqLine atomic.Value
	chk, _ := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		reqLine.Store(fmt.Sprintf("%s %s %s host=%s", r.Method, r.URL.Path, r.Proto, r.Host))
		w.WriteHeader(int(status.Load()))
	})
	_, chkPort, _ := net.SplitHostPort(chk)
	p, addr := startHealthHawser(t, `
    default_backend be
backend be
    option httpchk GET /health HTTP/1.1
    http-check send hdr Host chk.example
    http-check expect status 200
    server s1 "${S1}" check port "${C1}" inter 200ms fall 2 rise 2
`, map[string]string{"S1": bs[0].Addr(), "C1": chkPort})
	if got := servedCount(t, addr, 1); got["servers1"] != 1 {
		t.Fatalf("served %v", got)
	}
	status.Store(500)
	p.stdout.waitLog(t, `Server be/s1 is DOWN, reason: Layer7 wrong status, code: 500, info: "Internal Server Error", check duration: `)
	p.stdout.waitLog(t, "backend be has no server available!")
	if got, want := reqLine.Load(), "GET /health HTTP/1.1 host=chk.example"; got != want {
		t.Errorf("check request %q, want %q", got, want)
	}
	// A 404 still fails `expect status 200` (the default would pass
	// only 2xx and 3xx).
	status.Store(404)
	time.Sleep(500 * time.Millisecond)
	status.Store(200)
	p.stdout.waitLog(t, "Server be/s1 is UP, reason: Layer7 check passed, code: 200, check duration: ")
	if got := servedCount(t, addr, 1); got["servers1"] != 1 {
		t.Errorf("served %v after UP", got)
	}
}

func TestHealthBackupTakesOverAndHandsBack(t *testing.T) {
	bs := backends(t, 2)
	c1 := newCheckPort(t)
	p, addr := startHealthHawser(t, `
    default_backend be
backend be
    server s1 "${S1}" check port "${C1}" inter 200ms fall 1 rise 2 on-marked-up shutdown-backup-sessions
    server bk "${S2}" check inter 200ms backup
`, map[string]string{"S1": bs[0].Addr(), "S2": bs[1].Addr(), "C1": fmt.Sprint(c1.port)})
	if got := servedCount(t, addr, 3); got["servers1"] != 3 {
		t.Fatalf("active UP: served %v, want everything on the active server", got)
	}
	c1.close()
	p.stdout.waitLog(t, "Server be/s1 is DOWN, reason: Layer4 connection problem",
		"0 active and 1 backup servers left. Running on backup. 0 sessions active")
	if got := servedCount(t, addr, 3); got["servers2"] != 3 {
		t.Fatalf("active DOWN: served %v, want everything on the backup", got)
	}
	// A WebSocket on the backup is killed when the active server comes
	// back (on-marked-up shutdown-backup-sessions).
	ws := dialWS(t, addr, "x", "/on-backup")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := echoOnce(ctx, ws, "hi"); err != nil {
		t.Fatal(err)
	}
	c1.open()
	p.stdout.waitLog(t, "Server be/s1 is UP, reason: Layer4 check passed", "1 active and 1 backup servers online.")
	if got := servedCount(t, addr, 3); got["servers1"] != 3 {
		t.Errorf("active back: served %v, want everything on the active server", got)
	}
	if _, _, err := ws.Read(ctx); err == nil {
		t.Error("the tunnel on the backup survived the active server's return")
	}
	p.stdout.waitLog(t, `"GET /on-backup HTTP/1.1"`, " U--- ")
}

func TestHealthShutdownSessionsClosesTunnels(t *testing.T) {
	bs := backends(t, 2)
	ca, cb := newCheckPort(t), newCheckPort(t)
	p, addr := startHealthHawser(t, `
    use_backend wa if { path_beg /a }
    default_backend wb
backend wa
    server a "${S1}" check port "${CA}" inter 200ms fall 1 on-marked-down shutdown-sessions
backend wb
    server b "${S2}" check port "${CB}" inter 200ms fall 1
`, map[string]string{"S1": bs[0].Addr(), "S2": bs[1].Addr(), "CA": fmt.Sprint(ca.port), "CB": fmt.Sprint(cb.port)})
	wa := dialWS(t, addr, "x", "/a")
	wb := dialWS(t, addr, "x", "/b")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, ws := range []*websocket.Conn{wa, wb} {
		if err := echoOnce(ctx, ws, "before"); err != nil {
			t.Fatal(err)
		}
	}
	ca.close()
	cb.close()
	p.stdout.waitLog(t, "Server wa/a is DOWN", "1 sessions active")
	p.stdout.waitLog(t, "Server wb/b is DOWN", "1 sessions active")
	// The tunnel of the server with shutdown-sessions is killed, logged
	// with termination D; the other one is left alone (HAProxy's default).
	if _, _, err := wa.Read(ctx); err == nil {
		t.Error("the tunnel of a server marked DOWN with shutdown-sessions survived")
	}
	p.stdout.waitLog(t, `"GET /a HTTP/1.1"`, " D--- ")
	if err := echoOnce(ctx, wb, "after"); err != nil {
		t.Errorf("the tunnel of a server marked DOWN without shutdown-sessions broke: %v", err)
	}
}

func TestHealthAllServersDownAnswers503AtOnce(t *testing.T) {
	// The traffic port counts connection attempts: none may reach a
	// server marked DOWN.
	var attempts atomic.Int64
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			attempts.Add(1)
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	c1 := newCheckPort(t)
	c1.close()
	p, addr := startHealthHawser(t, `
    default_backend be
backend be
    timeout connect 5s
    retries 3
    server s1 "${S1}" check port "${C1}" inter 200ms
    server s2 "${S1}" check port "${C1}" inter 200ms
`, map[string]string{"S1": ln.Addr().String(), "C1": fmt.Sprint(c1.port)})
	p.stdout.waitLog(t, "backend be has no server available!")
	start := time.Now()
	code, err := httpGet(addr, "/")
	if err != nil || code != 503 {
		t.Fatalf("every server DOWN: %d, %v; want 503", code, err)
	}
	if took := time.Since(start); took > 300*time.Millisecond {
		t.Errorf("503 after %v: hawser waited for something", took)
	}
	if n := attempts.Load(); n != 0 {
		t.Errorf("%d connection attempts to servers marked DOWN", n)
	}
	p.stdout.waitLog(t, " 503 ", " SC-- ", "<NOSRV>")
}

func TestHealthObserveLayer7MarksDown(t *testing.T) {
	srv, _ := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	c1 := newCheckPort(t)
	p, addr := startHealthHawser(t, `
    default_backend be
backend be
    server s1 "${S1}" check port "${C1}" inter 10s observe layer7 error-limit 3 on-error mark-down
`, map[string]string{"S1": srv, "C1": fmt.Sprint(c1.port)})
	for range 3 {
		if code, err := httpGet(addr, "/"); err != nil || code != 500 {
			t.Fatalf("request: %d, %v; want the server's 500", code, err)
		}
	}
	p.stdout.waitLog(t, `Server be/s1 is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: Wrong http response". 0 active and 0 backup servers left.`)
	if code, _ := httpGet(addr, "/"); code != 503 {
		t.Errorf("after mark-down: %d, want 503", code)
	}
}

// frozenBackend builds and starts test/testdata/frozenbackend in its own
// process and returns its address and process.
func frozenBackend(t *testing.T) (string, *exec.Cmd) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "frozenbackend")
	if out, err := exec.Command("go", "build", "-o", bin, "./testdata/frozenbackend").CombinedOutput(); err != nil {
		t.Fatalf("building the frozen backend: %v\n%s", err, out)
	}
	cmd := exec.Command(bin)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("frozen backend said %q, %v", line, err)
	}
	go io.Copy(io.Discard, out)
	return addr, cmd
}

func TestHealthFrozenServerGets504AndIsMarkedDown(t *testing.T) {
	srv, cmd := frozenBackend(t)
	p, addr := startHealthHawser(t, `
    default_backend be
backend be
    timeout server 1s
    option httpchk GET /
    server s1 "${S1}" check inter 300ms fall 2 rise 2
`, map[string]string{"S1": srv})
	if code, err := httpGet(addr, "/"); err != nil || code != 200 {
		t.Fatalf("before: %d, %v", code, err)
	}
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	// The signal is asynchronous: wait until the kernel shows the process
	// stopped before sending the request.
	waitProcState(t, cmd.Process.Pid, 'T')
	start := time.Now()
	// The kernel still accepts connections for the stopped process, so
	// the request waits for its response until timeout server.
	code, err := httpGet(addr, "/frozen")
	if took := time.Since(start); err != nil || code != 504 || took < 900*time.Millisecond || took > 10*time.Second {
		t.Errorf("frozen server: %d, %v after %v; want 504 at timeout server (1s)", code, err, took)
	}
	p.stdout.waitLog(t, `"GET /frozen HTTP/1.1"`, " sH-- ")
	// The check gets no answer within inter either: L7 timeout.
	p.stdout.waitLog(t, "Server be/s1 is DOWN, reason: Layer7 timeout, check duration: 3")
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("marked DOWN %v after the freeze, want about fall × inter (600ms)", took)
	}
	start = time.Now()
	if code, _ := httpGet(addr, "/"); code != 503 || time.Since(start) > 300*time.Millisecond {
		t.Errorf("after DOWN: %d in %v, want 503 at once", code, time.Since(start))
	}
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	p.stdout.waitLog(t, "Server be/s1 is UP, reason: Layer7 check passed, code: 200")
	if code, err := httpGet(addr, "/"); err != nil || code != 200 {
		t.Errorf("after thaw: %d, %v", code, err)
	}
}

// waitProcState waits until /proc/PID/stat shows the process in state
// (field 3: 'T' stopped, 'S' sleeping, …).
func waitProcState(t *testing.T, pid int, state byte) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err == nil {
			if i := strings.LastIndexByte(string(data), ')'); i > 0 && i+2 < len(data) && data[i+2] == state {
				return
			}
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("process %d never reached state %c", pid, state)
}
