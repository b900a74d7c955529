package config

import (
	"fmt"
	"strings"
	"time"
)

// Where proxy keywords are allowed, as in HAProxy's keyword matrix:
// d=defaults, f=frontend, b=backend; listen sections accept both f and b.
const (
	inD = 1 << iota
	inF
	inB
	inDFB = inD | inF | inB
	inDF  = inD | inF
	inDB  = inD | inB
	inFB  = inF | inB
)

// allowed reports whether a keyword with matrix m may appear in px.
func allowed(px *Proxy, m int) bool {
	switch {
	case px.Cap == CapDefaults:
		return m&inD != 0
	case px.Cap&CapFrontend != 0 && m&inF != 0:
		return true
	case px.Cap&CapBackend != 0 && m&inB != 0:
		return true
	}
	return false
}

// proxyLine handles one statement of a defaults, frontend, backend or
// listen section.
func (p *parser) proxyLine(px *Proxy, ln Line) {
	if err := p.proxyKeyword(px, ln); err != nil {
		p.errs = append(p.errs, At(ln.Pos, err).(*Error))
	}
}

// proxyKeywords are the keywords hawser implements in proxy sections, with
// where each is allowed.
var proxyKeywords = map[string]int{
	"mode": inDFB, "disabled": inDFB, "enabled": inDFB, "description": inDFB,
	"id": inFB, "maxconn": inDF, "backlog": inDF, "fullconn": inDB,
	"bind": inF, "acl": inFB, "use_backend": inF, "default_backend": inDF,
	"timeout": inDFB, "retries": inDB, "retry-on": inDB, "balance": inDB,
	"hash-type": inDB, "option": inDFB, "no": inDFB, "default-server": inDB,
	"server": inB, "log": inDFB,
	"http-check": inDB, "tcp-check": inDB, "http-request": inFB, "http-response": inFB,
	"tcp-request": inFB, "stats": inDFB, "cookie": inDB, "capture": inF,
	"log-format": inDF, "errorfile": inDFB, "grace": inDFB,
	"unique-id-format": inDF, "unique-id-header": inDF,
	"load-server-state-from-file": inDB, "server-state-file-name": inDB,
}

