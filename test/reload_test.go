package test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// reloadable is a hawser started from a config file the test rewrites.
type reloadable struct {
	*proc
	path string
	sock string
	addr string
	env  map[string]string
}

const reloadBase = `
global
    log stdout format raw local0
    stats socket "${SOCK}" level admin expose-fd listeners
    hard-stop-after "${HSA-10s}"
defaults
    mode http
    log global
    option httplog
    timeout client 10s
    timeout server 10s
    timeout connect 1s
    timeout tunnel 1m
frontend fe
    bind "127.0.0.1:${PORT}"
%s
    default_backend be
backend be
    server s1 "${S1}"
%s
`

func startReloadable(t *testing.T, feLines, extra string) *reloadable {
	t.Helper()
	bs := backends(t, 2)
	port := freePort(t)
	r := &reloadable{addr: fmt.Sprintf("127.0.0.1:%d", port), sock: filepath.Join(t.TempDir(), "api.sock")}
	r.env = map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr(), "S2": bs[1].Addr(), "SOCK": r.sock}
	r.proc = startHawser(t, fmt.Sprintf(reloadBase, feLines, extra), r.env, r.addr)
	r.path = r.cmd.Args[2]
	return r
}

// reload rewrites the config and sends SIGHUP, waiting until the process
// counted the reload (or reported a failure).
func (r *reloadable) reload(t *testing.T, feLines, extra string, wantOK bool) {
	t.Helper()
	before := r.reloads(t)
	if err := os.WriteFile(r.path, []byte(fmt.Sprintf(reloadBase, feLines, extra)), 0o644); err != nil {
		t.Fatal(err)
	}
	fails := strings.Count(r.stderr.String(), "reload failed")
	r.cmd.Process.Signal(syscall.SIGHUP)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if wantOK && r.reloads(t) > before {
			return
		}
		if !wantOK && strings.Count(r.stderr.String(), "reload failed") > fails {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("reload (want ok=%v) not seen; stderr:\n%s", wantOK, r.stderr)
}

// reloads reads the Reloads counter of show info.
func (r *reloadable) reloads(t *testing.T) int {
	return infoValue(t, r.sock, "Reloads")
}

func infoValue(t *testing.T, sock, key string) int {
	t.Helper()
	for _, l := range strings.Split(apiCommand(t, sock, "show info"), "\n") {
		if v, ok := strings.CutPrefix(l, key+": "); ok {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	t.Fatalf("show info has no %s", key)
	return 0
}

func echoOnce(ctx context.Context, c *websocket.Conn, msg string) error {
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		return err
	}
	_, got, err := c.Read(ctx)
	if err != nil {
		return err
	}
	if string(got) != msg {
		return fmt.Errorf("echo %q, want %q", got, msg)
	}
	return nil
}

func TestWebSocketSurvivesReloadsAndNewRulesApply(t *testing.T) {
	r := startReloadable(t, "", "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+r.addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	for i := 0; i < 5; i++ {
		if err := echoOnce(ctx, ws, fmt.Sprintf("before reload %d", i)); err != nil {
			t.Fatalf("before reload %d: %v", i, err)
		}
		// Each reload adds a backend and a rule that routes /new there.
		r.reload(t, "    use_backend be2 if { path_beg /new }", "backend be2\n    server s2 \"${S2}\"\n"+strings.Repeat("# reload\n", i), true)
		if err := echoOnce(ctx, ws, fmt.Sprintf("after reload %d", i)); err != nil {
			t.Fatalf("after reload %d: %v", i, err)
		}
	}
	if got := servedBy(t, newClient(), r.addr, "/new", nil); got != "servers2" {
		t.Errorf("/new went to %s after the reload, want the new backend's servers2", got)
	}
	if got := servedBy(t, newClient(), r.addr, "/old", nil); got != "servers1" {
		t.Errorf("/old went to %s", got)
	}
}

func TestBrokenConfigIsRefusedAndOldOneKeepsServing(t *testing.T) {
	r := startReloadable(t, "", "")
	r.reload(t, "    frobnicate", "", false)
	if !strings.Contains(r.stderr.String(), r.path+":16: unknown keyword 'frobnicate'") {
		t.Errorf("stderr does not name the file and line:\n%s", r.stderr)
	}
	if got := servedBy(t, newClient(), r.addr, "/", nil); got != "servers1" {
		t.Errorf("after a refused reload: served by %q", got)
	}
}

// load runs clients (new connection per request, and new WebSockets)
// until stop is closed, counting failures.
func load(t *testing.T, addr string, stop <-chan struct{}) (ok, failed *atomic.Int64, wait func()) {
	ok, failed = &atomic.Int64{}, &atomic.Int64{}
	var wg sync.WaitGroup
	var errs sync.Map
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := newClient()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				var err error
				if w == 3 {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					var ws *websocket.Conn
					ws, _, err = websocket.Dial(ctx, "ws://"+addr+"/ws", nil)
					if err == nil {
						err = echoOnce(ctx, ws, "x")
						ws.Close(websocket.StatusNormalClosure, "")
					}
					cancel()
				} else {
					var st int
					st, err = httpGetWith(c, addr, "/load")
					if err == nil && st != 200 {
						err = fmt.Errorf("status %d", st)
					}
				}
				if err != nil {
					failed.Add(1)
					errs.Store(fmt.Sprint(err), true)
				} else {
					ok.Add(1)
				}
				if i > 5000 {
					return // bounded
				}
			}
		}(w)
	}
	return ok, failed, func() {
		wg.Wait()
		errs.Range(func(k, _ any) bool { t.Logf("load error: %v", k); return true })
	}
}

