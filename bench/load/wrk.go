package load

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// WrkArgs returns wrk's command line for the HTTP keep-alive test: threads
// and connections as in the figures (wrk -t2 -c64), latency
// percentiles on.
func WrkArgs(addr string, threads, conns int, d time.Duration) []string {
	return []string{
		"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns),
		"-d" + strconv.Itoa(max(1, int(d/time.Second))) + "s",
		"--latency", "http://" + addr + "/",
	}
}

// ParseWrk reads wrk's report: the request count, the duration, the 50%
// and 99% latencies, and errors (socket errors and non-2xx answers).
func ParseWrk(out string) (Result, error) {
	r := Result{Mode: "http", Unit: "req"}
	seen := 0
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 5 && f[1] == "requests" && f[2] == "in":
			n, err := strconv.ParseFloat(f[0], 64)
			if err != nil {
				return r, fmt.Errorf("load: wrk requests %q", f[0])
			}
			d, err := time.ParseDuration(strings.TrimSuffix(f[3], ","))
			if err != nil {
				return r, fmt.Errorf("load: wrk duration %q", f[3])
			}
			r.Ops, r.Seconds = n, d.Seconds()
			seen++
		case len(f) == 2 && (f[0] == "50%" || f[0] == "99%"):
			d, err := parseWrkDuration(f[1])
			if err != nil {
				return r, err
			}
			us := float64(d) / float64(time.Microsecond)
			if f[0] == "50%" {
				r.P50 = us
			} else {
				r.P99 = us
			}
			seen++
		case len(f) >= 2 && f[0] == "Socket" && f[1] == "errors:":
			// "Socket errors: connect 0, read 0, write 0, timeout 0"
			for i := 3; i < len(f); i += 2 {
				n, _ := strconv.ParseInt(strings.TrimSuffix(f[i], ","), 10, 64)
				r.Errors += n
			}
		case len(f) >= 5 && f[0] == "Non-2xx":
			n, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
			r.Errors += n
		}
	}
	if seen < 3 {
		return r, fmt.Errorf("load: unexpected wrk output:\n%s", out)
	}
	return r, nil
}

// parseWrkDuration reads wrk's latencies: "812.00us", "1.78ms", "2.01s".
func parseWrkDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.Replace(s, "us", "µs", 1))
	if err != nil {
		return 0, fmt.Errorf("load: wrk latency %q", s)
	}
	return d, nil
}
