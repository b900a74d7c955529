package acl

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Requests shared by the tables below.
var (
	rWS = req("GET", "/chat?room=1",
		"Host: wss1.dy.xxxx.com",
		"Connection: keep-alive, Upgrade",
		"Upgrade: websocket",
		"Referer: /a/b/c")
	rX  = req("GET", "/foo?a=1&a=2", "Host: h", "X: a, b", "X: c,d")
	rQ  = req("GET", "/x", "Host: h", `X: "a,b", c`)
	rV  = req("GET", "/12", "Host: example.com", "X: 7", "X: a", "Y: 12abc", "Content-Length: 10")
	rP  = req("get", "/p;a=5?b=1;a=9", "Host: example.com")
	rP2 = req("GET", "/p?=3&b=&a", "Host: example.com")
	rA  = req("GET", "http://example.com/p?x=1", "Host: other")
	rS  = req("OPTIONS", "*", "Host: example.com")
	rC  = req("CONNECT", "example.com:443", "Host: example.com:443")
	rE  = req("GET", "/p?", "Host: example.com")
	r10 = ver(req("GET", "/"), 1, 0)
	rWW = req("GET", "/a/b/c?x=1", "Host: www.example.com:80", "X: 10.1.2.3, 0")
)

func withHeader(v string) *Txn { return httpTxn(req("GET", "/", "Host: h", "X: "+v)) }

func withSrc(a string) *Txn {
	t := httpTxn(req("GET", "/"))
	t.Src = netip.MustParseAddr(a)
	return t
}

func tcpTxn(payload string, more bool) *Txn {
	return &Txn{Src: netip.MustParseAddr("10.0.0.1"), SrcPort: 5000, DstPort: 3389, Payload: []byte(payload), More: more}
}

// rdp is an RDP Connection Request carrying an mstshash cookie.
const rdp = "\x03\x00\x00\x2a" + "\x25\xe0\x00\x00\x00\x00\x00" + "Cookie: mstshash=alice\r\n" + "\x01\x00\x08\x00\x03\x00\x00\x00"

