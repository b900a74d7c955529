package proxy

import (
	"time"

	"github.com/hawser-lb/hawser/internal/acl"
	"github.com/hawser-lb/hawser/internal/logging"
)

// compiledFormat is a log-format string with its %[...] samples compiled.
type compiledFormat struct {
	f       *logging.Format
	samples []*acl.Sample
}

// compileFormat compiles a log-format string (log-format, unique-id-format,
// the values of http-request rules).
func compileFormat(s string) (*compiledFormat, error) {
	cf := &compiledFormat{}
	f, err := logging.ParseFormat(s, func(expr string) error {
		smp, err := acl.CompileSample(expr)
		if err != nil {
			return err
		}
		cf.samples = append(cf.samples, smp)
		return nil
	})
	if err != nil {
		return nil, err
	}
	cf.f = f
	return cf, nil
}

// fetchSamples evaluates the format's samples for the current request into
// e.Samples, copying the values so that they outlive the request buffers.
func (s *session) fetchSamples(cf *compiledFormat, e *logging.Entry) {
	if len(cf.samples) == 0 {
		return
	}
	e.Samples = make([][]byte, len(cf.samples))
	s.txn.Req = &s.req
	for i, smp := range cf.samples {
		if v, ok := smp.Fetch(&s.txn, nil); ok {
			e.Samples[i] = append([]byte{}, v...)
		}
	}
	s.txn.Req = nil
}

// render evaluates a format now (rule values, unique IDs) and appends it
// to dst.
func (s *session) render(cf *compiledFormat, dst []byte) []byte {
	var e logging.Entry
	s.fillEntry(&e, nowFunc())
	s.fetchSamples(cf, &e)
	return cf.f.Append(dst, &e)
}

// nowFunc is the clock of rule rendering.
var nowFunc = time.Now
