package load

import (
	"context"
	"sync"
	"time"
)

// echoMode keeps Conns WebSockets open and, on each, sends a message of
// Size bytes and waits for its echo before sending the next.
type echoMode struct {
	o     Options
	conns []*wsConn
}

func (m *echoMode) Setup(ctx context.Context) error {
	cs, err := openMany(ctx, m.o.Addr, m.o.Conns, 4096)
	m.conns = cs
	return err
}

func (m *echoMode) Run(ctx context.Context) (Result, error) {
	frame := maskedFrame(m.o.Size)
	r := runWorkers(ctx, m.o, len(m.conns), false, "ws", "msg", func(i int, deadline time.Time) func() error {
		c := m.conns[i]
		scratch := make([]byte, m.o.Size)
		c.c.SetDeadline(deadline.Add(5 * time.Second))
		return func() error {
			if _, err := c.c.Write(frame); err != nil {
				return err
			}
			return c.readEcho(m.o.Size, scratch)
		}
	})
	return r, nil
}

func (m *echoMode) Close() { closeAll(m.conns) }

// openMany opens n WebSockets, at most 16 handshakes at a time.
func openMany(ctx context.Context, addr string, n, rbuf int) ([]*wsConn, error) {
	conns := make([]*wsConn, n)
	errs := make([]error, n)
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			conns[i], errs[i] = dialWS(ctx, addr, rbuf)
		}()
	}
	wg.Wait()
	var open []*wsConn
	var first error
	for i, c := range conns {
		if c != nil {
			open = append(open, c)
		} else if first == nil {
			first = errs[i]
		}
	}
	return open, first
}

func closeAll(cs []*wsConn) {
	for _, c := range cs {
		c.c.Close()
	}
}
