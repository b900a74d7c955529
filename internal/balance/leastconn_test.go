package balance

import "testing"

// Observed on haproxy 2.6.12: idle servers take turns, and with a and b
// each holding a long request every new request goes to c.
func TestLeastconnObserved(t *testing.T) {
	ss := servers(1, 1, 1)
	lb := mustNew(t, Spec{Balance: []string{"leastconn"}}, ss)
	if got, want := seq(lb, nil, 6), "a b c a b c"; got != want {
		t.Errorf("idle: got %s, want %s", got, want)
	}
	ss[0].Acquire()
	ss[1].Acquire()
	if got, want := seq(lb, nil, 4), "c c c c"; got != want {
		t.Errorf("a and b busy: got %s, want %s", got, want)
	}
}

// TestLeastconnLongTunnels: long-lived tunnels (WebSockets) each hold a
// slot for their whole life, so leastconn spreads them by weight.
func TestLeastconnLongTunnels(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		tunnels int
		want    []int
	}{
		{"equal", []int{1, 1, 1}, 300, []int{100, 100, 100}},
		{"weighted", []int{1, 2, 3}, 600, []int{100, 200, 300}},
		{"heavy", []int{10, 1}, 110, []int{100, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss := servers(tt.weights...)
			lb := mustNew(t, Spec{Balance: []string{"leastconn"}}, ss)
			for range tt.tunnels {
				if s, full := lb.Pick(nil); s == nil || full {
					t.Fatalf("Pick = %v, %v", s, full)
				}
			}
			for i, s := range ss {
				if got := s.Served(); got < tt.want[i]-1 || got > tt.want[i]+1 {
					t.Errorf("server %s holds %d tunnels, want %d±1", s.Name, got, tt.want[i])
				}
			}
			// Closing b's tunnels sends the next ones to b.
			for range ss[1].Served() {
				ss[1].Release()
			}
			if s, _ := lb.Pick(nil); s != ss[1] {
				t.Errorf("after b's tunnels closed, got %s, want b", s.Name)
			}
		})
	}
}

// TestLeastconnQueue: queued requests count in the load, and moving one
// from the queue to a slot keeps the server's place.
func TestLeastconnQueue(t *testing.T) {
	ss := servers(1, 1, 1)
	for _, s := range ss {
		s.Maxconn = 1
	}
	lb := mustNew(t, Spec{Balance: []string{"leastconn"}}, ss)
	a, _ := lb.Pick(nil) // a holds its only slot
	if a != ss[0] {
		t.Fatalf("got %s, want a", a.Name)
	}
	a.Enqueue() // a request waits for a (persistence)
	b, _ := lb.Pick(nil)
	c, _ := lb.Pick(nil)
	if b != ss[1] || c != ss[2] {
		t.Fatalf("got %s %s, want b c", b.Name, c.Name)
	}
	if s, full := lb.Pick(nil); s != nil || !full {
		t.Fatalf("every server full: got %v, %v; want nil, true", s, full)
	}
	a.Release()
	a.TakeQueued()
	if got, want := a.Served()+a.Queued(), 1; got != want {
		t.Errorf("a load = %d, want %d", got, want)
	}
	c.Release()
	if s, _ := lb.Pick(nil); s != c {
		t.Errorf("got %s, want c (the only one with a free slot)", s.Name)
	}
}

// TestLeastconnMaxqueue: in HAProxy 2.6 leastconn may choose a full server
// while its queue is shorter than maxqueue; the caller then queues there.
func TestLeastconnMaxqueue(t *testing.T) {
	ss := []*Server{{Name: "a", ID: 1, Weight: 1, Maxconn: 1, Maxqueue: 2}}
	lb := mustNew(t, Spec{Balance: []string{"leastconn"}}, ss)
	want := []bool{false, true, true}
	for i, w := range want {
		s, full := lb.Pick(nil)
		if s != ss[0] || full != w {
			t.Fatalf("pick %d: got %v, %v; want a, %v", i, s, full, w)
		}
		if full {
			s.Enqueue()
		}
	}
	if s, full := lb.Pick(nil); s != nil || !full {
		t.Errorf("queue at maxqueue: got %v, %v; want nil, true", s, full)
	}
}
