package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hawser-lb/hawser/bench/load"
	"github.com/hawser-lb/hawser/bench/peers"
	"github.com/hawser-lb/hawser/bench/procstat"
	"github.com/hawser-lb/hawser/bench/report"
)

// testSpec is how the suite drives one test.
type testSpec struct {
	mode  string
	conns int
	size  int
	// scale converts the client's operations to the table's unit
	// (bulk counts bytes, the table MB).
	scale float64
	// maxOps bounds a run besides its duration (0: duration only). Each
	// handshake leaves two sockets in TIME_WAIT for a minute on this
	// machine that other people use too; 10,000 per run still measure
	// over a second of the proxy's CPU.
	maxOps int
}

var testSpecs = map[string]testSpec{
	"http":      {mode: "http", conns: 64, size: 64, scale: 1},
	"ws":        {mode: "ws", conns: 100, size: 64, scale: 1},
	"handshake": {mode: "handshake", conns: 32, size: 64, scale: 1, maxOps: 10000},
	"bulk":      {mode: "bulk", conns: 1, size: 64 << 10, scale: 1e-6},
}

// sample is one measured run.
type sample struct {
	res load.Result
	cpu time.Duration // the proxy's CPU over the run; 0 for direct
}

// runLoad starts every proxy, then runs each test against each target,
// reps times, rotating the target order so that no target always runs
// first or last, and fills r.Measures with the medians.
func (s *suite) runLoad(ctx context.Context, r *report.Report) error {
	if len(r.Tests) == 0 {
		return nil
	}
	type running struct {
		kind peers.Kind
		addr string
		proc *peers.Proc // nil for direct
	}
	var targets []running
	for _, t := range r.Targets {
		k := peers.Kind(t)
		if k == peers.Direct {
			targets = append(targets, running{kind: k, addr: s.backends[0]})
			continue
		}
		i := slices.IndexFunc(s.peers, func(p *peers.Peer) bool { return p.Kind == k })
		proc, err := s.startPeer(s.peers[i])
		if err != nil {
			return err
		}
		defer s.stopPeer(proc)
		targets = append(targets, running{kind: k, addr: s.peers[i].Listen, proc: proc})
	}
	samples := map[[2]string][]sample{}
	for rep := range s.o.reps {
		for _, t := range r.Tests {
			for j := range targets {
				tg := targets[(j+rep)%len(targets)]
				if err := ctx.Err(); err != nil {
					return err
				}
				var pids []int
				if tg.proc != nil {
					var err error
					if pids, err = tg.proc.Tree(); err != nil {
						return fmt.Errorf("%s: %w", tg.kind, err)
					}
				}
				smp, err := s.runOne(ctx, t.ID, tg.addr, pids)
				if err != nil {
					return fmt.Errorf("%s against %s: %w", t.ID, tg.kind, err)
				}
				spec := testSpecs[t.ID]
				msg := fmt.Sprintf("rep %d %-9s %-7s %10.0f %s/s", rep+1, t.ID, tg.kind, smp.res.Ops*spec.scale/smp.res.Seconds, t.Unit)
				if smp.cpu > 0 && smp.res.Ops > 0 {
					msg += fmt.Sprintf("  cpu/op %s", report.Duration(time.Duration(float64(smp.cpu)/(smp.res.Ops*spec.scale))))
				}
				if smp.res.Errors > 0 {
					msg += fmt.Sprintf("  errors %d", smp.res.Errors)
				}
				logf("%s", msg)
				key := [2]string{t.ID, string(tg.kind)}
				samples[key] = append(samples[key], smp)
			}
		}
	}
	for _, t := range r.Tests {
		ref := samples[[2]string{t.ID, string(peers.HAProxy)}]
		for _, tg := range targets {
			ss := samples[[2]string{t.ID, string(tg.kind)}]
			m := summarise(t.ID, string(tg.kind), testSpecs[t.ID].scale, ss)
			m.Ratios = pairedRatios(ss, ref)
			r.Measures = append(r.Measures, m)
		}
	}
	return nil
}

// pairedRatios divides each repetition's CPU per operation by HAProxy's
// in the same repetition.
func pairedRatios(ss, ref []sample) []float64 {
	if len(ss) != len(ref) {
		return nil
	}
	var out []float64
	for i := range ss {
		a, b := ss[i].cpuPerOp(), ref[i].cpuPerOp()
		if a > 0 && b > 0 {
			out = append(out, a/b)
		}
	}
	return out
}

// cpuPerOp is the proxy's CPU nanoseconds per client operation (0 when
// not measured).
func (s sample) cpuPerOp() float64 {
	if s.cpu <= 0 || s.res.Ops <= 0 {
		return 0
	}
	return float64(s.cpu) / s.res.Ops
}

