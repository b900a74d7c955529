package proxy

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/logging"
	"github.com/hawser-lb/hawser/internal/tunnel"
)

// switchProtocols handles a 101 Switching Protocols: it checks the
// response as HAProxy does, forwards the head and whatever either side
// already sent past the heads, and hands both connections to a tunnel.
func (s *session) switchProtocols(sc *serverConn, upgrade bool) (bool, bool) {
	x := &s.x
	req, resp := &s.req, &s.resp
	// HAProxy accepts a 101 only when the request asked for an upgrade and
	// both sides carry "Connection: upgrade"; a WebSocket answer must carry
	// Sec-WebSocket-Accept. Anything else is an invalid response (502 PH).
	if !upgrade || !resp.ConnUpgrade || (req.UpgradeWebSocket && !resp.HasWebSocketAccept) {
		x.srv.Counters.ErrResp.Add(1)
		x.be.Counters.ErrResp.Add(1)
		s.closeServer(sc)
		x.status = -1
		return s.serverFailed(nil, 'P', 'H', 502)
	}
	s.out = appendResponseHead(s.out[:0], resp, &respRewrite{upgrade: true})
	sc.r.consume(resp.HeadLen)
	// Bytes the server sent right after its 101 (a first frame) go out
	// with the head; bytes the client sent right after its request (a
	// first frame in the same write as the upgrade) go to the server.
	s.out = append(s.out, sc.r.buffered()...)
	sc.r.consume(len(sc.r.buffered()))
	if err := s.writeClient(s.out); err != nil {
		s.closeServer(sc)
		s.releaseServer()
		x.fail('C', 'D')
		s.logHTTP()
		return false, false
	}
	if pending := s.cr.buffered(); len(pending) > 0 {
		setWriteTimeout(sc.conn, x.be.Config.Timeouts.Server)
		n, err := sc.io.Write(pending)
		x.bytesIn += int64(n)
		s.cr.consume(n)
		if err != nil {
			s.closeServer(sc)
			s.releaseServer()
			x.fail('S', 'D')
			s.logHTTP()
			return false, false
		}
	}
	// From here the tunnel owns the connections (and ignores the deadlines
	// the HTTP phase left): give the buffers back.
	s.cr.drop()
	sc.r.drop()
	s.setServerConn(nil)
	x.srv.Detach(s)

	s.startTunnel(sc, false)
	return false, true
}

// startTunnel hands the client connection and sc to a tunnel: what the
// tunnel needs to account for itself when it ends is copied out of the
// session (so that neither the session nor the generation stays alive),
// and the server slot taken for the request stays taken by the tunnel, so
// leastconn counts long-lived WebSockets; it is released at the end.
func (s *session) startTunnel(sc *serverConn, tcp bool) {
	x := &s.x
	fe, be := x.fe, x.be
	end := &tunnelEnd{
		e: s.e, l: s.l, feCounters: s.feCounters, srv: x.srv, beCounters: be.Counters,
		log: fe.log, logasap: fe.flags.logasap, httplog: fe.flags.httplog, tcplog: fe.flags.tcplog,
		format: fe.logFormat, dontlogNormal: fe.flags.dontlogNormal, feCur: &fe.Counters.Cur,
		bytesOut: x.bytesOut, bytesIn: x.bytesIn, start: x.start, contstats: fe.flags.contstats,
		httpBackend: be.Mode == config.ModeHTTP,
	}
	s.fillEntry(&end.ent, time.Now())
	if tcp {
		// HAProxy turns httplog into tcplog on a mode tcp frontend.
		end.httplog, end.tcplog = false, fe.flags.tcplog || fe.flags.httplog
		end.start = s.accept
		end.ent.Mode = "tcp"
	} else {
		end.ent.Request = append([]byte(nil), s.line...)
		end.ent.ReqCaptures = cloneCaptures(s.reqCaps)
		end.ent.RespCaptures = cloneCaptures(s.respCaps)
	}
	be.Counters.Hold() // the tunnel holds a backend session until it ends
	// What was exchanged before the tunnel counts like a plain exchange.
	be.Counters.BytesIn.Add(x.bytesIn)
	be.Counters.BytesOut.Add(x.bytesOut)
	x.srv.Counters.BytesIn.Add(x.bytesIn)
	x.srv.Counters.BytesOut.Add(x.bytesOut)
	if end.log != nil && end.logasap {
		end.logNow(&end.ent, time.Now())
	}
	to := tunnel.Timeouts{
		Tunnel: be.Config.Timeouts.Tunnel,
		Client: fe.tmo.client, Server: be.Config.Timeouts.Server,
		ClientFin: fe.tmo.clientFin, ServerFin: be.Config.Timeouts.ServerFin,
	}
	x.slot = false
	// Registered before it starts: a tunnel that ends at once must find
	// itself registered to unregister, and a shutdown arriving meanwhile
	// is kept in killCause.
	s.e.trackTunnel(end)
	x.srv.Attach(end)
	t := s.e.tunnels.Start(s.conn, sc.conn, to, end.done)
	end.t.Store(t)
	if c := end.killCause.Load(); c != 0 {
		t.Kill(tunnel.Cause(c))
	}
}

