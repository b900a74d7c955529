package backend

import (
	"sync/atomic"
	"time"
)

// Counters are the traffic counters shared by frontends, backends and
// servers (HAProxy's `show stat` columns). All fields are atomics: they are
// updated from many sessions at once.
type Counters struct {
	// Cur is the current number of sessions (scur), Max its maximum (smax).
	Cur, Max atomic.Int64
	// Total is the cumulated number of sessions (stot).
	Total atomic.Int64
	// Requests is the cumulated number of HTTP requests (req_tot).
	Requests atomic.Int64
	// BytesIn and BytesOut are the bytes received from and sent to
	// clients (bin, bout).
	BytesIn, BytesOut atomic.Int64
	// DeniedReq, ErrReq: denied and invalid requests (dreq, ereq).
	DeniedReq, ErrReq atomic.Int64
	// ErrConn, ErrResp: failed connections to servers and invalid
	// responses (econ, eresp).
	ErrConn, ErrResp atomic.Int64
	// Retries and Redispatches (wretr, wredis).
	Retries, Redispatches atomic.Int64
	// CliAborts and SrvAborts: transfers aborted by either side
	// (cli_abrt, srv_abrt).
	CliAborts, SrvAborts atomic.Int64
	// HRsp counts responses by class: 1xx..5xx and other (hrsp_*).
	HRsp [6]atomic.Int64
	// LastSess is the Unix time of the last session (lastsess).
	LastSess atomic.Int64
	// SessRate and ReqRate are the sessions and requests per second
	// (rate, req_rate, with their maxima).
	SessRate, ReqRate Rate
	// QMax is the longest queue seen (qmax).
	QMax atomic.Int64
	// Connects and Reuses count new connections to servers and idle ones
	// used again (connect, reuse).
	Connects, Reuses atomic.Int64
	// Times are the averages of the last sessions' times (qtime, ctime,
	// rtime, ttime) and their maxima.
	Times TimeStats
}

// Samples is the number of sessions the time averages are taken over so
// far: HTTP requests in mode http, sessions otherwise (as HAProxy).
func (c *Counters) Samples(http bool) int64 {
	if http {
		return c.Requests.Load()
	}
	return c.Total.Load()
}

// Enter counts a new session and returns the current count.
func (c *Counters) Enter() int64 {
	n := c.Cur.Add(1)
	for {
		m := c.Max.Load()
		if n <= m || c.Max.CompareAndSwap(m, n) {
			break
		}
	}
	c.Total.Add(1)
	c.SessRate.Add(time.Now())
	return n
}

// Request counts one HTTP request.
func (c *Counters) Request(now time.Time) {
	c.Requests.Add(1)
	c.ReqRate.Add(now)
}

// SeenQueue records a queue length for qmax.
func (c *Counters) SeenQueue(n int64) {
	for {
		m := c.QMax.Load()
		if n <= m || c.QMax.CompareAndSwap(m, n) {
			return
		}
	}
}

// Hold counts a session that goes on without being new (a tunnel that
// takes over from its request): the current count only.
func (c *Counters) Hold() {
	n := c.Cur.Add(1)
	for {
		m := c.Max.Load()
		if n <= m || c.Max.CompareAndSwap(m, n) {
			break
		}
	}
}

// Leave counts the end of a session.
func (c *Counters) Leave() { c.Cur.Add(-1) }

// CountStatus counts a response status in its class.
func (c *Counters) CountStatus(status int) {
	i := status/100 - 1
	if i < 0 || i > 4 {
		i = 5
	}
	c.HRsp[i].Add(1)
}

// Touch records the time of the last session.
func (c *Counters) Touch(now time.Time) { c.LastSess.Store(now.Unix()) }

// Reset clears the counters (`clear counters`), keeping the current
// session count, which is a gauge.
func (c *Counters) Reset() {
	c.Max.Store(c.Cur.Load())
	c.QMax.Store(0)
	now := time.Now()
	c.SessRate.ResetMax(now)
	c.ReqRate.ResetMax(now)
	c.Times.Reset()
	for _, a := range []*atomic.Int64{&c.Total, &c.Requests, &c.BytesIn, &c.BytesOut, &c.DeniedReq,
		&c.ErrReq, &c.ErrConn, &c.ErrResp, &c.Retries, &c.Redispatches, &c.CliAborts, &c.SrvAborts,
		&c.Connects, &c.Reuses} {
		a.Store(0)
	}
	for i := range c.HRsp {
		c.HRsp[i].Store(0)
	}
}
