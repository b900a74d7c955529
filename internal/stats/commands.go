package stats

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hawser-lb/hawser/internal/backend"
	"github.com/hawser-lb/hawser/internal/config"
	"github.com/hawser-lb/hawser/internal/proxy"
)

// Version is printed by `show info` and `show version`; cmd/hawser sets
// it.
var Version = "dev"

// session is one API connection's state.
type session struct {
	srv         *Server
	level       int
	interactive bool
	prompt      bool
	quit        bool
}

// command is one runtime API command.
type command struct {
	words []string // the command's fixed words, e.g. {"show", "stat"}
	usage string   // shown by help
	level int      // the lowest level allowed to run it
	run   func(s *session, w *strings.Builder, args []string)
}

var commands []command

func init() {
	commands = []command{
		{[]string{"help"}, "help [<command>]                        : list matching or all commands", LevelUser, cmdHelp},
		{[]string{"prompt"}, "prompt                                  : toggle interactive mode with prompt", LevelUser, cmdPrompt},
		{[]string{"quit"}, "quit                                    : disconnect", LevelUser, func(s *session, w *strings.Builder, a []string) { s.quit = true }},
		{[]string{"operator"}, "operator                                : lower the level of the current CLI session to operator", LevelUser, cmdLower(LevelOperator)},
		{[]string{"user"}, "user                                    : lower the level of the current CLI session to user", LevelUser, cmdLower(LevelUser)},
		{[]string{"show", "cli", "level"}, "show cli level                          : display the level of the current CLI session", LevelUser, cmdShowLevel},
		{[]string{"show", "version"}, "show version                            : show version of the current process", LevelUser, func(s *session, w *strings.Builder, a []string) { w.WriteString(Version + "\n") }},
		{[]string{"show", "info"}, "show info [desc|json|typed]*            : report information about the running process", LevelUser, cmdShowInfo},
		{[]string{"show", "stat"}, "show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server", LevelUser, cmdShowStat},
		{[]string{"show", "servers", "state"}, "show servers state [<backend>]          : dump volatile server information (all or for a single backend)", LevelUser, cmdShowServersState},
		{[]string{"show", "backend"}, "show backend                            : list backends in the current running config", LevelUser, cmdShowBackend},
		{[]string{"show", "sess"}, "show sess [id]                          : report the list of current sessions or dump this exact session", LevelOperator, cmdShowSess},
		{[]string{"show", "errors"}, "show errors                             : report last request errors", LevelOperator, cmdShowErrors},
		{[]string{"get", "weight"}, "get weight <bk>/<srv>                   : report a server's current weight", LevelUser, cmdGetWeight},
		{[]string{"set", "weight"}, "set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)", LevelAdmin, cmdSetWeight},
		{[]string{"set", "server"}, "set server <bk>/<srv> [opts]            : change a server's state, weight or address", LevelAdmin, cmdSetServer},
		{[]string{"set", "maxconn", "server"}, "set maxconn server <bk>/<srv>           : change a server's maxconn setting", LevelAdmin, cmdSetMaxconnServer},
		{[]string{"disable", "server"}, "disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)", LevelAdmin, cmdAdminState(true)},
		{[]string{"enable", "server"}, "enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)", LevelAdmin, cmdAdminState(false)},
		{[]string{"shutdown", "sessions", "server"}, "shutdown sessions server <bk>/<srv>     : kill sessions on a server", LevelAdmin, cmdShutdownSessions},
		{[]string{"shutdown", "session"}, "shutdown session [id]                   : kill a specific session", LevelAdmin, cmdShutdownSession},
		{[]string{"clear", "counters"}, "clear counters [all]                    : clear max statistics counters (or all counters)", LevelOperator, cmdClearCounters},
	}
	// The longest match wins: "show servers state" before "show stat".
	sort.SliceStable(commands, func(i, j int) bool { return len(commands[i].words) > len(commands[j].words) })
}

