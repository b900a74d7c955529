package stats

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/proxy"
	"go.uber.org/goleak"
)

// pageCfg has an HTTP frontend, a backend with an active, a backup and a
// disabled server, and a TCP listen section. Nothing listens: the page
// reads the engine, not the network.
const pageCfg = `
defaults
    mode http
    timeout client 5s
    timeout server 5s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:0
    default_backend be
backend be
    server s1 127.0.0.1:9 weight 2
    server s2 127.0.0.1:10 backup
    server s3 127.0.0.1:11 disabled
listen tcpl
    mode tcp
    bind 127.0.0.1:0
    server x 127.0.0.1:12
`

// newTestPage compiles pageCfg and returns the page for st with the
// admin check answering admin.
func newTestPage(t *testing.T, st *config.StatsPage, admin bool) (*page, *proxy.Engine) {
	t.Helper()
	cfg, err := config.Parse([]config.Source{{Name: "page.cfg", Data: []byte(pageCfg)}})
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
		goleak.VerifyNone(t)
	})
	if st.URI == "" {
		st.URI = "/haproxy?stats"
	}
	if st.Realm == "" {
		st.Realm = "HAProxy Statistics"
	}
	st.Enabled = true
	p := newPage(e, st)
	p.admin = func(*http.Request) bool { return admin }
	return p, e
}

func serve(p *page, method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	p.ServeHTTP(w, r)
	return w
}

func TestPageCSVIsShowStat(t *testing.T) {
	p, e := newTestPage(t, &config.StatsPage{URI: "/stats", ShowLegends: true}, false)
	g := e.Generation()
	g.Backend("be").Server("s1").Counters.Enter()
	w := serve(p, "GET", "/stats;csv", "")
	if ct := w.Header().Get("Content-Type"); ct != "text/plain" {
		t.Errorf("Content-Type = %q", ct)
	}
	var want strings.Builder
	want.WriteString(StatHeader() + "\n")
	for _, r := range StatRows(g.Config, e) {
		want.WriteString(r.String() + "\n")
	}
	if got := w.Body.String(); got != want.String() {
		t.Errorf(";csv differs from show stat\ngot:\n%s\nwant:\n%s", got, want.String())
	}
}

func TestPageCSVHidesLegendsLikeHAProxy(t *testing.T) {
	p, _ := newTestPage(t, &config.StatsPage{URI: "/stats"}, false)
	body := serve(p, "GET", "/stats;csv", "").Body.String()
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, "be,s1,") {
			f := strings.Split(line, ",")
			if a := f[colIndex["addr"]]; a != "" {
				t.Errorf("addr shown without stats show-legends: %q", a)
			}
			return
		}
	}
	t.Fatalf("no be,s1 line in\n%s", body)
}

func TestPageOptions(t *testing.T) {
	for _, tt := range []struct {
		rest string
		want pageOpts
	}{
		{"", pageOpts{}},
		{";csv", pageOpts{csv: true}},
		{";up;csv;norefresh", pageOpts{csv: true, up: true, norefresh: true}},
		{";json", pageOpts{json: true}},
		{";json-schema", pageOpts{}},
		{";st=DONE", pageOpts{status: "DONE"}},
		{";up;st=PART;norefresh", pageOpts{up: true, norefresh: true, status: "PART"}},
		{"?scope=be;csv", pageOpts{csv: true, scope: "be"}},
		{";scope=a%20b", pageOpts{scope: "a b"}},
		{"?scope=averyveryverylongname", pageOpts{scope: "averyveryverylo"}},
	} {
		if got := parseOpts(tt.rest); got != tt.want {
			t.Errorf("parseOpts(%q) = %+v, want %+v", tt.rest, got, tt.want)
		}
	}
}

