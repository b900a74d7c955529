package acl

import (
	"net/netip"
	"strings"
	"testing"
)

// fuzzTxns are the fixed requests every fuzzed ACL is evaluated on.
var fuzzTxns = func() []*Txn {
	v6 := httpTxn(req("GET", "/a/b?x=1&y=2;z", "Host: [::1]:80", "X: \"q,\\\"\", ,", "X:"))
	v6.Src = netip.MustParseAddr("2002:a01:203::1")
	return []*Txn{
		httpTxn(rX), httpTxn(rWS), httpTxn(rQ), httpTxn(rS), httpTxn(rC), httpTxn(rA), httpTxn(r10),
		v6,
		tcpTxn(rdp, false), tcpTxn(rdp[:15], true), tcpTxn("", true), {},
	}
}()

// fuzzWords splits fuzz input into configuration words, dropping -f (a
// fuzzer must not read arbitrary files such as /dev/zero).
func fuzzWords(s string) []string {
	words := strings.Fields(s)
	out := words[:0]
	for _, w := range words {
		if w != "-f" {
			out = append(out, w)
		}
	}
	return out
}

func FuzzDeclare(f *testing.F) {
	for _, s := range []string{
		"hdr(Connection) -i upgrade",
		"hdr_beg(Host) -i wss1.dy.xxxx.com",
		"req.fhdr(x,-1) -m sub c,d",
		"hdr_cnt() gt 2 lt 9 1:3 -4 5-",
		"path_reg -i ^/(a|b)+$",
		"url_dom .com.",
		"path_dir /a/b/",
		"src 127.1 10.0.0.0/255.0.255.0 ::ffff:1.2.3.4/120 2001:db8::/32",
		"src -n 1.2.3.4",
		"dst_port -m str -i 80",
		"urlp(x,;,i) -m beg 1",
		"method -i get PATCH",
		"req.rdp_cookie_cnt(mstshash) gt 0",
		"req.len -m bool",
		"base,lower,upper -m end /B",
		"hdr_ip(x) -m ip ::/0",
		"path -m bin 2f61",
		"wait_end",
		"-- -i",
		"path -u 1 -M -n -- -x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := fuzzWords(s)
		set := NewSet()
		set.Warn = func(string) {}
		if err := set.Declare("a", words); err != nil {
			return
		}
		for _, cond := range [][]string{{"if", "a"}, {"unless", "!a", "or", "a", "TRUE"}} {
			c, err := set.Cond(cond)
			if err != nil {
				t.Fatalf("Cond(%q) after a successful Declare: %v", cond, err)
			}
			for _, txn := range fuzzTxns {
				c.Exec(txn)
			}
		}
		if len(words) > 0 {
			if smp, err := CompileSample(words[0]); err == nil {
				for _, txn := range fuzzTxns {
					smp.Fetch(txn, nil)
					smp.FetchBin(txn, nil)
				}
			}
		}
	})
}

func FuzzCond(f *testing.F) {
	for _, s := range []string{
		"if a b",
		"unless a or !b",
		"if !!a || ! b c OR TRUE",
		"if { path_beg /x } !{ src 10.0.0.0/8 }",
		"if { { a } }",
		"if a } {",
		"if ! or ! !",
		"if HTTP_1.1 METH_GET LOCALHOST",
		"if { hdr(x) -m found } or WAIT_END RDP_COOKIE",
	} {
		f.Add(s)
	}
	set := NewSet()
	set.Warn = func(string) {}
	for _, l := range []string{"a hdr(x) -i c", "b path_beg /a", "a src 127.0.0.0/8"} {
		words := w(l)
		if err := set.Declare(words[0], words[1:]); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := set.Cond(fuzzWords(s))
		if err != nil {
			return
		}
		for _, txn := range fuzzTxns {
			r := c.Exec(txn)
			if r != True && r != False && r != Miss {
				t.Fatalf("Exec returned %d", r)
			}
			if !txn.More && r == Miss {
				t.Fatalf("%q: Miss on a final request", s)
			}
		}
	})
}
