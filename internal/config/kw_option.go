package config

import (
	"fmt"
	"net/netip"
	"strconv"
)

// boolOptions are the `option` keywords that only switch something on or
// off, with the side that uses them: a frontend-only option in a backend
// is ignored with a warning, as HAProxy does.
var boolOptions = map[string]struct {
	field func(*Options) *bool
	cap   Cap
}{
	"httplog":           {func(o *Options) *bool { return &o.HTTPLog }, CapFrontend},
	"tcplog":            {func(o *Options) *bool { return &o.TCPLog }, CapFrontend},
	"dontlognull":       {func(o *Options) *bool { return &o.DontLogNull }, CapFrontend},
	"dontlog-normal":    {func(o *Options) *bool { return &o.DontLogNormal }, CapFrontend},
	"logasap":           {func(o *Options) *bool { return &o.LogASAP }, CapFrontend},
	"contstats":         {func(o *Options) *bool { return &o.ContStats }, CapFrontend},
	"clitcpka":          {func(o *Options) *bool { return &o.CliTCPKA }, CapFrontend},
	"http-keep-alive":   {func(o *Options) *bool { return &o.HTTPKeepAlive }, CapListen},
	"http-server-close": {func(o *Options) *bool { return &o.HTTPServerClose }, CapListen},
	"httpclose":         {func(o *Options) *bool { return &o.HTTPClose }, CapListen},
	"tcpka":             {func(o *Options) *bool { return &o.TCPKA }, CapListen},
	"nolinger":          {func(o *Options) *bool { return &o.NoLinger }, CapListen},
	"allbackups":        {func(o *Options) *bool { return &o.AllBackups }, CapBackend},
	"persist":           {func(o *Options) *bool { return &o.Persist }, CapBackend},
	"srvtcpka":          {func(o *Options) *bool { return &o.SrvTCPKA }, CapBackend},
}

// option handles `option <name> [args]` (on=true) and `no option <name>`.
func (p *parser) option(px *Proxy, ln Line, args []string, on bool) error {
	if len(args) == 0 {
		return fmt.Errorf("'option' expects an option name")
	}
	name, rest := args[0], args[1:]
	o := &px.Options
	ignored := func(cap Cap) bool {
		if px.Cap != CapDefaults && px.Cap&cap == 0 {
			p.warnf(ln.Pos, "'option %s' ignored because %s '%s' has no %s capability", name, px.Cap.Section(), px.Name, capName(cap))
			return true
		}
		return false
	}
	if b, ok := boolOptions[name]; ok {
		if len(rest) > 0 && !(name == "httplog" && on && len(rest) == 1 && rest[0] == "clf") {
			return fmt.Errorf("'option %s' takes no argument", name)
		}
		if ignored(b.cap) {
			return nil
		}
		*b.field(o) = on
		switch name {
		case "httplog":
			o.HTTPLogCLF = on && len(rest) == 1
			if on {
				o.TCPLog = false
			}
		case "tcplog":
			if on {
				o.HTTPLog, o.HTTPLogCLF = false, false
			}
		case "http-keep-alive", "http-server-close", "httpclose":
			// The three connection modes exclude each other within one
			// section; the last one given wins, as in HAProxy.
			if on {
				o.HTTPKeepAlive, o.HTTPServerClose, o.HTTPClose = false, false, false
				*b.field(o) = true
			}
		}
		return nil
	}
	switch name {
	case "redispatch":
		if ignored(CapBackend) {
			return nil
		}
		o.Redispatch = on
		o.RedispatchInterval = -1
		if len(rest) > 1 || (!on && len(rest) > 0) {
			return fmt.Errorf("'option redispatch' takes at most one argument (an interval)")
		}
		if len(rest) == 1 {
			n, err := strconv.Atoi(rest[0])
			if err != nil {
				return fmt.Errorf("'option redispatch': interval must be an integer, got '%s'", rest[0])
			}
			o.RedispatchInterval = n
			if n == 0 {
				o.Redispatch = false
			}
		}
		return nil
	case "forwardfor":
		if !on {
			o.ForwardFor = nil
			return nil
		}
		ff, err := parseForwardFor(rest)
		if err != nil {
			return err
		}
		o.ForwardFor = ff
		return nil
	case "httpchk", "tcp-check", "log-health-checks":
		if err := gate("checks", "option "+name); err != nil {
			return err
		}
		if ignored(CapBackend) {
			return nil
		}
		switch name {
		case "httpchk":
			o := &px.HTTPChk
			if !on {
				*o = nil
				return nil
			}
			c, err := parseHTTPChk(rest)
			if err != nil {
				return err
			}
			*o = c
			px.TCPCheck = false
		case "tcp-check":
			px.TCPCheck = on
			if on {
				px.HTTPChk = nil
			}
		default:
			px.LogHealthChecks = on
		}
		return nil
	case "http-use-htx":
		// Removed from HAProxy 2.5 (fatal there); old configs still carry
		// it and HTX is the only mode, so hawser accepts it with a warning.
		p.warnf(ln.Pos, "'option http-use-htx' is deprecated and ignored: HTX is the only mode")
		return nil
	}
	if knownOptions[name] {
		return fmt.Errorf("'option %s' is a HAProxy option that hawser does not support yet", name)
	}
	return fmt.Errorf("unknown option '%s'", name)
}

// parseForwardFor reads the arguments of `option forwardfor`.
func parseForwardFor(args []string) (*ForwardFor, error) {
	ff := &ForwardFor{Header: "X-Forwarded-For"}
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "except":
			if i+1 >= len(args) {
				return nil, fmt.Errorf("'option forwardfor except' expects a network")
			}
			i++
			if _, err := parseNetwork(args[i]); err != nil {
				return nil, fmt.Errorf("'option forwardfor except': %w", err)
			}
			ff.Except = args[i]
		case "header":
			if i+1 >= len(args) {
				return nil, fmt.Errorf("'option forwardfor header' expects a header name")
			}
			i++
			ff.Header = args[i]
		case "if-none":
			ff.IfNone = true
		default:
			return nil, fmt.Errorf("'option forwardfor': unknown argument '%s' (expects 'except', 'header' or 'if-none')", args[i])
		}
	}
	return ff, nil
}

// parseNetwork reads an address or a network in CIDR or address/mask form
// (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`, `::1`).
func parseNetwork(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	addr, mask, hasMask := cutByte(s, '/')
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid network '%s'", s)
	}
	if !hasMask {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || !m.Is4() || !a.Is4() {
		return netip.Prefix{}, fmt.Errorf("invalid network '%s'", s)
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	bits := 0
	for v&0x80000000 != 0 {
		bits++
		v <<= 1
	}
	if v != 0 {
		return netip.Prefix{}, fmt.Errorf("invalid netmask in '%s'", s)
	}
	return netip.PrefixFrom(a, bits).Masked(), nil
}

// ParseNetwork is parseNetwork for the runtime, which compiles
// `option forwardfor except` into a prefix.
func ParseNetwork(s string) (netip.Prefix, error) { return parseNetwork(s) }

func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
