// Package procstat reads a process tree's CPU time and resident memory
// from /proc, the figures the benchmark suite divides by operations.
package procstat

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the unit of utime and stime in /proc/PID/stat: USER_HZ,
// 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// Tree returns pid and its descendants (nginx's workers, for example),
// found by scanning /proc for parent links. It reads at most the first
// 100,000 entries of /proc.
func Tree(pid int) ([]int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, fmt.Errorf("procstat: %w", err)
	}
	parent := map[int]int{}
	for i, e := range ents {
		if i >= 100000 {
			break
		}
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := readStat(p)
		if err != nil {
			continue // the process ended meanwhile
		}
		parent[p] = st.ppid
	}
	if _, ok := parent[pid]; !ok {
		return nil, fmt.Errorf("procstat: no process %d", pid)
	}
	tree := []int{pid}
	// Breadth-first over the parent links; a tree cannot be deeper than
	// the number of processes.
	for i := 0; i < len(tree) && i < len(parent); i++ {
		for p, pp := range parent {
			if pp == tree[i] {
				tree = append(tree, p)
			}
		}
	}
	return tree, nil
}

// CPU returns the user plus system CPU time the processes used so far
// (every thread of each, including threads that have exited).
func CPU(pids []int) (time.Duration, error) {
	var total time.Duration
	for _, p := range pids {
		st, err := readStat(p)
		if err != nil {
			return 0, err
		}
		total += time.Duration(st.utime+st.stime) * clockTick
	}
	return total, nil
}

// RSS returns the sum of the processes' resident set sizes in bytes.
func RSS(pids []int) (int64, error) {
	var total int64
	for _, p := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p))
		if err != nil {
			return 0, fmt.Errorf("procstat: %w", err)
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				if err != nil {
					return 0, fmt.Errorf("procstat: pid %d VmRSS %q: %w", p, v, err)
				}
				total += kb << 10
			}
		}
	}
	return total, nil
}

type stat struct {
	ppid         int
	utime, stime int64
}

// readStat parses /proc/PID/stat. The command name (field 2) may hold
// spaces and parentheses, so fields are counted from its closing one.
func readStat(pid int) (stat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return stat{}, fmt.Errorf("procstat: %w", err)
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return stat{}, fmt.Errorf("procstat: pid %d: malformed stat", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// After the name: state(3) ppid(4) ... utime(14) stime(15).
	if len(f) < 13 {
		return stat{}, fmt.Errorf("procstat: pid %d: short stat", pid)
	}
	var st stat
	st.ppid, _ = strconv.Atoi(f[1])
	st.utime, _ = strconv.ParseInt(f[11], 10, 64)
	st.stime, _ = strconv.ParseInt(f[12], 10, 64)
	return st, nil
}
