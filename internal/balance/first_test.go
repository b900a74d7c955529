package balance

import "testing"

// Observed on haproxy 2.6.12 with maxconn 1 on each server: sequential
// requests all go to a; concurrent ones fill a, b, c, then queue.
func TestFirstObserved(t *testing.T) {
	ss := servers(1, 1, 1)
	for _, s := range ss {
		s.Maxconn = 1
	}
	lb := mustNew(t, Spec{Balance: []string{"first"}}, ss)
	if got, want := seq(lb, nil, 4), "a a a a"; got != want {
		t.Errorf("sequential: got %s, want %s", got, want)
	}
	var held []string
	for range 3 {
		s, full := lb.Pick(nil)
		if s == nil || full {
			t.Fatalf("Pick = %v, %v", s, full)
		}
		held = append(held, s.Name)
	}
	if got, want := join(held), "a b c"; got != want {
		t.Errorf("concurrent: got %s, want %s", got, want)
	}
	if s, full := lb.Pick(nil); s != nil || !full {
		t.Errorf("4th: got %v, %v; want nil, true (backend queue)", s, full)
	}
	ss[0].Release()
	if s, _ := lb.Pick(nil); s != ss[0] {
		t.Errorf("after a freed a slot: got %v, want a", s)
	}
}

func TestFirstOrdersByID(t *testing.T) {
	ss := []*Server{
		{Name: "x", ID: 30, Weight: 1},
		{Name: "y", ID: 4, Weight: 9},
		{Name: "z", ID: 12, Weight: 1},
	}
	lb := mustNew(t, Spec{Balance: []string{"first"}}, ss)
	if got, want := seq(lb, nil, 3), "y y y"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	lb.SetUsable(ss[1], false)
	if got, want := seq(lb, nil, 2), "z z"; got != want {
		t.Errorf("y down: got %s, want %s", got, want)
	}
	if err := lb.SetMaxconn(ss[2], 1); err != nil {
		t.Fatal(err)
	}
	ss[2].Acquire()
	if got, want := seq(lb, nil, 2), "x x"; got != want {
		t.Errorf("z full: got %s, want %s", got, want)
	}
	if s, _ := lb.Pick(&Input{Avoid: ss[0]}); s != ss[0] {
		t.Errorf("avoiding the only free server: got %v, want x anyway", s)
	}
}
