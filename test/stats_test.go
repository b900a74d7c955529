package test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// apiCommand sends one line to a runtime API socket and returns the
// answer (the connection closes after it, as in HAProxy's
// non-interactive mode).
func apiCommand(t *testing.T, sock, line string) string {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(c, "%s\n", line)
	out, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func startWithSockets(t *testing.T) (admin, user, addr string) {
	t.Helper()
	bs := backends(t, 2)
	dir := t.TempDir()
	admin, user = filepath.Join(dir, "admin.sock"), filepath.Join(dir, "user.sock")
	port := freePort(t)
	addr = fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(`
global
    stats socket %s mode 600 level admin
    stats socket %s level user
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    server s1 %s weight 2
    server s2 %s
`, admin, user, port, bs[0].Addr(), bs[1].Addr())
	startHawser(t, cfg, nil, addr)
	return admin, user, addr
}

func TestRuntimeAPI(t *testing.T) {
	admin, user, addr := startWithSockets(t)
	if out := apiCommand(t, admin, "show backend"); out != "# name\nbe\n\n" {
		t.Errorf("show backend = %q", out)
	}
	if out := apiCommand(t, admin, "get weight be/s1"); out != "2 (initial 2)\n\n" {
		t.Errorf("get weight = %q", out)
	}
	if out := apiCommand(t, admin, "set weight be/s1 300"); !strings.Contains(out, "Absolute weight can only be between 0 and 256 inclusive.") {
		t.Errorf("set weight 300 = %q", out)
	}
	if out := apiCommand(t, admin, "set weight be/s1 50%; get weight be/s1"); out != "\n1 (initial 2)\n\n" {
		t.Errorf("set weight 50%% = %q", out)
	}
	if out := apiCommand(t, admin, "get weight be/nosuch"); out != "No such server.\n\n" {
		t.Errorf("unknown server = %q", out)
	}
	if out := apiCommand(t, admin, "frobnicate"); !strings.HasPrefix(out, "Unknown command") {
		t.Errorf("unknown command = %q", out)
	}
	// Maintenance takes s1 out of load balancing.
	apiCommand(t, admin, "set server be/s1 state maint")
	for i := 0; i < 6; i++ {
		resp, _ := get(t, addr, "x", "/?name")
		if by := resp.Header.Get("X-Served-By"); by != "servers2" {
			t.Fatalf("request %d served by %s while s1 is in maintenance", i, by)
		}
	}
	stat := apiCommand(t, admin, "show stat")
	lines := strings.Split(stat, "\n")
	if !strings.HasPrefix(lines[0], "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,") {
		t.Fatalf("show stat header = %q", lines[0])
	}
	var s1 string
	for _, l := range lines {
		if strings.HasPrefix(l, "be,s1,") {
			s1 = l
		}
	}
	if f := strings.Split(s1, ","); len(f) < 18 || f[17] != "MAINT" {
		t.Errorf("s1 status in show stat = %q", s1)
	}
	apiCommand(t, admin, "set server be/s1 state ready")
	// A user-level socket may read but not change anything.
	if out := apiCommand(t, user, "disable server be/s2"); out != "Permission denied\n\n" {
		t.Errorf("user disable server = %q", out)
	}
	if out := apiCommand(t, user, "show cli level"); out != "user\n\n" {
		t.Errorf("show cli level = %q", out)
	}
	if out := apiCommand(t, admin, "show info"); !strings.Contains(out, "Name: hawser\n") || !strings.Contains(out, "CurrConns: ") {
		t.Errorf("show info = %q", out)
	}
}

func TestRuntimeAPIPromptMode(t *testing.T) {
	admin, _, _ := startWithSockets(t)
	c, err := net.Dial("unix", admin)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	fmt.Fprint(c, "prompt\n")
	readUntilPrompt := func() string {
		var b strings.Builder
		for !strings.HasSuffix(b.String(), "> ") {
			ch, err := br.ReadByte()
			if err != nil {
				t.Fatalf("reading: %v after %q", err, b.String())
			}
			b.WriteByte(ch)
		}
		return b.String()
	}
	readUntilPrompt()
	fmt.Fprint(c, "get weight be/s2\n")
	if out := readUntilPrompt(); out != "1 (initial 1)\n\n> " {
		t.Errorf("interactive answer = %q", out)
	}
	fmt.Fprint(c, "quit\n")
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("connection still open after quit: %v", err)
	}
}

// TestShowStatHeaderMatchesHAProxy compares hawser's `show stat` header
// with the installed haproxy's, column for column.
func TestShowStatHeaderMatchesHAProxy(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (apt-get install -y haproxy): cannot compare show stat headers")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "h.sock")
	cfg := writeConfig(t, fmt.Sprintf("global\n    stats socket %s level admin\ndefaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nbackend be\n    server s 127.0.0.1:1\n", sock))
	cmd := exec.Command(haproxy, "-db", "-f", cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var want string
	for i := 0; i < 200; i++ {
		if c, err := net.Dial("unix", sock); err == nil {
			c.Close()
			want = strings.SplitN(apiCommand(t, sock, "show stat"), "\n", 2)[0]
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if want == "" {
		t.Fatal("haproxy's stats socket did not come up")
	}
	admin, _, _ := startWithSockets(t)
	got := strings.SplitN(apiCommand(t, admin, "show stat"), "\n", 2)[0]
	if got != want {
		t.Errorf("show stat header differs from haproxy's\ngot  %s\nwant %s", got, want)
	}
}
