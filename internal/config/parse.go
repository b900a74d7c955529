package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ParseOptions tune how a configuration is read.
type ParseOptions struct {
	// Env finds environment variables; nil means os.LookupEnv.
	Env LookupEnv
}

// ParseFiles reads the configuration made of files, in order, as
// `hawser -f a -f b` does. A directory argument reads its *.cfg files in
// lexical order, as HAProxy does.
func ParseFiles(paths []string, opt ...ParseOptions) (*Config, error) {
	var srcs []Source
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			return nil, fmt.Errorf("cannot open configuration file %s: %w", path, err)
		}
		if st.IsDir() {
			ents, err := os.ReadDir(path)
			if err != nil {
				return nil, fmt.Errorf("cannot read configuration directory %s: %w", path, err)
			}
			for _, e := range ents {
				if !e.IsDir() && strings.HasSuffix(e.Name(), ".cfg") {
					name := strings.TrimSuffix(path, "/") + "/" + e.Name()
					data, err := os.ReadFile(name)
					if err != nil {
						return nil, fmt.Errorf("cannot open configuration file %s: %w", name, err)
					}
					srcs = append(srcs, Source{Name: name, Data: data})
				}
			}
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("cannot open configuration file %s: %w", path, err)
		}
		srcs = append(srcs, Source{Name: path, Data: data})
	}
	return Parse(srcs, opt...)
}

// Source is the text of one configuration file.
type Source struct {
	Name string
	Data []byte
}

