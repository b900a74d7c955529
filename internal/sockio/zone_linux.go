package sockio

import (
	"net"
	"strconv"
)

// netInterfaceIndex returns the index of an IPv6 zone (an interface name
// or a number).
func netInterfaceIndex(zone string) (int, error) {
	if n, err := strconv.Atoi(zone); err == nil {
		return n, nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, err
	}
	return ifi.Index, nil
}
