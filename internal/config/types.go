package config

import (
	"time"
)

// Config is a whole parsed configuration: one or more files read in order.
type Config struct {
	// Files are the files read, in order (`-f` arguments).
	Files []string
	// Global is the `global` section (several are merged in order).
	Global Global
	// Defaults are the `defaults` sections in declaration order. Anonymous
	// ones have an empty Name.
	Defaults []*Proxy
	// Proxies are the frontend, backend and listen sections in declaration
	// order.
	Proxies []*Proxy
	// Warnings are statements accepted with a warning, as HAProxy would.
	Warnings []Warning
}

// Frontend returns the proxy with frontend capability named name, or nil.
func (c *Config) Frontend(name string) *Proxy { return c.find(name, CapFrontend) }

// Backend returns the proxy with backend capability named name, or nil.
func (c *Config) Backend(name string) *Proxy { return c.find(name, CapBackend) }

func (c *Config) find(name string, cap Cap) *Proxy {
	for _, p := range c.Proxies {
		if p.Name == name && p.Cap&cap != 0 {
			return p
		}
	}
	return nil
}

// Global holds the settings of the `global` section.
type Global struct {
	// Daemon is `daemon`: detach from the terminal and run in the
	// background. Default off; `-db` and `-d` override it.
	Daemon bool
	// MasterWorker is `master-worker`: run a master process that
	// supervises the worker. Default off.
	MasterWorker bool
	// Pidfile is `pidfile <path>`: write the process ID there. Default
	// none. The `-p` flag overrides it.
	Pidfile string
	// Maxconn is `maxconn <n>`: the most concurrent client connections of
	// the process. Default 0: derived from the file descriptor limit.
	Maxconn int
	// Chroot is `chroot <dir>`: change the root directory after startup.
	// Default none.
	Chroot string
	// User is `user <name>`, UID is `uid <n>`: drop to this user after
	// binding. Default: keep the current user (UID -1).
	User string
	UID  int
	// Group is `group <name>`, GID is `gid <n>`: drop to this group after
	// binding. Default: keep the current group (GID -1).
	Group string
	GID   int
	// UlimitN is `ulimit-n <n>`: the file descriptor limit to set. Default
	// 0: derived from maxconn.
	UlimitN int
	// Nbthread is `nbthread <n>`: how many threads run Go code
	// (GOMAXPROCS). Default 0: one per CPU.
	Nbthread int
	// HardStopAfter is `hard-stop-after <time>`: the longest a stopping
	// process keeps its connections and tunnels before closing them.
	// Default 0: no limit.
	HardStopAfter time.Duration
	// Log is the list of `log` targets of the global section, used by
	// proxies that say `log global`.
	Log []LogTarget
	// LogTag is `log-tag <tag>`: the syslog tag. Default "hawser".
	LogTag string
	// LogSendHostname is `log-send-hostname [name]`: put a hostname in the
	// syslog header. Default off (HAProxy 2.6 omits it).
	LogSendHostname bool
	// Hostname is the name sent with log-send-hostname; empty means the
	// system host name.
	Hostname string
	// StatsSockets are the `stats socket` lines: runtime API endpoints.
	StatsSockets []*StatsSocket
	// StatsTimeout is `stats timeout <time>`: idle timeout of a runtime API
	// connection. Default 10s.
	StatsTimeout time.Duration
	// StatsMaxconn is `stats maxconn <n>`: concurrent runtime API
	// connections. Default 10.
	StatsMaxconn int
	// SpreadChecks is `spread-checks <0..50>`: percent of random jitter
	// added to check intervals. Default 0.
	SpreadChecks int
	// ServerStateFile is `server-state-file <file>`: where
	// `load-server-state-from-file global` reads server states. Default
	// none.
	ServerStateFile string
	// ServerStateBase is `server-state-base <dir>`: directory for relative
	// server state file names. Default none.
	ServerStateBase string
	// BufSize is `tune.bufsize <size>`: the largest request or response
	// head. Default 16384.
	BufSize int
	// MaxHeaders is `tune.http.maxhdr <n>`: the most header lines in a
	// head. Default 101.
	MaxHeaders int
	// Description is `description <text>`, shown on the stats page.
	Description string
	// Node is `node <name>`, shown on the stats page. Default: host name.
	Node string
}

// Cap is what a proxy section can do.
type Cap uint8

