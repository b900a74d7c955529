package proxy

// serveTCP runs a mode tcp session: route on what is known at accept time
// (addresses), choose and connect a server, then tunnel. It returns true
// when the connection was handed to a tunnel.
func (s *session) serveTCP(fe *Frontend) bool {
	x := &s.x
	x.reset(fe)
	x.start = s.accept
	x.tR = -1
	if fe.tcp != nil && !s.inspect(fe.tcp) {
		x.fail('P', 'R')
		s.logHTTP()
		return false
	}
	s.txn.Payload = s.cr.buffered()
	be := fe.route(&s.txn)
	s.txn.Payload = nil
	if be == nil || be.Config.Disabled {
		x.noRoute = true
		x.fail('S', 'C')
		s.logTCP()
		return false
	}
	x.be = be
	be.Counters.Enter()
	defer be.Counters.Leave()
	if br := s.e.gen.Load().beRules[be]; br != nil && br.tcp != nil && !s.inspect(br.tcp) {
		x.fail('P', 'R')
		s.logTCP()
		return false
	}
	sc, ok := s.connect()
	if !ok {
		s.logTCP()
		return false
	}
	// Bytes read while inspecting go to the server first.
	if pending := s.cr.buffered(); len(pending) > 0 {
		setWriteTimeout(sc.conn, be.Config.Timeouts.Server)
		if _, err := sc.io.Write(pending); err != nil {
			s.closeServer(sc)
			s.releaseServer()
			x.fail('S', 'D')
			s.logTCP()
			return false
		}
		x.bytesIn += int64(len(pending))
		s.cr.consume(len(pending))
	}
	s.setServerConn(nil)
	s.cr.drop()
	sc.r.drop()
	s.startTunnel(sc, true)
	return true
}

// logTCP logs a mode tcp session that never became a tunnel.
func (s *session) logTCP() {
	s.logHTTP()
}
