package main

import (
	"fmt"
	"io"
)

// Check is one figure of the closing summary of targets and peers: the
// median of one metric of Entry, divided by Versus's median when Versus is
// set, held against Want when Want is set (at least Want where the metric is
// higher-better, at most Want otherwise).
type Check struct {
	Entry  string
	Versus string
	Metric int
	Want   float64
	Note   string
}

// checkSummary writes every check of the workloads that ran as one table.
// It writes nothing when none has checks.
func checkSummary(out io.Writer, ws []Workload, all [][]Result) {
	var rows [][]string
	for i, w := range ws {
		for _, c := range w.Checks {
			if ran(all[i], c.Entry) && (c.Versus == "" || ran(all[i], c.Versus)) {
				rows = append(rows, checkRow(w, all[i], c))
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(out, "## Summary: targets and peers")
	fmt.Fprintln(out)
	fmt.Fprintln(out, "Each value is a median over the runs; a ratio divides the first entry's median by the second's. "+
		"↑ higher is better, ↓ lower is better.")
	fmt.Fprintln(out)
	row(out, []string{"section", "figure", "metric", "value", "target", "met", "note"})
	row(out, []string{"---", "---", "---", "---:", "---:", "---", "---"})
	for _, r := range rows {
		row(out, r)
	}
	fmt.Fprintln(out)
}

// checkRow evaluates c against w's results.
func checkRow(w Workload, res []Result, c Check) []string {
	m := w.Metrics[c.Metric]
	arrow, cmp := "↓", "≤"
	if m.Higher {
		arrow, cmp = "↑", "≥"
	}
	section := w.Title
	figure := c.Entry
	format := m.Format
	mine := medians(res, c.Entry)
	var value float64
	ok := mine != nil
	if ok {
		value = mine[c.Metric]
	}
	if c.Versus != "" {
		figure += " ÷ " + c.Versus
		format = fmtRatio
		theirs := medians(res, c.Versus)
		ok = ok && theirs != nil && theirs[c.Metric] != 0
		if ok {
			value /= theirs[c.Metric]
		}
	}
	cells := []string{section, figure, m.Name + " " + arrow, "–", "–", "–", c.Note}
	if c.Want != 0 {
		cells[4] = cmp + " " + format(c.Want)
	}
	if !ok {
		return cells
	}
	cells[3] = format(value)
	if c.Want != 0 {
		met := value <= c.Want
		if m.Higher {
			met = value >= c.Want
		}
		cells[5] = "yes"
		if !met {
			cells[5] = "**no**"
		}
	}
	return cells
}

// ran reports whether the entry called name was among the rows measured
// (-with may leave it out).
func ran(res []Result, name string) bool {
	for _, r := range res {
		if r.Entry.Name == name {
			return true
		}
	}
	return false
}
