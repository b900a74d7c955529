package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/golden")

func parseString(t *testing.T, src string) (*Config, error) {
	t.Helper()
	return Parse([]Source{{Name: "test.cfg", Data: []byte(src)}}, ParseOptions{Env: testEnv(map[string]string{"PORT": "8080"})})
}

func mustParse(t *testing.T, src string) *Config {
	t.Helper()
	c, err := parseString(t, src)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return c
}

// TestGolden parses every testdata/golden/*.cfg and compares the
// normalised form and the warnings with the .golden file next to it. Run
// `go test ./internal/config -run TestGolden -update` to rewrite them, then
// review the diff.
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.cfg")
	if len(files) == 0 {
		t.Fatal("no golden inputs")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := ParseFiles([]string{f}, ParseOptions{Env: testEnv(map[string]string{"PORT": "8080", "HOST": "127.0.0.1"})})
			var got strings.Builder
			if err != nil {
				got.WriteString("ERROR\n" + err.Error() + "\n")
			} else {
				for _, w := range c.Warnings {
					got.WriteString("# warning: " + w.String() + "\n")
				}
				got.WriteString(c.Format())
			}
			golden := strings.TrimSuffix(f, ".cfg") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("normalised form of %s differs from %s:\n--- got\n%s\n--- want\n%s", f, golden, got.String(), want)
			}
		})
	}
}

// TestFormatRoundTrip checks that the normalised form reads back to the
// same normalised form.
func TestFormatRoundTrip(t *testing.T) {
	files, _ := filepath.Glob("testdata/golden/*.cfg")
	for _, f := range files {
		c, err := ParseFiles([]string{f}, ParseOptions{Env: testEnv(map[string]string{"PORT": "8080", "HOST": "127.0.0.1"})})
		if err != nil {
			continue
		}
		first := c.Format()
		c2, err := parseString(t, first)
		if err != nil {
			t.Errorf("%s: normalised form does not parse: %v\n%s", f, err, first)
			continue
		}
		if second := c2.Format(); second != first {
			t.Errorf("%s: round trip differs:\n--- first\n%s\n--- second\n%s", f, first, second)
		}
	}
}

func TestSeedConfig(t *testing.T) {
	c, err := ParseFiles([]string{"../../examples/seed/haproxy-websocket.cfg"})
	if err != nil {
		t.Fatalf("the seed config must parse unchanged: %v", err)
	}
	fe := c.Frontend("http")
	if fe == nil || len(fe.UseBackends) != 6 || len(fe.ACLs) != 5 {
		t.Fatalf("frontend http = %+v", fe)
	}
	be := c.Backend("ws_s1")
	if be.Timeouts.Tunnel != 15*time.Minute || be.Timeouts.Connect != 5*time.Second || be.Retries != 3 {
		t.Errorf("ws_s1 timeouts = %+v, retries %d", be.Timeouts, be.Retries)
	}
	if s := be.Servers[0]; s.Params.Inter != 3*time.Second || s.Params.Rise != 2 || s.Params.Fall != 3 || s.Port != 19236 {
		t.Errorf("server servers1 = %+v", s)
	}
	if !fe.Options.HTTPServerClose || fe.Options.ForwardFor == nil || !fe.Options.HTTPLog || !fe.Options.DontLogNull {
		t.Errorf("frontend options = %+v", fe.Options)
	}
	if !be.Options.Redispatch {
		t.Errorf("backend options = %+v", be.Options)
	}
	g := c.Global
	if !g.Daemon || g.Maxconn != 4000 || g.User != "haproxy" || g.Chroot != "/var/lib/haproxy" || len(g.StatsSockets) != 1 || len(g.Log) != 1 {
		t.Errorf("global = %+v", g)
	}
	if l := g.Log[0]; l.Network != "udp" || l.Address != "127.0.0.1:514" || l.Facility != 18 {
		t.Errorf("global log = %+v", l)
	}
}

