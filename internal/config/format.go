package config

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Format prints the configuration in HAProxy syntax, normalised: one
// section after another with the effective value of every setting that
// differs from HAProxy's built-in default (inherited settings included),
// in a fixed order, quoted so that Parse reads it back to the same values.
// Golden tests compare it, and `hawser -c -d` can show it.
func (c *Config) Format() string {
	var b strings.Builder
	w := &writer{b: &b}
	w.global(&c.Global)
	for _, d := range c.Defaults {
		w.proxy(d)
	}
	for _, px := range c.Proxies {
		w.proxy(px)
	}
	return b.String()
}

type writer struct {
	b *strings.Builder
}

func (w *writer) line(words ...string) {
	w.b.WriteString("    ")
	for i, s := range words {
		if i > 0 {
			w.b.WriteByte(' ')
		}
		w.b.WriteString(Quote(s))
	}
	w.b.WriteByte('\n')
}

// raw writes words that are keywords or already-safe values, unquoted.
func (w *writer) raw(s string) {
	w.b.WriteString("    " + s + "\n")
}

func (w *writer) global(g *Global) {
	d := defaultGlobal()
	w.b.WriteString("global\n")
	if g.Daemon {
		w.raw("daemon")
	}
	if g.MasterWorker {
		w.raw("master-worker")
	}
	str := func(kw, v, def string) {
		if v != def {
			w.line(kw, v)
		}
	}
	num := func(kw string, v, def int) {
		if v != def {
			w.raw(kw + " " + strconv.Itoa(v))
		}
	}
	dur := func(kw string, v, def time.Duration) {
		if v != def {
			w.raw(kw + " " + formatTime(v))
		}
	}
	str("pidfile", g.Pidfile, d.Pidfile)
	num("maxconn", g.Maxconn, d.Maxconn)
	str("chroot", g.Chroot, d.Chroot)
	str("user", g.User, d.User)
	num("uid", g.UID, d.UID)
	str("group", g.Group, d.Group)
	num("gid", g.GID, d.GID)
	num("ulimit-n", g.UlimitN, d.UlimitN)
	num("nbthread", g.Nbthread, d.Nbthread)
	dur("hard-stop-after", g.HardStopAfter, d.HardStopAfter)
	num("spread-checks", g.SpreadChecks, d.SpreadChecks)
	for _, t := range g.Log {
		w.log(t)
	}
	str("log-tag", g.LogTag, d.LogTag)
	if g.LogSendHostname {
		if g.Hostname != "" {
			w.line("log-send-hostname", g.Hostname)
		} else {
			w.raw("log-send-hostname")
		}
	}
	for _, s := range g.StatsSockets {
		words := []string{"stats", "socket", s.Address}
		if s.Network == "unix" && !strings.HasPrefix(s.Address, "/") && !strings.HasPrefix(s.Address, ".") {
			words[2] = "unix@" + s.Address
		}
		if s.Mode != 0 {
			words = append(words, "mode", strconv.FormatUint(uint64(s.Mode), 8))
		}
		words = append(words, "level", s.Level)
		if s.ExposeFD {
			words = append(words, "expose-fd", "listeners")
		}
		w.line(words...)
	}
	dur("stats timeout", g.StatsTimeout, d.StatsTimeout)
	num("stats maxconn", g.StatsMaxconn, d.StatsMaxconn)
	num("tune.bufsize", g.BufSize, d.BufSize)
	num("tune.http.maxhdr", g.MaxHeaders, d.MaxHeaders)
	if g.Description != "" {
		w.line("description", g.Description)
	}
	str("node", g.Node, d.Node)
	str("server-state-file", g.ServerStateFile, d.ServerStateFile)
	str("server-state-base", g.ServerStateBase, d.ServerStateBase)
}

func (w *writer) log(t LogTarget) {
	words := []string{"log"}
	switch t.Network {
	case "stdout", "stderr":
		words = append(words, t.Network)
	case "unixgram":
		if strings.HasPrefix(t.Address, "/") {
			words = append(words, t.Address)
		} else {
			words = append(words, "unix@"+t.Address)
		}
	default:
		words = append(words, t.Address)
	}
	if t.Len != 1024 {
		words = append(words, "len", strconv.Itoa(t.Len))
	}
	if t.Format != "rfc3164" {
		words = append(words, "format", t.Format)
	}
	words = append(words, FacilityName(t.Facility))
	if t.Level != 7 || t.MinLevel != 0 {
		words = append(words, LevelName(t.Level))
	}
	if t.MinLevel != 0 {
		words = append(words, LevelName(t.MinLevel))
	}
	w.line(words...)
}

