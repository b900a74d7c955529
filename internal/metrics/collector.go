package metrics

import (
	"math"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/health"
	"github.com/hawser-lb/hawser/internal/proxy"
	"github.com/prometheus/client_golang/prometheus"
)

// engine is what the exporter reads from the running proxy.
type engine interface {
	Generation() *proxy.Generation
	Info() proxy.Info
	HealthCheck(srv *backend.Server) *health.Checker
}

// collector produces the haproxy_* series of one scrape, with the scrape's
// filters. It reads the counters at collection time; it keeps nothing.
type collector struct {
	e       engine
	v       *view
	scopes  scope
	noMaint bool
	version string
	now     time.Time
}

// describedMetrics are every haproxy_* metric, for Describe.
var describedMetrics = allMetrics()

// Describe sends every metric the collector may produce.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range describedMetrics {
		ch <- m.desc
	}
}

// Collect sends the series of the selected scopes.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if c.scopes&scopeGlobal != 0 {
		c.collectProcess(ch)
	}
	if c.scopes&scopeHawser != 0 {
		emit(ch, mTunnelsOpen, float64(c.e.Info().Tunnels))
	}
	if c.scopes&scopeFrontend != 0 {
		for i := range c.v.frontends {
			c.collectFrontend(ch, &c.v.frontends[i])
		}
	}
	if c.scopes&scopeBackend != 0 {
		for i := range c.v.backends {
			c.collectBackend(ch, &c.v.backends[i])
		}
	}
	if c.scopes&scopeServer != 0 {
		for i := range c.v.backends {
			b := &c.v.backends[i]
			for j := range b.servers {
				c.collectServer(ch, b, &b.servers[j])
			}
		}
	}
}

func emit(ch chan<- prometheus.Metric, m metric, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(m.desc, m.typ, v, labels...)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (c *collector) collectProcess(ch chan<- prometheus.Metric) {
	info := c.e.Info()
	var reqs int64
	for _, fe := range c.v.gen.Frontends {
		reqs += fe.Counters.Requests.Load()
	}
	emit(ch, mNbthread, float64(runtime.GOMAXPROCS(0)))
	emit(ch, mNbproc, 1)
	emit(ch, mRelativePID, 1)
	emit(ch, mUptime, float64(int64(c.now.Sub(info.Started)/time.Second)))
	emit(ch, mStartTime, float64(info.Started.Unix()))
	var rl syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl) == nil {
		emit(ch, mMaxFDs, float64(rl.Cur))
	}
	emit(ch, mMaxConn, float64(info.Maxconn))
	emit(ch, mHardMaxConn, float64(info.Maxconn))
	emit(ch, mCurConns, float64(info.CurrConns))
	emit(ch, mConnsTotal, float64(info.CumConns))
	emit(ch, mReqsTotal, float64(reqs))
	emit(ch, mStopping, b2f(info.Stopping))
	// HAProxy counts a job per client connection and per listener.
	emit(ch, mJobs, float64(info.CurrConns+int64(info.Listeners)))
	emit(ch, mListeners, float64(info.Listeners))
	emit(ch, mDroppedLogs, float64(info.DroppedLog))
	emit(ch, mBuildInfo, 1, c.version)
}

// collectTraffic sends the counters every object has.
func (c *collector) collectTraffic(ch chan<- prometheus.Metric, t traffic, k *backend.Counters, labels []string, codes *[len(codeClasses)][]string, http bool) {
	emit(ch, t.curSessions, float64(k.Cur.Load()), labels...)
	emit(ch, t.maxSessions, float64(k.Max.Load()), labels...)
	emit(ch, t.sessionsTotal, float64(k.Total.Load()), labels...)
	emit(ch, t.bytesIn, float64(k.BytesIn.Load()), labels...)
	emit(ch, t.bytesOut, float64(k.BytesOut.Load()), labels...)
	if http {
		// Like HAProxy, HTTP figures only for proxies in mode http.
		for i := range codeClasses {
			emit(ch, t.httpResponses, float64(k.HRsp[i].Load()), codes[i]...)
		}
	}
}

func (c *collector) collectFrontend(ch chan<- prometheus.Metric, f *frontendView) {
	k := f.fe.Counters
	px := f.fe.Config
	c.collectTraffic(ch, feTraffic, k, f.labels, &f.codes, f.http)
	limit := px.Maxconn
	if limit == 0 {
		// A frontend without maxconn is bounded by the process limit, which
		// HAProxy reports here.
		limit = c.e.Info().Maxconn
	}
	emit(ch, feLimit, float64(limit), f.labels...)
	emit(ch, feDenied, float64(k.DeniedReq.Load()), f.labels...)
	emit(ch, feReqErrors, float64(k.ErrReq.Load()), f.labels...)
	up := !px.Disabled
	emit(ch, feStatus, b2f(!up), f.states[0]...)
	emit(ch, feStatus, b2f(up), f.states[1]...)
	// hawser counts each accepted connection as a frontend session.
	emit(ch, feConnsTotal, float64(k.Total.Load()), f.labels...)
	if f.http {
		emit(ch, feHTTPRequests, float64(k.Requests.Load()), f.labels...)
	}
}