func TestParseErrors(t *testing.T) {
	const head = "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n"
	tests := []struct {
		name string
		src  string
		line int
		want string
	}{
		{"unknown keyword", "global\n frobnicate 1\n", 2, "unknown keyword 'frobnicate' in 'global' section"},
		{"not yet global", "global\n lua-load x.lua\n", 2, "does not support yet"},
		{"not yet proxy", head + "frontend f\n bind :80\n compression algo gzip\n", 8, "'compression' is a HAProxy keyword that hawser does not support yet"},
		{"unknown option", head + "frontend f\n option http-use-nothing\n", 7, "unknown option 'http-use-nothing'"},
		{"option not yet", head + "backend b\n option http-buffer-request\n", 7, "'option http-buffer-request' is a HAProxy option that hawser does not support yet"},
		{"bad time decimals", head + "backend b\n timeout server 1.5s\n", 7, "unexpected character '.'"},
		{"bad time unit", head + "backend b\n timeout server 10x\n", 7, "unexpected character 'x'"},
		{"timer overflow", head + "backend b\n timeout server 25d\n", 7, "timer overflow"},
		{"missing use_backend", head + "frontend f\n bind :80\n use_backend nosuch if TRUE\n", 8, "unable to find required use_backend: 'nosuch'"},
		{"missing default_backend", head + "frontend f\n bind :80\n default_backend nosuch\n", 8, "unable to find required default_backend: 'nosuch'"},
		{"weight range", head + "backend b\n server s 127.0.0.1:80 weight 300\n", 7, "weight is not within 0 and 256 (300)"},
		{"server option unknown", head + "backend b\n server s 127.0.0.1:80 frob\n", 7, "unknown keyword 'frob'"},
		{"server option not yet", head + "backend b\n server s 127.0.0.1:80 ssl\n", 7, "'ssl' is a HAProxy server option that hawser does not support yet"},
		{"server missing address", head + "backend b\n server s\n", 7, "'server' expects a name and an address"},
		{"server bad port", head + "backend b\n server s 127.0.0.1:99999\n", 7, "out of range"},
		{"duplicate server", head + "backend b\n server s 127.0.0.1:80\n server s 127.0.0.1:81\n", 8, "same server name 's'"},
		{"bind in backend", head + "backend b\n bind :80\n", 7, "'bind' not allowed in 'backend' section"},
		{"server in frontend", head + "frontend f\n server s 127.0.0.1:80\n", 7, "'server' not allowed in 'frontend' section"},
		{"acl in defaults", head + " acl a path /\n", 6, "'acl' not allowed in 'defaults' section"},
		{"bind no port", head + "frontend f\n bind 127.0.0.1\n", 7, "missing port"},
		{"bind bad option", head + "frontend f\n bind :80 frob\n", 7, "unknown keyword 'frob'"},
		{"bind ssl not yet", head + "frontend f\n bind :443 ssl crt x.pem\n", 7, "'ssl' is a HAProxy bind option that hawser does not support yet"},
		{"out of section", "maxconn 5\n", 1, "out of section"},
		{"unmatched quote", "global\n description \"abc\n", 2, "unmatched quote"},
		{"bad mode", head + "frontend f\n mode udp\n", 7, "unknown proxy mode 'udp'"},
		{"http fe to tcp be", head + "frontend f\n bind :80\n default_backend b\nbackend b\n mode tcp\n", 8, "cannot use backend 'b' (mode tcp)"},
		{"from unknown", "frontend f from nosuch\n", 1, "defaults section 'nosuch' not found"},
		{"use_backend bad cond word", head + "frontend f\n use_backend b when x\nbackend b\n", 7, "expects 'if' or 'unless'"},
		{"use_backend empty cond", head + "frontend f\n use_backend b if\nbackend b\n", 7, "missing a condition"},
		{"log bad facility", "global\n log 127.0.0.1 local9\n", 2, "unknown facility 'local9'"},
		{"log missing facility", "global\n log 127.0.0.1\n", 2, "missing facility"},
		{"stats level", "global\n stats socket /tmp/s level root\n", 2, "'level' only supports"},
		{"unsupported section", "userlist u\n user a password x\n", 1, "section 'userlist' is not supported by hawser yet"},
		{"if unclosed", "global\n.if defined(PORT)\n maxconn 5\n", 2, "not closed"},
		{"endif alone", "global\n.endif\n", 2, "without a matching '.if'"},
		{"alert", "global\n.if defined(PORT)\n.alert stop here\n.endif\n", 3, "stop here"},
		{"proxy name chars", "backend b/x\n", 1, "not permitted"},
		{"retries not int", head + "backend b\n retries many\n", 7, "expects an integer"},
		{"retry-on unknown", head + "backend b\n retry-on sometimes\n", 7, "unknown keyword 'sometimes'"},
		{"tunnel 0 is fine but bad name", head + "backend b\n timeout tunel 1s\n", 7, "'timeout' supports"},
		{"dynamic use_backend", head + "frontend f\n use_backend %[req.hdr(x)]\n", 7, "dynamic backend names"},
		{"forwardfor bad except", head + "frontend f\n option forwardfor except 10.0.0.300\n", 7, "invalid network"},
		{"same proxy ID", head + "backend a\n id 5\nbackend b\n id 5\n", 8, "same ID (5)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseString(t, tt.src)
			if err == nil {
				t.Fatalf("Parse succeeded, want error %q", tt.want)
			}
			list, ok := err.(ErrorList)
			if !ok || len(list) == 0 {
				t.Fatalf("error %v is not an ErrorList", err)
			}
			found := false
			for _, e := range list {
				if e.Pos.Line == tt.line && e.Pos.File == "test.cfg" && strings.Contains(e.Msg, tt.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("errors = %v\nwant test.cfg:%d: …%s…", err, tt.line, tt.want)
			}
		})
	}
}

