package balance

import (
	"math"
	"testing"
)

// TestConsistentRemoval: when a server goes away only its keys move, and
// they come back when it returns.
func TestConsistentRemoval(t *testing.T) {
	ss := servers(1, 2, 1, 3)
	lb := mustNew(t, Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent"}}, ss)
	before := hashOwners(lb, 2000)
	if err := lb.SetUsable(ss[1], false); err != nil {
		t.Fatal(err)
	}
	after := hashOwners(lb, 2000)
	for i := range before {
		switch {
		case before[i] != "b" && after[i] != before[i]:
			t.Fatalf("key %d moved from %s to %s although %s stayed", i, before[i], after[i], before[i])
		case after[i] == "b":
			t.Fatalf("key %d still on the removed server", i)
		}
	}
	lb.SetUsable(ss[1], true)
	if again := hashOwners(lb, 2000); join(again) != join(before) {
		t.Error("keys did not return to their servers after the server came back")
	}
}

// TestConsistentWeightIncrease: raising a server's weight only moves keys
// to that server.
func TestConsistentWeightIncrease(t *testing.T) {
	ss := servers(1, 1, 1)
	lb := mustNew(t, Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent"}}, ss)
	before := hashOwners(lb, 2000)
	if err := lb.SetWeight(ss[0], "4"); err != nil {
		t.Fatal(err)
	}
	after := hashOwners(lb, 2000)
	gained := 0
	for i := range before {
		if after[i] != before[i] {
			if after[i] != "a" {
				t.Fatalf("key %d moved from %s to %s, not to the heavier a", i, before[i], after[i])
			}
			gained++
		}
	}
	if gained == 0 {
		t.Error("a gained no key")
	}
}

// TestConsistentDistribution: keys spread in proportion to the weights.
// With 16 points per unit of weight the ring is coarse, so the weights are
// large enough for a 15% tolerance.
func TestConsistentDistribution(t *testing.T) {
	ss := servers(10, 20, 30, 40)
	lb := mustNew(t, Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent"}}, ss)
	counts := map[string]int{}
	const n = 40000
	for _, s := range hashOwners(lb, n) {
		counts[s]++
	}
	for i, s := range ss {
		want := float64(n) * float64(i+1) / 10
		if got := float64(counts[s.Name]); math.Abs(got-want) > 0.15*want {
			t.Errorf("server %s got %v keys, want about %v", s.Name, got, want)
		}
	}
}

func TestRingClosest(t *testing.T) {
	n := &node{}
	r := ring{pts: []point{{key: 100, n: n}, {key: 200, n: n}, {key: 200, j: 1, n: n}, {key: 1000, n: n}}}
	tests := []struct {
		h    uint32
		want int
	}{
		{100, 0},            // exact match: the point itself
		{150, 0},            // tie: the previous point
		{151, 1},            // closer to the first point holding 200
		{200, 1},            // first of equal points
		{700, 3},            // closer to 1000
		{600, 2},            // tie between 200 (the last of its equals) and 1000
		{50, 0},             // before the first point
		{math.MaxUint32, 0}, // wraps to the first point
		{1100, 3},           // after the last point, closer to it
	}
	for _, tt := range tests {
		if got := r.closest(tt.h); got != tt.want {
			t.Errorf("closest(%d) = %d, want %d", tt.h, got, tt.want)
		}
	}
}

func TestConsistentAvoid(t *testing.T) {
	ss := servers(1, 1, 1)
	lb := mustNew(t, Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent"}}, ss)
	for i := range 200 {
		in := &Input{Header: []byte("k" + itoa(i))}
		s, _ := lb.Pick(in)
		s.Release()
		in.Avoid = s
		s2, _ := lb.Pick(in)
		s2.Release()
		if s2 == s {
			t.Fatalf("key %d: avoided server %s chosen again", i, s.Name)
		}
	}
}
