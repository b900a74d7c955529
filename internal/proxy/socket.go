package proxy

import (
	"net"
	"syscall"
)

// serverSocket is a TCP connection to a server: a *sockio.TCPConn on
// Linux (dialTCP), a *net.TCPConn elsewhere.
type serverSocket interface {
	net.Conn
	syscall.Conn
	CloseWrite() error
	SetLinger(sec int) error
}
