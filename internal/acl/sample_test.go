package acl

import (
	"net/netip"
	"testing"
)

func TestSampleFetch(t *testing.T) {
	absent := "<absent>"
	v6 := httpTxn(req("GET", "/"))
	v6.Src = netip.MustParseAddr("::1")
	tests := []struct {
		expr string
		txn  *Txn
		want string
	}{
		// hdr: the last value unless an occurrence is given.
		{"hdr(x)", httpTxn(rX), "d"},
		{"req.hdr(X)", httpTxn(rX), "d"},
		{"hdr(x,1)", httpTxn(rX), "a"},
		{"hdr(x,2)", httpTxn(rX), "b"},
		{"hdr(x,-1)", httpTxn(rX), "d"},
		{"hdr(x,-2)", httpTxn(rX), "c"},
		{"hdr(x,5)", httpTxn(rX), absent},
		{"hdr(x,-5)", httpTxn(rX), absent},
		{"hdr(x,1)", httpTxn(rQ), `"a,b"`},
		{"hdr(x)", httpTxn(rQ), "c"},
		{"hdr(x)", withHeader(""), ""},
		{"hdr(x)", withHeader("a,"), ""},
		{"hdr(x,1)", withHeader("a,"), "a"},
		{"hdr(x)", withHeader("a,,b"), "b"},
		{"hdr(nope)", httpTxn(rX), absent},
		{"hdr", httpTxn(rX), absent},
		{"hdr()", httpTxn(rX), "d"},
		{"req.hdr(,1)", httpTxn(rX), "h"},
		{"req.fhdr(x)", httpTxn(rX), "c,d"},
		{"req.fhdr(x,1)", httpTxn(rX), "a, b"},
		{"req.fhdr(x)", httpTxn(rQ), `"a,b", c`},
		{"hdr_cnt(x)", httpTxn(rX), "4"},
		{"hdr_cnt(x)", withHeader("a,,b"), "3"},
		{"hdr_cnt(nope)", httpTxn(rX), "0"},
		{"hdr_cnt", httpTxn(rX), "5"},
		{"req.fhdr_cnt(x)", httpTxn(rX), "2"},
		{"req.fhdr_cnt()", httpTxn(rX), "3"},
		{"hdr_val(x)", httpTxn(rV), "0"},
		{"hdr_val(y)", httpTxn(rV), "12"},
		{"req.hdr_val(x,1)", httpTxn(rV), "7"},
		{"hdr_ip(x)", withHeader("10.1.2.3:80"), "10.1.2.3"},
		{"hdr_ip(x)", withHeader("::10.1.2.3"), "::10.1.2.3"},
		{"hdr_ip(x)", withHeader("2002:0a01:0203::"), "2002:a01:203::"},
		{"hdr_ip(x)", withHeader("127.1"), absent},
		{"hdr(host),lower", httpTxn(req("GET", "/", "Host: WWW.Example.COM")), "www.example.com"},
		{"hdr(host),upper", httpTxn(rX), "H"},
		{"dst_port,lower", httpTxn(rX), "80"},

		// Request line.
		{"path", httpTxn(rX), "/foo"},
		{"path", httpTxn(rA), "/p"},
		{"path", httpTxn(rS), absent},
		{"path", httpTxn(rC), absent},
		{"url", httpTxn(rX), "/foo?a=1&a=2"},
		{"url", httpTxn(rS), "*"},
		{"base", httpTxn(rX), "h/foo"},
		{"base", httpTxn(rP), "example.com/p;a=5"},
		{"base", httpTxn(r10), "/"},
		{"base", httpTxn(rS), "example.com"},
		{"query", httpTxn(rX), "a=1&a=2"},
		{"query", httpTxn(rE), ""},
		{"query", httpTxn(req("GET", "/a")), absent},
		{"url_param(a)", httpTxn(rX), "1"},
		{"urlp(a)", httpTxn(rP), "9"},
		{"url_param(a,;)", httpTxn(rP), "5?b=1"},
		{"url_param()", httpTxn(rP2), "3"},
		{"url_param()", httpTxn(rP), "1"},
		{"url_param(b)", httpTxn(rP2), ""},
		{"url_param(a)", httpTxn(rP2), absent},
		{"url_param(A,,i)", httpTxn(rX), "1"},
		{"urlp_val(a)", httpTxn(rX), "1"},
		{"method", httpTxn(rP), "get"},
		{"req.ver", httpTxn(rX), "1.1"},
		{"req_ver", httpTxn(r10), "1.0"},
		{"req.ver", httpTxn(ver(req("GET", "/"), 2, 0)), "2.0"},
		{"req.proto_http", httpTxn(rX), "1"},

		// Connection.
		{"src", httpTxn(rX), "127.0.0.1"},
		{"src", v6, "::1"},
		{"src", &Txn{}, absent},
		{"dst", httpTxn(rX), "127.0.0.1"},
		{"src_port", httpTxn(rX), "40000"},
		{"dst_port", httpTxn(rX), "80"},

		// Mode tcp.
		{"req.len", tcpTxn(rdp, false), "43"},
		{"req.rdp_cookie", tcpTxn(rdp, false), "alice"},
		{"req.rdp_cookie(mstshash)", tcpTxn(rdp, false), "alice"},
		{"req.rdp_cookie_cnt", tcpTxn(rdp, false), "1"},
		{"req.rdp_cookie", tcpTxn(rdp[:20], false), absent},
		{"path", tcpTxn(rdp, false), absent},
		{"always_true", &Txn{}, "1"},
		{"always_false", &Txn{}, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			s, err := CompileSample(tc.expr)
			if err != nil {
				t.Fatalf("CompileSample(%q): %v", tc.expr, err)
			}
			got := absent
			if v, ok := s.Fetch(tc.txn, nil); ok {
				got = string(v)
			}
			if got != tc.want {
				t.Errorf("%s: got %q, want %q", tc.expr, got, tc.want)
			}
		})
	}
}

