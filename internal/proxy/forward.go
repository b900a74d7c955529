package proxy

import (
	"errors"
	"io"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/h1"
)

// forward sends the request to the server on sc, relays the response and,
// after a 101, hands both connections to a tunnel.
func (s *session) forward(sc *serverConn) (keepAlive, tunnel bool) {
	x := &s.x
	fe, be, req := x.fe, x.be, &s.req
	be.Counters.Touch(x.parsedAt)

	mode := max(fe.ConnMode, be.ConnMode)
	upgrade := req.ConnUpgrade && !req.UpgradeH2C && hasField(req.Headers, "upgrade")
	rw := reqRewrite{upgrade: upgrade, closeServer: mode >= backend.ServerClose}
	s.forwardFor(&rw)
	s.out = appendRequestHead(s.out[:0], req, &rw)
	s.cr.consume(req.HeadLen)
	x.headConsumed = true
	x.bytesIn += int64(req.HeadLen)
	s.feCounters.BytesIn.Add(int64(req.HeadLen))

	// A body already in the buffer goes out with the head in one write,
	// which also makes the request replayable on a fresh connection.
	bodyMode, bodyLen := req.BodyFraming()
	bodyDone := bodyMode == h1.BodyNone
	if bodyMode == h1.BodyLength && s.bodyBuffered() {
		s.out = append(s.out, s.cr.buffered()[:bodyLen]...)
		s.cr.consume(int(bodyLen))
		x.bytesIn += bodyLen
		s.feCounters.BytesIn.Add(bodyLen)
		bodyDone = true
	}
	x.bodyConsumed = bodyDone
	// The whole request is in s.out: it can be sent again to another
	// server (retry-on) or on a new connection (a reused one that the
	// server had closed).
	replayable := bodyDone
	expect100 := !bodyDone && expectsContinue(req)
	stmo := be.Config.Timeouts.Server

	var srv *backend.Server
	var connected time.Time
	for attempt := 0; ; attempt++ {
		srv = x.srv
		srv.Attach(s)
		connected = time.Now()
		srv.Counters.Request(connected)
		srv.Counters.Touch(connected)
		err := s.sendHead(sc, stmo)
		if err != nil && sc.reused && replayable {
			// The server closed the idle connection as we reused it: replay
			// on a new connection, as HAProxy does for a reused connection.
			if sc, err = s.redial(sc); err == nil {
				err = s.sendHead(sc, stmo)
			}
		}
		if err != nil {
			srv.Detach(s)
			s.closeServer(sc)
			return s.serverFailed(err, 'S', 'H', 503)
		}
		if !bodyDone && !expect100 {
			if !s.sendBody(sc, bodyMode, bodyLen, stmo) {
				srv.Detach(s)
				s.closeServer(sc)
				return false, false
			}
			bodyDone, x.bodyConsumed = true, true
		}
		// Read the response head, relaying interim (1xx) responses.
		for {
			err = s.readResponseHead(sc, stmo)
			if err != nil && sc.reused && replayable && x.bytesOut == 0 && isEmptyResponse(err, sc) {
				if sc, err = s.redial(sc); err == nil {
					if err = s.sendHead(sc, stmo); err == nil {
						err = s.readResponseHead(sc, stmo)
					}
				}
			}
			if err != nil || s.resp.Status >= 200 || s.resp.Status == 101 {
				break
			}
			// 1xx: relay and wait for the final response. After a 100
			// Continue the client sends the body it held back.
			resp := &s.resp
			line := appendResponseHead(nil, resp, &respRewrite{})
			sc.r.consume(resp.HeadLen)
			if err := s.writeClient(line); err != nil {
				srv.Detach(s)
				s.closeServer(sc)
				s.releaseServer()
				x.fail('C', 'H')
				s.logHTTP()
				return false, false
			}
			if resp.Status == 100 && expect100 {
				expect100 = false
				if !s.sendBody(sc, bodyMode, bodyLen, stmo) {
					srv.Detach(s)
					s.closeServer(sc)
					return false, false
				}
				bodyDone, x.bodyConsumed = true, true
			}
		}
		if !s.retryResponse(err, replayable) {
			if err != nil {
				srv.Detach(s)
				s.closeServer(sc)
				return s.responseFailed(err)
			}
			break
		}
		// retry-on: the request goes again, to another server if HAProxy
		// would redispatch, on a new connection.
		if err == nil {
			s.e.observe(srv, ObsRespOK, s.resp.Status)
		} else {
			s.observeFailure(srv, err)
		}
		srv.Detach(s)
		s.closeServer(sc)
		next, ok := s.nextServer(srv)
		if !ok {
			return s.abortRequest(503, x.term[0], x.term[1])
		}
		if sc, ok = s.connectTo(next); !ok {
			s.releaseServer()
			return s.abortRequest(503, x.term[0], x.term[1])
		}
	}
	defer srv.Detach(s)
	resp := &s.resp
	s.e.observe(srv, ObsRespOK, resp.Status)
	// http-response rules: the backend's, then the frontend's.
	if len(x.respRules) > 0 {
		s.runResponseRules(x.respRules)
	}
	if len(fe.respRules) > 0 {
		s.runResponseRules(fe.respRules)
	}
	respAt := time.Now()
	if be.Cookie != nil {
		s.cookieResponse(respAt)
	}
	for _, c := range fe.captureResp {
		s.respCaps = append(s.respCaps, captureValue(resp.Headers, c))
	}
	x.tRsp = int64(respAt.Sub(connected) / time.Millisecond)
	x.status = resp.Status
	if s.e.opts.Debug != nil {
		line := h1.AppendStatusLine(nil, resp.Minor, resp.Status, resp.Reason)
		s.debugHead(be.Name, "srvrep", "srvhdr", line[:len(line)-2], resp.Headers)
	}
	fe.Counters.CountStatus(resp.Status)
	be.Counters.CountStatus(resp.Status)
	srv.Counters.CountStatus(resp.Status)

	if resp.Status == 101 {
		return s.switchProtocols(sc, upgrade)
	}
	if !bodyDone {
		// The server answered without waiting for the body (a final
		// response to Expect: 100-continue, or an early error): the body
		// will not be read, so the client connection cannot be reused.
		x.closeClient = true
	}
	return s.relayResponse(sc, mode, bodyDone)
}

