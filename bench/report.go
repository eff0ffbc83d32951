package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// report writes w's results as one Markdown table.
func report(out io.Writer, w Workload, res []Result) {
	fmt.Fprintf(out, "## %s\n\n%s\n\n", w.Title, w.What)
	head := []string{"contender"}
	for _, m := range w.Metrics {
		head = append(head, m.Name+" (median)", "min–max")
		if m.Ratio {
			head = append(head, ratioTitle(w, m))
		}
		if w.Percent != nil && m.Name == w.Metrics[0].Name {
			head = append(head, w.Percent.Title)
		}
	}
	head = append(head, "note")
	row(out, head)
	sep := make([]string, len(head))
	for i := range sep {
		sep[i] = "---"
		if i > 0 && i < len(sep)-1 {
			sep[i] = "---:"
		}
	}
	row(out, sep)

	pct := percentBase(w, res)
	bases := map[string]bool{}
	for _, r := range res {
		bases[w.baseOf(r.Entry)] = true
	}
	for _, r := range res {
		base := medians(res, w.baseOf(r.Entry))
		cells := []string{r.Entry.Name}
		if strings.HasPrefix(r.Entry.Name, "threadsystem") {
			cells[0] = "**" + r.Entry.Name + "**"
		}
		switch {
		case r.Entry.Name == baselineName && bases[baselineName]:
			cells[0] = "**" + r.Entry.Name + "** (baseline)"
		case bases[r.Entry.Name]:
			cells[0] += " (base)"
		}
		for m, metric := range w.Metrics {
			if len(r.Samples[m]) == 0 {
				cells = append(cells, "–", "–")
				if metric.Ratio {
					cells = append(cells, "–")
				}
				if w.Percent != nil && m == 0 {
					cells = append(cells, "–")
				}
				continue
			}
			med, lo, hi := stats(r.Samples[m])
			cells = append(cells, metric.Format(med), metric.Format(lo)+"–"+metric.Format(hi))
			if metric.Ratio {
				cells = append(cells, ratio(med, base, m))
			}
			if w.Percent != nil && m == 0 {
				cells = append(cells, percent(med, pct))
			}
		}
		note := r.Entry.Note
		if r.Failed > 0 {
			note = strings.TrimPrefix(fmt.Sprintf("%s; %d of %d runs failed: %v", note, r.Failed, r.Failed+len(r.Samples[0]), r.Why), "; ")
		}
		cells = append(cells, note)
		row(out, cells)
	}
	fmt.Fprintln(out)
}

// ratioTitle names the ratio column's base and says which way is better.
func ratioTitle(w Workload, m Metric) string {
	base := "baseline"
	if !w.onBaseline() {
		base = "base"
	}
	if m.Higher {
		return "× " + base + " (higher better)"
	}
	return "× " + base + " (lower better)"
}

// medians returns the per-metric medians of the entry called name, or nil.
func medians(res []Result, name string) []float64 {
	for _, r := range res {
		if r.Entry.Name != name {
			continue
		}
		var out []float64
		for _, s := range r.Samples {
			if len(s) == 0 {
				return nil
			}
			med, _, _ := stats(s)
			out = append(out, med)
		}
		return out
	}
	return nil
}

// percentBase resolves the base of w's percent column.
func percentBase(w Workload, res []Result) float64 {
	if w.Percent == nil {
		return 0
	}
	if w.Percent.Entry == "" {
		return w.Percent.Base
	}
	if m := medians(res, w.Percent.Entry); m != nil {
		return m[0]
	}
	return 0
}

func ratio(v float64, base []float64, m int) string {
	if base == nil || base[m] == 0 {
		return "–"
	}
	return fmtRatio(v / base[m])
}

// fmtRatio prints a ratio with two decimals, or one significant digit
// below 0.01 so that a tiny ratio does not read as zero.
func fmtRatio(r float64) string {
	if r > 0 && r < 0.01 {
		return fmt.Sprintf("%.1g×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}

func percent(v, base float64) string {
	if base == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f%%", 100*v/base)
}

func row(out io.Writer, cells []string) {
	fmt.Fprintf(out, "| %s |\n", strings.Join(cells, " | "))
}

// fmtRate prints a jobs/s figure with an M or k suffix.
func fmtRate(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.2f M", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0f k", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// fmtCount prints a count with thousands separators.
func fmtCount(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtDur prints a duration with three significant digits.
func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return sig3(d.Seconds()) + " s"
	case d >= time.Millisecond:
		return sig3(float64(d)/1e6) + " ms"
	case d >= time.Microsecond:
		return sig3(float64(d)/1e3) + " µs"
	}
	return fmt.Sprintf("%d ns", int64(math.Round(float64(d))))
}

// sig3 prints v with three significant digits and no exponent (999.7 is
// "1000", not "1e+03").
func sig3(v float64) string {
	s := fmt.Sprintf("%.3g", v)
	if strings.ContainsRune(s, 'e') {
		s = fmt.Sprintf("%.0f", v)
	}
	return s
}

// summary writes one table of every contender's ratio to the baseline, one
// column per workload on that baseline, taking each workload's first ratio
// metric. It writes nothing when no such workload ran.
func summary(out io.Writer, ws []Workload, all [][]Result) {
	var onBase []Workload
	var onRes [][]Result
	for i, w := range ws {
		if w.onBaseline() {
			onBase, onRes = append(onBase, w), append(onRes, all[i])
		}
	}
	if len(onBase) == 0 {
		return
	}
	ws, all = onBase, onRes
	fmt.Fprintf(out, "## Summary: × baseline (%s)\n\n", baselineName)
	fmt.Fprintln(out, "Each cell is the contender's median divided by the baseline's; ↑ higher is better, ↓ lower is better.")
	fmt.Fprintln(out)
	head := []string{"contender"}
	var names []string
	seen := map[string]bool{}
	for i, w := range ws {
		if m := firstRatio(w); m >= 0 {
			arrow := "↓"
			if w.Metrics[m].Higher {
				arrow = "↑"
			}
			head = append(head, fmt.Sprintf("%s %s %s", strings.SplitN(w.Title, " ", 2)[0], w.Metrics[m].Name, arrow))
		}
		for _, r := range all[i] {
			if !seen[r.Entry.Name] {
				seen[r.Entry.Name] = true
				names = append(names, r.Entry.Name)
			}
		}
	}
	row(out, head)
	sep := []string{"---"}
	for range head[1:] {
		sep = append(sep, "---:")
	}
	row(out, sep)
	for _, name := range names {
		cells := []string{name}
		for i, w := range ws {
			m := firstRatio(w)
			if m < 0 {
				continue
			}
			base, mine := medians(all[i], baselineName), medians(all[i], name)
			if mine == nil {
				cells = append(cells, "–")
				continue
			}
			cells = append(cells, ratio(mine[m], base, m))
		}
		row(out, cells)
	}
	fmt.Fprintln(out)
}

// firstRatio is the index of w's first metric with a ratio, or -1.
func firstRatio(w Workload) int {
	for i, m := range w.Metrics {
		if m.Ratio {
			return i
		}
	}
	return -1
}
