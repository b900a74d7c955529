package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/hawser-lb/hawser/bench/peers"
	"github.com/hawser-lb/hawser/bench/procstat"
	"github.com/hawser-lb/hawser/bench/report"
)

// idleSettle is how long the suite waits after each step before reading
// the proxy's memory.
const idleSettle = 2 * time.Second

// runIdle measures each proxy's resident memory against the number of
// idle WebSockets it tunnels. Each proxy starts fresh, is warmed up (a
// burst of handshakes fills its pools), and its baseline is read before
// the first tunnel is held.
func (s *suite) runIdle(ctx context.Context, r *report.Report) error {
	for _, p := range s.peers {
		if err := ctx.Err(); err != nil {
			return err
		}
		pts, err := s.idleRamp(ctx, p)
		if err != nil {
			return fmt.Errorf("idle tunnels through %s: %w", p.Kind, err)
		}
		r.Idle = append(r.Idle, pts...)
	}
	return nil
}

func (s *suite) idleRamp(ctx context.Context, p *peers.Peer) ([]report.IdlePoint, error) {
	proc, err := s.startPeer(p)
	if err != nil {
		return nil, err
	}
	defer s.stopPeer(proc)
	warm, err := startClient(ctx, s.loadBin, []string{"-mode", "handshake", "-addr", p.Listen, "-conns", "32", "-duration", "1s", "-max-ops", "3000"})
	if err != nil {
		return nil, err
	}
	if _, err := warm.expect("ready", time.Minute); err == nil {
		warm.send("go")
		_, err = warm.expect("{", time.Minute)
	}
	warm.stop()
	if err != nil {
		return nil, fmt.Errorf("warm-up: %w", err)
	}

	c, err := startClient(ctx, s.loadBin, []string{"-mode", "idle", "-addr", p.Listen})
	if err != nil {
		return nil, err
	}
	defer c.stop()
	time.Sleep(idleSettle)
	pids, err := proc.Tree()
	if err != nil {
		return nil, err
	}
	base, err := procstat.RSS(pids)
	if err != nil {
		return nil, err
	}
	var out []report.IdlePoint
	for _, n := range s.o.idleSteps {
		if err := c.send("grow " + strconv.Itoa(n)); err != nil {
			return nil, err
		}
		if _, err := c.expect("held", 3*time.Minute); err != nil {
			return nil, err
		}
		time.Sleep(idleSettle)
		if pids, err = proc.Tree(); err != nil {
			return nil, err
		}
		rss, err := procstat.RSS(pids)
		if err != nil {
			return nil, err
		}
		out = append(out, report.IdlePoint{Target: string(p.Kind), Tunnels: n, RSSDelta: rss - base})
		logf("idle %-7s %5d tunnels: RSS +%s (%s each)", p.Kind, n, report.Bytes(float64(rss-base)), report.Bytes(float64(rss-base)/float64(n)))
	}
	c.send("quit")
	return out, nil
}
