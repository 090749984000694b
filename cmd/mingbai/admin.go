package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/store"
)

func cliContext() context.Context {
	return store.WithActor(context.Background(), store.Actor{Name: "cli", Role: "admin", Source: "cli"})
}

func runMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f dbFlags
	f.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return 2
	}
	ctx := cliContext()
	db, err := f.open(ctx, f.logger(stderr))
	if err != nil {
		return fail(stderr, err)
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		return fail(stderr, err)
	}
	v, _ := db.SchemaVersion(ctx)
	for _, a := range applied {
		fmt.Fprintln(stdout, "applied", a)
	}
	fmt.Fprintf(stdout, "schema at version %d (%s)\n", v, db.Dialect)
	return 0
}

func runUser(args []string, stdout, stderr io.Writer) int {
	subs := map[string]string{
		"add":     "add --name NAME --role ROLE [--display-name …] (password from --password or MINGBAI_PASSWORD)",
		"list":    "list accounts",
		"passwd":  "passwd --name NAME --password … (also unlocks)",
		"disable": "disable --name NAME (ends sessions, revokes tokens)",
		"enable":  "enable --name NAME",
		"role":    "role --name NAME --role ROLE (ends the account's sessions)",
	}
	if len(args) == 0 || subs[args[0]] == "" {
		subcommands(stderr, "user", subs)
		return 2
	}
	fs := newDBCommand("user "+args[0], stderr)
	name := fs.String("name", "", "user name")
	role := fs.String("role", "", "role: admin, hall_manager, window_staff, duty_leader, callback_operator, guide_editor, auditor")
	display := fs.String("display-name", "", "name shown in the UI")
	password := fs.String("password", "", "password (prefer MINGBAI_PASSWORD so it stays out of the shell history)")
	hallID := fs.Int64("hall", 0, "id of the account's hall (every role but admin and auditor belongs to one hall)")
	ctx, db, code := fs.open(args[1:])
	if db == nil {
		return code
	}
	defer db.Close()
	switch args[0] {
	case "add":
		u, err := db.CreateUserIn(ctx, *hallID, *name, *display, auth.Role(*role), *password)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "created %s (%s)\n", u.Username, u.Role)
	case "list":
		us, err := db.ListUsers(ctx)
		if err != nil {
			return fail(stderr, err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tDISPLAY NAME\tSTATUS")
		for _, u := range us {
			st := "active"
			if u.Disabled {
				st = "disabled"
			} else if u.LockedUntil > time.Now().UnixMilli() {
				st = "locked"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Username, u.Role, u.DisplayName, st)
		}
		tw.Flush()
	case "passwd":
		if err := db.SetPassword(ctx, *name, *password); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintln(stdout, "password changed for", *name)
	case "role":
		if err := db.SetUserRole(ctx, *name, auth.Role(*role)); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "%s is now %s\n", *name, *role)
	case "disable", "enable":
		if err := db.SetUserDisabled(ctx, *name, args[0] == "disable"); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "%sd %s\n", args[0], *name)
	}
	return 0
}

func runToken(args []string, stdout, stderr io.Writer) int {
	subs := map[string]string{
		"create": "create --user NAME [--name LABEL]: prints a token for Authorization: Bearer …",
		"list":   "list [--user NAME]",
		"revoke": "revoke --id N",
	}
	if len(args) == 0 || subs[args[0]] == "" {
		subcommands(stderr, "token", subs)
		return 2
	}
	fs := newDBCommand("token "+args[0], stderr)
	user := fs.String("user", "", "user name")
	label := fs.String("name", "cli", "label of the token")
	id := fs.Int64("id", 0, "token id")
	ctx, db, code := fs.open(args[1:])
	if db == nil {
		return code
	}
	defer db.Close()
	switch args[0] {
	case "create":
		secret, _, err := db.CreateToken(ctx, *user, *label)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintln(stdout, secret)
	case "list":
		ts, err := db.ListTokens(ctx, *user)
		if err != nil {
			return fail(stderr, err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSER\tNAME\tCREATED\tLAST USED\tSTATUS")
		for _, t := range ts {
			st := "active"
			if t.Revoked {
				st = "revoked"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.User, t.Name, msTime(t.CreatedAt), msTime(t.LastUsed), st)
		}
		tw.Flush()
	case "revoke":
		if err := db.RevokeToken(ctx, *id); err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintln(stdout, "revoked token", strconv.FormatInt(*id, 10))
	}
	return 0
}

func msTime(ms int64) string {
	if ms == 0 {
		return "-"
	}
	return time.UnixMilli(ms).Format("2006-01-02 15:04")
}

func runAudit(args []string, stdout, stderr io.Writer) int {
	subs := map[string]string{
		"verify": "verify the hash chain; exits 1 and names the first bad record",
		"list":   "list [--limit N] [--action PREFIX]: newest records",
	}
	if len(args) == 0 || subs[args[0]] == "" {
		subcommands(stderr, "audit", subs)
		return 2
	}
	fs := newDBCommand("audit "+args[0], stderr)
	limit := fs.Int("limit", 50, "records to list")
	action := fs.String("action", "", "action prefix filter")
	ctx, db, code := fs.open(args[1:])
	if db == nil {
		return code
	}
	defer db.Close()
	switch args[0] {
	case "verify":
		n, err := db.VerifyAudit(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "audit chain BROKEN after %d good records: %v\n", n, err)
			return 1
		}
		fmt.Fprintf(stdout, "audit chain intact: %d records\n", n)
	case "list":
		rs, err := db.ListAudit(ctx, store.AuditFilter{Limit: *limit, Action: *action})
		if err != nil {
			return fail(stderr, err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tROLE\tACTION\tOBJECT\tOUTCOME\tSOURCE")
		for _, r := range rs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Seq, time.UnixMilli(r.At).Format("2006-01-02 15:04:05"), r.Actor, r.Role, r.Action, r.Object, r.Outcome, r.Source)
		}
		tw.Flush()
	}
	return 0
}

func runBackup(args []string, stdout, stderr io.Writer) int {
	fs := newDBCommand("backup", stderr)
	to := fs.String("to", "", "file to write the backup to (must not exist)")
	ctx, db, code := fs.open(args)
	if db == nil {
		return code
	}
	defer db.Close()
	if *to == "" {
		fmt.Fprintln(stderr, "mingbai backup: --to FILE is required")
		return 2
	}
	if err := db.Backup(ctx, *to); err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintln(stdout, "backup written to", *to)
	return 0
}