func TestPageAuth(t *testing.T) {
	p, _ := newTestPage(t, &config.StatsPage{Auth: []string{"admin:secret", "ops:pw"}, Realm: "My Stats"}, false)
	w := serve(p, "GET", "/haproxy?stats", "")
	if w.Code != 401 || w.Header().Get("WWW-Authenticate") != `Basic realm="My Stats"` {
		t.Fatalf("no credentials: %d %q", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	if !strings.Contains(w.Body.String(), "401 Unauthorized") {
		t.Errorf("401 body = %q", w.Body.String())
	}
	r := httptest.NewRequest("GET", "/haproxy?stats", nil)
	r.SetBasicAuth("admin", "wrong")
	w = httptest.NewRecorder()
	p.ServeHTTP(w, r)
	if w.Code != 401 {
		t.Errorf("wrong password: %d", w.Code)
	}
	r.SetBasicAuth("ops", "pw")
	w = httptest.NewRecorder()
	p.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Errorf("second user: %d", w.Code)
	}
}

func TestPageRefresh(t *testing.T) {
	p, _ := newTestPage(t, &config.StatsPage{Refresh: 5 * time.Second}, false)
	for _, target := range []string{"/haproxy?stats", "/haproxy?stats;csv", "/haproxy?stats;json"} {
		if got := serve(p, "GET", target, "").Header().Get("Refresh"); got != "5" {
			t.Errorf("%s: Refresh = %q, want 5", target, got)
		}
	}
	w := serve(p, "GET", "/haproxy?stats;norefresh", "")
	if got := w.Header().Get("Refresh"); got != "" {
		t.Errorf(";norefresh: Refresh = %q", got)
	}
	if strings.Contains(w.Body.String(), `http-equiv="refresh"`) {
		t.Errorf(";norefresh page still has a meta refresh")
	}
	if !strings.Contains(serve(p, "GET", "/haproxy?stats", "").Body.String(), `<meta http-equiv="refresh" content="5">`) {
		t.Errorf("page has no meta refresh")
	}
}

func TestPageUpAndScope(t *testing.T) {
	p, _ := newTestPage(t, &config.StatsPage{}, false)
	names := func(target string) string {
		var out []string
		for _, l := range strings.Split(serve(p, "GET", target, "").Body.String(), "\n") {
			if f := strings.SplitN(l, ",", 3); len(f) == 3 && !strings.HasPrefix(l, "#") {
				out = append(out, f[0]+"/"+f[1])
			}
		}
		return strings.Join(out, " ")
	}
	if got, want := names("/haproxy?stats;csv"), "fe/FRONTEND be/s1 be/s2 be/s3 be/BACKEND tcpl/FRONTEND tcpl/x tcpl/BACKEND"; got != want {
		t.Errorf("all rows = %s, want %s", got, want)
	}
	if got, want := names("/haproxy?stats;up;csv"), "fe/FRONTEND be/s1 be/s2 be/BACKEND tcpl/FRONTEND tcpl/x tcpl/BACKEND"; got != want {
		t.Errorf(";up rows = %s, want %s", got, want)
	}
	if got, want := names("/haproxy?stats;csv;scope=TCP"), "tcpl/FRONTEND tcpl/x tcpl/BACKEND"; got != want {
		t.Errorf("scope rows = %s, want %s", got, want)
	}
}

func TestPageJSON(t *testing.T) {
	p, _ := newTestPage(t, &config.StatsPage{}, false)
	w := serve(p, "GET", "/haproxy?stats;json", "")
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var rows [][]jsonField
	if err := json.Unmarshal(w.Body.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8", len(rows))
	}
	find := func(row []jsonField, name string) *jsonField {
		for i := range row {
			if row[i].Field.Name == name {
				return &row[i]
			}
		}
		return nil
	}
	s1 := rows[1]
	if f := find(s1, "svname"); f == nil || f.Value.Value != "s1" || f.ObjType != "Server" || f.ID != 1 {
		t.Errorf("svname field = %+v", f)
	}
	if f := find(s1, "scur"); f == nil || f.Value.Type != "u32" || f.Value.Value != float64(0) || f.Field.Pos != 4 || f.Tags.Nature != "Gauge" {
		t.Errorf("scur field = %+v", f)
	}
	if f := find(s1, "lastsess"); f == nil || f.Value.Type != "s32" || f.Value.Value != float64(-1) {
		t.Errorf("lastsess field = %+v", f)
	}
	if f := find(rows[4], "act"); f == nil || f.ObjType != "Backend" || f.Tags.Origin != "Metric" {
		t.Errorf("backend act field = %+v", f)
	}
	if find(s1, "addr") != nil {
		t.Errorf("addr in ;json without show-legends")
	}
}

func TestPageHTML(t *testing.T) {
	p, _ := newTestPage(t, &config.StatsPage{HideVersion: true}, false)
	w := serve(p, "GET", "/haproxy?stats", "")
	body := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("%d %q", w.Code, w.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		`<tr class="server up" data-proxy="be" data-name="s1" data-status="no check">`,
		`<tr class="server up" data-proxy="be" data-name="s2" data-status="no check">`,
		`<span class="chip">backup</span>`,
		`<tr class="server maint" data-proxy="be" data-name="s3" data-status="MAINT">`,
		`<tr class="server up" data-proxy="tcpl" data-name="x"`,
		`<span class="badge maint" title="MAINT">MAINT</span>`,
		`<tr class="frontend open" data-proxy="fe" data-name="Frontend" data-status="OPEN">`,
		`href="/haproxy?stats;csv;norefresh"`,
		`href="/haproxy?stats;up"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(body, "<form") || strings.Contains(body, `name="s"`) {
		t.Errorf("admin form shown without stats admin")
	}
	if strings.Contains(body, Version) && Version != "" && strings.Contains(body, `class="ver"`) {
		t.Errorf("version shown with hide-version")
	}
	if strings.Contains(body, "http-equiv") {
		t.Errorf("meta refresh without stats refresh")
	}
}

func TestPageAdminForm(t *testing.T) {
	p, e := newTestPage(t, &config.StatsPage{}, true)
	body := serve(p, "GET", "/haproxy?stats", "").Body.String()
	id := e.Generation().Backend("be").ID
	for _, want := range []string{
		`<form method="post" action="/haproxy?stats">`,
		`<input type="checkbox" name="s" value="s1"`,
		`<input type="hidden" name="b" value="#` + itoa(int64(id)) + `">`,
		`<option value="maint">Set state to MAINT</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("admin page lacks %s", want)
		}
	}
}

