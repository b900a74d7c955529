package health

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/internal/h1"
)

// Target is where one check goes and how long it may take.
type Target struct {
	// Addr is the address checked.
	Addr netip.AddrPort
	// ConnectBy is when the connection must be established.
	ConnectBy time.Time
	// ReadTimeout, when set (`timeout check`), bounds the rest of the check
	// from the moment the connection is established; otherwise Deadline
	// bounds the whole check.
	ReadTimeout time.Duration
	Deadline    time.Time
}

// Prober runs one check. The checkers of a Set use Probe; tests inject
// their own.
type Prober func(ctx context.Context, p *Plan, t Target) Outcome

// maxResponse is the most response bytes a check reads: HAProxy's check
// buffer is tune.bufsize (16 KiB) and it evaluates what fits.
const maxResponse = 16384

var respPool = sync.Pool{New: func() any { b := make([]byte, maxResponse); return &b }}

// Probe runs the check p against t over TCP: a connection (L4OK, L4CON,
// L4TOUT), then, for HTTP checks, the request and its response (L7OK,
// L7STS, L7RSP, L7TOUT, SOCKERR). If ctx ends first, it returns
// StatusUnknown.
func Probe(ctx context.Context, p *Plan, t Target) Outcome {
	start := time.Now()
	done := func(o Outcome) Outcome {
		if ctx.Err() != nil {
			return Outcome{}
		}
		o.Duration = int64(time.Since(start) / time.Millisecond)
		return o
	}
	d := net.Dialer{Deadline: t.ConnectBy, KeepAlive: -1}
	c, err := d.DialContext(ctx, "tcp", t.Addr.String())
	if err != nil {
		return done(dialOutcome(err))
	}
	defer c.Close()
	if !p.HTTP {
		return done(Outcome{Status: StatusL4OK})
	}
	// Stop reading when the check is cancelled (the server is removed or
	// hawser stops).
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stop()
	deadline := t.Deadline
	if t.ReadTimeout > 0 {
		deadline = time.Now().Add(t.ReadTimeout)
	}
	c.SetDeadline(deadline)
	if _, err := c.Write(p.Request); err != nil {
		return done(ioOutcome(err))
	}
	bp := respPool.Get().(*[]byte)
	defer respPool.Put(bp)
	return done(readResponse(c, p, *bp))
}

// readResponse reads the response to a check request into buf and
// evaluates it.
func readResponse(c io.Reader, p *Plan, buf []byte) Outcome {
	n := 0
	var resp h1.Response
	for {
		m, err := c.Read(buf[n:])
		n += m
		eof := err == io.EOF
		if err != nil && !eof {
			return ioOutcome(err)
		}
		full := n == len(buf)
		o, complete := evalResponse(&resp, p, buf[:n], eof || full)
		if complete {
			return o
		}
		if eof {
			// Closed before a complete head: an empty or truncated
			// response.
			return Outcome{Status: StatusL7Rsp}
		}
	}
}

// evalResponse parses what was received. It returns complete == false
// when more bytes are needed; final says that no more will come.
func evalResponse(resp *h1.Response, p *Plan, b []byte, final bool) (Outcome, bool) {
	// Skip interim 1xx responses (100 Continue…).
	for {
		err := h1.ParseResponse(resp, b)
		switch {
		case err == h1.ErrIncomplete:
			if final {
				return Outcome{Status: StatusL7Rsp}, true
			}
			return Outcome{}, false
		case err != nil:
			return Outcome{Status: StatusL7Rsp}, true
		}
		if resp.Status >= 200 || resp.Status == 101 {
			break
		}
		b = b[resp.HeadLen:]
	}
	rest := b[resp.HeadLen:]
	var body []byte
	mode, n := resp.BodyFraming([]byte(p.Method))
	switch mode {
	case h1.BodyLength:
		if int64(len(rest)) < n && !final {
			return Outcome{}, false
		}
		body = rest[:min(int64(len(rest)), n)]
	case h1.BodyChunked:
		var complete bool
		body, complete = dechunk(rest)
		if !complete && !final {
			return Outcome{}, false
		}
	case h1.BodyUntilClose:
		if !final {
			return Outcome{}, false
		}
		body = rest
	}
	return evalExpects(p, resp.Status, string(resp.Reason), body), true
}

// evalExpects applies the plan's expect rules (or the default 2xx/3xx).
func evalExpects(p *Plan, code int, reason string, body []byte) Outcome {
	exps := p.Expects
	if len(exps) == 0 {
		exps = []*Expect{defaultExpect}
	}
	for _, e := range exps {
		if o, ok := e.Eval(code, reason, body); !ok {
			return o
		}
	}
	last := exps[len(exps)-1]
	o := Outcome{Status: StatusL7OK, Code: code, Info: last.OnSuccess}
	if last.OK != 0 {
		o.Status = last.OK
	}
	return o
}

// dechunk decodes a chunked body; complete reports that its last chunk
// arrived. A malformed body yields what was decoded so far.
func dechunk(b []byte) (out []byte, complete bool) {
	for {
		i := 0
		size := 0
		for i < len(b) && isHex(b[i]) {
			size = size<<4 | int(unhex(b[i]))
			i++
			if size > maxResponse {
				return out, true
			}
		}
		// Skip chunk extensions up to the end of the size line.
		for i < len(b) && b[i] != '\n' {
			i++
		}
		if i >= len(b) {
			return out, false
		}
		b = b[i+1:]
		if size == 0 {
			return out, true
		}
		if len(b) < size {
			return append(out, b...), false
		}
		out = append(out, b[:size]...)
		b = b[size:]
		if len(b) >= 2 && b[0] == '\r' && b[1] == '\n' {
			b = b[2:]
		} else if len(b) < 2 {
			return out, false
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// dialOutcome classifies a failed connection: L4TOUT when timeout
// connect (or inter) expired, L4CON with the system's error text
// otherwise ("Connection refused").
func dialOutcome(err error) Outcome {
	if isTimeout(err) {
		return Outcome{Status: StatusL4Tout}
	}
	return Outcome{Status: StatusL4Con, Info: errText(err)}
}

// ioOutcome classifies an error after the connection was established:
// L7TOUT on timeout, SOCKERR otherwise ("Connection reset by peer", as
// HAProxy reports a reset).
func ioOutcome(err error) Outcome {
	if isTimeout(err) {
		return Outcome{Status: StatusL7Tout}
	}
	return Outcome{Status: StatusSockErr, Info: errText(err)}
}

func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// errText returns the C library's text for a system error, which HAProxy
// prints (Go's texts are the same in lower case).
func errText(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
