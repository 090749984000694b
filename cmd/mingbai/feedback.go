package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"mingbai/internal/feedback"
	"mingbai/internal/store"
)

// runFeedback is `mingbai feedback …`: independent checks of the
// feedback area.
func runFeedback(args []string, stdout, stderr io.Writer) int {
	subs := map[string]string{
		"verify-draw": "verify-draw --draw N [--export FILE] | --file FILE: recompute a callback draw from its snapshot, hash, seed and parameters",
	}
	if len(args) == 0 || subs[args[0]] == "" {
		subcommands(stderr, "feedback", subs)
		return 2
	}
	return runVerifyDraw(args[1:], stdout, stderr)
}

// runVerifyDraw recomputes a stored draw. With --draw it reads the draw
// from the database (and with --export also writes its evidence as JSON,
// for anyone to check without database access); with --file it checks such
// an evidence file alone. Exit 0: the stored sample is exactly what the
// rule gives; exit 1: it is not, and the first difference is named.
func runVerifyDraw(args []string, stdout, stderr io.Writer) int {
	fs := newDBCommand("feedback verify-draw", stderr)
	id := fs.Int64("draw", 0, "id of the draw in the database")
	file := fs.String("file", "", "verify an evidence file written by --export instead of the database")
	export := fs.String("export", "", "also write the draw's evidence (snapshot, hash, seed, parameters, sample) to this JSON file")
	if err := parseFlags(fs.FlagSet, args); err != nil {
		return 2
	}
	var ev store.DrawEvidence
	switch {
	case *file != "":
		b, err := os.ReadFile(*file)
		if err != nil {
			return fail(stderr, err)
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			fmt.Fprintf(stderr, "%s: not a draw evidence file: %v\n", *file, err)
			return 1
		}
	case *id > 0:
		ctx := cliContext()
		db, err := fs.db.openChecked(ctx, fs.db.logger(stderr))
		if err != nil {
			return fail(stderr, err)
		}
		defer db.Close()
		if ev, err = db.DrawEvidence(ctx, *id); err != nil {
			return fail(stderr, err)
		}
	default:
		fmt.Fprintln(stderr, "give --draw N or --file FILE")
		return 2
	}
	if *export != "" {
		b, err := json.MarshalIndent(ev, "", "  ")
		if err == nil {
			err = os.WriteFile(*export, append(b, '\n'), 0o644)
		}
		if err != nil {
			return fail(stderr, err)
		}
	}
	d := ev.Draw
	fmt.Fprintf(stdout, "draw %d %q: %d snapshot records, sha256 %s, seed %q, n=%d %s min=%d\n",
		d.ID, d.Name, len(ev.Snapshot), d.SnapshotHash, d.Seed, d.N, d.Allocation, d.Min)
	if d.Seed == "" {
		fmt.Fprintln(stderr, "the draw has no seed yet: nothing is drawn")
		return 1
	}
	if err := feedback.Verify(ev.Snapshot, d.SnapshotHash, d.Seed, d.Params(), ev.Sample); err != nil {
		fmt.Fprintf(stderr, "draw %d does NOT verify: %v\n", d.ID, err)
		return 1
	}
	keys := make([]string, 0, len(ev.Sample))
	for k := range ev.Sample {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "  %s: %v\n", k, ev.Sample[k])
	}
	fmt.Fprintf(stdout, "draw %d verified: the stored sample is the one the seed gives\n", d.ID)
	return 0
}
