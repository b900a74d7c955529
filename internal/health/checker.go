package health

import (
	"context"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/logging"
)

// binding is what a checker needs from the generation its server belongs
// to. A reload replaces it; the checker and its state stay.
type binding struct {
	be     *backend.Backend
	cfg    *config.Server
	plan   *Plan
	log    *logging.Logger
	params Params
}

// Checker runs the health checks of one server in its own goroutine, which
// alone changes the server's check state; the data path only counts
// passive-check events ([Checker.Observe]) and wakes it.
type Checker struct {
	srv *backend.Server
	set *Set

	bind atomic.Pointer[binding]
	// wake is signalled (without blocking) when the goroutine has
	// something to look at: a passive-check verdict, new parameters, an
	// admin state change.
	wake chan struct{}
	stop chan struct{}
	done chan struct{}

	// Passive checks (observe): mode, error-limit, consecutive errors and
	// the pending verdict (event | count<<8).
	obsMode  atomic.Uint32
	obsLimit atomic.Int32
	obsErrs  atomic.Int32
	obsLast  atomic.Uint64

	mu   sync.Mutex
	snap Snapshot

	// Owned by the goroutine.
	state     State
	nextAt    time.Time
	ramp      *time.Timer // slowstart steps; nil when no ramp runs
	rampStart time.Time
}

// Server returns the server the checker checks.
func (c *Checker) Server() *backend.Server { return c.srv }

// Snapshot returns a copy of the checker's state for the statistics.
func (c *Checker) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.snap
}

// ResetCounters clears chkfail, chkdown, hanafail and downtime (`clear
// counters all`).
func (c *Checker) ResetCounters() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.snap.FailedChecks, c.snap.DownTransitions, c.snap.HanaFailures = 0, 0, 0
	c.snap.downtime = 0
	if !c.snap.downSince.IsZero() {
		c.snap.downSince = c.set.now()
	}
}

// poke wakes the goroutine without blocking.
func (c *Checker) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// newChecker returns a checker for srv bound to b; run starts it.
func newChecker(set *Set, srv *backend.Server, b *binding) *Checker {
	c := &Checker{
		srv: srv, set: set,
		wake: make(chan struct{}, 1),
		stop: make(chan struct{}),
		done: make(chan struct{}),
	}
	c.state = NewState(b.params)
	c.rebind(b)
	c.publish(func(s *Snapshot) { s.Last = Outcome{Status: StatusInit, Duration: -1} })
	c.publishState()
	return c
}

// rebind installs new parameters (a reload). The goroutine picks up the
// rest on its next wake.
func (c *Checker) rebind(b *binding) {
	c.bind.Store(b)
	c.obsMode.Store(observeMode(b.cfg.Params.Observe))
	limit := b.cfg.Params.ErrorLimit
	if limit < 1 {
		limit = 10
	}
	c.obsLimit.Store(int32(min(limit, 1<<30)))
	c.poke()
}

// halt stops the goroutine and waits for it.
func (c *Checker) halt() {
	close(c.stop)
	<-c.done
}

// run is the checker's goroutine. first is the delay before the first
// check.
func (c *Checker) run(first time.Duration) {
	defer close(c.done)
	timer := time.NewTimer(first)
	defer timer.Stop()
	c.nextAt = c.set.now().Add(first)
	var (
		results chan Outcome
		cancel  context.CancelFunc
	)
	defer c.stopRampTimer()
	for {
		var rampC <-chan time.Time
		if c.ramp != nil {
			rampC = c.ramp.C
		}
		select {
		case <-c.stop:
			if cancel != nil {
				cancel()
				<-results
			}
			return
		case <-timer.C:
			if results != nil {
				continue // a check is still running
			}
			b := c.bind.Load()
			if c.syncAdmin(b) {
				c.schedule(timer, c.state.Interval())
				continue
			}
			t, ok := c.target(b)
			if !ok {
				// No address to check (yet): try again later.
				c.schedule(timer, c.state.Interval())
				continue
			}
			var ctx context.Context
			ctx, cancel = context.WithCancel(context.Background())
			ch := make(chan Outcome, 1)
			results = ch
			probe, plan := c.set.probe, b.plan
			go func() { ch <- probe(ctx, plan, t) }()
			c.publish(func(s *Snapshot) { s.InProgress = true })
		case o := <-results:
			cancel()
			cancel, results = nil, nil
			c.publish(func(s *Snapshot) { s.InProgress = false })
			// A check that was cancelled, or that ended after the server
			// entered maintenance, says nothing.
			if o.Status != StatusUnknown && !c.syncAdmin(c.bind.Load()) {
				c.apply(o)
			}
			c.schedule(timer, c.state.Interval())
		case <-c.wake:
			b := c.bind.Load()
			if p := b.params; p != c.state.Params() {
				c.state.SetParams(p)
				c.publishState()
			}
			paused := c.syncAdmin(b)
			if v := c.obsLast.Swap(0); v != 0 && !paused {
				c.passiveVerdict(Event(v&0xff), int(v>>8), timer, results != nil)
			}
		case <-rampC:
			c.advanceRamp()
		}
	}
}

