package metrics

import "github.com/prometheus/client_golang/prometheus"

// The descriptions of the haproxy_* metrics hawser exports. Names, label
// names and help texts are HAProxy 2.6's (the help of http_responses_total
// is corrected: HAProxy's says "status 100-199" for every class).

// metric is one metric's description and type.
type metric struct {
	desc *prometheus.Desc
	typ  prometheus.ValueType
}

// labelsOf are the labels every metric of a scope carries.
var labelsOf = map[string][]string{
	"process":  nil,
	"frontend": {"proxy"},
	"backend":  {"proxy"},
	"server":   {"proxy", "server"},
}

// newMetric describes haproxy_<scope>_<name>; extra are labels after the
// scope's (state, code, version).
func newMetric(scope, name string, typ prometheus.ValueType, help string, extra ...string) metric {
	labels := append(append([]string(nil), labelsOf[scope]...), extra...)
	return metric{prometheus.NewDesc("haproxy_"+scope+"_"+name, help, labels, nil), typ}
}

const (
	gauge   = prometheus.GaugeValue
	counter = prometheus.CounterValue
)

// Process metrics (scope global).
var (
	mNbthread     = newMetric("process", "nbthread", gauge, "Number of started threads (global.nbthread)")
	mNbproc       = newMetric("process", "nbproc", gauge, "Number of started worker processes (historical, always 1)")
	mRelativePID  = newMetric("process", "relative_process_id", gauge, "Relative worker process number (1)")
	mUptime       = newMetric("process", "uptime_seconds", gauge, "How long ago this worker process was started (seconds)")
	mStartTime    = newMetric("process", "start_time_seconds", gauge, "Start time in seconds")
	mMaxFDs       = newMetric("process", "max_fds", gauge, "Hard limit on the number of per-process file descriptors")
	mMaxConn      = newMetric("process", "max_connections", gauge, "Hard limit on the number of per-process connections (configured or imposed by Ulimit-n)")
	mHardMaxConn  = newMetric("process", "hard_max_connections", gauge, "Hard limit on the number of per-process connections (imposed by Memmax_MB or Ulimit-n)")
	mCurConns     = newMetric("process", "current_connections", gauge, "Current number of connections on this worker process")
	mConnsTotal   = newMetric("process", "connections_total", counter, "Total number of connections on this worker process since started")
	mReqsTotal    = newMetric("process", "requests_total", counter, "Total number of requests on this worker process since started")
	mStopping     = newMetric("process", "stopping", gauge, "1 if the worker process is currently stopping, otherwise zero")
	mJobs         = newMetric("process", "jobs", gauge, "Current number of active jobs on the current worker process (frontend connections, master connections, listeners)")
	mListeners    = newMetric("process", "listeners", gauge, "Current number of active listeners on the current worker process")
	mDroppedLogs  = newMetric("process", "dropped_logs_total", counter, "Total number of dropped logs for current worker process since started")
	mBuildInfo    = newMetric("process", "build_info", gauge, "Build info", "version")
	processLevels = []metric{mNbthread, mNbproc, mRelativePID, mUptime, mStartTime, mMaxFDs, mMaxConn, mHardMaxConn,
		mCurConns, mConnsTotal, mReqsTotal, mStopping, mJobs, mListeners, mDroppedLogs, mBuildInfo}
)

// traffic are the counters frontends, backends and servers share.
type traffic struct {
	curSessions, maxSessions, sessionsTotal, bytesIn, bytesOut, httpResponses metric
}

func newTraffic(scope string) traffic {
	return traffic{
		curSessions:   newMetric(scope, "current_sessions", gauge, "Number of current sessions on the frontend, backend or server"),
		maxSessions:   newMetric(scope, "max_sessions", gauge, "Highest value of current sessions encountered since process started"),
		sessionsTotal: newMetric(scope, "sessions_total", counter, "Total number of sessions since process started"),
		bytesIn:       newMetric(scope, "bytes_in_total", counter, "Total number of request bytes since process started"),
		bytesOut:      newMetric(scope, "bytes_out_total", counter, "Total number of response bytes since process started"),
		httpResponses: newMetric(scope, "http_responses_total", counter, "Total number of HTTP responses by status class returned by this object since the worker process started", "code"),
	}
}

