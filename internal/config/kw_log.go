package config

import (
	"fmt"
	"strings"
)

var facilities = []string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

var levels = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

var logFormats = map[string]bool{"rfc3164": true, "rfc5424": true, "raw": true, "short": true, "timed": true, "iso": true, "priority": true, "local": true}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// FacilityName and LevelName give the syslog names of numbers.
func FacilityName(n int) string { return facilities[n] }

// LevelName returns the syslog name of severity n (0 emerg … 7 debug).
func LevelName(n int) string { return levels[n] }

// logLine reads `log global`, `log <target> [len <n>] [format <fmt>]
// <facility> [<level> [<minlevel>]]` into dst. global is where `log global`
// is recorded (nil in the global section, where it is not allowed).
func (p *parser) logLine(ln Line, dst *[]LogTarget, global *bool) error {
	args := ln.Words[1:]
	if len(args) == 0 {
		return fmt.Errorf("'log' expects either 'global' or a target address and a facility")
	}
	if args[0] == "global" {
		if global == nil {
			return fmt.Errorf("'log global' is only allowed in proxy sections")
		}
		if len(args) > 1 {
			return fmt.Errorf("'log global' takes no other argument")
		}
		*global = true
		return nil
	}
	t := LogTarget{Pos: ln.Pos, Len: 1024, Format: "rfc3164", Level: 7}
	if err := parseLogAddr(&t, args[0]); err != nil {
		return err
	}
	args = args[1:]
	for len(args) >= 2 && (args[0] == "len" || args[0] == "format" || args[0] == "sample") {
		switch args[0] {
		case "len":
			n, err := parseInt(args[1], "log len", 80, 65535)
			if err != nil {
				return err
			}
			t.Len = n
		case "format":
			if !logFormats[args[1]] {
				return fmt.Errorf("'log': unknown log format '%s'", args[1])
			}
			t.Format = args[1]
			if t.Format == "local" {
				t.Format = "rfc3164"
			}
		case "sample":
			return fmt.Errorf("'log ... sample' is not supported by hawser yet")
		}
		args = args[2:]
	}
	if len(args) == 0 {
		return fmt.Errorf("'log %s': missing facility", ln.Words[1])
	}
	if t.Facility = indexOf(facilities, args[0]); t.Facility < 0 {
		return fmt.Errorf("'log': unknown facility '%s' (one of %s)", args[0], strings.Join(facilities, ", "))
	}
	if len(args) > 1 {
		if t.Level = indexOf(levels, args[1]); t.Level < 0 {
			return fmt.Errorf("'log': unknown log level '%s'", args[1])
		}
	}
	if len(args) > 2 {
		if t.MinLevel = indexOf(levels, args[2]); t.MinLevel < 0 {
			return fmt.Errorf("'log': unknown optional minimum log level '%s'", args[2])
		}
	}
	if len(args) > 3 {
		return fmt.Errorf("'log': unexpected argument '%s'", args[3])
	}
	*dst = append(*dst, t)
	return nil
}

// parseLogAddr reads a log target: stdout, stderr, fd@1, fd@2, a unix
// datagram socket path (/dev/log, unix@path) or a UDP host[:port]
// (default port 514).
func parseLogAddr(t *LogTarget, a string) error {
	switch {
	case a == "stdout" || a == "fd@1":
		t.Network = "stdout"
		return nil
	case a == "stderr" || a == "fd@2":
		t.Network = "stderr"
		return nil
	case strings.HasPrefix(a, "/"):
		t.Network, t.Address = "unixgram", a
		return nil
	case strings.HasPrefix(a, "unix@"):
		t.Network, t.Address = "unixgram", strings.TrimPrefix(a, "unix@")
		return nil
	}
	addr := a
	if i := strings.Index(a, "@"); i >= 0 {
		switch fam := a[:i]; fam {
		case "udp", "udp4", "udp6", "ipv4", "ipv6":
			addr = a[i+1:]
		default:
			return fmt.Errorf("'log %s': target type '%s@' is not supported by hawser yet", a, fam)
		}
	}
	host, port := addr, "514"
	if strings.HasPrefix(addr, "[") {
		end := strings.Index(addr, "]")
		if end < 0 {
			return fmt.Errorf("'log %s': invalid address", a)
		}
		host = addr[1:end]
		if rest := addr[end+1:]; rest != "" {
			if rest[0] != ':' {
				return fmt.Errorf("'log %s': invalid address", a)
			}
			port = rest[1:]
		}
	} else if strings.Count(addr, ":") == 1 {
		host, port, _ = strings.Cut(addr, ":")
	}
	if _, err := parsePort(port); err != nil {
		return fmt.Errorf("'log %s': %w", a, err)
	}
	if host == "" {
		return fmt.Errorf("'log %s': missing address", a)
	}
	t.Network = "udp"
	if strings.Contains(host, ":") {
		t.Address = "[" + host + "]:" + port
	} else {
		t.Address = host + ":" + port
	}
	return nil
}
