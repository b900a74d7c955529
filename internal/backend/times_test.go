package backend

import "testing"

func TestTimeStats(t *testing.T) {
	tests := []struct {
		name    string
		samples []int64 // response times, one per session
		avg     int64
		max     int64
	}{
		{"none", nil, 0, 0},
		{"one", []int64{10}, 10, 10},
		{"exact mean while the window fills", []int64{10, 20, 30}, 20, 30},
		{"rounded up", []int64{1, 2}, 2, 2},
		{"negative counts as zero", []int64{-1, 4}, 2, 4},
		{"steady load converges", repeat(7, 3000), 7, 7},
		{"old samples fade", append(repeat(1000, 600), repeat(10, 6000)...), 10, 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ts TimeStats
			for i, v := range tc.samples {
				ts.Add(int64(i+1), [4]int64{0, 0, v, 0})
			}
			n := int64(len(tc.samples))
			if got := ts.Avg(PhaseResponse, n); got != tc.avg {
				t.Errorf("average = %d, want %d", got, tc.avg)
			}
			if got := ts.Max(PhaseResponse); got != tc.max {
				t.Errorf("max = %d, want %d", got, tc.max)
			}
			if got := ts.Avg(PhaseQueue, n); got != 0 {
				t.Errorf("queue average = %d, want 0", got)
			}
		})
	}
}

func repeat(v int64, n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = v
	}
	return out
}
