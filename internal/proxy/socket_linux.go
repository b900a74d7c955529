package proxy

import (
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
