// Command benchsuite measures, in one run, the cost of proxying HTTP and
// WebSocket traffic through hawser (built from this tree), HAProxy and
// nginx, next to the same load sent directly to the backends, and prints
// one Markdown table with each proxy's CPU per operation as a ratio to
// HAProxy's. See bench/README.md.
//
//	go run ./bench/cmd/benchsuite [-duration 4s] [-reps 3] [-out FILE]
//
// Everything runs on loopback, every listener below port 32768, every
// process started is stopped by its PID, and the whole run is bounded by
// -timeout.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/bench/curves"
	"github.com/hawser-lb/hawser/bench/peers"
	"github.com/hawser-lb/hawser/bench/report"
)

type options struct {
	duration  time.Duration
	reps      int
	targets   []peers.Kind
	tests     []string
	idleSteps []int
	curves    bool
	portBase  int
	out       string
	timeout   time.Duration
	hawserBin string
	benchTime time.Duration
}

func main() {
	var o options
	var targets, tests, idle string
	flag.DurationVar(&o.duration, "duration", 3*time.Second, "length of each measured run")
	flag.IntVar(&o.reps, "reps", 5, "repetitions of each test (the table shows medians)")
	flag.StringVar(&targets, "targets", "direct,hawser,haproxy,nginx", "targets to measure")
	flag.StringVar(&tests, "tests", "http,ws,handshake,bulk", "tests to run")
	flag.StringVar(&idle, "idle", "1000,5000,9500", "idle tunnel counts (empty: skip the idle test)")
	flag.BoolVar(&o.curves, "curves", true, "measure the ACL, server choice and compile curves")
	flag.IntVar(&o.portBase, "port-base", 21000, "first of the fixed loopback ports used (below 32768)")
	flag.StringVar(&o.out, "out", "", "also write the report to this file")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "bound on the whole run")
	flag.StringVar(&o.hawserBin, "hawser", "", "hawser binary (default: build ./cmd/hawser)")
	flag.DurationVar(&o.benchTime, "benchtime", 300*time.Millisecond, "time per point of the Go benchmark curves")
	flag.Parse()
	for _, t := range split(targets) {
		o.targets = append(o.targets, peers.Kind(t))
	}
	o.tests = split(tests)
	for _, s := range split(idle) {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > 9500 {
			fatalf("-idle: %q is not a count between 1 and 9500 (the 20,000-file limit)", s)
		}
		o.idleSteps = append(o.idleSteps, n)
	}
	if o.portBase < 1024 || o.portBase+64 >= 32768 {
		fatalf("-port-base must leave its ports between 1024 and 32767")
	}
	curves.SetBenchTime(o.benchTime)

	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := newSuite(ctx, o)
	if err != nil {
		fatalf("%v", err)
	}
	r, err := s.run(ctx)
	s.close()
	if err != nil {
		fatalf("%v", err)
	}
	md := "# Benchmark results\n\n" + r.Markdown()
	fmt.Print("\n" + md)
	if o.out != "" {
		if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
			fatalf("%v", err)
		}
		if err := os.WriteFile(o.out, []byte(md), 0o644); err != nil {
			fatalf("%v", err)
		}
		logf("report written to %s", o.out)
	}
}

func split(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// logf reports progress on stderr, so that stdout carries the table only.
func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchsuite: "+format+"\n", args...)
	os.Exit(1)
}

// report.Report needs the test table even for tests not run.
var allTests = []report.Test{
	{ID: "http", Title: "HTTP keep-alive request (wrk -t2 -c64, 64-byte body)", Unit: "req", Goal: 1.2},
	{ID: "ws", Title: "WebSocket echo message (100 connections, 64 bytes)", Unit: "msg", Goal: 1.0},
	{ID: "handshake", Title: "WebSocket handshake (connect, upgrade, one echo, close; 32 loops, at most 10,000 per run)", Unit: "handshake", Goal: 1.2},
	{ID: "bulk", Title: "bulk tunnel, per MB echoed (1 connection, 64 KiB messages)", Unit: "MB", Goal: 0.7},
}