func TestErrorsAreAllReported(t *testing.T) {
	_, err := parseString(t, "global\n frob 1\n maxconn x\n nbthread 0\n")
	list, _ := err.(ErrorList)
	if len(list) != 3 {
		t.Fatalf("got %d errors (%v), want 3", len(list), err)
	}
	if got := list[0].Error(); got != "test.cfg:2: unknown keyword 'frob' in 'global' section" {
		t.Errorf("error text = %q", got)
	}
}

func TestInheritance(t *testing.T) {
	c := mustParse(t, `
defaults base
    mode http
    timeout client 5s
    timeout server 6s
    option forwardfor
    default-server inter 3s rise 4

defaults
    mode tcp
    timeout connect 1s

frontend plain
    bind :80
    default_backend tcpbe

backend tcpbe
    server s 127.0.0.1:1

frontend fromnamed from base
    bind :81
    no option forwardfor
    default_backend httpbe

backend httpbe from base
    default-server fall 7
    server a 127.0.0.1:1
    server b 127.0.0.1:2 rise 9
`)
	plain := c.Frontend("plain")
	if plain.Mode != ModeTCP || plain.Timeouts.Client != 0 || plain.Options.ForwardFor != nil {
		t.Errorf("plain inherits from the last defaults only (a new defaults resets everything): %+v", plain)
	}
	if be := c.Backend("tcpbe"); be.Timeouts.Connect != time.Second || be.From != "" {
		t.Errorf("tcpbe = %+v", be)
	}
	named := c.Frontend("fromnamed")
	if named.Mode != ModeHTTP || named.Timeouts.Client != 5*time.Second || named.Options.ForwardFor != nil || named.From != "base" {
		t.Errorf("fromnamed = %+v", named)
	}
	if named.Timeouts.Server != 0 {
		t.Errorf("a frontend does not inherit timeout server: %v", named.Timeouts.Server)
	}
	be := c.Backend("httpbe")
	a, b := be.Servers[0].Params, be.Servers[1].Params
	if a.Inter != 3*time.Second || a.Rise != 4 || a.Fall != 7 || b.Rise != 9 || b.Fall != 7 {
		t.Errorf("default-server accumulation: a=%+v b=%+v", a, b)
	}
	if a.ID != 1 || b.ID != 2 {
		t.Errorf("server IDs = %d, %d; want 1, 2", a.ID, b.ID)
	}
	if c.Defaults[0].Options.ForwardFor == nil {
		t.Error("'no option forwardfor' in a proxy must not change its defaults section")
	}
}

