// Package report renders the benchmark suite's results as Markdown: the
// main table (one row per test and target, with each proxy's CPU per
// operation as a ratio to HAProxy's), the targets check, and the scaling
// curves.
package report

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Measure is one test against one target, summarised over repetitions.
type Measure struct {
	Test   string // a Test's ID
	Target string
	// Throughput is operations per second, in the test's unit.
	Throughput float64
	P50, P99   time.Duration
	// CPUPerOp is the proxy's CPU time per operation; 0 for direct.
	CPUPerOp time.Duration
	// Spread is (max-min)/median of CPUPerOp over the repetitions.
	Spread float64
	// Ratios are CPUPerOp over HAProxy's in each repetition: the two
	// ran seconds apart, so their ratio cancels what the machine's other
	// load did to both. The table's ratio is their median.
	Ratios []float64
	Errors int64
	Reps   int
}

// Test describes a row group of the main table.
type Test struct {
	ID    string
	Title string
	// Unit names one operation ("req", "msg", "handshake", "MB").
	Unit string
	// Goal is the largest hawser/HAProxy ratio the issue accepts.
	Goal float64
}

// IdlePoint is a proxy's memory holding n idle tunnels.
type IdlePoint struct {
	Target  string
	Tunnels int
	// RSSDelta is the resident memory over the baseline, in bytes.
	RSSDelta int64
}

// Table is a scaling curve or any other simple table.
type Table struct {
	Title   string
	Note    string
	Columns []string
	Rows    [][]string
}

// Report is everything one run of the suite found.
type Report struct {
	Date     time.Time
	Machine  []string // description lines
	Versions []string
	Settings []string
	Tests    []Test
	Measures []Measure
	Targets  []string // in column order; "haproxy" is the reference
	Idle     []IdlePoint
	// IdleTest is the tunnel count the main table's memory row uses.
	IdleTest int
	IdleGoal float64
	Tables   []Table
	Notes    []string
}

const reference = "haproxy"

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Run of %s.\n\n", r.Date.Format("2006-01-02 15:04 MST"))
	list := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s:\n\n", title)
		for _, l := range lines {
			fmt.Fprintf(&b, "- %s\n", l)
		}
		b.WriteString("\n")
	}
	list("Machine", r.Machine)
	list("Versions", r.Versions)
	list("Settings", r.Settings)
	r.mainTable(&b)
	r.goalsTable(&b)
	r.idleTable(&b)
	for _, t := range r.Tables {
		t.markdown(&b)
	}
	list("Notes", r.Notes)
	return b.String()
}

func (r *Report) find(test, target string) (Measure, bool) {
	for _, m := range r.Measures {
		if m.Test == test && m.Target == target {
			return m, true
		}
	}
	return Measure{}, false
}

func (r *Report) mainTable(b *strings.Builder) {
	b.WriteString("## Proxy cost per operation\n\n")
	b.WriteString("| test | target | throughput | p50 | p99 | proxy CPU/op | × HAProxy | CPU spread | errors |\n")
	b.WriteString("|---|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range r.Tests {
		ref, hasRef := r.find(t.ID, reference)
		first := true
		for _, target := range r.Targets {
			m, ok := r.find(t.ID, target)
			if !ok {
				continue
			}
			title := ""
			if first {
				title = t.Title
				first = false
			}
			cpu, ratio, spread := "—", "—", "—"
			if m.CPUPerOp > 0 {
				cpu = Duration(m.CPUPerOp)
				spread = fmt.Sprintf("±%.0f%%", 50*m.Spread)
				if r := m.ratio(ref, hasRef); r > 0 {
					ratio = fmt.Sprintf("%.2f", r)
				}
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %d |\n",
				title, target, rate(m.Throughput, t.Unit), Duration(m.P50), Duration(m.P99), cpu, ratio, spread, m.Errors)
		}
	}
	if r.IdleTest > 0 {
		ref := r.idlePerTunnel(reference, r.IdleTest)
		first := true
		for _, target := range r.Targets {
			v := r.idlePerTunnel(target, r.IdleTest)
			if v <= 0 {
				continue
			}
			title := ""
			if first {
				title = fmt.Sprintf("memory per idle tunnel (RSS delta, %d tunnels)", r.IdleTest)
				first = false
			}
			ratio := "—"
			if ref > 0 {
				ratio = fmt.Sprintf("%.2f", v/ref)
			}
			fmt.Fprintf(b, "| %s | %s | | | | %s | %s | | |\n", title, target, Bytes(v), ratio)
		}
	}
	b.WriteString("\n")
}

// ratio is m's CPU per operation over HAProxy's: the median of the
// per-repetition ratios when there are some, else the ratio of medians.
func (m Measure) ratio(ref Measure, hasRef bool) float64 {
	if len(m.Ratios) > 0 {
		return Median(m.Ratios)
	}
	if hasRef && ref.CPUPerOp > 0 {
		return float64(m.CPUPerOp) / float64(ref.CPUPerOp)
	}
	return 0
}

