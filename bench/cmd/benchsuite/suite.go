package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/hawser-lb/hawser/bench/peers"
	"github.com/hawser-lb/hawser/bench/report"
)

// suite holds what one run started: the work directory, the binaries it
// built, the backend pool and the proxies. close stops every process by
// its PID.
type suite struct {
	o        options
	dir      string
	loadBin  string
	backends []string
	backend  *peers.Proc
	peers    []*peers.Peer // installed proxies, in target order
	wrk      string        // "" without wrk
	notes    []string
	procs    []*peers.Proc // running proxies, stopped by close
}

func newSuite(ctx context.Context, o options) (*suite, error) {
	dir, err := os.MkdirTemp("", "hawser-bench-")
	if err != nil {
		return nil, err
	}
	s := &suite{o: o, dir: dir}
	if err := s.build(ctx); err != nil {
		s.close()
		return nil, err
	}
	if err := s.findPeers(); err != nil {
		s.close()
		return nil, err
	}
	if err := s.startBackends(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// build compiles the load client, the backend pool and (unless given)
// hawser from this tree.
func (s *suite) build(ctx context.Context) error {
	bins := map[string]string{
		"benchload":    "./bench/cmd/benchload",
		"benchbackend": "./bench/cmd/benchbackend",
	}
	if s.o.hawserBin == "" {
		bins["hawser"] = "./cmd/hawser"
		s.o.hawserBin = filepath.Join(s.dir, "hawser")
	}
	for name, pkg := range bins {
		logf("building %s", pkg)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(s.dir, name), pkg)
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("building %s: %v\n%s", pkg, err, out)
		}
	}
	s.loadBin = filepath.Join(s.dir, "benchload")
	return nil
}

func (s *suite) port(offset int) string {
	return fmt.Sprintf("127.0.0.1:%d", s.o.portBase+offset)
}

// findPeers looks for the proxies and wrk; missing ones are skipped with
// the apt-get line that installs them.
func (s *suite) findPeers() error {
	for i, k := range []peers.Kind{peers.Hawser, peers.HAProxy, peers.Nginx} {
		if !slices.Contains(s.o.targets, k) {
			continue
		}
		bin := s.o.hawserBin
		if k != peers.Hawser {
			var ok bool
			if bin, ok = peers.Find(k); !ok {
				msg := peers.Missing(k)
				logf("%s", msg)
				s.notes = append(s.notes, msg)
				continue
			}
		}
		s.peers = append(s.peers, &peers.Peer{Kind: k, Bin: bin, Listen: s.port(10 + i), Version: peers.VersionOf(k, bin)})
	}
	if p, err := exec.LookPath("wrk"); err == nil {
		s.wrk = p
	} else {
		msg := "wrk not found (apt-get install -y wrk): the HTTP test uses benchload's own keep-alive client"
		logf("%s", msg)
		s.notes = append(s.notes, msg)
	}
	return nil
}

// startBackends starts the backend pool: two servers in one process.
func (s *suite) startBackends() error {
	s.backends = []string{s.port(1), s.port(2)}
	argv := []string{filepath.Join(s.dir, "benchbackend"), "-listen", s.backends[0] + "," + s.backends[1]}
	p, err := peers.Start("benchbackend", argv, nil)
	if err != nil {
		return err
	}
	s.backend = p
	for _, a := range s.backends {
		if err := p.WaitListening(a, 10*time.Second); err != nil {
			return err
		}
	}
	return nil
}

func (s *suite) params() peers.Params {
	return peers.Params{Servers: s.backends, Maxconn: 9800}
}

// startPeer starts a fresh instance of a proxy in its own directory.
func (s *suite) startPeer(p *peers.Peer) (*peers.Proc, error) {
	dir, err := os.MkdirTemp(s.dir, string(p.Kind)+"-")
	if err != nil {
		return nil, err
	}
	proc, err := p.Start(dir, s.params())
	if err != nil {
		return nil, err
	}
	s.procs = append(s.procs, proc)
	return proc, nil
}

// stopPeer stops a proxy started by startPeer.
func (s *suite) stopPeer(proc *peers.Proc) {
	if err := proc.Stop(); err != nil {
		logf("%v", err)
	}
	s.procs = slices.DeleteFunc(s.procs, func(p *peers.Proc) bool { return p == proc })
}

// close stops every process the suite started and removes its files.
func (s *suite) close() {
	for _, p := range s.procs {
		if err := p.Stop(); err != nil {
			logf("%v", err)
		}
	}
	s.procs = nil
	if s.backend != nil {
		s.backend.Stop()
	}
	os.RemoveAll(s.dir)
}

// run measures everything and returns the report.
func (s *suite) run(ctx context.Context) (*report.Report, error) {
	r := &report.Report{
		Date:     time.Now(),
		IdleGoal: 0.5,
		Notes:    s.notes,
	}
	r.Machine = machine()
	r.Versions = s.versions()
	r.Settings = s.settings()
	for _, t := range s.o.targets {
		if t == peers.Direct || slices.ContainsFunc(s.peers, func(p *peers.Peer) bool { return p.Kind == t }) {
			r.Targets = append(r.Targets, string(t))
		}
	}
	for _, t := range allTests {
		if slices.Contains(s.o.tests, t.ID) {
			r.Tests = append(r.Tests, t)
		}
	}
	if err := s.runLoad(ctx, r); err != nil {
		return nil, err
	}
	if len(s.o.idleSteps) > 0 {
		if err := s.runIdle(ctx, r); err != nil {
			return nil, err
		}
		r.IdleTest = s.o.idleSteps[len(s.o.idleSteps)-1]
	}
	if s.o.curves {
		if err := s.runCurves(ctx, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}
