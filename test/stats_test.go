package test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
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

const typedCfg = `
global
    stats socket %s level admin
defaults
    mode http
    timeout client 1s
    timeout server 1s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:%d
    default_backend be
backend be
    cookie SRV insert
    option httpchk GET /health
    server s1 127.0.0.1:1 check inter 1h cookie a
    server s2 127.0.0.1:2 disabled cookie b
`

// typedLines maps "<object letter>.<pos>.<name>" to "<tags>:<type>" for
// each line of a typed answer (show stat typed, show info typed).
func typedLines(t *testing.T, out string, stat bool) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		head, rest, ok := strings.Cut(l, ":")
		parts := strings.Split(head, ".")
		if !ok || (stat && len(parts) != 6) || (!stat && len(parts) != 3) {
			t.Fatalf("malformed typed line %q", l)
		}
		key := parts[0] + "." + parts[1]
		if stat {
			key = parts[0] + "." + parts[3] + "." + parts[4]
		}
		tags := strings.SplitN(rest, ":", 3)
		m[key] = tags[0] + ":" + tags[1]
	}
	return m
}

// TestShowTypedMatchesHAProxy runs haproxy and hawser on the same config
// and compares `show stat typed` and `show info typed` field by field
// (position, name, tags, type), and the object filters of show stat.
func TestShowTypedMatchesHAProxy(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (apt-get install -y haproxy): cannot compare typed statistics")
	}
	dir := t.TempDir()
	hsock, wsock := filepath.Join(dir, "h.sock"), filepath.Join(dir, "w.sock")
	hport, wport := oraclePort(t), freePort(t)
	startHAProxy(t, haproxy, fmt.Sprintf(typedCfg, hsock, hport), fmt.Sprintf("127.0.0.1:%d", hport))
	startHawser(t, fmt.Sprintf(typedCfg, wsock, wport), nil, fmt.Sprintf("127.0.0.1:%d", wport))

	for _, cmd := range []string{"show stat typed", "show info typed"} {
		stat := strings.HasPrefix(cmd, "show stat")
		want := typedLines(t, apiCommand(t, hsock, cmd), stat)
		got := typedLines(t, apiCommand(t, wsock, cmd), stat)
		for k, g := range got {
			w, ok := want[k]
			if !ok {
				if pos, _ := strconv.Atoi(strings.Split(k, ".")[0]); !stat && pos >= 100 {
					continue // hawser's own figures
				}
				t.Errorf("%s: hawser prints %s, haproxy does not", cmd, k)
				continue
			}
			if g != w {
				t.Errorf("%s: %s is %s, haproxy says %s", cmd, k, g, w)
			}
		}
		if !stat {
			continue // hawser leaves out the figures of what it does not have (SSL, pipes, pools…)
		}
		for k := range want {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: haproxy prints %s, hawser does not", cmd, k)
			}
		}
	}

	rowsOf := func(sock, cmd string) string {
		var names []string
		for _, l := range strings.Split(apiCommand(t, sock, cmd), "\n") {
			if f := strings.Split(l, ","); len(f) > 20 && !strings.HasPrefix(l, "#") {
				if f[1] == "BACKEND" {
					f[1] += "=" + f[17] // with up or no-maint: "UP (1/2)"
				}
				names = append(names, f[0]+"/"+f[1])
			}
			if strings.HasPrefix(l, "No such") {
				names = append(names, l)
			}
		}
		return strings.Join(names, " ")
	}
	for _, cmd := range []string{"show stat", "show stat -1 4 -1", "show stat be 2 -1", "show stat -1 -1 2", "show stat fe 1 -1", "show stat nosuch 1 -1", "show stat -1 4 -1 up", "show stat -1 -1 -1 no-maint"} {
		if got, want := rowsOf(wsock, cmd), rowsOf(hsock, cmd); got != want {
			t.Errorf("%s: hawser lists %q, haproxy %q", cmd, got, want)
		}
	}
}

// TestShowStatTimeAverages: after requests a server answers in 30 ms or
// more, the server and backend rows carry HAProxy's time averages and
// maxima, and the connection counters.
func TestShowStatTimeAverages(t *testing.T) {
	admin, _, addr := startWithSockets(t)
	c := newClient()
	for range 6 {
		if code, err := httpGetWith(c, addr, "/sleep?ms=30"); err != nil || code != 200 {
			t.Fatalf("GET /sleep: %d %v", code, err)
		}
	}
	out := apiCommand(t, admin, "show stat")
	var header []string
	rows := 0
	for _, l := range strings.Split(out, "\n") {
		f := strings.Split(l, ",")
		if strings.HasPrefix(l, "# ") {
			header = strings.Split(strings.TrimPrefix(l, "# "), ",")
			continue
		}
		if len(f) < 20 || f[1] == "FRONTEND" {
			continue
		}
		col := func(name string) int {
			for i, h := range header {
				if h == name {
					n, _ := strconv.Atoi(f[i])
					return n
				}
			}
			t.Fatalf("no column %s", name)
			return 0
		}
		if col("req_tot") == 0 {
			continue // a server the balancer did not pick
		}
		rows++
		if rt, rmax, tt := col("rtime"), col("rtime_max"), col("ttime"); rt < 25 || rmax < 25 || tt < rt {
			t.Errorf("%s/%s: rtime %d, rtime_max %d, ttime %d; want rtime and rtime_max ≥ 25 and ttime ≥ rtime", f[0], f[1], rt, rmax, tt)
		}
		if col("connect")+col("reuse") == 0 {
			t.Errorf("%s/%s: no connection counted", f[0], f[1])
		}
	}
	if rows < 2 {
		t.Errorf("expected a backend and at least one server with requests:\n%s", out)
	}
}
