package health

import (
	"testing"
	"time"
)

// TestMessages compares the log lines with the ones haproxy 2.6.12
// printed (observed with `log stdout format raw`).
func TestMessages(t *testing.T) {
	refused := &Outcome{Status: StatusL4Con, Info: "Connection refused", Duration: 0}
	tests := []struct {
		name string
		c    Change
		want string
	}{
		{"down refused", Change{Backend: "be", Server: "s1", Reason: refused, Backups: 1},
			`Server be/s1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 1 backup servers left. Running on backup. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"backup down", Change{Backend: "be", Server: "s2", Backup: true, Reason: refused},
			`Backup Server be/s2 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"up l4", Change{Backend: "be", Server: "s1", Up: true, Reason: &Outcome{Status: StatusL4OK}, Active: 1},
			`Server be/s1 is UP, reason: Layer4 check passed, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`},
		{"backup up running on backup", Change{Backend: "b1", Server: "s2", Backup: true, Up: true, Reason: &Outcome{Status: StatusL4OK}, Backups: 1},
			`Backup Server b1/s2 is UP, reason: Layer4 check passed, check duration: 0ms. 0 active and 1 backup servers online. Running on backup. 0 sessions requeued, 0 total in queue.`},
		{"up l7", Change{Backend: "b1", Server: "s1", Up: true, Reason: &Outcome{Status: StatusL7OK, Code: 200, Duration: 3}, Active: 1},
			`Server b1/s1 is UP, reason: Layer7 check passed, code: 200, check duration: 3ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`},
		{"wrong status", Change{Backend: "b2", Server: "s", Reason: &Outcome{Status: StatusL7Sts, Code: 503, Info: "X"}},
			`Server b2/s is DOWN, reason: Layer7 wrong status, code: 503, info: "X", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"invalid response", Change{Backend: "b3", Server: "s", Reason: &Outcome{Status: StatusL7Rsp, Code: 200}},
			`Server b3/s is DOWN, reason: Layer7 invalid response, check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"content mismatch", Change{Backend: "b7", Server: "s", Reason: &Outcome{Status: StatusL7Rsp, Code: 200, Info: "HTTP content check did not match"}},
			`Server b7/s is DOWN, reason: Layer7 invalid response, info: "HTTP content check did not match", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"timeout", Change{Backend: "b4", Server: "s", Reason: &Outcome{Status: StatusL7Tout, Duration: 501}},
			`Server b4/s is DOWN, reason: Layer7 timeout, check duration: 501ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"l4 timeout", Change{Backend: "be", Server: "s1", Reason: &Outcome{Status: StatusL4Tout, Duration: 1001}},
			`Server be/s1 is DOWN, reason: Layer4 timeout, check duration: 1001ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"reset", Change{Backend: "b3", Server: "s1", Reason: &Outcome{Status: StatusSockErr, Info: "Connection reset by peer", Duration: 1}},
			`Server b3/s1 is DOWN, reason: Socket error, info: "Connection reset by peer", check duration: 1ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`},
		{"health analyze", Change{Backend: "b1", Server: "s", Sessions: 1, Reason: &Outcome{Status: StatusHANA, Info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection", Duration: -1}},
			`Server b1/s is DOWN, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection". 0 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.`},
		// Under option log-health-checks the reason is in the check line.
		{"no reason", Change{Backend: "b2", Server: "s", Sessions: 1},
			`Server b2/s is DOWN. 0 active and 0 backup servers left. 1 sessions active, 0 requeued, 0 remaining in queue.`},
		{"no reason up", Change{Backend: "b1", Server: "s1", Up: true, Active: 1},
			`Server b1/s1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`},
	}
	for _, tt := range tests {
		if got := tt.c.Message(); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	if got, want := NoServerMessage("be"), "backend be has no server available!"; got != want {
		t.Errorf("no server: %q, want %q", got, want)
	}
}

// TestCheckMessages compares `option log-health-checks` lines with
// haproxy's.
func TestCheckMessages(t *testing.T) {
	p := Params{Rise: 2, Fall: 3, Inter: time.Second}
	s := NewState(p)
	s.Fail()
	got := CheckMessage("b1", "s1", false, &Outcome{Status: StatusL4Con, Info: "Connection refused"}, &s)
	if want := `Health check for server b1/s1 failed, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms, status: 0/2 DOWN.`; got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	s.Pass()
	got = CheckMessage("b1", "s1", false, &Outcome{Status: StatusL4OK}, &s)
	if want := `Health check for server b1/s1 succeeded, reason: Layer4 check passed, check duration: 0ms, status: 1/2 DOWN.`; got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	s.Pass()
	got = CheckMessage("b1", "s", false, &Outcome{Status: StatusL7OK, Code: 200}, &s)
	if want := `Health check for server b1/s succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 3/3 UP.`; got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
	s.Fail()
	got = CheckMessage("b1", "s", false, &Outcome{Status: StatusHANA, Info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection", Duration: -1}, &s)
	if want := `Health check for server b1/s failed, reason: Health analyze, info: "Detected 2 consecutive errors, last one was: L4 unsuccessful connection", status: 2/3 UP.`; got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

// TestStatusNames checks the names and descriptions `show stat` prints
// (check_status, check_desc) and HAProxy's numbering (show servers state).
func TestStatusNames(t *testing.T) {
	tests := []struct {
		s          Status
		num        int
		name, desc string
	}{
		{StatusInit, 1, "INI", "Initializing"},
		{StatusHANA, 4, "HANA", "Health analyze"},
		{StatusSockErr, 5, "SOCKERR", "Socket error"},
		{StatusL4OK, 6, "L4OK", "Layer4 check passed"},
		{StatusL4Tout, 7, "L4TOUT", "Layer4 timeout"},
		{StatusL4Con, 8, "L4CON", "Layer4 connection problem"},
		{StatusL7Tout, 12, "L7TOUT", "Layer7 timeout"},
		{StatusL7Rsp, 13, "L7RSP", "Layer7 invalid response"},
		{StatusL7OK, 15, "L7OK", "Layer7 check passed"},
		{StatusL7OKC, 16, "L7OKC", "Layer7 check conditionally passed"},
		{StatusL7Sts, 17, "L7STS", "Layer7 wrong status"},
	}
	for _, tt := range tests {
		if int(tt.s) != tt.num || tt.s.String() != tt.name || tt.s.Desc() != tt.desc {
			t.Errorf("status %d: %d %q %q, want %d %q %q", tt.s, int(tt.s), tt.s.String(), tt.s.Desc(), tt.num, tt.name, tt.desc)
		}
	}
}
