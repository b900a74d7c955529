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

// housekeeping runs the engine's periodic chores until it stops: closing
// server connections idle for longer than the purge delay (HAProxy's
// pool-purge-delay), and updating the counters of the tunnels whose
// frontend has `option contstats`.
func (e *Engine) housekeeping() {
	defer e.acceptWG.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	lastStats := time.Now()
	for {
		select {
		case <-e.stopCh:
			return
		case now := <-t.C:
			for _, be := range e.gen.Load().Backends {
				for _, srv := range be.Servers {
					srv.Idle.Purge(now)
				}
			}
			if now.Sub(lastStats) >= contstatsEvery {
				lastStats = now
				e.accountTunnels()
			}
		}
	}
}

// accountTunnels adds what the tunnels moved since the last time to the
// counters (contstats).
func (e *Engine) accountTunnels() {
	e.tmu.Lock()
	list := make([]*tunnelEnd, 0, len(e.tunnelEnds))
	for te := range e.tunnelEnds {
		if te.contstats && te.t.Load() != nil {
			list = append(list, te)
		}
	}
	e.tmu.Unlock()
	for _, te := range list {
		t := te.t.Load()
		te.account(t.BytesUp(), t.BytesDown())
	}
}