// Proxy capabilities: a frontend accepts connections, a backend holds
// servers, a listen section is both, a defaults section is neither.
const (
	CapFrontend Cap = 1 << iota
	CapBackend
	CapDefaults
	CapListen = CapFrontend | CapBackend
)

// Section returns the keyword that opens a section with these
// capabilities.
func (c Cap) Section() string {
	switch c {
	case CapFrontend:
		return "frontend"
	case CapBackend:
		return "backend"
	case CapListen:
		return "listen"
	default:
		return "defaults"
	}
}

// Mode is `mode tcp|http`.
type Mode uint8

// Proxy modes. HAProxy's default is tcp.
const (
	ModeTCP Mode = iota
	ModeHTTP
)

func (m Mode) String() string {
	if m == ModeHTTP {
		return "http"
	}
	return "tcp"
}

// Proxy is a frontend, backend, listen or defaults section after defaults
// inheritance: every field holds its effective value.
type Proxy struct {
	// Pos is where the section starts.
	Pos Pos
	// Cap tells whether this is a frontend, backend, listen or defaults.
	Cap Cap
	// Name is the section name (empty for an anonymous defaults).
	Name string
	// From is the defaults section this one inherits from: the one named
	// by `from <name>`, or the last defaults section above it (empty for
	// the first anonymous one).
	From string
	// ID is `id <n>`: the proxy's numeric ID (iid in stats). Default:
	// assigned in declaration order, from 1... (haproxy uses 2 and up when
	// the stats socket takes 1; hawser numbers proxies from 1 skipping
	// forced IDs).
	ID int
	// Mode is `mode tcp|http`. Default tcp.
	Mode Mode
	// Disabled is `disabled` (`enabled` clears it): the proxy is not
	// started.
	Disabled bool
	// Description is `description <text>`.
	Description string
	// Maxconn is `maxconn <n>` (frontend): the most concurrent
	// connections of the frontend. Default 0: the global maxconn.
	Maxconn int
	// Backlog is `backlog <n>` (frontend): the listen() queue length.
	// Default 0: the frontend's maxconn.
	Backlog int
	// Fullconn is `fullconn <n>` (backend). Default 0: derived.
	Fullconn int
	// Binds are the `bind` lines (frontend).
	Binds []*Bind
	// ACLs are the `acl` lines, in order.
	ACLs []*ACL
	// UseBackends are the `use_backend` rules, in order (frontend).
	UseBackends []*UseBackend
	// DefaultBackend is `default_backend <name>` (frontend). Default none:
	// a request no rule routed gets 503 (in a listen section, its own
	// servers).
	DefaultBackend string
	// DefaultBackendPos is where default_backend was set.
	DefaultBackendPos Pos
	// Timeouts are the `timeout` lines.
	Timeouts Timeouts
	// Retries is `retries <n>` (backend): connection attempts after the
	// first one fails. Default 3.
	Retries int
	// RetryOn is `retry-on <events>` (backend). Default conn-failure.
	RetryOn []string
	// Balance is `balance <algorithm> [args]` (backend). Default
	// roundrobin.
	Balance Balance
	// HashType is `hash-type <method> [function] [modifier]` (backend),
	// as words. Default map-based.
	HashType []string
	// HashTypePos is where hash-type was set.
	HashTypePos Pos
	// Options are the `option` lines.
	Options Options
	// DefaultServer holds the `default-server` parameters (defaults,
	// backend, listen): the starting point of every later `server`.
	DefaultServer ServerParams
	// Servers are the `server` lines (backend).
	Servers []*Server
	// HTTPChk is `option httpchk`; nil when off.
	HTTPChk *HTTPChk
	// HTTPChecks are the `http-check` rules, in order.
	HTTPChecks []*Rule
	// TCPCheck is `option tcp-check`; TCPChecks its `tcp-check` rules.
	TCPCheck  bool
	TCPChecks []*Rule
	// LogHealthChecks is `option log-health-checks`.
	LogHealthChecks bool
	// HTTPRequest are the `http-request` rules; HTTPResponse the
	// `http-response` rules; TCPRequest the `tcp-request` rules, in order.
	HTTPRequest  []*Rule
	HTTPResponse []*Rule
	TCPRequest   []*Rule
	// Stats is the statistics page configuration; nil without any
	// `stats` keyword.
	Stats *StatsPage
	// Cookie is the `cookie` persistence configuration; nil when absent.
	Cookie *Cookie
	// CaptureRequest and CaptureResponse are the `capture request header`
	// and `capture response header` lines.
	CaptureRequest, CaptureResponse []*Capture
	// LogFormat is `log-format <format>`; empty for the default of the
	// logging options.
	LogFormat string
	// LogFormatPos is where log-format was set.
	LogFormatPos Pos
	// ErrorFiles are the `errorfile <code> <file>` lines: the file's
	// contents, read at parse time, by status.
	ErrorFiles map[int][]byte
	// ErrorFileNames are the file names of ErrorFiles, as written.
	ErrorFileNames map[int]string
	// LoadServerState is `load-server-state-from-file global|local|none`
	// (backend): where the servers' states are read from at startup.
	// Default none.
	LoadServerState string
	// ServerStateFileName is `server-state-file-name [<file>|use-backend-name]`:
	// the file of `load-server-state-from-file local`.
	ServerStateFileName string
	// UniqueIDFormat is `unique-id-format <format>`: the request's unique
	// ID (%ID); empty when unset.
	UniqueIDFormat string
	// UniqueIDHeader is `unique-id-header <name>`: send the unique ID to
	// the server in this header.
	UniqueIDHeader string
	// Grace is `grace <time>`: how long a stopping proxy keeps accepting.
	Grace time.Duration
	// LogGlobal is `log global`: use the global section's log targets.
	LogGlobal bool
	// Log are the proxy's own `log` targets.
	Log []LogTarget
	// NoLog is `no log`: log nothing for this proxy.
	NoLog bool
}

