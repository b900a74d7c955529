package stats

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// The HTML page's model: the rows of `show stat`, grouped by proxy and
// turned into what a person reads. Building it from the rows (rather than
// from the engine's objects) keeps the page, ;csv and the runtime API
// telling the same story, and every column another package fills in
// (check results, rates) shows up here without touching the page.

// pageView is what page.html renders.
type pageView struct {
	// Version is hawser's version; empty with `stats hide-version`.
	Version string
	// Node and Description come from `stats show-node` and `stats
	// show-desc` (or the global section's node and description).
	Node, Description string
	PID               int
	Now               time.Time
	Uptime            string
	// Refresh is the auto-refresh period in seconds, 0 for none.
	Refresh int
	// CurConns, MaxConns: the process's client connections and limit.
	CurConns, MaxConns int64
	// ConnPct is CurConns as a percentage of MaxConns, for the gauge.
	ConnPct  int
	CumConns uint64
	Tunnels  int
	Dropped  int64
	Stopping bool
	// Servers counts the servers by state, for the summary.
	Servers []stateCount
	Proxies []proxyView
	// Admin is set when the request passed `stats admin`: the page then
	// shows the checkboxes and the action form.
	Admin   bool
	Actions []pageAction
	// Message is the result of the last admin action (;st=).
	Message *pageMessage
	Links   pageLinks
	Groups  []colGroup
	// Up is set with ;up (DOWN and MAINT servers hidden).
	Up bool
}

// pageLinks are the page's links to its other views, keeping the options
// of the current one.
type pageLinks struct {
	Self, CSV, JSON, ToggleUp, ToggleRefresh string
}

// stateCount is one entry of the server summary.
type stateCount struct {
	Class, Label string
	N            int
}

// proxyView is one proxy's table.
type proxyView struct {
	Name, Mode string
	ID         int
	// BackendRef is the form's b value (HAProxy's "#<id>"), empty for a
	// frontend-only proxy.
	BackendRef string
	Status     string
	Class      string
	// Summary is a one-line description: algorithm and usable servers.
	Summary   string
	Frontend  *rowView
	Servers   []rowView
	Backend   *rowView
	HasServer bool
}

// rowView is one line of a proxy's table.
type rowView struct {
	// Kind is "frontend", "server" or "backend".
	Kind, Name string
	// Status is the status column as is; Badge the word shown and Class
	// its colour.
	Status, Badge, Class string
	Since                string
	Backup               bool
	Addr                 string
	Cells                []cellView
	// Proxy is the proxy's name; Admin shows the selection column.
	Proxy string
	Admin bool
}

// cellView is one number of a row.
type cellView struct {
	// Text is shown; Title is the tooltip; Sort is the value sorting uses
	// (numbers sort as numbers).
	Text, Title, Sort, Class string
}

// colGroup is a header group (Sessions, Bytes, …) and its columns.
type colGroup struct {
	Label, Title string
	Cols         []pageCol
}

// pageCol is one data column of the tables.
type pageCol struct {
	Head, Title string
	cell        func(r row) cellView
	// Index is the column's position among a row's Cells, which the
	// page's script sorts by.
	Index int
}

func init() {
	i := 0
	for _, g := range pageGroups {
		for j := range g.Cols {
			g.Cols[j].Index = i
			i++
		}
	}
}

// num shows a count column.
func num(col string) func(row) cellView {
	return func(r row) cellView {
		v := r.get(col)
		return cellView{Text: fmtCount(v), Sort: v}
	}
}

// bytesCol shows a byte count with units, the exact count in the tooltip.
func bytesCol(col string) func(row) cellView {
	return func(r row) cellView {
		v := r.get(col)
		return cellView{Text: fmtBytes(v), Title: fmtCount(v) + " bytes", Sort: v}
	}
}

// limitCell shows a limit; 0 or nothing means none.
func limitCell(col string) func(row) cellView {
	return func(r row) cellView {
		v := r.get(col)
		if v == "0" {
			return cellView{}
		}
		return cellView{Text: fmtCount(v), Sort: v}
	}
}

