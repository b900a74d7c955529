package proxy

import (
	"net"
	"net/netip"
	"time"

	"github.com/hawser-lb/hawser/internal/sockio"
)

// dialTCP connects to a server under timeout connect (0: none), with TCP
// keep-alive only when asked.
func dialTCP(addr netip.AddrPort, timeout time.Duration, keepAlive bool) (serverSocket, error) {
	c, err := sockio.DialTCP(addr, timeout, keepAlive)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// wrapListener makes a TCP listener accept sockio.TCPConns, which join
// the runtime poller only if they wait (and then reach the tunnel engine
// without being duplicated). Other listeners are returned as they are.
func wrapListener(ln net.Listener) net.Listener {
	if tl, ok := ln.(*net.TCPListener); ok {
		if w, err := sockio.NewListener(tl); err == nil {
			return w
		}
	}
	return ln
}
