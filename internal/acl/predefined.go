package acl

import (
	"fmt"
	"sync"
)

// predefinedDefs are HAProxy's pre-defined ACLs (configuration.txt §7.4),
// as defined by haproxy 2.6.12 (LOCALHOST matching ::1 was observed).
var predefinedDefs = []struct {
	name string
	args []string
}{
	{"TRUE", []string{"always_true"}},
	{"FALSE", []string{"always_false"}},
	{"LOCALHOST", []string{"src", "127.0.0.1/8", "::1"}},
	{"HTTP", []string{"req.proto_http"}},
	{"HTTP_1.0", []string{"req.ver", "1.0"}},
	{"HTTP_1.1", []string{"req.ver", "1.1"}},
	{"HTTP_2.0", []string{"req.ver", "2.0"}},
	{"HTTP_CONTENT", []string{"req.hdr_val(content-length)", "gt", "0"}},
	{"HTTP_URL_ABS", []string{"url_reg", "^[^/:]*://"}},
	{"HTTP_URL_SLASH", []string{"url_beg", "/"}},
	{"HTTP_URL_STAR", []string{"url", "*"}},
	{"METH_CONNECT", []string{"method", "CONNECT"}},
	{"METH_DELETE", []string{"method", "DELETE"}},
	{"METH_GET", []string{"method", "GET", "HEAD"}},
	{"METH_HEAD", []string{"method", "HEAD"}},
	{"METH_OPTIONS", []string{"method", "OPTIONS"}},
	{"METH_POST", []string{"method", "POST"}},
	{"METH_PUT", []string{"method", "PUT"}},
	{"METH_TRACE", []string{"method", "TRACE"}},
	{"RDP_COOKIE", []string{"req.rdp_cookie_cnt", "gt", "0"}},
	{"REQ_CONTENT", []string{"req.len", "gt", "0"}},
	{"WAIT_END", []string{"wait_end"}},
}

// predefined compiles the pre-defined ACLs once; they are immutable and
// shared by every Set.
var predefined = sync.OnceValues(func() (map[string]*acl, error) {
	m := make(map[string]*acl, len(predefinedDefs))
	for _, d := range predefinedDefs {
		e, err := parseExpr(d.args, nil)
		if err != nil {
			return nil, fmt.Errorf("predefined ACL '%s': %w", d.name, err)
		}
		m[d.name] = &acl{name: d.name, exprs: []*expr{e}}
	}
	return m, nil
})
