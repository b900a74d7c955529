package metrics

import (
	"github.com/hawser-lb/hawser/internal/tunnel"
	"github.com/prometheus/client_golang/prometheus"
)

// hawser's own metrics: the tunnels (WebSocket and other upgraded
// connections), which HAProxy's metrics only show as long sessions.
//
//	hawser_tunnels_open                              gauge, read at scrape time
//	hawser_tunnels_ended_total{proxy,server,cause}   counter
//	hawser_tunnel_bytes_total{proxy,server,direction} counter (up: client to server)
//	hawser_tunnel_duration_seconds{proxy}            histogram
//
// The last three are fed by TunnelEnded when a tunnel ends. proxy is the
// backend's name.

// mTunnelsOpen is the number of running tunnels; the collector reads it
// from the engine.
var mTunnelsOpen = metric{prometheus.NewDesc("hawser_tunnels_open",
	"Number of tunnels (WebSocket and other upgraded connections) open now", nil, nil), gauge}

// tunnelBuckets suit long-lived connections: from a second to a day.
var tunnelBuckets = []float64{1, 5, 15, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400}

// causeNames are the cause label values, by HAProxy's termination letter.
var causeNames = map[tunnel.Cause]string{
	tunnel.Normal:        "normal",
	tunnel.ClientAbort:   "client_abort",
	tunnel.ServerAbort:   "server_abort",
	tunnel.ClientTimeout: "client_timeout",
	tunnel.ServerTimeout: "server_timeout",
	tunnel.Killed:        "killed",
	tunnel.ServerDown:    "server_down",
	tunnel.BackupKilled:  "backup_killed",
}

// tunnelMetrics are the metrics fed by ended tunnels, in their own
// registry, which every scrape that selects them gathers.
type tunnelMetrics struct {
	reg      *prometheus.Registry
	ended    *prometheus.CounterVec
	bytes    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newTunnelMetrics() *tunnelMetrics {
	t := &tunnelMetrics{
		reg: prometheus.NewRegistry(),
		ended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hawser_tunnels_ended_total",
			Help: "Number of tunnels that ended, by backend, server and cause (normal, client_abort, server_abort, client_timeout, server_timeout, killed, server_down, backup_killed)",
		}, []string{"proxy", "server", "cause"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hawser_tunnel_bytes_total",
			Help: "Bytes moved by tunnels that ended, by direction (up: client to server, down: server to client)",
		}, []string{"proxy", "server", "direction"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "hawser_tunnel_duration_seconds",
			Help:    "How long tunnels lasted, from the upgrade to the close",
			Buckets: tunnelBuckets,
		}, []string{"proxy"}),
	}
	t.reg.MustRegister(t.ended, t.bytes, t.duration)
	return t
}

// TunnelEnded records a tunnel that ended: the backend and server it went
// to and its result. The engine calls it once per tunnel, from the
// tunnel's goroutine, after the connections are closed; it takes a few
// map lookups and atomic adds.
func (x *Exporter) TunnelEnded(backend, server string, r tunnel.Result) {
	t := x.tunnels
	cause, ok := causeNames[r.Cause]
	if !ok {
		cause = string(rune(r.Cause))
	}
	t.ended.WithLabelValues(backend, server, cause).Inc()
	t.bytes.WithLabelValues(backend, server, "up").Add(float64(r.BytesUp))
	t.bytes.WithLabelValues(backend, server, "down").Add(float64(r.BytesDown))
	t.duration.WithLabelValues(backend).Observe(r.Duration.Seconds())
}
