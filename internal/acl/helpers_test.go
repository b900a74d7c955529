package acl

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/hawser-lb/hawser/internal/h1"
)

// req builds an h1.Request by hand, the way the h1 parser fills it, so that
// these tests do not depend on the parser. Headers are "Name: value".
func req(method, target string, headers ...string) *h1.Request {
	r := &h1.Request{Method: []byte(method), Target: []byte(target), Major: 1, Minor: 1}
	path := target
	if i := strings.Index(path, "://"); i >= 0 && !strings.HasPrefix(path, "/") {
		path = path[i+3:]
		if j := strings.IndexByte(path, '/'); j >= 0 {
			path = path[j:]
		} else {
			path = ""
		}
	} else if !strings.HasPrefix(path, "/") {
		path = "" // "*" and authority-form
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path != "" {
		r.Path = []byte(path)
	}
	if i := strings.IndexByte(target, '?'); i >= 0 {
		r.Query = []byte(target[i+1:])
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ":")
		v := []byte(strings.Trim(value, " \t"))
		r.Headers = append(r.Headers, h1.Header{Name: []byte(name), Value: v})
		if r.Host == nil && strings.EqualFold(name, "host") {
			r.Host = v
		}
	}
	return r
}

// ver sets the HTTP version of r.
func ver(r *h1.Request, major, minor int) *h1.Request {
	r.Major, r.Minor = major, minor
	return r
}

// httpTxn returns a Txn for r from 127.0.0.1:40000 to 127.0.0.1:80.
func httpTxn(r *h1.Request) *Txn {
	return &Txn{
		Req: r,
		Src: netip.MustParseAddr("127.0.0.1"), SrcPort: 40000,
		Dst: netip.MustParseAddr("127.0.0.1"), DstPort: 80,
	}
}

// aclMatches declares `acl a <args...>` and evaluates `if a`.
func aclMatches(t *testing.T, args []string, txn *Txn) bool {
	t.Helper()
	s := NewSet()
	if err := s.Declare("a", args); err != nil {
		t.Fatalf("Declare(%q): %v", args, err)
	}
	c, err := s.Cond([]string{"if", "a"})
	if err != nil {
		t.Fatalf("Cond: %v", err)
	}
	return c.Eval(txn)
}

// w splits a configuration-like line into words.
func w(s string) []string { return strings.Fields(s) }