// Timeouts are the `timeout` lines of a proxy. Zero means unset: see each
// field for what applies then.
type Timeouts struct {
	// Client is `timeout client`: client-side inactivity. Unset: infinite.
	Client time.Duration
	// ClientFin is `timeout client-fin`: client-side inactivity once the
	// client has half-closed. Unset: Client (or Tunnel in a tunnel).
	ClientFin time.Duration
	// Server is `timeout server`: server-side inactivity, and the longest
	// wait for response headers (504). Unset: infinite.
	Server time.Duration
	// ServerFin is `timeout server-fin`: server-side inactivity once the
	// server has half-closed. Unset: Server (or Tunnel in a tunnel).
	ServerFin time.Duration
	// Connect is `timeout connect`: one connection attempt to a server.
	// Unset: infinite.
	Connect time.Duration
	// Tunnel is `timeout tunnel`: inactivity in both directions once the
	// connection is a tunnel (after 101 Switching Protocols). It replaces
	// Client and Server. Unset: Client and Server keep applying.
	Tunnel time.Duration
	// HTTPRequest is `timeout http-request`: the longest wait for a
	// complete request head (408). Unset: Client.
	HTTPRequest time.Duration
	// HTTPKeepAlive is `timeout http-keep-alive`: the longest wait for the
	// next request on a keep-alive connection. Unset: HTTPRequest.
	HTTPKeepAlive time.Duration
	// Queue is `timeout queue`: the longest wait in a server or backend
	// queue (503). Unset: Connect.
	Queue time.Duration
	// Tarpit is `timeout tarpit`: how long a tarpitted request is held.
	// Unset: Connect.
	Tarpit time.Duration
	// Check is `timeout check`: the read timeout of a health check once
	// connected. Unset: the check must complete within `inter`.
	Check time.Duration
}

