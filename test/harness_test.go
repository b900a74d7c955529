// Package test holds black-box tests: they build the real hawser binary,
// run it on 127.0.0.1 with real backends and real WebSocket clients, and
// stop it by its PID.
package test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hawser-lb/hawser/internal/echo"
	"go.uber.org/goleak"
)

// hawserBin is the binary under test, built once by TestMain.
var hawserBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hawser-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hawserBin = filepath.Join(dir, "hawser")
	touchSources()
	args := []string{"build", "-o", hawserBin}
	// HAWSER_TEST_RACE=1 (make test-race) runs every test against a
	// race-detector build; its reports go to files checked at the end.
	race := os.Getenv("HAWSER_TEST_RACE") != ""
	if race {
		args = append(args, "-race")
		os.Setenv("GORACE", "log_path="+filepath.Join(dir, "race"))
	}
	build := exec.Command("go", append(args, "../cmd/hawser")...)
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building hawser: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	if race && raceReports(dir) {
		code = 1
	}
	os.RemoveAll(dir)
	if code == 0 {
		// The clients and backends each test started must all be gone.
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goroutine leak: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// touchSources opens every Go source file of the binary. The go command
// caches test results keyed on the files a test opens, and the binary is
// built by a subprocess it cannot see: without this, a change to the proxy
// would not invalidate the cached results of these tests.
func touchSources() {
	for _, root := range []string{"../cmd", "../internal", "../examples"} {
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".cfg") || strings.HasSuffix(path, ".html")) {
				if f, err := os.Open(path); err == nil {
					f.Close()
				}
			}
			return nil
		})
	}
}

// logBuffer collects a process's output and lets tests wait for a line.
type logBuffer struct {
	mu   sync.Mutex
	cond *sync.Cond
	buf  bytes.Buffer
}

func newLogBuffer() *logBuffer {
	b := &logBuffer{}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cond.Broadcast()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor waits until the output contains a line for which match holds,
// and returns that line. It fails the test after timeout.
func (b *logBuffer) waitFor(t *testing.T, timeout time.Duration, what string, match func(line string) bool) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		b.mu.Lock()
		b.cond.Broadcast()
		b.mu.Unlock()
	})
	defer timer.Stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	for {
		for _, l := range strings.Split(b.buf.String(), "\n") {
			if match(l) {
				return l
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s; output:\n%s", timeout, what, b.buf.String())
		}
		b.cond.Wait()
	}
}

// waitLog waits for a log line containing every one of the substrings.
func (b *logBuffer) waitLog(t *testing.T, subs ...string) string {
	t.Helper()
	return b.waitFor(t, 15*time.Second, fmt.Sprintf("a line with %q", subs), func(l string) bool {
		for _, s := range subs {
			if !strings.Contains(l, s) {
				return false
			}
		}
		return true
	})
}

// proc is a running hawser.
type proc struct {
	cmd    *exec.Cmd
	stdout *logBuffer
	stderr *logBuffer
	done   chan struct{}
	err    error
}

// freePort returns a port that was free a moment ago on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// writeConfig writes cfg into the test's temporary directory.
func writeConfig(t *testing.T, cfg string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "hawser.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// startHawser runs hawser -f <cfg> with extra environment variables and
// waits until waitAddr accepts connections (when given). The process is
// stopped by its PID when the test ends.
func startHawser(t *testing.T, cfg string, env map[string]string, waitAddr string, args ...string) *proc {
	t.Helper()
	path := writeConfig(t, cfg)
	p := &proc{stdout: newLogBuffer(), stderr: newLogBuffer(), done: make(chan struct{})}
	p.cmd = exec.Command(hawserBin, append([]string{"-f", path}, args...)...)
	p.cmd.Env = os.Environ()
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	// A child that inherited our pipes (a worker, a daemon) must not make
	// Wait block once the process itself exited.
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.stop(t) })
	if waitAddr != "" {
		p.waitListening(t, waitAddr)
	}
	return p
}

// waitListening polls addr until it accepts a connection, the process
// exits, or 10 s pass.
func (p *proc) waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-p.done:
			t.Fatalf("hawser exited during startup (%v); stderr:\n%s", p.err, p.stderr)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("hawser did not listen on %s within 10s; stderr:\n%s", addr, p.stderr)
		}
	}
}

// stop sends SIGTERM to the process by its PID and waits for it, killing
// it after 10 s.
func (p *proc) stop(t *testing.T) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		t.Errorf("hawser did not stop within 10s of SIGTERM")
	}
}

// exitCode waits for the process and returns its exit status.
func (p *proc) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatal("hawser did not exit")
	}
	return p.cmd.ProcessState.ExitCode()
}

// backends starts n echo backends named servers1..n.
func backends(t *testing.T, n int) []*echo.Server {
	t.Helper()
	var out []*echo.Server
	for i := 1; i <= n; i++ {
		b, err := echo.Start(fmt.Sprintf("servers%d", i), "127.0.0.1:0", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		out = append(out, b)
	}
	return out
}

// runHawser runs hawser with args to completion and returns its exit code
// and output.
func runHawser(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(hawserBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// raceReports prints the race detector's reports left in dir by the
// hawser processes and tells whether there were any.
func raceReports(dir string) bool {
	files, _ := filepath.Glob(filepath.Join(dir, "race.*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		fmt.Fprintf(os.Stderr, "data race in hawser (%s):\n%s\n", filepath.Base(f), b)
	}
	return len(files) > 0
}