func (w *writer) proxy(px *Proxy) {
	d := newProxy()
	head := px.Cap.Section()
	if px.Name != "" {
		head += " " + Quote(px.Name)
	}
	if px.From != "" {
		head += " from " + Quote(px.From)
	}
	w.b.WriteString("\n" + head + "\n")
	if px.Cap != CapDefaults {
		w.raw("id " + strconv.Itoa(px.ID))
	}
	if px.Mode != d.Mode {
		w.raw("mode " + px.Mode.String())
	}
	if px.Disabled {
		w.raw("disabled")
	}
	if px.Description != "" {
		w.line("description", px.Description)
	}
	num := func(kw string, v, def int) {
		if v != def {
			w.raw(kw + " " + strconv.Itoa(v))
		}
	}
	num("maxconn", px.Maxconn, d.Maxconn)
	num("backlog", px.Backlog, d.Backlog)
	num("fullconn", px.Fullconn, d.Fullconn)
	if px.NoLog {
		w.raw("no log")
	}
	if px.LogGlobal {
		w.raw("log global")
	}
	for _, t := range px.Log {
		w.log(t)
	}
	w.options(&px.Options, &d.Options)
	w.timeouts(&px.Timeouts)
	num("retries", px.Retries, d.Retries)
	if len(px.RetryOn) > 0 {
		w.line(append([]string{"retry-on"}, px.RetryOn...)...)
	}
	if strings.Join(px.Balance.Words, " ") != "roundrobin" {
		w.line(append([]string{"balance"}, px.Balance.Words...)...)
	}
	if len(px.HashType) > 0 {
		w.line(append([]string{"hash-type"}, px.HashType...)...)
	}
	if px.HTTPChk != nil {
		w.line("option", "httpchk", px.HTTPChk.Method, px.HTTPChk.URI, px.HTTPChk.Version)
	}
	if px.TCPCheck {
		w.raw("option tcp-check")
	}
	if px.LogHealthChecks {
		w.raw("option log-health-checks")
	}
	w.rules("http-check", px.HTTPChecks)
	w.rules("tcp-check", px.TCPChecks)
	if c := px.Cookie; c != nil {
		words := []string{"cookie", c.Name, c.Mode}
		for _, f := range []struct {
			on   bool
			name string
		}{{c.Indirect, "indirect"}, {c.NoCache, "nocache"}, {c.PostOnly, "postonly"}, {c.Preserve, "preserve"},
			{c.HTTPOnly, "httponly"}, {c.Secure, "secure"}, {c.Dynamic, "dynamic"}} {
			if f.on {
				words = append(words, f.name)
			}
		}
		for _, d := range c.Domains {
			words = append(words, "domain", d)
		}
		if c.MaxIdle > 0 {
			words = append(words, "maxidle", formatTime(c.MaxIdle))
		}
		if c.MaxLife > 0 {
			words = append(words, "maxlife", formatTime(c.MaxLife))
		}
		for _, a := range c.Attrs {
			words = append(words, "attr", a)
		}
		w.line(words...)
	}
	if st := px.Stats; st != nil {
		if st.Enabled {
			w.raw("stats enable")
		}
		w.line("stats", "uri", st.URI)
		w.line(append([]string{"stats", "realm"}, st.Realm)...)
		for _, a := range st.Auth {
			w.line("stats", "auth", a)
		}
		if st.Refresh > 0 {
			w.raw("stats refresh " + formatTime(st.Refresh))
		}
		w.rules("stats", st.Admin)
		if st.HideVersion {
			w.raw("stats hide-version")
		}
		if st.ShowLegends {
			w.raw("stats show-legends")
		}
		if st.ShowNode {
			if st.Node != "" {
				w.line("stats", "show-node", st.Node)
			} else {
				w.raw("stats show-node")
			}
		}
		if st.Description != "" {
			w.line("stats", "show-desc", st.Description)
		}
	}
	for _, c := range px.CaptureRequest {
		w.line("capture", "request", "header", c.Name, "len", strconv.Itoa(c.Len))
	}
	for _, c := range px.CaptureResponse {
		w.line("capture", "response", "header", c.Name, "len", strconv.Itoa(c.Len))
	}
	if px.LogFormat != "" {
		w.line("log-format", px.LogFormat)
	}
	if px.UniqueIDFormat != "" {
		w.line("unique-id-format", px.UniqueIDFormat)
	}
	if px.UniqueIDHeader != "" {
		w.line("unique-id-header", px.UniqueIDHeader)
	}
	if px.LoadServerState != "" {
		w.line("load-server-state-from-file", px.LoadServerState)
	}
	if px.ServerStateFileName != "" {
		w.line("server-state-file-name", px.ServerStateFileName)
	}
	if px.Grace > 0 {
		w.raw("grace " + formatTime(px.Grace))
	}
	w.rules("http-request", px.HTTPRequest)
	w.rules("http-response", px.HTTPResponse)
	w.rules("tcp-request", px.TCPRequest)
	codes := make([]int, 0, len(px.ErrorFileNames))
	for c := range px.ErrorFileNames {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		w.line("errorfile", strconv.Itoa(c), px.ErrorFileNames[c])
	}
	for _, b := range px.Binds {
		w.bind(b)
	}
	for _, a := range px.ACLs {
		w.line(append([]string{"acl", a.Name}, a.Args...)...)
	}
	for _, ub := range px.UseBackends {
		w.line(append([]string{"use_backend", ub.Backend}, ub.Cond...)...)
	}
	if px.DefaultBackend != "" {
		w.line("default_backend", px.DefaultBackend)
	}
	if ds := serverParams(&px.DefaultServer, &d.DefaultServer); len(ds) > 0 && px.Cap != CapFrontend {
		w.line(append([]string{"default-server"}, ds...)...)
	}
	for _, s := range px.Servers {
		addr := s.Addr
		if strings.Contains(addr, ":") {
			addr = "[" + addr + "]"
		}
		switch {
		case s.PortOffset && s.Port >= 0:
			addr += ":+" + strconv.Itoa(s.Port)
		case s.PortOffset:
			addr += ":" + strconv.Itoa(s.Port)
		case s.Port != 0:
			addr += ":" + strconv.Itoa(s.Port)
		}
		words := append([]string{"server", s.Name, addr}, serverParams(&s.Params, &d.DefaultServer)...)
		w.line(words...)
	}
}

