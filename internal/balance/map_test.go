package balance

import "testing"

// Sequences observed on haproxy 2.6.12 (haproxy-reference.md §4.3).
func TestStaticRRSequences(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		want    string
	}{
		{"1,2,3", []int{1, 2, 3}, "a c b c b c a c b c b c"},
		{"5,2,1", []int{5, 2, 1}, "a a b a a b a c a a b a a b a c"},
		{"2,3,4", []int{2, 3, 4}, "a b c b c a c b c"},
		{"gcd 2,4,6 is 1,2,3", []int{2, 4, 6}, "a c b c b c"},
		{"weight 0 excluded", []int{0, 1, 1}, "b c b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lb := mustNew(t, Spec{Balance: []string{"static-rr"}}, servers(tt.weights...))
			if got := seq(lb, nil, len(splitWords(tt.want))); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestStaticMapSize(t *testing.T) {
	lb := mustNew(t, Spec{Balance: []string{"static-rr"}}, servers(20, 40, 60))
	m := lb.algo.(*staticMap)
	if got, want := len(m.slots), 6; got != want {
		t.Errorf("map size with weights 20,40,60 = %d, want %d (weights divided by their gcd)", got, want)
	}
}

func TestStaticWeightRules(t *testing.T) {
	ss := servers(2, 3)
	lb := mustNew(t, Spec{Balance: []string{"static-rr"}}, ss)
	tests := []struct {
		arg  string
		want error
	}{
		{"50%", ErrWeightStatic},
		{"3", ErrWeightStatic},
		{"0", nil},
		{"100%", nil},
		{"2", nil}, // the initial weight, as an absolute value
		{"0%", nil},
		{"300", ErrWeightRange},
	}
	for _, tt := range tests {
		if got := lb.SetWeight(ss[0], tt.arg); got != tt.want {
			t.Errorf("SetWeight(%q) = %v, want %v", tt.arg, got, tt.want)
		}
	}
	if got, want := ErrWeightStatic.Error(), "Backend is using a static LB algorithm and only accepts weights '0%' and '100%'."; got != want {
		t.Errorf("static weight error = %q, want HAProxy's %q", got, want)
	}
	// After 0%, a is out of the map.
	if got, want := seq(lb, nil, 3), "b b b"; got != want {
		t.Errorf("after weight 0: got %s, want %s", got, want)
	}
}

// TestMapHashRemap shows why map-based hashing is "static": taking one
// server out remaps keys of the other servers too.
func TestMapHashRemap(t *testing.T) {
	ss := servers(1, 1, 1, 1)
	lb := mustNew(t, Spec{Balance: []string{"hdr(X)"}}, ss)
	before := hashOwners(lb, 1000)
	lb.SetUsable(ss[3], false)
	after := hashOwners(lb, 1000)
	moved := 0
	for i := range before {
		if before[i] != "d" && before[i] != after[i] {
			moved++
		}
	}
	if moved < 300 {
		t.Errorf("only %d keys of the remaining servers moved; the map should remap most of them", moved)
	}
}

// hashOwners returns the server of the keys k0..k{n-1} sent as header X.
func hashOwners(lb *LB, n int) []string {
	out := make([]string, n)
	for i := range n {
		s, full := lb.Pick(&Input{Header: []byte("k" + itoa(i))})
		out[i] = s.Name
		if !full {
			s.Release()
		}
	}
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestFillMapMatchesDivision checks the division-free map filling against
// the direct computation of (score+total)/total, including groups whose
// weights exceed the total (the first-backup case).
func TestFillMapMatchesDivision(t *testing.T) {
	r := uint64(1)
	rnd := func(n int) int {
		r = r*6364136223846793005 + 1442695040888963407
		return int(r>>33) % n
	}
	for round := range 300 {
		nodes := make([]*node, 1+rnd(12))
		cands := make([]mapCand, len(nodes))
		tot := 0
		for i := range nodes {
			nodes[i] = &node{idx: i, eweight: uint32(1 + rnd(40))}
			tot += int(nodes[i].eweight)
		}
		if round%3 == 0 {
			tot = int(nodes[0].eweight) // the first backup's weight only
		}
		for i, n := range nodes {
			cands[i] = newMapCand(n, tot)
		}
		got := make([]*node, tot)
		fillMap(got, cands, tot)
		// The direct computation.
		score := make([]int, len(nodes))
		for o := range tot {
			best, bestV := -1, 0
			for i, n := range nodes {
				if tot == 1 {
					best = i
					break
				}
				score[i] += int(n.eweight)
				if v := (score[i] + tot) / tot; best < 0 || v > bestV {
					best, bestV = i, v
				}
			}
			score[best] -= tot
			if got[o] != nodes[best] {
				t.Fatalf("round %d slot %d: got server %d, want %d", round, o, got[o].idx, best)
			}
		}
	}
}