// run executes one command and writes its output followed by the empty
// line that ends every answer.
func (s *session) run(w *strings.Builder, line string) {
	words := strings.Fields(line)
	if len(words) == 0 {
		if s.interactive {
			return
		}
		w.WriteString("\n")
		return
	}
	for i := range commands {
		c := &commands[i]
		if !hasPrefix(words, c.words) {
			continue
		}
		if s.level < c.level {
			w.WriteString("Permission denied\n\n")
			return
		}
		c.run(s, w, words[len(c.words):])
		if !s.quit {
			w.WriteString("\n")
		}
		return
	}
	w.WriteString("Unknown command, but maybe one of the following ones is a better match:\n")
	s.writeHelp(w, words[0])
	w.WriteString("\n")
}

func hasPrefix(words, prefix []string) bool {
	if len(words) < len(prefix) {
		return false
	}
	for i, p := range prefix {
		if words[i] != p {
			return false
		}
	}
	return true
}

func (s *session) writeHelp(w *strings.Builder, filter string) {
	list := make([]command, 0, len(commands))
	for _, c := range commands {
		if s.level >= c.level && (filter == "" || c.words[0] == filter) {
			list = append(list, c)
		}
	}
	if len(list) == 0 {
		for _, c := range commands {
			if s.level >= c.level {
				list = append(list, c)
			}
		}
	}
	sort.Slice(list, func(i, j int) bool { return list[i].usage < list[j].usage })
	for _, c := range list {
		w.WriteString("  " + c.usage + "\n")
	}
}

func cmdHelp(s *session, w *strings.Builder, args []string) {
	w.WriteString("The following commands are valid at this level:\n")
	filter := ""
	if len(args) > 0 {
		filter = args[0]
	}
	s.writeHelp(w, filter)
}

func cmdPrompt(s *session, w *strings.Builder, args []string) {
	switch {
	case len(args) > 0 && args[0] == "i":
		s.interactive, s.prompt = true, false
	case len(args) > 0 && args[0] == "n":
		s.interactive, s.prompt = false, false
	default:
		s.interactive = !s.interactive
		s.prompt = s.interactive
	}
}

func cmdLower(level int) func(*session, *strings.Builder, []string) {
	return func(s *session, w *strings.Builder, args []string) {
		if level < s.level {
			s.level = level
		}
	}
}

func cmdShowLevel(s *session, w *strings.Builder, args []string) {
	w.WriteString([]string{"user", "operator", "admin"}[s.level] + "\n")
}

// infoField is a line of `show info`: HAProxy's position, name, tags and
// type for its typed and JSON forms.
type infoField struct {
	pos  int
	name string
	tag  jsonTag
	v    string
}