// Parse reads the configuration made of srcs, in order. It returns every
// error found (an ErrorList), not only the first.
func Parse(srcs []Source, opt ...ParseOptions) (*Config, error) {
	p := &parser{
		cfg:   &Config{},
		over:  map[string]*string{},
		named: map[string]*Proxy{},
	}
	p.cfg.Global = defaultGlobal()
	if len(opt) > 0 && opt[0].Env != nil {
		p.base = opt[0].Env
	} else {
		p.base = os.LookupEnv
	}
	for _, src := range srcs {
		p.cfg.Files = append(p.cfg.Files, src.Name)
		p.file(src)
	}
	if len(p.errs) == 0 {
		p.check()
	}
	if err := p.errs.Err(); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

// parser holds the state of one Parse call.
type parser struct {
	cfg  *Config
	errs ErrorList
	// over holds the changes made by setenv, presetenv, unsetenv and
	// resetenv; a nil value means unset.
	over map[string]*string
	base LookupEnv
	// sec is the current section: "global", "proxy" or "" before the
	// first section.
	sec string
	px  *Proxy
	// defaults is the last defaults section read, inherited by proxies
	// without `from`; named holds the named defaults sections.
	defaults *Proxy
	named    map[string]*Proxy
	// resetEnv is set by `resetenv`: only the listed variables of the
	// process environment stay visible.
	resetEnv map[string]bool
}

func (p *parser) env(name string) (string, bool) {
	if v, ok := p.over[name]; ok {
		if v == nil {
			return "", false
		}
		return *v, true
	}
	if p.resetEnv != nil && !p.resetEnv[name] {
		return "", false
	}
	return p.base(name)
}

func (p *parser) errorf(pos Pos, format string, args ...any) {
	p.errs = append(p.errs, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) warnf(pos Pos, format string, args ...any) {
	p.cfg.Warnings = append(p.cfg.Warnings, Warning{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// file reads one source. Each file must start with a section keyword: the
// end of a file ends the current section, as in HAProxy.
func (p *parser) file(src Source) {
	lx := newLexer(src.Name, src.Data, p.env)
	var conds condStack
	p.sec, p.px = "", nil
	for {
		ln, ok, err := lx.next()
		if err != nil {
			p.errs = append(p.errs, err.(*Error))
			continue
		}
		if !ok {
			break
		}
		if strings.HasPrefix(ln.Words[0], ".") {
			isCond, err := conds.handle(ln, p.env, &p.cfg.Warnings)
			if err != nil {
				p.errs = append(p.errs, At(ln.Pos, err).(*Error))
				continue
			}
			if isCond {
				continue
			}
		}
		if !conds.active() {
			continue
		}
		p.line(ln)
	}
	if err := conds.unclosed(); err != nil {
		p.errs = append(p.errs, err.(*Error))
	}
	p.endSection()
}

// line handles one active statement.
func (p *parser) line(ln Line) {
	kw := ln.Words[0]
	switch kw {
	case "global":
		p.endSection()
		if len(ln.Words) > 1 {
			p.errorf(ln.Pos, "'global' takes no argument")
		}
		p.sec = "global"
		return
	case "defaults", "frontend", "backend", "listen":
		p.endSection()
		p.openProxy(ln)
		return
	}
	if unsupportedSections[kw] {
		p.endSection()
		p.errorf(ln.Pos, "section '%s' is not supported by hawser yet", kw)
		p.sec = "skip"
		return
	}
	switch p.sec {
	case "global":
		p.globalLine(ln)
	case "proxy":
		if p.px != nil {
			p.proxyLine(p.px, ln)
		}
	case "skip":
		// The lines of an unsupported section were reported with it.
	default:
		p.errorf(ln.Pos, "unknown keyword '%s' out of section", kw)
	}
}

func (p *parser) endSection() {
	p.sec, p.px = "", nil
}

// openProxy starts a defaults, frontend, backend or listen section.
func (p *parser) openProxy(ln Line) {
	kw, args := ln.Words[0], ln.Words[1:]
	var cap Cap
	switch kw {
	case "defaults":
		cap = CapDefaults
	case "frontend":
		cap = CapFrontend
	case "backend":
		cap = CapBackend
	case "listen":
		cap = CapListen
	}
	name, from := "", ""
	if len(args) > 0 && args[0] != "from" {
		name, args = args[0], args[1:]
	}
	if len(args) >= 1 && args[0] == "from" {
		if len(args) != 2 {
			p.errorf(ln.Pos, "'%s %s': 'from' expects a defaults section name", kw, name)
		} else {
			from = args[1]
		}
		args = nil
	}
	if len(args) > 0 {
		p.errorf(ln.Pos, "'%s %s': unexpected argument '%s'", kw, name, args[0])
	}
	if cap != CapDefaults && name == "" {
		p.errorf(ln.Pos, "'%s' expects a name", kw)
		p.sec = "skip"
		return
	}
	if name != "" {
		if err := checkName(name); err != nil {
			p.errorf(ln.Pos, "%s name '%s': %v", kw, name, err)
		}
	}
	// A proxy inherits the last defaults section; a defaults section
	// starts from the built-in defaults unless it names a parent.
	parent := p.defaults
	if cap == CapDefaults {
		parent = nil
	}
	if from != "" {
		parent = p.named[from]
		if parent == nil {
			p.errorf(ln.Pos, "'%s %s': defaults section '%s' not found", kw, name, from)
		}
	}
	px := newProxy()
	if parent != nil {
		px = parent.inherit()
		px.From = parent.Name
	}
	px.Pos, px.Cap, px.Name = ln.Pos, cap, name
	px.dropForeign()
	if cap == CapDefaults {
		p.cfg.Defaults = append(p.cfg.Defaults, px)
		p.defaults = px
		if name != "" {
			p.named[name] = px
		}
	} else {
		for _, o := range p.cfg.Proxies {
			if o.Name == name && (o.Cap&cap != 0) {
				p.errorf(ln.Pos, "%s '%s' has the same name as %s '%s' declared at %s", kw, name, o.Cap.Section(), o.Name, o.Pos)
			}
		}
		p.cfg.Proxies = append(p.cfg.Proxies, px)
	}
	p.sec, p.px = "proxy", px
}

// checkName enforces HAProxy's proxy name characters.
func checkName(name string) error {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || c == '.' || c == ':' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return fmt.Errorf("character '%c' is not permitted (only letters, digits, '_', '.', ':' and '-')", c)
		}
	}
	return nil
}

func defaultGlobal() Global {
	return Global{
		UID:          -1,
		GID:          -1,
		LogTag:       "hawser",
		StatsTimeout: 10 * time.Second,
		StatsMaxconn: 10,
		BufSize:      16384,
		MaxHeaders:   101,
	}
}

// newProxy returns a proxy with HAProxy's built-in defaults.
func newProxy() *Proxy {
	return &Proxy{
		Retries: 3,
		Balance: Balance{Words: []string{"roundrobin"}},
		Options: Options{RedispatchInterval: -1},
		DefaultServer: ServerParams{
			Inter:      2 * time.Second,
			Rise:       2,
			Fall:       3,
			Weight:     1,
			ErrorLimit: 10,
			OnError:    "fail-check",
			InitAddr:   []string{"last", "libc"},
		},
	}
}

// inherit returns a new proxy carrying the settings of the defaults
// section d. Slices are copied so that the child never shares storage
// with its parent.
func (d *Proxy) inherit() *Proxy {
	px := newProxy()
	px.Mode = d.Mode
	px.Description = d.Description
	px.Maxconn = d.Maxconn
	px.Backlog = d.Backlog
	px.Fullconn = d.Fullconn
	px.Timeouts = d.Timeouts
	px.Retries = d.Retries
	px.RetryOn = clone(d.RetryOn)
	px.Balance = Balance{Pos: d.Balance.Pos, Words: clone(d.Balance.Words)}
	px.HashType = clone(d.HashType)
	px.HashTypePos = d.HashTypePos
	px.Options = d.Options
	if d.Options.ForwardFor != nil {
		ff := *d.Options.ForwardFor
		px.Options.ForwardFor = &ff
	}
	px.DefaultServer = d.DefaultServer
	px.DefaultServer.InitAddr = clone(d.DefaultServer.InitAddr)
	if d.HTTPChk != nil {
		c := *d.HTTPChk
		px.HTTPChk = &c
	}
	px.HTTPChecks = clone(d.HTTPChecks)
	px.TCPCheck = d.TCPCheck
	px.TCPChecks = clone(d.TCPChecks)
	px.LogHealthChecks = d.LogHealthChecks
	if d.Stats != nil {
		st := *d.Stats
		st.Auth = clone(d.Stats.Auth)
		st.Admin = clone(d.Stats.Admin)
		px.Stats = &st
	}
	if d.Cookie != nil {
		c := *d.Cookie
		px.Cookie = &c
	}
	px.LogFormat, px.LogFormatPos = d.LogFormat, d.LogFormatPos
	px.UniqueIDFormat, px.UniqueIDHeader = d.UniqueIDFormat, d.UniqueIDHeader
	if d.ErrorFiles != nil {
		px.ErrorFiles, px.ErrorFileNames = map[int][]byte{}, map[int]string{}
		for k, v := range d.ErrorFiles {
			px.ErrorFiles[k], px.ErrorFileNames[k] = v, d.ErrorFileNames[k]
		}
	}
	px.Grace = d.Grace
	px.LoadServerState, px.ServerStateFileName = d.LoadServerState, d.ServerStateFileName
	px.LogGlobal = d.LogGlobal
	px.Log = clone(d.Log)
	px.NoLog = d.NoLog
	return px
}

// dropForeign resets the inherited settings that the proxy's capability
// never uses: HAProxy only inherits what applies to a frontend into a
// frontend and what applies to a backend into a backend.
func (px *Proxy) dropForeign() {
	d := newProxy()
	if px.Cap&CapBackend == 0 {
		t := &px.Timeouts
		t.Server, t.ServerFin, t.Connect, t.Tunnel, t.Queue, t.Check = 0, 0, 0, 0, 0, 0
		px.Retries, px.RetryOn, px.Balance, px.HashType = d.Retries, nil, d.Balance, nil
		px.DefaultServer, px.Fullconn = d.DefaultServer, 0
		o := &px.Options
		o.Redispatch, o.RedispatchInterval, o.AllBackups, o.Persist, o.SrvTCPKA = false, -1, false, false, false
		px.HTTPChk, px.HTTPChecks, px.TCPCheck, px.TCPChecks, px.LogHealthChecks = nil, nil, false, nil, false
		px.Cookie = nil
		px.LoadServerState, px.ServerStateFileName = "", ""
	}
	if px.Cap&CapFrontend == 0 {
		px.Timeouts.Client, px.Timeouts.ClientFin = 0, 0
		px.Maxconn, px.Backlog = 0, 0
		o := &px.Options
		o.HTTPLog, o.HTTPLogCLF, o.TCPLog, o.DontLogNull, o.DontLogNormal = false, false, false, false, false
		o.LogASAP, o.ContStats, o.CliTCPKA = false, false, false
		px.LogFormat, px.LogFormatPos = "", Pos{}
		px.UniqueIDFormat, px.UniqueIDHeader = "", ""
	}
}

func clone[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append([]T(nil), s...)
}

// need checks that a keyword got at least n arguments.
func need(ln Line, n int, what string) error {
	if len(ln.Words)-1 < n {
		return fmt.Errorf("'%s' expects %s", ln.Words[0], what)
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