// tunnelEnd is what a tunnel keeps to account for itself when it ends:
// counters, the log line and the slots to give back. It does not hold the
// generation or the session.
type tunnelEnd struct {
	e             *Engine
	l             *listener
	feCounters    *backend.Counters
	feCur         interface{ Load() int64 }
	beCounters    *backend.Counters
	srv           *backend.Server
	log           *logging.Logger
	format        *compiledFormat
	logasap       bool
	httplog       bool
	tcplog        bool
	dontlogNormal bool
	ent           logging.Entry
	bytesOut      int64
	bytesIn       int64
	start         time.Time
	// t is the running tunnel, set once it started; killCause a Kill
	// that came before (applied as soon as t is set).
	t         atomic.Pointer[tunnel.Tunnel]
	killCause atomic.Uint32
	// contstats asks for the counters to be updated while the tunnel
	// lives; acctUp and acctDown are the bytes already accounted.
	contstats        bool
	acctMu           sync.Mutex
	acctUp, acctDown int64
	// httpBackend tells how the time averages count sessions.
	httpBackend bool
}

// account adds the bytes the tunnel moved since the last accounting to
// the frontend, backend and server counters (option contstats does it
// every few seconds, the end of the tunnel does the rest).
func (te *tunnelEnd) account(up, down int64) {
	te.acctMu.Lock()
	du, dd := up-te.acctUp, down-te.acctDown
	te.acctUp, te.acctDown = up, down
	te.acctMu.Unlock()
	if du == 0 && dd == 0 {
		return
	}
	if te.srv != nil {
		te.srv.Counters.BytesIn.Add(du)
		te.srv.Counters.BytesOut.Add(dd)
	}
	te.beCounters.BytesIn.Add(du)
	te.beCounters.BytesOut.Add(dd)
	te.feCounters.BytesIn.Add(du)
	te.feCounters.BytesOut.Add(dd)
}

// Kill ends the tunnel (backend.Session): `shutdown sessions server`,
// on-marked-down shutdown-sessions.
func (te *tunnelEnd) Kill(cause byte) {
	te.killCause.CompareAndSwap(0, uint32(cause))
	if t := te.t.Load(); t != nil {
		t.Kill(tunnel.Cause(cause))
	}
}

func (te *tunnelEnd) done(r tunnel.Result) {
	if te.srv != nil {
		te.srv.Detach(te)
		te.srv.Counters.Leave()
		te.srv.Release()
	}
	te.beCounters.Leave()
	te.e.untrackTunnel(te)
	te.account(r.BytesUp, r.BytesDown)
	if f := te.e.opts.OnTunnelEnd; f != nil && te.srv != nil {
		f(te.srv.Backend, te.srv.Name, r)
	}
	now := time.Now()
	e := &te.ent
	e.Bytes = te.bytesOut + r.BytesDown
	e.BytesUp = te.bytesIn + r.BytesUp
	e.Ta = int64(now.Sub(te.start) / time.Millisecond)
	e.Tt = int64(now.Sub(e.Accept) / time.Millisecond)
	recordTimes(te.beCounters, te.srv, te.httpBackend, e.Tw, e.Tc, e.Tr, e.Ta)
	e.Termination[0] = byte(r.Cause)
	if r.Cause != tunnel.Normal {
		e.Termination[1] = 'D'
		if r.Cause == tunnel.Killed || r.Cause == tunnel.ServerDown || r.Cause == tunnel.BackupKilled {
			// HAProxy logs an administrative kill as K--- (D--- …): the
			// phase is not shown.
			e.Termination[1] = '-'
		}
	}
	if te.srv != nil {
		e.SrvConn = te.srv.Counters.Cur.Load()
	}
	e.BeConn = te.beCounters.Cur.Load()
	e.FeConn = te.feCur.Load()
	e.ActConn = te.e.actconn.Load()
	if te.log != nil && !te.logasap && !(te.dontlogNormal && r.Cause == tunnel.Normal) {
		te.logNow(e, now)
	}
	releaseSlots(te.e, te.l, te.feCounters)
}

func (te *tunnelEnd) logNow(e *logging.Entry, now time.Time) {
	bp := bufPool.Get().(*[]byte)
	var b []byte
	switch {
	case te.format != nil:
		b = te.format.f.Append((*bp)[:0], e)
	case te.httplog:
		b = logging.AppendHTTPLog((*bp)[:0], e)
	case te.tcplog:
		b = logging.AppendTCPLog((*bp)[:0], e)
	}
	if b != nil {
		te.log.Log(logging.Info, b)
	}
	bufPool.Put(bp)
}

// releaseSlots gives back a client connection's maxconn slots and counts
// its end.
func releaseSlots(e *Engine, l *listener, fe *backend.Counters) {
	if fe != nil {
		fe.Leave()
	}
	l.lim.release()
	e.global.release()
	e.actconn.Add(-1)
}

func cloneCaptures(c [][]byte) [][]byte {
	if len(c) == 0 {
		return nil
	}
	return append([][]byte(nil), c...)
}