// retryResponse tells whether the outcome of an attempt (err, or the
// response in s.resp) is one `retry-on` retries, and the request can be
// sent again: it is replayable, nothing reached the client yet, and
// retries are left.
func (s *session) retryResponse(err error, replayable bool) bool {
	x := &s.x
	r := &x.be.RetryOn
	if !replayable || x.bytesOut > 0 || x.retries >= x.be.Config.Retries || s.killed.Load() != 0 {
		return false
	}
	switch {
	case err == nil:
		return r.Status[s.resp.Status]
	case isTimeout(err):
		return r.ResponseTimeout
	case asH1Error(err) != nil || errors.Is(err, h1.ErrHeadTooLarge) || errors.Is(err, io.ErrUnexpectedEOF):
		return r.JunkResponse
	default:
		return r.EmptyResponse
	}
}

// observeFailure reports a failed response to passive health checks.
func (s *session) observeFailure(srv *backend.Server, err error) {
	switch {
	case isTimeout(err):
		s.e.observe(srv, ObsRespTimeout, 0)
	case asH1Error(err) != nil:
		s.e.observe(srv, ObsRespInvalid, 0)
	default:
		s.e.observe(srv, ObsRespAborted, 0)
	}
}

// sendHead writes the prepared request (s.out) to the server.
func (s *session) sendHead(sc *serverConn, stmo time.Duration) error {
	setWriteTimeout(sc.conn, stmo)
	_, err := sc.io.Write(s.out)
	return err
}

// sendBody streams the rest of the request body to the server.
func (s *session) sendBody(sc *serverConn, mode h1.BodyMode, n int64, stmo time.Duration) bool {
	x := &s.x
	var cs h1.ChunkedScanner
	w := timedWriter{w: &sc.io, tmo: stmo}
	res := copyBody(&w, &s.cr, mode, n, x.fe.tmo.client, &cs)
	x.bytesIn += res.n
	s.feCounters.BytesIn.Add(res.n)
	switch {
	case res.readErr != nil:
		x.closeClient = true
		if asH1Error(res.readErr) != nil {
			s.sendError(400, 'P', 'D', true)
		} else if isTimeout(res.readErr) {
			s.sendError(408, 'c', 'D', true)
		} else {
			x.fail('C', 'D')
			x.fe.Counters.CliAborts.Add(1)
		}
		s.logHTTP()
		return false
	case res.writeErr != nil:
		x.closeClient = true
		s.serverFailed(res.writeErr, 'S', 'D', 502)
		return false
	}
	return true
}

