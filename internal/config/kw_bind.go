package config

import (
	"fmt"
	"strconv"
	"strings"
)

// parseBind reads `bind <addr>[,<addr>...] [params]`.
func parseBind(ln Line) (*Bind, error) {
	args := ln.Words[1:]
	if len(args) == 0 {
		return nil, fmt.Errorf("'bind' expects an address:port")
	}
	b := &Bind{Pos: ln.Pos, UID: -1, GID: -1}
	for _, a := range strings.Split(args[0], ",") {
		switch {
		case strings.HasPrefix(a, "/"), strings.HasPrefix(a, "unix@"):
			b.Addrs = append(b.Addrs, BindAddr{Network: "unix", Host: strings.TrimPrefix(a, "unix@")})
			continue
		case strings.HasPrefix(a, "abns@"):
			name := strings.TrimPrefix(a, "abns@")
			if name == "" {
				return nil, fmt.Errorf("'bind %s': missing abstract socket name", a)
			}
			b.Addrs = append(b.Addrs, BindAddr{Network: "abns", Host: name})
			continue
		case strings.HasPrefix(a, "fd@"):
			n, err := strconv.Atoi(strings.TrimPrefix(a, "fd@"))
			if err != nil || n < 0 {
				return nil, fmt.Errorf("'bind %s': fd@ expects a file descriptor number", a)
			}
			b.Addrs = append(b.Addrs, BindAddr{Network: "fd", Port: n})
			continue
		case strings.HasPrefix(a, "sockpair@"):
			return nil, fmt.Errorf("'bind %s': sockpair addresses are not supported by hawser yet", a)
		}
		addrs, err := parseHostPort(a, true)
		if err != nil {
			return nil, fmt.Errorf("'bind %s': %w", args[0], err)
		}
		b.Addrs = append(b.Addrs, addrs...)
	}
	for i := 1; i < len(args); i++ {
		kw := args[i]
		val := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("'bind %s': '%s' expects an argument", args[0], kw)
			}
			i++
			return args[i], nil
		}
		switch kw {
		case "name":
			v, err := val()
			if err != nil {
				return nil, err
			}
			b.Name = v
		case "maxconn", "backlog":
			v, err := val()
			if err != nil {
				return nil, err
			}
			n, err := parseInt(v, "bind "+kw, 1, 1<<31-1)
			if err != nil {
				return nil, err
			}
			if kw == "maxconn" {
				b.Maxconn = n
			} else {
				b.Backlog = n
			}
		case "mode":
			v, err := val()
			if err != nil {
				return nil, err
			}
			m, err := strconv.ParseUint(v, 8, 32)
			if err != nil {
				return nil, fmt.Errorf("'bind %s': invalid mode '%s' (an octal number)", args[0], v)
			}
			b.Mode = uint32(m)
		case "uid", "gid":
			v, err := val()
			if err != nil {
				return nil, err
			}
			n, err := parseInt(v, "bind "+kw, 0, 1<<31-1)
			if err != nil {
				return nil, err
			}
			if kw == "uid" {
				b.UID = n
			} else {
				b.GID = n
			}
		case "v4v6":
			b.V4V6 = true
		case "v6only":
			b.V6Only = true
		default:
			if knownBindParams[kw] {
				return nil, fmt.Errorf("'bind %s': '%s' is a HAProxy bind option that hawser does not support yet", args[0], kw)
			}
			return nil, fmt.Errorf("'bind %s': unknown keyword '%s'", args[0], kw)
		}
	}
	if b.V4V6 && b.V6Only {
		return nil, fmt.Errorf("'bind %s': 'v4v6' and 'v6only' exclude each other", args[0])
	}
	for i := range b.Addrs {
		a := &b.Addrs[i]
		if a.Network == "tcp" && b.V6Only {
			a.Network = "tcp6"
		}
	}
	return b, nil
}
