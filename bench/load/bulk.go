package load

import (
	"context"
	"time"
)

// bulkWindow is how many messages the bulk mode keeps in flight: enough
// to keep every socket buffer on the path busy, few enough to bound the
// memory and make the round trip meaningful.
const bulkWindow = 4

// bulkMode sends messages of Size bytes (64 KiB in the suite) on one
// WebSocket as fast as their echoes come back, with bulkWindow in flight.
// Ops count bytes echoed.
type bulkMode struct {
	o    Options
	conn *wsConn
}

func (m *bulkMode) Setup(ctx context.Context) error {
	c, err := dialWS(ctx, m.o.Addr, 64<<10)
	m.conn = c
	return err
}

func (m *bulkMode) Run(ctx context.Context) (Result, error) {
	frame := maskedFrame(m.o.Size)
	budget := newCounter(m.o.MaxOps)
	deadline := time.Now().Add(m.o.Duration)
	c := m.conn
	c.c.SetDeadline(deadline.Add(5 * time.Second))
	// sent carries each message's send time to the reader; its capacity
	// is the window.
	sent := make(chan time.Time, bulkWindow)
	writerDone := make(chan error, 1)
	start := time.Now()
	go func() {
		defer close(sent)
		for time.Now().Before(deadline) && ctx.Err() == nil && budget.take() {
			sent <- time.Now()
			if _, err := c.c.Write(frame); err != nil {
				writerDone <- err
				return
			}
		}
		writerDone <- nil
	}()
	var h Hist
	var echoed, errs int64
	scratch := make([]byte, 64<<10)
	for t0 := range sent {
		if err := c.readEcho(m.o.Size, scratch); err != nil {
			errs++
			c.c.Close() // unblocks the writer
			for range sent {
			}
			break
		}
		h.Record(time.Since(t0))
		echoed += int64(m.o.Size)
	}
	if err := <-writerDone; err != nil && errs == 0 {
		errs++
	}
	return finish("bulk", "byte", float64(echoed), start, &h, errs), nil
}

func (m *bulkMode) Close() {
	if m.conn != nil {
		m.conn.c.Close()
	}
}
