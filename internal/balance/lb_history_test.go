package balance

import (
	"testing"
	"time"
)

// TestHistory: the backend goes DOWN when its last usable server does,
// and back UP with the first one; downs and downtime add up.
func TestHistory(t *testing.T) {
	s1, s2 := &Server{Name: "s1", ID: 1, Weight: 1}, &Server{Name: "s2", ID: 2, Weight: 1}
	lb, err := New(Spec{}, []*Server{s1, s2})
	if err != nil {
		t.Fatal(err)
	}
	built, downs, downtime := lb.History(time.Now())
	if downs != 0 || downtime != 0 || built.IsZero() {
		t.Fatalf("new backend: changed %v, %d downs, downtime %v", built, downs, downtime)
	}
	lb.SetUsable(s1, false)
	if changed, downs, _ := lb.History(time.Now()); changed != built || downs != 0 {
		t.Errorf("one server left: changed %v (built %v), %d downs", changed, built, downs)
	}
	lb.SetUsable(s2, false)
	changed, downs, _ := lb.History(time.Now())
	if downs != 1 || changed.Before(built) {
		t.Errorf("no server left: %d downs, changed %v", downs, changed)
	}
	_, _, d := lb.History(changed.Add(3 * time.Second))
	if d != 3*time.Second {
		t.Errorf("downtime 3s after going DOWN: %v", d)
	}
	lb.SetUsable(s2, true)
	up, downs, d := lb.History(time.Now().Add(time.Hour))
	if downs != 1 || up.Before(changed) || d > time.Minute {
		t.Errorf("back UP: changed %v, %d downs, downtime %v (must stop counting)", up, downs, d)
	}
}
