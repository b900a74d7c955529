package acl

import (
	"net/netip"
	"strings"
	"testing"
)

// condSet declares t1/t2 (true on rX) and f1/f2 (false on rX).
func condSet(t *testing.T) *Set {
	t.Helper()
	s := NewSet()
	for _, l := range []string{
		"t1 path /foo",
		"t2 method GET",
		"f1 path /bar",
		"f2 hdr(nope) -m found",
	} {
		words := w(l)
		if err := s.Declare(words[0], words[1:]); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func TestCondGrammar(t *testing.T) {
	tests := []struct {
		cond string
		want bool
	}{
		{"if t1", true},
		{"if f1", false},
		{"unless t1", false},
		{"unless f1", true},
		{"if t1 t2", true},
		{"if t1 f1", false},
		{"if f1 t1", false},
		{"if f1 or t1", true},
		{"if f1 || t1", true},
		{"if f1 OR t1", true},
		{"if f1 Or f2", false},
		{"if t1 f1 or t2", true},       // (t1 ∧ f1) ∨ t2
		{"if f1 or t1 f2", false},      // f1 ∨ (t1 ∧ f2)
		{"if f1 or t1 t2 or f2", true}, // f1 ∨ (t1 ∧ t2) ∨ f2
		{"unless f1 or t1 f2", true},   // ¬(f1 ∨ (t1 ∧ f2))
		{"if !f1", true},
		{"if !t1", false},
		{"if ! f1", true},
		{"if !!t1", true},
		{"if ! !t1", true},
		{"if !!! t1", false},
		{"if !f2 t1", true},
		{"if !f1 or f1", true},
		{"if ! or t1", true}, // "or" forgets a pending "!"
		{"if t1 !", true},    // a trailing "!" is ignored
		{"if or t1", true},   // empty groups are dropped
		{"if t1 or", true},
		{"if t1 or or f1", true},
		{"if { path /foo }", true},
		{"if { path /bar }", false},
		{"if !{ path /bar }", true},
		{"if ! { path /bar }", true},
		{"if { path -m beg /f } { method GET }", true},
		{"if { path /bar } or { hdr(x) c }", true},
		{"if t1 { hdr_cnt(x) gt 5 }", false},
		{"unless { src 10.0.0.0/8 }", true},
		{"if TRUE", true},
		{"if FALSE or t1", true},
		{"if !TRUE", false},
	}
	s := condSet(t)
	for _, tc := range tests {
		t.Run(tc.cond, func(t *testing.T) {
			c, err := s.Cond(w(tc.cond))
			if err != nil {
				t.Fatalf("Cond(%q): %v", tc.cond, err)
			}
			if got := c.Eval(httpTxn(rX)); got != tc.want {
				t.Errorf("%s: got %v, want %v", tc.cond, got, tc.want)
			}
			if c.String() != tc.cond {
				t.Errorf("String() = %q, want %q", c.String(), tc.cond)
			}
		})
	}
}

func TestRedeclaredACLsAreORed(t *testing.T) {
	s := NewSet()
	decl := func(l string) {
		t.Helper()
		words := w(l)
		if err := s.Declare(words[0], words[1:]); err != nil {
			t.Fatal(err)
		}
	}
	decl("static path_beg /static")
	c, err := s.Cond(w("if static"))
	if err != nil {
		t.Fatal(err)
	}
	img := httpTxn(req("GET", "/x.png"))
	if c.Eval(img) {
		t.Fatalf("/x.png matched before the second declaration")
	}
	// A later declaration extends the ACL, also for conditions compiled
	// before it (HAProxy shares the ACL).
	decl("static path_end .png .jpg")
	for _, tc := range []struct {
		path string
		want bool
	}{{"/static/a", true}, {"/x.png", true}, {"/x.jpg", true}, {"/x.gif", false}} {
		if got := c.Eval(httpTxn(req("GET", tc.path))); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.path, got, tc.want)
		}
	}
}

