package logging

import (
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Target is one log destination (one `log` line).
type Target struct {
	// Network is "udp", "unixgram", "stdout" or "stderr".
	Network string
	// Address is host:port for udp, a path for unixgram.
	Address string
	// Header frames each message.
	Header Header
	// MaxLen truncates lines (`len`, default 1024).
	MaxLen int
	// Level is the highest severity number sent; MinLevel the lowest
	// severity number a message is sent with.
	Level, MinLevel int
}

// queueLen is the most lines a target holds while its writer is busy;
// beyond it lines are dropped, so that logging never slows traffic.
const queueLen = 1024

// Sink sends lines to one target from its own goroutine.
type Sink struct {
	t       Target
	q       chan *[]byte
	w       io.Writer
	conn    net.Conn
	dropped *atomic.Int64
	done    chan struct{}
}

var linePool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// Logger fans lines out to sinks. It is safe for concurrent use; its
// methods never block on I/O.
type Logger struct {
	sinks   []*Sink
	dropped atomic.Int64
	wg      sync.WaitGroup
}

// NewLogger opens the targets. Network targets are datagram sockets, so
// opening them does not wait for a peer; stdout and stderr write directly.
func NewLogger(targets []Target) (*Logger, error) {
	l := &Logger{}
	for _, t := range targets {
		s := &Sink{t: t, q: make(chan *[]byte, queueLen), dropped: &l.dropped, done: make(chan struct{})}
		if s.t.MaxLen == 0 {
			s.t.MaxLen = 1024
		}
		switch t.Network {
		case "stdout":
			s.w = os.Stdout
		case "stderr":
			s.w = os.Stderr
		case "udp", "unixgram":
			c, err := net.Dial(t.Network, t.Address)
			if err != nil && t.Network == "udp" {
				l.Close()
				return nil, fmt.Errorf("log target %s: %w", t.Address, err)
			}
			// A unix socket that does not exist yet (syslog not started)
			// is retried on each line.
			s.conn = c
		default:
			l.Close()
			return nil, fmt.Errorf("log target %q: unsupported network %q", t.Address, t.Network)
		}
		l.sinks = append(l.sinks, s)
		l.wg.Add(1)
		go s.run(l)
	}
	return l, nil
}

// Dropped returns how many lines were dropped because a target was too
// slow or unreachable.
func (l *Logger) Dropped() int64 { return l.dropped.Load() }

// Enabled reports whether any target accepts severity sev.
func (l *Logger) Enabled(sev int) bool {
	if l == nil {
		return false
	}
	for _, s := range l.sinks {
		if sev <= s.t.Level {
			return true
		}
	}
	return false
}

// Log sends msg with severity sev to every target that accepts it. msg is
// copied; the caller keeps it.
func (l *Logger) Log(sev int, msg []byte) {
	if l == nil {
		return
	}
	now := time.Now()
	for _, s := range l.sinks {
		if sev > s.t.Level {
			continue
		}
		sv := sev
		if sv < s.t.MinLevel {
			sv = s.t.MinLevel
		}
		bp := linePool.Get().(*[]byte)
		b := s.t.Header.AppendHeader((*bp)[:0], sv, now)
		room := s.t.MaxLen - len(b) - 1
		if room < 0 {
			room = 0
		}
		if len(msg) > room {
			b = append(b, msg[:room]...)
		} else {
			b = append(b, msg...)
		}
		b = append(b, '\n')
		*bp = b
		select {
		case s.q <- bp:
		default:
			linePool.Put(bp)
			l.dropped.Add(1)
		}
	}
}

// Logf formats and sends a message (state changes, alerts): not for the
// per-request path.
func (l *Logger) Logf(sev int, format string, args ...any) {
	l.Log(sev, fmt.Appendf(nil, format, args...))
}

// Close stops the sinks after they wrote what they hold.
func (l *Logger) Close() {
	if l == nil {
		return
	}
	for _, s := range l.sinks {
		close(s.q)
	}
	l.wg.Wait()
	for _, s := range l.sinks {
		if s.conn != nil {
			s.conn.Close()
		}
	}
	l.sinks = nil
}

func (s *Sink) run(l *Logger) {
	defer l.wg.Done()
	for bp := range s.q {
		if err := s.write(*bp); err != nil {
			s.dropped.Add(1)
		}
		linePool.Put(bp)
	}
}

func (s *Sink) write(b []byte) error {
	if s.w != nil {
		_, err := s.w.Write(b)
		return err
	}
	if s.conn == nil {
		c, err := net.Dial(s.t.Network, s.t.Address)
		if err != nil {
			return err
		}
		s.conn = c
	}
	_, err := s.conn.Write(b)
	if err != nil && s.t.Network == "unixgram" {
		// syslogd may have restarted: reconnect on the next line.
		s.conn.Close()
		s.conn = nil
	}
	return err
}
