package test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cookieOracleConfig has a backend for each cookie persistence mode and
// option. Every backend hashes the X-K header so HAProxy and hawser choose
// the same server for a request without a usable cookie.
const cookieOracleConfig = `
global
    log stdout format raw local0
defaults
    mode http
    log global
    log-format "%%HP %%tsc %%s"
    balance hdr(X-K)
    timeout client 10s
    timeout server 10s
    timeout connect 1s
frontend fe
    bind 127.0.0.1:%[1]d
    use_backend ins if { req.hdr(X-Be) ins }
    use_backend dated if { req.hdr(X-Be) dated }
    use_backend idle if { req.hdr(X-Be) idle }
    use_backend rw if { req.hdr(X-Be) rw }
    use_backend pfx if { req.hdr(X-Be) pfx }
    use_backend pres if { req.hdr(X-Be) pres }
    use_backend nock if { req.hdr(X-Be) nock }
    use_backend down if { req.hdr(X-Be) down }
    use_backend persist if { req.hdr(X-Be) persist }
backend ins
    cookie SRV insert indirect nocache httponly secure domain .example.com attr SameSite=Lax
    server a %[2]s cookie ca
    server b %[3]s cookie cb
backend dated
    cookie SRV insert indirect maxidle 30m maxlife 2h
    server a %[2]s cookie ca
    server b %[3]s cookie cb
backend idle
    cookie SRV insert maxidle 30m
    server a %[2]s cookie ca
    server b %[3]s cookie cb
backend rw
    cookie SRV rewrite
    server a %[2]s cookie ca
    server b %[3]s cookie cb
backend pfx
    cookie SRV prefix indirect
    server a %[2]s cookie ca
    server b %[3]s cookie cb
backend pres
    cookie SRV insert preserve postonly
    server a %[2]s cookie ca
    server b %[3]s cookie cb
backend nock
    cookie SRV insert
    server a %[2]s cookie ca
    server c %[4]s
backend down
    cookie SRV insert
    server a %[2]s cookie ca
    server b %[3]s cookie cb disabled
    server c %[4]s cookie cb
backend persist
    cookie SRV insert
    option persist
    server a %[2]s cookie ca
    server b %[3]s cookie cb disabled
`

