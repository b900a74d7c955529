package balance

import (
	"strings"
	"testing"
)

// servers returns servers named a, b, c, ... with IDs 1, 2, 3, ... and the
// given weights.
func servers(weights ...int) []*Server {
	ss := make([]*Server, len(weights))
	for i, w := range weights {
		ss[i] = &Server{Name: string(rune('a' + i)), ID: i + 1, Weight: w}
	}
	return ss
}

// mustNew builds an LB or fails the test.
func mustNew(t testing.TB, spec Spec, ss []*Server) *LB {
	t.Helper()
	lb, err := New(spec, ss)
	if err != nil {
		t.Fatalf("New(%+v): %v", spec, err)
	}
	return lb
}

// seq picks n times, releasing each slot at once (sequential requests),
// and returns the server names separated by spaces ("-" for none).
func seq(lb *LB, in *Input, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(' ')
		}
		s, full := lb.Pick(in)
		switch {
		case s == nil:
			b.WriteByte('-')
		default:
			b.WriteString(s.Name)
			if !full {
				s.Release()
			}
		}
	}
	return b.String()
}
