package peers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Kind names a load target.
type Kind string

// The targets, in table order.
const (
	Direct  Kind = "direct" // the backend itself, no proxy
	Hawser  Kind = "hawser"
	HAProxy Kind = "haproxy"
	Nginx   Kind = "nginx"
)

// Peer is a proxy the suite can start.
type Peer struct {
	Kind Kind
	// Bin is the executable.
	Bin string
	// Listen is where it listens.
	Listen string
	// Version is what the binary reports.
	Version string
}

// Missing is the install hint printed for a proxy that is not installed.
func Missing(k Kind) string {
	switch k {
	case HAProxy:
		return "haproxy not found: apt-get install -y haproxy"
	case Nginx:
		return "nginx not found: apt-get install -y nginx"
	}
	return string(k) + " not found"
}

// Find looks for a peer's binary in PATH (and /usr/sbin, where Debian
// installs both, for users whose PATH lacks it).
func Find(k Kind) (string, bool) {
	if p, err := exec.LookPath(string(k)); err == nil {
		return p, true
	}
	p := filepath.Join("/usr/sbin", string(k))
	if st, err := os.Stat(p); err == nil && !st.IsDir() {
		return p, true
	}
	return "", false
}

// VersionOf returns the first line a peer prints for its version flag.
func VersionOf(k Kind, bin string) string {
	flag := "-v"
	out, _ := exec.Command(bin, flag).CombinedOutput()
	line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return line
}

// Start writes the peer's configuration under dir and starts it. The
// caller stops it with Proc.Stop.
func (p *Peer) Start(dir string, params Params) (*Proc, error) {
	params.Listen = p.Listen
	params.Dir = dir
	var argv []string
	var env []string
	switch p.Kind {
	case Hawser:
		cfg := filepath.Join(dir, "hawser.cfg")
		if err := os.WriteFile(cfg, []byte(HAProxyConfig(params)), 0o644); err != nil {
			return nil, err
		}
		argv = []string{p.Bin, "-f", cfg, "-db", "-q"}
	case HAProxy:
		cfg := filepath.Join(dir, "haproxy.cfg")
		if err := os.WriteFile(cfg, []byte(HAProxyConfig(params)), 0o644); err != nil {
			return nil, err
		}
		argv = []string{p.Bin, "-f", cfg, "-db", "-q"}
	case Nginx:
		for _, sub := range []string{"body", "proxy", "fastcgi", "uwsgi", "scgi"} {
			// Workers run as an unprivileged user and write there.
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o777); err != nil {
				return nil, err
			}
			os.Chmod(filepath.Join(dir, sub), 0o777)
		}
		cfg := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(cfg, []byte(NginxConfig(params)), 0o644); err != nil {
			return nil, err
		}
		argv = []string{p.Bin, "-c", cfg, "-p", dir, "-e", filepath.Join(dir, "error.log")}
	default:
		return nil, fmt.Errorf("peers: cannot start %s", p.Kind)
	}
	proc, err := Start(string(p.Kind), argv, env)
	if err != nil {
		return nil, err
	}
	if err := proc.WaitListening(p.Listen, 10*time.Second); err != nil {
		proc.Stop()
		return nil, err
	}
	return proc, nil
}
