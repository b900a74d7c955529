package config

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// server reads `server <name> <addr>[:port] [params]`.
func (p *parser) server(px *Proxy, ln Line) error {
	args := ln.Words[1:]
	if len(args) < 2 {
		return fmt.Errorf("'server' expects a name and an address")
	}
	s := &Server{Pos: ln.Pos, Name: args[0], Params: px.DefaultServer}
	s.Params.InitAddr = clone(px.DefaultServer.InitAddr)
	if err := checkName(s.Name); err != nil {
		return fmt.Errorf("'server %s': %v", s.Name, err)
	}
	if err := parseServerAddr(s, args[1]); err != nil {
		return fmt.Errorf("'server %s/%s': %w", px.Name, s.Name, err)
	}
	if err := parseServerParams(&s.Params, args[2:], false); err != nil {
		return fmt.Errorf("'server %s/%s': %w", px.Name, s.Name, err)
	}
	px.Servers = append(px.Servers, s)
	return nil
}

// parseServerParams applies `server`/`default-server` parameters to sp.
func parseServerParams(sp *ServerParams, args []string, isDefault bool) error {
	for i := 0; i < len(args); i++ {
		kw := args[i]
		val := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("'%s' expects an argument", kw)
			}
			i++
			return args[i], nil
		}
		timeVal := func(dst *time.Duration) error {
			v, err := val()
			if err != nil {
				return err
			}
			d, err := ParseTime(v, time.Millisecond)
			if err != nil {
				return fmt.Errorf("'%s': %w", kw, err)
			}
			if d == 0 && kw != "slowstart" {
				return fmt.Errorf("'%s' expects a positive time", kw)
			}
			*dst = d
			return nil
		}
		intVal := func(dst *int, min, max int) error {
			v, err := val()
			if err != nil {
				return err
			}
			n, err := parseInt(v, kw, min, max)
			if err != nil {
				return err
			}
			*dst = n
			return nil
		}
		var err error
		switch kw {
		case "check", "observe", "error-limit", "on-error", "on-marked-down", "on-marked-up", "slowstart":
			// Health checking is wired separately; until then these are
			// refused rather than silently ignored.
			if err := gate("checks", kw); err != nil {
				return err
			}
		case "cookie":
			if err := gate("cookie", kw); err != nil {
				return err
			}
		}
		switch kw {
		case "check":
			sp.Check = true
		case "no-check":
			sp.Check = false
		case "inter":
			err = timeVal(&sp.Inter)
		case "fastinter":
			err = timeVal(&sp.FastInter)
		case "downinter":
			err = timeVal(&sp.DownInter)
		case "rise":
			err = intVal(&sp.Rise, 1, 1<<20)
		case "fall":
			err = intVal(&sp.Fall, 1, 1<<20)
		case "port":
			var v string
			if v, err = val(); err == nil {
				sp.CheckPort, err = parsePort(v)
			}
		case "addr":
			var v string
			if v, err = val(); err == nil {
				if _, perr := netip.ParseAddr(v); perr != nil {
					err = fmt.Errorf("'addr' expects an IP address, got '%s'", v)
				}
				sp.CheckAddr = v
			}
		case "weight":
			var v string
			if v, err = val(); err == nil {
				var n int
				n, err = parseInt(v, kw, -1<<31, 1<<31-1)
				if err == nil && (n < 0 || n > 256) {
					err = fmt.Errorf("weight is not within 0 and 256 (%d)", n)
				}
				sp.Weight = n
			}
		case "maxconn":
			err = intVal(&sp.Maxconn, 0, 1<<31-1)
		case "maxqueue":
			err = intVal(&sp.Maxqueue, 0, 1<<31-1)
		case "minconn":
			err = intVal(&sp.Minconn, 0, 1<<31-1)
		case "backup":
			sp.Backup = true
		case "non-backup":
			sp.Backup = false
		case "disabled":
			sp.Disabled = true
		case "enabled":
			sp.Disabled = false
		case "cookie":
			var v string
			if v, err = val(); err == nil {
				sp.Cookie = v
			}
		case "id":
			if isDefault {
				return fmt.Errorf("'id' is not allowed on 'default-server'")
			}
			err = intVal(&sp.ID, 1, 1<<31-1)
		case "slowstart":
			err = timeVal(&sp.Slowstart)
		case "observe":
			var v string
			if v, err = val(); err == nil {
				if v != "layer4" && v != "layer7" && v != "none" {
					err = fmt.Errorf("'observe' expects 'layer4', 'layer7' or 'none', got '%s'", v)
				}
				sp.Observe = v
			}
		case "error-limit":
			err = intVal(&sp.ErrorLimit, 1, 1<<31-1)
		case "on-error":
			var v string
			if v, err = val(); err == nil {
				switch v {
				case "fastinter", "fail-check", "sudden-death", "mark-down":
					sp.OnError = v
				default:
					err = fmt.Errorf("'on-error' expects 'fastinter', 'fail-check', 'sudden-death' or 'mark-down', got '%s'", v)
				}
			}
		case "on-marked-down":
			var v string
			if v, err = val(); err == nil {
				if v != "shutdown-sessions" {
					err = fmt.Errorf("'on-marked-down' expects 'shutdown-sessions', got '%s'", v)
				}
				sp.OnMarkedDown = v
			}
		case "on-marked-up":
			var v string
			if v, err = val(); err == nil {
				if v != "shutdown-backup-sessions" {
					err = fmt.Errorf("'on-marked-up' expects 'shutdown-backup-sessions', got '%s'", v)
				}
				sp.OnMarkedUp = v
			}
		case "init-addr":
			var v string
			if v, err = val(); err == nil {
				sp.InitAddr = nil
				for _, m := range strings.Split(v, ",") {
					if m != "last" && m != "libc" && m != "none" {
						if _, perr := netip.ParseAddr(m); perr != nil {
							err = fmt.Errorf("'init-addr' expects 'last', 'libc', 'none' or an IP address, got '%s'", m)
							break
						}
					}
					sp.InitAddr = append(sp.InitAddr, m)
				}
			}
		default:
			if knownServerParams[kw] {
				return fmt.Errorf("'%s' is a HAProxy server option that hawser does not support yet", kw)
			}
			return fmt.Errorf("unknown keyword '%s'", kw)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