func TestNoFailedRequestDuringReloads(t *testing.T) {
	r := startReloadable(t, "", "")
	stop := make(chan struct{})
	ok, failed, wait := load(t, r.addr, stop)
	for i := 0; i < 5; i++ {
		r.reload(t, "", strings.Repeat("# reload\n", i+1), true)
	}
	close(stop)
	wait()
	if ok.Load() == 0 || failed.Load() != 0 {
		t.Errorf("during 5 reloads: %d ok, %d failed", ok.Load(), failed.Load())
	}
}

func TestNoLeakAcross20Reloads(t *testing.T) {
	r := startReloadable(t, "", "")
	pid := r.cmd.Process.Pid
	countFDs := func() int {
		ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		if err != nil {
			t.Fatal(err)
		}
		return len(ents)
	}
	servedBy(t, newClient(), r.addr, "/", nil)
	fds, gor := countFDs(), infoValue(t, r.sock, "Goroutines")
	for i := 0; i < 20; i++ {
		r.reload(t, "", fmt.Sprintf("backend b%d\n    server s \"${S2}\"\n", i), true)
	}
	servedBy(t, newClient(), r.addr, "/", nil)
	// The last request's connection may still be closing: wait for the
	// counts to settle, then compare.
	deadline := time.Now().Add(10 * time.Second)
	for (countFDs() > fds || infoValue(t, r.sock, "Goroutines") > gor+2) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if now := countFDs(); now > fds {
		t.Errorf("file descriptors: %d before 20 reloads, %d after", fds, now)
	}
	if now := infoValue(t, r.sock, "Goroutines"); now > gor+2 {
		t.Errorf("goroutines: %d before 20 reloads, %d after", gor, now)
	}
}

// TestBinaryHandover starts a second hawser that takes the first one's
// listening sockets (-x) and soft-stops it (-sf): a WebSocket on the old
// process keeps echoing, new connections go to the new one, nothing is
// refused under load, and the old process exits when its tunnel closes.
func TestBinaryHandover(t *testing.T) {
	r := startReloadable(t, "", "")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+r.addr+"/ws", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	stop := make(chan struct{})
	ok, failed, wait := load(t, r.addr, stop)
	sock2 := filepath.Join(t.TempDir(), "api2.sock")
	env2 := map[string]string{}
	for k, v := range r.env {
		env2[k] = v
	}
	env2["SOCK"] = sock2
	cfg, _ := os.ReadFile(r.path)
	next := startHawser(t, string(cfg), env2, "", "-x", r.sock, "-sf", strconv.Itoa(r.cmd.Process.Pid))
	// The new process is up once its own socket answers.
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := (&netDialer{}).dial(sock2); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("new process did not start: %s", next.stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // let the load run across the handover
	close(stop)
	wait()
	if ok.Load() == 0 || failed.Load() != 0 {
		t.Errorf("during the handover: %d ok, %d failed", ok.Load(), failed.Load())
	}
	// The old process keeps its tunnel…
	if err := echoOnce(ctx, ws, "still here"); err != nil {
		t.Fatalf("WebSocket on the old process after the handover: %v", err)
	}
	select {
	case <-r.done:
		t.Fatal("the old process exited while its tunnel was open")
	default:
	}
	// …new connections reach the new one…
	if pid := infoValue(t, sock2, "Pid"); pid != next.cmd.Process.Pid {
		t.Errorf("show info on the new socket: Pid %d", pid)
	}
	// …and the old one exits once its last tunnel closes.
	ws.Close(websocket.StatusNormalClosure, "")
	if code := r.exitCode(t); code != 0 {
		t.Errorf("old process exit code %d", code)
	}
}

func TestSoftStopHardStopAfterKillsTunnels(t *testing.T) {
	t.Setenv("HSA", "1s") // hard-stop-after 1s
	r := startReloadable(t, "", "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws://"+r.addr+"/tunnel", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	echoOnce(ctx, ws, "x")
	start := time.Now()
	r.cmd.Process.Signal(syscall.SIGUSR1)
	if code := r.exitCode(t); code != 0 {
		t.Errorf("exit code %d", code)
	}
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("soft stop ended after %v, before hard-stop-after (1s), with a tunnel open", d)
	}
	r.stdout.waitLog(t, " 101 ", " K--- ", `"GET /tunnel HTTP/1.1"`)
}

func TestUnixAndInheritedBinds(t *testing.T) {
	bs := backends(t, 1)
	dir := t.TempDir()
	sock := filepath.Join(dir, "front.sock")
	// An inherited socket: the test listens and passes it as fd 3.
	port := freePort(t)
	tcpAddr := fmt.Sprintf("127.0.0.1:%d", port)
	lf, err := listenFile(tcpAddr)
	if err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`
defaults
    mode http
    timeout client 10s
    timeout server 10s
    timeout connect 1s
frontend fe
    bind unix@%s mode 600
    bind fd@3
    default_backend be
backend be
    server s1 %s
`, sock, bs[0].Addr())
	path := writeConfig(t, cfg)
	p := &proc{stdout: newLogBuffer(), stderr: newLogBuffer(), done: make(chan struct{})}
	p.cmd = exec.Command(hawserBin, "-f", path)
	p.cmd.ExtraFiles = []*os.File{lf}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lf.Close()
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop(t) })
	p.waitListening(t, tcpAddr)
	if got := servedBy(t, newClient(), tcpAddr, "/", nil); got != "servers1" {
		t.Errorf("through fd@3: %q", got)
	}
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("unix socket: %v %v", fi, err)
	}
	c, err := (&netDialer{}).dial(sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, "GET /?name HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 4096)
	n, _ := c.Read(b)
	if !strings.Contains(string(b[:n]), "X-Served-By: servers1") {
		t.Errorf("through the unix socket: %q", b[:n])
	}
}

