package health

import (
	"time"
)

// RampWeight returns the weight of a server elapsed into its slowstart
// period, and the percentage applied. HAProxy ramps the effective weight
// linearly from about 0 to 100% and rounds up, so that a server with a
// weight takes at least a little traffic (observed on 2.6: weight 20,
// slowstart 4s: 2, 7, 12, 17, 20 at one-second steps).
func RampWeight(target int, elapsed, slowstart time.Duration) (w, pct int) {
	if slowstart <= 0 || elapsed >= slowstart {
		return target, 100
	}
	pct = int((int64(max(elapsed, 0))*100 + int64(slowstart) - 1) / int64(slowstart))
	pct = max(pct, 1)
	w = (target*pct + 99) / 100
	return max(w, 1), pct
}

// rampStep is the time between two weight updates: a twentieth of the
// slowstart period, at least one second, as HAProxy.
func rampStep(slowstart time.Duration) time.Duration {
	return max(slowstart/20, time.Second)
}

// startRamp starts slowstart after the server came back UP: the weight
// restarts from about 0. Static algorithms cannot change weights at run
// time: there is no ramp for them.
func (c *Checker) startRamp(b *binding) {
	ss := b.cfg.Params.Slowstart
	if ss <= 0 || !b.be.LB.Dynamic() {
		return
	}
	if c.ramp == nil {
		if cur, _ := b.be.LB.Weight(c.srv.LB); cur <= 0 {
			return
		}
		c.ramp = time.NewTimer(rampStep(ss))
	} else {
		c.ramp.Reset(rampStep(ss))
	}
	c.rampStart = c.set.now()
	c.setRampWeight(0)
}

// advanceRamp moves the ramp one step, and ends it at 100%.
func (c *Checker) advanceRamp() {
	if c.ramp == nil {
		return
	}
	ss := c.bind.Load().cfg.Params.Slowstart
	if c.setRampWeight(c.set.now().Sub(c.rampStart)) < 100 {
		c.ramp.Reset(rampStep(ss))
		return
	}
	c.stopRampTimer()
}

// stopRamp ends a running ramp at once (the server went DOWN): the
// weight is restored.
func (c *Checker) stopRamp() {
	if c.ramp == nil {
		return
	}
	c.setRampWeight(c.bind.Load().cfg.Params.Slowstart)
	c.stopRampTimer()
}

func (c *Checker) stopRampTimer() {
	if c.ramp != nil {
		c.ramp.Stop()
		c.ramp = nil
	}
}

// setRampWeight applies the ramp for elapsed to the effective weight
// (the user weight stays) and returns the percentage.
func (c *Checker) setRampWeight(elapsed time.Duration) int {
	b := c.bind.Load()
	_, pct := RampWeight(1, elapsed, b.cfg.Params.Slowstart)
	// The balancer's error here is a server it no longer knows (a reload
	// in progress): nothing to ramp then.
	_ = b.be.LB.SetRamp(c.srv.LB, pct)
	c.publish(func(s *Snapshot) {
		if pct < 100 {
			s.Throttle = pct
		} else {
			s.Throttle = 0
		}
	})
	return pct
}
