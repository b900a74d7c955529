package proxy

import (
	"fmt"
	"net/http"
	"time"

	"github.com/hawser-lb/hawser/internal/acl"
	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/logging"
)

// Generation is one compiled configuration: immutable once built, swapped
// atomically on reload.
type Generation struct {
	// Config is the configuration it was built from.
	Config *config.Config
	// Frontends are the proxies that accept connections, in order.
	Frontends []*Frontend
	// Backends are the proxies that hold servers, in order.
	Backends []*backend.Backend

	frontends map[string]*Frontend
	backends  map[string]*backend.Backend
	// beRules holds the rules of the backends that have some.
	beRules map[*backend.Backend]*backendRules
	// Built is when the generation was built.
	Built time.Time
	// bufs are the connection buffers and head limits of tune.bufsize
	// and tune.http.maxhdr.
	bufs *bufLimits
}

// Frontend returns the frontend named name, or nil.
func (g *Generation) Frontend(name string) *Frontend { return g.frontends[name] }

// Backend returns the backend named name, or nil.
func (g *Generation) Backend(name string) *backend.Backend { return g.backends[name] }

// clfHTTPLogFormat is `option httplog clf`: HAProxy's HTTP log in the
// Common Log Format, its own fields after the CLF ones.
const clfHTTPLogFormat = `%{+Q}o %{-Q}ci - - [%trg] %r %ST %B "" "" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl`

// Frontend is the compiled frontend half of a frontend or listen section.
type Frontend struct {
	Name   string
	ID     int
	Config *config.Proxy
	Mode   config.Mode
	// rules are the use_backend rules in order; def is default_backend,
	// or the listen section's own backend.
	rules []useRule
	def   *backend.Backend
	// ConnMode is the frontend's HTTP connection mode.
	ConnMode backend.ConnMode
	// Counters are the frontend's counters, kept across reloads.
	Counters *backend.Counters
	// log is where traffic logs go (nil: no logging); logFlags are the
	// logging options.
	log   *logging.Logger
	xff   *backend.ForwardFor
	tmo   feTimeouts
	flags logFlags
	// statsPage serves the statistics page when `stats enable` is set;
	// adminRules are its `stats admin` conditions.
	statsPage  http.Handler
	adminRules []statsAdminRule
	// reqRules and respRules are the frontend's http-request and
	// http-response rules.
	reqRules, respRules []httpRule
	// logFormat replaces the built-in line formats when set; uniqueID is
	// unique-id-format, sent in uniqueIDHeader when set.
	logFormat      *compiledFormat
	uniqueID       *compiledFormat
	uniqueIDHeader string
	// captureReq and captureResp are the `capture … header` lines.
	captureReq, captureResp []*config.Capture
	// tcp are the frontend's tcp-request rules (nil without any).
	tcp *tcpRules
}

// backendRules are a backend's own http-request, http-response and
// tcp-request rules.
type backendRules struct {
	req, resp []httpRule
	tcp       *tcpRules
}

// declareACLs declares the named ACLs of px, with the errors of those that
// do not compile.
func declareACLs(px *config.Proxy) (*acl.Set, config.ErrorList) {
	set := acl.NewSet()
	var errs config.ErrorList
	for _, a := range px.ACLs {
		if err := set.Declare(a.Name, a.Args); err != nil {
			errs = append(errs, &config.Error{Pos: a.Pos, Msg: err.Error()})
		}
	}
	return set, errs
}

// compileProxyRules compiles the http-request, http-response and
// tcp-request rules of px (a frontend's or a backend's) against its ACLs.
func compileProxyRules(px *config.Proxy, set *acl.Set, opt buildOptions) (*backendRules, config.ErrorList) {
	br := &backendRules{}
	var e1, e2, e3 config.ErrorList
	br.req, e1 = compileRules(px.HTTPRequest, set, false, opt)
	br.resp, e2 = compileRules(px.HTTPResponse, set, true, opt)
	br.tcp, e3 = compileTCPRules(px.TCPRequest, set)
	return br, append(append(e1, e2...), e3...)
}

