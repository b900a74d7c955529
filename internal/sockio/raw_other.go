//go:build !linux

package sockio

import (
	"errors"
	"net"
	"syscall"
)

// rawOK tells that this platform has no raw calls: Conn uses the
// net.Conn's own Read and Write.
const rawOK = false

var errNoRaw = errors.New("sockio: raw system calls not supported on this platform")

// Read is not available on this platform.
func Read(int, []byte) (int, error) { return -1, errNoRaw }

// Write is not available on this platform.
func Write(int, []byte) (int, error) { return -1, errNoRaw }

// socketOf reports no raw-capable socket on this platform.
func socketOf(net.Conn) (syscall.Conn, bool) { return nil, false }