func (c *collector) collectBackend(ch chan<- prometheus.Metric, b *backendView) {
	be := b.be
	k := be.Counters
	c.collectTraffic(ch, beTraffic, k, b.labels, &b.codes, b.http)
	queued := 0
	var agg [len(serverStates)]int
	for i := range b.servers {
		srv := b.servers[i].srv
		queued += srv.LB.Queued()
		agg[stateIndex(srv.StatusString())]++
	}
	weight, uweight := be.Weights()
	u := beUpstream
	emit(ch, u.curQueue, float64(queued), b.labels...)
	c.collectUpstream(ch, u, k, b.http, b.labels)
	emit(ch, u.weight, float64(weight), b.labels...)
	emit(ch, u.uweight, float64(uweight), b.labels...)
	emit(ch, beDenied, float64(k.DeniedReq.Load()), b.labels...)
	act, bck := be.LB.UsableServers()
	up := act+bck > 0
	emit(ch, beStatus, b2f(!up), b.states[0]...)
	emit(ch, beStatus, b2f(up), b.states[1]...)
	emit(ch, beActive, float64(act), b.labels...)
	emit(ch, beBackup, float64(bck), b.labels...)
	if b.http {
		emit(ch, beHTTPRequests, float64(k.Requests.Load()), b.labels...)
	}
	for i := range serverStates {
		emit(ch, beAggStatus, float64(agg[i]), b.aggStates[i]...)
		emit(ch, beAggCheckStatus, float64(agg[i]), b.aggStates[i]...)
	}
}

// collectUpstream sends the counters backends and servers share.
func (c *collector) collectUpstream(ch chan<- prometheus.Metric, u upstream, k *backend.Counters, http bool, labels []string) {
	emit(ch, u.connErrors, float64(k.ErrConn.Load()), labels...)
	emit(ch, u.respErrors, float64(k.ErrResp.Load()), labels...)
	emit(ch, u.retries, float64(k.Retries.Load()), labels...)
	emit(ch, u.redispatches, float64(k.Redispatches.Load()), labels...)
	emit(ch, u.lbTotal, float64(k.Total.Load()), labels...)
	emit(ch, u.cliAborts, float64(k.CliAborts.Load()), labels...)
	emit(ch, u.srvAborts, float64(k.SrvAborts.Load()), labels...)
	last := float64(-1)
	if t := k.LastSess.Load(); t != 0 {
		last = float64(c.now.Unix() - t)
	}
	emit(ch, u.lastSession, last, labels...)
	emit(ch, u.connAttempts, float64(k.Connects.Load()), labels...)
	emit(ch, u.connReuses, float64(k.Reuses.Load()), labels...)
	n := k.Samples(http)
	for i := range u.timeAvg {
		emit(ch, u.timeAvg[i], float64(k.Times.Avg(i, n))/1000, labels...)
		emit(ch, u.timeMax[i], float64(k.Times.Max(i))/1000, labels...)
	}
}

func (c *collector) collectServer(ch chan<- prometheus.Metric, b *backendView, s *serverView) {
	srv := s.srv
	status := srv.StatusString()
	state := stateIndex(status)
	if c.noMaint && serverStates[state] == "MAINT" {
		return
	}
	k := &srv.Counters
	cfg := srv.Config()
	c.collectTraffic(ch, svTraffic, k, s.labels, &s.codes, b.http)
	u := svUpstream
	emit(ch, u.curQueue, float64(srv.LB.Queued()), s.labels...)
	c.collectUpstream(ch, u, k, b.http, s.labels)
	cur, _ := b.be.LB.Weight(srv.LB)
	emit(ch, u.weight, float64(b.be.LB.EffectiveWeight(srv.LB)), s.labels...)
	emit(ch, u.uweight, float64(cur), s.labels...)
	emit(ch, svLimit, limitOrNaN(cfg.Params.Maxconn), s.labels...)
	emit(ch, svQueueLimit, limitOrNaN(cfg.Params.Maxqueue), s.labels...)
	for i := range serverStates {
		emit(ch, svStatus, b2f(i == state), s.states[i]...)
	}
	emit(ch, svLastChange, float64(int64(c.now.Sub(srv.LastChange())/time.Second)), s.labels...)
	emit(ch, svIdle, float64(srv.Idle.Len()), s.labels...)
	emit(ch, svUsed, float64(k.Cur.Load()), s.labels...)
	if cfg.Params.Check {
		c.collectCheck(ch, s)
	}
}

// limitOrNaN reports a limit, NaN when there is none (as HAProxy does).
func limitOrNaN(n int) float64 {
	if n <= 0 {
		return math.NaN()
	}
	return float64(n)
}

// stateIndex maps a `show stat` status to its serverStates index:
// "no check" and "UP 1/3" (still up, going down) are UP, "DOWN 1/2"
// (still down, coming up) is DOWN, "MAINT(via)" is MAINT.
func stateIndex(status string) int {
	switch {
	case strings.HasPrefix(status, "MAINT"):
		return 2
	case strings.HasPrefix(status, "DRAIN"):
		return 3
	case strings.HasPrefix(status, "NOLB"):
		return 4
	case strings.HasPrefix(status, "DOWN"):
		return 0
	}
	return 1
}