func TestFetchMatch(t *testing.T) {
	tests := []struct {
		name string
		acl  string
		txn  *Txn
		want bool
	}{
		// hdr: every comma-separated value of every occurrence.
		{"hdr comma split -i", "hdr(Connection) -i upgrade", httpTxn(rWS), true},
		{"hdr case-sensitive", "hdr(Connection) upgrade", httpTxn(rWS), false},
		{"hdr name any case", "hdr(CONNECTION) -i keep-alive", httpTxn(rWS), true},
		{"hdr second line", "req.hdr(x) c", httpTxn(rX), true},
		{"hdr values trimmed", "hdr(x) b", httpTxn(rX), true},
		{"hdr whole line is not a value", "hdr(x) a,b", httpTxn(rX), false},
		{"hdr quoted comma", `hdr(x) "a,b"`, httpTxn(rQ), true},
		{"hdr quoted not split", "hdr(x) b\"", httpTxn(rQ), false},
		{"hdr occ 2 only", "hdr(x,2) b", httpTxn(rX), true},
		{"hdr occ 2 not 4", "hdr(x,2) d", httpTxn(rX), false},
		{"hdr occ -1", "hdr(x,-1) d", httpTxn(rX), true},
		{"hdr occ -1 not first", "hdr(x,-1) a", httpTxn(rX), false},
		{"hdr absent", "hdr(nope) -m found", httpTxn(rX), false},
		{"hdr found empty value", "hdr(x) -m found", withHeader(""), true},
		{"hdr empty value len 0", "hdr(x) -m len 0", withHeader("a,"), true},
		{"hdr without parens finds nothing", "hdr -m found", httpTxn(rX), false},
		{"hdr() every header", "hdr() -m sub dy.xxxx", httpTxn(rWS), true},
		{"req.hdr() every header", "req.hdr() websocket", httpTxn(rWS), true},
		{"hdr -m found with patterns", "hdr(host) -m found whatever", httpTxn(rX), true},
		{"hdr -m bool number", "hdr(x) -m bool", withHeader("3"), true},
		{"hdr -m bool text", "hdr(x) -m bool", withHeader("abc"), false},
		{"hdr -m int leading digits", "hdr(y) -m int 12", httpTxn(rV), true},
		{"hdr -m ip v4", "hdr(x) -m ip 10.0.0.0/8", withHeader("10.1.2.3"), true},
		{"hdr -m ip v4 with port", "hdr(x) -m ip 10.0.0.0/8", withHeader("10.1.2.3:80"), true},
		{"hdr -m ip mapped", "hdr(x) -m ip 10.0.0.0/8", withHeader("::ffff:10.1.2.3"), true},
		{"hdr -m ip 6to4", "hdr(x) -m ip 10.0.0.0/8", withHeader("2002:0a01:0203::"), true},
		{"hdr -m ip compat", "hdr(x) -m ip 10.0.0.0/8", withHeader("::10.1.2.3"), true},
		{"hdr -m ip short form is not an address", "hdr(x) -m ip 127.0.0.1", withHeader("127.1"), false},
		{"hdr -m ip bracketed", "hdr(x) -m ip 2001:db8::/32", withHeader("[2001:db8::1]"), false},
		{"hdr -m ip v6", "hdr(x) -m ip 2001:db8::/32", withHeader("2001:db8::1"), true},
		{"hdr -m ip v6 pattern mapped", "hdr(x) -m ip ::ffff:10.0.0.0/104", withHeader("10.1.2.3"), true},
		{"hdr -m ip list", "hdr(x) -m ip 10.0.0.0/8", withHeader("1.2.3.4, 10.1.2.3"), true},
		{"hdr,lower", "hdr(host),lower wss1.dy.xxxx.com", httpTxn(req("GET", "/", "Host: WSS1.DY.XXXX.COM")), true},
		{"hdr,upper", "hdr(host),upper WSS1.DY.XXXX.COM", httpTxn(rWS), true},
		{"hdr,lower,upper", "hdr(host),lower,upper H", httpTxn(rX), true},

		// hdr_* derivatives.
		{"hdr_beg", "hdr_beg(host) -i WSS1.", httpTxn(rWS), true},
		{"hdr_beg no", "hdr_beg(host) wss2.", httpTxn(rWS), false},
		{"hdr_end", "hdr_end(host) .com", httpTxn(rWS), true},
		{"hdr_sub", "hdr_sub(host) dy.xx", httpTxn(rWS), true},
		{"hdr_sub -i", "hdr_sub(upgrade) -i SOCK", httpTxn(rWS), true},
		{"hdr_reg", "hdr_reg(host) ^wss[0-9]", httpTxn(rWS), true},
		{"hdr_reg -i", "hdr_reg(host) -i ^WSS1", httpTxn(rWS), true},
		{"hdr_reg no", "hdr_reg(host) ^WSS1", httpTxn(rWS), false},
		{"hdr_dom", "hdr_dom(host) xxxx.com", httpTxn(rWS), true},
		{"hdr_dom partial label", "hdr_dom(host) xxx.com", httpTxn(rWS), false},
		{"hdr_dom port delimits", "hdr_dom(host) example.com", httpTxn(rWW), true},
		{"hdr_dom dots stripped", "hdr_dom(host) .com.", httpTxn(rWW), true},
		{"hdr_dom prefix labels", "hdr_dom(host) www.example", httpTxn(rWW), true},
		{"hdr_dom middle", "hdr_dom(host) ample.com", httpTxn(rWW), false},
		{"hdr_dir", "hdr_dir(referer) b", httpTxn(rWS), true},
		{"hdr_dir two segments", "hdr_dir(referer) b/c", httpTxn(rWS), true},
		{"hdr_dir partial", "hdr_dir(referer) c/d", httpTxn(rWS), false},
		{"hdr_len", "hdr_len(host) 16", httpTxn(rWS), true},
		{"hdr_len range", "hdr_len(host) 1:10", httpTxn(rWS), false},

		// Counting and typed header fetches.
		{"hdr_cnt values", "hdr_cnt(x) 4", httpTxn(rX), true},
		{"hdr_cnt absent", "hdr_cnt(nope) 0", httpTxn(rX), true},
		{"hdr_cnt quoted", "hdr_cnt(x) 2", httpTxn(rQ), true},
		{"hdr_cnt empty value", "hdr_cnt(x) 1", withHeader(""), true},
		{"hdr_cnt trailing comma", "hdr_cnt(x) 2", withHeader("a,"), true},
		{"hdr_cnt gt", "req.hdr_cnt(x) gt 3", httpTxn(rX), true},
		{"hdr_cnt all headers", "hdr_cnt() 5", httpTxn(rX), true},
		{"hdr_cnt no parens", "hdr_cnt 5", httpTxn(rX), true},
		{"req.fhdr_cnt", "req.fhdr_cnt(x) 2", httpTxn(rX), true},
		{"req.fhdr full line", "req.fhdr(x) c,d", httpTxn(rX), true},
		{"req.fhdr not split", "req.fhdr(x) c", httpTxn(rX), false},
		{"req.fhdr occ 1", "req.fhdr(x,1) c,d", httpTxn(rX), false},
		{"req.fhdr occ 2", "req.fhdr(x,2) c,d", httpTxn(rX), true},
		{"hdr_val any value", "hdr_val(x) 7", httpTxn(rV), true},
		{"hdr_val leading digits", "req.hdr_val(y) 12", httpTxn(rV), true},
		{"hdr_val text is 0", "hdr_val(x,-1) 0", httpTxn(rV), true},
		{"hdr_ip", "hdr_ip(x) 10.1.2.3", withHeader("1.2.3.4, 10.1.2.3"), true},
		{"hdr_ip skips non-addresses", "req.hdr_ip(x) 10.1.2.3", withHeader("junk, 10.1.2.3"), true},

		// path.
		{"path", "path /foo", httpTxn(rX), true},
		{"path -i", "path -i /FOO", httpTxn(rX), true},
		{"path no query", "path /foo?a=1&a=2", httpTxn(rX), false},
		{"path_beg", "path_beg /fo", httpTxn(rX), true},
		{"path_end", "path_end oo", httpTxn(rX), true},
		{"path_end -i", "path_end -i /C", httpTxn(rWW), true},
		{"path_sub", "path_sub b/c", httpTxn(rWW), true},
		{"path_sub -i", "path_sub -i B/C", httpTxn(rWW), true},
		{"path_reg", "path_reg ^/a/.*/c$", httpTxn(rWW), true},
		{"path_dir", "path_dir b", httpTxn(rWW), true},
		{"path_dir slash only", "path_dir /", httpTxn(req("GET", "/")), false},
		{"path_dom", "path_dom /b/", httpTxn(rWW), true},
		{"path_len", "path_len 6", httpTxn(rWW), true},
		{"path_len gt", "path_len gt 6", httpTxn(rWW), false},
		{"path absolute-form", "path /p", httpTxn(rA), true},
		{"path star absent", "path -m found", httpTxn(rS), false},
		{"path connect absent", "path -m found", httpTxn(rC), false},
		{"path absolute without path", "path -m found", httpTxn(req("GET", "http://example.com")), false},
		{"path -m int", "path -m int 12", httpTxn(rV), false},
		{"path -m bool", "path -m bool", httpTxn(rV), false},
		{"path not decoded", "path /foo%20bar", httpTxn(req("GET", "/foo%20bar")), true},

		// url.
		{"url", "url /foo?a=1&a=2", httpTxn(rX), true},
		{"url_beg", "url_beg /foo?", httpTxn(rX), true},
		{"url_end", "url_end a=2", httpTxn(rX), true},
		{"url_sub", "url_sub a=1", httpTxn(rX), true},
		{"url_reg", "url_reg a=[0-9]$", httpTxn(rX), true},
		{"url_dir before ?", "url_dir foo", httpTxn(rX), true},
		{"url_dom", "url_dom c", httpTxn(rWW), true},
		{"url_len", "url_len 12", httpTxn(rX), true},
		{"url star", "url *", httpTxn(rS), true},
		{"url absolute", "url_beg http://", httpTxn(rA), true},

		// base.
		{"base", "base h/foo", httpTxn(rX), true},
		{"base_beg", "base_beg example.com/p", httpTxn(rP), true},
		{"base_sub", "base_sub m/p;a", httpTxn(rP), true},
		{"base without host", "base /", httpTxn(r10), true},
		{"base star", "base example.com", httpTxn(rS), true},
		{"base_len", "base_len 5", httpTxn(rX), true},
		{"base,upper", "base,upper H/FOO", httpTxn(rX), true},

		// query.
		{"query", "query a=1&a=2", httpTxn(rX), true},
		{"query absent", "query -m found", httpTxn(req("GET", "/a")), false},
		{"query empty found", "query -m len 0", httpTxn(rE), true},
		{"query_sub", "query -m sub a=2", httpTxn(rX), true},

		// url_param / urlp.
		{"urlp every occurrence", "urlp(a) 2", httpTxn(rX), true},
		{"urlp first", "url_param(a) 1", httpTxn(rX), true},
		{"urlp absent", "urlp(b) -m found", httpTxn(rX), false},
		{"urlp ; separates", "urlp(a) 9", httpTxn(rP), true},
		{"urlp delim starts list", "urlp(a,;) 5?b=1", httpTxn(rP), true},
		{"urlp delim value runs to &", "urlp(a,;) 5", httpTxn(rP), false},
		{"urlp empty value found", "url_param(b) -m found", httpTxn(rP2), true},
		{"urlp no = absent", "url_param(a) -m found", httpTxn(rP2), false},
		{"urlp no name", "urlp() 3", httpTxn(rP2), true},
		{"urlp case-sensitive", "urlp(A) 1", httpTxn(rX), false},
		{"urlp i", "urlp(A,,i) 1", httpTxn(rX), true},
		{"urlp_beg", "urlp_beg(room) 1", httpTxn(rWS), true},
		{"urlp_reg", "urlp_reg(a) ^[12]$", httpTxn(rX), true},
		{"urlp_len", "urlp_len(room) 1", httpTxn(rWS), true},
		{"urlp_val", "urlp_val(a) gt 1", httpTxn(rX), true},
		{"urlp_val none", "urlp_val(a) gt 2", httpTxn(rX), false},

		// method: known methods by exact name.
		{"method GET", "method GET", httpTxn(rX), true},
		{"method get vs GET", "method get", httpTxn(rX), false},
		{"method -i get vs GET", "method -i get", httpTxn(rX), false},
		{"method get vs get", "method get", httpTxn(rP), true},
		{"method GET vs get", "method GET", httpTxn(rP), false},
		{"method -i patch", "method -i patch", httpTxn(req("PATCH", "/")), true},
		{"method patch case", "method patch", httpTxn(req("PATCH", "/")), false},
		{"method list", "method POST GET HEAD", httpTxn(rX), true},
		{"method -m str -i", "method -m str -i get", httpTxn(rX), true},
		{"method -m beg", "method -m beg G", httpTxn(rX), true},
		{"method -m len", "method -m len 3", httpTxn(rX), true},

		// req.ver.
		{"req.ver", "req.ver 1.1", httpTxn(rX), true},
		{"req_ver 1.0", "req_ver 1.0", httpTxn(r10), true},
		{"req.ver 2.0", "req.ver 2.0", httpTxn(ver(req("GET", "/"), 2, 0)), true},
		{"req.proto_http", "req.proto_http", httpTxn(rX), true},

		// src / dst.
		{"src exact", "src 127.0.0.1", httpTxn(rX), true},
		{"src short form", "src 127.1", httpTxn(rX), true},
		{"src octal", "src 0177.0.0.1", httpTxn(rX), true},
		{"src cidr", "src 127.0.0.0/8", httpTxn(rX), true},
		{"src dotted mask", "src 127.0.0.0/255.0.0.0", httpTxn(rX), true},
		{"src non-contiguous mask", "src 127.0.0.0/255.0.255.0", httpTxn(rX), true},
		{"src other net", "src 10.0.0.0/8 192.168.0.0/16", httpTxn(rX), false},
		{"src v6 pattern mapped", "src ::ffff:127.0.0.1", httpTxn(rX), true},
		{"src v6 prefix mapped", "src ::ffff:127.0.0.0/104", httpTxn(rX), true},
		{"src ::1 vs v4", "src ::1", httpTxn(rX), false},
		{"src v4 vs mapped", "src 10.0.0.0/8", withSrc("::ffff:10.1.2.3"), true},
		{"src v4 vs 6to4", "src 10.0.0.0/8", withSrc("2002:a01:203::1"), true},
		{"src v4 vs compat", "src 10.0.0.0/8", withSrc("::10.1.2.3"), true},
		{"src v4 vs plain v6", "src 10.0.0.0/8", withSrc("2001:db8::a01:203"), false},
		{"src v6", "src 2001:db8::/32", withSrc("2001:db8::1"), true},
		{"src v6 no", "src 2001:db8::/32", withSrc("2001:db9::1"), false},
		{"src ::1", "src ::1", withSrc("::1"), true},
		{"src -m str", "src -m str 127.0.0.1", httpTxn(rX), true},
		{"src -m beg", "src -m beg 127.", httpTxn(rX), true},
		{"src -m int", "src -m int 2130706433", httpTxn(rX), true},
		{"src -m len", "src -m len 9", httpTxn(rX), true},
		{"src unknown", "src -m found", &Txn{}, false},
		{"src -n dotted", "src -n 127.0.0.1", httpTxn(rX), true},
		{"dst", "dst 127.0.0.1", httpTxn(rX), true},

		// Integers.
		{"dst_port", "dst_port 80", httpTxn(rX), true},
		{"dst_port range", "dst_port 1:100", httpTxn(rX), true},
		{"dst_port dash range", "dst_port 1-100", httpTxn(rX), true},
		{"dst_port open low", "dst_port :80", httpTxn(rX), true},
		{"dst_port open high", "dst_port 81:", httpTxn(rX), false},
		{"dst_port leading dash is upper bound", "dst_port -- -80", httpTxn(rX), true},
		{"dst_port gt", "dst_port gt 79", httpTxn(rX), true},
		{"dst_port gt no", "dst_port gt 80", httpTxn(rX), false},
		{"dst_port ge", "dst_port ge 80", httpTxn(rX), true},
		{"dst_port lt", "dst_port lt 80", httpTxn(rX), false},
		{"dst_port le", "dst_port le 80", httpTxn(rX), true},
		{"dst_port eq list", "dst_port eq 443 80", httpTxn(rX), true},
		{"dst_port operator persists", "dst_port lt 10 20", httpTxn(rX), false},
		{"dst_port operator then range", "dst_port gt 100 70:90", httpTxn(rX), true},
		{"dst_port -m str", "dst_port -m str 80", httpTxn(rX), true},
		{"dst_port -m reg", "dst_port -m reg ^8", httpTxn(rX), true},
		{"dst_port -m len", "dst_port -m len 2", httpTxn(rX), true},
		{"dst_port -m bool", "dst_port -m bool", httpTxn(rX), true},
		{"dst_port,lower", "dst_port,lower 80", httpTxn(rX), true},
		{"src_port", "src_port 40000", httpTxn(rX), true},
		{"src_port -m ip", "src_port -m ip 0.0.156.64", httpTxn(rX), true},

		// Mode tcp.
		{"req.len", "req.len 5", tcpTxn("hello", false), true},
		{"req_len gt", "req_len gt 0", tcpTxn("", false), false},
		{"rdp cookie", "req.rdp_cookie(mstshash) alice", tcpTxn(rdp, false), true},
		{"rdp cookie name any case", "req_rdp_cookie(MSTSHASH) alice", tcpTxn(rdp, false), true},
		{"rdp cookie any name", "req.rdp_cookie -m found", tcpTxn(rdp, false), true},
		{"rdp cookie other name", "req.rdp_cookie(msts) -m found", tcpTxn(rdp, false), false},
		{"rdp cookie cnt", "req.rdp_cookie_cnt 1", tcpTxn(rdp, false), true},
		{"rdp cookie cnt short", "req_rdp_cookie_cnt 0", tcpTxn(rdp[:20], false), true},
		{"rdp not rdp", "req.rdp_cookie_cnt 0", tcpTxn("GET / HTTP/1.1\r\n\r\n", false), true},
		{"http fetch in tcp", "path -m found", tcpTxn("GET / HTTP/1.1\r\n\r\n", false), false},

		// Booleans.
		{"always_true", "always_true", &Txn{}, true},
		{"always_false", "always_false", &Txn{}, false},
		{"always_false -m found", "always_false -m found", &Txn{}, true},
		{"wait_end", "wait_end", &Txn{}, true},
		{"wait_end -m bool", "wait_end -m bool", &Txn{}, true},
		{"no pattern never matches", "path --", httpTxn(rX), false},
		{"-- then dash pattern", "hdr(x) -- -i", withHeader("-i"), true},
		{"-u accepted", "path -u 3 /foo", httpTxn(rX), true},
		{"-M accepted", "path -M /foo", httpTxn(rX), true},
		{"-m last wins", "path -m beg -m end oo", httpTxn(rX), true},
		{"-i before -m", "path -i -m beg /F", httpTxn(rX), true},
		{"flags stop at first pattern", "hdr(x) foo -i", withHeader("-i"), true},
		{"bin", "path -m bin 2f666f6f", httpTxn(rX), true},
		{"bin no", "path -m bin 2f666f", httpTxn(rX), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := aclMatches(t, splitACL(tc.acl), tc.txn)
			if got != tc.want {
				t.Errorf("acl a %s: got %v, want %v", tc.acl, got, tc.want)
			}
		})
	}
}

