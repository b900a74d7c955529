package health

import (
	"strconv"
	"time"
)

// Snapshot is a consistent copy of a checker's state, for `show stat`,
// `show servers state` and the statistics page.
type Snapshot struct {
	// Last is the outcome of the last check (check_status, check_code,
	// check_duration, last_chk); Status is StatusInit before the first.
	Last Outcome
	// LastAt is when the last check ended.
	LastAt time.Time
	// InProgress reports a check running now (`show stat` prefixes
	// check_status with "* ").
	InProgress bool
	// Health, Rise and Fall are check_health, check_rise, check_fall.
	Health, Rise, Fall int
	// Paused reports checks paused by maintenance.
	Paused bool
	// FailedChecks counts failed checks while the server was not fully
	// DOWN (chkfail); DownTransitions the UP→DOWN transitions (chkdown);
	// HanaFailures the times passive checks gave up (hanafail).
	FailedChecks, DownTransitions, HanaFailures int64
	// Throttle is the slowstart ramp in percent while it runs, 0
	// otherwise (the throttle column).
	Throttle int

	downtime  time.Duration
	downSince time.Time
	trans     [3]int // n, of, ok(1) of State.Transition
}

// CheckStatus returns the check_status column: "L4OK", "* L7STS" while a
// check runs…
func (s *Snapshot) CheckStatus() string {
	if s.InProgress {
		return "* " + s.Last.Status.String()
	}
	return s.Last.Status.String()
}

// CheckCode returns the check_code column: the HTTP status of statuses
// that carry one, 0 otherwise.
func (s *Snapshot) CheckCode() int {
	if s.Last.Status.HasCode() {
		return s.Last.Code
	}
	return 0
}

// CheckDuration returns the check_duration column in milliseconds, -1 when
// there is none.
func (s *Snapshot) CheckDuration() int64 {
	if s.Last.Status == StatusInit || s.Last.Status == StatusUnknown {
		return -1
	}
	return s.Last.Duration
}

// CheckDesc returns the check_desc column ("Layer4 connection problem").
func (s *Snapshot) CheckDesc() string { return s.Last.Status.Desc() }

// LastChk returns the last_chk column: the last check's info
// ("Connection refused", a reason phrase).
func (s *Snapshot) LastChk() string { return s.Last.Info }

// Downtime returns the total time the server spent DOWN (the downtime
// column), including the current DOWN period.
func (s *Snapshot) Downtime(now time.Time) time.Duration {
	d := s.downtime
	if !s.downSince.IsZero() {
		d += now.Sub(s.downSince)
	}
	return d
}

// Transition returns what `show stat` appends to the server status while
// its health is between the stable states: " 1/2" (going up) or " 2/3"
// (going down), "" otherwise.
func (s *Snapshot) Transition() string {
	if s.trans[2] == 0 {
		return ""
	}
	return " " + strconv.Itoa(s.trans[0]) + "/" + strconv.Itoa(s.trans[1])
}

// Result returns the srv_check_result column of `show servers state`.
func (s *Snapshot) Result() Result { return s.Last.Result() }

// StateFlags returns the srv_check_state column of `show servers state`:
// HAProxy's check flags (configured 0x2, enabled 0x4, paused 0x8,
// running 0x1).
func (s *Snapshot) StateFlags() int {
	f := 0x2 | 0x4
	if s.Paused {
		f |= 0x8
	}
	if s.InProgress {
		f |= 0x1
	}
	return f
}
