package metrics

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/proxy"
	"github.com/hawser-lb/hawser/internal/tunnel"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testCfg has an HTTP frontend, a backend with an active server with
// limits, a backup and a disabled server, and a TCP listen section.
const testCfg = `
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:9 weight 3 maxconn 10 maxqueue 5
    server s2 127.0.0.1:10 backup
    server s3 127.0.0.1:11 disabled
listen tcpl
    mode tcp
    bind 127.0.0.1:0
    server x 127.0.0.1:12
`

// newEngine compiles testCfg; nothing listens, the exporter reads the
// engine's counters.
func newEngine(t *testing.T) *proxy.Engine {
	t.Helper()
	cfg, err := config.Parse([]config.Source{{Name: "metrics.cfg", Data: []byte(testCfg)}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := proxy.New(cfg, proxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		e.Shutdown(ctx)
	})
	return e
}

// scrape fetches the metrics with the query q and returns the series as
// `name{labels}` → value, with the status code.
func scrape(t *testing.T, h http.Handler, q string) (map[string]string, int) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics"+q, nil))
	if w.Code != 200 {
		return nil, w.Code
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q", cc)
	}
	return parseSeries(t, w.Body), 200
}

func parseSeries(t *testing.T, r io.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		out[l[:i]] = l[i+1:]
	}
	return out
}

func TestExporterSeries(t *testing.T) {
	e := newEngine(t)
	g := e.Generation()
	be := g.Backend("be")
	s1 := be.Server("s1")
	s1.Counters.Enter()
	s1.Counters.BytesIn.Add(100)
	s1.Counters.CountStatus(200)
	s1.Counters.CountStatus(503)
	s1.Counters.ErrConn.Add(2)
	be.Counters.Enter()
	be.Counters.Retries.Add(4)
	be.Counters.Redispatches.Add(1)
	fe := g.Frontend("fe")
	fe.Counters.Enter()
	fe.Counters.Requests.Add(7)
	fe.Counters.CountStatus(404)
	s1.Counters.LastSess.Store(time.Now().Add(-3 * time.Second).Unix())

	x := New("1.2.3")
	got, _ := scrape(t, x.Handler(e), "")
	for series, want := range map[string]string{
		`haproxy_process_build_info{version="1.2.3"}`:                            "1",
		`haproxy_process_nbproc`:                                                 "1",
		`haproxy_process_requests_total`:                                         "7",
		`haproxy_frontend_current_sessions{proxy="fe"}`:                          "1",
		`haproxy_frontend_sessions_total{proxy="fe"}`:                            "1",
		`haproxy_frontend_http_requests_total{proxy="fe"}`:                       "7",
		`haproxy_frontend_http_responses_total{code="4xx",proxy="fe"}`:           "1",
		`haproxy_frontend_status{proxy="fe",state="UP"}`:                         "1",
		`haproxy_frontend_status{proxy="fe",state="DOWN"}`:                       "0",
		`haproxy_backend_current_sessions{proxy="be"}`:                           "1",
		`haproxy_backend_retry_warnings_total{proxy="be"}`:                       "4",
		`haproxy_backend_redispatch_warnings_total{proxy="be"}`:                  "1",
		`haproxy_backend_active_servers{proxy="be"}`:                             "1",
		`haproxy_backend_backup_servers{proxy="be"}`:                             "1",
		`haproxy_backend_weight{proxy="be"}`:                                     "3",
		`haproxy_backend_status{proxy="be",state="UP"}`:                          "1",
		`haproxy_backend_agg_server_status{proxy="be",state="UP"}`:               "2",
		`haproxy_backend_agg_server_status{proxy="be",state="MAINT"}`:            "1",
		`haproxy_server_current_sessions{proxy="be",server="s1"}`:                "1",
		`haproxy_server_max_sessions{proxy="be",server="s1"}`:                    "1",
		`haproxy_server_bytes_in_total{proxy="be",server="s1"}`:                  "100",
		`haproxy_server_http_responses_total{code="2xx",proxy="be",server="s1"}`: "1",
		`haproxy_server_http_responses_total{code="5xx",proxy="be",server="s1"}`: "1",
		`haproxy_server_connection_errors_total{proxy="be",server="s1"}`:         "2",
		`haproxy_server_weight{proxy="be",server="s1"}`:                          "3",
		`haproxy_server_limit_sessions{proxy="be",server="s1"}`:                  "10",
		`haproxy_server_limit_sessions{proxy="be",server="s2"}`:                  "NaN",
		`haproxy_server_queue_limit{proxy="be",server="s1"}`:                     "5",
		`haproxy_server_last_session_seconds{proxy="be",server="s1"}`:            "3",
		`haproxy_server_last_session_seconds{proxy="be",server="s2"}`:            "-1",
		`haproxy_server_status{proxy="be",server="s1",state="UP"}`:               "1",
		`haproxy_server_status{proxy="be",server="s1",state="MAINT"}`:            "0",
		`haproxy_server_status{proxy="be",server="s3",state="MAINT"}`:            "1",
		`haproxy_server_status{proxy="be",server="s3",state="UP"}`:               "0",
		`haproxy_server_status{proxy="tcpl",server="x",state="UP"}`:              "1",
		`hawser_tunnels_open`:                                                    "0",
	} {
		if got[series] != want {
			t.Errorf("%s = %q, want %q", series, got[series], want)
		}
	}
	// Like HAProxy, no HTTP series for a proxy in mode tcp.
	for series := range got {
		if strings.Contains(series, `proxy="tcpl"`) && strings.Contains(series, "http_") {
			t.Errorf("HTTP series for a tcp proxy: %s", series)
		}
	}
}