func (t traffic) all() []metric {
	return []metric{t.curSessions, t.maxSessions, t.sessionsTotal, t.bytesIn, t.bytesOut, t.httpResponses}
}

// upstream are the counters backends and servers share.
type upstream struct {
	curQueue, connErrors, respErrors, retries, redispatches, weight, uweight,
	lbTotal, cliAborts, srvAborts, lastSession metric
	// timeAvg and timeMax are the queue, connect, response and total
	// times (backend.PhaseQueue…PhaseTotal order).
	timeAvg, timeMax         [4]metric
	connAttempts, connReuses metric
}

func newUpstream(scope string) upstream {
	return upstream{
		curQueue:     newMetric(scope, "current_queue", gauge, "Number of current queued connections"),
		connErrors:   newMetric(scope, "connection_errors_total", counter, "Total number of failed connections to server since the worker process started"),
		respErrors:   newMetric(scope, "response_errors_total", counter, "Total number of invalid responses since the worker process started"),
		retries:      newMetric(scope, "retry_warnings_total", counter, "Total number of server connection retries since the worker process started"),
		redispatches: newMetric(scope, "redispatch_warnings_total", counter, "Total number of server redispatches due to connection failures since the worker process started"),
		weight:       newMetric(scope, "weight", gauge, "Server's effective weight, or sum of active servers' effective weights for a backend"),
		uweight:      newMetric(scope, "uweight", gauge, "Server's user weight, or sum of active servers' user weights for a backend"),
		lbTotal:      newMetric(scope, "loadbalanced_total", counter, "Total number of requests routed by load balancing since the worker process started (ignores queue pop and stickiness)"),
		cliAborts:    newMetric(scope, "client_aborts_total", counter, "Total number of requests or connections aborted by the client since the worker process started"),
		srvAborts:    newMetric(scope, "server_aborts_total", counter, "Total number of requests or connections aborted by the server since the worker process started"),
		lastSession:  newMetric(scope, "last_session_seconds", gauge, "How long ago some traffic was seen on this object on this worker process, in seconds"),
		timeAvg: [4]metric{
			newMetric(scope, "queue_time_average_seconds", gauge, "Avg. queue time for last 1024 successful connections."),
			newMetric(scope, "connect_time_average_seconds", gauge, "Avg. connect time for last 1024 successful connections."),
			newMetric(scope, "response_time_average_seconds", gauge, "Avg. response time for last 1024 successful connections."),
			newMetric(scope, "total_time_average_seconds", gauge, "Avg. total time for last 1024 successful connections."),
		},
		timeMax: [4]metric{
			newMetric(scope, "max_queue_time_seconds", gauge, "Maximum observed time spent in the queue"),
			newMetric(scope, "max_connect_time_seconds", gauge, "Maximum observed time spent waiting for a connection to complete"),
			newMetric(scope, "max_response_time_seconds", gauge, "Maximum observed time spent waiting for a server response"),
			newMetric(scope, "max_total_time_seconds", gauge, "Maximum observed total request+response time (request+queue+connect+response+processing)"),
		},
		connAttempts: newMetric(scope, "connection_attempts_total", counter, "Total number of outgoing connection attempts on this backend/server since the worker process started"),
		connReuses:   newMetric(scope, "connection_reuses_total", counter, "Total number of reused connection on this backend/server since the worker process started"),
	}
}

func (u upstream) all() []metric {
	m := []metric{u.curQueue, u.connErrors, u.respErrors, u.retries, u.redispatches, u.weight, u.uweight,
		u.lbTotal, u.cliAborts, u.srvAborts, u.lastSession, u.connAttempts, u.connReuses}
	m = append(m, u.timeAvg[:]...)
	return append(m, u.timeMax[:]...)
}

// Frontend metrics.
var (
	feTraffic      = newTraffic("frontend")
	feLimit        = newMetric("frontend", "limit_sessions", gauge, "Frontend/listener/server's maxconn, backend's fullconn")
	feDenied       = newMetric("frontend", "requests_denied_total", counter, "Total number of denied requests since process started")
	feReqErrors    = newMetric("frontend", "request_errors_total", counter, "Total number of invalid requests since process started")
	feStatus       = newMetric("frontend", "status", gauge, "Current status of the service, per state label value.", "state")
	feConnsTotal   = newMetric("frontend", "connections_total", counter, "Total number of new connections accepted on this frontend since the worker process started")
	feHTTPRequests = newMetric("frontend", "http_requests_total", counter, "Total number of HTTP requests processed by this object since the worker process started")
)