func TestPageAdminActions(t *testing.T) {
	p, e := newTestPage(t, &config.StatsPage{URI: "/st"}, true)
	be := e.Generation().Backend("be")
	ref := "%23" + itoa(int64(be.ID))
	post := func(body string, hdr ...string) string {
		t.Helper()
		w := serve(p, "POST", "/st;up", body, hdr...)
		if w.Code != http.StatusSeeOther {
			t.Fatalf("POST %s: status %d", body, w.Code)
		}
		return w.Header().Get("Location")
	}
	if got := post("s=s1&action=maint&b=" + ref); got != "/st;up;st=DONE" {
		t.Errorf("maint: Location = %q", got)
	}
	if st := be.Server("s1").StatusString(); st != "MAINT" {
		t.Errorf("s1 after maint = %s", st)
	}
	if got := post("s=s1&s=s2&action=drain&b=be"); got != "/st;up;st=DONE" {
		t.Errorf("drain by backend name: Location = %q", got)
	}
	if st := be.Server("s1").StatusString(); st != "DRAIN" {
		t.Errorf("s1 after drain = %s", st)
	}
	if got := post("s=s1&s=s2&action=ready&b=" + ref); got != "/st;up;st=DONE" {
		t.Errorf("ready: Location = %q", got)
	}
	if st := be.Server("s2").StatusString(); st != "no check" {
		t.Errorf("s2 after ready = %s", st)
	}
	for body, want := range map[string]string{
		"s=s1&s=nosuch&action=maint&b=be": "PART",
		"s=nosuch&action=maint&b=be":      "ERRP",
		"s=s1&action=explode&b=be":        "ERRP",
		"s=s1&action=maint&b=%23999":      "ERRP",
		"action=maint&b=be":               "NONE",
	} {
		if got := post(body); got != "/st;up;st="+want {
			t.Errorf("%s: Location = %q, want ;st=%s", body, got, want)
		}
	}
	be.Server("s1").SetAdmin(0x01, false)
	if got := post("s=s2&action=maint&b=be", "Origin", "http://evil.example"); got != "/st;up;st=DENY" {
		t.Errorf("cross-origin POST: Location = %q", got)
	}
	if st := be.Server("s2").StatusString(); st != "no check" {
		t.Errorf("a cross-origin POST changed s2: %s", st)
	}
	if got := post("s=s2&action=maint&b=be", "Origin", "http://example.com"); got != "/st;up;st=DONE" {
		t.Errorf("same-origin POST: Location = %q", got)
	}
}

func TestPageAdminDenied(t *testing.T) {
	p, e := newTestPage(t, &config.StatsPage{URI: "/st"}, false)
	w := serve(p, "POST", "/st", "s=s1&action=maint&b=be")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/st;st=DENY" {
		t.Errorf("non-admin POST: %d %q", w.Code, w.Header().Get("Location"))
	}
	if st := e.Generation().Backend("be").Server("s1").StatusString(); st != "no check" {
		t.Errorf("non-admin POST changed s1: %s", st)
	}
	body := serve(p, "GET", "/st;st=DENY", "").Body.String()
	if !strings.Contains(body, `<div class="msg error" role="status">Action denied.</div>`) {
		t.Errorf("page does not say the action was denied")
	}
}

func TestPageMethod(t *testing.T) {
	p, _ := newTestPage(t, &config.StatsPage{}, false)
	if w := serve(p, "PUT", "/haproxy?stats", ""); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("PUT: %d", w.Code)
	}
}

func TestPageFormats(t *testing.T) {
	for _, tt := range []struct {
		f       func(string) string
		in, out string
	}{
		{fmtCount, "0", "0"},
		{fmtCount, "1234567", "1,234,567"},
		{fmtCount, "-1234", "-1,234"},
		{fmtCount, "", ""},
		{fmtBytes, "980", "980 B"},
		{fmtBytes, "1536", "1.5 KiB"},
		{fmtBytes, "15728640", "15 MiB"},
		{fmtAge, "-1", "never"},
		{fmtAge, "42", "42s"},
		{fmtAge, "192", "3m12s"},
		{fmtAge, "7500", "2h05m"},
		{fmtAge, "356400", "4d03h"},
		{fmtMillis, "12", "12 ms"},
		{fmtMillis, "1300", "1.3 s"},
	} {
		if got := tt.f(tt.in); got != tt.out {
			t.Errorf("format(%q) = %q, want %q", tt.in, got, tt.out)
		}
	}
}

func TestStateClass(t *testing.T) {
	for status, want := range map[string]string{
		"UP": "up", "no check": "up", "DOWN": "down", "MAINT": "maint", "MAINT(via)": "maint",
		"DRAIN": "drain", "NOLB": "nolb", "UP 1/3": "going", "DOWN 1/2": "going", "OPEN": "open", "STOP": "stop",
	} {
		if got := stateClass(status); got != want {
			t.Errorf("stateClass(%q) = %q, want %q", status, got, want)
		}
	}
}
