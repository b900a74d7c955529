package load

import (
	"context"
	"time"
)

// handshakeMode runs Conns loops that each connect, upgrade, send one
// message of Size bytes, read its echo and close: the cost of a
// WebSocket's whole life, without its traffic.
type handshakeMode struct{ o Options }

func (m *handshakeMode) Setup(context.Context) error { return nil }

func (m *handshakeMode) Run(ctx context.Context) (Result, error) {
	frame := maskedFrame(m.o.Size)
	r := runWorkers(ctx, m.o, m.o.Conns, true, "handshake", "handshake", func(_ int, deadline time.Time) func() error {
		scratch := make([]byte, m.o.Size)
		return func() error { return m.once(ctx, frame, scratch, deadline) }
	})
	return r, nil
}

func (m *handshakeMode) once(ctx context.Context, frame, scratch []byte, deadline time.Time) error {
	c, err := dialWS(ctx, m.o.Addr, 512)
	if err != nil {
		return err
	}
	defer c.c.Close()
	c.c.SetDeadline(deadline.Add(5 * time.Second))
	if _, err := c.c.Write(frame); err != nil {
		return err
	}
	return c.readEcho(m.o.Size, scratch)
}

func (m *handshakeMode) Close() {}
