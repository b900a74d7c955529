// Package metrics is hawser's Prometheus exporter: HAProxy 2.6's
// `http-request use-service prometheus-exporter` with its metric names,
// labels and query filters (haproxy_process_*, haproxy_frontend_*,
// haproxy_backend_*, haproxy_server_*), so that dashboards and alerts
// written for HAProxy keep working, plus hawser's own tunnel metrics under
// hawser_*.
//
// Nothing here runs on the request path. Label values are resolved once
// per configuration generation; a scrape reads the engine's atomic
// counters and builds the series from them. Only the end of a tunnel
// reports to the exporter (TunnelEnded), to feed the duration histogram.
package metrics
