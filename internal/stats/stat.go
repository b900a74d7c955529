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

// cmdShowStat prints the CSV of `show stat`: for each proxy in ID order, a
// FRONTEND line, the server lines and a BACKEND line, as HAProxy does.
func cmdShowStat(s *session, w *strings.Builder, args []string) {
	w.WriteString(StatHeader() + "\n")
	for _, r := range StatRows(s.srv.e.Generation().Config, s.srv.e) {
		w.WriteString(r.String() + "\n")
	}
}

// StatRows builds the rows of `show stat` (also used by the stats page
// and its ;csv view).
func StatRows(cfg *config.Config, e engine) []row {
	g := e.Generation()
	pid := itoa(int64(os.Getpid()))
	_ = pid
	var rows []row
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
				rows = append(rows, backendRow(be))
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
	r.set("-", "-")
	return r
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
	cur, _ := be.LB.Weight(srv.LB)
	r.set("weight", itoa(int64(cur)))
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
		r.set("hanafail", itoa(snap.HanaFailures))
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
	r.set("qtime", "0")
	r.set("ctime", "0")
	r.set("rtime", "0")
	r.set("ttime", "0")
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

func backendRow(be *backend.Backend) row {
	r := newRow()
	c := be.Counters
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
	// The backend's weight is its active servers' (HAProxy), its backups'
	// only when no active server is left.
	weight, backupWeight := 0, 0
	for _, srv := range be.Servers {
		if srv.Usable() {
			cur, _ := be.LB.Weight(srv.LB)
			if srv.Config().Params.Backup {
				backupWeight += cur
			} else {
				weight += cur
			}
		}
	}
	if act == 0 {
		weight = backupWeight
	}
	r.set("weight", itoa(int64(weight)))
	r.set("act", itoa(int64(act)))
	r.set("bck", itoa(int64(bck)))
	r.set("chkdown", "0")
	r.set("lastchg", "0")
	r.set("downtime", "0")
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
	r.set("qtime", "0")
	r.set("ctime", "0")
	r.set("rtime", "0")
	r.set("ttime", "0")
	r.set("mode", be.Mode.String())
	r.set("algo", be.LB.Algorithm())
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