func (p *parser) proxyKeyword(px *Proxy, ln Line) error {
	kw, args := ln.Words[0], ln.Words[1:]
	where, ok := proxyKeywords[kw]
	if !ok {
		return unknownKeyword(px.Cap.Section(), ln.Words)
	}
	if !allowed(px, where) {
		return fmt.Errorf("'%s' not allowed in '%s' section", kw, px.Cap.Section())
	}
	switch kw {
	case "mode":
		return oneArg(ln, func(a string) error {
			switch a {
			case "http":
				px.Mode = ModeHTTP
			case "tcp":
				px.Mode = ModeTCP
			case "health":
				return fmt.Errorf("'mode health' was removed from HAProxy 2.4")
			default:
				return fmt.Errorf("unknown proxy mode '%s'", a)
			}
			return nil
		})
	case "disabled":
		return noArgs(ln, func() { px.Disabled = true })
	case "enabled":
		return noArgs(ln, func() { px.Disabled = false })
	case "description":
		if err := need(ln, 1, "a text"); err != nil {
			return err
		}
		px.Description = strings.Join(args, " ")
		return nil
	case "id":
		return intArg(ln, 1, 1<<31-1, &px.ID)
	case "maxconn":
		return intArg(ln, 0, 1<<31-1, &px.Maxconn)
	case "backlog":
		return intArg(ln, 0, 1<<31-1, &px.Backlog)
	case "fullconn":
		return intArg(ln, 0, 1<<31-1, &px.Fullconn)
	case "bind":
		b, err := parseBind(ln)
		if err != nil {
			return err
		}
		px.Binds = append(px.Binds, b)
		return nil
	case "acl":
		if len(args) < 2 {
			return fmt.Errorf("'acl' expects a name and a criterion")
		}
		if err := checkACLName(args[0]); err != nil {
			return err
		}
		px.ACLs = append(px.ACLs, &ACL{Pos: ln.Pos, Name: args[0], Args: clone(args[1:])})
		return nil
	case "use_backend":
		if len(args) == 0 {
			return fmt.Errorf("'use_backend' expects a backend name")
		}
		ub := &UseBackend{Pos: ln.Pos, Backend: args[0]}
		if len(args) > 1 {
			if args[1] != "if" && args[1] != "unless" {
				return fmt.Errorf("'use_backend %s' expects 'if' or 'unless' followed by a condition, got '%s'", args[0], args[1])
			}
			if len(args) == 2 {
				return fmt.Errorf("'use_backend %s %s' is missing a condition", args[0], args[1])
			}
			ub.Cond = clone(args[1:])
		}
		if strings.Contains(ub.Backend, "%[") {
			return fmt.Errorf("dynamic backend names ('%s') are not supported by hawser yet", ub.Backend)
		}
		px.UseBackends = append(px.UseBackends, ub)
		return nil
	case "default_backend":
		return oneArg(ln, func(a string) error {
			px.DefaultBackend, px.DefaultBackendPos = a, ln.Pos
			return nil
		})
	case "timeout":
		return p.timeout(px, ln)
	case "retries":
		return intArg(ln, 0, 1<<31-1, &px.Retries)
	case "retry-on":
		return parseRetryOn(px, args)
	case "balance":
		if len(args) == 0 {
			return fmt.Errorf("'balance' expects an algorithm")
		}
		px.Balance = Balance{Pos: ln.Pos, Words: clone(args)}
		return nil
	case "hash-type":
		if len(args) == 0 || len(args) > 3 {
			return fmt.Errorf("'hash-type' expects a method and optionally a function and a modifier")
		}
		px.HashType, px.HashTypePos = clone(args), ln.Pos
		return nil
	case "option":
		return p.option(px, ln, args, true)
	case "no":
		if len(args) >= 1 && args[0] == "option" {
			return p.option(px, ln, args[1:], false)
		}
		if len(args) == 1 && args[0] == "log" {
			px.NoLog, px.LogGlobal, px.Log = true, false, nil
			return nil
		}
		return fmt.Errorf("'no' only supports 'no option <name>' and 'no log'")
	case "default-server":
		return parseServerParams(&px.DefaultServer, args, true)
	case "server":
		return p.server(px, ln)
	case "log":
		px.NoLog = false
		return p.logLine(ln, &px.Log, &px.LogGlobal)
	case "http-check", "tcp-check":
		if err := gate("checks", kw); err != nil {
			return err
		}
		if len(args) == 0 {
			return fmt.Errorf("'%s' expects an action", kw)
		}
		known := httpCheckActions
		if kw == "tcp-check" {
			known = tcpCheckActions
		}
		if !known[args[0]] {
			return fmt.Errorf("'%s' does not know the action '%s'", kw, args[0])
		}
		r, err := newRule(ln.Pos, args)
		if err != nil {
			return fmt.Errorf("'%s': %w", kw, err)
		}
		if kw == "http-check" {
			px.HTTPChecks = append(px.HTTPChecks, r)
		} else {
			px.TCPChecks = append(px.TCPChecks, r)
		}
		return nil
	case "http-request", "http-response", "tcp-request":
		if len(args) == 0 {
			return fmt.Errorf("'%s' expects an action", kw)
		}
		// http-request and http-response actions are validated when the
		// proxy compiles them (internal/proxy/rules.go).
		if kw == "tcp-request" {
			if err := gate("tcp-request", kw+" "+args[0]); err != nil {
				return err
			}
		}
		r, err := newRule(ln.Pos, args)
		if err != nil {
			return fmt.Errorf("'%s': %w", kw, err)
		}
		switch kw {
		case "http-request":
			px.HTTPRequest = append(px.HTTPRequest, r)
		case "http-response":
			px.HTTPResponse = append(px.HTTPResponse, r)
		default:
			px.TCPRequest = append(px.TCPRequest, r)
		}
		return nil
	case "stats":
		return proxyStats(px, ln)
	case "cookie":
		if err := gate("cookie", kw); err != nil {
			return err
		}
		c, err := parseCookie(ln.Pos, args)
		if err != nil {
			return err
		}
		px.Cookie = c
		return nil
	case "capture":
		return parseCapture(px, ln)
	case "log-format":
		if err := gate("log-format", kw); err != nil {
			return err
		}
		if len(args) == 0 {
			return fmt.Errorf("'log-format' expects a format string")
		}
		// Several words are joined with one space, as HAProxy does.
		px.LogFormat, px.LogFormatPos = strings.Join(args, " "), ln.Pos
		return nil
	case "errorfile":
		return parseErrorfile(px, ln)
	case "load-server-state-from-file":
		return oneArg(ln, func(a string) error {
			if a != "global" && a != "local" && a != "none" {
				return fmt.Errorf("'load-server-state-from-file' expects 'global', 'local' or 'none', got '%s'", a)
			}
			px.LoadServerState = a
			return nil
		})
	case "server-state-file-name":
		if len(args) > 1 {
			return fmt.Errorf("'server-state-file-name' takes at most one argument")
		}
		px.ServerStateFileName = "use-backend-name"
		if len(args) == 1 {
			px.ServerStateFileName = args[0]
		}
		return nil
	case "unique-id-format":
		if len(args) == 0 {
			return fmt.Errorf("'unique-id-format' expects a format string")
		}
		px.UniqueIDFormat = strings.Join(args, " ")
		return nil
	case "unique-id-header":
		return oneArg(ln, func(a string) error { px.UniqueIDHeader = a; return nil })
	case "grace":
		if err := gate("grace", kw); err != nil {
			return err
		}
		return timeArg(ln, &px.Grace)
	}
	return unknownKeyword(px.Cap.Section(), ln.Words)
}

