package balance

import "testing"

func TestRoundRobinSequences(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		want    string
	}{
		{"1,2,3", []int{1, 2, 3}, "c b c a c b c b c a c b"},
		{"5,2,1", []int{5, 2, 1}, "a a b a a c a b a a b a a c a b"},
		{"2,3,4", []int{2, 3, 4}, "c b c a b c c b a c b c a b c c b a"},
		{"3,1,0", []int{3, 1, 0}, "a a a b a a a b"},
		{"1,1,1", []int{1, 1, 1}, "a b c a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lb := mustNew(t, Spec{Balance: []string{"roundrobin"}}, servers(tt.weights...))
			if got := seq(lb, nil, len(splitWords(tt.want))); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func splitWords(s string) []string {
	var out []string
	w := ""
	for _, c := range s + " " {
		if c == ' ' {
			if w != "" {
				out = append(out, w)
			}
			w = ""
			continue
		}
		w += string(c)
	}
	return out
}
