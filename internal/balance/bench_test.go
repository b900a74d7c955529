package balance

import (
	"strconv"
	"testing"
)

// BenchmarkPick measures one choice (and the release of its slot) for
// every algorithm with 3, 100 and 1000 servers of mixed weights.
func BenchmarkPick(b *testing.B) {
	for _, algo := range algorithms {
		b.Run(algo.name, func(b *testing.B) {
			for _, n := range []int{3, 100, 1000} {
				b.Run(strconv.Itoa(n), func(b *testing.B) {
					ws := make([]int, n)
					for i := range ws {
						ws[i] = 1 + i%7
					}
					lb := mustNew(b, algo.spec, servers(ws...))
					inputs := make([]*Input, 1024)
					for i := range inputs {
						inputs[i] = algo.input(i)
					}
					b.ReportAllocs()
					b.ResetTimer()
					for i := range b.N {
						s, full := lb.Pick(inputs[i&1023])
						if s != nil && !full {
							s.Release()
						}
					}
				})
			}
		})
	}
}

// BenchmarkPickParallel measures contention on the backend's mutex.
func BenchmarkPickParallel(b *testing.B) {
	for _, name := range []string{"roundrobin", "leastconn", "uri-consistent"} {
		for _, algo := range algorithms {
			if algo.name != name {
				continue
			}
			b.Run(name, func(b *testing.B) {
				ws := make([]int, 100)
				for i := range ws {
					ws[i] = 1 + i%7
				}
				lb := mustNew(b, algo.spec, servers(ws...))
				inputs := make([]*Input, 1024)
				for i := range inputs {
					inputs[i] = algo.input(i)
				}
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						s, full := lb.Pick(inputs[i&1023])
						i++
						if s != nil && !full {
							s.Release()
						}
					}
				})
			})
		}
	}
}
