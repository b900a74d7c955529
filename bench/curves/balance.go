package curves

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/hawser-lb/hawser/internal/balance"
)

// serverCounts are the sizes of the server-choice curve.
var serverCounts = []int{3, 10, 100, 1000}

// balanceVariants are the algorithms measured, each with the request
// input it reads.
var balanceVariants = []struct {
	name  string
	spec  balance.Spec
	input func(i int) *balance.Input
}{
	{"roundrobin", balance.Spec{Balance: []string{"roundrobin"}}, nil},
	{"leastconn", balance.Spec{Balance: []string{"leastconn"}}, nil},
	{"source", balance.Spec{Balance: []string{"source"}}, func(i int) *balance.Input {
		return &balance.Input{Src: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})}
	}},
	{"uri consistent", balance.Spec{Balance: []string{"uri"}, HashType: []string{"consistent"}}, func(i int) *balance.Input {
		return &balance.Input{Target: fmt.Appendf(nil, "/objects/%d", i)}
	}},
}

// Balance measures one server choice (and the release of its slot)
// against the number of servers, with mixed weights.
func Balance() ([]Point, error) {
	var out []Point
	for _, v := range balanceVariants {
		inputs := make([]*balance.Input, 1024)
		for i := range inputs {
			if v.input != nil {
				inputs[i] = v.input(i)
			} else {
				inputs[i] = &balance.Input{}
			}
		}
		for _, n := range serverCounts {
			ss := make([]*balance.Server, n)
			for i := range ss {
				ss[i] = &balance.Server{Name: fmt.Sprintf("s%d", i+1), ID: i + 1, Weight: 1 + i%7}
			}
			lb, err := balance.New(v.spec, ss)
			if err != nil {
				return nil, fmt.Errorf("curves: %s: %w", v.name, err)
			}
			res := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					s, full := lb.Pick(inputs[i&1023])
					if s != nil && !full {
						s.Release()
					}
					i++
				}
			})
			out = append(out, point(v.name, n, res))
		}
	}
	return out, nil
}