// Backend metrics.
var (
	beTraffic      = newTraffic("backend")
	beUpstream     = newUpstream("backend")
	beDenied       = newMetric("backend", "requests_denied_total", counter, "Total number of denied requests since process started")
	beStatus       = newMetric("backend", "status", gauge, "Current status of the service, per state label value.", "state")
	beActive       = newMetric("backend", "active_servers", gauge, "Total number of active UP servers with a non-zero weight")
	beBackup       = newMetric("backend", "backup_servers", gauge, "Total number of backup UP servers with a non-zero weight")
	beHTTPRequests = newMetric("backend", "http_requests_total", counter, "Total number of HTTP requests processed by this object since the worker process started")
	beAggStatus    = newMetric("backend", "agg_server_status", gauge, "Backend's aggregated gauge of servers' status", "state")
	// HAProxy 2.6 exports the same figures under this older name too;
	// dashboards use either.
	beAggCheckStatus = newMetric("backend", "agg_server_check_status", gauge, "Backend's aggregated gauge of servers' state check status", "state")
)

// Server metrics.
var (
	svTraffic    = newTraffic("server")
	svUpstream   = newUpstream("server")
	svLimit      = newMetric("server", "limit_sessions", gauge, "Frontend/listener/server's maxconn, backend's fullconn")
	svQueueLimit = newMetric("server", "queue_limit", gauge, "Limit on the number of connections in queue, for servers only (maxqueue argument)")
	svStatus     = newMetric("server", "status", gauge, "Current status of the service, per state label value.", "state")
	svLastChange = newMetric("server", "check_last_change_seconds", gauge, "How long ago the last server state changed, in seconds")
	svIdle       = newMetric("server", "idle_connections_current", gauge, "Current number of idle connections available for reuse on this server")
	svUsed       = newMetric("server", "used_connections_current", gauge, "Current number of connections in use")
	// Health checks: exported once the servers report check results (see
	// health.go).
	svCheckStatus   = newMetric("server", "check_status", gauge, "Status of last health check, per state label value.", "state")
	svCheckCode     = newMetric("server", "check_code", gauge, "layer5-7 code, if available of the last health check.")
	svCheckDuration = newMetric("server", "check_duration_seconds", gauge, "Total duration of the latest server health check, in seconds.")
	svCheckFailures = newMetric("server", "check_failures_total", counter, "Total number of failed individual health checks per server/backend, since the worker process started")
	svCheckUpDown   = newMetric("server", "check_up_down_total", counter, "Total number of failed checks causing UP to DOWN server transitions, per server/backend, since the worker process started")
	svDowntime      = newMetric("server", "downtime_seconds_total", counter, "Total time spent in DOWN state, for server or backend")
)

// serverStates are the state label values of haproxy_server_status and
// agg_server_status, in HAProxy's order.
var serverStates = [...]string{"DOWN", "UP", "MAINT", "DRAIN", "NOLB"}

// proxyStates are the state label values of frontend and backend status.
var proxyStates = [...]string{"DOWN", "UP"}

// codeClasses are the code label values of http_responses_total, in the
// order of backend.Counters.HRsp.
var codeClasses = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx", "other"}

// allMetrics lists every haproxy_* description, for Describe.
func allMetrics() []metric {
	out := append([]metric(nil), processLevels...)
	out = append(out, feTraffic.all()...)
	out = append(out, feLimit, feDenied, feReqErrors, feStatus, feConnsTotal, feHTTPRequests)
	out = append(out, beTraffic.all()...)
	out = append(out, beUpstream.all()...)
	out = append(out, beDenied, beStatus, beActive, beBackup, beHTTPRequests, beAggStatus, beAggCheckStatus)
	out = append(out, svTraffic.all()...)
	out = append(out, svUpstream.all()...)
	out = append(out, mTunnelsOpen)
	out = append(out, svLimit, svQueueLimit, svStatus, svLastChange, svIdle, svUsed,
		svCheckStatus, svCheckCode, svCheckDuration, svCheckFailures, svCheckUpDown, svDowntime)
	return out
}
