package health

import "time"

// Params are the check parameters of one server.
type Params struct {
	// Rise is the number of consecutive successes that bring a DOWN
	// server back UP (`rise`, default 2); Fall the number of consecutive
	// failures that take an UP server DOWN (`fall`, default 3).
	Rise, Fall int
	// Inter is the interval between checks of a fully UP server (`inter`,
	// default 2s). FastInter is used while the state is changing and
	// DownInter while fully DOWN; zero means Inter.
	Inter, FastInter, DownInter time.Duration
}

// max returns the health of a fully UP server.
func (p *Params) max() int { return p.Rise + p.Fall - 1 }

// State is HAProxy's health counter for one server. health runs from 0
// (fully DOWN) to rise+fall-1 (fully UP); the server is UP while health
// is at least rise. The zero value is not usable: use NewState.
type State struct {
	p      Params
	health int
	paused bool
}

// NewState returns the state of a server at startup: health = rise, UP
// but one failure away from DOWN (HAProxy marks a server whose first check
// fails DOWN at once).
func NewState(p Params) State {
	if p.Rise < 1 {
		p.Rise = 1
	}
	if p.Fall < 1 {
		p.Fall = 1
	}
	return State{p: p, health: p.Rise}
}

// Params returns the parameters of the state.
func (s *State) Params() Params { return s.p }

// SetParams changes the parameters (a reload changed rise, fall or the
// intervals), keeping the server's side: a server UP stays UP with at
// most the new full health, a DOWN one stays DOWN.
func (s *State) SetParams(p Params) {
	up := s.Up()
	n := NewState(p)
	n.paused = s.paused
	switch {
	case s.health == s.p.max() || (up && s.health > n.p.max()):
		n.health = n.p.max()
	case up:
		n.health = max(n.p.Rise, min(s.health, n.p.max()))
	default:
		n.health = min(s.health, n.p.Rise-1)
	}
	*s = n
}

// Health returns the health counter (check_health).
func (s *State) Health() int { return s.health }

// Up reports whether the server is UP as far as checks are concerned.
func (s *State) Up() bool { return s.health >= s.p.Rise }

// Paused reports whether checks are paused (maintenance).
func (s *State) Paused() bool { return s.paused }

// Step is what one check result did to the state.
type Step struct {
	// Changed reports that the health counter moved (HAProxy then logs
	// the check under `option log-health-checks`).
	Changed bool
	// Counted reports a failure counted in chkfail: HAProxy counts
	// failures only while the health is above zero.
	Counted bool
	// WentUp and WentDown report a transition of the server's state.
	WentUp, WentDown bool
}

// Pass records a successful check: health goes up by one and, once it
// reaches rise, jumps to rise+fall-1 (fully UP).
func (s *State) Pass() Step {
	var st Step
	if s.health >= s.p.max() {
		return st
	}
	was := s.Up()
	s.health++
	if s.health >= s.p.Rise {
		s.health = s.p.max()
	}
	st.Changed = true
	st.WentUp = !was && s.Up()
	return st
}

// Fail records a failed check: health goes down by one and, once below
// rise, drops to 0 (fully DOWN).
func (s *State) Fail() Step {
	var st Step
	if s.health <= 0 {
		return st
	}
	was := s.Up()
	s.health--
	if s.health < s.p.Rise {
		s.health = 0
	}
	st.Changed, st.Counted = true, true
	st.WentDown = was && !s.Up()
	return st
}

// SuddenDeath leaves an UP server one failure away from DOWN, then
// records a failure (`on-error sudden-death`).
func (s *State) SuddenDeath() Step {
	if s.health > s.p.Rise {
		s.health = s.p.Rise + 1
	}
	return s.Fail()
}

// MarkDown takes the server DOWN at once (`on-error mark-down`): health
// is set to rise, then a failure is recorded.
func (s *State) MarkDown() Step {
	was := s.Up()
	if s.health > 0 {
		s.health = s.p.Rise
	}
	st := s.Fail()
	st.WentDown = was && !s.Up()
	return st
}

// Pause stops checking (maintenance): health is set to 0, as HAProxy does
// for a server in maintenance.
func (s *State) Pause() {
	s.paused = true
	s.health = 0
}

// Resume restarts checking after maintenance with health = rise: UP, and
// the next check decides.
func (s *State) Resume() {
	s.paused = false
	s.health = s.p.Rise
}

// Interval returns the delay before the next check: inter when fully UP,
// downinter (or inter) when fully DOWN, fastinter (or inter) in between.
func (s *State) Interval() time.Duration {
	switch {
	case s.health >= s.p.max():
		return s.p.Inter
	case s.health == 0:
		if s.p.DownInter > 0 {
			return s.p.DownInter
		}
		return s.p.Inter
	}
	return s.FastInter()
}

// FastInter returns fastinter, or inter when it is not set.
func (s *State) FastInter() time.Duration {
	if s.p.FastInter > 0 {
		return s.p.FastInter
	}
	return s.p.Inter
}

// Transition returns what `show stat` appends to a server's status while
// its state is changing: " 1/2" (DOWN, going up: health/rise) or " 2/3"
// (UP, going down: health-rise+1 / fall), "" when stable.
func (s *State) Transition() (n, of int, ok bool) {
	switch {
	case s.paused || s.health == 0 || s.health == s.p.max():
		return 0, 0, false
	case s.Up():
		return s.health - s.p.Rise + 1, s.p.Fall, true
	}
	return s.health, s.p.Rise, true
}