// cmdShowInfo prints `show info [typed|json]`. Fields HAProxy has keep its
// names and positions (so tools reading its typed output read hawser's);
// hawser's own figures come after, from position 100.
func cmdShowInfo(s *session, w *strings.Builder, args []string) {
	info := s.srv.e.Info()
	sec := int64(time.Since(info.Started) / time.Second)
	stopping := "0"
	if info.Stopping {
		stopping = "1"
	}
	host, _ := os.Hostname()
	var nofile syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile)
	prod := jsonTag{"Product", "Output", "Service", "str"}
	cfg := func(typ string) jsonTag { return jsonTag{"Config", "Gauge", "Service", typ} }
	limit := jsonTag{"Config", "Limit", "Process", "u32"}
	gauge := jsonTag{"Metric", "Gauge", "Process", "u32"}
	counter := jsonTag{"Metric", "Counter", "Process", "u32"}
	dur := func(typ string) jsonTag { return jsonTag{"Metric", "Duration", "Process", typ} }
	d := func(n int64) string { return strconv.FormatInt(n, 10) }
	fields := []infoField{
		{0, "Name", prod, "hawser"},
		{1, "Version", prod, Version},
		{2, "Release_date", prod, "-"},
		{3, "Nbthread", cfg("u32"), d(int64(nbthread()))},
		{4, "Nbproc", cfg("u32"), "1"},
		{5, "Process_num", jsonTag{"Key", "Gauge", "Process", "u32"}, "1"},
		{6, "Pid", jsonTag{"Status", "Gauge", "Process", "u32"}, d(int64(os.Getpid()))},
		{7, "Uptime", dur("str"), fmt.Sprintf("%dd %dh%02dm%02ds", sec/86400, sec/3600%24, sec/60%60, sec%60)},
		{8, "Uptime_sec", dur("u32"), d(sec)},
		{13, "Ulimit-n", limit, strconv.FormatUint(nofile.Cur, 10)},
		{15, "Maxconn", limit, d(int64(info.Maxconn))},
		{16, "Hard_maxconn", limit, d(int64(info.Maxconn))},
		{17, "CurrConns", gauge, d(info.CurrConns)},
		{18, "CumConns", counter, strconv.FormatUint(info.CumConns, 10)},
		{50, "node", jsonTag{"Config", "Output", "Service", "str"}, host},
		{52, "Stopping", gauge, stopping},
		{55, "Listeners", gauge, d(int64(info.Listeners))},
		{58, "DroppedLogs", gauge, d(info.DroppedLog)},
		{70, "Start_time_sec", dur("u32"), d(info.Started.Unix())},
		{100, "CurrTunnels", gauge, d(int64(info.Tunnels))},
		{101, "Reloads", counter, d(info.Reloads)},
		{102, "Goroutines", gauge, d(int64(info.Goroutines))},
	}
	format := ""
	if len(args) > 0 {
		format = args[0]
	}
	switch format {
	case "typed":
		for _, f := range fields {
			fmt.Fprintf(w, "%d.%s.1:%s:%s:%s\n", f.pos, f.name, f.tag.letters(), f.tag.typ, f.v)
		}
	case "json":
		out := make([]jsonInfoField, len(fields))
		for i, f := range fields {
			out[i] = jsonInfoField{Field: jsonFieldName{f.pos, f.name}, ProcessNum: 1,
				Tags: jsonFieldTags{f.tag.origin, f.tag.nature, f.tag.scope}, Value: jsonValue{f.tag.typ, f.v}}
			if f.tag.typ != "str" {
				out[i].Value.Value, _ = strconv.ParseInt(f.v, 10, 64)
			}
		}
		b, _ := json.Marshal(out)
		w.Write(append(b, '\n'))
	default:
		for _, f := range fields {
			w.WriteString(f.name + ": " + f.v + "\n")
		}
	}
}

// jsonInfoField is a field of `show info json`.
type jsonInfoField struct {
	Field      jsonFieldName `json:"field"`
	ProcessNum int           `json:"processNum"`
	Tags       jsonFieldTags `json:"tags"`
	Value      jsonValue     `json:"value"`
}

// findServer resolves "<backend>/<server>", writing HAProxy's error text
// when it cannot.
func (s *session) findServer(w *strings.Builder, arg string) (*backend.Backend, *backend.Server) {
	bname, sname, ok := strings.Cut(arg, "/")
	if !ok || bname == "" || sname == "" {
		w.WriteString(requireServer)
		return nil, nil
	}
	g := s.srv.e.Generation()
	be := g.Backend(bname)
	if be == nil {
		w.WriteString("No such backend.\n")
		return nil, nil
	}
	srv := be.Server(sname)
	if srv == nil {
		w.WriteString("No such server.\n")
		return nil, nil
	}
	return be, srv
}

// serverCmd checks that a command got n arguments, the first being
// <backend>/<server>, and resolves it; it writes usage or HAProxy's error
// and returns a nil server otherwise.
func (s *session) serverCmd(w *strings.Builder, args []string, n int, usage string) (*backend.Backend, *backend.Server) {
	if len(args) != n {
		w.WriteString(usage)
		return nil, nil
	}
	return s.findServer(w, args[0])
}

const requireServer = "Require 'backend/server'.\n"

func cmdGetWeight(s *session, w *strings.Builder, args []string) {
	be, srv := s.serverCmd(w, args, 1, requireServer)
	if srv == nil {
		return
	}
	cur, initial := be.LB.Weight(srv.LB)
	fmt.Fprintf(w, "%d (initial %d)\n", cur, initial)
}

func cmdSetWeight(s *session, w *strings.Builder, args []string) {
	be, srv := s.serverCmd(w, args, 2, "Require <backend>/<server> and <weight> or <weight%>.\n")
	if srv == nil {
		return
	}
	if err := be.LB.SetWeight(srv.LB, args[1]); err != nil {
		w.WriteString(err.Error() + "\n")
	}
}

