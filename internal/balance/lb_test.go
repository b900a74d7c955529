package balance

import (
	"net/netip"
	"sync"
	"testing"
)

func TestBackups(t *testing.T) {
	mk := func() []*Server {
		ss := servers(1, 1, 2, 3)
		ss[0].Disabled = true
		for _, s := range ss[1:] {
			s.Backup = true
		}
		return ss
	}
	tests := []struct {
		name       string
		algo       string
		allBackups bool
		want       string
	}{
		{"roundrobin first backup", "roundrobin", false, "b b b b b b"},
		{"roundrobin allbackups", "roundrobin", true, "d c d b d c"},
		{"static-rr allbackups", "static-rr", true, "b d c d c d"},
		{"leastconn first backup", "leastconn", false, "b b b b"},
		{"leastconn allbackups", "leastconn", true, "b c d b c d"},
		{"first allbackups", "first", true, "b b b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lb := mustNew(t, Spec{Balance: []string{tt.algo}, AllBackups: tt.allBackups}, mk())
			if got := seq(lb, nil, len(splitWords(tt.want))); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	t.Run("active comes back", func(t *testing.T) {
		ss := mk()
		lb := mustNew(t, Spec{Balance: []string{"roundrobin"}}, ss)
		lb.SetUsable(ss[0], true)
		if got, want := seq(lb, nil, 3), "a a a"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
		if act, bck := lb.UsableServers(); act != 1 || bck != 3 {
			t.Errorf("UsableServers = %d, %d; want 1, 3", act, bck)
		}
	})
	t.Run("next backup takes over", func(t *testing.T) {
		ss := mk()
		lb := mustNew(t, Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent"}}, ss)
		lb.SetUsable(ss[1], false)
		if got, want := join(hashOwners(lb, 5)), "c c c c c"; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
}

func TestNoUsableServer(t *testing.T) {
	for _, algo := range algorithms {
		t.Run(algo.name, func(t *testing.T) {
			ss := servers(0, 1)
			ss[1].Disabled = true
			lb := mustNew(t, algo.spec, ss)
			if s, full := lb.Pick(algo.input(0)); s != nil || full {
				t.Errorf("got %v, %v; want nil, false", s, full)
			}
		})
	}
}

// TestFullServers: roundrobin, static-rr, first and the ring walk skip
// full servers and report an all-full backend; hash lookups return the
// chosen server as full.
func TestFullServers(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		in   *Input
		skip bool // full servers are skipped
	}{
		{"roundrobin", Spec{Balance: []string{"roundrobin"}}, nil, true},
		{"static-rr", Spec{Balance: []string{"static-rr"}}, nil, true},
		{"leastconn", Spec{Balance: []string{"leastconn"}}, nil, true},
		{"first", Spec{Balance: []string{"first"}}, nil, true},
		{"consistent walk", Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent"}}, nil, true},
		{"map walk", Spec{Balance: []string{"hdr(X)"}}, nil, true},
		{"consistent hash", Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent"}}, &Input{Header: []byte("k")}, false},
		{"map hash", Spec{Balance: []string{"hdr(X)"}}, &Input{Header: []byte("k")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := servers(1, 1, 1)
			for _, s := range ss {
				s.Maxconn = 2
			}
			lb := mustNew(t, tt.spec, ss)
			for i := range 6 {
				s, full := lb.Pick(tt.in)
				if s == nil || full != (!tt.skip && i >= 2) {
					t.Fatalf("pick %d: got %v, %v", i, s, full)
				}
			}
			s, full := lb.Pick(tt.in)
			switch {
			case tt.skip && (s != nil || !full):
				t.Errorf("all full: got %v, %v; want nil, true", s, full)
			case !tt.skip && (s == nil || !full):
				t.Errorf("hash on a full server: got %v, %v; want the server, true", s, full)
			}
		})
	}
}

// TestMissingKeyRoundRobin: a request without a key is balanced round
// robin, on the map or along the ring.
func TestMissingKeyRoundRobin(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		in   Input
		want string
	}{
		{"hdr map", Spec{Balance: []string{"hdr(X)"}}, Input{}, "a b c a b c"},
		{"hdr empty first value", Spec{Balance: []string{"hdr(X)"}}, Input{Header: []byte(" , x")}, "a b c a b c"},
		{"url_param", Spec{Balance: []string{"url_param", "u"}}, Input{Target: []byte("/?v=1")}, "a b c a b c"},
		{"rdp-cookie", Spec{Balance: []string{"rdp-cookie"}}, Input{Payload: []byte("short")}, "a b c a b c"},
		{"hash", Spec{Balance: []string{"hash", "req.cookie(s)"}}, Input{}, "a b c a b c"},
		{"source unix socket", Spec{Balance: []string{"source"}}, Input{}, "a b c a b c"},
		{"hdr consistent walk", Spec{Balance: []string{"hdr(X)"}, HashType: []string{"consistent"}}, Input{}, "c c b a c a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lb := mustNew(t, tt.spec, servers(1, 1, 1))
			if got := seq(lb, &tt.in, 6); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSourceHash(t *testing.T) {
	lb := mustNew(t, Spec{Balance: []string{"source"}}, servers(1, 1, 1))
	// Observed: 127.0.0.1 with 3 equal servers: 0x7f000001 % 3 = 2.
	if s, _ := lb.Pick(&Input{Src: netip.MustParseAddr("127.0.0.1")}); s.Name != "c" {
		t.Errorf("127.0.0.1: got %s, want c", s.Name)
	}
	tests := []struct {
		addr string
		want uint32
	}{
		{"127.0.0.1", 0x7f000001},
		{"::ffff:127.0.0.1", 0xffff ^ 0x7f000001},
		{"2001:db8::1", 0x20010db8 ^ 1},
	}
	for _, tt := range tests {
		if got := sourceWords(&Input{Src: netip.MustParseAddr(tt.addr)}); got != tt.want {
			t.Errorf("sourceWords(%s) = %#x, want %#x", tt.addr, got, tt.want)
		}
	}
}

func TestSetWeight(t *testing.T) {
	tests := []struct {
		arg     string
		want    int
		wantErr error
	}{
		{"5", 5, nil},
		{"0", 0, nil},
		{"256", 256, nil},
		{"50%", 1, nil},
		{"100%", 2, nil},
		{"1000%", 20, nil},
		{"99999999%", 256, nil},
		{"+3", 3, nil},
		{"", 0, ErrWeightMissing},
		{"x", 0, ErrWeightSyntax},
		{"-5%", 0, ErrWeightNegative},
		{"300", 0, ErrWeightRange},
		{"-1", 0, ErrWeightRange},
		{"5x", 0, ErrWeightTrailing},
		{"5%x", 0, ErrWeightTrailing},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			ss := servers(2)
			lb := mustNew(t, Spec{}, ss)
			err := lb.SetWeight(ss[0], tt.arg)
			if err != tt.wantErr {
				t.Fatalf("SetWeight(%q) = %v, want %v", tt.arg, err, tt.wantErr)
			}
			cur, init := lb.Weight(ss[0])
			if tt.wantErr == nil && (cur != tt.want || init != 2) {
				t.Errorf("Weight = %d (initial %d), want %d (initial 2)", cur, init, tt.want)
			}
		})
	}
	if got, want := ErrWeightRange.Error(), "Absolute weight can only be between 0 and 256 inclusive."; got != want {
		t.Errorf("range error = %q, want HAProxy's %q", got, want)
	}
}

func TestWeightZeroTakesNoTraffic(t *testing.T) {
	ss := servers(1, 1)
	lb := mustNew(t, Spec{}, ss)
	lb.SetWeight(ss[0], "0")
	if got, want := seq(lb, nil, 3), "b b b"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if lb.Usable(ss[0]) {
		t.Error("a server of weight 0 is usable")
	}
}

func TestForeignServer(t *testing.T) {
	lb := mustNew(t, Spec{}, servers(1))
	other := &Server{Name: "x", ID: 9, Weight: 1}
	if err := lb.SetUsable(other, false); err == nil {
		t.Error("SetUsable on a foreign server succeeded")
	}
	if err := lb.SetWeight(other, "1"); err == nil {
		t.Error("SetWeight on a foreign server succeeded")
	}
	if err := lb.SetMaxconn(other, 1); err == nil {
		t.Error("SetMaxconn on a foreign server succeeded")
	}
	if cur, init := lb.Weight(other); cur != 0 || init != 0 {
		t.Errorf("Weight of a foreign server = %d, %d", cur, init)
	}
	other.Acquire() // no owner: counts only
	other.Release()
}

// TestTakeover: a server handed to a new LB (a reload) keeps counting the
// slots taken through the old one, and their release reaches the new one.
func TestTakeover(t *testing.T) {
	ss := servers(1, 1)
	old := mustNew(t, Spec{Balance: []string{"leastconn"}}, ss)
	for range 3 {
		old.Pick(nil) // a b a: long tunnels
	}
	lb := mustNew(t, Spec{Balance: []string{"leastconn"}}, ss)
	if s, _ := lb.Pick(nil); s != ss[1] {
		t.Errorf("got %s, want b (a holds 2 tunnels, b 1)", s.Name)
	}
	ss[0].Release()
	ss[0].Release()
	if s, _ := lb.Pick(nil); s != ss[0] {
		t.Errorf("after a's tunnels closed: got %s, want a", s.Name)
	}
	if err := old.SetUsable(ss[0], false); err == nil {
		t.Error("the old LB still controls a server taken over")
	}
}

func TestDistribution(t *testing.T) {
	weights := []int{7, 1, 3, 0, 12}
	for _, algo := range []string{"roundrobin", "static-rr"} {
		t.Run(algo, func(t *testing.T) {
			ss := servers(weights...)
			lb := mustNew(t, Spec{Balance: []string{algo}}, ss)
			counts := map[*Server]int{}
			for range 23 * 100 {
				s, _ := lb.Pick(nil)
				counts[s]++
				s.Release()
			}
			for i, s := range ss {
				if got, want := counts[s], weights[i]*100; got != want {
					t.Errorf("server %s: %d picks, want %d", s.Name, got, want)
				}
			}
		})
	}
}

// TestDynamicWeightDistribution: after a weight change roundrobin follows
// the new weights.
func TestDynamicWeightDistribution(t *testing.T) {
	ss := servers(1, 1, 1)
	lb := mustNew(t, Spec{}, ss)
	seq(lb, nil, 7)
	lb.SetWeight(ss[0], "4")
	counts := map[*Server]int{}
	for range 6 * 50 * weightScale {
		s, _ := lb.Pick(nil)
		counts[s]++
		s.Release()
	}
	a, b, c := counts[ss[0]], counts[ss[1]], counts[ss[2]]
	if a < 3*b || a > 5*b || b < c-10 || b > c+10 {
		t.Errorf("picks a=%d b=%d c=%d, want about 4:1:1", a, b, c)
	}
}

// TestConcurrentPicks runs picks, releases and control operations from
// many goroutines (run with -race); every slot must be given back.
func TestConcurrentPicks(t *testing.T) {
	for _, algo := range algorithms {
		t.Run(algo.name, func(t *testing.T) {
			ss := servers(1, 2, 3, 4)
			for _, s := range ss {
				s.Maxconn = 50
			}
			lb := mustNew(t, algo.spec, ss)
			var wg sync.WaitGroup
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range 500 {
						s, full := lb.Pick(algo.input(g*1000 + i))
						if s != nil && !full {
							s.Release()
						}
						if g == 0 && i%50 == 0 {
							lb.SetUsable(ss[i%4], i%100 != 0)
							if lb.Dynamic() {
								lb.SetWeight(ss[1], itoa(1+i%5))
							}
						}
					}
				}()
			}
			wg.Wait()
			for _, s := range ss {
				if s.Served() != 0 || s.Queued() != 0 {
					t.Errorf("server %s: served %d, queued %d after every release", s.Name, s.Served(), s.Queued())
				}
			}
		})
	}
}

// TestSingleServerNoKey: with one usable server nothing is hashed.
func TestSingleServerNoKey(t *testing.T) {
	ss := servers(1, 1)
	lb := mustNew(t, Spec{Balance: []string{"hdr(X)"}}, ss)
	lb.SetUsable(ss[0], false)
	if got, want := seq(lb, &Input{}, 3), "b b b"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestNeeds(t *testing.T) {
	tests := []struct {
		balance []string
		need    Need
		header  string
		expr    string
		algo    string
	}{
		{nil, 0, "", "", "roundrobin"},
		{[]string{"source"}, NeedSource, "", "", "source"},
		{[]string{"uri"}, NeedTarget, "", "", "uri"},
		{[]string{"url_param", "p"}, NeedTarget | NeedBody, "", "", "url_param"},
		{[]string{"hdr(Host)"}, NeedHeader, "Host", "", "hdr"},
		{[]string{"rdp-cookie"}, NeedPayload, "", "", "rdp-cookie"},
		{[]string{"hash", "src"}, NeedKey, "", "src", "hash"},
		{[]string{"random(3)"}, 0, "", "", "random"},
	}
	for _, tt := range tests {
		lb := mustNew(t, Spec{Balance: tt.balance}, servers(1))
		if lb.Needs() != tt.need || lb.HeaderName() != tt.header || lb.KeyExpr() != tt.expr || lb.Algorithm() != tt.algo {
			t.Errorf("%v: Needs %b HeaderName %q KeyExpr %q Algorithm %q", tt.balance, lb.Needs(), lb.HeaderName(), lb.KeyExpr(), lb.Algorithm())
		}
	}
}

// TestLBKeepsItsParameters: servers outlive a reload, which rewrites their
// fields while the previous generation's balancer still picks; a balancer
// keeps the id and backup flag it was built with (and reads nothing else
// of the Server at pick time, which the race detector checks here).
func TestLBKeepsItsParameters(t *testing.T) {
	for _, algo := range []string{"roundrobin", "static-rr", "leastconn", "first", "source"} {
		t.Run(algo, func(t *testing.T) {
			ss := servers(1, 1)
			ss[1].Backup = true
			lb := mustNew(t, Spec{Balance: []string{algo}}, ss)
			in := &Input{Src: netip.MustParseAddr("192.0.2.7")}
			before := seq(lb, in, 6)
			done := make(chan struct{})
			go func() {
				defer close(done)
				// What a reload that swaps the roles does to the kept
				// servers.
				ss[0].Backup, ss[1].Backup = true, false
				ss[0].ID, ss[1].ID = 2, 1
			}()
			during := seq(lb, in, 6)
			<-done
			after := seq(lb, in, 6)
			if before != "a a a a a a" || during != before || after != before {
				t.Errorf("picks before %q, during %q, after %q the rewrite; want a only", before, during, after)
			}
		})
	}
}
