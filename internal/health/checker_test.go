package health

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/balance"
)

// fakeProbe answers checks from a table by port, without a network, and
// records when each port was checked.
type fakeProbe struct {
	mu     sync.Mutex
	status map[uint16]Status
	calls  map[uint16][]time.Time
}

func newFakeProbe() *fakeProbe {
	return &fakeProbe{status: map[uint16]Status{}, calls: map[uint16][]time.Time{}}
}

func (f *fakeProbe) probe(ctx context.Context, p *Plan, t Target) Outcome {
	f.mu.Lock()
	defer f.mu.Unlock()
	port := t.Addr.Port()
	f.calls[port] = append(f.calls[port], time.Now())
	st, ok := f.status[port]
	if !ok {
		st = StatusL4OK
	}
	o := Outcome{Status: st}
	if st == StatusL4Con {
		o.Info = "Connection refused"
	}
	return o
}

func (f *fakeProbe) set(port uint16, st Status) {
	f.mu.Lock()
	f.status[port] = st
	f.mu.Unlock()
}

func (f *fakeProbe) times(port uint16) []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.calls[port]...)
}

// lineLog records the lines printed on Stderr with the (fake) time they
// were printed at.
type lineLog struct {
	mu    sync.Mutex
	start time.Time
	lines []string
	at    []time.Duration
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range strings.Split(strings.TrimRight(string(p), "\n"), "\n") {
		// Drop "[WARNING]  (pid) : ".
		if i := strings.Index(s, " : "); i >= 0 {
			s = s[i+3:]
		}
		l.lines = append(l.lines, s)
		l.at = append(l.at, time.Since(l.start))
	}
	return len(p), nil
}

// find returns when the first line containing sub was printed.
func (l *lineLog) find(sub string) (time.Duration, bool) {
	if at := l.all(sub); len(at) > 0 {
		return at[0], true
	}
	return 0, false
}

// all returns when each line containing sub was printed.
func (l *lineLog) all(sub string) []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var at []time.Duration
	for i, s := range l.lines {
		if strings.Contains(s, sub) {
			at = append(at, l.at[i])
		}
	}
	return at
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// harness is a Set over backends built from configuration text, with a
// fake probe. Create it inside a synctest bubble.
type harness struct {
	t   testing.TB
	set *Set
	fp  *fakeProbe
	out *lineLog
	bes []*backend.Backend
}

func newHarness(t testing.TB, text string, opts Options, refused ...uint16) *harness {
	t.Helper()
	h := &harness{t: t, fp: newFakeProbe(), out: &lineLog{start: time.Now()}}
	// Ports whose checks fail from the first one: set before the checkers
	// start, since the first check runs at once and would otherwise race
	// with the test setting them.
	for _, p := range refused {
		h.fp.set(p, StatusL4Con)
	}
	opts.Probe, opts.Stderr, opts.PID = h.fp.probe, h.out, 1
	h.set = NewSet(opts)
	h.bes = buildBackends(t, text, nil)
	if err := h.set.Reconcile(h.backends()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.set.Stop)
	return h
}

func (h *harness) backends() []Backend {
	var out []Backend
	for _, b := range h.bes {
		out = append(out, Backend{B: b})
	}
	return out
}

func (h *harness) srv(be, name string) *backend.Server {
	for _, b := range h.bes {
		if b.Name == be {
			return b.Server(name)
		}
	}
	h.t.Fatalf("no server %s/%s", be, name)
	return nil
}