// schedule arms the timer for the next check after d, with the
// `spread-checks` jitter.
func (c *Checker) schedule(timer *time.Timer, d time.Duration) {
	d = c.set.jitter(d)
	timer.Reset(d)
	c.nextAt = c.set.now().Add(d)
}

// target returns where and under which deadlines the next check runs.
// HAProxy: the check must complete within `inter`; with `timeout check`
// set, the connection must be established within min(timeout connect,
// inter) and the rest of the check takes at most `timeout check`.
func (c *Checker) target(b *binding) (Target, bool) {
	p := &b.cfg.Params
	port := p.CheckPort
	if b.plan.Port > 0 {
		port = b.plan.Port
	}
	var ap netip.AddrPort
	var ok bool
	if port > 0 {
		ap, ok = c.srv.DialAddr(uint16(port))
		ap = netip.AddrPortFrom(ap.Addr(), uint16(port))
	} else {
		ap, ok = c.srv.DialAddr(0)
	}
	if !ok {
		return Target{}, false
	}
	if a, err := netip.ParseAddr(p.CheckAddr); err == nil {
		ap = netip.AddrPortFrom(a.Unmap(), ap.Port())
	}
	if b.plan.Addr.IsValid() {
		ap = netip.AddrPortFrom(b.plan.Addr, ap.Port())
	}
	now := c.set.now()
	inter := b.params.Inter
	t := Target{Addr: ap, ConnectBy: now.Add(inter), Deadline: now.Add(inter)}
	tmo := &b.be.Config.Timeouts
	if tmo.Check > 0 {
		ct := inter
		if tmo.Connect > 0 && tmo.Connect < ct {
			ct = tmo.Connect
		}
		t.ConnectBy = now.Add(ct)
		t.ReadTimeout = tmo.Check
	}
	return t, true
}

// syncAdmin pauses checks while the server is in maintenance and resumes
// them when it leaves; it reports whether checks are paused.
func (c *Checker) syncAdmin(b *binding) bool {
	maint := c.srv.Admin()&(backend.AdminForcedMaint|backend.AdminConfigMaint|backend.AdminResolvMaint) != 0
	switch {
	case maint && !c.state.Paused():
		c.stopRamp()
		c.state.Pause()
		c.publishState()
	case !maint && c.state.Paused():
		// Leaving maintenance: UP with health = rise, the next check
		// decides (observed: "UP 1/3" right after `state ready`).
		c.state.Resume()
		c.publish(func(s *Snapshot) {
			if !s.downSince.IsZero() {
				s.downtime += c.set.now().Sub(s.downSince)
				s.downSince = time.Time{}
			}
		})
		c.publishState()
		if c.srv.Op() != backend.OpRunning {
			c.startRamp(b)
			c.srv.SetOp(backend.OpRunning)
		}
	}
	return c.state.Paused()
}

// passiveVerdict applies `on-error` after error-limit consecutive errors
// seen by `observe`.
func (c *Checker) passiveVerdict(ev Event, n int, timer *time.Timer, probing bool) {
	b := c.bind.Load()
	o := Outcome{
		Status:   StatusHANA,
		Info:     "Detected " + strconv.Itoa(n) + " consecutive errors, last one was: " + ev.String(),
		Duration: -1,
	}
	c.publish(func(s *Snapshot) { s.HanaFailures++ })
	var st Step
	switch b.cfg.Params.OnError {
	case "fastinter":
		// Only the interval changes (below): every mode does that.
	case "sudden-death":
		st = c.state.SuddenDeath()
		c.record(o, st, b)
	case "mark-down":
		st = c.state.MarkDown()
		c.record(o, st, b)
	default: // fail-check
		st = c.state.Fail()
		c.record(o, st, b)
	}
	// All modes bring the next check forward to fastinter, when set.
	if fi := b.params.FastInter; fi > 0 && !probing && c.nextAt.After(c.set.now().Add(fi)) {
		timer.Reset(fi)
		c.nextAt = c.set.now().Add(fi)
	}
}

