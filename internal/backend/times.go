package backend

import "sync/atomic"

// TimeSamples is the window of HAProxy's time averages
// (TIME_STATS_SAMPLES): the last 512 sessions.
const TimeSamples = 512

// Phase indexes the four times of TimeStats.
const (
	PhaseQueue    = iota // qtime: time spent in the queue (Tw)
	PhaseConnect         // ctime: time to connect (Tc)
	PhaseResponse        // rtime: time to the response head (Tr)
	PhaseTotal           // ttime: the whole session (Ta)
	numPhases
)

// TimeStats are a server's or backend's sliding averages of the times of
// its last sessions, with their maxima (qtime, ctime, rtime, ttime and
// their _max in `show stat`). They follow HAProxy's arithmetic (a sliding
// window sum, swrate) so the figures read the same.
type TimeStats struct {
	sum [numPhases]atomic.Uint32
	max [numPhases]atomic.Int64
}

// Add records a session's times in milliseconds. samples is the number
// of sessions counted so far, this one included: until it exceeds the
// window, the sums simply accumulate.
func (t *TimeStats) Add(samples int64, v [numPhases]int64) {
	n := uint32(0)
	if samples > TimeSamples {
		n = TimeSamples
	}
	for i, x := range v {
		if x < 0 {
			x = 0
		}
		for {
			old := t.sum[i].Load()
			nw := old + uint32(x)
			if n > 0 {
				nw -= (old + n - 1) / n
			}
			if t.sum[i].CompareAndSwap(old, nw) {
				break
			}
		}
		for {
			m := t.max[i].Load()
			if x <= m || t.max[i].CompareAndSwap(m, x) {
				break
			}
		}
	}
}

// Avg returns the average of phase p over the last sessions, given the
// number of sessions counted so far.
func (t *TimeStats) Avg(p int, samples int64) int64 {
	n := int64(TimeSamples)
	if samples > 0 && samples < TimeSamples {
		n = samples
	}
	return (int64(t.sum[p].Load()) + n - 1) / n
}

// Max returns the longest time seen for phase p.
func (t *TimeStats) Max(p int) int64 { return t.max[p].Load() }

// Reset clears the averages and maxima.
func (t *TimeStats) Reset() {
	for i := range t.sum {
		t.sum[i].Store(0)
		t.max[i].Store(0)
	}
}
