package report

import (
	"strings"
	"testing"
	"time"
)

func TestMarkdownRatios(t *testing.T) {
	r := &Report{
		Date:     time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC),
		Tests:    []Test{{ID: "ws", Title: "echo", Unit: "msg", Goal: 1.0}},
		Targets:  []string{"direct", "hawser", "haproxy"},
		IdleTest: 1000, IdleGoal: 0.5,
		Measures: []Measure{
			{Test: "ws", Target: "direct", Throughput: 100000},
			{Test: "ws", Target: "hawser", Throughput: 60000, CPUPerOp: 9 * time.Microsecond},
			{Test: "ws", Target: "haproxy", Throughput: 50000, CPUPerOp: 12 * time.Microsecond},
		},
		Idle: []IdlePoint{{Target: "hawser", Tunnels: 1000, RSSDelta: 1 << 20}, {Target: "haproxy", Tunnels: 1000, RSSDelta: 4 << 20}},
	}
	md := r.Markdown()
	for _, want := range []string{
		"| echo | direct | 100000 msg/s |",
		"| hawser | 60000 msg/s | — | — | 9 µs | 0.75 |",
		"| echo | 0.75 | ≤ 1.0 | yes |",
		"| memory per idle tunnel (1000 tunnels) | 0.25 | ≤ 0.5 | yes |",
		"1 MiB (1.02 KiB each)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}
