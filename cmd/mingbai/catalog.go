package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"mingbai/internal/store"
)

// runCatalog imports and exports the service-guide catalogue with the same
// store functions as the API: an import is all or nothing and lists every
// problem by item code and field.
func runCatalog(args []string, stdout, stderr io.Writer) int {
	subs := map[string]string{
		"import": "import FILE: publish a new version of every item in a catalogue file (all or nothing)",
		"export": "export [--to FILE]: write the published catalogue (stdout by default)",
	}
	if len(args) == 0 || subs[args[0]] == "" {
		subcommands(stderr, "catalog", subs)
		return 2
	}
	fs := flag.NewFlagSet("catalog "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f dbFlags
	f.register(fs)
	to := fs.String("to", "", "export: file to write (default: standard output)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return 2
	}
	ctx := cliContext()
	switch args[0] {
	case "import":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "usage: mingbai catalog import [flags] FILE")
			return 2
		}
		data, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return fail(stderr, err)
		}
		db, err := f.openChecked(ctx, f.logger(stderr))
		if err != nil {
			return fail(stderr, err)
		}
		defer db.Close()
		res, err := db.ImportCatalog(ctx, data)
		var ce *store.CatalogError
		if errors.As(err, &ce) {
			// The terminal gets the problems in English, one per line.
			fmt.Fprintf(stderr, "mingbai: %s: rejected, the catalogue is unchanged\n%v\n", fs.Arg(0), ce.Problems)
			return 1
		}
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "imported %d items (%d new); each has a new published version\n", res.Items, res.Created)
	case "export":
		db, err := f.openChecked(ctx, f.logger(stderr))
		if err != nil {
			return fail(stderr, err)
		}
		defer db.Close()
		data, err := db.ExportCatalog(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		if *to == "" {
			_, err = stdout.Write(data)
		} else {
			err = os.WriteFile(*to, data, 0o644)
		}
		if err != nil {
			return fail(stderr, err)
		}
	}
	return 0
}