func cmdSetServer(s *session, w *strings.Builder, args []string) {
	if len(args) < 2 {
		w.WriteString("'set server <srv>' only supports 'agent', 'health', 'state', 'weight', 'addr', 'fqdn' and 'check-port'.\n")
		return
	}
	be, srv := s.findServer(w, args[0])
	if srv == nil {
		return
	}
	switch args[1] {
	case "weight":
		if len(args) != 3 {
			w.WriteString("Require <weight> or <weight%>.\n")
			return
		}
		if err := be.LB.SetWeight(srv.LB, args[2]); err != nil {
			w.WriteString(err.Error() + "\n")
		}
	case "state":
		if len(args) != 3 {
			w.WriteString("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n")
			return
		}
		switch args[2] {
		case "ready":
			srv.SetAdmin(backend.AdminForcedMaint|backend.AdminForcedDrain, false)
		case "drain":
			srv.SetAdmin(backend.AdminForcedMaint, false)
			srv.SetAdmin(backend.AdminForcedDrain, true)
		case "maint":
			srv.SetAdmin(backend.AdminForcedDrain, false)
			srv.SetAdmin(backend.AdminForcedMaint, true)
		default:
			w.WriteString("'set server <srv> state' expects 'ready', 'drain' and 'maint'.\n")
			return
		}
		// Checks pause in maintenance and resume at once after it.
		s.srv.e.HealthWake(srv)
	case "addr":
		if len(args) != 3 && !(len(args) == 5 && args[3] == "port") {
			w.WriteString("set server <b>/<s> addr requires an address and optional port.\n")
			return
		}
		ip, err := netip.ParseAddr(args[2])
		if err != nil {
			w.WriteString("Invalid addr.\n")
			return
		}
		port := 0
		if len(args) == 5 {
			p, err := strconv.Atoi(args[4])
			if err != nil || p < 1 || p > 65535 {
				w.WriteString("Invalid port.\n")
				return
			}
			port = p
		}
		old := srv.AddrString()
		srv.SetAddr(ip.Unmap(), port)
		fmt.Fprintf(w, "IP changed from '%s' to '%s' by 'stats socket command'\n", old, srv.AddrString())
	case "health", "agent", "fqdn", "check-port", "check-addr", "ssl":
		fmt.Fprintf(w, "'set server <srv> %s' is not supported by hawser yet.\n", args[1])
	default:
		w.WriteString("'set server <srv>' only supports 'agent', 'health', 'state', 'weight', 'addr', 'fqdn' and 'check-port'.\n")
	}
}

func cmdSetMaxconnServer(s *session, w *strings.Builder, args []string) {
	be, srv := s.serverCmd(w, args, 2, "Require <backend>/<server> and <maxconn>.\n")
	if srv == nil {
		return
	}
	n, err := strconv.Atoi(args[1])
	if err != nil || n < 0 {
		w.WriteString("Require <maxconn>.\n")
		return
	}
	if err := be.LB.SetMaxconn(srv.LB, n); err != nil {
		w.WriteString(err.Error() + "\n")
	}
}

func cmdAdminState(disable bool) func(*session, *strings.Builder, []string) {
	return func(s *session, w *strings.Builder, args []string) {
		_, srv := s.serverCmd(w, args, 1, requireServer)
		if srv == nil {
			return
		}
		srv.SetAdmin(backend.AdminForcedMaint, disable)
		s.srv.e.HealthWake(srv)
	}
}

func cmdShutdownSessions(s *session, w *strings.Builder, args []string) {
	_, srv := s.serverCmd(w, args, 1, requireServer)
	if srv == nil {
		return
	}
	srv.KillSessions('K')
}

func cmdShutdownSession(s *session, w *strings.Builder, args []string) {
	if len(args) != 1 {
		w.WriteString("Session pointer expected (use 'show sess').\n")
		return
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(args[0], "0x"), 16, 64)
	if err != nil || !s.srv.e.KillSession(id) {
		w.WriteString("No such session (use 'show sess').\n")
	}
}

