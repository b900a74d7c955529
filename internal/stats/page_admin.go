package stats

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hawser-lb/hawser/internal/backend"
)

// The admin form of the statistics page (`stats admin if COND`). It posts
// HAProxy's fields, so scripts written for HAProxy's page keep working:
// b=#<backend id> (or the backend's name), s=<server> once per server and
// action=<what>. The answer is HAProxy's: 303 See Other back to the page
// with ;st=<result>, which the page shows as a message.

// Results of an admin action, as HAProxy names them in ;st=.
const (
	stDone = "DONE" // every server was changed
	stNone = "NONE" // no server selected
	stPart = "PART" // some servers were not found
	stErrp = "ERRP" // unknown backend or action, or no server found
	stDeny = "DENY" // the request did not pass `stats admin`
)

// pageMessage is a message box of the page: Class is its style (ok,
// info, warn, error).
type pageMessage struct{ Class, Text string }

// statusMessages are the texts shown for ;st= codes.
var statusMessages = map[string]pageMessage{
	stDone: {"ok", "Action processed successfully."},
	stNone: {"info", "Nothing has changed."},
	stPart: {"warn", "Action partially processed: some server names are probably unknown."},
	stErrp: {"error", "Action not processed because of invalid parameters: the action is probably unknown, or the backend or the servers could not be found."},
	stDeny: {"error", "Action denied."},
	"EXCD": {"error", "Action not processed: too much data; retry with fewer servers at a time."},
	"IVAL": {"error", "Invalid request."},
}

// pageAction is an action of the admin form: Value is what the form
// posts, Label what it shows.
type pageAction struct{ Value, Label string }

// pageActions are the actions the form offers, in HAProxy's order and
// with its values. Health and agent actions come with health checks.
var pageActions = []pageAction{
	{"ready", "Set state to READY"},
	{"drain", "Set state to DRAIN"},
	{"maint", "Set state to MAINT"},
	{"shutdown", "Kill sessions"},
}

// serveAction runs a POSTed admin action and redirects back to the page.
func (p *page) serveAction(w http.ResponseWriter, r *http.Request, o pageOpts) {
	code := stDeny
	if p.admin(r) && sameOrigin(r) {
		code = p.runAction(r)
	}
	loc := p.st.URI + o.suffix()
	if o.scope != "" {
		loc += ";scope=" + url.QueryEscape(o.scope)
	}
	w.Header().Set("Location", loc+";st="+code)
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusSeeOther)
}

// sameOrigin refuses a form posted from another site (a page elsewhere
// making the operator's browser change servers). HAProxy does not check;
// browsers send Origin on every POST, scripts usually send none.
func sameOrigin(r *http.Request) bool {
	if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && strings.EqualFold(u.Host, r.Host)
}

// runAction applies the form's action to its servers and returns the
// result code.
func (p *page) runAction(r *http.Request) string {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		return stErrp
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return stErrp
	}
	be := p.findBackend(form.Get("b"))
	apply := actionFunc(form.Get("action"))
	if be == nil || apply == nil {
		return stErrp
	}
	names := form["s"]
	if len(names) == 0 {
		return stNone
	}
	done := 0
	for _, name := range names {
		if srv := be.Server(name); srv != nil {
			apply(srv)
			done++
		}
	}
	switch done {
	case 0:
		return stErrp
	case len(names):
		return stDone
	}
	return stPart
}

// findBackend resolves the form's b field: "#<id>" as HAProxy's page sends
// it, or a backend name.
func (p *page) findBackend(b string) *backend.Backend {
	g := p.e.Generation()
	if id, ok := strings.CutPrefix(b, "#"); ok {
		n, err := strconv.Atoi(id)
		if err != nil {
			return nil
		}
		for _, be := range g.Backends {
			if be.ID == n {
				return be
			}
		}
		return nil
	}
	return g.Backend(b)
}

// actionFunc returns what an action does to a server, the same as the
// runtime API's `set server … state` and `shutdown sessions server`; nil
// for an unknown action.
func actionFunc(action string) func(*backend.Server) {
	switch action {
	case "ready":
		return func(s *backend.Server) { s.SetAdmin(backend.AdminForcedMaint|backend.AdminForcedDrain, false) }
	case "drain":
		return func(s *backend.Server) {
			s.SetAdmin(backend.AdminForcedMaint, false)
			s.SetAdmin(backend.AdminForcedDrain, true)
		}
	case "maint":
		return func(s *backend.Server) {
			s.SetAdmin(backend.AdminForcedDrain, false)
			s.SetAdmin(backend.AdminForcedMaint, true)
		}
	case "shutdown":
		return func(s *backend.Server) { s.KillSessions('K') }
	}
	return nil
}
