package proxy

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hawser-lb/hawser/internal/acl"
	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/h1"
	"github.com/hawser-lb/hawser/internal/logging"
	"github.com/hawser-lb/hawser/internal/sockio"
)

// session is one client connection, from accept to close or to the
// hand-off to a tunnel. Its buffers and parsed structs are reused from
// request to request, so the steady state allocates nothing per request.
type session struct {
	e      *Engine
	l      *listener
	id     uint64
	conn   net.Conn
	src    netip.AddrPort
	dst    netip.AddrPort
	accept time.Time
	// feCounters are the counters of the frontend that accepted the
	// connection; its session slot is released when the connection ends.
	feCounters *backend.Counters

	// cio does the client connection's reads (through cr) and writes.
	cio  sockio.Conn
	cr   reader
	req  h1.Request
	resp h1.Response
	txn  acl.Txn
	out  []byte
	x    exchange
	ent  logging.Entry
	line []byte
	// xffBuf holds the client address for X-Forwarded-For.
	xffBuf []byte
	// reqCaps and respCaps are the captured headers of the current
	// request; logSamples its log-format samples; uid its unique ID.
	reqCaps, respCaps [][]byte
	logSamples        [][]byte
	uid               []byte

	// idle is set while the session waits for the next request, so that a
	// shutdown can wake it up.
	idle atomic.Bool
	// killed holds the termination cause set by Kill, 0 otherwise.
	killed atomic.Uint32
	mu     sync.Mutex
	sc     *serverConn
	// released is set once the connection's slots have been given back.
	released atomic.Bool
	// scratch is where the slices came from (returned when serve ends).
	scratch *scratch
}

// scratch holds a session's growable slices between connections: a new
// connection (each WebSocket handshake is one) would otherwise grow its
// header lists and output buffers from nothing, several allocations each.
// Only the slices are pooled, never the session, which other goroutines
// may still hold (a kill list) after it ended.
type scratch struct {
	reqHdrs, respHdrs []h1.Header
	out, line         []byte
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{
		reqHdrs: make([]h1.Header, 0, 32), respHdrs: make([]h1.Header, 0, 32),
		out: make([]byte, 0, 2048), line: make([]byte, 0, 256),
	}
}}

// takeScratch gives s the pooled slices.
func (s *session) takeScratch() {
	sc := scratchPool.Get().(*scratch)
	s.req.Headers, s.resp.Headers, s.out, s.line = sc.reqHdrs[:0], sc.respHdrs[:0], sc.out[:0], sc.line[:0]
	sc.reqHdrs, sc.respHdrs, sc.out, sc.line = nil, nil, nil, nil
	s.scratch = sc
}

// returnScratch gives the slices back, unless one grew unusually large.
// The header lists point into buffers: they are cleared first so that a
// pooled list keeps no connection's bytes alive.
func (s *session) returnScratch() {
	sc := s.scratch
	if sc == nil {
		return
	}
	s.scratch = nil
	rh, ph := s.req.Headers[:cap(s.req.Headers)], s.resp.Headers[:cap(s.resp.Headers)]
	if len(rh) > 256 || len(ph) > 256 || cap(s.out) > 64<<10 || cap(s.line) > 64<<10 {
		return
	}
	clear(rh)
	clear(ph)
	sc.reqHdrs, sc.respHdrs, sc.out, sc.line = rh[:0], ph[:0], s.out[:0], s.line[:0]
	s.req.Headers, s.resp.Headers, s.out, s.line = nil, nil, nil, nil
	scratchPool.Put(sc)
}

