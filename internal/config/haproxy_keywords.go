package config

import "fmt"

// HAProxy 2.6 keywords that hawser recognises but does not implement. They
// are refused with an error that says so, rather than "unknown keyword",
// so that an operator knows the config is valid HAProxy and what is
// missing.

// unsupportedSections are HAProxy sections hawser does not implement.
var unsupportedSections = map[string]bool{
	"userlist": true, "peers": true, "resolvers": true, "mailers": true,
	"http-errors": true, "ring": true, "log-forward": true, "cache": true,
	"program": true, "fcgi-app": true, "dynamic-update": true, "crt-store": true,
	"traces": true, "acme": true,
}

var knownGlobalKeywords = words(`ca-base chroot cluster-secret cpu-map crt-base daemon
default-path description deviceatlas-json-file deviceatlas-log-level
deviceatlas-separator deviceatlas-properties-cookie expose-experimental-directives
external-check fd-hard-limit gid grace group h1-accept-payload-with-any-method
h1-case-adjust h1-case-adjust-file h2-workaround-bogus-websocket-clients hard-stop-after
insecure-fork-wanted insecure-setuid-wanted issuers-chain-path localpeer log log-tag
log-send-hostname lua-load lua-load-per-thread lua-prepend-path mworker-max-reloads nbproc
nbthread node numa-cpu-mapping pidfile pp2-never-send-local presetenv resetenv uid
ulimit-n user set-dumpable set-var setenv ssl-default-bind-ciphers
ssl-default-bind-ciphersuites ssl-default-bind-curves ssl-default-bind-options
ssl-default-server-ciphers ssl-default-server-ciphersuites ssl-default-server-curves
ssl-default-server-options ssl-dh-param-file ssl-propquery ssl-provider ssl-provider-path
ssl-server-verify ssl-skip-self-issued-ca stats strict-limits unix-bind unsetenv
wurfl-data-file wurfl-information-list wurfl-information-list-separator wurfl-cache-size
busy-polling max-spread-checks maxconn maxconnrate maxcomprate maxcompcpuusage
maxpipes maxsessrate maxsslconn maxsslrate maxzlibmem no-memory-trimming noepoll
nokqueue noevports nopoll nosplice nogetaddrinfo noreuseport profiling.tasks
spread-checks ssl-engine ssl-mode-async thread-group thread-groups debug quiet
zero-warning master-worker server-state-file server-state-base httpclient.resolvers.id
httpclient.ssl.verify httpclient.ssl.ca-file`)

var knownProxyKeywords = words(`acl backlog balance bind capture compression cookie
declare default-server default_backend description disabled dispatch email-alert enabled
errorfile errorfiles errorloc errorloc302 errorloc303 force-persist filter fullconn
hash-balance-factor hash-type http-after-response http-check http-error http-request
http-response http-reuse http-send-name-header id ignore-persist
load-server-state-from-file log log-format log-format-sd log-tag max-keep-alive-queue
maxconn mode monitor monitor-uri option persist rate-limit redirect retries retry-on
server server-state-file-name server-template source stats stick stick-table
tcp-check tcp-request tcp-response timeout transparent unique-id-format
unique-id-header use_backend use-fcgi-app use-server grace`)

var knownOptions = words(`abortonclose accept-invalid-http-request
accept-invalid-http-response allbackups checkcache clitcpka contstats disable-h2-upgrade
dontlog-normal dontlognull external-check forwardfor h1-case-adjust-bogus-client
h1-case-adjust-bogus-server http-buffer-request http-ignore-probes http-keep-alive
http-no-delay http-pretend-keepalive http-restrict-req-hdr-names http-server-close
http-use-proxy-header httpchk httpclose httplog http_proxy idle-close-on-response
independent-streams ldap-check log-health-checks log-separate-errors logasap mysql-check
nolinger originalto persist pgsql-check prefer-last-server redispatch redis-check
smtpchk socket-stats splice-auto splice-request splice-response spop-check srvtcpka
ssl-hello-chk tcp-check tcp-smart-accept tcp-smart-connect tcpka tcplog transparent`)

var knownBindParams = words(`accept-netscaler-cip accept-proxy allow-0rtt alpn backlog
ca-file ca-ignore-err ca-sign-file ca-sign-pass ca-verify-file ciphers ciphersuites
crl-file crt crt-ignore-err crt-list curves defer-accept ecdhe expose-fd force-sslv3
force-tlsv10 force-tlsv11 force-tlsv12 force-tlsv13 generate-certificates gid group id
interface level maxconn mode mss name namespace nbconn nice no-ca-names no-sslv3
no-tls-tickets no-tlsv10 no-tlsv11 no-tlsv12 no-tlsv13 npn prefer-client-ciphers proto
process severity-output shards ssl ssl-max-ver ssl-min-ver strict-sni tcp-ut tfo
thread tls-ticket-keys transparent uid user v4v6 v6only verify quic-cc-algo
quic-force-retry`)

var knownServerParams = words(`addr agent-addr agent-check agent-inter agent-port
agent-send allow-0rtt alpn backup ca-file check check-alpn check-proto check-send-proxy
check-sni check-ssl check-via-socks4 ciphers ciphersuites cookie crl-file crt curves
disabled downinter enabled error-limit fall fastinter force-sslv3 force-tlsv10
force-tlsv11 force-tlsv12 force-tlsv13 id init-addr inter log-proto maxconn maxqueue
max-reuse minconn namespace no-agent-check no-backup no-check no-check-ssl
no-send-proxy no-send-proxy-v2 no-send-proxy-v2-ssl no-send-proxy-v2-ssl-cn no-ssl
no-ssl-reuse no-sslv3 no-tls-tickets no-tlsv10 no-tlsv11 no-tlsv12 no-tlsv13 no-verifyhost
no-tfo non-stick npn observe on-error on-marked-down on-marked-up pool-low-conn
pool-max-conn pool-purge-delay port proto redir rise resolve-opts resolve-prefer
resolve-net resolvers send-proxy send-proxy-v2 send-proxy-v2-ssl send-proxy-v2-ssl-cn
set-proxy-v2-tlv-fmt shard slowstart sni source ssl ssl-max-ver ssl-min-ver
ssl-reuse stick socks4 tcp-ut tfo track tls-tickets verify verifyhost weight ws`)

func words(s string) map[string]bool {
	m := map[string]bool{}
	w := ""
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\n' || s[i] == '\t' {
			if w != "" {
				m[w] = true
			}
			w = ""
			continue
		}
		w += string(s[i])
	}
	return m
}

// unknownKeyword builds the error for a keyword hawser does not handle in
// section: "not supported yet" for a HAProxy keyword, "unknown" otherwise.
func unknownKeyword(section string, ws []string) error {
	kw := ws[0]
	full := kw
	if len(ws) > 1 && (kw == "stats" || kw == "http-request" || kw == "http-response" ||
		kw == "tcp-request" || kw == "tcp-response" || kw == "capture" || kw == "http-check" ||
		kw == "tcp-check" || kw == "stick" || kw == "http-after-response") {
		full = kw + " " + ws[1]
	}
	known := knownProxyKeywords
	if section == "global" {
		known = knownGlobalKeywords
	}
	if known[kw] {
		return fmt.Errorf("'%s' is a HAProxy keyword that hawser does not support yet in a '%s' section", full, section)
	}
	return fmt.Errorf("unknown keyword '%s' in '%s' section", kw, section)
}