// errCol shows an error count, highlighted when not zero.
func errCol(col string) func(row) cellView {
	return func(r row) cellView {
		c := num(col)(r)
		if c.Sort != "" && c.Sort != "0" {
			c.Class = "bad"
		}
		return c
	}
}

// pageGroups are the table's columns, grouped as HAProxy's page groups
// them.
var pageGroups = []colGroup{
	{"Check", "Last health check: status, code and duration", []pageCol{col("Check", "", checkCell)}},
	{"Weight", "Effective weight: the server's share of the load", []pageCol{col("Weight", "", weightCell)}},
	{"Queue", "Requests waiting for a server", []pageCol{
		col("Cur", "Queued now", num("qcur")),
		col("Max", "Most queued at once", num("qmax")),
	}},
	{"Sessions", "Connections (tcp) or requests (http) being served", []pageCol{
		col("Cur", "Current sessions", num("scur")),
		col("Max", "Most sessions at once", num("smax")),
		col("Limit", "maxconn (empty: no limit of its own)", limitCell("slim")),
		col("Total", "Sessions since start", num("stot")),
		col("Rate", "Sessions per second (max in the tooltip)", rateCell),
	}},
	{"Bytes", "Bytes from and to clients", []pageCol{
		col("In", "Bytes received", bytesCol("bin")),
		col("Out", "Bytes sent", bytesCol("bout")),
	}},
	{"Errors", "Denied and failed requests", []pageCol{
		col("Denied", "Requests denied by rules", errCol("dreq")),
		col("Req", "Invalid requests", errCol("ereq")),
		col("Conn", "Failed connections to servers", errCol("econ")),
		col("Resp", "Invalid or aborted responses", errCol("eresp")),
	}},
	{"Warnings", "Retries and redispatches", []pageCol{
		col("Retr", "Connection retries", errCol("wretr")),
		col("Redis", "Redispatches to another server", errCol("wredis")),
	}},
	{"HTTP responses", "Responses by status class", []pageCol{
		col("2xx", "", num("hrsp_2xx")),
		col("3xx", "", num("hrsp_3xx")),
		col("4xx", "", errCol("hrsp_4xx")),
		col("5xx", "", errCol("hrsp_5xx")),
	}},
	{"Last", "Time since the last session", []pageCol{col("Last", "", lastCell)}},
}

// col makes a column; init numbers them.
func col(head, title string, cell func(row) cellView) pageCol {
	return pageCol{Head: head, Title: title, cell: cell}
}

// checkCell shows the last health check. The check columns of `show
// stat` (check_status, check_code, check_duration, check_desc,
// check_health/rise/fall) are filled by the health checks; until a server
// has them it reads "no check" or nothing.
func checkCell(r row) cellView {
	st := r.get("check_status")
	if st == "" {
		// show stat gives servers with `check` their rise and fall.
		if r.get("type") == "2" && r.get("check_rise") == "" {
			return cellView{Text: "no check", Class: "dim", Sort: "no check"}
		}
		return cellView{}
	}
	text := st
	if c := r.get("check_code"); c != "" {
		text += "/" + c
	}
	if d := r.get("check_duration"); d != "" {
		text += " in " + fmtMillis(d)
	}
	title := r.get("check_desc")
	if h := r.get("check_health"); h != "" {
		title += " · health " + h + " (rise " + r.get("check_rise") + ", fall " + r.get("check_fall") + ")"
	}
	if l := r.get("last_chk"); l != "" {
		title += " · " + l
	}
	c := cellView{Text: text, Title: strings.TrimPrefix(title, " · "), Sort: st}
	// L4OK, L6OK, L7OK and L7OKC are passed checks; the rest failed.
	if !strings.HasSuffix(st, "OK") && st != "L7OKC" && !strings.HasPrefix(st, "INI") {
		c.Class = "bad"
	}
	return c
}