// splitACL splits on spaces, keeping a double-quoted word whole (the config
// lexer's job; quotes are removed).
func splitACL(s string) []string {
	var out []string
	for s != "" {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			break
		}
		if s[0] == '"' {
			if end := strings.IndexByte(s[1:], '"'); end >= 0 && (len(s) == end+2 || s[end+2] == ' ') {
				out = append(out, `"`+s[1:end+1]+`"`)
				s = s[end+2:]
				continue
			}
		}
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			i = len(s)
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}

// Large pattern sets are indexed; they must give the answers of a scan.
func TestLargePatternSets(t *testing.T) {
	var pats []string
	for _, p := range []string{"/alpha", "/beta", "/gamma", "/delta", "/epsilon", "/zeta", "/eta", "/theta", "/iota", "/kappa", "/lambda", "/mu"} {
		pats = append(pats, p)
	}
	tests := []struct {
		name  string
		flags string
		path  string
		want  bool
	}{
		{"str hit", "-m str", "/kappa", true},
		{"str miss", "-m str", "/kappa/x", false},
		{"str -i hit", "-i -m str", "/KAPPA", true},
		{"str case", "-m str", "/KAPPA", false},
		{"beg hit", "-m beg", "/lambda/x", true},
		{"beg shortest", "-m beg", "/mux", true},
		{"beg miss", "-m beg", "/nu", false},
		{"beg -i", "-i -m beg", "/THETA/1", true},
		{"end hit", "-m end", "/x/iota", true},
		{"end -i", "-i -m end", "/x/IOTA", true},
		{"end miss", "-m end", "/x/iot", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"path"}, strings.Fields(tc.flags)...), pats...)
			got := aclMatches(t, args, httpTxn(req("GET", tc.path)))
			if got != tc.want {
				t.Errorf("path %s %s on %s: got %v, want %v", tc.flags, pats, tc.path, got, tc.want)
			}
		})
	}
	// A -i pattern longer than the lower-casing buffer still matches.
	long := "/" + strings.Repeat("x", foldBufLen+10)
	for _, m := range []string{"str", "beg", "end"} {
		args := append([]string{"path", "-i", "-m", m}, append(pats, long)...)
		if !aclMatches(t, args, httpTxn(req("GET", strings.ToUpper(long)))) {
			t.Errorf("-m %s: long -i pattern did not match", m)
		}
	}
	// Many IP patterns, several masks.
	ips := []string{"10.0.0.0/8", "192.168.1.0/24", "2001:db8::/32"}
	for i := 0; i < 20; i++ {
		ips = append(ips, netip.AddrFrom4([4]byte{172, 16, byte(i), 1}).String())
	}
	for _, tc := range []struct {
		src  string
		want bool
	}{{"172.16.7.1", true}, {"172.16.7.2", false}, {"10.9.9.9", true}, {"192.168.1.77", true}, {"192.168.2.1", false}, {"2001:db8::5", true}, {"::ffff:172.16.19.1", true}} {
		if got := aclMatches(t, append([]string{"src"}, ips...), withSrc(tc.src)); got != tc.want {
			t.Errorf("src %s: got %v, want %v", tc.src, got, tc.want)
		}
	}
}

func TestPatternFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "paths.lst")
	// Leading blanks are removed, trailing ones kept; '#' comments only in
	// the first column (HAProxy 2.6.12).
	content := "# comment\n\n  /a\n/x  \n  # not a comment\n/e\r\n/f\t\n"
	if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		want bool
	}{{"/a", true}, {"/e", true}, {"/x", false}, {"/x  ", true}, {"/f", false}, {"# not a comment", true}, {"# comment", false}, {"/A", false}}
	for _, tc := range tests {
		if got := aclMatches(t, []string{"url", "-f", file}, httpTxn(req("GET", tc.path))); got != tc.want {
			t.Errorf("url -f on %q: got %v, want %v", tc.path, got, tc.want)
		}
	}
	if !aclMatches(t, []string{"path", "-i", "-f", file}, httpTxn(req("GET", "/A"))) {
		t.Errorf("path -i -f: /A did not match /a")
	}
	// -f and inline patterns together.
	if !aclMatches(t, []string{"path", "-f", file, "/inline"}, httpTxn(req("GET", "/inline"))) {
		t.Errorf("inline pattern after -f did not match")
	}
	bad := filepath.Join(dir, "bad.lst")
	if err := os.WriteFile(bad, []byte("1.2.3.4\n\n# c\n300.1.1.1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := NewSet().Declare("a", []string{"src", "-f", bad})
	want := "'300.1.1.1' is not a valid IPv4 or IPv6 address at line 4 of file '" + bad + "'"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("bad file: got %v, want an error containing %q", err, want)
	}
}