// goalsTable compares hawser's ratios with the targets.
func (r *Report) goalsTable(b *strings.Builder) {
	b.WriteString("## hawser against the targets (hawser / HAProxy, same run)\n\n")
	b.WriteString("| test | hawser / HAProxy | target | met | each repetition |\n|---|---:|---:|---|---|\n")
	row := func(title string, ratio, goal float64, reps []float64) {
		met := "no"
		if ratio <= goal {
			met = "yes"
		}
		var each []string
		for _, v := range reps {
			each = append(each, fmt.Sprintf("%.2f", v))
		}
		fmt.Fprintf(b, "| %s | %.2f | ≤ %.1f | %s | %s |\n", title, ratio, goal, met, strings.Join(each, " "))
	}
	for _, t := range r.Tests {
		h, ok1 := r.find(t.ID, "hawser")
		ref, ok2 := r.find(t.ID, reference)
		if !ok1 || !ok2 || t.Goal == 0 {
			continue
		}
		if v := h.ratio(ref, true); v > 0 {
			row(t.Title, v, t.Goal, h.Ratios)
		}
	}
	if h, ref := r.idlePerTunnel("hawser", r.IdleTest), r.idlePerTunnel(reference, r.IdleTest); h > 0 && ref > 0 {
		row(fmt.Sprintf("memory per idle tunnel (%d tunnels)", r.IdleTest), h/ref, r.IdleGoal, nil)
	}
	b.WriteString("\n")
}

// Median returns the median of v (0 when empty).
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func (r *Report) idlePerTunnel(target string, n int) float64 {
	for _, p := range r.Idle {
		if p.Target == target && p.Tunnels == n {
			return float64(p.RSSDelta) / float64(n)
		}
	}
	return 0
}

// idleTable is the RSS curve: per-tunnel memory at each step.
func (r *Report) idleTable(b *strings.Builder) {
	if len(r.Idle) == 0 {
		return
	}
	var steps []int
	for _, p := range r.Idle {
		if !slices.Contains(steps, p.Tunnels) {
			steps = append(steps, p.Tunnels)
		}
	}
	slices.Sort(steps)
	t := Table{
		Title:   "RSS against idle tunnels",
		Note:    "Resident memory over the proxy's baseline (after a warm-up), total and per tunnel. A straight line means no cliff.",
		Columns: []string{"target"},
	}
	for _, n := range steps {
		t.Columns = append(t.Columns, fmt.Sprintf("%d tunnels", n))
	}
	for _, target := range r.Targets {
		row := []string{target}
		any := false
		for _, n := range steps {
			v := "—"
			for _, p := range r.Idle {
				if p.Target == target && p.Tunnels == n {
					v = fmt.Sprintf("%s (%s each)", Bytes(float64(p.RSSDelta)), Bytes(float64(p.RSSDelta)/float64(n)))
					any = true
				}
			}
			row = append(row, v)
		}
		if any {
			t.Rows = append(t.Rows, row)
		}
	}
	t.markdown(b)
}

func (t Table) markdown(b *strings.Builder) {
	fmt.Fprintf(b, "## %s\n\n", t.Title)
	if t.Note != "" {
		fmt.Fprintf(b, "%s\n\n", t.Note)
	}
	fmt.Fprintf(b, "| %s |\n|", strings.Join(t.Columns, " | "))
	for i := range t.Columns {
		if i == 0 {
			b.WriteString("---|")
		} else {
			b.WriteString("---:|")
		}
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		fmt.Fprintf(b, "| %s |\n", strings.Join(row, " | "))
	}
	b.WriteString("\n")
}

// Duration formats a duration with three significant digits.
func Duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Microsecond:
		return fmt.Sprintf("%d ns", d.Nanoseconds())
	case d < time.Millisecond:
		return fmt.Sprintf("%.3g µs", float64(d)/float64(time.Microsecond))
	case d < time.Second:
		return fmt.Sprintf("%.3g ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.3g s", d.Seconds())
}

// Bytes formats a size in B, KiB or MiB.
func Bytes(v float64) string {
	switch {
	case v < 1024:
		return fmt.Sprintf("%.0f B", v)
	case v < 1<<20:
		return fmt.Sprintf("%.3g KiB", v/1024)
	}
	return fmt.Sprintf("%.3g MiB", v/(1<<20))
}

func rate(v float64, unit string) string {
	if v <= 0 {
		return "—"
	}
	if v >= 10000 {
		return fmt.Sprintf("%.0f %s/s", v, unit)
	}
	return fmt.Sprintf("%.3g %s/s", v, unit)
}
