package curves

import "testing"

// The curves as ordinary benchmarks: go test -bench . ./bench/curves

func report(b *testing.B, pts []Point, err error) {
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range pts {
		b.Logf("%-20s n=%-5d %12.1f ns/op %6d allocs/op", p.Name, p.N, p.NsPerOp, p.AllocsOp)
	}
}

func BenchmarkACLCurve(b *testing.B) {
	for range b.N {
		pts, err := ACL()
		report(b, pts, err)
	}
}

func BenchmarkBalanceCurve(b *testing.B) {
	for range b.N {
		pts, err := Balance()
		report(b, pts, err)
	}
}

func BenchmarkCompileCurve(b *testing.B) {
	for range b.N {
		pts, err := Compile("127.0.0.1:21999")
		report(b, pts, err)
	}
}

// TestCurvesAllocateNothing: routing and server choice allocate nothing
// per request at any size.
func TestCurvesAllocateNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs benchmarks")
	}
	SetBenchTime(20e6) // 20ms per point
	for _, f := range []func() ([]Point, error){ACL, Balance} {
		pts, err := f()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pts {
			if p.AllocsOp != 0 {
				t.Errorf("%s with %d: %d allocations per operation", p.Name, p.N, p.AllocsOp)
			}
		}
	}
}
