package health

import (
	"testing"
)

// TestObserveAllocs checks that passive-check counting, which runs on
// every request, allocates nothing.
func TestObserveAllocs(t *testing.T) {
	h := newHarness(t, `
backend be
    server s1 127.0.0.1:1001 check inter 1h observe layer7 error-limit 1000000000
    server s2 127.0.0.1:1002 check inter 1h
`, Options{})
	s1, s2 := h.srv("be", "s1"), h.srv("be", "s2")
	evs := []Event{EventL4OK, EventHTTPOK, StatusEvent(503), EventHTTPReadTimeout}
	n := testing.AllocsPerRun(1000, func() {
		for _, ev := range evs {
			h.set.Observe(s1, ev)
			h.set.Observe(s2, ev)
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per run, want 0", n)
	}
}

func BenchmarkObserve(b *testing.B) {
	h := newHarness(b, `
backend be
    server s1 127.0.0.1:1001 check inter 1h observe layer7
`, Options{})
	s1 := h.srv("be", "s1")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.set.Observe(s1, EventHTTPOK)
		}
	})
}
