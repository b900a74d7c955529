package load

import (
	"context"
	"testing"
	"time"

	"github.com/hawser-lb/hawser/bench/backend"
)

func TestParseWrk(t *testing.T) {
	out := `Running 4s test @ http://127.0.0.1:21010/
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.02ms  412.11us   9.70ms   80.12%
    Req/Sec    31.20k     1.10k   33.50k    70.00%
  Latency Distribution
     50%  960.00us
     75%    1.20ms
     90%    1.50ms
     99%    2.49ms
  248310 requests in 4.00s, 36.23MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:  62077.50
Transfer/sec:      9.06MB
`
	r, err := ParseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ops != 248310 || r.Seconds != 4 || r.P50 != 960 || r.P99 != 2490 || r.Errors != 7 {
		t.Errorf("got %+v", r)
	}
	if _, err := ParseWrk("unable to connect to 127.0.0.1:1 Connection refused"); err == nil {
		t.Error("no error for a failed run")
	}
}

func TestHistQuantiles(t *testing.T) {
	var h Hist
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Microsecond)
	}
	for _, c := range []struct {
		q    float64
		want time.Duration
	}{{0.5, 500 * time.Microsecond}, {0.99, 990 * time.Microsecond}} {
		got := h.Quantile(c.q)
		if got < c.want || float64(got) > 1.05*float64(c.want) {
			t.Errorf("q%.2f = %v, want %v within 5%%", c.q, got, c.want)
		}
	}
}

// TestModesAgainstBackend runs every mode briefly against the backend
// pool directly.
func TestModesAgainstBackend(t *testing.T) {
	p, err := backend.Listen([]string{"127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	addr := p.Addrs()[0]
	for _, c := range []struct {
		mode        string
		conns, size int
	}{{"ws", 4, 64}, {"handshake", 2, 64}, {"bulk", 1, 64 << 10}, {"http", 4, 0}} {
		t.Run(c.mode, func(t *testing.T) {
			m, err := New(c.mode, Options{Addr: addr, Conns: c.conns, Size: c.size, Duration: 200 * time.Millisecond, MaxOps: 200})
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			ctx := context.Background()
			if err := m.Setup(ctx); err != nil {
				t.Fatal(err)
			}
			r, err := m.Run(ctx)
			if err != nil || r.Errors != 0 || r.Ops == 0 || r.P50 <= 0 {
				t.Errorf("%+v, %v", r, err)
			}
		})
	}
	h := NewIdle(addr)
	defer h.Close()
	if err := h.Grow(context.Background(), 20); err != nil || h.Len() != 20 {
		t.Errorf("idle: %d held, %v", h.Len(), err)
	}
}