func TestWarnings(t *testing.T) {
	c := mustParse(t, `
defaults
    mode http
    timeout connect 1s
    timeout server 1s
frontend f
    bind :80
    timeout client 1s
    timeout tunnel 1h
    option redispatch
    option http-use-htx
    default_backend b
backend b
    timeout client 1s
`)
	var got []string
	for _, w := range c.Warnings {
		got = append(got, w.String())
	}
	for _, want := range []string{
		"test.cfg:9: 'timeout tunnel' will be ignored because frontend 'f' has no backend capability",
		"test.cfg:10: 'option redispatch' ignored because frontend 'f' has no backend capability",
		"test.cfg:11: 'option http-use-htx' is deprecated and ignored",
		"test.cfg:14: 'timeout client' will be ignored because backend 'b' has no frontend capability",
	} {
		ok := false
		for _, g := range got {
			if strings.HasPrefix(g, want) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("missing warning %q in %q", want, got)
		}
	}
	if c.Frontend("f").Timeouts.Tunnel != 0 {
		t.Error("a frontend's timeout tunnel must be ignored")
	}
}

func TestEnvironment(t *testing.T) {
	c := mustParse(t, `
global
    setenv LOGPORT 1514
    presetenv PORT 9999
    log "127.0.0.1:${LOGPORT}" local0
defaults
    mode http
frontend f
    bind "127.0.0.1:${PORT}"
`)
	if got := c.Global.Log[0].Address; got != "127.0.0.1:1514" {
		t.Errorf("setenv: log address = %s", got)
	}
	if got := c.Frontend("f").Binds[0].Addrs[0].Port; got != 8080 {
		t.Errorf("presetenv must not override PORT=8080: port %d", got)
	}
}

func TestConditionalBlocks(t *testing.T) {
	c := mustParse(t, `
global
.if defined(PORT)
    maxconn 10
.elif defined(NOPE)
    maxconn 20
.else
    maxconn 30
.endif
.if !defined(PORT) || streq(a,b)
    nbthread 3
.elif version_atleast(2.4) && !version_before(2.6)
    nbthread 2
.endif
.if 0
.if 1
    ulimit-n 5
.endif
.else
    ulimit-n 7
.endif
`)
	g := c.Global
	if g.Maxconn != 10 || g.Nbthread != 2 || g.UlimitN != 7 {
		t.Errorf("maxconn %d nbthread %d ulimit-n %d; want 10 2 7", g.Maxconn, g.Nbthread, g.UlimitN)
	}
}

func TestBindAddresses(t *testing.T) {
	c := mustParse(t, `
frontend f
    bind *:80,127.0.0.1:81,[::]:82,:::83,[::1]:84
    bind ipv4@:85-87 name r maxconn 5 backlog 7
    bind [::]:88 v6only
`)
	var got []string
	for _, b := range c.Frontend("f").Binds {
		for _, a := range b.Addrs {
			got = append(got, a.Network+" "+a.String())
		}
	}
	want := "tcp4 0.0.0.0:80,tcp4 127.0.0.1:81,tcp [::]:82,tcp [::]:83,tcp6 [::1]:84,tcp4 0.0.0.0:85,tcp4 0.0.0.0:86,tcp4 0.0.0.0:87,tcp6 [::]:88"
	if strings.Join(got, ",") != want {
		t.Errorf("binds = %s\nwant    %s", strings.Join(got, ","), want)
	}
}

func TestServerAddresses(t *testing.T) {
	c := mustParse(t, `
backend b
    server a 127.0.0.1:80
    server b example.com
    server c 10.0.0.1:+1000
    server d 10.0.0.1:-5
    server e [::1]:8080
    server f ipv6@::1:8081
`)
	type sa struct {
		addr   string
		port   int
		offset bool
	}
	var got []sa
	for _, s := range c.Backend("b").Servers {
		got = append(got, sa{s.Addr, s.Port, s.PortOffset})
	}
	want := []sa{{"127.0.0.1", 80, false}, {"example.com", 0, false}, {"10.0.0.1", 1000, true}, {"10.0.0.1", -5, true}, {"::1", 8080, false}, {"::1", 8081, false}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("server %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