// rules writes rule lines: the keyword, the action and its words.
func (w *writer) rules(kw string, rs []*Rule) {
	for _, r := range rs {
		w.line(append([]string{kw, r.Action}, r.Words...)...)
	}
}

func (w *writer) options(o, d *Options) {
	flag := func(name string, v bool) {
		if v {
			w.raw("option " + name)
		}
	}
	if o.HTTPLog {
		if o.HTTPLogCLF {
			w.raw("option httplog clf")
		} else {
			w.raw("option httplog")
		}
	}
	flag("tcplog", o.TCPLog)
	flag("dontlognull", o.DontLogNull)
	flag("dontlog-normal", o.DontLogNormal)
	flag("logasap", o.LogASAP)
	flag("contstats", o.ContStats)
	flag("http-keep-alive", o.HTTPKeepAlive)
	flag("http-server-close", o.HTTPServerClose)
	flag("httpclose", o.HTTPClose)
	if o.Redispatch {
		if o.RedispatchInterval != d.RedispatchInterval {
			w.raw("option redispatch " + strconv.Itoa(o.RedispatchInterval))
		} else {
			w.raw("option redispatch")
		}
	}
	if ff := o.ForwardFor; ff != nil {
		words := []string{"option", "forwardfor"}
		if ff.Except != "" {
			words = append(words, "except", ff.Except)
		}
		if ff.Header != "X-Forwarded-For" {
			words = append(words, "header", ff.Header)
		}
		if ff.IfNone {
			words = append(words, "if-none")
		}
		w.line(words...)
	}
	flag("allbackups", o.AllBackups)
	flag("persist", o.Persist)
	flag("tcpka", o.TCPKA)
	flag("clitcpka", o.CliTCPKA)
	flag("srvtcpka", o.SrvTCPKA)
	flag("nolinger", o.NoLinger)
}