// buildBackends builds the backends of a configuration text, reusing the
// servers of prev by name.
func buildBackends(t testing.TB, text string, prev []*backend.Backend) []*backend.Backend {
	t.Helper()
	cfg := parseConfig(t, text)
	var out []*backend.Backend
	for _, px := range cfg.Proxies {
		var old *backend.Backend
		for _, p := range prev {
			if p.Name == px.Name {
				old = p
			}
		}
		b, err := backend.Build(px, old, nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestCheckerTiming follows one server through DOWN and UP with a fake
// clock: DOWN at the first failed check, downinter while DOWN, UP after
// rise successes at fastinter, fall failures from fully UP.
func TestCheckerTiming(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, `
backend be
    server s1 127.0.0.1:1001 check inter 2s fastinter 500ms downinter 5s rise 2 fall 3
`, Options{}, 1001)
		start := time.Now()
		s := h.srv("be", "s1")
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if s.Op() != backend.OpStopped {
			t.Fatalf("after the first failed check: op %d, want DOWN", s.Op())
		}
		if at, ok := h.out.find("Server be/s1 is DOWN, reason: Layer4 connection problem"); !ok || at != 0 {
			t.Fatalf("DOWN line at %v (%v); output:\n%s", at, ok, h.out)
		}
		if at, ok := h.out.find("backend 'be' has no server available!"); !ok || at != 0 {
			t.Fatalf("no-server alert at %v (%v); output:\n%s", at, ok, h.out)
		}
		h.fp.set(1001, StatusL4OK)
		time.Sleep(6 * time.Second) // checks at 5s (pass, health 1) and 5.5s (UP)
		if at, ok := h.out.find("Server be/s1 is UP"); !ok || at != 5500*time.Millisecond {
			t.Fatalf("UP line at %v (%v), want 5.5s; output:\n%s", at, ok, h.out)
		}
		// Fully UP: checks every inter (7.5s, 9.5s); failing from 8s:
		// 9.5s (health 3), 10s (2, fastinter), 10.5s DOWN.
		time.Sleep(2 * time.Second) // now 8s
		h.fp.set(1001, StatusL4Con)
		time.Sleep(3 * time.Second)
		var got []time.Duration
		for _, c := range h.fp.times(1001) {
			got = append(got, c.Sub(start))
		}
		want := []time.Duration{0, 5 * time.Second, 5500 * time.Millisecond, 7500 * time.Millisecond,
			9500 * time.Millisecond, 10 * time.Second, 10500 * time.Millisecond}
		if fmt.Sprint(got[:len(want)]) != fmt.Sprint(want) {
			t.Errorf("checks at %v, want %v…", got, want)
		}
		downs := h.out.all("is DOWN")
		if len(downs) != 2 || downs[1] != 10500*time.Millisecond {
			t.Errorf("DOWN lines at %v, want [0 10.5s]", downs)
		}
		snap := h.set.Checker(s).Snapshot()
		if snap.FailedChecks != 4 || snap.DownTransitions != 2 || snap.Last.Status != StatusL4Con || snap.Health != 0 {
			t.Errorf("snapshot %+v", snap)
		}
		// Downtime: 0 to 5.5s, then from 10.5s on.
		if d := snap.Downtime(time.Now()); d != 5500*time.Millisecond+(time.Since(start)-10500*time.Millisecond) {
			t.Errorf("downtime %v", d)
		}
	})
}

// TestCheckerSpread checks that the first checks of 1,000 servers are
// spread over the interval instead of firing in one burst, and that
// spread-checks varies the intervals.
func TestCheckerSpread(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b strings.Builder
		b.WriteString("global\n    spread-checks 20\nbackend be\n")
		for i := range 1000 {
			fmt.Fprintf(&b, "    server s%d 127.0.0.1:%d check inter 2s fall 1\n", i, 10000+i)
		}
		cfg := parseConfig(t, b.String())
		h := newHarness(t, b.String(), Options{Spread: cfg.Global.SpreadChecks})
		start := time.Now()
		time.Sleep(1999 * time.Millisecond)
		synctest.Wait()
		buckets := map[time.Duration]int{}
		n := 0
		for i := range 1000 {
			ts := h.fp.times(uint16(10000 + i))
			if len(ts) == 0 {
				continue
			}
			n++
			buckets[ts[0].Sub(start)/(20*time.Millisecond)]++
		}
		if n != 1000 {
			t.Fatalf("%d servers checked within the first interval, want 1000", n)
		}
		for b, k := range buckets {
			if k > 11 {
				t.Errorf("%d first checks in the 20ms after %v: a burst", k, b*20*time.Millisecond)
			}
		}
		// The next checks come 2s ± 20% later, not all at the same delay.
		time.Sleep(3 * time.Second)
		delays := map[time.Duration]bool{}
		for i := range 1000 {
			ts := h.fp.times(uint16(10000 + i))
			if len(ts) < 2 {
				t.Fatalf("server %d checked %d times in 5s", i, len(ts))
			}
			d := ts[1].Sub(ts[0])
			if d < 1600*time.Millisecond || d > 2400*time.Millisecond {
				t.Errorf("server %d: interval %v outside 2s ± 20%%", i, d)
			}
			delays[d] = true
		}
		if len(delays) < 100 {
			t.Errorf("only %d distinct intervals: no jitter", len(delays))
		}
	})
}