// summarise takes the median of each figure over the repetitions.
func summarise(test, target string, scale float64, ss []sample) report.Measure {
	m := report.Measure{Test: test, Target: target, Reps: len(ss)}
	var tput, p50, p99, cpu []float64
	for _, s := range ss {
		ops := s.res.Ops * scale
		m.Errors += s.res.Errors
		if s.res.Seconds > 0 {
			tput = append(tput, ops/s.res.Seconds)
		}
		p50 = append(p50, s.res.P50)
		p99 = append(p99, s.res.P99)
		if s.cpu > 0 && ops > 0 {
			cpu = append(cpu, float64(s.cpu)/ops)
		}
	}
	m.Throughput = report.Median(tput)
	m.P50 = time.Duration(report.Median(p50) * float64(time.Microsecond))
	m.P99 = time.Duration(report.Median(p99) * float64(time.Microsecond))
	if c := report.Median(cpu); c > 0 {
		m.CPUPerOp = time.Duration(c)
		m.Spread = (slices.Max(cpu) - slices.Min(cpu)) / c
	}
	return m
}

// runOne runs one test against addr and reads the CPU time of pids
// around its measured phase.
func (s *suite) runOne(ctx context.Context, test, addr string, pids []int) (sample, error) {
	spec := testSpecs[test]
	if spec.mode == "http" && s.wrk != "" {
		return s.runWrk(ctx, addr, pids)
	}
	args := []string{
		"-mode", spec.mode, "-addr", addr,
		"-conns", strconv.Itoa(spec.conns), "-size", strconv.Itoa(spec.size),
		"-duration", s.o.duration.String(), "-max-ops", strconv.Itoa(spec.maxOps),
	}
	c, err := startClient(ctx, s.loadBin, args)
	if err != nil {
		return sample{}, err
	}
	defer c.stop()
	if _, err := c.expect("ready", time.Minute); err != nil {
		return sample{}, err
	}
	cpu0, err := procstat.CPU(pids)
	if err != nil {
		return sample{}, err
	}
	if err := c.send("go"); err != nil {
		return sample{}, err
	}
	line, err := c.expect("{", s.o.duration+time.Minute)
	if err != nil {
		return sample{}, err
	}
	cpu1, err := procstat.CPU(pids)
	if err != nil {
		return sample{}, err
	}
	var res load.Result
	if err := json.Unmarshal([]byte(line), &res); err != nil {
		return sample{}, fmt.Errorf("benchload printed %q: %w", line, err)
	}
	return sample{res: res, cpu: cpu1 - cpu0}, nil
}

// runWrk runs wrk -t2 -c64 against addr.
func (s *suite) runWrk(ctx context.Context, addr string, pids []int) (sample, error) {
	ctx, cancel := context.WithTimeout(ctx, s.o.duration+time.Minute)
	defer cancel()
	cpu0, err := procstat.CPU(pids)
	if err != nil {
		return sample{}, err
	}
	// CommandContext kills wrk (by its PID) if it overruns.
	out, err := exec.CommandContext(ctx, s.wrk, load.WrkArgs(addr, 2, 64, s.o.duration)...).CombinedOutput()
	if err != nil {
		return sample{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	cpu1, err := procstat.CPU(pids)
	if err != nil {
		return sample{}, err
	}
	res, err := load.ParseWrk(string(out))
	return sample{res: res, cpu: cpu1 - cpu0}, err
}

// client is a running benchload process and its line protocol.
type client struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  chan string
	stderr bytes.Buffer
	exited chan struct{}
}

func startClient(ctx context.Context, bin string, args []string) (*client, error) {
	c := &client{cmd: exec.Command(bin, args...), lines: make(chan string, 16), exited: make(chan struct{})}
	c.cmd.Stderr = &c.stderr
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := c.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting benchload: %w", err)
	}
	go func() {
		defer close(c.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			c.lines <- sc.Text()
		}
	}()
	go func() {
		c.cmd.Wait()
		close(c.exited)
	}()
	return c, nil
}

var errClientExited = errors.New("benchload exited")

// expect waits for a line starting with prefix; an "error" line or the
// end of the output is an error.
func (c *client) expect(prefix string, timeout time.Duration) (string, error) {
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-c.lines:
			if !ok {
				<-c.exited
				return "", fmt.Errorf("%w: %s", errClientExited, strings.TrimSpace(c.stderr.String()))
			}
			if strings.HasPrefix(line, prefix) {
				return line, nil
			}
			if strings.HasPrefix(line, "error") {
				return "", fmt.Errorf("benchload: %s", line)
			}
		case <-deadline:
			return "", fmt.Errorf("benchload: no %q line after %v", prefix, timeout)
		}
	}
}

func (c *client) send(line string) error {
	_, err := io.WriteString(c.stdin, line+"\n")
	return err
}

// stop closes the client's input (it then exits) and kills it by PID if
// it has not exited within 30 seconds.
func (c *client) stop() {
	c.stdin.Close()
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
}