// weightCell shows the effective weight.
func weightCell(r row) cellView {
	w := r.get("weight")
	return cellView{Text: w, Sort: w}
}

// rateCell shows the session rate and its maximum.
func rateCell(r row) cellView {
	v := r.get("rate")
	c := cellView{Text: fmtCount(v), Sort: v}
	if m := r.get("rate_max"); m != "" {
		c.Title = "max " + fmtCount(m) + "/s"
	}
	return c
}

// lastCell shows how long ago the last session started.
func lastCell(r row) cellView {
	v := r.get("lastsess")
	if v == "" {
		return cellView{}
	}
	c := cellView{Text: fmtAge(v), Sort: v}
	if v == "-1" {
		// Never sorts after any real age.
		c.Sort, c.Class = "1e18", "dim"
	}
	return c
}

// stateClass maps a status to its colour: up, down, maint, drain, nolb,
// going (a transition such as "UP 1/3"), open, stop.
func stateClass(status string) string {
	switch {
	case status == "no check":
		return "up"
	case status == "OPEN":
		return "open"
	case status == "STOP" || status == "FULL":
		return "stop"
	case strings.HasPrefix(status, "MAINT"):
		return "maint"
	case strings.HasPrefix(status, "DRAIN"):
		return "drain"
	case strings.HasPrefix(status, "NOLB"):
		return "nolb"
	case strings.Contains(status, "/"):
		// "UP 1/3" is going down, "DOWN 1/2" is coming up.
		return "going"
	case strings.HasPrefix(status, "UP"):
		return "up"
	case strings.HasPrefix(status, "DOWN"):
		return "down"
	}
	return "other"
}

// badge is the word shown for a status: servers without checks are UP
// (the tooltip and the check column say "no check").
func badge(status string) string {
	if status == "no check" {
		return "UP"
	}
	return status
}

// buildView makes the page's model from the rows.
func (p *page) buildView(rows []row, o pageOpts, admin bool) *pageView {
	info := p.e.Info()
	g := p.e.Generation()
	now := p.now()
	v := &pageView{
		PID: os.Getpid(), Now: now, Uptime: fmtDuration(now.Sub(info.Started)),
		CurConns: info.CurrConns, MaxConns: int64(info.Maxconn), CumConns: info.CumConns,
		Tunnels: info.Tunnels, Dropped: info.DroppedLog, Stopping: info.Stopping,
		Admin: admin, Actions: pageActions, Groups: pageGroups, Up: o.up,
	}
	if info.Maxconn > 0 {
		v.ConnPct = int(min(100, info.CurrConns*100/int64(info.Maxconn)))
	}
	if !p.st.HideVersion {
		v.Version = Version
	}
	gl := &g.Config.Global
	if p.st.ShowNode {
		v.Node = p.st.Node
		if v.Node == "" {
			v.Node = gl.Node
		}
		if v.Node == "" {
			v.Node, _ = os.Hostname()
		}
	}
	v.Description = p.st.Description
	if v.Description == "" {
		v.Description = gl.Description
	}
	if p.st.Refresh > 0 && !o.norefresh {
		v.Refresh = refreshSeconds(p.st.Refresh)
	}
	if m, ok := statusMessages[o.status]; ok {
		v.Message = &m
	}
	v.Links = p.links(o)
	v.Proxies = groupRows(rows)
	for i := range v.Proxies {
		px := &v.Proxies[i]
		for _, rv := range px.rows() {
			rv.Admin = admin && px.HasServer
		}
	}
	v.Servers = countStates(v.Proxies)
	return v
}

