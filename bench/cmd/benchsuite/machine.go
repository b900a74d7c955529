package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
)

// machine describes where the run happened: the figures only compare
// within one run on one machine.
func machine() []string {
	var out []string
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	out = append(out, fmt.Sprintf("%s, %d CPUs, %s/%s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH))
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		line, _, _ := strings.Cut(string(b), "\n")
		out = append(out, strings.Join(strings.Fields(line), " "))
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		out = append(out, "Linux "+strings.TrimSpace(string(b)))
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		out = append(out, "load average at start: "+strings.Join(strings.Fields(string(b))[:3], " ")+" (the cores are shared with other work; CPU per operation is the figure that holds up)")
	}
	return out
}

// versions lists the software measured and measuring.
func (s *suite) versions() []string {
	out := []string{"Go: " + runtime.Version()}
	for _, p := range s.peers {
		out = append(out, fmt.Sprintf("%s: %s", p.Kind, p.Version))
	}
	if s.wrk != "" {
		o, _ := exec.Command(s.wrk, "-v").CombinedOutput()
		line, _, _ := strings.Cut(strings.TrimSpace(string(o)), "\n")
		out = append(out, "wrk: "+line)
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/gobwas/ws" {
				out = append(out, "load client: github.com/gobwas/ws "+d.Version)
			}
		}
	}
	return out
}

// settings says how the run was made.
func (s *suite) settings() []string {
	return []string{
		fmt.Sprintf("%d repetitions of %v per test and target, interleaved (each repetition runs every target once, starting with a different one); the table shows medians, the spread is half the range of CPU per operation over the median, and × HAProxy is the median of the per-repetition ratios", s.o.reps, s.o.duration),
		"proxy CPU per operation: utime+stime of the proxy's processes (/proc/PID/stat, children included) over the measured phase, divided by the operations",
		"bulk: one MB is 10^6 bytes echoed (each byte crosses the proxy twice)",
		fmt.Sprintf("backends: %d servers in one benchbackend process (round robin); same configuration for hawser and HAProxy, the nginx equivalent (bench/peers/config.go)", len(s.backends)),
		"idle: each proxy restarted, warmed up with a handshake burst, then holds the tunnels; RSS of its processes over its baseline",
	}
}
