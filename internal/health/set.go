package health

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/logging"
)

// Options configure a Set.
type Options struct {
	// Stderr receives the state changes too, as HAProxy prints them in
	// the foreground ("[WARNING]  (pid) : Server be/s is DOWN, …"); nil
	// prints nothing.
	Stderr io.Writer
	// PID is the process ID printed on Stderr.
	PID int
	// Spread is `spread-checks`: each interval varies randomly by up to
	// this percentage either way.
	Spread int
	// Probe runs one check; nil means Probe.
	Probe Prober
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand returns a number in [0, 1) for the jitter; nil means
	// math/rand/v2.
	Rand func() float64
}

// Backend is one backend of a generation, with the logger its state
// changes go to (its `log` lines or `log global`; nil for none).
type Backend struct {
	B   *backend.Backend
	Log *logging.Logger
}

// Set owns the checkers of the running configuration: one per server
// with `check`. It is safe for concurrent use.
type Set struct {
	opts  Options
	probe Prober

	mu       sync.Mutex // serializes Reconcile and Stop
	started  bool
	stopped  bool
	checkers atomic.Pointer[map[*backend.Server]*Checker]

	outMu sync.Mutex // serializes Stderr writes
}

// NewSet returns an empty set; Reconcile starts its checkers.
func NewSet(o Options) *Set {
	s := &Set{opts: o, probe: o.Probe}
	if s.probe == nil {
		s.probe = Probe
	}
	m := map[*backend.Server]*Checker{}
	s.checkers.Store(&m)
	return s
}

func (s *Set) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// jitter applies spread-checks to an interval: a uniform variation of up
// to Spread percent either way.
func (s *Set) jitter(d time.Duration) time.Duration {
	if s.opts.Spread <= 0 || d <= 0 {
		return d
	}
	r := rand.Float64
	if s.opts.Rand != nil {
		r = s.opts.Rand
	}
	rv := float64(d) * float64(min(s.opts.Spread, 50)) / 100
	return d + time.Duration(rv-2*rv*r())
}

// Checker returns the checker of srv, nil when it has none.
func (s *Set) Checker(srv *backend.Server) *Checker {
	return (*s.checkers.Load())[srv]
}

// Observe counts an event from live traffic for `observe`. It costs a
// map lookup and a few atomic operations, and allocates nothing.
func (s *Set) Observe(srv *backend.Server, ev Event) {
	if c := (*s.checkers.Load())[srv]; c != nil {
		c.Observe(ev)
	}
}

// Wake tells srv's checker to look at the server again at once: its admin
// state changed (`set server state`, `disable server`…). Without it the
// checker notices at its next check.
func (s *Set) Wake(srv *backend.Server) {
	if c := s.Checker(srv); c != nil {
		c.poke()
	}
}

// Reconcile makes the checkers match bes, the backends of a generation:
// checkers of servers that are kept (same *backend.Server) keep their
// state and take the new parameters, servers that gained `check` get a
// new checker, and the checkers of servers that are gone or lost `check`
// stop (a kept server is then UP again, as a server without checks). The
// first call spreads the first checks of all servers over their
// intervals; later calls start new checkers at a random point of theirs.
// A backend whose checks cannot be set up is reported in the error and
// its servers are left unchecked.
func (s *Set) Reconcile(bes []Backend) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errors.New("health: reconcile after stop")
	}
	old := *s.checkers.Load()
	next := make(map[*backend.Server]*Checker, len(old))
	present := map[*backend.Server]bool{}
	var fresh []*Checker
	var errs []error
	for _, be := range bes {
		for _, srv := range be.B.Servers {
			present[srv] = true
		}
		var plan *Plan
		for _, srv := range be.B.Servers {
			cfg := srv.Config()
			if cfg == nil || !cfg.Params.Check {
				continue
			}
			if plan == nil {
				var err error
				if plan, err = Compile(be.B.Config); err != nil {
					errs = append(errs, err)
					break
				}
			}
			if !hasCheckPort(cfg, plan) {
				errs = append(errs, fmt.Errorf("backend '%s': server '%s' has neither service port nor check port: its health check is disabled", be.B.Name, srv.Name))
				continue
			}
			b := &binding{be: be.B, cfg: cfg, plan: plan, log: be.Log, params: paramsOf(cfg)}
			if c := old[srv]; c != nil {
				c.rebind(b)
				next[srv] = c
				continue
			}
			c := newChecker(s, srv, b)
			next[srv] = c
			fresh = append(fresh, c)
		}
	}
	for srv, c := range old {
		if next[srv] != nil {
			continue
		}
		c.halt()
		if present[srv] {
			c.stopRamp()
			srv.SetOp(backend.OpRunning)
		}
	}
	s.checkers.Store(&next)
	for i, c := range fresh {
		var first time.Duration
		iv := c.state.Interval()
		if !s.started {
			// Spread the first checks of all servers evenly, so that
			// 1,000 servers do not all probe at once.
			first = iv * time.Duration(i) / time.Duration(len(fresh))
		} else {
			first = time.Duration(rand.Int64N(int64(max(iv, 1))))
		}
		go c.run(first)
	}
	s.started = true
	return errors.Join(errs...)
}

// Stop stops every checker and waits for them. Servers keep their state.
func (s *Set) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return
	}
	s.stopped = true
	for _, c := range *s.checkers.Load() {
		c.halt()
	}
	m := map[*backend.Server]*Checker{}
	s.checkers.Store(&m)
}

// hasCheckPort reports whether a check has a port to go to: the
// server's, `port`, or `http-check connect port`.
func hasCheckPort(cfg *config.Server, plan *Plan) bool {
	return cfg.Params.CheckPort > 0 || plan.Port > 0 || (cfg.Port > 0 && !cfg.PortOffset)
}

// paramsOf returns the check parameters of a server.
func paramsOf(cfg *config.Server) Params {
	p := &cfg.Params
	inter := p.Inter
	if inter <= 0 {
		inter = 2 * time.Second
	}
	return Params{Rise: p.Rise, Fall: p.Fall, Inter: inter, FastInter: p.FastInter, DownInter: p.DownInter}
}

// emit logs a state change to the backend's targets and prints it on
// Stderr; stderrMsg, when set, replaces msg there.
func (s *Set) emit(l *logging.Logger, sev int, msg, stderrMsg string) {
	l.Logf(sev, "%s", msg)
	if s.opts.Stderr == nil {
		return
	}
	if stderrMsg == "" {
		stderrMsg = msg
	}
	tag := "[WARNING]  "
	if sev <= logging.Emerg {
		tag = "[ALERT]    "
	}
	s.outMu.Lock()
	fmt.Fprintf(s.opts.Stderr, "%s(%d) : %s\n", tag, s.opts.PID, stderrMsg)
	s.outMu.Unlock()
}
