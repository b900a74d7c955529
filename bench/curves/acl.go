// Package curves measures how hawser's costs grow with the size of its
// configuration: ACL evaluation against the number of rules, server choice
// against the number of servers, and configuration compile and reload
// time against the number of backends. Each curve is a set of Go
// benchmarks driven through testing.Benchmark, so the suite can run them
// in-process and `go test -bench . ./bench/curves` runs them too.
package curves

import (
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hawser-lb/hawser/internal/acl"
	"github.com/hawser-lb/hawser/internal/h1"
)

// Point is one measurement of a curve.
type Point struct {
	Name     string // the variant ("path_beg rules", "roundrobin", ...)
	N        int    // the size: rules, servers, backends
	NsPerOp  float64
	AllocsOp int64
}

// routing is a frontend's use_backend rules, compiled as the proxy does.
type routing struct {
	conds []*acl.Cond
}

func (r *routing) route(t *acl.Txn) int {
	for i, c := range r.conds {
		if c.Eval(t) {
			return i
		}
	}
	return -1
}

// compileRouting declares `acl rI <fetch> <pattern(I)>` and `use_backend
// bI if rI` for I < n.
func compileRouting(n int, fetch string, pattern func(int) string) (*routing, error) {
	s := acl.NewSet()
	r := &routing{}
	for i := range n {
		name := fmt.Sprintf("r%d", i)
		if err := s.Declare(name, append(strings.Fields(fetch), pattern(i))); err != nil {
			return nil, err
		}
		c, err := s.Cond([]string{"if", name})
		if err != nil {
			return nil, err
		}
		r.conds = append(r.conds, c)
	}
	return r, nil
}

// request parses a raw request head into a transaction from 127.0.0.1.
func request(raw string) (*acl.Txn, error) {
	req := &h1.Request{}
	if err := h1.ParseRequest(req, []byte(raw)); err != nil {
		return nil, err
	}
	return &acl.Txn{Req: req}, nil
}

// aclRuleCounts are the sizes of the ACL curve.
var aclRuleCounts = []int{1, 10, 100, 1000}

// aclVariants are the rule shapes measured: the request matches none of
// the rules, the worst case, which every rule is evaluated for.
var aclVariants = []struct {
	name, fetch string
	pattern     func(int) string
	request     string
}{
	{"path_beg", "path_beg", func(i int) string { return fmt.Sprintf("/prefix%d/", i) },
		"GET /nomatch/x HTTP/1.1\r\nHost: h\r\n\r\n"},
	{"hdr(host) -i", "hdr(host) -i", func(i int) string { return fmt.Sprintf("host%d.example.com", i) },
		"GET / HTTP/1.1\r\nHost: Miss.Example.com\r\nUser-Agent: bench\r\n\r\n"},
	{"hdr_beg(host) -i", "hdr_beg(host) -i", func(i int) string { return fmt.Sprintf("ws%d.", i) },
		"GET / HTTP/1.1\r\nHost: other.example.com\r\nUser-Agent: bench\r\n\r\n"},
}

// ACL measures the routing cost of one request against n rules.
func ACL() ([]Point, error) {
	var out []Point
	for _, v := range aclVariants {
		txn, err := request(v.request)
		if err != nil {
			return nil, err
		}
		for _, n := range aclRuleCounts {
			r, err := compileRouting(n, v.fetch, v.pattern)
			if err != nil {
				return nil, fmt.Errorf("curves: %s: %w", v.name, err)
			}
			res := testing.Benchmark(func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if r.route(txn) >= 0 {
						b.Fatal("the request matched a rule")
					}
				}
			})
			out = append(out, point(v.name+" rules", n, res))
		}
	}
	return out, nil
}

func point(name string, n int, r testing.BenchmarkResult) Point {
	// NsPerOp rounds to whole nanoseconds; a rule evaluation is a few.
	return Point{Name: name, N: n, NsPerOp: float64(r.T.Nanoseconds()) / float64(max(r.N, 1)), AllocsOp: r.AllocsPerOp()}
}

// SetBenchTime sets how long testing.Benchmark runs each point (the
// -test.benchtime flag, 1s by default): the suite keeps its curves short.
func SetBenchTime(d time.Duration) {
	testing.Init()
	flag.Set("test.benchtime", d.String())
}
