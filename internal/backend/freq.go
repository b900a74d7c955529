package backend

import (
	"sync/atomic"
	"time"
)

// Rate counts events per second, like HAProxy's freq_ctr: the count of the
// current second plus the previous second's count weighted by the part of
// it still inside the last 1 s window. Updates are two atomic operations in
// the common case, so the request path stays lock-free.
type Rate struct {
	sec  atomic.Int64 // the current second (Unix time)
	cur  atomic.Int64
	prev atomic.Int64
	max  atomic.Int64
}

// Add counts one event at now.
func (r *Rate) Add(now time.Time) {
	s := now.Unix()
	if old := r.sec.Load(); old != s && r.sec.CompareAndSwap(old, s) {
		c := r.cur.Swap(0)
		if s == old+1 {
			r.prev.Store(c)
		} else {
			r.prev.Store(0)
		}
	}
	r.cur.Add(1)
	if v := r.value(now); v > r.max.Load() {
		r.max.Store(v)
	}
}

// Value returns the events of the last second.
func (r *Rate) Value(now time.Time) int64 { return r.value(now) }

func (r *Rate) value(now time.Time) int64 {
	s := now.Unix()
	switch r.sec.Load() {
	case s:
		frac := int64(now.Nanosecond())
		return r.cur.Load() + r.prev.Load()*(1e9-frac)/1e9
	case s - 1:
		frac := int64(now.Nanosecond())
		return r.cur.Load() * (1e9 - frac) / 1e9
	}
	return 0
}

// Max returns the highest rate seen.
func (r *Rate) Max() int64 { return r.max.Load() }

// ResetMax sets the maximum to the current rate.
func (r *Rate) ResetMax(now time.Time) { r.max.Store(r.value(now)) }
