package test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/coder/websocket"
)

// pageCfg serves the statistics page on frontend www, with refresh, the
// admin form for local clients and the servers' addresses; frontend
// locked has a password.
const pageCfg = `
global
    stats socket %[1]s level admin
defaults
    mode http
    log stdout format raw local0
    option httplog
    timeout client 5s
    timeout server 5s
    timeout connect 1s
    timeout tunnel 1m
frontend www
    bind %[2]s
    stats enable
    stats uri /stats
    stats refresh 1s
    stats admin if LOCALHOST
    stats show-legends
    default_backend app
frontend locked
    bind %[3]s
    stats uri /admin/stats
    stats auth ops:s3cret
    stats realm Ops only
    stats hide-version
    default_backend app
backend app
    server app1 %[4]s weight 2
    server app2 %[5]s
    server app3 %[6]s backup
    server app4 127.0.0.1:1 disabled
listen tcp-echo
    mode tcp
    bind %[7]s
    server echo1 %[4]s
`

// pageSetup is a running hawser serving pageCfg.
type pageSetup struct {
	p                 *proc
	sock              string
	addr, locked, tcp string
}

func startPage(t *testing.T) *pageSetup {
	t.Helper()
	bs := backends(t, 3)
	ps := &pageSetup{
		sock:   filepath.Join(t.TempDir(), "admin.sock"),
		addr:   fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		locked: fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		tcp:    fmt.Sprintf("127.0.0.1:%d", freePort(t)),
	}
	cfg := fmt.Sprintf(pageCfg, ps.sock, ps.addr, ps.locked, bs[0].Addr(), bs[1].Addr(), bs[2].Addr(), ps.tcp)
	ps.p = startHawser(t, cfg, nil, ps.addr)
	return ps
}

