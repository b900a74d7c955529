package proxy

import (
	"io"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/h1"
	"github.com/hawser-lb/hawser/internal/logging"
)

// exchange is the state of one request/response exchange, reset for each
// request of a connection.
type exchange struct {
	fe  *Frontend
	be  *backend.Backend
	srv *backend.Server
	// slot is set while the exchange holds a connection slot on srv.
	slot bool
	// start is when the request's first byte arrived; the timers are
	// offsets from it, -1 until reached (HAProxy's TR/Tw/Tc/Tr/Ta).
	start            time.Time
	tR, tW, tC, tRsp int64
	status           int
	// bytesOut is what was sent to the client, bytesIn what was received
	// from it.
	bytesOut, bytesIn int64
	// term is the termination state's first two characters: the cause and
	// the phase.
	term         [2]byte
	retries      int
	redispatched bool
	badReq       bool
	noRoute      bool
	// parsed is set once the request head parsed; headConsumed and
	// bodyConsumed once they left the client buffer.
	parsed, headConsumed, bodyConsumed bool
	// closeClient is set when the client connection must be closed after
	// this exchange.
	closeClient bool
	// srvName overrides the server name logged (<STATS>, <PROMEX>).
	srvName string
	// respRules are the backend's http-response rules.
	respRules []httpRule
	// srvQueue and beQueue are the request's queue positions (%sq/%bq).
	srvQueue, beQueue int
	// ckReq and ckResp are the cookie persistence states (termination
	// characters 3 and 4); ckServer the server the cookie named.
	ckReq, ckResp byte
	ckServer      *backend.Server
	// ckLast and ckFirst are the dates (UNIX seconds) an expirable cookie
	// carried, 0 when none.
	ckLast, ckFirst int64
	// parsedAt is when the request head was parsed.
	parsedAt time.Time
}

func (x *exchange) reset(fe *Frontend) {
	*x = exchange{fe: fe, tR: -1, tW: -1, tC: -1, tRsp: -1, status: -1, term: [2]byte{'-', '-'}}
}

// ms returns the milliseconds from the start of the request to now.
func (x *exchange) ms(now time.Time) int64 { return int64(now.Sub(x.start) / time.Millisecond) }

// fail records the first termination cause and phase.
func (x *exchange) fail(cause, phase byte) {
	if x.term[0] == '-' {
		x.term = [2]byte{cause, phase}
	}
}

// serveHTTP runs the HTTP exchanges of a connection. It returns true when
// the connection was handed to a tunnel.
func (s *session) serveHTTP() bool {
	for first := true; ; first = false {
		g := s.e.gen.Load()
		fe := g.Frontend(s.l.frontend())
		if fe == nil {
			return false
		}
		keep, tunnel := s.serveRequest(g, fe, first)
		if tunnel {
			return true
		}
		if !keep || s.e.stopping.Load() || s.killed.Load() != 0 {
			return false
		}
	}
}

