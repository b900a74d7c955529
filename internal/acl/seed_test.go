package acl

import (
	"strings"
	"testing"
)

// seedFrontend is the `frontend http` section of
// /work/shared/seed/haproxy-websocket.cfg (comments dropped).
const seedFrontend = `
acl host_ws1 hdr_beg(Host) -i wss1.dy.xxxx.com
acl host_ws2 hdr_beg(Host) -i wss2.dy.xxxx.com
acl host_ws3 hdr_beg(Host) -i wss3.dy.xxxx.com
use_backend ws_s1 if host_ws1
use_backend ws_s2 if host_ws2
use_backend ws_s3 if host_ws3
acl hdr_connection_upgrade hdr(Connection)  -i upgrade
acl hdr_upgrade_websocket  hdr(Upgrade)     -i websocket
use_backend ws_s1 if hdr_connection_upgrade hdr_upgrade_websocket
use_backend ws_s2 if hdr_connection_upgrade hdr_upgrade_websocket
use_backend ws_s3 if hdr_connection_upgrade hdr_upgrade_websocket
`

type rule struct {
	backend string
	cond    *Cond
}

// compileRules compiles acl and use_backend lines as the config package
// will: in file order, ACLs visible to the rules below them.
func compileRules(tb testing.TB, cfg string) []rule {
	tb.Helper()
	s := NewSet()
	var rules []rule
	for n, line := range strings.Split(cfg, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "acl":
			if err := s.Declare(words[1], words[2:]); err != nil {
				tb.Fatalf("line %d: %v", n, err)
			}
		case "use_backend":
			c, err := s.Cond(words[2:])
			if err != nil {
				tb.Fatalf("line %d: %v", n, err)
			}
			rules = append(rules, rule{words[1], c})
		}
	}
	return rules
}

// route returns the first matching rule's backend, "" when none matches
// (HAProxy then uses default_backend or answers 503).
func route(rules []rule, t *Txn) string {
	for i := range rules {
		if rules[i].cond.Eval(t) {
			return rules[i].backend
		}
	}
	return ""
}

// The expectations were checked against haproxy 2.6.12 running the same
// frontend (WebSocket requests need a Sec-WebSocket-Key there, or HAProxy
// answers 400 before routing).
func TestSeedRouting(t *testing.T) {
	rules := compileRules(t, seedFrontend)
	if len(rules) != 6 {
		t.Fatalf("%d rules, want 6", len(rules))
	}
	tests := []struct {
		name    string
		headers []string
		want    string
	}{
		{"host ws1", []string{"Host: wss1.dy.xxxx.com"}, "ws_s1"},
		{"host ws2 any case", []string{"Host: WSS2.DY.XXXX.COM"}, "ws_s2"},
		{"host ws3 with port", []string{"Host: wss3.dy.xxxx.com:443"}, "ws_s3"},
		{"host prefix only", []string{"Host: wss1.dy.xxxx.com.evil.org"}, "ws_s1"},
		{"websocket upgrade", []string{"Host: other.com", "Connection: keep-alive, Upgrade", "Upgrade: websocket"}, "ws_s1"},
		{"upgrade on second line", []string{"Host: other.com", "Connection: keep-alive", "Connection: Upgrade", "Upgrade: WebSocket"}, "ws_s1"},
		{"upgrade list", []string{"Host: other.com", "Connection: Upgrade", "Upgrade: foo, websocket"}, "ws_s1"},
		{"host rule first", []string{"Host: wss2.dy.xxxx.com", "Connection: Upgrade", "Upgrade: websocket"}, "ws_s2"},
		{"no host upgrade", []string{"Connection: Upgrade", "Upgrade: websocket"}, "ws_s1"},
		{"connection only", []string{"Host: other.com", "Connection: Upgrade"}, ""},
		{"h2c upgrade", []string{"Host: other.com", "Connection: Upgrade", "Upgrade: h2c"}, ""},
		{"plain", []string{"Host: other.com"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := route(rules, httpTxn(req("GET", "/chat", tc.headers...)))
			if got != tc.want {
				t.Errorf("got backend %q, want %q", got, tc.want)
			}
		})
	}
}
