package peers

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var testParams = Params{Listen: "127.0.0.1:21510", Servers: []string{"127.0.0.1:21501", "127.0.0.1:21502"}, Maxconn: 9800}

// TestHAProxyConfigIsValid checks the generated configuration with
// `haproxy -c` when HAProxy is installed.
func TestHAProxyConfigIsValid(t *testing.T) {
	bin, ok := Find(HAProxy)
	if !ok {
		t.Skip(Missing(HAProxy))
	}
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	os.WriteFile(cfg, []byte(HAProxyConfig(testParams)), 0o644)
	if out, err := exec.Command(bin, "-c", "-f", cfg).CombinedOutput(); err != nil {
		t.Fatalf("haproxy -c: %v\n%s", err, out)
	}
}

// TestNginxConfigIsValid checks the generated configuration with
// `nginx -t` when nginx is installed.
func TestNginxConfigIsValid(t *testing.T) {
	bin, ok := Find(Nginx)
	if !ok {
		t.Skip(Missing(Nginx))
	}
	dir := t.TempDir()
	p := testParams
	p.Dir = dir
	cfg := filepath.Join(dir, "nginx.conf")
	os.WriteFile(cfg, []byte(NginxConfig(p)), 0o644)
	if out, err := exec.Command(bin, "-t", "-c", cfg, "-p", dir, "-e", filepath.Join(dir, "error.log")).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
}

// TestConfigsAreEquivalent checks the settings the two languages share.
func TestConfigsAreEquivalent(t *testing.T) {
	h, n := HAProxyConfig(testParams), NginxConfig(testParams)
	for _, s := range testParams.Servers {
		if !strings.Contains(h, s) || !strings.Contains(n, s) {
			t.Errorf("server %s missing", s)
		}
	}
	for _, pair := range [][2]string{
		{"timeout connect 5s", "proxy_connect_timeout 5s"},
		{"timeout http-keep-alive 30s", "keepalive_timeout 30s"},
		{"timeout http-request 10s", "client_header_timeout 10s"},
		{"timeout tunnel 1h", "proxy_read_timeout 3600s"},
		{"bind " + testParams.Listen, "listen " + testParams.Listen},
	} {
		if !strings.Contains(h, pair[0]) || !strings.Contains(n, pair[1]) {
			t.Errorf("%q / %q not in both configurations", pair[0], pair[1])
		}
	}
}