func TestServerStateFileCarriesStatesAcrossRestart(t *testing.T) {
	bs := backends(t, 2)
	dir := t.TempDir()
	sock := filepath.Join(dir, "api.sock")
	stateFile := filepath.Join(dir, "server-state")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(`
global
    stats socket %s level admin
    server-state-file %s
defaults
    mode http
    timeout client 10s
    timeout server 10s
    timeout connect 1s
    load-server-state-from-file global
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s1 %s weight 10
    server s2 %s weight 10
`, sock, stateFile, port, bs[0].Addr(), bs[1].Addr())
	first := startHawser(t, cfg, nil, addr)
	apiCommand(t, sock, "set server be/s1 state maint; set server be/s2 weight 4")
	state := apiCommand(t, sock, "show servers state")
	if err := os.WriteFile(stateFile, []byte(state), 0o644); err != nil {
		t.Fatal(err)
	}
	first.stop(t)
	startHawser(t, cfg, nil, addr)
	if out := apiCommand(t, sock, "get weight be/s2"); out != "4 (initial 10)\n\n" {
		t.Errorf("weight after restart: %q", out)
	}
	for _, l := range strings.Split(apiCommand(t, sock, "show stat"), "\n") {
		if strings.HasPrefix(l, "be,s1,") && strings.Split(l, ",")[17] != "MAINT" {
			t.Errorf("s1 after restart: %s", l)
		}
	}
	for i := 0; i < 4; i++ {
		if got := servedBy(t, newClient(), addr, "/", nil); got != "servers2" {
			t.Errorf("request %d served by %s while s1 is in maintenance", i, got)
		}
	}
}

// TestPrivilegesDropped runs hawser with `user nobody` when the tests run
// as root, and checks the process's user ID once it serves: it binds as
// root but accepts only after dropping privileges, as HAProxy does.
func TestPrivilegesDropped(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("not running as root: privileges cannot be dropped")
	}
	bs := backends(t, 1)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf("global\n    user nobody\n    group nogroup\n"+timeoutConfig, "    timeout client 5s\n    timeout server 5s")
	cfg = strings.Replace(cfg, "\nglobal\n", "\n", 1)
	p := startHawser(t, cfg, map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr()}, addr)
	// A bound socket completes connections before the process accepts
	// them; a served request shows it accepts, which it does only once
	// the privileges are dropped.
	if st, err := httpGet(addr, "/"); err != nil || st != 200 {
		t.Fatalf("serving after dropping privileges: %d %v", st, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "Uid:") {
			if f := strings.Fields(l); f[1] != "65534" || f[2] != "65534" {
				t.Errorf("process runs as %s, want nobody (65534)", l)
			}
		}
	}
}