// serveRequest reads one request, forwards it and relays the response.
func (s *session) serveRequest(g *Generation, fe *Frontend, first bool) (keepAlive, tunnel bool) {
	x := &s.x
	x.reset(fe)
	if !s.readRequestHead(fe, first) {
		return false, false
	}
	fe.Counters.Request(x.parsedAt)
	req := &s.req
	s.line = appendRequestLine(s.line[:0], req)
	s.debugHead(fe.Name, "clireq", "clihdr", s.line, req.Headers)

	// HAProxy 2.4+ rejects a WebSocket upgrade without a 24-character
	// Sec-WebSocket-Key before any rule runs (RFC 6455 §4.1).
	if req.ConnUpgrade && req.UpgradeWebSocket && req.WebSocketKeyLen != 24 {
		s.cr.consume(req.HeadLen)
		x.headConsumed = true
		x.badReq = true
		s.sendError(400, 'P', 'R', true)
		fe.Counters.ErrReq.Add(1)
		s.logHTTP()
		return false, false
	}

	s.captureRequest(fe)
	if len(fe.reqRules) > 0 {
		if out, keep, _ := s.runRequestRules(fe.reqRules); out == ruleDone {
			return keep, false
		}
	}
	s.txn.Req = req
	s.txn.Payload = s.cr.buffered()[:req.HeadLen]
	if statsRequest(fe, req) {
		admin := fe.statsAdmin(&s.txn)
		s.txn.Req, s.txn.Payload = nil, nil
		return s.serveApplet(fe.statsPage, "<STATS>", admin)
	}
	be := fe.route(&s.txn)
	s.txn.Req, s.txn.Payload = nil, nil
	if be == nil || be.Config.Disabled {
		// No rule matched and no default backend: 503, logged with the
		// frontend as backend and TR -1, as HAProxy 2.6 does.
		x.noRoute, x.tR = true, -1
		return s.abortRequest(503, 'S', 'C')
	}
	x.be = be
	be.Counters.Enter()
	defer be.Counters.Leave()
	be.Counters.Request(x.parsedAt)
	if br := g.beRules[be]; br != nil {
		x.respRules = br.resp
		if out, keep, _ := s.runRequestRules(br.req); out == ruleDone {
			return keep, false
		}
	}

	var sc *serverConn
	ok := false
	if be.Cookie != nil {
		if srv := s.persistentServer(x.parsedAt); srv != nil {
			x.ckServer = srv
			s.stripCookie()
			if srv, ok = s.persistTo(srv); ok {
				sc, ok = s.connectTo(srv)
			}
		} else {
			s.stripCookie()
			sc, ok = s.connect()
		}
	} else {
		sc, ok = s.connect()
	}
	if !ok {
		s.releaseServer()
		return s.abortRequest(503, x.term[0], x.term[1])
	}
	return s.forward(sc)
}

// appendRequestLine appends "METHOD TARGET HTTP/1.x", the request line
// as logged (%r).
func appendRequestLine(b []byte, req *h1.Request) []byte {
	b = append(b, req.Method...)
	b = append(b, ' ')
	b = append(b, req.Target...)
	b = append(b, " HTTP/1."...)
	return append(b, byte('0'+req.Minor))
}

// readRequestHead waits for a complete request head under HAProxy's
// timeouts: http-keep-alive for the first byte of a next request (falling
// back to http-request, then client), http-request for the whole head
// (falling back to client). It answers 408 or 400 itself and returns false
// when no request is to be served.
func (s *session) readRequestHead(fe *Frontend, first bool) bool {
	x := &s.x
	tmo := fe.tmo
	headTimeout := firstNonZero(tmo.httpRequest, tmo.client)
	waitTimeout := headTimeout
	if !first {
		waitTimeout = firstNonZero(tmo.httpKeepAlive, tmo.httpRequest, tmo.client)
	}
	start := s.accept
	if !first {
		start = time.Now()
	}
	if len(s.cr.buffered()) == 0 {
		// Wait for the first byte. Only a keep-alive connection between
		// requests is idle: a stopping engine closes those, while a new
		// connection gets its request served.
		deadline := time.Time{}
		if waitTimeout > 0 {
			deadline = start.Add(waitTimeout)
		}
		s.conn.SetReadDeadline(deadline)
		// Idle only after the deadline is set, and then a last look at
		// the engine: wakeIdle (which runs after stopping is set) either
		// sees the session idle and its deadline lands after ours, or ran
		// before and the session sees the engine stopping.
		s.idle.Store(!first)
		if !first && s.e.stopping.Load() {
			s.idle.Store(false)
			return false
		}
		_, err := s.cr.fill()
		s.idle.Store(false)
		if len(s.cr.buffered()) == 0 {
			if !first || s.e.stopping.Load() || s.killed.Load() != 0 {
				return false // keep-alive timeout or close: silent
			}
			x.start = s.accept
			if isTimeout(err) {
				s.sendError(408, 'c', 'R', true)
			} else {
				// HAProxy logs a connection closed before any request as
				// 400 CR-- (observed on 2.6), though it sends nothing.
				x.fail('C', 'R')
				x.status = 400
			}
			x.badReq = true
			if !fe.flags.dontlognull {
				s.logHTTP()
			}
			return false
		}
		if !first {
			start = time.Now()
		}
	}
	x.start = start
	if headTimeout > 0 {
		s.conn.SetReadDeadline(start.Add(headTimeout))
	} else {
		s.conn.SetReadDeadline(time.Time{})
	}
	for {
		err := h1.ParseRequestLimits(&s.req, s.cr.buffered(), s.cr.lim.head)
		if err == nil {
			// One clock read serves the counters and rules of the request
			// (rates and last-session times need no more precision).
			x.parsedAt = time.Now()
			x.tR = x.ms(x.parsedAt)
			x.parsed = true
			return true
		}
		if err != h1.ErrIncomplete {
			s.badRequest(fe, err)
			return false
		}
		if _, rerr := s.cr.fill(); rerr != nil {
			if rerr == errBufferFull {
				s.badRequest(fe, h1.ErrHeadTooLarge)
				return false
			}
			x.badReq = true
			if isTimeout(rerr) {
				s.sendError(408, 'c', 'R', true)
			} else {
				x.fail('C', 'R')
				x.status = 400
			}
			fe.Counters.ErrReq.Add(1)
			s.logHTTP()
			return false
		}
	}
}