// Options are the `option` lines of a proxy. `no option X` clears X.
type Options struct {
	// HTTPLog is `option httplog`: log requests in HAProxy's HTTP format.
	HTTPLog bool
	// HTTPLogCLF is `option httplog clf`: the Common Log Format variant.
	HTTPLogCLF bool
	// TCPLog is `option tcplog`: log connections in HAProxy's TCP format.
	TCPLog bool
	// DontLogNull is `option dontlognull`: do not log connections that
	// carried no data.
	DontLogNull bool
	// DontLogNormal is `option dontlog-normal`: log only errors.
	DontLogNormal bool
	// LogASAP is `option logasap`: log as soon as the response headers
	// (or the 101) are sent instead of at the end.
	LogASAP bool
	// ContStats is `option contstats`: update traffic counters while a
	// connection is open, not only when it ends.
	ContStats bool
	// HTTPKeepAlive is `option http-keep-alive`: keep both sides alive
	// (HAProxy's default connection mode).
	HTTPKeepAlive bool
	// HTTPServerClose is `option http-server-close`: close the server side
	// after each response, keep the client side alive.
	HTTPServerClose bool
	// HTTPClose is `option httpclose`: close both sides after each
	// response.
	HTTPClose bool
	// Redispatch is `option redispatch [interval]`: allow a retry to pick
	// another server.
	Redispatch bool
	// RedispatchInterval is the interval argument of `option redispatch`:
	// redispatch on every Nth retry; -1 (the default) on the last one.
	RedispatchInterval int
	// ForwardFor is `option forwardfor [except <net>] [header <name>]
	// [if-none]`; nil when off.
	ForwardFor *ForwardFor
	// AllBackups is `option allbackups`: use every usable backup server,
	// not only the first, when no active server is usable.
	AllBackups bool
	// Persist is `option persist`: keep sending a persistent request to
	// its server even when the server is DOWN.
	Persist bool
	// TCPKA is `option tcpka`: TCP keep-alive on both sides.
	TCPKA bool
	// CliTCPKA is `option clitcpka`: TCP keep-alive on the client side.
	CliTCPKA bool
	// SrvTCPKA is `option srvtcpka`: TCP keep-alive on the server side.
	SrvTCPKA bool
	// NoLinger is `option nolinger`: reset connections on close instead of
	// lingering.
	NoLinger bool
}

// ForwardFor is the configuration of `option forwardfor`.
type ForwardFor struct {
	// Except is `except <network>`: sources in this network get no
	// header. Empty: none excepted.
	Except string
	// Header is `header <name>`. Default "X-Forwarded-For".
	Header string
	// IfNone is `if-none`: add the header only if the request has none.
	IfNone bool
}

// Balance is the `balance` line of a backend: the algorithm and its
// arguments as words (the balance package validates them).
type Balance struct {
	Pos Pos
	// Words is the algorithm and its arguments, e.g. ["uri", "depth", "2"].
	// Default ["roundrobin"].
	Words []string
}

// Bind is one `bind` line.
type Bind struct {
	Pos Pos
	// Addrs are the addresses of the line (a comma-separated list, port
	// ranges expanded).
	Addrs []BindAddr
	// Name is `name <name>`.
	Name string
	// Maxconn is `maxconn <n>`: the most concurrent connections on this
	// bind. Default 0: the frontend's.
	Maxconn int
	// Backlog is `backlog <n>`. Default 0: the frontend's.
	Backlog int
	// V4V6 is `v4v6`: an IPv6 wildcard also accepts IPv4.
	V4V6 bool
	// V6Only is `v6only`: an IPv6 wildcard accepts IPv6 only.
	V6Only bool
	// Mode, UID and GID are `mode`, `uid`/`user` and `gid`/`group` of a
	// unix socket file. Zero mode: umask applies; -1 IDs: unchanged.
	Mode     uint32
	UID, GID int
}

// BindAddr is one listening address.
type BindAddr struct {
	// Network is "tcp4", "tcp6", "tcp" (IPv6 wildcard accepting both),
	// "unix" (a socket file), "abns" (an abstract unix socket) or "fd"
	// (an inherited listening socket).
	Network string
	// Host is the IP address to listen on (empty for all IPv4
	// addresses), the socket path (unix) or the abstract name (abns).
	Host string
	// Port is the TCP port, or the file descriptor number (fd).
	Port int
}

// String formats the address: host:port, or unix@path, abns@name, fd@N.
func (a BindAddr) String() string {
	switch a.Network {
	case "unix", "abns":
		return a.Network + "@" + a.Host
	case "fd":
		return "fd@" + itoa(a.Port)
	}
	switch {
	case a.Host == "" && a.Network == "tcp4":
		return "0.0.0.0:" + itoa(a.Port)
	case a.Network == "tcp6" || a.Network == "tcp":
		return "[" + a.Host + "]:" + itoa(a.Port)
	}
	return a.Host + ":" + itoa(a.Port)
}

// ACL is one `acl <name> <criterion> [flags] [values]` line.
type ACL struct {
	Pos  Pos
	Name string
	// Args are the words after the name: criterion, flags and patterns.
	Args []string
}

// UseBackend is one `use_backend <backend> [if|unless <cond>]` rule.
type UseBackend struct {
	Pos     Pos
	Backend string
	// Cond is the condition as words, starting with "if" or "unless";
	// nil for an unconditional rule.
	Cond []string
}