func TestPredefinedOverride(t *testing.T) {
	s := NewSet()
	if err := s.Declare("TRUE", []string{"always_false"}); err != nil {
		t.Fatal(err)
	}
	c, err := s.Cond(w("if TRUE"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Eval(httpTxn(rX)) {
		t.Errorf("a section's ACL named TRUE must hide the predefined one")
	}
}

func TestPredefinedACLs(t *testing.T) {
	post := httpTxn(req("POST", "/", "Host: h", "Content-Length: 10"))
	post.Payload = []byte("POST / HTTP/1.1\r\n...")
	empty := httpTxn(req("POST", "/", "Host: h", "Content-Length: 0"))
	v6local := httpTxn(req("GET", "/"))
	v6local.Src = netip.MustParseAddr("::1")
	remote := httpTxn(req("GET", "/"))
	remote.Src = netip.MustParseAddr("192.0.2.1")
	tests := []struct {
		name string
		txn  *Txn
		want bool
	}{
		{"TRUE", &Txn{}, true},
		{"FALSE", &Txn{}, false},
		{"HTTP", httpTxn(rX), true},
		{"HTTP", tcpTxn("x", false), false},
		{"HTTP_1.0", httpTxn(r10), true},
		{"HTTP_1.0", httpTxn(rX), false},
		{"HTTP_1.1", httpTxn(rX), true},
		{"HTTP_2.0", httpTxn(ver(req("GET", "/"), 2, 0)), true},
		{"HTTP_2.0", httpTxn(rX), false},
		{"HTTP_CONTENT", post, true},
		{"HTTP_CONTENT", empty, false},
		{"HTTP_CONTENT", httpTxn(rX), false},
		{"HTTP_URL_ABS", httpTxn(rA), true},
		{"HTTP_URL_ABS", httpTxn(rX), false},
		{"HTTP_URL_SLASH", httpTxn(rX), true},
		{"HTTP_URL_SLASH", httpTxn(rA), false},
		{"HTTP_URL_STAR", httpTxn(rS), true},
		{"HTTP_URL_STAR", httpTxn(rX), false},
		{"LOCALHOST", httpTxn(rX), true},
		{"LOCALHOST", v6local, true},
		{"LOCALHOST", remote, false},
		{"METH_CONNECT", httpTxn(rC), true},
		{"METH_DELETE", httpTxn(req("DELETE", "/")), true},
		{"METH_GET", httpTxn(rX), true},
		{"METH_GET", httpTxn(req("HEAD", "/")), true},
		{"METH_GET", httpTxn(rP), false}, // "get" is not GET
		{"METH_GET", post, false},
		{"METH_HEAD", httpTxn(req("HEAD", "/")), true},
		{"METH_HEAD", httpTxn(rX), false},
		{"METH_OPTIONS", httpTxn(rS), true},
		{"METH_POST", post, true},
		{"METH_PUT", httpTxn(req("PUT", "/")), true},
		{"METH_TRACE", httpTxn(req("TRACE", "/")), true},
		{"RDP_COOKIE", tcpTxn(rdp, false), true},
		{"RDP_COOKIE", tcpTxn("GET / HTTP/1.1\r\n\r\n", false), false},
		{"REQ_CONTENT", post, true},
		{"REQ_CONTENT", tcpTxn("", false), false},
		{"WAIT_END", &Txn{}, true},
	}
	s := NewSet()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := s.Cond([]string{"if", tc.name})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Eval(tc.txn); got != tc.want {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		})
	}
	// Every predefined ACL compiles.
	pre, err := predefined()
	if err != nil {
		t.Fatal(err)
	}
	if len(pre) != 22 {
		t.Errorf("%d predefined ACLs, want 22", len(pre))
	}
}

