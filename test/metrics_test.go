package test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"
)

// promCfg is served by hawser and by haproxy: an HTTP frontend answering
// /metrics with the exporter, a backend with an active server with
// limits, a backup and a disabled server, and a TCP listen section. The
// servers' ports are closed: nothing is forwarded, only the objects
// matter.
const promCfg = `
global
    maxconn 1000
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:%[1]d
    http-request use-service prometheus-exporter if { path /metrics }
    default_backend be
backend be
    server s1 127.0.0.1:%[3]d weight 3 maxconn 10 maxqueue 5
    server s2 127.0.0.1:%[3]d backup
    server s3 127.0.0.1:%[3]d disabled
listen tcpl
    mode tcp
    bind 127.0.0.1:%[2]d
    server x 127.0.0.1:%[3]d
`

// mostUsed are the metrics dashboards rely on most: hawser must export
// them.
var mostUsed = []string{
	"haproxy_process_current_connections", "haproxy_process_max_connections", "haproxy_process_uptime_seconds",
	"haproxy_frontend_current_sessions", "haproxy_frontend_max_sessions", "haproxy_frontend_sessions_total",
	"haproxy_frontend_bytes_in_total", "haproxy_frontend_bytes_out_total", "haproxy_frontend_http_responses_total",
	"haproxy_frontend_http_requests_total", "haproxy_frontend_request_errors_total", "haproxy_frontend_status",
	"haproxy_backend_current_sessions", "haproxy_backend_max_sessions", "haproxy_backend_sessions_total",
	"haproxy_backend_bytes_in_total", "haproxy_backend_bytes_out_total", "haproxy_backend_http_responses_total",
	"haproxy_backend_status", "haproxy_backend_weight", "haproxy_backend_active_servers", "haproxy_backend_backup_servers",
	"haproxy_backend_connection_errors_total", "haproxy_backend_response_errors_total",
	"haproxy_backend_retry_warnings_total", "haproxy_backend_redispatch_warnings_total", "haproxy_backend_current_queue",
	"haproxy_server_current_sessions", "haproxy_server_max_sessions", "haproxy_server_sessions_total",
	"haproxy_server_bytes_in_total", "haproxy_server_bytes_out_total", "haproxy_server_http_responses_total",
	"haproxy_server_status", "haproxy_server_weight", "haproxy_server_connection_errors_total",
	"haproxy_server_response_errors_total", "haproxy_server_retry_warnings_total",
	"haproxy_server_redispatch_warnings_total", "haproxy_server_current_queue",
}

// sameValues are metrics whose series and values depend only on the
// configuration: hawser must answer exactly what haproxy answers.
var sameValues = []string{
	"haproxy_process_max_connections", "haproxy_process_nbproc",
	"haproxy_frontend_status", "haproxy_frontend_limit_sessions",
	"haproxy_backend_status", "haproxy_backend_active_servers", "haproxy_backend_backup_servers",
	"haproxy_backend_agg_server_status", "haproxy_backend_weight", "haproxy_backend_uweight", "haproxy_server_uweight",
	"haproxy_server_status", "haproxy_server_weight", "haproxy_server_limit_sessions", "haproxy_server_queue_limit",
}

// sample is one series of a scrape.
type sample struct {
	name   string
	labels string // sorted k="v" pairs
	value  string
}

// scrapeMetrics fetches http://addr/metrics and parses the text format.
func scrapeMetrics(t *testing.T, addr string) []sample {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatalf("scraping %s: %v", addr, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("scraping %s: %s\n%s", addr, resp.Status, b)
	}
	var out []sample
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		sp := strings.LastIndexByte(l, ' ')
		s := sample{name: l[:sp], value: l[sp+1:]}
		if i := strings.IndexByte(s.name, '{'); i >= 0 {
			pairs := strings.Split(strings.TrimSuffix(s.name[i+1:], "}"), ",")
			sort.Strings(pairs)
			s.name, s.labels = s.name[:i], strings.Join(pairs, ",")
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// labelNames returns each metric's label names ("proxy,server,state").
func labelNames(samples []sample) map[string]string {
	out := map[string]string{}
	for _, s := range samples {
		var names []string
		for _, p := range strings.Split(s.labels, ",") {
			if k, _, ok := strings.Cut(p, "="); ok {
				names = append(names, k)
			}
		}
		out[s.name] = strings.Join(names, ",")
	}
	return out
}

// oraclePort returns a free port between 27000 and 32767, where the
// oracle haproxy runs.
func oraclePort(t *testing.T) int {
	t.Helper()
	for range 100 {
		p := 27000 + rand.IntN(32768-27000)
		if ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			ln.Close()
			return p
		}
	}
	t.Fatal("no free port between 27000 and 32767")
	return 0
}

// startHAProxy runs haproxy -db on cfg and waits until addr accepts
// connections; it is stopped by its PID when the test ends. It returns
// haproxy's standard output (its logs with `log stdout`).
func startHAProxy(t *testing.T, haproxy, cfg, addr string) *logBuffer {
	t.Helper()
	var stderr strings.Builder
	stdout := newLogBuffer()
	cmd := exec.Command(haproxy, "-db", "-f", writeConfig(t, cfg))
	cmd.Stderr, cmd.Stdout = &stderr, stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return stdout
		}
		select {
		case <-done:
			t.Fatalf("haproxy exited: %s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("haproxy did not listen on %s: %s", addr, stderr.String())
		}
	}
}

