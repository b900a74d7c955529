package acl

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// mixFrontend is a typical mix of ACL kinds, to check that evaluation
// allocates nothing.
var mixFrontend = func() string {
	var b strings.Builder
	b.WriteString(`
acl api path_beg /api/ /v1/ /v2/
acl static path_end -i .png .jpg .css .js
acl admin_net src 10.0.0.0/8 192.168.0.0/16 2001:db8::/32
acl host_re hdr_reg(host) -i ^(www|api)\.example\.(com|org)$
acl host_dom hdr_dom(host) -i example.com
acl tok urlp(token) -m len gt 10
acl xff hdr_ip(x-forwarded-for) 10.0.0.0/8
acl port_s dst_port -m str 8080
acl base_b base_beg -i www.example.com/api
acl lowhost hdr(host),lower www.example.com
acl dir path_dir v1
acl meth method GET HEAD
acl ver req.ver 1.1
acl cnt hdr_cnt(cookie) gt 2
use_backend a if api !static admin_net
use_backend b if host_re host_dom or tok
use_backend c if xff port_s
use_backend d if base_b lowhost dir
use_backend e if { hdr(user-agent) -i -m sub curl } meth ver
use_backend f if cnt or HTTP_URL_ABS or LOCALHOST
use_backend g if METH_POST HTTP_CONTENT
`)
	// A large indexed -i set.
	b.WriteString("acl big hdr(host) -i")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, " host%d.example.com", i)
	}
	b.WriteString("\nacl bigbeg path_beg")
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, " /p%d/", i)
	}
	b.WriteString("\nuse_backend h if big or bigbeg\n")
	return b.String()
}()

var mixRequests = []*Txn{
	httpTxn(req("GET", "/api/users?token=abcdefghijklmnop", "Host: www.example.com", "User-Agent: curl/8.0", "X-Forwarded-For: 1.2.3.4, 10.9.8.7")),
	httpTxn(req("GET", "/static/logo.PNG", "Host: API.example.org", "Cookie: a=1, b=2, c=3")),
	httpTxn(req("POST", "http://example.com/v1/x", "Host: Host150.Example.com", "Content-Length: 42", "X-Forwarded-For: ::ffff:zz")),
	httpTxn(req("GET", "/p199/q", "Host: nomatch.test", "Connection: keep-alive, Upgrade", "Upgrade: websocket")),
}

func init() {
	mixRequests[1].Src = netip.MustParseAddr("192.168.3.4")
	mixRequests[2].Src = netip.MustParseAddr("2001:db8::7")
	mixRequests[2].DstPort = 8080
}

func TestEvalAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	for _, tc := range []struct {
		name string
		cfg  string
		reqs []*Txn
	}{
		{"seed", seedFrontend, []*Txn{
			httpTxn(req("GET", "/chat", "Host: wss3.dy.xxxx.com")),
			httpTxn(req("GET", "/chat", "Host: other.com", "Connection: keep-alive, Upgrade", "Upgrade: websocket")),
			httpTxn(req("GET", "/", "Host: other.com")),
		}},
		{"mix", mixFrontend, mixRequests},
	} {
		rules := compileRules(t, tc.cfg)
		for i, txn := range tc.reqs {
			allocs := testing.AllocsPerRun(200, func() {
				for j := range rules {
					rules[j].cond.Eval(txn)
				}
			})
			if allocs != 0 {
				t.Errorf("%s request %d: %.1f allocations per evaluation of every rule, want 0", tc.name, i, allocs)
			}
		}
	}
}

func TestSampleFetchAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	txn := mixRequests[0]
	buf := make([]byte, 0, 256)
	for _, expr := range []string{"src", "hdr(host)", "req.hdr(x-forwarded-for,1)", "base", "url_param(token)", "hdr(host),lower", "dst_port", "req.ver"} {
		s, err := CompileSample(expr)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(200, func() {
			s.Fetch(txn, buf[:0])
			s.FetchBin(txn, buf[:0])
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per fetch, want 0", expr, allocs)
		}
	}
}

func BenchmarkSeedRouting(b *testing.B) {
	rules := compileRules(b, seedFrontend)
	for _, bc := range []struct {
		name string
		txn  *Txn
	}{
		{"host_ws1", httpTxn(req("GET", "/chat", "Host: wss1.dy.xxxx.com", "User-Agent: x", "Accept: */*"))},
		{"upgrade", httpTxn(req("GET", "/chat", "Host: other.com", "User-Agent: x", "Connection: keep-alive, Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"))},
		{"nomatch", httpTxn(req("GET", "/", "Host: other.com", "User-Agent: x", "Accept: */*"))},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				route(rules, bc.txn)
			}
		})
	}
}

func BenchmarkMix(b *testing.B) {
	rules := compileRules(b, mixFrontend)
	b.ReportAllocs()
	for b.Loop() {
		for _, txn := range mixRequests {
			route(rules, txn)
		}
	}
}

// N `use_backend bN if { path_beg /prefixN/ }` rules, the request matching
// none: cost grows with the number of rules, as in HAProxy.
func BenchmarkPathBegRules(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		var cfg strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&cfg, "acl r%d path_beg /prefix%d/\nuse_backend b%d if r%d\n", i, i, i, i)
		}
		rules := compileRules(b, cfg.String())
		txn := httpTxn(req("GET", "/nomatch/x", "Host: h"))
		b.Run(fmt.Sprintf("rules=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				route(rules, txn)
			}
		})
	}
}

// One ACL with N path_beg patterns (one rule): the patterns are indexed by
// length, so the cost stays flat.
func BenchmarkPathBegPatterns(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		var cfg strings.Builder
		cfg.WriteString("acl r path_beg")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&cfg, " /prefix%d/", i)
		}
		cfg.WriteString("\nuse_backend b if r\n")
		rules := compileRules(b, cfg.String())
		txn := httpTxn(req("GET", "/nomatch/x", "Host: h"))
		b.Run(fmt.Sprintf("patterns=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				route(rules, txn)
			}
		})
	}
}

// Case-insensitive exact host matching against N names.
func BenchmarkHostStrFold(b *testing.B) {
	for _, n := range []int{1, 10, 100, 1000} {
		var cfg strings.Builder
		cfg.WriteString("acl r hdr(host) -i")
		for i := 0; i < n; i++ {
			fmt.Fprintf(&cfg, " host%d.example.com", i)
		}
		cfg.WriteString("\nuse_backend b if r\n")
		rules := compileRules(b, cfg.String())
		txn := httpTxn(req("GET", "/", "Host: Host-Miss.Example.com"))
		b.Run(fmt.Sprintf("patterns=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				route(rules, txn)
			}
		})
	}
}