func cmdClearCounters(s *session, w *strings.Builder, args []string) {
	all := len(args) > 0 && args[0] == "all"
	if all && s.level < LevelAdmin {
		w.WriteString("Permission denied\n")
		return
	}
	g := s.srv.e.Generation()
	reset := func(c *backend.Counters) {
		if all {
			c.Reset()
		} else {
			c.Max.Store(c.Cur.Load())
		}
	}
	for _, fe := range g.Frontends {
		reset(fe.Counters)
	}
	for _, be := range g.Backends {
		reset(be.Counters)
		for _, srv := range be.Servers {
			reset(&srv.Counters)
			if c := s.srv.e.HealthCheck(srv); all && c != nil {
				c.ResetCounters()
			}
		}
	}
}

func cmdShowBackend(s *session, w *strings.Builder, args []string) {
	w.WriteString("# name\n")
	for _, be := range s.srv.e.Generation().Backends {
		w.WriteString(be.Name + "\n")
	}
}

func cmdShowSess(s *session, w *strings.Builder, args []string) {
	list := s.srv.e.Sessions()
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	for _, si := range list {
		if len(args) > 0 && args[0] != "all" && args[0] != fmt.Sprintf("0x%x", si.ID) && args[0] != fmt.Sprintf("%x", si.ID) {
			continue
		}
		fmt.Fprintf(w, "0x%x: proto=tcpv4 src=%s fe=%s age=%s\n", si.ID, si.Src, si.Frontend, si.Age.Truncate(time.Second))
	}
}

func cmdShowErrors(s *session, w *strings.Builder, args []string) {
	errs := s.srv.e.Errors()
	fmt.Fprintf(w, "Total events captured on [%s] : %d\n", time.Now().Format("02/Jan/2006:15:04:05.000"), len(errs))
	for _, e := range errs {
		fmt.Fprintf(w, "\n[%s] frontend %s (#0): invalid request\n  src %s, reason: %s\n", e.When.Format("02/Jan/2006:15:04:05.000"), e.Frontend, e.Src, e.Reason)
		writeHexDump(w, e.Data)
	}
}

// writeHexDump prints data the way HAProxy's `show errors` does: an
// offset, then the bytes with non-printable ones escaped, 64 per line.
func writeHexDump(w *strings.Builder, data []byte) {
	for off := 0; off < len(data); off += 64 {
		end := min(off+64, len(data))
		fmt.Fprintf(w, "  %05d  ", off)
		for _, c := range data[off:end] {
			switch {
			case c == '\r':
				w.WriteString(`\r`)
			case c == '\n':
				w.WriteString(`\n`)
			case c < 0x20 || c >= 0x7f:
				fmt.Fprintf(w, "\\x%02x", c)
			default:
				w.WriteByte(c)
			}
		}
		w.WriteString("\n")
	}
}

func cmdShowServersState(s *session, w *strings.Builder, args []string) {
	g := s.srv.e.Generation()
	w.WriteString("1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port\n")
	for _, be := range g.Backends {
		if len(args) > 0 && args[0] != be.Name {
			continue
		}
		for _, srv := range be.Servers {
			cur, initial := be.LB.Weight(srv.LB)
			cfg := srv.Config()
			addr, port := serverAddrPort(srv)
			checkStatus, checkResult, health, checkState := 1, 0, 0, 0
			if c := s.srv.e.HealthCheck(srv); c != nil {
				snap := c.Snapshot()
				checkStatus, checkResult, health, checkState = int(snap.Last.Status), int(snap.Result()), snap.Health, snap.StateFlags()
			}
			forced := 0
			if cfg.Params.ID != 0 {
				forced = 0
			}
			fmt.Fprintf(w, "%d %s %d %s %s %d %d %d %d %d %d %d %d %d 0 0 %d - %s - 0 %d - - 0\n",
				be.ID, be.Name, srv.ID, srv.Name, addr, srv.Op(), srv.Admin(), cur, initial,
				int64(time.Since(srv.LastChange())/time.Second), checkStatus, checkResult, health, checkState,
				forced, port, cfg.Params.CheckPort)
		}
	}
}

func serverAddrPort(srv *backend.Server) (string, string) {
	a := srv.AddrString()
	if a == "-" {
		return "-", "0"
	}
	i := strings.LastIndex(a, ":")
	if i < 0 || strings.HasSuffix(a, "]") {
		return strings.Trim(a, "[]"), "0"
	}
	return strings.Trim(a[:i], "[]"), a[i+1:]
}

var _ = config.CapFrontend
var _ = proxy.Options{}
