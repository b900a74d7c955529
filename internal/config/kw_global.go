package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// globalLine handles one statement of the global section.
func (p *parser) globalLine(ln Line) {
	if err := p.global(ln); err != nil {
		p.errs = append(p.errs, At(ln.Pos, err).(*Error))
	}
}

func (p *parser) global(ln Line) error {
	g := &p.cfg.Global
	kw, args := ln.Words[0], ln.Words[1:]
	switch kw {
	case "daemon":
		return noArgs(ln, func() { g.Daemon = true })
	case "master-worker":
		return noArgs(ln, func() { g.MasterWorker = true })
	case "quiet", "zero-warning":
		// Output verbosity only; hawser prints warnings either way.
		return noArgs(ln, func() {})
	case "pidfile":
		return oneArg(ln, func(a string) error { g.Pidfile = a; return nil })
	case "chroot":
		return oneArg(ln, func(a string) error { g.Chroot = a; return nil })
	case "user":
		return oneArg(ln, func(a string) error { g.User = a; return nil })
	case "group":
		return oneArg(ln, func(a string) error { g.Group = a; return nil })
	case "uid", "gid":
		return oneArg(ln, func(a string) error {
			n, err := parseInt(a, kw, 0, 1<<31-1)
			if kw == "uid" {
				g.UID = n
			} else {
				g.GID = n
			}
			return err
		})
	case "maxconn":
		return intArg(ln, 0, 1<<31-1, &g.Maxconn)
	case "ulimit-n":
		return intArg(ln, 0, 1<<31-1, &g.UlimitN)
	case "nbthread":
		return intArg(ln, 1, 4096, &g.Nbthread)
	case "hard-stop-after":
		return timeArg(ln, &g.HardStopAfter)
	case "spread-checks":
		return intArg(ln, 0, 50, &g.SpreadChecks)
	case "log":
		return p.logLine(ln, &g.Log, nil)
	case "log-tag":
		return oneArg(ln, func(a string) error { g.LogTag = a; return nil })
	case "log-send-hostname":
		if len(args) > 1 {
			return fmt.Errorf("'%s' takes at most one argument", kw)
		}
		g.LogSendHostname = true
		if len(args) == 1 {
			g.Hostname = args[0]
		}
		return nil
	case "description":
		if err := need(ln, 1, "a text"); err != nil {
			return err
		}
		g.Description = strings.Join(args, " ")
		return nil
	case "node":
		return oneArg(ln, func(a string) error { g.Node = a; return nil })
	case "stats":
		return p.globalStats(ln)
	case "server-state-file":
		return oneArg(ln, func(a string) error { g.ServerStateFile = a; return nil })
	case "server-state-base":
		return oneArg(ln, func(a string) error { g.ServerStateBase = a; return nil })
	case "tune.bufsize":
		return oneArg(ln, func(a string) error {
			n, err := ParseSize(a)
			if err != nil {
				return fmt.Errorf("'%s': %w", kw, err)
			}
			if n < 1024 || n > 1<<30 {
				return fmt.Errorf("'%s' must be between 1024 and 1073741824, got %d", kw, n)
			}
			g.BufSize = int(n)
			return nil
		})
	case "tune.http.maxhdr":
		return intArg(ln, 1, 32767, &g.MaxHeaders)
	case "setenv", "presetenv":
		if len(args) != 2 {
			return fmt.Errorf("'%s' expects a name and a value", kw)
		}
		if _, set := p.env(args[0]); kw == "presetenv" && set {
			return nil
		}
		v := args[1]
		p.over[args[0]] = &v
		return nil
	case "unsetenv":
		if err := need(ln, 1, "at least one variable name"); err != nil {
			return err
		}
		for _, a := range args {
			p.over[a] = nil
		}
		return nil
	case "resetenv":
		// Only the named variables of the process environment survive.
		p.resetEnv = map[string]bool{}
		for _, a := range args {
			p.resetEnv[a] = true
		}
		for k, v := range p.over {
			if v == nil {
				delete(p.over, k)
			}
		}
		return nil
	}
	return unknownKeyword("global", ln.Words)
}

