// Package peers starts the proxies the suite compares — hawser, HAProxy
// and nginx — with equivalent generated configurations, and stops them by
// PID.
//
// Equivalent means: the same listener and backend servers (round robin),
// keep-alive on both sides with no per-connection request limit,
// WebSocket upgrades tunnelled, no access log, the same timeouts (connect
// 5s, client and server 30s, tunnel 1h, keep-alive 30s, request head
// 10s), and every CPU the machine has (HAProxy's and hawser's default
// thread count, nginx's `worker_processes auto`).
package peers

import (
	"fmt"
	"strings"
)

// Params describe what a generated configuration serves.
type Params struct {
	// Listen is the proxy's address, host:port.
	Listen string
	// Servers are the backend servers' addresses.
	Servers []string
	// Maxconn is the process connection limit: HAProxy and hawser need
	// two descriptors per proxied connection, so under a 20,000-file
	// limit it is a little under 10,000.
	Maxconn int
	// Dir holds nginx's pid, log and temporary files.
	Dir string
}

// HAProxyConfig returns the configuration HAProxy and hawser both run:
// hawser reads HAProxy's language, so the two get the same text.
func HAProxyConfig(p Params) string {
	var b strings.Builder
	fmt.Fprintf(&b, `global
    maxconn %d

defaults
    mode http
    option http-keep-alive
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout tunnel 1h
    timeout http-keep-alive 30s
    timeout http-request 10s

frontend fe
    bind %s
    default_backend be

backend be
    balance roundrobin
`, p.Maxconn, p.Listen)
	for i, s := range p.Servers {
		fmt.Fprintf(&b, "    server s%d %s\n", i+1, s)
	}
	return b.String()
}

// NginxConfig returns the nginx equivalent of HAProxyConfig.
func NginxConfig(p Params) string {
	var b strings.Builder
	fmt.Fprintf(&b, `worker_processes auto;
worker_rlimit_nofile 20000;
daemon off;
master_process on;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log crit;

events {
    worker_connections %[2]d;
}

http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;

    keepalive_timeout 30s;
    keepalive_requests 1000000000;
    client_header_timeout 10s;
    client_body_timeout 30s;
    send_timeout 30s;

    # WebSocket: pass Upgrade on, and "Connection: upgrade" only when the
    # client asked for it; otherwise an empty Connection keeps the server
    # connection alive.
    map $http_upgrade $connection_upgrade {
        default upgrade;
        ''      '';
    }

    upstream be {
`, p.Dir, 2*p.Maxconn+64)
	for _, s := range p.Servers {
		fmt.Fprintf(&b, "        server %s;\n", s)
	}
	fmt.Fprintf(&b, `        keepalive 256;
        keepalive_requests 1000000000;
        keepalive_timeout 30s;
    }

    server {
        listen %s;
        location / {
            proxy_pass http://be;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_connect_timeout 5s;
            # nginx applies the read and send timeouts to upgraded
            # connections too: they play timeout tunnel's part.
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }
    }
}
`, p.Listen)
	return b.String()
}