// TestCheckerObserve checks `observe` with each `on-error` action.
func TestCheckerObserve(t *testing.T) {
	const cfg = `
backend be
    server md 127.0.0.1:1001 check inter 2s fastinter 500ms observe layer4 error-limit 3 on-error mark-down
    server fc 127.0.0.1:1002 check inter 2s observe layer7 error-limit 2
    server sd 127.0.0.1:1003 check inter 2s observe layer4 error-limit 2 on-error sudden-death
    server fi 127.0.0.1:1004 check inter 10s fastinter 1s observe layer4 error-limit 1 on-error fastinter
    server no 127.0.0.1:1005 check inter 2s
`
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, cfg, Options{})
		time.Sleep(2 * time.Second) // every server checked once: fully UP
		synctest.Wait()
		md, fc, sd, fi, no := h.srv("be", "md"), h.srv("be", "fc"), h.srv("be", "sd"), h.srv("be", "fi"), h.srv("be", "no")

		// mark-down: error-limit consecutive errors take the server DOWN at
		// once; a success in between resets the count.
		for _, ev := range []Event{EventL4Err, EventL4Err, EventL4OK, EventL4Err, EventL4Err, EventHTTPStatus} {
			h.set.Observe(md, ev)
		}
		synctest.Wait()
		if md.Op() != backend.OpRunning {
			t.Fatal("mark-down fired although a success reset the count")
		}
		h.set.Observe(md, EventL4Err)
		synctest.Wait()
		if md.Op() != backend.OpStopped {
			t.Fatal("mark-down: server still UP after error-limit errors")
		}
		if _, ok := h.out.find(`Server be/md is DOWN, reason: Health analyze, info: "Detected 3 consecutive errors, last one was: L4 unsuccessful connection". 4 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`); !ok {
			t.Errorf("no Health analyze line; output:\n%s", h.out)
		}
		if s := h.set.Checker(md).Snapshot(); s.HanaFailures != 1 || s.Last.Status != StatusL4OK {
			t.Errorf("mark-down snapshot: hanafail %d, last %v (a passive verdict is not a check)", s.HanaFailures, s.Last.Status)
		}

		// fail-check (default) in layer7: 5xx responses count, each
		// verdict is one failed check.
		h.set.Observe(fc, StatusEvent(503))
		h.set.Observe(fc, StatusEvent(502))
		synctest.Wait()
		if s := h.set.Checker(fc).Snapshot(); fc.Op() != backend.OpRunning || s.Health != 3 || s.FailedChecks != 1 {
			t.Errorf("fail-check: op %d health %d chkfail %d, want UP 3 1", fc.Op(), s.Health, s.FailedChecks)
		}
		h.set.Observe(fc, StatusEvent(404)) // a valid response resets
		h.set.Observe(fc, StatusEvent(501)) // 501 is not an error
		h.set.Observe(fc, EventL4Err)       // connection errors count in layer7
		synctest.Wait()
		if s := h.set.Checker(fc).Snapshot(); s.Health != 3 {
			t.Errorf("fail-check: health %d after a reset, want 3", s.Health)
		}

		// sudden-death: one failure away from DOWN; the next failed check
		// (at fastinter, which is inter here) takes it DOWN.
		h.set.Observe(sd, EventL4Err)
		h.set.Observe(sd, EventL4Err)
		synctest.Wait()
		if s := h.set.Checker(sd).Snapshot(); sd.Op() != backend.OpRunning || s.Health != 2 {
			t.Errorf("sudden-death: op %d health %d, want UP 2", sd.Op(), s.Health)
		}
		h.fp.set(1003, StatusL4Con)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if sd.Op() != backend.OpStopped {
			t.Error("sudden-death: one failed check did not take the server DOWN")
		}

		// fastinter: the next check moves from inter (10s) to fastinter.
		before := len(h.fp.times(1004))
		h.set.Observe(fi, EventL4Err)
		time.Sleep(1100 * time.Millisecond)
		if after := len(h.fp.times(1004)); after != before+1 || fi.Op() != backend.OpRunning {
			t.Errorf("fastinter: %d checks within 1.1s of the error, want 1; op %d", after-before, fi.Op())
		}

		// Without observe, nothing is counted.
		for range 20 {
			h.set.Observe(no, EventL4Err)
		}
		synctest.Wait()
		if s := h.set.Checker(no).Snapshot(); s.Health != 4 || s.HanaFailures != 0 {
			t.Errorf("no observe: health %d hanafail %d", s.Health, s.HanaFailures)
		}
	})
}

