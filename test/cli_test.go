package test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestVersion(t *testing.T) {
	code, out, _ := runHawser(t, "-v")
	if code != 0 || !strings.HasPrefix(out, "hawser version ") {
		t.Errorf("hawser -v: %d %q", code, out)
	}
}

func TestCheckSeedConfig(t *testing.T) {
	// The seed config as written: its fake host names cannot resolve, and
	// hawser says so exactly as haproxy -c does, with the file and line.
	code, _, stderr := runHawser(t, "-c", "-f", "../examples/seed/haproxy-websocket.cfg")
	if code != 1 || !strings.Contains(stderr, "haproxy-websocket.cfg:62: 'server ws_s1/servers1' : could not resolve address 's1.dy.xxxx.com'") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	// The loopback rewrite is valid.
	env := []string{"PORT=8080", "S1=127.0.0.1:1", "S2=127.0.0.1:2", "S3=127.0.0.1:3"}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	code, out, stderr := runHawser(t, "-c", "-f", "../examples/seed-loopback.cfg")
	if code != 0 || !strings.Contains(out, "Configuration file is valid") {
		t.Errorf("exit %d, stdout %q stderr %q", code, out, stderr)
	}
}

func TestCheckReportsFileAndLine(t *testing.T) {
	for _, tt := range []struct{ name, cfg, want string }{
		{"unknown keyword", "global\n    frobnicate\n", ":2: unknown keyword 'frobnicate' in 'global' section"},
		{"not implemented", "defaults\n    mode http\nfrontend f\n    bind :80\n    compression algo gzip\n", ":5: 'compression' is a HAProxy keyword that hawser does not support yet"},
		{"bad value", "defaults\n    timeout client 1.5s\n", ":2: 'timeout client': unexpected character '.'"},
		{"missing backend", "frontend f\n    bind :80\n    use_backend nosuch if TRUE\n", ":3: unable to find required use_backend: 'nosuch'"},
		{"bad acl", "frontend f\n    bind :80\n    acl a nosuchfetch x\n    use_backend b if a\nbackend b\n", ":3: "},
		{"unknown acl", "frontend f\n    bind :80\n    use_backend b if nosuchacl\nbackend b\n", ":3: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.cfg)
			code, _, stderr := runHawser(t, "-c", "-f", path)
			if code != 1 || !strings.Contains(stderr, path+tt.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant %s%s", code, stderr, path, tt.want)
			}
		})
	}
}

func TestUnknownFlag(t *testing.T) {
	code, _, stderr := runHawser(t, "-Z")
	if code != 1 || !strings.Contains(stderr, "unknown option '-Z'") {
		t.Errorf("exit %d stderr %q", code, stderr)
	}
}

func TestSIGTERMFinishesInFlightRequests(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv, _ := countingBackend(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		time.Sleep(time.Second) // an in-flight request that takes a while
		io.WriteString(w, "done")
	})
	p, addr := startTimeouts(t, "    timeout client 10s\n    timeout server 10s", srv)
	done := make(chan int, 1)
	go func() {
		status, err := httpGet(addr, "/slow")
		if err != nil {
			status = -1
		}
		done <- status
	}()
	<-arrived
	p.cmd.Process.Signal(syscall.SIGTERM)
	if status := <-done; status != 200 {
		t.Errorf("in-flight request got %d, want 200 despite SIGTERM", status)
	}
	if code := p.exitCode(t); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
}

func TestDaemonAndPidfile(t *testing.T) {
	bs := backends(t, 1)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	pidfile := filepath.Join(t.TempDir(), "hawser.pid")
	cfg := fmt.Sprintf("global\n    daemon\n    pidfile %s\n"+timeoutConfig, pidfile, "    timeout client 5s\n    timeout server 5s")
	cfg = strings.Replace(cfg, "\nglobal\n", "\n", 1)
	path := writeConfig(t, cfg)
	t.Setenv("PORT", fmt.Sprint(port))
	t.Setenv("S1", bs[0].Addr())
	code, _, stderr := runHawser(t, "-f", path)
	if code != 0 {
		t.Fatalf("daemon start: exit %d, %s", code, stderr)
	}
	data, err := os.ReadFile(pidfile)
	if err != nil {
		t.Fatalf("pidfile: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatalf("pidfile holds %q", data)
	}
	defer syscall.Kill(pid, syscall.SIGKILL)
	if status, err := httpGet(addr, "/"); err != nil || status != 200 {
		t.Errorf("daemon does not serve: %d %v", status, err)
	}
	// Detached: its own session, not our child.
	if sid := sessionID(t, pid); sid != pid {
		t.Errorf("daemon session id %d, want its own (%d)", sid, pid)
	}
	syscall.Kill(pid, syscall.SIGTERM)
	for i := 0; i < 200 && syscall.Kill(pid, 0) == nil; i++ {
		time.Sleep(25 * time.Millisecond)
	}
	if syscall.Kill(pid, 0) == nil {
		t.Error("daemon still running 5s after SIGTERM")
	}
}

func TestDebugPrintsHeads(t *testing.T) {
	bs := backends(t, 1)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	p := startHawser(t, fmt.Sprintf(timeoutConfig, "    timeout client 5s\n    timeout server 5s"),
		map[string]string{"PORT": fmt.Sprint(port), "S1": bs[0].Addr()}, addr, "-d")
	httpGet(addr, "/debugme")
	p.stderr.waitLog(t, "fe.clireq", "GET /debugme HTTP/1.1")
	p.stderr.waitLog(t, "be.srvrep", "HTTP/1.1 200 OK")
}

// sessionID reads the session ID of a process from /proc (field 6 of
// /proc/PID/stat).
func sessionID(t *testing.T, pid int) int {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	rest := string(data[strings.LastIndexByte(string(data), ')')+2:])
	f := strings.Fields(rest)
	sid, _ := strconv.Atoi(f[3])
	return sid
}