// badRequest answers a malformed request with 400 (or the status the
// parser chose) and logs it as HAProxy does: PR--, "<BADREQ>".
func (s *session) badRequest(fe *Frontend, err error) {
	status := 400
	if pe := asH1Error(err); pe != nil && pe.Status != 0 {
		status = pe.Status
	}
	s.x.badReq = true
	fe.Counters.ErrReq.Add(1)
	s.e.recordError(s, fe.Name, err, s.cr.buffered())
	s.sendError(status, 'P', 'R', true)
	s.logHTTP()
}

// abortRequest answers a request that reached no server, logs it and
// tells whether the connection may serve another request.
func (s *session) abortRequest(status int, cause, phase byte) (bool, bool) {
	x := &s.x
	s.skipRequestBody()
	s.sendError(status, cause, phase, x.closeClient)
	s.logHTTP()
	return !x.closeClient, false
}

// skipRequestBody consumes the request head and, when it is fully
// buffered, its body, so that the connection can go on with the next
// request; otherwise the connection is closed after the response.
func (s *session) skipRequestBody() {
	x, req := &s.x, &s.req
	if !x.parsed {
		return
	}
	if !wantsKeepAlive(req) {
		x.closeClient = true
	}
	if x.headConsumed {
		if !x.bodyConsumed {
			x.closeClient = true
		}
		return
	}
	s.cr.consume(req.HeadLen)
	x.headConsumed = true
	mode, n := req.BodyFraming()
	switch {
	case mode == h1.BodyNone:
	case mode == h1.BodyLength && int64(len(s.cr.buffered())) >= n:
		x.bytesIn += n
		s.cr.consume(int(n))
	default:
		x.closeClient = true
	}
	x.bodyConsumed = true
}

// wantsKeepAlive reports whether the client asked to keep its connection:
// HTTP/1.1 unless "close", HTTP/1.0 only with "keep-alive".
func wantsKeepAlive(req *h1.Request) bool {
	if req.ConnClose {
		return false
	}
	return req.Minor >= 1 || req.ConnKeepAlive
}

