package proxy

import (
	"errors"
	"net/netip"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/balance"
	"github.com/hawser-lb/hawser/internal/h1"
	"github.com/hawser-lb/hawser/internal/sockio"
)

// serverConn is a connection to a server with its read buffer.
type serverConn struct {
	conn   serverSocket
	io     sockio.Conn // reads (through r) and writes
	r      reader
	srv    *backend.Server
	reused bool
	// pooled is when the connection went back to the idle pool.
	pooled time.Time
}

// Close closes the connection and frees its buffer (backend.IdleConn).
func (sc *serverConn) Close() error {
	sc.r.drop()
	return sc.conn.Close()
}

// alive checks, without blocking, that an idle connection was not closed
// by the server while it waited in the pool: a peek that would block means
// the connection is still open and silent, as it should be.
func (sc *serverConn) alive() bool {
	ok := false
	var b [1]byte
	sockio.Control(sc.conn, func(fd int) error {
		_, _, err := syscall.Recvfrom(fd, b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		ok = err == syscall.EAGAIN
		return nil
	})
	return ok
}

var errNoAddr = errors.New("server has no address")

// connect chooses a server and connects to it, retrying and redispatching
// as HAProxy does (retries, retry-on conn-failure, option redispatch). On
// failure it records the termination state (SC refused or no server, sC
// connect timeout, sQ queue timeout) and returns false.
func (s *session) connect() (*serverConn, bool) {
	srv, ok := s.assignServer(nil)
	if !ok {
		return nil, false
	}
	return s.connectTo(srv)
}

// assignServer chooses a server (avoiding avoid when another one can take
// the request, for a redispatch), queueing when every candidate is full,
// and takes a connection slot on it for the exchange.
func (s *session) assignServer(avoid *backend.Server) (*backend.Server, bool) {
	x := &s.x
	be := x.be
	var in balance.Input
	s.fillBalanceInput(&in)
	if avoid != nil {
		in.Avoid = avoid.LB
	}
	lbs, full := be.LB.Pick(&in)
	if lbs != nil && !full && queueFirst(be) {
		// HAProxy's fairness rule: with roundrobin, static-rr or first, a
		// new request goes behind the ones already waiting.
		if bq, _ := be.Queue.Len(); bq > 0 {
			be.ServerOf(lbs).Release()
			lbs, full = nil, true
		}
	}
	if lbs == nil && !full {
		x.fail('S', 'C') // no usable server: 503 at once
		return nil, false
	}
	var srv *backend.Server
	if lbs != nil {
		srv = be.ServerOf(lbs)
	}
	if full {
		if srv = s.queue(srv); srv == nil {
			return nil, false
		}
	} else if x.tW < 0 {
		x.tW = 0
	}
	x.srv, x.slot = srv, true
	srv.Counters.Enter()
	return srv, true
}

// retrySlot takes a slot again on srv for a retry on the same server.
func (s *session) retrySlot(srv *backend.Server) {
	srv.LB.Acquire()
	srv.Counters.Enter()
	s.x.srv, s.x.slot = srv, true
}

// nextServer releases the exchange's server after a failed attempt and
// returns the server of the next one: another server when HAProxy would
// redispatch, else the same server after the retry pause,
// min(timeout connect, 1s).
func (s *session) nextServer(failed *backend.Server) (*backend.Server, bool) {
	x := &s.x
	x.retries++
	x.be.Counters.Retries.Add(1)
	failed.Counters.Retries.Add(1)
	redispatch := s.shouldRedispatch(failed)
	// HAProxy releases the failed server before choosing again, which
	// matters for leastconn's order.
	s.releaseServer()
	if redispatch {
		srv, ok := s.assignServer(failed)
		if !ok {
			return nil, false
		}
		if srv != failed {
			x.redispatched = true
			x.be.Counters.Redispatches.Add(1)
			return srv, true
		}
		s.releaseServer()
	}
	pause := time.Second
	if c := x.be.Config.Timeouts.Connect; c > 0 && c < pause {
		pause = c
	}
	select {
	case <-time.After(pause):
	case <-s.e.stopCh:
	}
	s.retrySlot(failed)
	return failed, true
}

// connectTo connects to srv, retrying on connection failures.
func (s *session) connectTo(srv *backend.Server) (*serverConn, bool) {
	x := &s.x
	be := x.be
	connectStart := time.Now()
	for at := connectStart; ; at = time.Now() {
		sc, err := s.dial(srv, at)
		if err == nil {
			x.tC = int64(time.Since(connectStart) / time.Millisecond)
			s.setServerConn(sc)
			if !sc.reused {
				s.e.observe(srv, ObsConnOK, 0)
			}
			return sc, true
		}
		if isTimeout(err) {
			s.e.observe(srv, ObsConnTimeout, 0)
		} else {
			s.e.observe(srv, ObsConnFailed, 0)
		}
		srv.Counters.ErrConn.Add(1)
		be.Counters.ErrConn.Add(1)
		if s.killed.Load() != 0 {
			x.fail(byte(s.killed.Load()), 'C')
			return nil, false
		}
		if !be.RetryOn.ConnFailure || x.retries >= be.Config.Retries {
			if isTimeout(err) {
				x.fail('s', 'C')
			} else {
				x.fail('S', 'C')
			}
			return nil, false
		}
		var ok bool
		if srv, ok = s.nextServer(srv); !ok {
			return nil, false
		}
	}
}

// releaseServer gives back the exchange's slot on its server, to the
// oldest queued request if any.
func (s *session) releaseServer() {
	x := &s.x
	if x.slot {
		x.srv.Counters.Leave()
		x.slot = false
		x.srv.Release()
	}
}

// queueFirst reports the algorithms with which a new request queues behind
// waiting ones instead of taking a slot that just freed.
func queueFirst(be *backend.Backend) bool {
	switch be.LB.Algorithm() {
	case "roundrobin", "static-rr", "first":
		return true
	}
	return false
}

// queue waits for a slot: on srv's own queue when the algorithm bound the
// request to it (its maxqueue full: the backend queue), in the backend
// queue otherwise, for at most timeout queue (default timeout connect).
// It records the queue position and time and returns the server whose slot
// the request got, or nil with the exchange failed (503 sQ).
func (s *session) queue(srv *backend.Server) *backend.Server {
	x := &s.x
	be := x.be
	now := time.Now()
	w := be.Queue.Enqueue(srv, now)
	if w == nil {
		w = be.Queue.Enqueue(nil, now)
		srv = nil
	}
	if srv != nil {
		x.srvQueue = w.Pos
		srv.Counters.SeenQueue(int64(w.Pos))
	} else {
		x.beQueue = w.Pos
		be.Counters.SeenQueue(int64(w.Pos))
	}
	tmo := firstNonZero(be.Config.Timeouts.Queue, be.Config.Timeouts.Connect)
	got := be.Queue.Wait(w, tmo, s.e.stopCh)
	x.tW = int64(time.Since(now) / time.Millisecond)
	if got == nil {
		if srv != nil {
			x.srv = srv
		}
		x.fail('s', 'Q')
		return nil
	}
	return got
}

// shouldRedispatch tells whether a retry goes to another server
// (option redispatch): always when the failed server is no longer UP, on
// every Nth retry with `option redispatch N` (the last one by default),
// and at once on round-robin-like algorithms with several active servers.
func (s *session) shouldRedispatch(srv *backend.Server) bool {
	be := s.x.be
	o := &be.Config.Options
	if !o.Redispatch {
		return false
	}
	if srv.Op() != backend.OpRunning {
		return true
	}
	done, total, iv := s.x.retries, be.Config.Retries, o.RedispatchInterval
	switch {
	case iv > 0 && done%iv == 0:
		return true
	case iv < 0 && total+1+iv > 0 && done%(total+1+iv) == 0:
		return true
	}
	switch be.LB.Algorithm() {
	case "roundrobin", "static-rr", "random":
		active, _ := be.LB.UsableServers()
		return active > 1
	}
	return false
}

// reuseWithoutPeek is how long a pooled connection is trusted without
// checking that the server kept it open.
const reuseWithoutPeek = time.Second

// bodyBuffered reports a request whose body is entirely in the client
// buffer (or that has none): forward sends it with the head in one write,
// and if a reused connection turns out closed, sends it again on a new
// one.
func (s *session) bodyBuffered() bool {
	mode, n := s.req.BodyFraming()
	switch mode {
	case h1.BodyNone:
		return true
	case h1.BodyLength:
		avail := len(s.cr.buffered())
		if !s.x.headConsumed {
			avail -= s.req.HeadLen
		}
		return n <= int64(avail) && n <= int64(s.cr.lim.size)
	}
	return false
}

// dial returns a connection to srv: an idle one kept from an earlier
// request when there is one, else a new one under timeout connect. now is
// the time of the attempt.
func (s *session) dial(srv *backend.Server, now time.Time) (*serverConn, error) {
	for c := srv.Idle.Get(now); c != nil; c = srv.Idle.Get(now) {
		sc := c.(*serverConn)
		// A connection pooled a moment ago is very likely still open, and
		// if the server did close it, a replayable request is sent again
		// on a new one (forward): the peek, a system call per request, is
		// only worth it for a request that cannot be replayed or a
		// connection that idled long enough for the server to drop it.
		if (now.Sub(sc.pooled) < reuseWithoutPeek && s.bodyBuffered()) || sc.alive() {
			sc.reused = true
			srv.Counters.Reuses.Add(1)
			s.x.be.Counters.Reuses.Add(1)
			return sc, nil
		}
		sc.Close()
	}
	addr, ok := srv.DialAddr(s.dst.Port())
	if !ok {
		return nil, errNoAddr
	}
	return dialServer(srv, s.x.be, addr, s.cr.lim)
}

// dialServer opens a new connection to srv under timeout connect, with
// TCP keep-alive only when `option tcpka`/`srvtcpka` asks for it.
func dialServer(srv *backend.Server, be *backend.Backend, addr netip.AddrPort, lim *bufLimits) (*serverConn, error) {
	srv.Counters.Connects.Add(1)
	be.Counters.Connects.Add(1)
	o := &be.Config.Options
	tc, err := dialTCP(addr, be.Config.Timeouts.Connect, o.TCPKA || o.SrvTCPKA)
	if err != nil {
		return nil, err
	}
	if o.NoLinger {
		tc.SetLinger(0)
	}
	sc := &serverConn{conn: tc, srv: srv}
	sc.io.Init(tc)
	sc.r.init(&sc.io, lim)
	return sc, nil
}

// isReset reports a connection reset or broken pipe.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// fillBalanceInput gives the balancer what its algorithm reads.
func (s *session) fillBalanceInput(in *balance.Input) {
	lb := s.x.be.LB
	need := lb.Needs()
	req := &s.req
	if need&balance.NeedSource != 0 {
		in.Src = s.src.Addr()
	}
	if need&balance.NeedTarget != 0 {
		in.Target = req.Target
	}
	if need&balance.NeedBody != 0 {
		in.Post = string(req.Method) == "POST"
		if rest := s.cr.buffered(); len(rest) > req.HeadLen {
			in.Body = rest[req.HeadLen:]
		}
	}
	if need&balance.NeedPayload != 0 {
		in.Payload = s.cr.buffered()
	}
	if need&balance.NeedHeader != 0 {
		name := lb.HeaderName()
		for i := range req.Headers {
			if h1.EqualFoldString(req.Headers[i].Name, name) {
				in.Header = req.Headers[i].Value
				break
			}
		}
	}
	if need&balance.NeedKey != 0 {
		if smp := s.x.be.KeySample; smp != nil {
			s.txn.Req = req
			in.Key, in.HasKey = smp.FetchBin(&s.txn, s.out[:0])
			s.txn.Req = nil
		}
	}
}
