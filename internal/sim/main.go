package sim

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Main is the entry point of `mingbai sim`. It simulates hall days under
// several dispatch policies on common traces and prints the policy table
// with the pooled bound and the wait-estimate table. The same flags give
// the same output. It returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	scenario := fs.String("scenario", "reference", "scenario name ("+strings.Join(Scenarios(), ", ")+") or path to a JSON file")
	days := fs.Int("days", 1000, "number of simulated days")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same numbers")
	policies := fs.String("policies", "", "comma-separated policies (default: all)")
	format := fs.String("format", "table", "output format: table or json")
	k := fs.Int("k", 0, "green-channel bound K (0 = default)")
	estimates := fs.Bool("estimates", true, "compare the wait estimators")
	knownSpeed := fs.Bool("known-speed", false, "let the estimators know each staff member's speed factor")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !validFormat("sim", *format, stderr) {
		return 2
	}
	sc, err := LoadScenario(*scenario)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	cfg := Config{Scenario: sc, Days: *days, Seed: *seed, K: *k, Estimates: *estimates, KnownSpeed: *knownSpeed}
	if *policies != "" {
		for _, p := range strings.Split(*policies, ",") {
			cfg.Policies = append(cfg.Policies, strings.TrimSpace(p))
		}
	}
	rep, err := Simulate(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return writeOutput(*format, rep, func() { WriteTable(stdout, rep) }, stdout, stderr)
}

// validFormat checks --format before any simulation runs, so a typo does
// not cost a long run.
func validFormat(cmd, format string, stderr io.Writer) bool {
	if format == "table" || format == "json" {
		return true
	}
	fmt.Fprintf(stderr, "%s: unknown format %q (table or json)\n", cmd, format)
	return false
}

// writeOutput prints v as indented JSON, or as the table that table prints.
func writeOutput(format string, v any, table func(), stdout, stderr io.Writer) int {
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	table()
	return 0
}

// WriteTable prints a report as plain-text tables.
func WriteTable(w io.Writer, rep *Report) {
	fmt.Fprintf(w, "scenario %s: %d days, seed %d, %d tickets (%.1f a day), green-channel bound K=%d\n\n",
		rep.Scenario, rep.Days, rep.Seed, rep.Tickets, rep.PerDay, rep.K)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "policy\tmean\tp50\tp90\tp95\tmax\tmed day max\t≤10 min\tJain\tovertakes/100\tworst item p95/p95\tmean/pooled\t")
	for _, p := range rep.Policies {
		fmt.Fprintf(tw, "%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.1f\t%.1f\t%.1f%%\t%.3f\t%.1f\t%.2f\t%.2f\t\n",
			p.Policy, p.Mean, p.P50, p.P90, p.P95, p.Max, p.MedianDayMax, 100*p.Within10, p.Jain, p.OvertakesPer100, p.WorstItemRatio, p.VsBound)
	}
	tw.Flush()
	fmt.Fprintln(w)
	if len(rep.Policies) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "mean / p95 by zone\t")
		for _, z := range rep.Policies[0].Zones {
			fmt.Fprintf(tw, "%s\t", z.Code)
		}
		fmt.Fprintln(tw)
		for _, p := range rep.Policies {
			fmt.Fprintf(tw, "%s\t", p.Policy)
			for _, z := range p.Zones {
				fmt.Fprintf(tw, "%.1f / %.1f\t", z.Mean, z.P95)
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "mean wait by hour of issue\t")
		for _, h := range rep.Policies[0].Hours {
			fmt.Fprintf(tw, "%02d\t", h.Hour)
		}
		fmt.Fprintln(tw)
		for _, p := range rep.Policies {
			fmt.Fprintf(tw, "%s\t", p.Policy)
			for _, h := range p.Hours {
				fmt.Fprintf(tw, "%.1f\t", h.Mean)
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		fmt.Fprintln(w)
	}
	if len(rep.Estimates) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "estimator\tMAE\tRASE\tbias\tMAE delayed\tRASE delayed\tMAE/best of ql,hol,les\t")
		for _, e := range rep.Estimates {
			fmt.Fprintf(tw, "%s\t%.2f\t%.3f\t%+.2f\t%.2f\t%.3f\t%.2f\t\n", e.Estimator, e.MAE, e.RASE, e.Bias, e.MAEDelayed, e.RASEDelayed, e.VsBestClassical)
		}
		tw.Flush()
		if e := rep.Estimates[0]; e.N > 0 {
			fmt.Fprintf(w, "(%d tickets, %d delayed; minutes)\n", e.N, e.NDelayed)
		}
		fmt.Fprintln(w)
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(w, "- "+n)
	}
}
