package proxy

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/health"
	"github.com/hawser-lb/hawser/internal/logging"
)

// This file is the seam between the data path and health checking: the
// engine calls startHealth/stopHealth around a generation's life, and the
// exchange reports what it observes about servers (passive checks,
// `observe layer4|layer7`).

// Observation is what a request saw of its server.
type Observation uint8

// Observations reported by the data path.
const (
	ObsConnOK      Observation = iota // layer 4: connection established
	ObsConnFailed                     // layer 4: connection refused or reset
	ObsConnTimeout                    // layer 4: timeout connect
	ObsRespOK                         // layer 7: a valid response (status in Status)
	ObsRespInvalid                    // layer 7: unparsable response
	ObsRespTimeout                    // layer 7: timeout server before the response
	ObsRespAborted                    // layer 7: the server closed before responding
)

// healthSet returns the engine's checkers, nil before Start or after
// stop.
func (e *Engine) healthSet() *health.Set { return e.health.Load() }

// startHealth starts the health checks of the running generation.
func (e *Engine) startHealth() {
	g := e.gen.Load()
	stderr := e.opts.Stderr
	if e.opts.Quiet {
		// hawser -q, like haproxy -q, silences these messages on stderr;
		// the log targets still get them.
		stderr = io.Discard
	}
	hs := health.NewSet(health.Options{
		Stderr: stderr,
		PID:    os.Getpid(),
		Spread: g.Config.Global.SpreadChecks,
	})
	if !e.health.CompareAndSwap(nil, hs) {
		return
	}
	e.reconcileHealth(hs, g)
}

// stopHealth stops every health check.
func (e *Engine) stopHealth() {
	if hs := e.health.Swap(nil); hs != nil {
		hs.Stop()
	}
}

// reloadHealth reconciles the health checks with a new generation: checks
// of kept servers go on, new servers get checks, removed ones stop.
func (e *Engine) reloadHealth(old, g *Generation) {
	if hs := e.healthSet(); hs != nil {
		e.reconcileHealth(hs, g)
	}
}

// reconcileHealth binds the checkers to g's backends and their loggers.
// Problems (which validateHealth reports at configuration time) leave the
// servers concerned unchecked and are printed as alerts.
func (e *Engine) reconcileHealth(hs *health.Set, g *Generation) {
	bes := make([]health.Backend, 0, len(g.Backends))
	for _, be := range g.Backends {
		l, err := e.backendLogger(be.Config, g.Config)
		if err != nil {
			fmt.Fprintf(e.opts.Stderr, "[ALERT] backend '%s': %v\n", be.Name, err)
		}
		bes = append(bes, health.Backend{B: be, Log: l})
	}
	if err := hs.Reconcile(bes); err != nil {
		for _, line := range splitErrors(err) {
			fmt.Fprintf(e.opts.Stderr, "[ALERT] %v\n", line)
		}
	}
}

// backendLogger returns where a backend's state changes are logged: its
// own `log` lines, plus the global ones with `log global`; nil without
// any (HAProxy then logs nothing, it does not fall back to global).
func (e *Engine) backendLogger(px *config.Proxy, cfg *config.Config) (*logging.Logger, error) {
	if px.NoLog {
		return nil, nil
	}
	targets := px.Log
	if px.LogGlobal {
		targets = append(append([]config.LogTarget(nil), cfg.Global.Log...), px.Log...)
	}
	if len(targets) == 0 {
		return nil, nil
	}
	return e.logger(targets, &cfg.Global)
}

// splitErrors flattens errors.Join trees.
func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, splitErrors(e)...)
		}
		return out
	}
	return []error{err}
}

// observe reports an observation about srv from live traffic; status is
// the HTTP status for ObsRespOK. It is on the request path: for a server
// without `observe` it costs one atomic load and two comparisons.
func (e *Engine) observe(srv *backend.Server, o Observation, status int) {
	cfg := srv.Config()
	if cfg == nil || !cfg.Params.Check || (cfg.Params.Observe != "layer4" && cfg.Params.Observe != "layer7") {
		return
	}
	hs := e.healthSet()
	if hs == nil {
		return
	}
	var ev health.Event
	switch o {
	case ObsConnOK:
		ev = health.EventL4OK
	case ObsConnFailed, ObsConnTimeout:
		ev = health.EventL4Err
	case ObsRespOK:
		ev = health.StatusEvent(status)
	case ObsRespInvalid:
		ev = health.EventHTTPHeaders
	case ObsRespTimeout:
		ev = health.EventHTTPReadTimeout
	case ObsRespAborted:
		ev = health.EventHTTPBrokenPipe
	default:
		return
	}
	hs.Observe(srv, ev)
}

// HealthCheck returns the checker of srv, nil when the server has no
// health check. Its Snapshot gives the `show stat` columns check_status,
// check_code, check_duration, check_desc, last_chk, chkfail, chkdown,
// downtime, hanafail, check_rise, check_fall, check_health and throttle.
func (e *Engine) HealthCheck(srv *backend.Server) *health.Checker {
	if hs := e.healthSet(); hs != nil {
		return hs.Checker(srv)
	}
	return nil
}

// HealthWake tells srv's checker that its admin state changed (`set
// server state`, `enable|disable server`), so that checks pause or resume
// at once rather than at the next check.
func (e *Engine) HealthWake(srv *backend.Server) {
	if hs := e.healthSet(); hs != nil {
		hs.Wake(srv)
	}
}

// validateHealth checks a backend's health-check configuration: what
// hawser does not support yet and servers whose check has no port are
// configuration errors (HAProxy refuses the latter too).
func validateHealth(px *config.Proxy) error {
	if px.Cap&config.CapBackend == 0 {
		return nil
	}
	var errs config.ErrorList
	add := func(err error) {
		var ce *config.Error
		var el config.ErrorList
		switch {
		case errors.As(err, &el):
			errs = append(errs, el...)
		case errors.As(err, &ce):
			errs = append(errs, ce)
		default:
			errs = append(errs, &config.Error{Pos: px.Pos, Msg: err.Error()})
		}
	}
	var plan *health.Plan
	for _, s := range px.Servers {
		if !s.Params.Check {
			continue
		}
		if plan == nil {
			p, err := health.Compile(px)
			if err != nil {
				add(err)
				break
			}
			plan = p
		}
		if s.Params.CheckPort == 0 && plan.Port == 0 && (s.Port == 0 || s.PortOffset) {
			errs = append(errs, &config.Error{Pos: s.Pos, Msg: fmt.Sprintf("backend '%s': server '%s' has neither service port nor check port nor 'http-check connect' rule with port information", px.Name, s.Name)})
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