// apply feeds a check outcome to the state machine.
func (c *Checker) apply(o Outcome) {
	b := c.bind.Load()
	var st Step
	if o.Status.Passed() {
		st = c.state.Pass()
		// A passing check resets the passive-check error count.
		c.obsErrs.Store(0)
	} else {
		st = c.state.Fail()
	}
	c.record(o, st, b)
}

// record publishes an outcome and acts on the transition it caused.
func (c *Checker) record(o Outcome, st Step, b *binding) {
	now := c.set.now()
	var prev Outcome
	c.publish(func(s *Snapshot) {
		prev = s.Last
		if o.Status != StatusHANA {
			s.Last, s.LastAt = o, now
		}
		if st.Counted {
			s.FailedChecks++
		}
	})
	c.publishState()
	if b.be.Config.LogHealthChecks && (st.Changed || prev.Status != o.Status || prev.Code != o.Code) {
		c.set.emit(b.log, logging.Notice, CheckMessage(c.srv.Backend, c.srv.Name, b.cfg.Params.Backup, &o, &c.state), "")
	}
	reason := &o
	if b.be.Config.LogHealthChecks {
		reason = nil
	}
	switch {
	case st.WentDown:
		c.down(reason, b)
	case st.WentUp:
		c.up(reason, b)
	}
}

// down takes the server out: HAProxy's state change, its log lines and
// on-marked-down.
func (c *Checker) down(reason *Outcome, b *binding) {
	c.stopRamp()
	srv := c.srv
	srv.SetOp(backend.OpStopped)
	act, bck := b.be.LB.UsableServers()
	requeued, queued := b.be.RequeueDown(srv)
	ch := Change{
		Backend: srv.Backend, Server: srv.Name, Backup: b.cfg.Params.Backup,
		Reason: reason, Active: act, Backups: bck,
		Sessions: srv.Counters.Cur.Load(), Requeued: requeued, Queued: queued,
	}
	c.set.emit(b.log, logging.Alert, ch.Message(), "")
	if act+bck == 0 {
		c.set.emit(b.log, logging.Emerg, NoServerMessage(srv.Backend), "backend '"+srv.Backend+"' has no server available!")
	}
	now := c.set.now()
	c.publish(func(s *Snapshot) {
		s.DownTransitions++
		s.downSince = now
	})
	if b.cfg.Params.OnMarkedDown == "shutdown-sessions" {
		srv.KillSessions('D')
	}
}

// up puts the server back: slowstart, the log line and on-marked-up.
func (c *Checker) up(reason *Outcome, b *binding) {
	srv := c.srv
	c.startRamp(b)
	// Coming UP, the server takes requests from the backend's queue.
	before := b.be.QueueLen()
	srv.SetOp(backend.OpRunning)
	queued := b.be.QueueLen()
	requeued := max(before-queued, 0)
	now := c.set.now()
	c.publish(func(s *Snapshot) {
		if !s.downSince.IsZero() {
			s.downtime += now.Sub(s.downSince)
			s.downSince = time.Time{}
		}
	})
	act, bck := b.be.LB.UsableServers()
	ch := Change{
		Backend: srv.Backend, Server: srv.Name, Backup: b.cfg.Params.Backup, Up: true,
		Reason: reason, Active: act, Backups: bck, Requeued: requeued, Queued: queued,
	}
	c.set.emit(b.log, logging.Notice, ch.Message(), "")
	if b.cfg.Params.OnMarkedUp == "shutdown-backup-sessions" && !b.cfg.Params.Backup {
		for _, o := range b.be.Servers {
			if cfg := o.Config(); o != srv && cfg != nil && cfg.Params.Backup {
				o.KillSessions('U')
			}
		}
	}
}

// publish changes the snapshot under its lock.
func (c *Checker) publish(f func(s *Snapshot)) {
	c.mu.Lock()
	f(&c.snap)
	c.mu.Unlock()
}

// publishState copies the health counter into the snapshot.
func (c *Checker) publishState() {
	n, of, ok := c.state.Transition()
	c.publish(func(s *Snapshot) {
		s.Health, s.Rise, s.Fall = c.state.health, c.state.p.Rise, c.state.p.Fall
		s.Paused = c.state.Paused()
		s.trans = [3]int{n, of, 0}
		if ok {
			s.trans[2] = 1
		}
	})
}
