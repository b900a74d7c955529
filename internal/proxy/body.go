package proxy

import (
	"io"
	"time"

	"github.com/hawser-lb/hawser/internal/h1"
)

// timedWriter writes to a connection under an inactivity timeout.
type timedWriter struct {
	w interface {
		Write([]byte) (int, error)
		SetWriteDeadline(time.Time) error
	}
	tmo time.Duration
	n   *int64
}

func (w *timedWriter) Write(b []byte) (int, error) {
	if w.tmo > 0 {
		w.w.SetWriteDeadline(time.Now().Add(w.tmo))
	}
	n, err := w.w.Write(b)
	if w.n != nil {
		*w.n += int64(n)
	}
	return n, err
}

// copyResult tells how a body copy ended: readErr is the source's error,
// writeErr the destination's; both nil on success.
type copyResult struct {
	n        int64
	readErr  error
	writeErr error
}

// copyBody forwards a body of the given framing from src to dst, raw
// (chunked framing is forwarded as is, checked by a ChunkedScanner). The
// source is read under the inactivity timeout rtmo.
func copyBody(dst io.Writer, src *reader, mode h1.BodyMode, n int64, rtmo time.Duration, cs *h1.ChunkedScanner) copyResult {
	var res copyResult
	switch mode {
	case h1.BodyNone:
		return res
	case h1.BodyChunked:
		cs.Reset()
		cs.SetLimits(src.lim.head)
	}
	for {
		b := src.buffered()
		if len(b) == 0 {
			_, err := src.fillTimeout(rtmo)
			if len(src.buffered()) == 0 {
				if err == io.EOF && mode == h1.BodyUntilClose {
					return res
				}
				if err == nil {
					continue
				}
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				res.readErr = err
				return res
			}
			continue
		}
		done := false
		switch mode {
		case h1.BodyLength:
			if int64(len(b)) >= n-res.n {
				b = b[:n-res.n]
				done = true
			}
		case h1.BodyChunked:
			k, end, err := cs.Scan(b)
			if err != nil {
				// Forward what was valid, then fail: the peer sent an
				// invalid chunked body.
				if k > 0 {
					dst.Write(b[:k])
				}
				res.readErr = err
				return res
			}
			b, done = b[:k], end
		}
		if len(b) > 0 {
			if _, err := dst.Write(b); err != nil {
				res.writeErr = err
				return res
			}
		}
		src.consume(len(b))
		res.n += int64(len(b))
		if done {
			return res
		}
	}
}
