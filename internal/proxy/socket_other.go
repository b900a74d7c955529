//go:build !linux

package proxy

import (
	"net"
	"net/netip"
	"time"
)

// dialTCP connects to a server under timeout connect (0: none), with TCP
// keep-alive only when asked.
func dialTCP(addr netip.AddrPort, timeout time.Duration, keepAlive bool) (serverSocket, error) {
	d := net.Dialer{Timeout: timeout, KeepAlive: -1}
	if keepAlive {
		d.KeepAlive = 0
	}
	c, err := d.Dial("tcp", addr.String())
	if err != nil {
		return nil, err
	}
	return c.(*net.TCPConn), nil
}

// wrapListener returns ln.
func wrapListener(ln net.Listener) net.Listener { return ln }