func TestSampleFetchBin(t *testing.T) {
	v6 := httpTxn(req("GET", "/"))
	v6.Src = netip.MustParseAddr("2001:db8::1")
	tests := []struct {
		expr string
		txn  *Txn
		want string
	}{
		{"src", httpTxn(rX), "\x7f\x00\x00\x01"},
		{"src", v6, "\x20\x01\x0d\xb8" + "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"},
		{"dst_port", httpTxn(rX), "\x00\x00\x00\x00\x00\x00\x00\x50"},
		{"hdr(host)", httpTxn(rX), "h"},
	}
	for _, tc := range tests {
		s, err := CompileSample(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		v, ok := s.FetchBin(tc.txn, nil)
		if !ok || string(v) != tc.want {
			t.Errorf("FetchBin(%s) = %q, %v; want %q", tc.expr, v, ok, tc.want)
		}
	}
}

func TestCompileSampleErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "missing fetch method"},
		{"xyz", "unknown fetch method 'xyz'"},
		{"path_len", "unknown fetch method 'path_len'"},
		{"hdr_beg(host)", "unknown fetch method 'hdr_beg'"},
		{"hdr(x,y)", "fetch method 'hdr' : failed to parse 'y' as type 'integer' at position 2"},
		{"hdr(x,1,2)", "fetch method 'hdr' : expected ')' before ',2)'"},
		{"path(x)", "fetch method 'path' : expected ')' before 'x)'"},
		{"hdr_cnt(x,1)", "fetch method 'hdr_cnt' : expected ')' before ',1)'"},
		{"hdr(x", "fetch method 'hdr' : expected ')'"},
		{"hdr(x)y", "fetch method 'hdr' : missing comma after fetch keyword"},
		{"path,json", "fetch method 'path' : unknown converter 'json' (hawser supports lower and upper)"},
		{"urlp(a,,x)", "fetch method 'urlp' : the third argument must be 'i' (case-insensitive name), not 'x'"},
	}
	for _, tc := range tests {
		_, err := CompileSample(tc.expr)
		if err == nil || err.Error() != tc.want {
			t.Errorf("CompileSample(%q): got error %v, want %q", tc.expr, err, tc.want)
		}
	}
}

// The scratch buffer given to Fetch is where formatted values go.
func TestSampleFetchAppendsToBuf(t *testing.T) {
	s, err := CompileSample("base")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 0, 64)
	buf = append(buf, "prefix:"...)
	v, ok := s.Fetch(httpTxn(rX), buf)
	if !ok || string(v) != "h/foo" {
		t.Fatalf("Fetch = %q, %v", v, ok)
	}
	if string(buf[:7]) != "prefix:" {
		t.Errorf("Fetch overwrote the caller's bytes: %q", buf[:7])
	}
}
