package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// piiKeyFile is the key file of the applicants' personal data, in --data.
func piiKeyFile(f *dbFlags) string { return filepath.Join(f.data, "pii.key") }

// loadPII returns the sealer for the server and the key file to watch
// ("" when the keys come from MINGBAI_PII_KEY). On SQLite a missing key
// file is created. On PostgreSQL, where several instances share the data,
// the keys must already exist (MINGBAI_PII_KEY, or a key file made once
// with 'mingbai pii new-key' and copied to every instance): an instance
// that made its own key would seal data the others cannot read.
func loadPII(f *dbFlags) (*pii.Sealer, string, error) {
	path := piiKeyFile(f)
	if os.Getenv(pii.EnvKey) != "" {
		path = ""
	} else if f.db != "" {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("personal-data keys: with PostgreSQL set %s or create %s once with 'mingbai pii new-key' and copy it to every instance", pii.EnvKey, path)
		}
	}
	ring, err := pii.LoadKeyring(piiKeyFile(f))
	if err != nil {
		return nil, "", err
	}
	s, err := pii.NewSealer(ring)
	return s, path, err
}

// watchKeyFile reloads the key file when it changes (checked every 30
// seconds) or on SIGHUP, so that 'mingbai pii rotate-key' needs no
// restart. A file that does not open the stored data is refused and the
// old keys stay in use.
func watchKeyFile(ctx context.Context, path string, db *store.DB, log *slog.Logger) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	t := time.NewTicker(KeyReloadInterval)
	defer t.Stop()
	last := modTime(path)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-t.C:
			if m := modTime(path); m.Equal(last) {
				continue
			}
		}
		last = modTime(path)
		ring, err := pii.LoadOrCreateKeyFile(path)
		if err != nil {
			log.Error("reload personal-data keys", "file", path, "err", err)
			continue
		}
		s, err := pii.NewSealer(ring)
		if err != nil {
			log.Error("reload personal-data keys", "file", path, "err", err)
			continue
		}
		old := db.PII()
		db.SetPII(s)
		if err := db.CheckPIIKey(ctx); err != nil {
			db.SetPII(old)
			log.Error("refused new personal-data keys: they do not open the stored data", "file", path, "err", err)
			continue
		}
		log.Info("personal-data keys reloaded", "file", path, "keys", ring.String())
	}
}

// KeyReloadInterval is how often a running server looks at the key file.
const KeyReloadInterval = 30 * time.Second

func modTime(path string) time.Time {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

func runPII(args []string, stdout, stderr io.Writer) int {
	subs := map[string]string{
		"new-key":       "create the key file <data>/pii.key if it does not exist",
		"status":        "show the keys and how many stored values each seals",
		"rotate-key":    "add a new key, wait for running servers to load it, re-seal every value under it",
		"reseal":        "re-seal every value not under the current key (resumes an interrupted rotation)",
		"drop-old-keys": "remove keys that no stored value uses any more",
	}
	if len(args) == 0 || subs[args[0]] == "" {
		subcommands(stderr, "pii", subs)
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("pii "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f dbFlags
	f.register(fs)
	grace := fs.Duration("grace", KeyReloadInterval+15*time.Second, "rotate-key: wait this long after writing the new key before re-sealing, so running servers load it first")
	batch := fs.Int("batch", 200, "rows re-sealed per transaction")
	if err := parseFlags(fs, args[1:]); err != nil {
		return 2
	}
	path := piiKeyFile(&f)
	if sub == "new-key" {
		if _, err := pii.LoadOrCreateKeyFile(path); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "key file %s ready; back it up and keep it secret\n", path)
		return 0
	}
	if sub != "status" && os.Getenv(pii.EnvKey) != "" {
		fmt.Fprintf(stderr, "mingbai: keys come from %s, which this command cannot change. Add a new key as \"N:SECRET\" (32 random bytes in hex) to %s, restart the instances one by one, then run 'mingbai pii reseal' and finally remove the old key from the variable.\n", pii.EnvKey, pii.EnvKey)
		return 1
	}
	ctx := cliContext()
	log := f.logger(stderr)
	db, err := f.openChecked(ctx, log)
	if err != nil {
		return fail(stderr, err)
	}
	defer db.Close()
	ring, err := pii.LoadKeyring(path)
	if err != nil {
		return fail(stderr, err)
	}
	sealer, err := pii.NewSealer(ring)
	if err != nil {
		return fail(stderr, err)
	}
	db.SetPII(sealer)
	if err := db.CheckPIIKey(ctx); err != nil {
		return fail(stderr, err)
	}
	printUsage := func(r *pii.Keyring) int {
		use, err := db.PIIKeyUsage(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		for _, id := range r.IDs() {
			cur := ""
			if id == r.Current() {
				cur = " (current)"
			}
			fmt.Fprintf(stdout, "key %d%s: %d values\n", id, cur, use[id])
			delete(use, id)
		}
		for id, n := range use {
			fmt.Fprintf(stdout, "key %d (MISSING from the ring): %d values\n", id, n)
		}
		return 0
	}
	switch sub {
	case "status":
		return printUsage(ring)
	case "rotate-key":
		next, err := ring.WithNewKey()
		if err != nil {
			return fail(stderr, err)
		}
		if err := pii.WriteKeyFile(path, next); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "added key %d to %s (the old keys stay until 'pii drop-old-keys')\n", next.Current(), path)
		if f.db != "" {
			fmt.Fprintf(stdout, "PostgreSQL: copy %s to every instance now (they reload it within %s)\n", path, KeyReloadInterval)
		}
		fmt.Fprintf(stdout, "waiting %s for running servers to load the new key …\n", *grace)
		time.Sleep(*grace)
		ring = next
	case "reseal":
	case "drop-old-keys":
		use, err := db.PIIKeyUsage(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		next := ring
		for _, id := range ring.IDs() {
			if id == ring.Current() {
				continue
			}
			if use[id] > 0 {
				fmt.Fprintf(stderr, "mingbai: key %d still seals %d values; run 'mingbai pii reseal' first\n", id, use[id])
				return 1
			}
			if next, err = next.WithoutKey(id); err != nil {
				return fail(stderr, err)
			}
		}
		if err := pii.WriteKeyFile(path, next); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "key file %s now holds key %d only\n", path, next.Current())
		return printUsage(next)
	}
	s, err := pii.NewSealer(ring)
	if err != nil {
		return fail(stderr, err)
	}
	n, err := db.ResealPII(ctx, s, *batch)
	fmt.Fprintf(stdout, "re-sealed %d values under key %d\n", n, ring.Current())
	if err != nil {
		return fail(stderr, err)
	}
	return printUsage(ring)
}