// checkACLName enforces HAProxy's ACL name characters.
func checkACLName(name string) error {
	if err := checkName(name); err != nil {
		return fmt.Errorf("ACL name '%s': %v", name, err)
	}
	return nil
}

// timeout reads `timeout <name> <time>`. A timeout that belongs to the
// other side (e.g. `timeout server` in a frontend) is ignored with a
// warning, as HAProxy does.
func (p *parser) timeout(px *Proxy, ln Line) error {
	if len(ln.Words) != 3 {
		return fmt.Errorf("'timeout' expects a name and a value")
	}
	name := ln.Words[1]
	t := &px.Timeouts
	var dst *time.Duration
	var cap Cap
	switch name {
	case "client":
		dst, cap = &t.Client, CapFrontend
	case "client-fin":
		dst, cap = &t.ClientFin, CapFrontend
	case "server":
		dst, cap = &t.Server, CapBackend
	case "server-fin":
		dst, cap = &t.ServerFin, CapBackend
	case "connect":
		dst, cap = &t.Connect, CapBackend
	case "tunnel":
		dst, cap = &t.Tunnel, CapBackend
	case "http-request":
		dst, cap = &t.HTTPRequest, CapListen
	case "http-keep-alive":
		dst, cap = &t.HTTPKeepAlive, CapListen
	case "queue":
		dst, cap = &t.Queue, CapBackend
	case "tarpit":
		dst, cap = &t.Tarpit, CapListen
	case "check":
		dst, cap = &t.Check, CapBackend
	case "client-hs":
		return notYet("timeout client-hs")
	default:
		return fmt.Errorf("'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '%s')", name)
	}
	d, err := ParseTime(ln.Words[2], time.Millisecond)
	if err != nil {
		return fmt.Errorf("'timeout %s': %w", name, err)
	}
	if px.Cap != CapDefaults && px.Cap&cap == 0 {
		p.warnf(ln.Pos, "'timeout %s' will be ignored because %s '%s' has no %s capability", name, px.Cap.Section(), px.Name, capName(cap))
		return nil
	}
	*dst = d
	return nil
}

func capName(c Cap) string {
	if c == CapFrontend {
		return "frontend"
	}
	return "backend"
}

// parseRetryOn reads `retry-on <event>...` (HAProxy's keywords).
func parseRetryOn(px *Proxy, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("'retry-on' expects at least one event")
	}
	ok := map[string]bool{
		"none": true, "conn-failure": true, "empty-response": true, "junk-response": true,
		"response-timeout": true, "0rtt-rejected": true, "all-retryable-errors": true,
		"401": true, "403": true, "404": true, "408": true, "425": true, "500": true,
		"501": true, "502": true, "503": true, "504": true,
	}
	for _, a := range args {
		if !ok[a] {
			return fmt.Errorf("'retry-on': unknown keyword '%s'", a)
		}
		if a == "none" && len(args) > 1 {
			return fmt.Errorf("'retry-on': 'none' must be alone")
		}
	}
	px.RetryOn = clone(args)
	return nil
}