// fetch sends a request and returns the response with its body read.
func fetch(t *testing.T, method, u, body string, set func(*http.Request)) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if set != nil {
		set(req)
	}
	c := &http.Client{
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// statusOf returns a server's status column in `show stat`.
func statusOf(t *testing.T, sock, be, srv string) string {
	t.Helper()
	for _, l := range strings.Split(apiCommand(t, sock, "show stat"), "\n") {
		if f := strings.Split(l, ","); len(f) > 17 && f[0] == be && f[1] == srv {
			return f[17]
		}
	}
	t.Fatalf("no %s/%s in show stat", be, srv)
	return ""
}

func TestStatsPageEndToEnd(t *testing.T) {
	ps := startPage(t)
	base := "http://" + ps.addr + "/stats"

	resp, body := fetch(t, "GET", base, "", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Refresh") != "1" || !strings.Contains(body, `data-name="app1"`) {
		t.Fatalf("page: %s Refresh=%q", resp.Status, resp.Header.Get("Refresh"))
	}
	ps.p.stdout.waitLog(t, "www www/<STATS>", "LR--", "GET /stats HTTP/1.1")

	// ;csv is the runtime API's show stat (with show-legends, addresses
	// included).
	_, csv := fetch(t, "GET", base+";csv;norefresh", "", nil)
	api := apiCommand(t, ps.sock, "show stat")
	if strings.Split(csv, "\n")[0] != strings.Split(api, "\n")[0] {
		t.Errorf(";csv header differs from show stat")
	}
	if got, want := strings.Count(csv, "\n"), strings.Count(strings.TrimRight(api, "\n"), "\n")+1; got != want {
		t.Errorf(";csv has %d lines, show stat %d", got, want)
	}
	if !strings.Contains(csv, "\napp,app4,") {
		t.Errorf(";csv lacks app4")
	}
	if _, up := fetch(t, "GET", base+";up;csv", "", nil); strings.Contains(up, "\napp,app4,") {
		t.Errorf(";up;csv still shows app4, which is in maintenance")
	}

	// The admin form: allowed from 127.0.0.1 by `stats admin if LOCALHOST`.
	resp, _ = fetch(t, "POST", base, "b=app&s=app2&action=maint", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/stats;st=DONE" {
		t.Fatalf("admin POST: %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	if st := statusOf(t, ps.sock, "app", "app2"); st != "MAINT" {
		t.Errorf("app2 after the form's maint = %s", st)
	}

	// stats auth and stats realm.
	locked := "http://" + ps.locked + "/admin/stats"
	resp, _ = fetch(t, "GET", locked, "", nil)
	if resp.StatusCode != 401 || resp.Header.Get("Www-Authenticate") != `Basic realm="Ops only"` {
		t.Errorf("no credentials: %s %q", resp.Status, resp.Header.Get("Www-Authenticate"))
	}
	resp, body = fetch(t, "GET", locked, "", func(r *http.Request) { r.SetBasicAuth("ops", "s3cret") })
	if resp.StatusCode != 200 || strings.Contains(body, `class="ver"`) {
		t.Errorf("with credentials: %s (the version must be hidden)", resp.Status)
	}
	if strings.Contains(body, `name="s"`) {
		t.Errorf("admin form shown where stats admin is not set")
	}
	// Without `stats admin`, a POST is denied.
	resp, _ = fetch(t, "POST", locked, "b=app&s=app1&action=maint", func(r *http.Request) { r.SetBasicAuth("ops", "s3cret") })
	if resp.Header.Get("Location") != "/admin/stats;st=DENY" || statusOf(t, ps.sock, "app", "app1") != "no check" {
		t.Errorf("POST without stats admin: Location %q", resp.Header.Get("Location"))
	}
	// Other paths still reach the servers.
	if code, err := httpGet(ps.addr, "/"); err != nil || code != 200 {
		t.Errorf("GET /: %d %v", code, err)
	}
}

// chromiumPath returns Debian's chromium, or "" when it is not installed.
func chromiumPath() string {
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	p, _ := exec.LookPath("chromium")
	return p
}

// serverRow is what the browser shows of a server.
type serverRow struct {
	Proxy  string `json:"proxy"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Badge  string `json:"badge"`
}

// TestStatsPageInBrowser loads the page served by the real binary in
// headless Chromium: every server of show stat is in the rendered DOM with
// its state, a state change shows up by the in-place refresh (without
// reloading the page), and the admin form changes a server. It saves a
// screenshot in the test's temporary folder (and at
// $HAWSER_STATS_SCREENSHOT when set, which is how docs/stats-page.png is
// made).
func TestStatsPageInBrowser(t *testing.T) {
	chromium := chromiumPath()
	if chromium == "" {
		t.Skip("chromium not installed (apt-get install -y chromium): cannot run the browser test of the statistics page")
	}
	ps := startPage(t)

	// Some traffic, and a WebSocket tunnel open while the page is shown.
	for range 25 {
		if code, err := httpGet(ps.addr, "/"); err != nil || code != 200 {
			t.Fatalf("GET /: %d %v", code, err)
		}
	}
	wsCtx, wsCancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer wsCancel()
	ws, _, err := websocket.Dial(wsCtx, "ws://"+ps.addr+"/ws", nil)
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	defer ws.CloseNow()
	apiCommand(t, ps.sock, "set server app/app3 state drain")

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	// The first call starts the browser, bound to browser's life; the
	// actions below run under a deadline derived from it.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(browser, 60*time.Second)
	defer cancel()

	page := "http://" + ps.addr + "/stats"
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`section[data-proxy="app"] tr.server`)),
	); err != nil {
		t.Fatalf("loading the page: %v", err)
	}

	rowsJS := `Array.from(document.querySelectorAll('tr.server')).map(r => ({
		proxy: r.dataset.proxy, name: r.dataset.name, status: r.dataset.status,
		badge: r.querySelector('.status .badge').textContent}))`
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]serverRow](rowsJS))
	if err != nil {
		t.Fatal(err)
	}
	shown := map[string]serverRow{}
	for _, r := range rows {
		shown[r.Proxy+"/"+r.Name] = r
	}
	n := 0
	for _, l := range strings.Split(apiCommand(t, ps.sock, "show stat"), "\n") {
		f := strings.Split(l, ",")
		if len(f) < 33 || f[32] != "2" {
			continue
		}
		n++
		key, status := f[0]+"/"+f[1], f[17]
		badge := status
		if status == "no check" {
			badge = "UP"
		}
		r, ok := shown[key]
		switch {
		case !ok:
			t.Errorf("server %s is not on the page", key)
		case r.Status != status || r.Badge != badge:
			t.Errorf("server %s shows %q (%s), show stat says %q", key, r.Badge, r.Status, status)
		}
	}
	if n != 5 || len(rows) != n {
		t.Errorf("%d servers on the page, %d in show stat, want 5", len(rows), n)
	}

	// A change made elsewhere appears without reloading the page: the
	// marker set on this window survives.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.hawserMarker = 42`)); err != nil {
		t.Fatal(err)
	}
	apiCommand(t, ps.sock, "set server app/app2 state maint")
	badgeIs := func(srv, state string) string {
		return fmt.Sprintf(`(document.querySelector('tr.server[data-proxy="app"][data-name="%s"] .badge') || {}).textContent === '%s'`, srv, state)
	}
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](badgeIs("app2", "MAINT"), chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Fatalf("app2 did not turn MAINT on the page: %v", err)
	}
	if kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.hawserMarker === 42`)); err != nil || !kept {
		t.Errorf("the page was reloaded instead of refreshed in place (%v)", err)
	}

	// The admin form: check app2, choose "ready", apply.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`tr.server[data-name="app2"] input[name=s]`)),
		chromedp.SetValue(chromedp.CSS(`section[data-proxy="app"] select[name=action]`), "ready"),
		chromedp.Click(chromedp.CSS(`section[data-proxy="app"] button[type=submit]`)),
	); err != nil {
		t.Fatalf("using the admin form: %v", err)
	}
	// The form reloads the page: poll until the new page shows app2 UP
	// (evaluations fail while the old page goes away).
	deadline := time.Now().Add(15 * time.Second)
	for {
		up, err := chromedp.Run(ctx, chromedp.Poll[bool](badgeIs("app2", "UP")+` && !!document.querySelector('#tools:not([hidden])')`, chromedp.WithPollingTimeout(2*time.Second)))
		if err == nil && up {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("app2 is not UP after the admin form: %v", err)
		}
	}
	if st := statusOf(t, ps.sock, "app", "app2"); st != "no check" {
		t.Errorf("app2 after the form's ready = %s", st)
	}
	// The tunnel is counted while it is open.
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`document.getElementById('tunnels').textContent.trim() === '1'`, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Errorf("the page does not show the open tunnel: %v", err)
	}

	// The result of the form is shown once: the next refresh drops it.
	if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](`!document.querySelector('#summary .msg') && !location.href.includes(';st=')`, chromedp.WithPollingTimeout(15*time.Second))); err != nil {
		t.Errorf("the admin result stays on the page: %v", err)
	}

	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := filepath.Join(t.TempDir(), "stats-page.png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", shot, len(png))
	if out := os.Getenv("HAWSER_STATS_SCREENSHOT"); out != "" {
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot also written to %s", out)
	}

	// With the script: sorting (Name twice: Z to A) and filtering.
	firstServer := `document.querySelector('section[data-proxy="app"] tbody.srv tr').dataset.name`
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`section[data-proxy="app"] th[data-col="name"]`)),
		chromedp.Click(chromedp.CSS(`section[data-proxy="app"] th[data-col="name"]`)),
		chromedp.Poll[chromedp.Void](firstServer+` === 'app4'`, chromedp.WithPollingTimeout(5*time.Second)),
		chromedp.SendKeys(chromedp.CSS(`#filter`), "app3"),
		chromedp.Poll[chromedp.Void](`Array.from(document.querySelectorAll('tr.server')).filter(r => r.offsetParent !== null).map(r => r.dataset.name).join() === 'app3'`,
			chromedp.WithPollingTimeout(5*time.Second)),
	); err != nil {
		t.Errorf("sorting and filtering: %v", err)
	}
	ws.Close(websocket.StatusNormalClosure, "")
}