// links builds the page's own URLs, keeping scope and the other options.
func (p *page) links(o pageOpts) pageLinks {
	base := p.st.URI
	scope := ""
	if o.scope != "" {
		scope = ";scope=" + o.scope
	}
	up, norefresh := "", ""
	if o.up {
		up = ";up"
	}
	if o.norefresh {
		norefresh = ";norefresh"
	}
	l := pageLinks{
		Self: base + up + norefresh + scope,
		CSV:  base + up + ";csv;norefresh" + scope,
		JSON: base + up + ";json;norefresh" + scope,
	}
	if o.up {
		l.ToggleUp = base + norefresh + scope
	} else {
		l.ToggleUp = base + ";up" + norefresh + scope
	}
	if o.norefresh {
		l.ToggleRefresh = base + up + scope
	} else {
		l.ToggleRefresh = base + up + ";norefresh" + scope
	}
	return l
}

// groupRows gathers the rows of each proxy: StatRows lists a proxy's
// FRONTEND, its servers and its BACKEND one after the other.
func groupRows(rows []row) []proxyView {
	var out []proxyView
	for _, r := range rows {
		name := r.get("pxname")
		if len(out) == 0 || out[len(out)-1].Name != name {
			id, _ := strconv.Atoi(r.get("iid"))
			out = append(out, proxyView{Name: name, ID: id, Mode: r.get("mode")})
		}
		px := &out[len(out)-1]
		rv := makeRow(r)
		switch r.get("type") {
		case "0":
			px.Frontend = &rv
		case "1":
			px.Backend = &rv
			px.BackendRef = "#" + r.get("iid")
			px.Summary = backendSummary(r)
		default:
			px.Servers = append(px.Servers, rv)
			px.HasServer = true
		}
	}
	for i := range out {
		px := &out[i]
		for _, rv := range px.rows() {
			rv.Proxy = px.Name
		}
		switch {
		case px.Backend != nil:
			px.Status, px.Class = px.Backend.Badge, px.Backend.Class
		case px.Frontend != nil:
			px.Status, px.Class = px.Frontend.Badge, px.Frontend.Class
		}
	}
	return out
}

// rows returns the proxy's lines, to set what they share.
func (px *proxyView) rows() []*rowView {
	var out []*rowView
	if px.Frontend != nil {
		out = append(out, px.Frontend)
	}
	for i := range px.Servers {
		out = append(out, &px.Servers[i])
	}
	if px.Backend != nil {
		out = append(out, px.Backend)
	}
	return out
}

// backendSummary describes a backend in a few words: "roundrobin · 2 of 3
// servers usable · 1 backup".
func backendSummary(r row) string {
	var parts []string
	if a := r.get("algo"); a != "" {
		parts = append(parts, a)
	}
	act, bck := r.get("act"), r.get("bck")
	parts = append(parts, act+" active")
	if bck != "" && bck != "0" {
		parts = append(parts, bck+" backup")
	}
	return strings.Join(parts, " · ")
}

// makeRow turns a row into a table line.
func makeRow(r row) rowView {
	kind := map[string]string{"0": "frontend", "1": "backend"}[r.get("type")]
	name := r.get("svname")
	if kind == "" {
		kind = "server"
	} else {
		name = strings.ToUpper(kind[:1]) + kind[1:]
	}
	st := r.get("status")
	rv := rowView{
		Kind: kind, Name: name, Status: st, Badge: badge(st), Class: stateClass(st),
		Backup: kind == "server" && r.get("bck") == "1",
		Addr:   r.get("addr"),
	}
	if lc := r.get("lastchg"); lc != "" && kind == "server" {
		rv.Since = fmtAge(lc)
	}
	for _, g := range pageGroups {
		for _, c := range g.Cols {
			rv.Cells = append(rv.Cells, c.cell(r))
		}
	}
	return rv
}

// countStates counts the servers in each state, in a fixed order.
func countStates(pxs []proxyView) []stateCount {
	order := []stateCount{{"up", "UP", 0}, {"going", "Changing", 0}, {"nolb", "NOLB", 0}, {"drain", "DRAIN", 0}, {"maint", "MAINT", 0}, {"down", "DOWN", 0}}
	for _, px := range pxs {
		for _, s := range px.Servers {
			for i := range order {
				if order[i].Class == s.Class {
					order[i].N++
				}
			}
		}
	}
	return order
}