// Server is one `server <name> <addr>[:port] [params]` line.
type Server struct {
	Pos  Pos
	Name string
	// Addr is the address as written: an IP address or a host name
	// (resolved when the proxy starts).
	Addr string
	// Port is the server port. Zero with PortOffset false means "the port
	// the client connected to".
	Port int
	// PortOffset reports a `+N`/`-N` port: Port is added to the port the
	// client connected to.
	PortOffset bool
	// Params are the server's parameters (default-server, then its own).
	Params ServerParams
}

// ServerParams are the parameters of `server` and `default-server`.
type ServerParams struct {
	// ID is `id <n>`: the server's persistent numeric ID. Default 0:
	// assigned in declaration order.
	ID int
	// Check is `check`: enable health checks. Default off: the server is
	// always considered UP.
	Check bool
	// Inter is `inter <time>`: check interval. Default 2s.
	Inter time.Duration
	// FastInter is `fastinter <time>`: interval while the state is
	// changing. Default Inter.
	FastInter time.Duration
	// DownInter is `downinter <time>`: interval while DOWN. Default Inter.
	DownInter time.Duration
	// Rise is `rise <n>`: consecutive successes to become UP. Default 2.
	Rise int
	// Fall is `fall <n>`: consecutive failures to become DOWN. Default 3.
	Fall int
	// CheckPort is `port <n>`: port for health checks. Default: the
	// server's port.
	CheckPort int
	// CheckAddr is `addr <ip>`: address for health checks. Default: the
	// server's address.
	CheckAddr string
	// Weight is `weight <0..256>`. Default 1.
	Weight int
	// Maxconn is `maxconn <n>`: concurrent connections (HTTP: requests)
	// to the server; the excess is queued. Default 0: unlimited.
	Maxconn int
	// Maxqueue is `maxqueue <n>`: the longest queue of the server.
	// Default 0: unlimited.
	Maxqueue int
	// Minconn is `minconn <n>`: dynamic maxconn floor. Default 0.
	Minconn int
	// Backup is `backup`: only used when no active server is usable.
	Backup bool
	// Disabled is `disabled` (`enabled` clears it): start in maintenance.
	Disabled bool
	// Cookie is `cookie <value>`: the server's persistence cookie value.
	Cookie string
	// Slowstart is `slowstart <time>`: ramp weight and maxconn up over
	// this time after the server comes back UP. Default 0.
	Slowstart time.Duration
	// Observe is `observe layer4|layer7`: passive health checks from live
	// traffic. Default none.
	Observe string
	// ErrorLimit is `error-limit <n>`: consecutive errors before on-error
	// runs. Default 10.
	ErrorLimit int
	// OnError is `on-error fastinter|fail-check|sudden-death|mark-down`.
	// Default fail-check.
	OnError string
	// OnMarkedDown is `on-marked-down shutdown-sessions`. Default none.
	OnMarkedDown string
	// OnMarkedUp is `on-marked-up shutdown-backup-sessions`. Default none.
	OnMarkedUp string
	// InitAddr is `init-addr <method>,...`: how the address is found at
	// startup: last, libc, none or an IP. Default "last,libc".
	InitAddr []string
}

// LogTarget is one `log` line.
type LogTarget struct {
	Pos Pos
	// Network is "udp", "unixgram", "stdout" or "stderr".
	Network string
	// Address is the host:port (udp) or path (unixgram).
	Address string
	// Len is `len <n>`: the longest line, longer ones are truncated.
	// Default 1024.
	Len int
	// Format is `format <name>`: rfc3164 (default), rfc5424, raw, short,
	// timed, iso, priority.
	Format string
	// Facility is the syslog facility number (local2 = 18).
	Facility int
	// Level is the highest severity number sent (0 emerg .. 7 debug).
	// Default 7: everything.
	Level int
	// MinLevel is the lowest severity number a message is sent with: more
	// urgent messages are sent with this severity. Default 0.
	MinLevel int
}

// StatsSocket is one `stats socket` line of the global section.
type StatsSocket struct {
	Pos Pos
	// Network is "unix" or "tcp".
	Network string
	// Address is the socket path (unix) or host:port (tcp).
	Address string
	// Mode is `mode <octal>`: permissions of a unix socket. Default 0:
	// umask applies.
	Mode uint32
	// Level is `level user|operator|admin`. Default operator.
	Level string
	// ExposeFD is `expose-fd listeners`: allow `-x` to fetch listening
	// sockets over this socket.
	ExposeFD bool
}
