package proxy

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hawser-lb/hawser/internal/h1"
)

// Applets are services hawser answers itself instead of forwarding: the
// statistics page (`stats enable`) and `http-request use-service <name>`
// (prometheus-exporter). They are plain http.Handlers: the rare requests
// they serve go through net/http's types, the data path does not.

// Applets provides the local services; cmd/hawser wires the stats page
// and the Prometheus exporter in.
type Applets struct {
	// StatsPage returns the handler of a proxy's statistics page.
	StatsPage func(e *Engine, fe *Frontend) http.Handler
	// Services are the `use-service` services by name.
	Services map[string]func(e *Engine) http.Handler
}

type adminKey struct{}

// IsStatsAdmin reports whether the request to the statistics page passed
// the proxy's `stats admin if|unless` conditions.
func IsStatsAdmin(r *http.Request) bool {
	v, _ := r.Context().Value(adminKey{}).(bool)
	return v
}

// maxAppletBody bounds the request body an applet may read (the stats
// page's admin forms).
const maxAppletBody = 64 << 10

// serveApplet answers the request with h. server is the name logged as
// the server (<STATS>, <PROMEX>).
func (s *session) serveApplet(h http.Handler, server string, admin bool) (bool, bool) {
	x, req := &s.x, &s.req
	s.cr.consume(req.HeadLen)
	x.headConsumed = true
	var body []byte
	mode, n := req.BodyFraming()
	switch {
	case mode == h1.BodyNone:
	case mode == h1.BodyLength && n <= maxAppletBody:
		for int64(len(s.cr.buffered())) < n {
			if _, err := s.cr.fillTimeout(x.fe.tmo.client); err != nil {
				x.fail('C', 'R')
				x.closeClient = true
				s.logHTTP()
				return false, false
			}
		}
		body = append(body, s.cr.buffered()[:n]...)
		s.cr.consume(int(n))
	default:
		x.closeClient = true
		s.sendError(413, 'P', 'R', true)
		s.logHTTP()
		return false, false
	}
	x.bodyConsumed = true
	u, err := url.ParseRequestURI(string(req.Target))
	if err != nil {
		s.sendError(400, 'P', 'R', true)
		s.logHTTP()
		return false, false
	}
	r := &http.Request{
		Method: string(req.Method), URL: u, RequestURI: string(req.Target),
		Proto: "HTTP/1." + strconv.Itoa(req.Minor), ProtoMajor: 1, ProtoMinor: req.Minor,
		Header: make(http.Header, len(req.Headers)), Host: string(req.Host),
		RemoteAddr: s.src.String(), ContentLength: int64(len(body)),
		Body: io.NopCloser(bytes.NewReader(body)),
	}
	for _, hd := range req.Headers {
		r.Header.Add(string(hd.Name), string(hd.Value))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r = r.WithContext(context.WithValue(ctx, adminKey{}, admin))
	w := &appletWriter{header: http.Header{}}
	h.ServeHTTP(w, r)
	if w.status == 0 {
		w.status = 200
	}
	keep := wantsKeepAlive(req) && !x.closeClient
	var out bytes.Buffer
	out.WriteString("HTTP/1.1 " + strconv.Itoa(w.status) + " " + http.StatusText(w.status) + "\r\n")
	w.header.Del("Content-Length")
	w.header.Del("Connection")
	w.header.Write(&out)
	out.WriteString("Content-Length: " + strconv.Itoa(w.body.Len()) + "\r\n")
	if !keep {
		out.WriteString("Connection: close\r\n")
	}
	out.WriteString("\r\n")
	if string(req.Method) != "HEAD" {
		out.Write(w.body.Bytes())
	}
	x.status = w.status
	x.fe.Counters.CountStatus(w.status)
	x.term = [2]byte{'L', 'R'}
	x.srvName = server
	x.tW, x.tC, x.tRsp = 0, 0, 0
	if err := s.writeClient(out.Bytes()); err != nil {
		x.term = [2]byte{'C', 'D'}
		keep = false
	}
	s.logHTTP()
	return keep, false
}

// appletWriter collects an applet's response.
type appletWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *appletWriter) Header() http.Header { return w.header }

func (w *appletWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *appletWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.body.Write(b)
}

// statsRequest reports whether the request is for fe's statistics page.
func statsRequest(fe *Frontend, req *h1.Request) bool {
	st := fe.Config.Stats
	return st != nil && st.Enabled && fe.statsPage != nil && strings.HasPrefix(string(req.Target), st.URI)
}
