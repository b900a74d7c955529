package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// parseHostPort reads a HAProxy address `[family@]host:port[-port]`:
// `*`, an empty host and `0.0.0.0` mean every IPv4 address, `::` every
// IPv6 address; IPv6 addresses may be bracketed (`[::1]:80`) or not
// (`::1:80`, the port follows the last colon). A port range is expanded
// when allowRange is set.
func parseHostPort(s string, allowRange bool) ([]BindAddr, error) {
	family := ""
	if i := strings.Index(s, "@"); i >= 0 {
		family, s = s[:i], s[i+1:]
		switch family {
		case "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
		case "udp", "udp4", "udp6":
			return nil, fmt.Errorf("a stream address is expected, not '%s@'", family)
		default:
			return nil, fmt.Errorf("address family '%s@' is not supported by hawser yet", family)
		}
	}
	var host, port string
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 || len(s) < end+2 || s[end+1] != ':' {
			return nil, fmt.Errorf("invalid address '%s': expected [IPv6]:port", s)
		}
		host, port = s[1:end], s[end+2:]
	} else {
		i := strings.LastIndex(s, ":")
		if i < 0 {
			return nil, fmt.Errorf("missing port in address '%s'", s)
		}
		host, port = s[:i], s[i+1:]
	}
	lo, hi, err := parsePortRange(port)
	if port == "0" && allowRange {
		// Port 0 lets the kernel choose (tests, `hawser demo -port 0`);
		// HAProxy refuses it, hawser reports the chosen port instead.
		lo, hi, err = 0, 0, nil
	}
	if err != nil {
		return nil, fmt.Errorf("invalid port in address '%s': %w", s, err)
	}
	if lo != hi && !allowRange {
		return nil, fmt.Errorf("port ranges are not allowed here ('%s')", s)
	}
	a := BindAddr{Network: "tcp4", Host: host}
	switch {
	case host == "" || host == "*" || host == "0.0.0.0":
		a.Host = ""
		if family == "ipv6" || family == "tcp6" {
			a.Network, a.Host = "tcp", "::"
		}
	case host == "::":
		a.Network = "tcp"
	default:
		if ip, err := netip.ParseAddr(host); err == nil {
			if ip.Is6() && !ip.Is4In6() {
				a.Network = "tcp6"
			}
		} else if strings.Contains(host, ":") {
			return nil, fmt.Errorf("invalid IP address '%s'", host)
		}
		// A host name is resolved when the listener is opened.
	}
	var out []BindAddr
	for p := lo; p <= hi; p++ {
		a.Port = p
		out = append(out, a)
	}
	return out, nil
}

func parsePortRange(s string) (lo, hi int, err error) {
	a, b, isRange := strings.Cut(s, "-")
	if lo, err = parsePort(a); err != nil {
		return 0, 0, err
	}
	hi = lo
	if isRange {
		if hi, err = parsePort(b); err != nil {
			return 0, 0, err
		}
		if hi < lo {
			return 0, 0, fmt.Errorf("port range %d-%d is reversed", lo, hi)
		}
	}
	return lo, hi, nil
}

func parsePort(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || s == "" || s[0] == '+' || s[0] == '-' {
		return 0, fmt.Errorf("'%s' is not a port number", s)
	}
	if n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %d is out of range 1-65535", n)
	}
	return n, nil
}

// parseServerAddr reads the address of a `server` line: `host[:port]`,
// `host:+N` / `host:-N` (offset from the client's destination port) or
// `[v6]:port`.
func parseServerAddr(s *Server, addr string) error {
	if i := strings.Index(addr, "@"); i >= 0 {
		switch fam := addr[:i]; fam {
		case "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
			addr = addr[i+1:]
		default:
			return fmt.Errorf("address family '%s@' is not supported by hawser yet for servers", fam)
		}
	}
	host, port := addr, ""
	switch {
	case strings.HasPrefix(addr, "["):
		end := strings.Index(addr, "]")
		if end < 0 {
			return fmt.Errorf("invalid address '%s'", addr)
		}
		host = addr[1:end]
		rest := addr[end+1:]
		if rest != "" {
			if rest[0] != ':' {
				return fmt.Errorf("invalid address '%s'", addr)
			}
			port = rest[1:]
		}
	case strings.Count(addr, ":") == 1:
		host, port, _ = strings.Cut(addr, ":")
	case strings.Count(addr, ":") > 1:
		// A bare IPv6 address: as in HAProxy, the port follows the last
		// colon. Brackets ([::1]:80) avoid the ambiguity.
		i := strings.LastIndex(addr, ":")
		host, port = addr[:i], addr[i+1:]
	}
	if host == "" {
		return fmt.Errorf("missing address in '%s'", addr)
	}
	if host == "*" {
		return fmt.Errorf("transparent server addresses ('*', '0.0.0.0') are not supported by hawser yet")
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		return fmt.Errorf("transparent server addresses ('*', '0.0.0.0') are not supported by hawser yet")
	}
	s.Addr = host
	switch {
	case port == "":
	case port[0] == '+' || port[0] == '-':
		n, err := strconv.Atoi(port)
		if err != nil || n < -65535 || n > 65535 {
			return fmt.Errorf("invalid port offset '%s'", port)
		}
		s.Port, s.PortOffset = n, true
	default:
		n, err := parsePort(port)
		if err != nil {
			return fmt.Errorf("invalid address '%s': %w", addr, err)
		}
		s.Port = n
	}
	return nil
}
