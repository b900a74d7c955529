package balance

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestRandomDistribution(t *testing.T) {
	ss := servers(10, 20, 30, 40)
	lb := mustNew(t, Spec{Balance: []string{"random(1)"}}, ss)
	r := rand.New(rand.NewPCG(1, 2))
	lb.rnd = r.Uint32
	counts := map[string]int{}
	const n = 40000
	for range n {
		s, _ := lb.Pick(nil)
		counts[s.Name]++
		s.Release()
	}
	for i, s := range ss {
		want := float64(n) * float64(i+1) / 10
		if got := float64(counts[s.Name]); math.Abs(got-want) > 0.15*want {
			t.Errorf("server %s got %v picks, want about %v", s.Name, got, want)
		}
	}
}

// TestRandomTwoChoices: with two draws the less loaded server wins, so
// long-held slots spread almost evenly.
func TestRandomTwoChoices(t *testing.T) {
	ss := servers(1, 1, 1, 1)
	lb := mustNew(t, Spec{Balance: []string{"random"}}, ss)
	r := rand.New(rand.NewPCG(3, 4))
	lb.rnd = r.Uint32
	for range 400 {
		lb.Pick(nil) // held
	}
	for _, s := range ss {
		if got := s.Served(); got < 80 || got > 120 {
			t.Errorf("server %s holds %d slots, want about 100", s.Name, got)
		}
	}
}

// TestRandomFull: a full winner sends the request to the backend queue,
// random does not look for another server.
func TestRandomFull(t *testing.T) {
	ss := servers(1, 1)
	for _, s := range ss {
		s.Maxconn = 1
	}
	lb := mustNew(t, Spec{Balance: []string{"random"}}, ss)
	ss[0].Acquire()
	ss[1].Acquire()
	if s, full := lb.Pick(nil); s != nil || !full {
		t.Errorf("got %v, %v; want nil, true", s, full)
	}
}
