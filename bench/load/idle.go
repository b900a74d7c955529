package load

import (
	"context"
	"fmt"
)

// Idle holds WebSockets open without traffic: the idle-tunnel test grows
// it in steps and reads the proxy's memory between them.
type Idle struct {
	addr  string
	conns []*wsConn
}

// NewIdle returns an empty holder of WebSockets to addr.
func NewIdle(addr string) *Idle { return &Idle{addr: addr} }

// Len returns the number of WebSockets held.
func (h *Idle) Len() int { return len(h.conns) }

// Grow opens WebSockets until n are held. Each is upgraded and echoes one
// message before it counts, so the proxy has finished its hand-off.
func (h *Idle) Grow(ctx context.Context, n int) error {
	if n <= len(h.conns) {
		return nil
	}
	cs, err := openMany(ctx, h.addr, n-len(h.conns), 256)
	h.conns = append(h.conns, cs...)
	if err != nil {
		return fmt.Errorf("load: idle: %d of %d open: %w", len(h.conns), n, err)
	}
	frame := maskedFrame(16)
	scratch := make([]byte, 16)
	for _, c := range cs {
		if _, err := c.c.Write(frame); err != nil {
			return fmt.Errorf("load: idle: %w", err)
		}
		if err := c.readEcho(16, scratch); err != nil {
			return fmt.Errorf("load: idle: %w", err)
		}
	}
	return nil
}

// Close closes every WebSocket.
func (h *Idle) Close() {
	closeAll(h.conns)
	h.conns = nil
}