// TestCheckerMaintenance checks that maintenance pauses checks (health 0)
// and that leaving it resumes them with health = rise.
func TestCheckerMaintenance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, `
backend be
    server s1 127.0.0.1:1001 check inter 1s
    server s2 127.0.0.1:1002 check inter 1s disabled
`, Options{})
		s1, s2 := h.srv("be", "s1"), h.srv("be", "s2")
		time.Sleep(1500 * time.Millisecond)
		if n := len(h.fp.times(1002)); n != 0 {
			t.Errorf("a disabled server was checked %d times", n)
		}
		if s := h.set.Checker(s2).Snapshot(); !s.Paused || s.Health != 0 || s.StateFlags() != 14 {
			t.Errorf("disabled: %+v, want paused, health 0, flags 14", s)
		}
		s1.SetAdmin(backend.AdminForcedMaint, true)
		h.set.Wake(s1)
		synctest.Wait()
		n := len(h.fp.times(1001))
		time.Sleep(5 * time.Second)
		if m := len(h.fp.times(1001)); m != n {
			t.Errorf("%d checks during maintenance", m-n)
		}
		h.fp.set(1001, StatusL4Con)
		s1.SetAdmin(backend.AdminForcedMaint, false)
		h.set.Wake(s1)
		synctest.Wait()
		if s := h.set.Checker(s1).Snapshot(); s.Paused || s.Health != 2 || s.Transition() != " 1/3" || s1.Op() != backend.OpRunning {
			t.Errorf("ready: %+v op %d, want UP 1/3", s, s1.Op())
		}
		// The next check decides: it fails, the server goes DOWN.
		time.Sleep(1100 * time.Millisecond)
		if s1.Op() != backend.OpStopped {
			t.Error("the first check after maintenance failed but the server stayed UP")
		}
	})
}

// TestCheckerSlowstart checks the weight ramp after DOWN→UP, and that
// there is none at startup.
func TestCheckerSlowstart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, `
backend be
    server s1 127.0.0.1:1001 check inter 500ms rise 1 fall 1 weight 20 slowstart 4s
    server s2 127.0.0.1:1002 check inter 500ms
`, Options{})
		be, s1 := h.bes[0], h.srv("be", "s1")
		// The ramp changes the effective weight; the user weight (get
		// weight, set weight) stays, as in HAProxy.
		weight := func() int {
			if w, _ := be.LB.Weight(s1.LB); w != 20 {
				t.Errorf("user weight %d during slowstart, want 20", w)
			}
			return be.LB.EffectiveWeight(s1.LB)
		}
		time.Sleep(10 * time.Millisecond)
		if w := weight(); w != 20 {
			t.Fatalf("weight %d at startup, want 20: no slowstart at process start", w)
		}
		h.fp.set(1001, StatusL4Con)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if s1.Op() != backend.OpStopped {
			t.Fatal("not DOWN")
		}
		h.fp.set(1001, StatusL4OK)
		time.Sleep(500 * time.Millisecond) // UP now
		synctest.Wait()
		var got []int
		for range 6 {
			got = append(got, weight())
			time.Sleep(time.Second)
		}
		if want := []int{1, 5, 10, 15, 20, 20}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("weights each second after UP: %v, want %v", got, want)
		}
		if s := h.set.Checker(s1).Snapshot(); s.Throttle != 0 {
			t.Errorf("throttle %d after the ramp", s.Throttle)
		}
		// Going DOWN in the middle of a ramp restores the weight.
		h.fp.set(1001, StatusL4Con)
		time.Sleep(500 * time.Millisecond)
		h.fp.set(1001, StatusL4OK)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		time.Sleep(1500 * time.Millisecond)
		if w, s := weight(), h.set.Checker(s1).Snapshot(); w != 5 || s.Throttle != 25 {
			t.Errorf("1.5s into the ramp: weight %d throttle %d, want 5 and 25%% (the step at 1s)", w, s.Throttle)
		}
		h.fp.set(1001, StatusL4Con)
		time.Sleep(500 * time.Millisecond)
		synctest.Wait()
		if w := weight(); w != 20 || s1.Op() != backend.OpStopped {
			t.Errorf("DOWN during the ramp: weight %d, want 20 restored", w)
		}
	})
}