// With Txn.More, payload ACLs answer Miss ("wait") instead of False.
func TestExecMiss(t *testing.T) {
	tests := []struct {
		cond string
		txn  *Txn
		want Result
	}{
		{"if REQ_CONTENT", tcpTxn("", true), Miss},
		{"if REQ_CONTENT", tcpTxn("", false), False},
		{"if REQ_CONTENT", tcpTxn("x", true), True},
		{"if !REQ_CONTENT", tcpTxn("", true), Miss},
		{"unless REQ_CONTENT", tcpTxn("", true), Miss},
		{"if { req.len ge 10 }", tcpTxn("abc", true), Miss},
		{"if { req.len ge 10 }", tcpTxn("abcdefghij", true), True},
		{"if { req.len lt 10 }", tcpTxn("abc", true), True},
		{"if RDP_COOKIE", tcpTxn(rdp[:20], true), Miss},
		{"if RDP_COOKIE", tcpTxn(rdp[:20], false), False},
		{"if RDP_COOKIE", tcpTxn(rdp, true), True},
		{"if { req.rdp_cookie(mstshash) bob }", tcpTxn(rdp, true), Miss},
		{"if WAIT_END", tcpTxn("x", true), Miss},
		{"if WAIT_END", tcpTxn("x", false), True},
		{"if HTTP", tcpTxn("GET /", true), Miss},
		{"if HTTP", tcpTxn("GET /", false), False},
		{"if FALSE REQ_CONTENT", tcpTxn("", true), False},
		{"if REQ_CONTENT or TRUE", tcpTxn("", true), True},
		{"if REQ_CONTENT or FALSE", tcpTxn("", true), Miss},
		{"if TRUE REQ_CONTENT", tcpTxn("", true), Miss},
		{"if { src 10.0.0.1 }", tcpTxn("", true), True},
		{"if { src 10.0.0.2 }", tcpTxn("", true), False},
		{"if { path / }", httpTxn(rX), False},
	}
	s := NewSet()
	for _, tc := range tests {
		c, err := s.Cond(w(tc.cond))
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Exec(tc.txn); got != tc.want {
			t.Errorf("%s (payload %q, more %v): got %v, want %v", tc.cond, tc.txn.Payload, tc.txn.More, got, tc.want)
		}
		if got, want := c.Eval(tc.txn), tc.want == True; got != want {
			t.Errorf("%s: Eval %v, want %v", tc.cond, got, want)
		}
	}
}

func TestWarnings(t *testing.T) {
	var got []string
	s := NewSet()
	s.Warn = func(m string) { got = append(got, m) }
	for _, l := range []string{"a path", "b path --", "c path -m found", "d always_true", "e hdr(x) -m bool", "f path /x"} {
		words := w(l)
		if err := s.Declare(words[0], words[1:]); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], "no pattern to match against were provided") || !strings.Contains(got[0], "'path'") {
		t.Errorf("warnings = %q, want one about 'path' having no pattern", got)
	}
}

// HAProxy's word lists end at an empty word (a quoted ""), observed on
// 2.6.12: `acl a path "" /x` has no pattern, `if known "" nosuch` is `if
// known`.
func TestEmptyWordEndsList(t *testing.T) {
	var warned int
	s := NewSet()
	s.Warn = func(string) { warned++ }
	if err := s.Declare("a", []string{"path", "", "/x"}); err != nil {
		t.Fatal(err)
	}
	if warned != 1 {
		t.Errorf("%d warnings, want 1 (no pattern)", warned)
	}
	c, err := s.Cond([]string{"if", "TRUE", "", "nosuch"})
	if err != nil {
		t.Fatalf("Cond: %v", err)
	}
	if !c.Eval(httpTxn(req("GET", "/x"))) {
		t.Errorf("if TRUE \"\" nosuch: got false, want true")
	}
	if aclMatches(t, []string{"path", "", "/x"}, httpTxn(req("GET", "/x"))) {
		t.Errorf(`path "" /x matched /x`)
	}
}
