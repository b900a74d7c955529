package stats

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
)

func nbthread() int { return runtime.GOMAXPROCS(0) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// cmdShowStat prints `show stat [{<iid>|<proxy>} <type> <sid>] [typed|json]
// [desc] [up] [no-maint]`: for each proxy in ID order, a FRONTEND row,
// the server rows and a BACKEND row, as CSV (HAProxy 2.6's columns), typed
// lines or JSON. <type> is a mask (1 frontends, 2 backends, 4 servers),
// -1 means any; up hides servers that are DOWN or in maintenance,
// no-maint those in maintenance.
func cmdShowStat(s *session, w *strings.Builder, args []string) {
	f := allRows
	if len(args) >= 3 {
		f.iid, _ = strconv.Atoi(args[0])
		if f.iid == 0 {
			cfg := s.srv.e.Generation().Config
			px := cfg.Backend(args[0])
			if px == nil {
				px = cfg.Frontend(args[0])
			}
			if px == nil {
				w.WriteString("No such proxy.\n")
				return
			}
			f.iid = px.ID
		}
		f.types, _ = strconv.Atoi(args[1])
		f.sid, _ = strconv.Atoi(args[2])
		args = args[3:]
	}
	format := "csv"
	for _, a := range args {
		switch a {
		case "typed", "json":
			format = a
		case "up":
			f.hideDown = true
		case "no-maint":
			f.hideMaint = true
		}
	}
	all := StatRows(s.srv.e.Generation().Config, s.srv.e)
	if f.hideDown || f.hideMaint {
		// As HAProxy does when servers are hidden, the backend's status
		// says how many of its servers are up: "UP (1/3)".
		up, total := map[string]int{}, map[string]int{}
		for _, r := range all {
			if r.get("type") == "2" {
				px := r.get("pxname")
				total[px]++
				if !statusDown(r.get("status")) {
					up[px]++
				}
			}
		}
		for _, r := range all {
			if r.get("type") == "1" {
				px := r.get("pxname")
				r.set("status", r.get("status")+" ("+strconv.Itoa(up[px])+"/"+strconv.Itoa(total[px])+")")
			}
		}
	}
	var rows []row
	for _, r := range all {
		if f.keep(r) {
			rows = append(rows, r)
		}
	}
	switch format {
	case "typed":
		writeTyped(w, rows)
	case "json":
		b, err := jsonRows(rows)
		if err != nil {
			w.WriteString(err.Error() + "\n")
			return
		}
		w.Write(b)
	default:
		w.WriteString(StatHeader() + "\n")
		for _, r := range rows {
			w.WriteString(r.String() + "\n")
		}
	}
}

// statusDown reports a server status that takes no traffic: DOWN (going
// up or not) or MAINT.
func statusDown(status string) bool {
	return strings.HasPrefix(status, "DOWN") || strings.HasPrefix(status, "MAINT")
}

// statFilter selects the rows of `show stat` (and of the page's ;up).
type statFilter struct {
	iid, types, sid     int
	hideDown, hideMaint bool
}

// allRows is the filter that keeps every row.
var allRows = statFilter{iid: -1, types: -1, sid: -1}

func (f statFilter) keep(r row) bool {
	typ, _ := strconv.Atoi(r.get("type"))
	if f.types != -1 && f.types&(1<<typ) == 0 {
		return false
	}
	if f.iid != -1 && r.get("iid") != strconv.Itoa(f.iid) {
		return false
	}
	if typ != 2 {
		return true
	}
	if f.sid != -1 && r.get("sid") != strconv.Itoa(f.sid) {
		return false
	}
	st := r.get("status")
	if f.hideDown && statusDown(st) {
		return false
	}
	return !(f.hideMaint && strings.HasPrefix(st, "MAINT"))
}

// StatRows builds the rows of `show stat` (also used by the stats page
// and its ;csv view).
func StatRows(cfg *config.Config, e engine) []row {
	g := e.Generation()
	pid := itoa(int64(os.Getpid()))
	_ = pid
	var rows []row
	fc := fullconns(cfg, e.Info().Maxconn)
	for _, px := range cfg.Proxies {
		if px.Cap&config.CapFrontend != 0 {
			if fe := g.Frontend(px.Name); fe != nil {
				rows = append(rows, frontendRow(fe.Name, fe.ID, fe.Mode.String(), fe.Counters, px, e.Info().Maxconn))
			}
		}
		if px.Cap&config.CapBackend != 0 {
			if be := g.Backend(px.Name); be != nil {
				for _, srv := range be.Servers {
					rows = append(rows, serverRow(e, be, srv))
				}
				rows = append(rows, backendRow(be, fc[be.Name]))
			}
		}
	}
	return rows
}

func counterCols(r row, c *backend.Counters) {
	r.set("scur", itoa(c.Cur.Load()))
	r.set("smax", itoa(c.Max.Load()))
	r.set("stot", itoa(c.Total.Load()))
	r.set("bin", itoa(c.BytesIn.Load()))
	r.set("bout", itoa(c.BytesOut.Load()))
}

func hrspCols(r row, c *backend.Counters) {
	for i, col := range []string{"hrsp_1xx", "hrsp_2xx", "hrsp_3xx", "hrsp_4xx", "hrsp_5xx", "hrsp_other"} {
		r.set(col, itoa(c.HRsp[i].Load()))
	}
}

func frontendRow(name string, id int, mode string, c *backend.Counters, px *config.Proxy, globalMaxconn int) row {
	r := newRow()
	r.set("pxname", name)
	r.set("svname", "FRONTEND")
	counterCols(r, c)
	// Without its own maxconn a frontend is bound by the process's.
	slim := px.Maxconn
	if slim == 0 {
		slim = globalMaxconn
	}
	r.set("slim", itoa(int64(slim)))
	r.set("dreq", itoa(c.DeniedReq.Load()))
	r.set("dresp", "0")
	r.set("ereq", itoa(c.ErrReq.Load()))
	r.set("status", "OPEN")
	if px.Disabled {
		r.set("status", "STOP")
	}
	r.set("pid", "1")
	r.set("iid", itoa(int64(id)))
	r.set("sid", "0")
	r.set("type", "0")
	now := time.Now()
	r.set("rate", itoa(c.SessRate.Value(now)))
	r.set("rate_lim", "0")
	r.set("rate_max", itoa(c.SessRate.Max()))
	if mode == "http" {
		hrspCols(r, c)
		r.set("req_rate", itoa(c.ReqRate.Value(now)))
		r.set("req_rate_max", itoa(c.ReqRate.Max()))
		r.set("req_tot", itoa(c.Requests.Load()))
		r.set("comp_in", "0")
		r.set("comp_out", "0")
		r.set("comp_byp", "0")
		r.set("comp_rsp", "0")
	}
	r.set("mode", mode)
	r.set("conn_rate", itoa(c.SessRate.Value(now)))
	r.set("conn_rate_max", itoa(c.SessRate.Max()))
	r.set("conn_tot", itoa(c.Total.Load()))
	r.set("intercepted", "0")
	r.set("dcon", "0")
	r.set("dses", "0")
	r.set("wrew", "0")
	r.set("eint", "0")
	if mode == "http" {
		r.set("cache_lookups", "0")
		r.set("cache_hits", "0")
	}
	r.set("-", "-")
	moduleCols(r, c, c.Total.Load())
	return r
}

// fullconns returns each backend's fullconn: its own, or HAProxy's
// default, a tenth of the maxconn of the frontends that can reach it
// (through default_backend, a listen's own servers, or static use_backend
// rules; a frontend counts once per backend), at least 1.
func fullconns(cfg *config.Config, globalMaxconn int) map[string]int {
	total := map[string]int{}
	for _, fe := range cfg.Proxies {
		if fe.Cap&config.CapFrontend == 0 || fe.Disabled {
			continue
		}
		max := fe.Maxconn
		if max == 0 {
			max = globalMaxconn
		}
		seen := map[string]bool{}
		switch {
		case fe.DefaultBackend != "":
			seen[fe.DefaultBackend] = true
		case fe.Cap&config.CapBackend != 0:
			seen[fe.Name] = true
		}
		for _, ub := range fe.UseBackends {
			if !strings.Contains(ub.Backend, "%[") {
				seen[ub.Backend] = true
			}
		}
		for name := range seen {
			total[name] += max
		}
	}
	out := map[string]int{}
	for _, px := range cfg.Proxies {
		if px.Cap&config.CapBackend == 0 {
			continue
		}
		fc := px.Fullconn
		if fc == 0 {
			fc = max((total[px.Name]+9)/10, 1)
		}
		out[px.Name] = fc
	}
	return out
}

// timeCols sets the time averages and maxima of a server or backend, and
// the connection counters that go with them.
func timeCols(r row, c *backend.Counters, http bool) {
	n := c.Samples(http)
	for i, col := range []string{"qtime", "ctime", "rtime", "ttime"} {
		r.set(col, itoa(c.Times.Avg(i, n)))
		r.set(col+"_max", itoa(c.Times.Max(i)))
	}
	r.set("wrew", "0")
	r.set("eint", "0")
	r.set("connect", itoa(c.Connects.Load()))
	r.set("reuse", itoa(c.Reuses.Load()))
}

// moduleCols sets the columns of HAProxy's SSL, HTTP/2 and HTTP/1
// statistics modules for a frontend or backend. hawser speaks neither TLS
// nor HTTP/2 (zeros), and all its HTTP is HTTP/1: the h1 columns are the
// object's connections, requests and bytes.
func moduleCols(r row, c *backend.Counters, conns int64) {
	for _, col := range []string{"ssl_sess", "ssl_reused_sess", "ssl_failed_handshake",
		"h2_headers_rcvd", "h2_data_rcvd", "h2_settings_rcvd", "h2_rst_stream_rcvd", "h2_goaway_rcvd",
		"h2_detected_conn_protocol_errors", "h2_detected_strm_protocol_errors", "h2_rst_stream_resp",
		"h2_goaway_resp", "h2_open_connections", "h2_backend_open_streams", "h2_total_connections",
		"h2_backend_total_streams", "h1_spliced_bytes_in", "h1_spliced_bytes_out"} {
		r.set(col, "0")
	}
	r.set("h1_open_connections", itoa(c.Cur.Load()))
	r.set("h1_open_streams", itoa(c.Cur.Load()))
	r.set("h1_total_connections", itoa(conns))
	r.set("h1_total_streams", itoa(c.Requests.Load()))
	r.set("h1_bytes_in", itoa(c.BytesIn.Load()))
	r.set("h1_bytes_out", itoa(c.BytesOut.Load()))
}

func serverRow(e engine, be *backend.Backend, srv *backend.Server) row {
	r := newRow()
	c := &srv.Counters
	cfg := srv.Config()
	r.set("pxname", be.Name)
	r.set("svname", srv.Name)
	r.set("qcur", itoa(int64(be.Queue.ServerLen(srv))))
	r.set("qmax", itoa(c.QMax.Load()))
	counterCols(r, c)
	if cfg.Params.Maxconn > 0 {
		r.set("slim", itoa(int64(cfg.Params.Maxconn)))
	}
	r.set("dresp", "0")
	r.set("econ", itoa(c.ErrConn.Load()))
	r.set("eresp", itoa(c.ErrResp.Load()))
	r.set("wretr", itoa(c.Retries.Load()))
	r.set("wredis", itoa(c.Redispatches.Load()))
	r.set("status", srv.StatusString())
	// weight is the effective weight (less during slowstart), uweight the
	// user weight that set weight changes, as in HAProxy.
	cur, _ := be.LB.Weight(srv.LB)
	r.set("weight", itoa(int64(be.LB.EffectiveWeight(srv.LB))))
	if cfg.Params.Backup {
		r.set("act", "0")
		r.set("bck", "1")
	} else {
		r.set("act", "1")
		r.set("bck", "0")
	}
	if c := e.HealthCheck(srv); c != nil {
		snap := c.Snapshot()
		r.set("chkfail", itoa(snap.FailedChecks))
		r.set("chkdown", itoa(snap.DownTransitions))
		r.set("downtime", itoa(int64(snap.Downtime(time.Now())/time.Second)))
		r.set("check_status", snap.CheckStatus())
		if code := snap.CheckCode(); code != 0 {
			r.set("check_code", itoa(int64(code)))
		}
		if d := snap.CheckDuration(); d >= 0 {
			r.set("check_duration", itoa(d))
		}
		r.set("check_desc", snap.CheckDesc())
		r.set("last_chk", snap.LastChk())
		if cfg.Params.Observe != "" {
			r.set("hanafail", itoa(snap.HanaFailures))
		}
		r.set("check_rise", itoa(int64(snap.Rise)))
		r.set("check_fall", itoa(int64(snap.Fall)))
		r.set("check_health", itoa(int64(snap.Health)))
		if snap.Throttle > 0 {
			r.set("throttle", itoa(int64(snap.Throttle)))
		}
		if tr := snap.Transition(); tr != "" {
			r.set("status", srv.StatusString()+" "+tr)
		}
	}
	r.set("lastchg", itoa(int64(time.Since(srv.LastChange())/time.Second)))
	if cfg.Params.Maxqueue > 0 {
		r.set("qlimit", itoa(int64(cfg.Params.Maxqueue)))
	}
	r.set("pid", "1")
	r.set("iid", itoa(int64(be.ID)))
	r.set("sid", itoa(int64(srv.ID)))
	r.set("lbtot", itoa(c.Total.Load()))
	r.set("type", "2")
	r.set("rate", itoa(c.SessRate.Value(time.Now())))
	r.set("rate_max", itoa(c.SessRate.Max()))
	if be.Mode == config.ModeHTTP {
		hrspCols(r, c)
		r.set("req_tot", itoa(c.Requests.Load()))
	}
	r.set("cli_abrt", itoa(c.CliAborts.Load()))
	r.set("srv_abrt", itoa(c.SrvAborts.Load()))
	r.set("lastsess", lastSess(c))
	timeCols(r, c, be.Mode == config.ModeHTTP)
	r.set("ssl_sess", "0")
	r.set("ssl_reused_sess", "0")
	r.set("ssl_failed_handshake", "0")
	r.set("addr", srv.AddrString())
	if cfg.Params.Cookie != "" {
		r.set("cookie", cfg.Params.Cookie)
	}
	r.set("mode", be.Mode.String())
	r.set("srv_icur", "0")
	r.set("idle_conn_cur", itoa(int64(srv.Idle.Len())))
	r.set("safe_conn_cur", "0")
	r.set("used_conn_cur", itoa(c.Cur.Load()))
	r.set("need_conn_est", "0")
	// uweight is the user weight (set weight changes it), as in HAProxy.
	r.set("uweight", itoa(int64(cur)))
	r.set("-", "-")
	return r
}

func backendRow(be *backend.Backend, fullconn int) row {
	r := newRow()
	c := be.Counters
	r.set("slim", itoa(int64(fullconn)))
	r.set("pxname", be.Name)
	r.set("svname", "BACKEND")
	bq, _ := be.Queue.Len()
	r.set("qcur", itoa(int64(bq)))
	r.set("qmax", itoa(c.QMax.Load()))
	counterCols(r, c)
	r.set("dreq", itoa(c.DeniedReq.Load()))
	r.set("dresp", "0")
	r.set("econ", itoa(c.ErrConn.Load()))
	r.set("eresp", itoa(c.ErrResp.Load()))
	r.set("wretr", itoa(c.Retries.Load()))
	r.set("wredis", itoa(c.Redispatches.Load()))
	act, bck := be.LB.UsableServers()
	status := "DOWN"
	if act+bck > 0 {
		status = "UP"
	}
	r.set("status", status)
	weight, uweight := be.Weights()
	r.set("weight", itoa(int64(weight)))
	r.set("act", itoa(int64(act)))
	r.set("bck", itoa(int64(bck)))
	changed, downs, downtime := be.LB.History(time.Now())
	r.set("chkdown", itoa(downs))
	r.set("lastchg", itoa(int64(time.Since(changed)/time.Second)))
	r.set("downtime", itoa(int64(downtime/time.Second)))
	r.set("pid", "1")
	r.set("iid", itoa(int64(be.ID)))
	r.set("sid", "0")
	r.set("lbtot", itoa(c.Total.Load()))
	r.set("type", "1")
	r.set("rate", itoa(c.SessRate.Value(time.Now())))
	r.set("rate_max", itoa(c.SessRate.Max()))
	if be.Mode == config.ModeHTTP {
		hrspCols(r, c)
		r.set("req_tot", itoa(c.Requests.Load()))
		r.set("comp_in", "0")
		r.set("comp_out", "0")
		r.set("comp_byp", "0")
		r.set("comp_rsp", "0")
	}
	r.set("cli_abrt", itoa(c.CliAborts.Load()))
	r.set("srv_abrt", itoa(c.SrvAborts.Load()))
	r.set("lastsess", lastSess(c))
	timeCols(r, c, be.Mode == config.ModeHTTP)
	r.set("mode", be.Mode.String())
	r.set("algo", be.LB.Algorithm())
	if be.Cookie != nil {
		r.set("cookie", be.Cookie.Name)
	}
	r.set("cache_lookups", "0")
	r.set("cache_hits", "0")
	r.set("uweight", itoa(int64(uweight)))
	// HAProxy 2.6 prints the aggregated statuses as 0.
	r.set("agg_server_status", "0")
	r.set("agg_server_check_status", "0")
	r.set("agg_check_status", "0")
	moduleCols(r, c, be.Counters.Connects.Load())
	r.set("-", "-")
	return r
}

func lastSess(c *backend.Counters) string {
	t := c.LastSess.Load()
	if t == 0 {
		return "-1"
	}
	return itoa(int64(time.Since(time.Unix(t, 0)) / time.Second))
}

// writeTyped prints rows in HAProxy's typed form, one line per non-empty
// field: "<F|B|S|L>.<iid>.<sid>.<pos>.<name>.1:<tags>:<type>:<value>".
func writeTyped(w *strings.Builder, rows []row) {
	for _, r := range rows {
		obj := objTypes[r.get("type")]
		if obj == "" {
			continue
		}
		prefix := obj[:1] + "." + r.get("iid") + "." + r.get("sid") + "."
		typedFields(r, func(pos int, col string, tag jsonTag, v string) {
			w.WriteString(prefix + strconv.Itoa(pos) + "." + col + ".1:" + tag.letters() + ":" + tag.typ + ":" + v + "\n")
		})
	}
}
