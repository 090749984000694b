package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

type command struct {
	name, summary string
	run           func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"serve", "run the hall server (--demo seeds a demo hall on an empty database)", runServe},
		{"migrate", "apply pending database migrations", runMigrate},
		{"user", "manage accounts: add, list, passwd, role, disable, enable", runUser},
		{"token", "manage API tokens: create, list, revoke", runToken},
		{"audit", "audit log: verify, list", runAudit},
		{"backup", "online backup of the SQLite database: backup --to FILE", runBackup},
		{"catalog", "service-guide catalogue: import FILE, export [--to FILE]", runCatalog},
		{"pii", "personal-data keys: new-key, status, rotate-key, reseal, drop-old-keys", runPII},
		{"notify", "SMS: run [--hall H --day D] sends reminder campaigns and the outbox until done; import --hall H FILE loads contributors", runNotify},
		{"feedback", "ratings and callbacks: verify-draw --draw N | --file FILE", runFeedback},
		{"sim", "simulate hall days: dispatch policies and wait estimates side by side", runSim},
		{"staffing", "staffing advisor: window skills and hourly staffing for a target", runStaffing},
		{"rollup", "report rollups: rebuild (with progress and time), check against the raw rows, flush", runRollup},
		{"soak", "reliability soaks: crash, instance-loss, backup, failover, load (docs/reliability.md)", runSoak},
		{"bench", "server benchmarks on this machine: issue, call, latency, fan-out, monthly report", runBench},
		{"version", "print the version", runVersion},
	}
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "mingbai: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "mingbai %s — %s\n\nUsage: mingbai COMMAND [flags]\n\nCommands:\n", version, i18n.T(i18n.En, "app.tagline"))
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nEvery flag can also be set as MINGBAI_<FLAG> in the environment (e.g. MINGBAI_DB, MINGBAI_DATA).\nRun 'mingbai COMMAND -h' for a command's flags.\n")
}

// dbFlags are the storage flags shared by the commands.
type dbFlags struct {
	data, db, sync, logFormat, logLevel string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.data, "data", "./data", "data directory: the embedded SQLite database and the keys")
	fs.StringVar(&f.db, "db", "", "PostgreSQL DSN (postgres://…); when empty the embedded SQLite database in --data is used")
	fs.StringVar(&f.sync, "synchronous", "FULL", "SQLite synchronous mode: FULL (an acknowledged write survives power loss) or NORMAL")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn, error")
}

// parseFlags parses args after filling defaults from MINGBAI_* variables,
// so that flags given on the command line win over the environment.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		key := "MINGBAI_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(key); ok {
			if err := f.Value.Set(v); err != nil && envErr == nil {
				envErr = fmt.Errorf("%s: %w", key, err)
			}
		}
	})
	if envErr != nil {
		return envErr
	}
	// Flags may follow positional arguments ("token revoke 15 --data DIR"):
	// the standard parser stops at the first positional, which silently
	// ignored the flags after it. Everything after "--" is positional.
	rest := []string{}
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append(append([]string{"--"}, pos...), rest...))
}

func (f *dbFlags) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(f.logLevel))
	opts := &slog.HandlerOptions{Level: level}
	if f.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func (f *dbFlags) open(ctx context.Context, log *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, store.Config{DSN: f.db, Dir: f.data, Synchronous: f.sync})
	if err != nil {
		return nil, err
	}
	db.Log = log
	return db, nil
}

// openChecked opens the database and refuses a schema that does not match.
func (f *dbFlags) openChecked(ctx context.Context, log *slog.Logger) (*store.DB, error) {
	db, err := f.open(ctx, log)
	if err != nil {
		return nil, err
	}
	if err := db.CheckSchema(ctx); err != nil {
		db.Close()
		return nil, describe(err)
	}
	return db, nil
}

// describe renders an application error in English for the terminal.
func describe(err error) error {
	if e := apperr.As(err); e != nil {
		msg := i18n.T(i18n.En, e.Key, e.Args...)
		for _, d := range e.Details {
			msg += "\n  " + strings.TrimSpace(d.Ref+" "+d.Field+": "+d.Message)
		}
		return fmt.Errorf("%s", msg)
	}
	return err
}

func fail(stderr io.Writer, err error) int {
	fmt.Fprintln(stderr, "mingbai:", describe(err))
	return 1
}

func subcommands(w io.Writer, name string, subs map[string]string) {
	fmt.Fprintf(w, "Usage: mingbai %s SUBCOMMAND [flags]\n\n", name)
	keys := make([]string, 0, len(subs))
	for k := range subs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  %-8s %s\n", k, subs[k])
	}
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stdout, "mingbai", version)
	return 0
}

// dbCommand is a subcommand's flag set with the shared storage flags.
type dbCommand struct {
	*flag.FlagSet
	db     dbFlags
	stderr io.Writer
}

func newDBCommand(name string, stderr io.Writer) *dbCommand {
	c := &dbCommand{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), stderr: stderr}
	c.SetOutput(stderr)
	c.db.register(c.FlagSet)
	return c
}

// open parses args and opens the database, refusing a schema that does not
// match the binary. On failure the database is nil and code is the exit
// code to return.
func (c *dbCommand) open(args []string) (ctx context.Context, db *store.DB, code int) {
	if err := parseFlags(c.FlagSet, args); err != nil {
		return nil, nil, 2
	}
	if c.NArg() > 0 {
		// Every value of these commands is a flag: a stray argument is
		// refused rather than ignored ("token revoke 15" means --id 15).
		fmt.Fprintf(c.stderr, "mingbai %s: unexpected argument %q; these commands take flags only (e.g. --id %s)\n", c.Name(), c.Arg(0), c.Arg(0))
		return nil, nil, 2
	}
	// These commands work on an existing installation: they never create an
	// empty database (in ./data or anywhere else) by accident.
	if c.db.db == "" {
		path := filepath.Join(c.db.data, "mingbai.db")
		if _, err := os.Stat(path); err != nil {
			fmt.Fprintf(c.stderr, "mingbai: no database at %s: pass --data DIR (or --db URL) of an installation, or create one with mingbai migrate or mingbai serve\n", path)
			return nil, nil, 1
		}
	}
	ctx = cliContext()
	db, err := c.db.openChecked(ctx, c.db.logger(c.stderr))
	if err != nil {
		return nil, nil, fail(c.stderr, err)
	}
	return ctx, db, 0
}
