package proxy

import "time"

// contstatsEvery is how often `option contstats` updates the traffic
// counters of long-lived tunnels (HAProxy does it about every 5 s).
const contstatsEvery = 5 * time.Second

// trackTunnel registers a tunnel for contstats accounting and
// ActiveTunnels.
func (e *Engine) trackTunnel(te *tunnelEnd) {
	e.tmu.Lock()
	if e.tunnelEnds == nil {
		e.tunnelEnds = map[*tunnelEnd]struct{}{}
	}
	e.tunnelEnds[te] = struct{}{}
	e.tmu.Unlock()
}

func (e *Engine) untrackTunnel(te *tunnelEnd) {
	e.tmu.Lock()
	delete(e.tunnelEnds, te)
	e.tmu.Unlock()
}

// contstatsLoop updates the counters of the tunnels whose frontend has
// `option contstats`, until the engine stops.
func (e *Engine) contstatsLoop() {
	defer e.acceptWG.Done()
	t := time.NewTicker(contstatsEvery)
	defer t.Stop()
	for {
		select {
		case <-e.stopCh:
			return
		case <-t.C:
			e.accountTunnels()
		}
	}
}

// accountTunnels adds what the tunnels moved since the last time to the
// counters (contstats).
func (e *Engine) accountTunnels() {
	e.tmu.Lock()
	list := make([]*tunnelEnd, 0, len(e.tunnelEnds))
	for te := range e.tunnelEnds {
		if te.contstats && te.t != nil {
			list = append(list, te)
		}
	}
	e.tmu.Unlock()
	for _, te := range list {
		te.account(te.t.BytesUp(), te.t.BytesDown())
	}
}