func TestExporterScopes(t *testing.T) {
	e := newEngine(t)
	h := New("v").Handler(e)
	prefixes := func(q string) string {
		got, code := scrape(t, h, q)
		if code != 200 {
			return "status " + strconv.Itoa(code)
		}
		seen := map[string]bool{}
		for series := range got {
			f := strings.SplitN(series, "_", 3)
			seen[f[0]+"_"+f[1]] = true
		}
		var out []string
		for _, p := range []string{"haproxy_process", "haproxy_frontend", "haproxy_backend", "haproxy_server", "hawser_tunnels", "hawser_tunnel"} {
			if seen[p] {
				out = append(out, p)
			}
		}
		return strings.Join(out, " ")
	}
	for _, tt := range []struct{ q, want string }{
		{"", "haproxy_process haproxy_frontend haproxy_backend haproxy_server hawser_tunnels"},
		{"?scope=*", "haproxy_process haproxy_frontend haproxy_backend haproxy_server hawser_tunnels"},
		{"?scope=server", "haproxy_server"},
		{"?scope=frontend&scope=backend", "haproxy_frontend haproxy_backend"},
		{"?scope=global", "haproxy_process hawser_tunnels"},
		{"?scope=hawser", "hawser_tunnels"},
		{"?scope=frontend&scope=", ""},
		{"?scope=listener", ""},
		{"?scope=bogus", "status 400"},
		{"?scope", "status 400"},
	} {
		if got := prefixes(tt.q); got != tt.want {
			t.Errorf("%q: %s, want %s", tt.q, got, tt.want)
		}
	}
}

func TestExporterNoMaint(t *testing.T) {
	e := newEngine(t)
	got, _ := scrape(t, New("v").Handler(e), "?scope=server&no-maint")
	for series := range got {
		if strings.Contains(series, `server="s3"`) {
			t.Fatalf("no-maint kept a server in maintenance: %s", series)
		}
	}
	if _, ok := got[`haproxy_server_current_sessions{proxy="be",server="s1"}`]; !ok {
		t.Errorf("no-maint dropped s1")
	}
}

func TestExporterTunnels(t *testing.T) {
	e := newEngine(t)
	x := New("v")
	x.TunnelEnded("be", "s1", tunnel.Result{Cause: tunnel.Normal, BytesUp: 10, BytesDown: 20, Duration: 90 * time.Second})
	x.TunnelEnded("be", "s1", tunnel.Result{Cause: tunnel.Killed, BytesUp: 1, BytesDown: 2, Duration: 2 * time.Second})
	got, _ := scrape(t, x.Handler(e), "?scope=hawser")
	for series, want := range map[string]string{
		`hawser_tunnels_ended_total{cause="normal",proxy="be",server="s1"}`:  "1",
		`hawser_tunnels_ended_total{cause="killed",proxy="be",server="s1"}`:  "1",
		`hawser_tunnel_bytes_total{direction="up",proxy="be",server="s1"}`:   "11",
		`hawser_tunnel_bytes_total{direction="down",proxy="be",server="s1"}`: "22",
		`hawser_tunnel_duration_seconds_bucket{proxy="be",le="1"}`:           "0",
		`hawser_tunnel_duration_seconds_bucket{proxy="be",le="5"}`:           "1",
		`hawser_tunnel_duration_seconds_bucket{proxy="be",le="300"}`:         "2",
		`hawser_tunnel_duration_seconds_count{proxy="be"}`:                   "2",
		`hawser_tunnel_duration_seconds_sum{proxy="be"}`:                     "92",
		`hawser_tunnels_open`: "0",
	} {
		if got[series] != want {
			t.Errorf("%s = %q, want %q", series, got[series], want)
		}
	}
}

func TestExporterViewPerGeneration(t *testing.T) {
	e := newEngine(t)
	x := New("v")
	g := e.Generation()
	v1 := x.viewOf(g)
	if v2 := x.viewOf(g); v2 != v1 {
		t.Errorf("the view of a generation was rebuilt")
	}
	if got := v1.backends[0].servers[0].states[2]; strings.Join(got, ",") != "be,s1,MAINT" {
		t.Errorf("status labels = %q", got)
	}
}

func TestStateIndex(t *testing.T) {
	for status, want := range map[string]string{
		"UP": "UP", "no check": "UP", "UP 1/3": "UP", "DOWN": "DOWN", "DOWN 1/2": "DOWN",
		"MAINT": "MAINT", "MAINT(via)": "MAINT", "DRAIN": "DRAIN", "NOLB": "NOLB",
	} {
		if got := serverStates[stateIndex(status)]; got != want {
			t.Errorf("stateIndex(%q) = %s, want %s", status, got, want)
		}
	}
}
