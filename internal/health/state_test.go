package health

import (
	"testing"
	"time"
)

// TestStateSequences runs sequences of check results (P pass, F fail)
// through the health counter and compares health, state and transitions
// with HAProxy's rules.
func TestStateSequences(t *testing.T) {
	tests := []struct {
		name       string
		rise, fall int
		seq        string
		health     []int
		up         string // U or D after each result
		trans      string // u (went up), d (went down), . (none)
		counted    int    // failures counted in chkfail
	}{
		// A server starts UP with health = rise: one failure takes it
		// DOWN (observed: DOWN after the first failed check).
		{"first failure marks down", 2, 3, "F", []int{0}, "D", "d", 1},
		// One success from the start makes it fully UP.
		{"first success full up", 2, 3, "P", []int{4}, "U", ".", 0},
		{"recovery needs rise", 2, 3, "FPP", []int{0, 1, 4}, "DDU", "d.u", 1},
		{"rise 3", 3, 2, "FPPFPPP", []int{0, 1, 2, 0, 1, 2, 4}, "DDDDDDU", "d.....u", 2},
		// From fully UP it takes fall failures to go DOWN.
		{"fall from full", 2, 3, "PFFF", []int{4, 3, 2, 0}, "UUUD", "...d", 3},
		{"recovering interrupted", 2, 3, "PFFPF", []int{4, 3, 2, 4, 3}, "UUUUU", ".....", 3},
		// Failures while fully DOWN are not counted (chkfail).
		{"down failures not counted", 2, 3, "FFFF", []int{0, 0, 0, 0}, "DDDD", "d...", 1},
		{"rise 1 fall 1", 1, 1, "FPFP", []int{0, 1, 0, 1}, "DUDU", "dudu", 2},
		{"going up falls back", 3, 3, "FPPF", []int{0, 1, 2, 0}, "DDDD", "d...", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewState(Params{Rise: tt.rise, Fall: tt.fall, Inter: time.Second})
			counted := 0
			for i, r := range tt.seq {
				var st Step
				if r == 'P' {
					st = s.Pass()
				} else {
					st = s.Fail()
				}
				if st.Counted {
					counted++
				}
				if s.Health() != tt.health[i] {
					t.Errorf("after %q: health %d, want %d", tt.seq[:i+1], s.Health(), tt.health[i])
				}
				if got := map[bool]byte{true: 'U', false: 'D'}[s.Up()]; got != tt.up[i] {
					t.Errorf("after %q: state %c, want %c", tt.seq[:i+1], got, tt.up[i])
				}
				tr := byte('.')
				switch {
				case st.WentUp:
					tr = 'u'
				case st.WentDown:
					tr = 'd'
				}
				if tr != tt.trans[i] {
					t.Errorf("after %q: transition %c, want %c", tt.seq[:i+1], tr, tt.trans[i])
				}
			}
			if counted != tt.counted {
				t.Errorf("counted failures %d, want %d", counted, tt.counted)
			}
		})
	}
}

// TestStateInterval checks HAProxy's choice of interval: inter when fully
// UP, downinter when fully DOWN, fastinter in between (and at startup,
// where health = rise < rise+fall-1), each falling back to inter.
func TestStateInterval(t *testing.T) {
	p := Params{Rise: 2, Fall: 3, Inter: 2 * time.Second, FastInter: 500 * time.Millisecond, DownInter: 5 * time.Second}
	s := NewState(p)
	if got := s.Interval(); got != p.FastInter {
		t.Errorf("at startup: %v, want fastinter", got)
	}
	s.Pass()
	if got := s.Interval(); got != p.Inter {
		t.Errorf("fully up: %v, want inter", got)
	}
	s.Fail()
	if got := s.Interval(); got != p.FastInter {
		t.Errorf("going down: %v, want fastinter", got)
	}
	s.Fail()
	s.Fail()
	if got := s.Interval(); got != p.DownInter {
		t.Errorf("fully down: %v, want downinter", got)
	}
	s.Pass()
	if got := s.Interval(); got != p.FastInter {
		t.Errorf("going up: %v, want fastinter", got)
	}
	// Without fastinter and downinter, inter everywhere.
	s = NewState(Params{Rise: 2, Fall: 3, Inter: time.Second})
	for _, r := range "FPPFF" {
		if r == 'P' {
			s.Pass()
		} else {
			s.Fail()
		}
		if got := s.Interval(); got != time.Second {
			t.Errorf("health %d: %v, want inter", s.Health(), got)
		}
	}
	// fall 1: startup health = rise = rise+fall-1, so inter.
	s = NewState(Params{Rise: 2, Fall: 1, Inter: time.Second, FastInter: 100 * time.Millisecond})
	if got := s.Interval(); got != time.Second {
		t.Errorf("fall 1 at startup: %v, want inter", got)
	}
}

// TestStateOnError checks the on-error actions from a fully UP server.
func TestStateOnError(t *testing.T) {
	p := Params{Rise: 2, Fall: 3, Inter: time.Second}
	full := func() State { s := NewState(p); s.Pass(); return s }

	s := full()
	if st := s.MarkDown(); !st.WentDown || s.Health() != 0 {
		t.Errorf("mark-down: health %d, step %+v; want DOWN", s.Health(), st)
	}
	s = full()
	if st := s.SuddenDeath(); st.WentDown || s.Health() != 2 || !s.Up() {
		t.Errorf("sudden-death: health %d, step %+v; want UP one failure from DOWN", s.Health(), st)
	}
	if st := s.Fail(); !st.WentDown {
		t.Errorf("failure after sudden-death: step %+v, want DOWN", st)
	}
	// mark-down of a server already going up does not report a
	// transition: it was not UP.
	s = NewState(p)
	s.Fail()
	s.Pass()
	if st := s.MarkDown(); st.WentDown || s.Health() != 0 {
		t.Errorf("mark-down while going up: health %d, step %+v", s.Health(), st)
	}
}

// TestStatePauseResume checks maintenance: health 0 while paused, rise
// (UP, "UP 1/3") when resumed.
func TestStatePauseResume(t *testing.T) {
	s := NewState(Params{Rise: 2, Fall: 3, Inter: time.Second})
	s.Pass()
	s.Pause()
	if s.Health() != 0 || !s.Paused() || s.Up() {
		t.Fatalf("paused: health %d paused %v up %v", s.Health(), s.Paused(), s.Up())
	}
	s.Resume()
	n, of, ok := s.Transition()
	if !s.Up() || s.Health() != 2 || !ok || n != 1 || of != 3 {
		t.Errorf("resumed: health %d up %v transition %d/%d %v; want UP 1/3", s.Health(), s.Up(), n, of, ok)
	}
}

// TestStateSetParams checks that new parameters keep the server's side.
func TestStateSetParams(t *testing.T) {
	s := NewState(Params{Rise: 2, Fall: 3, Inter: time.Second})
	s.Pass() // fully up: 4
	s.SetParams(Params{Rise: 3, Fall: 5, Inter: time.Second})
	if s.Health() != 7 {
		t.Errorf("fully up after new params: health %d, want 7", s.Health())
	}
	s.Fail()
	s.Fail()
	s.Fail()
	s.Fail()
	s.Fail() // 7→6→5→4→3→0
	s.Pass() // 1
	s.SetParams(Params{Rise: 1, Fall: 2, Inter: time.Second})
	if s.Up() || s.Health() != 0 {
		t.Errorf("down after new params: health %d up %v, want DOWN", s.Health(), s.Up())
	}
}