// TestPrometheusMetricsMatchHAProxy runs haproxy and hawser on the same
// configuration and compares what their exporters expose: every haproxy_*
// metric hawser exports exists in haproxy with the same label names,
// hawser exports the most used ones, and the series that depend only on
// the configuration are identical.
func TestPrometheusMetricsMatchHAProxy(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (apt-get install -y haproxy): cannot compare Prometheus metrics with HAProxy's exporter")
	}
	hp := [3]int{oraclePort(t), oraclePort(t), oraclePort(t)}
	startHAProxy(t, haproxy, fmt.Sprintf(promCfg, hp[0], hp[1], hp[2]), fmt.Sprintf("127.0.0.1:%d", hp[0]))
	wp := [3]int{freePort(t), freePort(t), freePort(t)}
	waddr := fmt.Sprintf("127.0.0.1:%d", wp[0])
	startHawser(t, fmt.Sprintf(promCfg, wp[0], wp[1], wp[2]), nil, waddr)

	want := scrapeMetrics(t, fmt.Sprintf("127.0.0.1:%d", hp[0]))
	got := scrapeMetrics(t, waddr)
	wantLabels, gotLabels := labelNames(want), labelNames(got)

	for name, labels := range gotLabels {
		if strings.HasPrefix(name, "hawser_") {
			continue
		}
		hl, ok := wantLabels[name]
		switch {
		case !ok:
			t.Errorf("hawser exports %s, which haproxy does not", name)
		case hl != labels:
			t.Errorf("%s: hawser's labels are %q, haproxy's %q", name, labels, hl)
		}
	}
	for _, name := range mostUsed {
		if _, ok := gotLabels[name]; !ok {
			t.Errorf("hawser does not export %s", name)
		}
	}
	series := func(samples []sample, name string) string {
		var out []string
		for _, s := range samples {
			if s.name == name {
				out = append(out, fmt.Sprintf("{%s} %s", s.labels, s.value))
			}
		}
		sort.Strings(out)
		return strings.Join(out, "\n")
	}
	for _, name := range sameValues {
		if g, w := series(got, name), series(want, name); g != w {
			t.Errorf("%s differs\nhawser:\n%s\nhaproxy:\n%s", name, g, w)
		}
	}
	var missing []string
	for name := range wantLabels {
		if _, ok := gotLabels[name]; !ok {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	t.Logf("hawser exports %d of haproxy's %d metrics here; not exported:\n%s",
		len(wantLabels)-len(missing), len(wantLabels), strings.Join(missing, "\n"))
}

// TestPrometheusExporterEndToEnd scrapes hawser after some traffic: the
// counters move, the query filters work and the scrape is logged as
// HAProxy logs it (<PROMEX>).
func TestPrometheusExporterEndToEnd(t *testing.T) {
	bs := backends(t, 1)
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	cfg := fmt.Sprintf(`
defaults
    mode http
    log stdout format raw local0
    option httplog
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind %s
    http-request use-service prometheus-exporter if { path /metrics }
    default_backend be
backend be
    server s1 %s
`, addr, bs[0].Addr())
	p := startHawser(t, cfg, nil, addr)
	for range 3 {
		if code, err := httpGet(addr, "/"); err != nil || code != 200 {
			t.Fatalf("GET /: %d %v", code, err)
		}
	}
	values := map[string]string{}
	for _, s := range scrapeMetrics(t, addr) {
		values[s.name+"{"+s.labels+"}"] = s.value
	}
	for series, want := range map[string]string{
		`haproxy_server_sessions_total{proxy="be",server="s1"}`:                  "3",
		`haproxy_backend_http_responses_total{code="2xx",proxy="be"}`:            "3",
		`haproxy_server_status{proxy="be",server="s1",state="UP"}`:               "1",
		`haproxy_frontend_http_requests_total{proxy="fe"}`:                       "4",
		`haproxy_backend_sessions_total{proxy="be"}`:                             "3",
		`haproxy_server_http_responses_total{code="2xx",proxy="be",server="s1"}`: "3",
		`haproxy_frontend_http_responses_total{code="2xx",proxy="fe"}`:           "3",
	} {
		if values[series] != want {
			t.Errorf("%s = %q, want %q", series, values[series], want)
		}
	}
	p.stdout.waitLog(t, "<PROMEX>", "GET /metrics HTTP/1.1")
	if code, err := httpGet(addr, "/metrics?scope=nosuch"); err != nil || code != 400 {
		t.Errorf("unknown scope: %d %v, want 400", code, err)
	}
}