// globalStats handles `stats socket|timeout|maxconn` in the global section.
func (p *parser) globalStats(ln Line) error {
	g := &p.cfg.Global
	if len(ln.Words) < 2 {
		return fmt.Errorf("'stats' expects 'socket', 'timeout' or 'maxconn'")
	}
	sub := ln.Words[1]
	rest := Line{Pos: ln.Pos, Words: ln.Words[1:]}
	switch sub {
	case "timeout":
		return timeArg(rest, &g.StatsTimeout)
	case "maxconn":
		return intArg(rest, 1, 1<<31-1, &g.StatsMaxconn)
	case "socket":
		s, err := parseStatsSocket(ln.Pos, ln.Words[2:])
		if err != nil {
			return err
		}
		g.StatsSockets = append(g.StatsSockets, s)
		return nil
	case "bind-process":
		return fmt.Errorf("'stats bind-process' was removed from HAProxy 2.5 and is not supported")
	}
	return fmt.Errorf("unknown keyword 'stats %s' in 'global' section", sub)
}

// parseStatsSocket reads `stats socket <path|[ipv4@|ipv6@]addr:port> [params]`.
func parseStatsSocket(pos Pos, args []string) (*StatsSocket, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("'stats socket' expects a path or an address")
	}
	s := &StatsSocket{Pos: pos, Level: "operator"}
	addr := args[0]
	switch {
	case strings.HasPrefix(addr, "unix@"):
		s.Network, s.Address = "unix", strings.TrimPrefix(addr, "unix@")
	case strings.HasPrefix(addr, "/") || strings.HasPrefix(addr, "."):
		s.Network, s.Address = "unix", addr
	case strings.HasPrefix(addr, "fd@"), strings.HasPrefix(addr, "abns@"), strings.HasPrefix(addr, "sockpair@"):
		return nil, fmt.Errorf("'stats socket %s': this address family is not supported by hawser yet", addr)
	default:
		a, err := parseHostPort(addr, false)
		if err != nil {
			return nil, fmt.Errorf("'stats socket %s': %w", addr, err)
		}
		if len(a) != 1 {
			return nil, fmt.Errorf("'stats socket %s': expects exactly one address", addr)
		}
		s.Network, s.Address = "tcp", a[0].String()
	}
	for i := 1; i < len(args); i++ {
		arg := args[i]
		val := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("'stats socket': '%s' expects an argument", arg)
			}
			i++
			return args[i], nil
		}
		switch arg {
		case "mode":
			v, err := val()
			if err != nil {
				return nil, err
			}
			m, err := strconv.ParseUint(v, 8, 32)
			if err != nil {
				return nil, fmt.Errorf("'stats socket': invalid mode '%s' (an octal number)", v)
			}
			s.Mode = uint32(m)
		case "level":
			v, err := val()
			if err != nil {
				return nil, err
			}
			if v != "user" && v != "operator" && v != "admin" {
				return nil, fmt.Errorf("'stats socket': 'level' only supports 'user', 'operator', and 'admin', got '%s'", v)
			}
			s.Level = v
		case "expose-fd":
			v, err := val()
			if err != nil {
				return nil, err
			}
			if v != "listeners" {
				return nil, fmt.Errorf("'stats socket': 'expose-fd' only supports 'listeners', got '%s'", v)
			}
			s.ExposeFD = true
		case "user", "group", "uid", "gid", "process", "thread", "name":
			return nil, fmt.Errorf("'stats socket': '%s' is not supported by hawser yet", arg)
		default:
			return nil, fmt.Errorf("'stats socket': unknown keyword '%s'", arg)
		}
	}
	return s, nil
}

func noArgs(ln Line, set func()) error {
	if len(ln.Words) > 1 {
		return fmt.Errorf("'%s' takes no argument", ln.Words[0])
	}
	set()
	return nil
}

func oneArg(ln Line, set func(string) error) error {
	if len(ln.Words) != 2 {
		return fmt.Errorf("'%s' expects exactly one argument", ln.Words[0])
	}
	return set(ln.Words[1])
}

func intArg(ln Line, min, max int, dst *int) error {
	return oneArg(ln, func(a string) error {
		n, err := parseInt(a, ln.Words[0], min, max)
		if err == nil {
			*dst = n
		}
		return err
	})
}

func timeArg(ln Line, dst *time.Duration) error {
	return oneArg(ln, func(a string) error {
		d, err := ParseTime(a, time.Millisecond)
		if err != nil {
			return fmt.Errorf("'%s': %w", ln.Words[0], err)
		}
		*dst = d
		return nil
	})
}

// notYet is the error for a keyword HAProxy has and hawser does not
// implement yet: refused rather than silently ignored.
func notYet(kw string) error {
	return fmt.Errorf("'%s' is a HAProxy keyword that hawser does not support yet", kw)
}
