package metrics

import (
	"strings"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/prometheus/client_golang/prometheus"
)

// Health check metrics: haproxy_server_check_status (one series per
// state), check_code, check_duration_seconds, check_failures_total,
// check_up_down_total and downtime_seconds_total, for servers with
// `check`, as HAProxy exports them.
//
// The figures come from the server's checker; a server without `check`
// exports none, as in HAProxy.

// checkStates are the state label values of check_status, in HAProxy's
// order.
var checkStates = [...]string{"HANA", "SOCKERR", "L4OK", "L4TOUT", "L4CON", "L6OK", "L6TOUT", "L6RSP",
	"L7TOUT", "L7RSP", "L7OK", "L7OKC", "L7STS", "PROCERR", "PROCTOUT", "PROCOK"}

// checkResult is a server's last health check and its check counters.
type checkResult struct {
	// Status is HAProxy's check status (L4OK, L7STS, …), Code the layer
	// 5-7 code (0 when none) and Duration the check's duration.
	Status   string
	Code     int
	Duration time.Duration
	// Failures counts failed checks, UpDown UP to DOWN transitions;
	// Downtime is the time spent DOWN.
	Failures, UpDown int64
	Downtime         time.Duration
}

// checkOf returns srv's last check result; false without checks.
func (c *collector) checkOf(srv *backend.Server) (checkResult, bool) {
	chk := c.e.HealthCheck(srv)
	if chk == nil {
		return checkResult{}, false
	}
	snap := chk.Snapshot()
	st := strings.TrimPrefix(snap.CheckStatus(), "* ")
	d := snap.CheckDuration()
	if d < 0 {
		d = 0
	}
	return checkResult{
		Status: st, Code: snap.CheckCode(), Duration: time.Duration(d) * time.Millisecond,
		Failures: snap.FailedChecks, UpDown: snap.DownTransitions, Downtime: snap.Downtime(c.now),
	}, true
}

// collectCheck sends a server's check metrics.
func (c *collector) collectCheck(ch chan<- prometheus.Metric, s *serverView) {
	r, ok := c.checkOf(s.srv)
	if !ok {
		return
	}
	for _, st := range checkStates {
		emit(ch, svCheckStatus, b2f(st == r.Status), with(s.labels, st)...)
	}
	if r.Code > 0 {
		emit(ch, svCheckCode, float64(r.Code), s.labels...)
	}
	emit(ch, svCheckDuration, r.Duration.Seconds(), s.labels...)
	emit(ch, svCheckFailures, float64(r.Failures), s.labels...)
	emit(ch, svCheckUpDown, float64(r.UpDown), s.labels...)
	emit(ch, svDowntime, float64(int64(r.Downtime/time.Second)), s.labels...)
}
