package metrics

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hawser-lb/hawser/internal/proxy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Exporter is the Prometheus exporter of one hawser process. Create it
// before the engine (it must exist when tunnels start ending), hand
// Handler to the engine as the "prometheus-exporter" service and
// TunnelEnded to the engine's tunnel hook.
type Exporter struct {
	version string
	tunnels *tunnelMetrics
	// view caches the running generation's label values.
	view atomic.Pointer[view]
}

// New returns an exporter; version is reported by
// haproxy_process_build_info.
func New(version string) *Exporter {
	return &Exporter{version: version, tunnels: newTunnelMetrics()}
}

// Handler serves e's metrics: it is what `http-request use-service
// prometheus-exporter` answers. The engine asks for it once per rule and
// generation; it is cheap and shares the exporter's state.
func (x *Exporter) Handler(e *proxy.Engine) http.Handler {
	return &handler{x: x, e: e}
}

// handler serves one engine's scrapes.
type handler struct {
	x *Exporter
	e engine
}

// viewOf returns the label values of g, building them on the first
// scrape of a generation.
func (x *Exporter) viewOf(g *proxy.Generation) *view {
	if v := x.view.Load(); v != nil && v.gen == g {
		return v
	}
	v := newView(g)
	x.view.Store(v)
	return v
}

// scope is a set of HAProxy's metric scopes (?scope=).
type scope uint8

const (
	scopeGlobal scope = 1 << iota
	scopeFrontend
	scopeBackend
	scopeServer
	// scopeHawser selects hawser's own hawser_* metrics; HAProxy has no
	// such scope, and they come with global too.
	scopeHawser
	scopeAll = scopeGlobal | scopeFrontend | scopeBackend | scopeServer | scopeHawser
)

// parseQuery reads HAProxy's query filters: scope= may be repeated (an
// empty value clears the scopes chosen so far, * selects all), no-maint
// leaves out servers in maintenance. Without scope= every scope is
// exported. An unknown scope is an error, as in HAProxy. HAProxy's
// listener and sticktable scopes are accepted; hawser has no metric in
// them.
func parseQuery(q string) (s scope, noMaint bool, ok bool) {
	explicit := false
	for part := range strings.SplitSeq(q, "&") {
		if part == "" {
			continue
		}
		k, v, hasValue := strings.Cut(part, "=")
		k, _ = url.QueryUnescape(k)
		v, _ = url.QueryUnescape(v)
		switch k {
		case "scope":
			if !hasValue {
				return 0, false, false
			}
			explicit = true
			switch v {
			case "":
				s = 0
			case "*":
				s |= scopeAll
			case "global":
				s |= scopeGlobal | scopeHawser
			case "frontend":
				s |= scopeFrontend
			case "backend":
				s |= scopeBackend
			case "server":
				s |= scopeServer
			case "hawser":
				s |= scopeHawser
			case "listener", "sticktable":
			default:
				return 0, false, false
			}
		case "no-maint":
			noMaint = true
		}
	}
	if !explicit {
		s = scopeAll
	}
	return s, noMaint, true
}

// badRequest is HAProxy's 400 page, which its exporter answers to an
// unknown scope.
const badRequest = "<html><body><h1>400 Bad request</h1>\nYour browser sent an invalid request.\n</body></html>\n"

// ServeHTTP answers one scrape in Prometheus' text (or negotiated)
// format.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-cache")
	s, noMaint, ok := parseQuery(r.URL.RawQuery)
	if !ok {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(badRequest))
		return
	}
	// A registry per scrape: the filters are the scrape's, and
	// registering a collector costs a few descriptions. The tunnel metrics
	// live in the exporter's own registry.
	reg := prometheus.NewPedanticRegistry()
	c := &collector{
		e: h.e, v: h.x.viewOf(h.e.Generation()), scopes: s, noMaint: noMaint,
		version: h.x.version, now: time.Now(),
	}
	if err := reg.Register(c); err != nil {
		http.Error(w, "prometheus exporter: "+err.Error(), http.StatusInternalServerError)
		return
	}
	gatherers := prometheus.Gatherers{reg}
	if s&scopeHawser != 0 {
		gatherers = append(gatherers, h.x.tunnels.reg)
	}
	promhttp.HandlerFor(gatherers, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}).ServeHTTP(w, r)
}