// killed is a session that records how it was killed.
type killed struct {
	mu    sync.Mutex
	cause byte
}

func (k *killed) Kill(cause byte) {
	k.mu.Lock()
	k.cause = cause
	k.mu.Unlock()
}

func (k *killed) get() byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.cause
}

// TestCheckerSessions checks on-marked-down shutdown-sessions and
// on-marked-up shutdown-backup-sessions, and that without them sessions
// are left alone.
func TestCheckerSessions(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, `
backend be
    server a 127.0.0.1:1001 check inter 1s on-marked-down shutdown-sessions on-marked-up shutdown-backup-sessions
    server b 127.0.0.1:1002 check inter 1s
    server bk 127.0.0.1:1003 check inter 1s backup
`, Options{})
		a, b, bk := h.srv("be", "a"), h.srv("be", "b"), h.srv("be", "bk")
		time.Sleep(500 * time.Millisecond)
		sa, sb, sbk := &killed{}, &killed{}, &killed{}
		a.Attach(sa)
		b.Attach(sb)
		bk.Attach(sbk)
		h.fp.set(1001, StatusL4Con)
		h.fp.set(1002, StatusL4Con)
		time.Sleep(4 * time.Second)
		synctest.Wait()
		if a.Op() != backend.OpStopped || b.Op() != backend.OpStopped {
			t.Fatal("a and b not DOWN")
		}
		if sa.get() != 'D' || sb.get() != 0 {
			t.Errorf("sessions killed with %q (shutdown-sessions) and %q (default), want 'D' and none", sa.get(), sb.get())
		}
		// Only the backup is left: it takes the traffic.
		if s, _ := h.bes[0].LB.Pick(&balance.Input{}); s != bk.LB {
			t.Errorf("picked %v with every active server DOWN, want the backup", s)
		} else {
			s.Release()
		}
		if _, ok := h.out.find("Server be/b is DOWN, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms. 0 active and 1 backup servers left. Running on backup."); !ok {
			t.Errorf("no 'Running on backup' line; output:\n%s", h.out)
		}
		h.fp.set(1001, StatusL4OK)
		time.Sleep(3 * time.Second)
		synctest.Wait()
		if a.Op() != backend.OpRunning || sbk.get() != 'U' {
			t.Errorf("a UP: op %d, backup session killed with %q, want 'U'", a.Op(), sbk.get())
		}
		if s, _ := h.bes[0].LB.Pick(&balance.Input{}); s != a.LB {
			t.Errorf("picked %v, want the active server back", s)
		} else {
			s.Release()
		}
	})
}

// TestSetReconcile checks a reload: kept servers keep their checker and
// state, new ones get one, removed ones and those that lost `check` stop
// (and are UP again).
func TestSetReconcile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, `
backend be
    server s1 127.0.0.1:1001 check inter 1s
    server s2 127.0.0.1:1002 check inter 1s
    server s3 127.0.0.1:1003
`, Options{})
		s1, s2 := h.srv("be", "s1"), h.srv("be", "s2")
		h.fp.set(1001, StatusL4Con)
		h.fp.set(1002, StatusL4Con)
		time.Sleep(1500 * time.Millisecond)
		synctest.Wait()
		c1 := h.set.Checker(s1)
		if s1.Op() != backend.OpStopped || s2.Op() != backend.OpStopped || c1 == nil {
			t.Fatal("s1 and s2 not DOWN")
		}
		h.bes = buildBackends(t, `
backend be
    server s1 127.0.0.1:1001 check inter 1s rise 3
    server s2 127.0.0.1:1002
    server s4 127.0.0.1:1004 check inter 1s
`, h.bes)
		if err := h.set.Reconcile(h.backends()); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if h.srv("be", "s1") != s1 || h.set.Checker(s1) != c1 {
			t.Fatal("the kept server lost its checker")
		}
		if snap := c1.Snapshot(); snap.Rise != 3 || snap.Health != 0 || s1.Op() != backend.OpStopped {
			t.Errorf("kept server: %+v op %d, want DOWN with rise 3", snap, s1.Op())
		}
		if h.set.Checker(s2) != nil || s2.Op() != backend.OpRunning {
			t.Errorf("s2 lost check: checker %v op %d, want none and UP", h.set.Checker(s2), s2.Op())
		}
		s4 := h.srv("be", "s4")
		time.Sleep(1100 * time.Millisecond)
		if h.set.Checker(s4) == nil || len(h.fp.times(1004)) == 0 {
			t.Error("the new server is not checked")
		}
		// rise 3 now applies: two successes are not enough.
		h.fp.set(1001, StatusL4OK)
		time.Sleep(2100 * time.Millisecond)
		if s1.Op() != backend.OpStopped {
			t.Error("UP after 2 successes with rise 3")
		}
		time.Sleep(time.Second)
		if s1.Op() != backend.OpRunning {
			t.Error("not UP after 3 successes")
		}
	})
}

