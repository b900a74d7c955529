// Package load is the benchmark suite's load client: WebSocket modes
// over github.com/gobwas/ws (echo, handshake rate, bulk, idle tunnels)
// and an HTTP keep-alive client for machines without wrk.
//
// Each mode runs in two phases so that the suite measures the proxy's CPU
// over the measured phase only: Setup opens what the mode needs, Run
// drives traffic for a bounded time and count, Close releases it.
package load

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Result is what one measured phase did.
type Result struct {
	Mode string `json:"mode"`
	// Ops is the operations completed: requests, messages echoed,
	// handshakes, or (bulk) bytes echoed.
	Ops     float64 `json:"ops"`
	Unit    string  `json:"unit"`
	Seconds float64 `json:"seconds"`
	// P50 and P99 are latencies in microseconds: per request, per
	// message round trip, per handshake (connect to echo), per 64 KiB
	// message round trip (bulk).
	P50    float64 `json:"p50_us"`
	P99    float64 `json:"p99_us"`
	Errors int64   `json:"errors"`
}

// Options configure a mode.
type Options struct {
	// Addr is host:port of the proxy (or backend) under test.
	Addr string
	// Conns is the number of connections (echo, http) or concurrent
	// loops (handshake).
	Conns int
	// Size is the message size in bytes.
	Size int
	// Duration bounds the measured phase.
	Duration time.Duration
	// MaxOps bounds it too (0: only Duration).
	MaxOps int64
}

// Mode is one kind of load.
type Mode interface {
	// Setup opens the connections the mode keeps for its whole run.
	Setup(ctx context.Context) error
	// Run drives the load until Options.Duration or Options.MaxOps.
	Run(ctx context.Context) (Result, error)
	// Close releases everything Setup opened.
	Close()
}

var (
	_ Mode = (*echoMode)(nil)
	_ Mode = (*handshakeMode)(nil)
	_ Mode = (*bulkMode)(nil)
	_ Mode = (*httpMode)(nil)
)

// New returns the mode called name: "ws", "handshake", "bulk" or "http".
func New(name string, o Options) (Mode, error) {
	if o.Duration <= 0 {
		return nil, errors.New("load: duration must be positive")
	}
	switch name {
	case "ws":
		return &echoMode{o: o}, nil
	case "handshake":
		return &handshakeMode{o: o}, nil
	case "bulk":
		return &bulkMode{o: o}, nil
	case "http":
		return &httpMode{o: o}, nil
	}
	return nil, fmt.Errorf("load: unknown mode %q", name)
}

// dialer turns TCP keep-alive off, as HAProxy's clients do not need it
// and it costs four setsockopt calls per connection.
var dialer = net.Dialer{KeepAlive: -1, Timeout: 5 * time.Second}

// counter is an operation budget shared by a mode's goroutines.
type counter struct {
	limited bool
	left    atomic.Int64
}

func newCounter(max int64) *counter {
	c := &counter{limited: max > 0}
	c.left.Store(max)
	return c
}

// take reports whether one more operation may start.
func (c *counter) take() bool {
	return !c.limited || c.left.Add(-1) >= 0
}

// runWorkers runs n workers of a mode counting unit until the deadline (Options.Duration from
// now), the operation budget or ctx stops them, and times each operation.
// newOp prepares worker i and returns its operation. A failed operation
// ends its worker, or with retry pauses it a millisecond (so a refused
// connection does not make a busy loop) and goes on.
func runWorkers(ctx context.Context, o Options, n int, retry bool, mode, unit string, newOp func(i int, deadline time.Time) func() error) Result {
	budget := newCounter(o.MaxOps)
	deadline := time.Now().Add(o.Duration)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total Hist
		ops   atomic.Int64
		errs  atomic.Int64
	)
	start := time.Now()
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var h Hist
			op := newOp(i, deadline)
			for time.Now().Before(deadline) && ctx.Err() == nil && budget.take() {
				t0 := time.Now()
				if err := op(); err != nil {
					errs.Add(1)
					if !retry {
						break
					}
					time.Sleep(time.Millisecond)
					continue
				}
				h.Record(time.Since(t0))
				ops.Add(1)
			}
			mu.Lock()
			total.Merge(&h)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return Result{Ops: float64(ops.Load()), Seconds: time.Since(start).Seconds(),
		P50:    float64(total.Quantile(0.50)) / float64(time.Microsecond),
		P99:    float64(total.Quantile(0.99)) / float64(time.Microsecond),
		Errors: errs.Load()}
}

// finish fills the common fields of a result.
func finish(mode, unit string, ops float64, start time.Time, h *Hist, errs int64) Result {
	return Result{
		Mode: mode, Unit: unit, Ops: ops,
		Seconds: time.Since(start).Seconds(),
		P50:     float64(h.Quantile(0.50)) / float64(time.Microsecond),
		P99:     float64(h.Quantile(0.99)) / float64(time.Microsecond),
		Errors:  errs,
	}
}
