package proxy

import (
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/balance"
)

// serverConn is a connection to a server with its read buffer.
type serverConn struct {
	conn   *net.TCPConn
	r      reader
	srv    *backend.Server
	reused bool
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
	rc, err := sc.conn.SyscallConn()
	if err != nil {
		return false
	}
	ok := false
	var b [1]byte
	rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		_ = n
		ok = err == syscall.EAGAIN
		return true
	})
	return ok
}

var errNoAddr = errors.New("server has no address")

// connect chooses a server and connects to it, retrying and redispatching
// as HAProxy does (retries, option redispatch). On failure it records the
// termination state (SC refused/no server, sC connect timeout, sQ full)
// and returns false.
func (s *session) connect() (*serverConn, bool) {
	x := &s.x
	be := x.be
	var in balance.Input
	s.fillBalanceInput(&in)
	lbs, full := be.LB.Pick(&in)
	if lbs == nil {
		if full {
			// Every usable server is at its maxconn. Queueing comes with
			// the queue implementation; until then the request is refused
			// as a queue timeout would.
			x.fail('s', 'Q')
		} else {
			x.fail('S', 'C')
		}
		return nil, false
	}
	srv := be.ServerOf(lbs)
	if full {
		x.srv = srv
		x.fail('s', 'Q')
		return nil, false
	}
	x.srv, x.slot = srv, true
	srv.Counters.Enter()
	x.tW = x.ms(time.Now())
	connectStart := time.Now()
	for {
		sc, err := s.dial(srv)
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
		if x.retries >= be.Config.Retries {
			if isTimeout(err) {
				x.fail('s', 'C')
			} else {
				x.fail('S', 'C')
			}
			return nil, false
		}
		x.retries++
		be.Counters.Retries.Add(1)
		srv.Counters.Retries.Add(1)
		if s.shouldRedispatch(srv) {
			in.Avoid = srv.LB
			lbs, full := be.LB.Pick(&in)
			if lbs != nil && !full {
				s.releaseServer()
				srv = be.ServerOf(lbs)
				x.srv, x.slot, x.redispatched = srv, true, true
				srv.Counters.Enter()
				be.Counters.Redispatches.Add(1)
				continue
			}
			if lbs != nil {
				lbs.Release()
			}
		}
		// Between retries on the same server HAProxy pauses
		// min(timeout connect, 1s).
		pause := time.Second
		if c := be.Config.Timeouts.Connect; c > 0 && c < pause {
			pause = c
		}
		time.Sleep(pause)
	}
}

// releaseServer gives back the exchange's slot on its server.
func (s *session) releaseServer() {
	x := &s.x
	if x.slot {
		x.srv.LB.Release()
		x.srv.Counters.Leave()
		x.slot = false
	}
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

// dial returns a connection to srv: an idle one kept from an earlier
// request when there is one, else a new one under timeout connect.
func (s *session) dial(srv *backend.Server) (*serverConn, error) {
	now := time.Now()
	for c := srv.Idle.Get(now); c != nil; c = srv.Idle.Get(now) {
		sc := c.(*serverConn)
		if sc.alive() {
			sc.reused = true
			return sc, nil
		}
		sc.Close()
	}
	addr, ok := srv.DialAddr(s.dst.Port())
	if !ok {
		return nil, errNoAddr
	}
	return dialServer(srv, s.x.be, addr.String())
}

// dialServer opens a new connection to srv under timeout connect, with
// TCP keep-alive only when `option tcpka`/`srvtcpka` asks for it.
func dialServer(srv *backend.Server, be *backend.Backend, addr string) (*serverConn, error) {
	o := &be.Config.Options
	d := net.Dialer{Timeout: be.Config.Timeouts.Connect, KeepAlive: -1}
	if o.TCPKA || o.SrvTCPKA {
		d.KeepAlive = 0
	}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	tc := c.(*net.TCPConn)
	if o.NoLinger {
		tc.SetLinger(0)
	}
	sc := &serverConn{conn: tc, srv: srv}
	sc.r.init(tc)
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
	if need&balance.NeedHeader != 0 {
		name := lb.HeaderName()
		for i := range req.Headers {
			if equalFoldString(req.Headers[i].Name, name) {
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

func equalFoldString(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
