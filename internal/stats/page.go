package stats

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/proxy"
)

// The statistics page (`stats enable`): an HTML report of every proxy and
// server, the `;csv` and `;json` views of the same rows, and the admin
// form of `stats admin`. It runs only when someone asks for the page: it
// reads the atomic counters and builds the rows of `show stat` on each
// request, and keeps no state of its own.

// pageEngine is what the page reads from the running proxy.
type pageEngine interface {
	engine
	Info() proxy.Info
}

// Page returns the handler of frontend fe's statistics page; it is what
// cmd/hawser passes as proxy.Applets.StatsPage. The proxy sends it every
// request whose target starts with the frontend's `stats uri`.
func Page(e *proxy.Engine, fe *proxy.Frontend) http.Handler {
	return newPage(e, fe.Config.Stats)
}

// newPage builds the page handler for st; the tests give their own engine.
func newPage(e pageEngine, st *config.StatsPage) *page {
	return &page{e: e, st: st, admin: proxy.IsStatsAdmin, now: time.Now}
}

// page serves one frontend's statistics page.
type page struct {
	e  pageEngine
	st *config.StatsPage
	// admin tells whether the request passed `stats admin`; the proxy
	// evaluates the conditions, tests replace it.
	admin func(*http.Request) bool
	now   func() time.Time
}

// pageOpts are the options HAProxy reads after the stats URI: `;csv`,
// `;json`, `;up`, `;norefresh`, `;st=<code>` and `scope=<name>`.
type pageOpts struct {
	csv, json, up, norefresh bool
	// status is the result code of the last admin action (;st=DONE).
	status string
	// scope keeps only the proxies whose name contains it, ignoring case.
	scope string
}

// parseOpts reads the options in what follows the stats URI. Like HAProxy
// it looks for each option anywhere in that text, so `;up;csv`,
// `;csv;up` and `?scope=be;csv` all work.
func parseOpts(rest string) pageOpts {
	var o pageOpts
	o.up = strings.Contains(rest, ";up")
	o.norefresh = strings.Contains(rest, ";norefresh")
	o.csv = strings.Contains(rest, ";csv")
	// ;json-schema describes the JSON output; hawser does not serve it and
	// answers the HTML page rather than JSON a tool would misread.
	o.json = strings.Contains(strings.ReplaceAll(rest, ";json-schema", ""), ";json")
	if i := strings.Index(rest, ";st="); i >= 0 {
		o.status = rest[i+4:]
		if j := strings.IndexAny(o.status, ";&?"); j >= 0 {
			o.status = o.status[:j]
		}
	}
	if i := strings.Index(rest, "scope="); i >= 0 {
		v := rest[i+len("scope="):]
		if j := strings.IndexAny(v, ";&"); j >= 0 {
			v = v[:j]
		}
		if u, err := url.QueryUnescape(v); err == nil {
			v = u
		}
		// HAProxy limits the scope to 15 characters.
		if len(v) > 15 {
			v = v[:15]
		}
		o.scope = v
	}
	return o
}

// suffix returns the options to keep in the page's own links.
func (o pageOpts) suffix() string {
	var b strings.Builder
	if o.up {
		b.WriteString(";up")
	}
	if o.norefresh {
		b.WriteString(";norefresh")
	}
	return b.String()
}

// ServeHTTP answers the page, its ;csv and ;json views and the admin
// form, after `stats auth`.
func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	if !p.authorized(r) {
		h.Set("Content-Type", "text/html")
		h.Set("WWW-Authenticate", `Basic realm="`+strings.ReplaceAll(p.st.Realm, `"`, `'`)+`"`)
		w.WriteHeader(http.StatusUnauthorized)
		// HAProxy's 401 body, byte for byte.
		w.Write([]byte("<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"))
		return
	}
	target := r.RequestURI
	if target == "" {
		target = r.URL.RequestURI()
	}
	rest := strings.TrimPrefix(target, p.st.URI)
	opts := parseOpts(rest)
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		p.serveAction(w, r, opts)
		return
	default:
		h.Set("Allow", "GET, HEAD, POST")
		h.Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusMethodNotAllowed)
		w.Write([]byte("The statistics page accepts GET, HEAD and POST.\n"))
		return
	}
	if p.st.Refresh > 0 && !opts.norefresh {
		// HAProxy sends the header on every view, CSV and JSON included.
		h.Set("Refresh", strconv.Itoa(refreshSeconds(p.st.Refresh)))
	}
	rows := p.rows(opts)
	switch {
	case opts.csv:
		h.Set("Content-Type", "text/plain")
		var b strings.Builder
		b.WriteString(StatHeader() + "\n")
		for _, r := range rows {
			b.WriteString(r.String() + "\n")
		}
		w.Write([]byte(b.String()))
	case opts.json:
		b, err := jsonRows(rows)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		h.Set("Content-Type", "application/json")
		w.Write(b)
	default:
		h.Set("Content-Type", "text/html; charset=utf-8")
		p.serveHTML(w, r, rows, opts)
	}
}

// refreshSeconds rounds `stats refresh` to whole seconds, at least one.
func refreshSeconds(d time.Duration) int {
	return max(int((d+time.Second/2)/time.Second), 1)
}

// authorized checks `stats auth`: with no user configured the page is
// open, otherwise the request needs one of the user:password pairs in a
// Basic Authorization header.
func (p *page) authorized(r *http.Request) bool {
	if len(p.st.Auth) == 0 {
		return true
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return false
	}
	got := []byte(user + ":" + pass)
	found := 0
	for _, a := range p.st.Auth {
		// Compare with every pair in constant time, so the answer's timing
		// does not say which user exists.
		found |= subtle.ConstantTimeCompare(got, []byte(a))
	}
	return found == 1
}

// rows returns the rows of `show stat` that the request asks for: only
// the proxies matching scope=, without DOWN and MAINT servers with ;up.
// Server addresses, cookies and algorithms are shown only with `stats
// show-legends`, as HAProxy does, since they tell more than an operator
// may want a reader of the page to know.
func (p *page) rows(o pageOpts) []row {
	all := StatRows(p.e.Generation().Config, p.e)
	out := all[:0]
	scope := strings.ToLower(o.scope)
	f := allRows
	f.hideDown = o.up
	for _, r := range all {
		if scope != "" && !strings.Contains(strings.ToLower(r.get("pxname")), scope) {
			continue
		}
		if !f.keep(r) {
			continue
		}
		if !p.st.ShowLegends {
			r.set("addr", "")
			r.set("cookie", "")
			r.set("algo", "")
		}
		out = append(out, r)
	}
	return out
}

// get returns a column's value.
func (r row) get(col string) string {
	i, ok := colIndex[col]
	if !ok {
		panic("stats: unknown column " + col)
	}
	return r[i]
}