// redial replaces a reused connection that turned out closed by a new one.
func (s *session) redial(old *serverConn) (*serverConn, error) {
	old.Close()
	s.setServerConn(nil)
	addr, ok := s.x.srv.DialAddr(s.dst.Port())
	if !ok {
		return nil, errNoAddr
	}
	sc, err := dialServer(s.x.srv, s.x.be, addr, s.cr.lim)
	if err != nil {
		return nil, err
	}
	s.setServerConn(sc)
	return sc, nil
}

// isEmptyResponse reports a server that closed without sending anything.
func isEmptyResponse(err error, sc *serverConn) bool {
	return len(sc.r.buffered()) == 0 && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || isReset(err))
}

// readResponseHead reads and parses a response head under timeout server.
func (s *session) readResponseHead(sc *serverConn, stmo time.Duration) error {
	for {
		if len(sc.r.buffered()) > 0 {
			err := h1.ParseResponseLimits(&s.resp, sc.r.buffered(), s.cr.lim.head)
			if err != h1.ErrIncomplete {
				return err
			}
		}
		_, err := sc.r.fillTimeout(stmo)
		if err != nil {
			if err == errBufferFull {
				return h1.ErrHeadTooLarge
			}
			if err == io.EOF {
				if len(sc.r.buffered()) > 0 {
					return io.ErrUnexpectedEOF
				}
				return io.EOF
			}
			return err
		}
	}
}

// responseFailed answers the client when no valid response head came:
// 504 on timeout server (sH), 502 on a closed connection (SH) or an
// invalid head (PH).
func (s *session) responseFailed(err error) (bool, bool) {
	x := &s.x
	if k := s.killed.Load(); k != 0 {
		x.fail(byte(k), 'H')
		s.releaseServer()
		s.logHTTP()
		return false, false
	}
	switch {
	case isTimeout(err):
		s.e.observe(x.srv, ObsRespTimeout, 0)
		x.srv.Counters.ErrResp.Add(1)
		x.be.Counters.ErrResp.Add(1)
		return s.serverFailed(err, 's', 'H', 504)
	case asH1Error(err) != nil || errors.Is(err, h1.ErrHeadTooLarge):
		s.e.observe(x.srv, ObsRespInvalid, 0)
		x.srv.Counters.ErrResp.Add(1)
		x.be.Counters.ErrResp.Add(1)
		return s.serverFailed(err, 'P', 'H', 502)
	}
	s.e.observe(x.srv, ObsRespAborted, 0)
	x.srv.Counters.SrvAborts.Add(1)
	x.be.Counters.SrvAborts.Add(1)
	return s.serverFailed(err, 'S', 'H', 502)
}

// serverFailed answers status (unless something was already sent) after a
// server-side failure and ends the exchange.
func (s *session) serverFailed(err error, cause, phase byte, status int) (bool, bool) {
	x := &s.x
	s.releaseServer()
	if k := s.killed.Load(); k != 0 {
		cause = byte(k)
	}
	if x.bytesOut == 0 {
		s.skipRequestBody()
		s.sendError(status, cause, phase, true)
	} else {
		x.fail(cause, phase)
	}
	x.closeClient = true
	s.logHTTP()
	return false, false
}