func (w *writer) timeouts(t *Timeouts) {
	for _, e := range []struct {
		name string
		v    time.Duration
	}{
		{"client", t.Client}, {"client-fin", t.ClientFin}, {"server", t.Server},
		{"server-fin", t.ServerFin}, {"connect", t.Connect}, {"tunnel", t.Tunnel},
		{"http-request", t.HTTPRequest}, {"http-keep-alive", t.HTTPKeepAlive},
		{"queue", t.Queue}, {"tarpit", t.Tarpit}, {"check", t.Check},
	} {
		if e.v != 0 {
			w.raw("timeout " + e.name + " " + formatTime(e.v))
		}
	}
}

func (w *writer) bind(b *Bind) {
	addrs := make([]string, len(b.Addrs))
	for i, a := range b.Addrs {
		addrs[i] = a.String()
		if a.Network == "tcp" && b.V6Only {
			addrs[i] = "ipv6@" + addrs[i]
		}
	}
	words := []string{"bind", strings.Join(addrs, ",")}
	if b.Name != "" {
		words = append(words, "name", b.Name)
	}
	if b.Maxconn != 0 {
		words = append(words, "maxconn", strconv.Itoa(b.Maxconn))
	}
	if b.Backlog != 0 {
		words = append(words, "backlog", strconv.Itoa(b.Backlog))
	}
	if b.V4V6 {
		words = append(words, "v4v6")
	}
	if b.V6Only {
		words = append(words, "v6only")
	}
	if b.Mode != 0 {
		words = append(words, "mode", strconv.FormatUint(uint64(b.Mode), 8))
	}
	if b.UID >= 0 {
		words = append(words, "uid", strconv.Itoa(b.UID))
	}
	if b.GID >= 0 {
		words = append(words, "gid", strconv.Itoa(b.GID))
	}
	w.line(words...)
}

// serverParams lists the parameters of sp that differ from d.
func serverParams(sp, d *ServerParams) []string {
	var out []string
	add := func(words ...string) { out = append(out, words...) }
	if sp.ID != 0 {
		add("id", strconv.Itoa(sp.ID))
	}
	if sp.Check {
		add("check")
	}
	if sp.Inter != d.Inter {
		add("inter", formatTime(sp.Inter))
	}
	if sp.FastInter != d.FastInter {
		add("fastinter", formatTime(sp.FastInter))
	}
	if sp.DownInter != d.DownInter {
		add("downinter", formatTime(sp.DownInter))
	}
	if sp.Rise != d.Rise {
		add("rise", strconv.Itoa(sp.Rise))
	}
	if sp.Fall != d.Fall {
		add("fall", strconv.Itoa(sp.Fall))
	}
	if sp.CheckPort != 0 {
		add("port", strconv.Itoa(sp.CheckPort))
	}
	if sp.CheckAddr != "" {
		add("addr", sp.CheckAddr)
	}
	if sp.Weight != d.Weight {
		add("weight", strconv.Itoa(sp.Weight))
	}
	if sp.Maxconn != 0 {
		add("maxconn", strconv.Itoa(sp.Maxconn))
	}
	if sp.Maxqueue != 0 {
		add("maxqueue", strconv.Itoa(sp.Maxqueue))
	}
	if sp.Minconn != 0 {
		add("minconn", strconv.Itoa(sp.Minconn))
	}
	if sp.Backup {
		add("backup")
	}
	if sp.Disabled {
		add("disabled")
	}
	if sp.Cookie != "" {
		add("cookie", sp.Cookie)
	}
	if sp.Slowstart != 0 {
		add("slowstart", formatTime(sp.Slowstart))
	}
	if sp.Observe != "" {
		add("observe", sp.Observe)
	}
	if sp.ErrorLimit != d.ErrorLimit {
		add("error-limit", strconv.Itoa(sp.ErrorLimit))
	}
	if sp.OnError != d.OnError {
		add("on-error", sp.OnError)
	}
	if sp.OnMarkedDown != "" {
		add("on-marked-down", sp.OnMarkedDown)
	}
	if sp.OnMarkedUp != "" {
		add("on-marked-up", sp.OnMarkedUp)
	}
	if ia := strings.Join(sp.InitAddr, ","); ia != strings.Join(d.InitAddr, ",") {
		add("init-addr", ia)
	}
	return out
}