type statsAdminRule struct {
	cond *acl.Cond
}

// statsAdmin evaluates the `stats admin` conditions: admin actions are
// allowed when one of them holds.
func (fe *Frontend) statsAdmin(t *acl.Txn) bool {
	for _, r := range fe.adminRules {
		if r.cond.Eval(t) {
			return true
		}
	}
	return false
}

type useRule struct {
	cond *acl.Cond
	be   *backend.Backend
}

type feTimeouts struct {
	client, clientFin, httpRequest, httpKeepAlive time.Duration
}

type logFlags struct {
	httplog, tcplog, dontlognull, dontlogNormal, logasap, contstats bool
}

// buildOptions are what Build needs besides the configuration.
type buildOptions struct {
	resolve backend.Resolver
	// logger returns the logger for a list of targets.
	logger func(targets []config.LogTarget, g *config.Global) (*logging.Logger, error)
	// statsPage builds a frontend's statistics page handler.
	statsPage func(fe *Frontend) http.Handler
	// services are the use-service handlers by name.
	services map[string]func() http.Handler
}

// build compiles cfg. prev is the running generation (nil at startup): its
// servers and counters are carried over by name.
func build(cfg *config.Config, prev *Generation, opt buildOptions) (*Generation, error) {
	g := &Generation{
		Config:    cfg,
		frontends: map[string]*Frontend{},
		backends:  map[string]*backend.Backend{},
		beRules:   map[*backend.Backend]*backendRules{},
		Built:     time.Now(),
		bufs:      newBufLimits(cfg.Global.BufSize, cfg.Global.MaxHeaders),
	}
	var errs config.ErrorList
	add := func(err error) {
		if err == nil {
			return
		}
		switch e := err.(type) {
		case *config.Error:
			errs = append(errs, e)
		case config.ErrorList:
			errs = append(errs, e...)
		default:
			errs = append(errs, &config.Error{Msg: err.Error()})
		}
	}
	for _, px := range cfg.Proxies {
		if px.Cap&config.CapBackend == 0 {
			continue
		}
		var old *backend.Backend
		if prev != nil {
			old = prev.backends[px.Name]
		}
		if err := validateHealth(px); err != nil {
			add(err)
			continue
		}
		be, err := backend.Build(px, old, opt.resolve)
		if err != nil {
			add(err)
			continue
		}
		if prev == nil || prev.backends[px.Name] == nil {
			// Saved states matter when the process starts: a reload keeps
			// the running ones.
			if err := be.LoadState(&cfg.Global); err != nil {
				add(config.At(px.Pos, err))
			}
		}
		g.Backends = append(g.Backends, be)
		g.backends[px.Name] = be
		if len(px.HTTPRequest)+len(px.HTTPResponse)+len(px.TCPRequest) > 0 {
			set, errs := declareACLs(px)
			br, e := compileProxyRules(px, set, opt)
			errs = append(errs, e...)
			if len(errs) > 0 {
				add(errs)
				continue
			}
			g.beRules[be] = br
		}
	}
	for _, px := range cfg.Proxies {
		if px.Cap&config.CapFrontend == 0 {
			continue
		}
		fe, err := buildFrontend(px, g, prev, opt)
		if err != nil {
			add(err)
			continue
		}
		g.Frontends = append(g.Frontends, fe)
		g.frontends[px.Name] = fe
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return g, nil
}

func buildFrontend(px *config.Proxy, g *Generation, prev *Generation, opt buildOptions) (*Frontend, error) {
	fe := &Frontend{
		Name: px.Name, ID: px.ID, Config: px, Mode: px.Mode,
		ConnMode: backend.ModeOf(&px.Options),
		Counters: &backend.Counters{},
		tmo: feTimeouts{
			client: px.Timeouts.Client, clientFin: px.Timeouts.ClientFin,
			httpRequest: px.Timeouts.HTTPRequest, httpKeepAlive: px.Timeouts.HTTPKeepAlive,
		},
		flags: logFlags{
			httplog: px.Options.HTTPLog, tcplog: px.Options.TCPLog,
			dontlognull: px.Options.DontLogNull, dontlogNormal: px.Options.DontLogNormal,
			logasap: px.Options.LogASAP, contstats: px.Options.ContStats,
		},
	}
	if prev != nil {
		if old := prev.frontends[px.Name]; old != nil {
			fe.Counters = old.Counters
		}
	}
	var err error
	if fe.xff, err = backend.CompileForwardFor(px.Options.ForwardFor); err != nil {
		return nil, config.At(px.Pos, err)
	}
	set, errs := declareACLs(px)
	for _, ub := range px.UseBackends {
		be := g.backends[ub.Backend]
		if be == nil {
			// Reported by the parser; a backend that failed to build has
			// its own error.
			continue
		}
		r := useRule{be: be}
		if ub.Cond != nil {
			c, err := set.Cond(ub.Cond)
			if err != nil {
				errs = append(errs, &config.Error{Pos: ub.Pos, Msg: fmt.Sprintf("'use_backend %s': %v", ub.Backend, err)})
				continue
			}
			r.cond = c
		}
		fe.rules = append(fe.rules, r)
	}
	rules, e := compileProxyRules(px, set, opt)
	errs = append(errs, e...)
	fe.reqRules, fe.respRules, fe.tcp = rules.req, rules.resp, rules.tcp
	logFormat := px.LogFormat
	if logFormat == "" && px.Options.HTTPLogCLF && px.Mode == config.ModeHTTP {
		logFormat = clfHTTPLogFormat
	}
	if logFormat != "" {
		f, err := compileFormat(logFormat)
		if err != nil {
			errs = append(errs, &config.Error{Pos: px.LogFormatPos, Msg: err.Error()})
		}
		fe.logFormat = f
	}
	if px.UniqueIDFormat != "" {
		f, err := compileFormat(px.UniqueIDFormat)
		if err != nil {
			errs = append(errs, &config.Error{Pos: px.Pos, Msg: "unique-id-format: " + err.Error()})
		}
		fe.uniqueID, fe.uniqueIDHeader = f, px.UniqueIDHeader
	}
	fe.captureReq, fe.captureResp = px.CaptureRequest, px.CaptureResponse
	if st := px.Stats; st != nil && st.Enabled {
		if opt.statsPage == nil {
			errs = append(errs, &config.Error{Pos: px.Pos, Msg: "the statistics page is not available in this build"})
		} else {
			fe.statsPage = opt.statsPage(fe)
		}
		for _, r := range st.Admin {
			c, err := set.Cond(r.CondWords())
			if err != nil {
				errs = append(errs, &config.Error{Pos: r.Pos, Msg: fmt.Sprintf("'stats admin': %v", err)})
				continue
			}
			// Cond handles "unless" itself.
			fe.adminRules = append(fe.adminRules, statsAdminRule{cond: c})
		}
	}
	switch {
	case px.DefaultBackend != "":
		fe.def = g.backends[px.DefaultBackend]
	case px.Cap&config.CapBackend != 0:
		fe.def = g.backends[px.Name]
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if !px.NoLog {
		targets := px.Log
		if px.LogGlobal {
			targets = append(append([]config.LogTarget(nil), g.Config.Global.Log...), px.Log...)
		}
		if len(targets) > 0 && opt.logger != nil {
			l, err := opt.logger(targets, &g.Config.Global)
			if err != nil {
				return nil, config.At(px.Pos, err)
			}
			fe.log = l
		}
	}
	return fe, nil
}

// route returns the backend a request goes to: the first use_backend rule
// whose condition holds, else default_backend, else nil (503).
func (fe *Frontend) route(t *acl.Txn) *backend.Backend {
	for i := range fe.rules {
		r := &fe.rules[i]
		if r.cond == nil || r.cond.Eval(t) {
			return r.be
		}
	}
	return fe.def
}
