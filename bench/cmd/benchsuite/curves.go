package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/hawser-lb/hawser/bench/curves"
	"github.com/hawser-lb/hawser/bench/report"
)

// runCurves measures the scaling curves in this process and adds them to
// the report as tables.
func (s *suite) runCurves(ctx context.Context, r *report.Report) error {
	logf("curves: ACL evaluation")
	acl, err := curves.ACL()
	if err != nil {
		return err
	}
	r.Tables = append(r.Tables, curveTable("ACL evaluation against the number of rules",
		"One request matching none of N `use_backend bI if rI` rules, each `acl rI <fetch> <pattern I>` (every rule is evaluated: the worst case). Time per request.",
		"rules", acl, duration))
	if err := ctx.Err(); err != nil {
		return err
	}
	logf("curves: server choice")
	bal, err := curves.Balance()
	if err != nil {
		return err
	}
	r.Tables = append(r.Tables, curveTable("Server choice against the number of servers",
		"One pick and the release of its slot, servers of weights 1 to 7. Time per choice.",
		"servers", bal, duration))
	if err := ctx.Err(); err != nil {
		return err
	}
	logf("curves: configuration compile and reload")
	cmp, err := curves.Compile(s.port(20))
	if err != nil {
		return err
	}
	r.Tables = append(r.Tables, curveTable("Configuration compile and reload time against the number of backends",
		"A frontend with one Host ACL and use_backend rule per backend, two servers each. parse: text to typed configuration; compile: to a runnable engine (ACLs, balancers, addresses); reload: a running engine rebuilt with it (its listener kept).",
		"backends", cmp, duration))
	return nil
}

func duration(ns float64) string { return report.Duration(time.Duration(ns)) }

// curveTable lays points out with one row per variant and one column per
// size.
func curveTable(title, note, what string, pts []curves.Point, format func(float64) string) report.Table {
	var names []string
	var sizes []int
	for _, p := range pts {
		if !slices.Contains(names, p.Name) {
			names = append(names, p.Name)
		}
		if !slices.Contains(sizes, p.N) {
			sizes = append(sizes, p.N)
		}
	}
	slices.Sort(sizes)
	t := report.Table{Title: title, Note: note, Columns: []string{""}}
	for _, n := range sizes {
		t.Columns = append(t.Columns, strconv.Itoa(n)+" "+what)
	}
	t.Columns = append(t.Columns, "allocs/op")
	for _, name := range names {
		row := []string{name}
		allocs := int64(0)
		for _, n := range sizes {
			v := "—"
			for _, p := range pts {
				if p.Name == name && p.N == n {
					v = format(p.NsPerOp)
					allocs = max(allocs, p.AllocsOp)
				}
			}
			row = append(row, v)
		}
		row = append(row, fmt.Sprint(allocs))
		t.Rows = append(t.Rows, row)
	}
	return t
}