// scriptedBackend answers with the status in ?st= and the response fields
// in each ?h=Name:Value, and tells who it is and which Cookie it saw.
func scriptedBackend(t *testing.T, name string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		for _, h := range q["h"] {
			k, v, _ := strings.Cut(h, ":")
			w.Header().Add(k, v)
		}
		w.Header().Set("X-Served-By", name)
		seen := strings.Join(r.Header.Values("Cookie"), " / ")
		if seen == "" {
			seen = "-"
		}
		w.Header().Set("X-Seen-Cookie", seen)
		st := 200
		fmt.Sscan(q.Get("st"), &st)
		w.WriteHeader(st)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// cookieDigits are the digits of HAProxy's cookie dates (base64's).
const cookieDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// cookieDate encodes a UNIX time as a HAProxy cookie date, independently
// of hawser's encoder: 30 bits of 4-second units, five base64 digits.
func cookieDate(sec int64) string {
	v := (sec + 3) >> 2
	var b [5]byte
	for i := 4; i >= 0; i-- {
		b[i] = cookieDigits[v&63]
		v >>= 6
	}
	return string(b[:])
}

var cookieDateRE = regexp.MustCompile(`\|([A-Za-z0-9+/]{5})`)

// normalizeDates replaces the dates in s by "|D" and returns them decoded,
// so two answers a few seconds apart compare equal.
func normalizeDates(s string) (string, []int64) {
	var dates []int64
	out := cookieDateRE.ReplaceAllStringFunc(s, func(m string) string {
		var v int64
		for _, c := range m[1:] {
			v = v<<6 | int64(strings.IndexRune(cookieDigits, c))
		}
		dates = append(dates, v<<2)
		return "|D"
	})
	return out, dates
}

// TestCookiePersistenceMatchesHAProxy sends the same requests to haproxy
// and hawser, configured alike, and compares what persistence did: the
// server reached, the Cookie it saw, the Set-Cookie and Cache-Control
// fields of the response and the cookie characters of the log's
// termination state. It covers every cookie mode, nocache, preserve,
// postonly, maxidle and maxlife dates, servers without cookies, shared
// cookie values, down servers and option persist.
func TestCookiePersistenceMatchesHAProxy(t *testing.T) {
	haproxy, err := exec.LookPath("haproxy")
	if err != nil {
		t.Skip("haproxy not installed (apt-get install -y haproxy): cannot compare cookie persistence")
	}
	a, b, c := scriptedBackend(t, "a"), scriptedBackend(t, "b"), scriptedBackend(t, "c")
	now := time.Now().Unix()
	d := cookieDate
	type req struct {
		be, method, cookie string
		query              url.Values
	}
	h := func(kv ...string) url.Values { return url.Values{"h": kv} }
	reqs := []req{
		{be: "ins"},
		{be: "ins", cookie: "SRV=ca"},
		{be: "ins", cookie: "SRV=cb; other=1"},
		{be: "ins", cookie: "x=1; SRV=zz"},
		{be: "ins", cookie: "SRV="},
		{be: "ins", method: "POST"},
		{be: "ins", method: "OPTIONS"},
		{be: "ins", query: url.Values{"st": {"302"}}},
		{be: "ins", query: url.Values{"st": {"404"}}},
		{be: "ins", query: h("Cache-Control:public")},
		{be: "ins", query: h("ETag:\"v1\"")},
		{be: "ins", query: h("Last-Modified:Mon, 02 Nov 2026 10:00:00 GMT")},
		{be: "ins", query: h("Expires:Thu, 01 Jan 2099 00:00:00 GMT")},
		{be: "ins", method: "POST", query: h("Cache-Control:public, max-age=60")},
		{be: "ins", query: url.Values{"st": {"302"}, "h": {"Cache-Control:max-age=60"}}},
		{be: "ins", query: h("Cache-Control:max-age=60")},
		{be: "ins", query: h("Cache-Control:no-store", "ETag:\"v1\"")},
		{be: "ins", query: h("Cache-Control:max-age=0")},
		{be: "ins", query: h("Cache-Control:max-age=0, s-maxage=30")},
		{be: "ins", query: h("Cache-Control:s-maxage=0")},
		{be: "ins", query: h("Cache-Control:private=\"x\", max-age=5")},
		{be: "ins", query: h("Cache-Control:no-store=1", "Cache-Control:max-age=5")},
		{be: "ins", query: h("Cache-Control:private, public, max-age=5")},
		{be: "ins", query: h("Cache-Control:no-cache=\"set-cookie\", max-age=5")},
		{be: "ins", query: h("Pragma:no-cache", "ETag:\"v1\"")},
		{be: "ins", query: h("Set-Cookie:SRV=app; path=/")},
		{be: "ins", cookie: "SRV=ca", query: h("Set-Cookie:SRV=app; path=/", "Set-Cookie:keep=1")},
		{be: "dated"},
		{be: "dated", cookie: "SRV=ca"},
		{be: "dated", cookie: "SRV=cb|" + d(now+8) + "|" + d(now-60)},
		{be: "dated", cookie: "SRV=cb|" + d(now-3600) + "|" + d(now-3700)},
		{be: "dated", cookie: "SRV=cb|" + d(now+8) + "|" + d(now-3*3600)},
		{be: "dated", cookie: "SRV=cb|" + d(now+2*86400)},
		{be: "dated", cookie: "SRV=ca|abc"},
		{be: "dated", cookie: "SRV=ca|!!!!!"},
		{be: "idle", cookie: "SRV=ca|" + d(now-60) + "|" + d(now-100)},
		{be: "idle", cookie: "SRV=cb|" + d(now+8)},
		{be: "idle", cookie: "SRV=cb"},
		{be: "rw"},
		{be: "rw", query: h("Set-Cookie:SRV=app; Path=/")},
		{be: "rw", cookie: "SRV=cb"},
		{be: "rw", cookie: "SRV=cb", query: h("Set-Cookie:SRV=x; Path=/")},
		{be: "pfx", query: h("Set-Cookie:SRV=sess1; path=/")},
		{be: "pfx", cookie: "SRV=cb~sess1"},
		{be: "pfx", cookie: "SRV=cb~sess1", query: h("Set-Cookie:SRV=sess2")},
		{be: "pfx", cookie: "SRV=sess1"},
		{be: "pres"},
		{be: "pres", method: "POST"},
		{be: "pres", method: "POST", query: h("Set-Cookie:SRV=app")},
		{be: "nock"},
		{be: "nock", cookie: "SRV=ca"},
		{be: "down", cookie: "SRV=cb"},
		{be: "down", cookie: "SRV=ca"},
		{be: "persist", cookie: "SRV=cb"},
	}

	hport := oraclePort(t)
	hlog := startHAProxy(t, haproxy, fmt.Sprintf(cookieOracleConfig, hport, a, b, c), fmt.Sprintf("127.0.0.1:%d", hport))
	wport := freePort(t)
	waddr := fmt.Sprintf("127.0.0.1:%d", wport)
	p := startHawser(t, fmt.Sprintf(cookieOracleConfig, wport, a, b, c), nil, waddr)

	answer := func(addr string, logs *logBuffer, i, key int, r req) (string, []int64) {
		method := r.method
		if method == "" {
			method = "GET"
		}
		path := fmt.Sprintf("/s%d-%d", i, key)
		if len(r.query) > 0 {
			path += "?" + r.query.Encode()
		}
		raw := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: x\r\nX-Be: %s\r\nX-K: k%d\r\nContent-Length: 0\r\nConnection: close\r\n", method, path, r.be, key)
		if r.cookie != "" {
			raw += "Cookie: " + r.cookie + "\r\n"
		}
		resp, _ := rawRequest(t, addr, raw+"\r\n")
		var sb strings.Builder
		fmt.Fprintf(&sb, "%d by %s saw %q", resp.StatusCode, resp.Header.Get("X-Served-By"), resp.Header.Get("X-Seen-Cookie"))
		for _, v := range resp.Header.Values("Set-Cookie") {
			fmt.Fprintf(&sb, "\n  set-cookie: %s", v)
		}
		for _, v := range resp.Header.Values("Cache-Control") {
			fmt.Fprintf(&sb, "\n  cache-control: %s", v)
		}
		line := logs.waitLog(t, fmt.Sprintf("/s%d-%d ", i, key))
		fmt.Fprintf(&sb, "\n  log: %s", line)
		return normalizeDates(sb.String())
	}
	var all strings.Builder
	for i, r := range reqs {
		for key := range 2 {
			want, wantDates := answer(fmt.Sprintf("127.0.0.1:%d", hport), hlog, i, key, r)
			all.WriteString(want + "\n")
			got, gotDates := answer(waddr, p.stdout, i, key, r)
			if got != want {
				t.Errorf("request %d (%+v, key %d):\nhaproxy: %s\nhawser:  %s", i, r, key, want, got)
				continue
			}
			for j := range wantDates {
				if diff := gotDates[j] - wantDates[j]; diff < -4 || diff > 4 {
					t.Errorf("request %d (%+v, key %d): cookie date %d is %d s from haproxy's", i, r, key, j, diff)
				}
			}
		}
	}
	// The requests must have exercised every outcome, or the comparison
	// proves less than it claims.
	for _, outcome := range []string{" --NI ", " --VN ", " --II ", " --VU ", " --EI ", " --OI ", " --VD ", " --NR ", " --VR ", " --NP ", " --DN ", "|D|D;", "cache-control: private\n", "Expires=Thu, 01-Jan-1970"} {
		if !strings.Contains(all.String(), outcome) {
			t.Errorf("no request produced %q; haproxy's answers:\n%s", outcome, all.String())
		}
	}
}