// sendError sends one of HAProxy's error pages and records the status and
// the termination state.
func (s *session) sendError(status int, cause, phase byte, closeConn bool) {
	x := &s.x
	if status == 400 || status == 408 {
		closeConn = true
	}
	if x.parsed && !wantsKeepAlive(&s.req) {
		closeConn = true
	}
	page := errorPage(status, closeConn && x.parsed && s.req.Minor == 0)
	if custom := x.errorFile(status); custom != nil {
		// errorfile: sent as is, as HAProxy does.
		page = custom
	}
	x.status = status
	x.fail(cause, phase)
	if closeConn {
		x.closeClient = true
	}
	setWriteTimeout(s.conn, firstNonZero(x.fe.tmo.client, 5*time.Second))
	n, _ := s.cio.Write(page)
	x.bytesOut += int64(n)
	s.feCounters.BytesOut.Add(int64(n))
	x.fe.Counters.CountStatus(status)
	if x.be != nil {
		x.be.Counters.CountStatus(status)
	}
}

// logHTTP logs the exchange in HAProxy's httplog format.
func (s *session) logHTTP() {
	x := &s.x
	fe := x.fe
	// Bytes of plain exchanges count for the backend and server too
	// (a tunnel accounts for its own).
	if x.be != nil {
		x.be.Counters.BytesIn.Add(x.bytesIn)
		x.be.Counters.BytesOut.Add(x.bytesOut)
	}
	if x.srv != nil {
		x.srv.Counters.BytesIn.Add(x.bytesIn)
		x.srv.Counters.BytesOut.Add(x.bytesOut)
	}
	now := time.Now()
	if x.be != nil {
		recordTimes(x.be.Counters, x.srv, x.be.Mode == config.ModeHTTP, x.tW, x.tC, x.tRsp, x.ms(now))
	}
	if fe.log == nil {
		return
	}
	if fe.flags.dontlogNormal && x.term[0] == '-' && x.status < 500 {
		return
	}
	e := &s.ent
	s.fillEntry(e, now)
	bp := bufPool.Get().(*[]byte)
	var b []byte
	switch {
	case fe.logFormat != nil:
		b = fe.logFormat.f.Append((*bp)[:0], e)
	case fe.flags.httplog && fe.Mode == config.ModeHTTP:
		b = logging.AppendHTTPLog((*bp)[:0], e)
	case fe.flags.tcplog || fe.flags.httplog:
		// HAProxy turns httplog into tcplog on a mode tcp frontend.
		b = logging.AppendTCPLog((*bp)[:0], e)
	}
	if b != nil {
		fe.log.Log(logging.Info, b)
	}
	bufPool.Put(bp)
}

// recordTimes feeds a finished session's queue, connect, response and
// total times (ms) to the averages of its backend and of srv (nil when
// none). Like HAProxy, a session that never connected or, in mode http,
// never got a response head (tr < 0) counts for none; in mode tcp the
// response time is 0.
func recordTimes(be *backend.Counters, srv *backend.Server, http bool, tw, tc, tr, ta int64) {
	if !http {
		tr = 0
	}
	if tc < 0 || tr < 0 {
		return
	}
	v := [4]int64{tw, tc, tr, ta}
	if srv != nil {
		srv.Counters.Times.Add(srv.Counters.Samples(http), v)
	}
	be.Times.Add(be.Samples(http), v)
}