// relayResponse sends the response head and body to the client and puts
// the server connection back in the pool when it can be reused.
func (s *session) relayResponse(sc *serverConn, mode backend.ConnMode, reqDone bool) (bool, bool) {
	x := &s.x
	req, resp := &s.req, &s.resp
	respMode, respLen := resp.BodyFraming(req.Method)
	clientKeep := !x.closeClient && wantsKeepAlive(req) && mode != backend.Close && respMode != h1.BodyUntilClose
	rw := respRewrite{close: !clientKeep, keepAlive10: clientKeep && req.Minor == 0}
	s.out = appendResponseHead(s.out[:0], resp, &rw)
	sc.r.consume(resp.HeadLen)
	done := respMode == h1.BodyNone
	if respMode == h1.BodyLength && int64(len(sc.r.buffered())) >= respLen && int64(len(s.out))+respLen <= 2*int64(s.cr.lim.size) {
		// Head and small body in one write.
		s.out = append(s.out, sc.r.buffered()[:respLen]...)
		sc.r.consume(int(respLen))
		done = true
	}
	if err := s.writeClient(s.out); err != nil {
		s.closeServer(sc)
		s.releaseServer()
		x.fail('C', 'D')
		x.fe.Counters.CliAborts.Add(1)
		s.logHTTP()
		return false, false
	}
	if !done {
		var cs h1.ChunkedScanner
		w := clientWriter{s}
		res := copyBody(&w, &sc.r, respMode, respLen, x.be.Config.Timeouts.Server, &cs)
		if res.readErr != nil || res.writeErr != nil {
			// The server side failed (S, s on timeout, P on an invalid
			// chunked body) or the client side did (C, c), unless an
			// operator or a state change killed the session.
			cause := byte('S')
			switch {
			case res.readErr != nil && isTimeout(res.readErr):
				cause = 's'
			case res.readErr != nil:
				if asH1Error(res.readErr) != nil {
					cause = 'P'
				}
			case isTimeout(res.writeErr):
				cause = 'c'
			default:
				cause = 'C'
			}
			if res.readErr != nil {
				x.srv.Counters.SrvAborts.Add(1)
			} else {
				x.fe.Counters.CliAborts.Add(1)
			}
			if k := s.killed.Load(); k != 0 {
				cause = byte(k)
			}
			x.fail(cause, 'D')
			s.closeServer(sc)
			s.releaseServer()
			s.logHTTP()
			return false, false
		}
	}
	serverKeep := mode == backend.KeepAlive && resp.KeepAlive() && respMode != h1.BodyUntilClose &&
		reqDone && len(sc.r.buffered()) == 0 && s.killed.Load() == 0
	s.setServerConn(nil)
	now := time.Now()
	pooled := false
	if serverKeep && sc.r.release() {
		// Set before Put: once pooled, another session may take sc at once.
		sc.reused, sc.pooled = false, now
		pooled = x.srv.Idle.Put(sc, now)
	}
	if !pooled {
		sc.Close()
	}
	s.releaseServer()
	s.logHTTP()
	return clientKeep, false
}

// closeServer closes a server connection that cannot be reused.
func (s *session) closeServer(sc *serverConn) {
	if sc != nil {
		sc.Close()
	}
	s.setServerConn(nil)
}

// forwardFor prepares the X-Forwarded-For field: the backend's option wins
// over the frontend's for the name; if-none needs both sides to say so.
func (s *session) forwardFor(rw *reqRewrite) {
	x := &s.x
	fe, be := x.fe.xff, x.be.ForwardFor
	if fe == nil && be == nil {
		return
	}
	src := s.src.Addr().Unmap()
	name := ""
	ifNone := true
	for _, ff := range []*backend.ForwardFor{fe, be} {
		if ff == nil {
			continue
		}
		if ff.HasExcept && ff.Except.Contains(src) {
			return
		}
		name = ff.Header
		ifNone = ifNone && ff.IfNone
	}
	if ifNone && hasField(s.req.Headers, name) {
		return
	}
	rw.xffName = name
	s.xffBuf = src.AppendTo(s.xffBuf[:0])
	rw.xffValue = s.xffBuf
}

func hasField(hs []h1.Header, name string) bool {
	for i := range hs {
		if h1.EqualFoldString(hs[i].Name, name) {
			return true
		}
	}
	return false
}

// expectsContinue reports "Expect: 100-continue" (RFC 9110 §10.1.1).
func expectsContinue(req *h1.Request) bool {
	for i := range req.Headers {
		if h1.EqualFoldString(req.Headers[i].Name, "expect") && h1.EqualFoldString(req.Headers[i].Value, "100-continue") {
			return true
		}
	}
	return false
}

// asH1Error returns the *h1.Error in err's chain, or nil. Unlike
// errors.As it needs no pointer to escape: the request path stays free of
// allocations.
func asH1Error(err error) *h1.Error {
	for err != nil {
		if pe, ok := err.(*h1.Error); ok {
			return pe
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return nil
		}
		err = u.Unwrap()
	}
	return nil
}