func (e *Engine) serve(l *listener, c net.Conn) {
	s := &session{
		e: e, l: l, conn: c, accept: time.Now(),
		id: e.sessID.Add(1),
	}
	s.src, s.dst = connAddrs(c)
	s.takeScratch()
	e.addSession(s)
	handedOff := false
	defer func() {
		e.removeSession(s)
		if !handedOff {
			c.Close()
			s.cr.drop()
			s.release()
		}
		s.returnScratch()
		e.sessWG.Done()
	}()
	g := e.gen.Load()
	fe := g.Frontend(l.frontend())
	if fe == nil {
		return
	}
	s.feCounters = fe.Counters
	fe.Counters.Enter()
	fe.Counters.Touch(s.accept)
	o := &fe.Config.Options
	if o.TCPKA || o.CliTCPKA {
		if tc, ok := c.(interface{ SetKeepAlive(bool) error }); ok {
			tc.SetKeepAlive(true)
		}
	}
	if o.NoLinger {
		if tc, ok := c.(interface{ SetLinger(int) error }); ok {
			tc.SetLinger(0)
		}
	}
	s.txn.Src, s.txn.SrcPort = s.src.Addr().Unmap(), s.src.Port()
	s.txn.Dst, s.txn.DstPort = s.dst.Addr().Unmap(), s.dst.Port()
	if fe.log != nil && !fe.flags.httplog && !fe.flags.tcplog {
		s.logConnect(fe)
	}
	s.cio.Init(c)
	s.cr.init(&s.cio, s.e.gen.Load().bufs)
	if fe.tcp != nil && !fe.tcp.acceptConnection(&s.txn) {
		// tcp-request connection reject: closed at once, not logged.
		return
	}
	if fe.Mode == config.ModeHTTP {
		if fe.tcp != nil && !s.inspect(fe.tcp) {
			return
		}
		handedOff = s.serveHTTP()
	} else {
		handedOff = s.serveTCP(fe)
	}
}

// release gives back the connection's maxconn slots and counters, once:
// when the session ends, or when the tunnel it became ends.
func (s *session) release() {
	if s.released.Swap(true) {
		return
	}
	releaseSlots(s.e, s.l, s.feCounters)
}

// Kill ends the session with a termination cause (K: operator or hard
// stop, D: server marked down): both connections are closed and the
// exchange in progress notices it.
func (s *session) Kill(cause byte) {
	s.killed.CompareAndSwap(0, uint32(cause))
	s.conn.Close()
	s.mu.Lock()
	sc := s.sc
	s.mu.Unlock()
	if sc != nil {
		sc.conn.Close()
	}
}

func (s *session) setServerConn(sc *serverConn) {
	s.mu.Lock()
	s.sc = sc
	s.mu.Unlock()
	if sc != nil && s.killed.Load() != 0 {
		sc.conn.Close()
	}
}

// connAddrs returns a client connection's source and destination.
func connAddrs(c net.Conn) (src, dst netip.AddrPort) {
	// A sockio.TCPConn knows them without allocating.
	if ac, ok := c.(interface {
		RemoteAddrPort() netip.AddrPort
		LocalAddrPort() netip.AddrPort
	}); ok {
		return ac.RemoteAddrPort(), ac.LocalAddrPort()
	}
	return addrPort(c.RemoteAddr()), addrPort(c.LocalAddr())
}

func addrPort(a net.Addr) netip.AddrPort {
	if ta, ok := a.(*net.TCPAddr); ok {
		return ta.AddrPort()
	}
	return netip.AddrPort{}
}

// logConnect logs HAProxy's line for proxies without httplog or tcplog.
func (s *session) logConnect(fe *Frontend) {
	e := logging.Entry{ClientAddr: s.src, FrontendAddr: s.dst, Frontend: fe.Name, Mode: fe.Mode.String()}
	bp := bufPool.Get().(*[]byte)
	fe.log.Log(logging.Info, logging.AppendConnect((*bp)[:0], &e))
	bufPool.Put(bp)
}

// debugf writes a debug line (hawser -d) prefixed like HAProxy's:
// the session number and the proxy name.
func (s *session) debugf(proxy, what string, line []byte) {
	if w := s.e.opts.Debug; w != nil {
		fmt.Fprintf(w, "%08x:%s.%s[%04x:%04x]: %s\n", s.id, proxy, what, s.src.Port(), s.dst.Port(), line)
	}
}

func (s *session) debugHead(proxy, first, rest string, startLine []byte, hs []h1.Header) {
	if s.e.opts.Debug == nil {
		return
	}
	s.debugf(proxy, first, startLine)
	for _, h := range hs {
		s.debugf(proxy, rest, fmt.Appendf(nil, "%s: %s", h.Name, h.Value))
	}
}