// fillEntry fills a log entry from the exchange.
func (s *session) fillEntry(e *logging.Entry, now time.Time) {
	x := &s.x
	*e = logging.Entry{
		ClientAddr: s.src, FrontendAddr: s.dst, Accept: s.accept, Start: x.start,
		Frontend: x.fe.Name, Mode: "http",
		TR: x.tR, Tw: x.tW, Tc: x.tC, Tr: x.tRsp, Ta: x.ms(now),
		Tt:     int64(now.Sub(s.accept) / time.Millisecond),
		Status: x.status, Bytes: x.bytesOut, BytesUp: x.bytesIn,
		Termination: [4]byte{x.term[0], x.term[1], '-', '-'},
		ActConn:     s.e.actconn.Load(), FeConn: x.fe.Counters.Cur.Load(),
		Retries: x.retries, Redispatched: x.redispatched, SrvQueue: x.srvQueue, BeQueue: x.beQueue,
		Request: s.line, BadReq: x.badReq,
		ReqCaptures: s.reqCaps, RespCaptures: s.respCaps, Samples: s.logSamples, UniqueID: s.uid,
	}
	if x.start.IsZero() {
		e.Start = s.accept
		e.Ta = int64(now.Sub(s.accept) / time.Millisecond)
	}
	// HAProxy logs once the session left its backend and server, so the
	// counters it shows do not include this exchange.
	switch {
	case x.be != nil:
		e.Backend = x.be.Name
		e.BeConn = x.be.Counters.Cur.Load() - 1
	default:
		e.Backend = x.fe.Name
	}
	if x.srvName != "" {
		e.Server = x.srvName
	} else if x.srv != nil {
		e.Server = x.srv.Name
		e.SrvConn = x.srv.Counters.Cur.Load()
		if x.slot {
			e.SrvConn--
		}
	} else {
		e.Server = "<NOSRV>"
	}
	if x.noRoute || !x.parsed {
		e.TR = -1
	}
	if x.ckReq != 0 {
		e.Termination[2], e.Termination[3] = x.ckReq, x.ckResp
	}
	if x.badReq && (x.status == 400 || x.status == 408) {
		// 400 and 408 come from HAProxy's multiplexer, which counts no
		// bytes for them: logged as "400 0", "408 0" (observed on 2.6).
		e.Bytes = 0
	}
}

// writeClient sends b to the client under timeout client.
func (s *session) writeClient(b []byte) error {
	setWriteTimeout(s.conn, s.x.fe.tmo.client)
	n, err := s.cio.Write(b)
	s.x.bytesOut += int64(n)
	s.feCounters.BytesOut.Add(int64(n))
	return err
}

func firstNonZero(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}

var _ io.Writer = (*clientWriter)(nil)

// clientWriter writes to the client for body copies.
type clientWriter struct{ s *session }

func (w *clientWriter) Write(b []byte) (int, error) {
	if err := w.s.writeClient(b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// errorFile returns the `errorfile` content for status: the backend's when
// the request reached one, else the frontend's, else nil.
func (x *exchange) errorFile(status int) []byte {
	if x.be != nil {
		if p := x.be.Config.ErrorFiles[status]; p != nil {
			return p
		}
	}
	return x.fe.Config.ErrorFiles[status]
}

// captureRequest records what the frontend's log line needs from the
// request head before it is forwarded: `capture request header` values,
// the log-format's samples and the unique ID (sent to the server in
// unique-id-header).
func (s *session) captureRequest(fe *Frontend) {
	s.reqCaps, s.respCaps, s.logSamples, s.uid = s.reqCaps[:0], s.respCaps[:0], nil, nil
	for _, c := range fe.captureReq {
		s.reqCaps = append(s.reqCaps, captureValue(s.req.Headers, c))
	}
	if fe.logFormat != nil && len(fe.logFormat.samples) > 0 {
		var e logging.Entry
		s.fetchSamples(fe.logFormat, &e)
		s.logSamples = e.Samples
	}
	if fe.uniqueID != nil {
		s.uid = s.render(fe.uniqueID, nil)
		if fe.uniqueIDHeader != "" {
			s.setHeader(&s.req.Headers, fe.uniqueIDHeader, s.uid, false)
		}
	}
}

// captureValue returns the first value of the captured header, truncated
// to its length, as a copy (nil when absent).
func captureValue(hs []h1.Header, c *config.Capture) []byte {
	for i := range hs {
		if h1.EqualFoldString(hs[i].Name, c.Name) {
			v := hs[i].Value
			if len(v) > c.Len {
				v = v[:c.Len]
			}
			return append([]byte{}, v...)
		}
	}
	return []byte{}
}
