//go:build !linux

package tunnel

import "net"

// Without epoll every tunnel takes the goroutine path.

type polled struct{ w *poller }

type poller struct{}

type pollers struct{}

func (*poller) kill(*Tunnel) {}

func (*pollers) stop() {}

func (e *Engine) startPolled(*Tunnel, net.Conn, net.Conn, Timeouts) bool { return false }
