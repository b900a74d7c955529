package curves

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/proxy"
)

// backendCounts are the sizes of the compile curve.
var backendCounts = []int{10, 1000}

// bigConfig is a frontend routing on Host to n backends of two servers
// each: one ACL and one use_backend rule per backend, as large
// configurations are written.
func bigConfig(listen string, n int) []config.Source {
	var b strings.Builder
	fmt.Fprintf(&b, `defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout tunnel 1h

frontend fe
    bind %s
`, listen)
	for i := range n {
		fmt.Fprintf(&b, "    acl host%d hdr(host) -i app%d.example.com\n    use_backend be%d if host%d\n", i, i, i, i)
	}
	b.WriteString("    default_backend be0\n")
	for i := range n {
		fmt.Fprintf(&b, "\nbackend be%d\n    balance roundrobin\n    server s1 127.0.0.%d:%d\n    server s2 127.0.0.%d:%d\n",
			i, 1+i%200, 8000+i%1000, 1+(i+1)%200, 8000+(i+1)%1000)
	}
	return []config.Source{{Name: fmt.Sprintf("backends-%d.cfg", n), Data: []byte(b.String())}}
}

// reloader is the engine's in-process reload, when the tree has it.
type reloader interface {
	Reload(*config.Config) error
}

// Compile measures, for 10 and 1,000 backends: parsing the text, compiling
// it into a runnable engine (ACLs, balancers, resolved addresses), and
// reloading a running engine with it. listen is a free loopback address
// for the running engine's listener.
func Compile(listen string) ([]Point, error) {
	var out []Point
	for _, n := range backendCounts {
		src := bigConfig(listen, n)
		cfg, err := config.Parse(src)
		if err != nil {
			return nil, fmt.Errorf("curves: %d backends: %w", n, err)
		}
		var failed error
		res := testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := config.Parse(src); err != nil {
					failed = err
					b.SkipNow()
				}
			}
		})
		out = append(out, point("parse", n, res))
		res = testing.Benchmark(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e, err := proxy.New(cfg, proxy.Options{Stderr: io.Discard})
				if err != nil {
					failed = err
					b.SkipNow()
				}
				shutdown(e)
			}
		})
		out = append(out, point("compile", n, res))
		if failed != nil {
			return nil, fmt.Errorf("curves: %d backends: %w", n, failed)
		}
		p, err := reloadPoint(cfg, n)
		if err != nil {
			return nil, err
		}
		if p != nil {
			out = append(out, *p)
		}
	}
	return out, nil
}

// reloadPoint times Reload of a running engine with the same
// configuration: everything is rebuilt, the listener is kept.
func reloadPoint(cfg *config.Config, n int) (*Point, error) {
	e, err := proxy.New(cfg, proxy.Options{Stderr: io.Discard})
	if err != nil {
		return nil, err
	}
	defer shutdown(e)
	r, ok := any(e).(reloader)
	if !ok {
		return nil, nil
	}
	if err := e.Start(); err != nil {
		return nil, fmt.Errorf("curves: starting the engine to reload: %w", err)
	}
	var failed error
	res := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := r.Reload(cfg); err != nil {
				failed = err
				b.SkipNow()
			}
		}
	})
	if failed != nil {
		return nil, fmt.Errorf("curves: reload with %d backends: %w", n, failed)
	}
	p := point("reload", n, res)
	return &p, nil
}

func shutdown(e *proxy.Engine) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e.Shutdown(ctx)
}