// TestCheckerLogHealthChecks checks `option log-health-checks`: a line per
// check that changes the health or the status, and state lines without
// the reason.
func TestCheckerLogHealthChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, `
backend be
    option log-health-checks
    server s1 127.0.0.1:1001 check inter 1s
`, Options{}, 1001)
		time.Sleep(500 * time.Millisecond)
		h.fp.set(1001, StatusL4OK)
		time.Sleep(2500 * time.Millisecond)
		want := []string{
			`Health check for server be/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN.`,
			`Server be/s1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
			`backend 'be' has no server available!`,
			`Health check for server be/s1 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 1/2 DOWN.`,
			`Health check for server be/s1 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 3/3 UP.`,
			`Server be/s1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`,
		}
		if got := h.out.String(); got != strings.Join(want, "\n") {
			t.Errorf("output:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
		}
	})
}

// TestCheckerTarget checks where checks go (`port`, `addr`, `http-check
// connect`) and their deadlines: the whole check within inter, or with
// `timeout check`, the connection within min(timeout connect, inter) and
// the rest within timeout check.
func TestCheckerTarget(t *testing.T) {
	cfg := parseConfig(t, `
backend a
    server s 127.0.0.1:80 check inter 3s
    server p 127.0.0.1:80 check inter 3s port 8080 addr 10.0.0.9
backend b
    timeout connect 1s
    timeout check 500ms
    option httpchk
    http-check connect port 9090
    server s 127.0.0.1:80 check inter 3s
backend c
    timeout connect 5s
    timeout check 500ms
    server s 127.0.0.1:80 check inter 2s
`)
	set := NewSet(Options{})
	tests := []struct {
		be, srv     string
		addr        string
		connect     time.Duration
		read, whole time.Duration
	}{
		{"a", "s", "127.0.0.1:80", 3 * time.Second, 0, 3 * time.Second},
		{"a", "p", "10.0.0.9:8080", 3 * time.Second, 0, 3 * time.Second},
		{"b", "s", "127.0.0.1:9090", time.Second, 500 * time.Millisecond, 0},
		{"c", "s", "127.0.0.1:80", 2 * time.Second, 500 * time.Millisecond, 0},
	}
	for _, tt := range tests {
		var px = cfg.Proxies[0]
		for _, p := range cfg.Proxies {
			if p.Name == tt.be {
				px = p
			}
		}
		be, err := backend.Build(px, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := Compile(px)
		if err != nil {
			t.Fatal(err)
		}
		srv := be.Server(tt.srv)
		b := &binding{be: be, cfg: srv.Config(), plan: plan, params: paramsOf(srv.Config())}
		c := newChecker(set, srv, b)
		now := time.Now()
		tg, ok := c.target(b)
		if !ok {
			t.Fatalf("%s/%s: no target", tt.be, tt.srv)
		}
		near := func(at time.Time, d time.Duration) bool {
			return at.Sub(now) >= d && at.Sub(now) < d+100*time.Millisecond
		}
		if tg.Addr.String() != tt.addr || !near(tg.ConnectBy, tt.connect) || tg.ReadTimeout != tt.read ||
			(tt.whole > 0 && !near(tg.Deadline, tt.whole)) {
			t.Errorf("%s/%s: %v connect by +%v read %v deadline +%v; want %s %v %v %v", tt.be, tt.srv,
				tg.Addr, tg.ConnectBy.Sub(now), tg.ReadTimeout, tg.Deadline.Sub(now), tt.addr, tt.connect, tt.read, tt.whole)
		}
	}
}
