package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/feedback"
	"mingbai/internal/pii"
	"mingbai/internal/workday"
)

// Ledger scopes and strata of a draw.
var (
	drawScopes = map[string]bool{"tickets": true, "cases": true, "both": true}
	drawStrata = map[string]bool{"zone": true, "window": true, "staff": true, "item": true}
)

// DrawSpec defines a callback draw.
type DrawSpec struct {
	HallID     int64               `json:"-"`
	Name       string              `json:"name"`
	From       string              `json:"from"`
	To         string              `json:"to"`
	Scope      string              `json:"scope"`     // tickets, cases, both
	StrataBy   string              `json:"strata_by"` // zone, window, staff, item
	N          int                 `json:"n"`
	Allocation feedback.Allocation `json:"allocation"`
	Min        int                 `json:"min"`
	// RecentDays overrides the hall's exclusion of people called back in
	// the last N days (nil: the hall's setting).
	RecentDays *int   `json:"recent_days,omitempty"`
	IdemKey    string `json:"idempotency_key,omitempty"`
}

// Draw is a stored draw with its report.
type Draw struct {
	ID           int64               `json:"id"`
	HallID       int64               `json:"hall_id"`
	Name         string              `json:"name"`
	From         string              `json:"from"`
	To           string              `json:"to"`
	Scope        string              `json:"scope"`
	StrataBy     string              `json:"strata_by"`
	N            int                 `json:"n"`
	Allocation   feedback.Allocation `json:"allocation"`
	Min          int                 `json:"min"`
	RecentDays   int                 `json:"recent_days"`
	SnapshotHash string              `json:"snapshot_hash"`
	SnapshotAt   int64               `json:"snapshot_at"`
	Seed         string              `json:"seed,omitempty"`
	SeedSource   string              `json:"seed_source,omitempty"`
	SeededAt     int64               `json:"seeded_at,omitempty"`
	CreatedBy    string              `json:"created_by"`
	Strata       []DrawStratum       `json:"strata"`
	// Responded / Finished is the response rate: completed or partial
	// interviews over the drawn people whose work is over.
	Responded    int               `json:"responded"`
	Finished     int               `json:"finished"`
	ResponseRate float64           `json:"response_rate"`
	Satisfaction feedback.Interval `json:"satisfaction"`
}

// Params returns the draw's parameters for the pure rules.
func (d Draw) Params() feedback.DrawParams {
	return feedback.DrawParams{N: d.N, Allocation: d.Allocation, Min: d.Min}
}

// DrawStratum is the report of one stratum of a draw.
type DrawStratum struct {
	Key          string         `json:"key"`
	Population   int            `json:"population"`
	Excluded     map[string]int `json:"excluded"`
	Allocated    int            `json:"allocated"`
	Replacements int            `json:"replacements"`
	Done         int            `json:"done"`
	Refused      int            `json:"refused"`
	Exhausted    int            `json:"exhausted"`
	Pending      int            `json:"pending"`
	Satisfied    int            `json:"satisfied"`
	Answered     int            `json:"answered"`
}

type ledgerRow struct {
	rec     feedback.Record
	kind    string
	id      int64
	staffID int64
	phone   string
}

// ledgerTx reads the services of the period that a draw may call back.
// Tickets: served tickets of the period; cases: cases accepted in it.
func ledgerTx(tx *Tx, s *pii.Sealer, d DrawSpec) ([]ledgerRow, error) {
	var out []ledgerRow
	if d.Scope == "tickets" || d.Scope == "both" {
		rows, err := tx.Query(`SELECT t.id, t.zone, t.item_code, COALESCE(w.number, ''), COALESCE(st.staff_no, ''), COALESCE(t.staff_id, 0), t.phone, t.phone_enc
			FROM tickets t LEFT JOIN windows w ON w.id = t.window_id LEFT JOIN staff st ON st.id = t.staff_id
			WHERE t.hall_id = ? AND t.state = 'done' AND t.started_at > 0 AND t.day >= ? AND t.day <= ? ORDER BY t.id`, d.HallID, d.From, d.To)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r ledgerRow
			var zone, item, win, staffNo, enc string
			if err := rows.Scan(&r.id, &zone, &item, &win, &staffNo, &r.staffID, &r.phone, &enc); err != nil {
				rows.Close()
				return nil, err
			}
			// Sealed phones (security migration 00006) win over the plain
			// column that old rows may still carry.
			if enc != "" {
				p, err := s.OpenString(enc)
				if err != nil {
					rows.Close()
					return nil, err
				}
				r.phone = p
			}
			r.kind = ServiceTicket
			r.rec = feedback.Record{ID: fmt.Sprintf("T%d", r.id), Stratum: pickStratum(d.StrataBy, zone, win, staffNo, item)}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if d.Scope == "cases" || d.Scope == "both" {
		rows, err := tx.Query(`SELECT c.id, c.number, c.zone, c.item_code, COALESCE(st.staff_no, ''), COALESCE(c.staff_id, 0), c.phone_enc
			FROM cases c LEFT JOIN staff st ON st.id = c.staff_id
			WHERE c.hall_id = ? AND c.accepted_date >= ? AND c.accepted_date <= ? ORDER BY c.id`, d.HallID, d.From, d.To)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var r ledgerRow
			var number, zone, item, staffNo, enc string
			if err := rows.Scan(&r.id, &number, &zone, &item, &staffNo, &r.staffID, &enc); err != nil {
				rows.Close()
				return nil, err
			}
			if enc != "" {
				p, err := s.OpenString(enc)
				if err != nil {
					rows.Close()
					return nil, err
				}
				r.phone = p
			}
			r.kind = ServiceCase
			// A case's window is where it was accepted; cases keep no
			// window, so the window stratum falls back to the zone.
			r.rec = feedback.Record{ID: number, Stratum: pickStratum(d.StrataBy, zone, zone, staffNo, item)}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func pickStratum(by, zone, window, staffNo, item string) string {
	switch by {
	case "window":
		return window
	case "staff":
		return staffNo
	case "item":
		return item
	}
	return zone
}

// CreateDraw freezes the ledger snapshot of a draw and records its SHA-256
// hash; no seed exists yet, so nobody can know the sample when the
// snapshot is fixed. Exclusions (no phone, opted out, called back in the
// last N days) are decided now and are part of the snapshot.
func (db *DB) CreateDraw(ctx context.Context, d DrawSpec) (Draw, error) {
	var out Draw
	d.Name = strings.TrimSpace(d.Name)
	if d.Name == "" || utf8.RuneCountInString(d.Name) > 100 {
		return out, apperr.InvalidField("name", "fb.err.draw_name")
	}
	from, err1 := workday.Parse(d.From)
	to, err2 := workday.Parse(d.To)
	if err1 != nil || err2 != nil || to.Before(from) {
		return out, apperr.InvalidField("from", "fb.err.period")
	}
	if !drawScopes[d.Scope] {
		return out, apperr.InvalidField("scope", "fb.err.scope")
	}
	if !drawStrata[d.StrataBy] {
		return out, apperr.InvalidField("strata_by", "fb.err.strata")
	}
	s, err := db.sealer()
	if err != nil {
		return out, err
	}
	var id int64
	err = db.Write(ctx, func(tx *Tx) error {
		if d.IdemKey != "" {
			err := tx.QueryRow("SELECT id FROM draws WHERE hall_id = ? AND idem_key = ?", d.HallID, d.IdemKey).Scan(&id)
			if err == nil {
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		set, err := feedbackSettingsTx(tx, d.HallID)
		if err != nil {
			return err
		}
		if _, _, err := hallInTx(tx, d.HallID); err != nil {
			return err
		}
		recent := set.RecentDays
		if d.RecentDays != nil {
			recent = *d.RecentDays
		}
		if recent < 0 || recent > 365 {
			return apperr.InvalidField("recent_days", "fb.err.range", 0, 365)
		}
		rows, err := ledgerTx(tx, s, d)
		if err != nil {
			return err
		}
		since := tx.Now.Add(-time.Duration(recent) * 24 * time.Hour).UnixMilli()
		recs := make([]feedback.Record, len(rows))
		for i := range rows {
			r := &rows[i]
			switch {
			case r.phone == "":
				r.rec.Excluded = feedback.ExcludedNoPhone
			default:
				b := s.Blind(r.phone)
				var n int
				if err := tx.QueryRow("SELECT COUNT(*) FROM callback_optouts WHERE hall_id = ? AND phone_blind = ?", d.HallID, b).Scan(&n); err != nil {
					return err
				}
				if n > 0 {
					r.rec.Excluded = feedback.ExcludedOptOut
					break
				}
				if recent > 0 {
					if err := tx.QueryRow("SELECT COUNT(*) FROM callback_attempts WHERE hall_id = ? AND phone_blind = ? AND at >= ?", d.HallID, b, since).Scan(&n); err != nil {
						return err
					}
					if n > 0 {
						r.rec.Excluded = feedback.ExcludedRecent
					}
				}
			}
			recs[i] = r.rec
		}
		// The parameters must work on this snapshot before anything is
		// written: n within the eligible population, minimums reachable.
		if _, err := feedback.Draw(recs, "check", feedback.DrawParams{N: d.N, Allocation: d.Allocation, Min: d.Min}); err != nil {
			return err
		}
		hash := feedback.SnapshotHash(recs)
		var idem any
		if d.IdemKey != "" {
			idem = d.IdemKey
		}
		id, err = tx.InsertID(`INSERT INTO draws (hall_id, name, period_from, period_to, scope, strata_by, n, allocation, min_per, recent_days,
			snapshot_hash, snapshot_at, created_by, created_at, idem_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.HallID, d.Name, d.From, d.To, d.Scope, d.StrataBy, d.N, string(d.Allocation), d.Min, recent, hash, tx.NowMs(), tx.Actor.Name, tx.NowMs(), idem)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.Exec(`INSERT INTO draw_records (draw_id, record_id, stratum, excluded, service_kind, service_id, staff_id)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, id, r.rec.ID, r.rec.Stratum, r.rec.Excluded, r.kind, r.id, nullInt(r.staffID)); err != nil {
				return err
			}
		}
		return tx.Audit("draw.create", fmt.Sprintf("draw:%d", id), fmt.Sprintf("records=%d sha256=%s n=%d %s min=%d", len(recs), hash, d.N, d.Allocation, d.Min))
	})
	if err != nil {
		return out, err
	}
	return db.GetDraw(ctx, d.HallID, id)
}

// SetDrawSeed fixes the seed of a frozen draw, once, and draws: within each
// stratum the records in ascending SHA-256(seed|id) order, the first n_h
// in the sample, the rest kept in order as replacements.
func (db *DB) SetDrawSeed(ctx context.Context, hallID, drawID int64, seed, source string) (Draw, error) {
	seed, source = strings.TrimSpace(seed), strings.TrimSpace(source)
	if seed == "" || utf8.RuneCountInString(seed) > 200 {
		return Draw{}, apperr.InvalidField("seed", "fb.err.seed_required")
	}
	if utf8.RuneCountInString(source) > 300 {
		return Draw{}, apperr.InvalidField("seed_source", "err.too_long", "seed_source", 300)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		d, err := drawTx(tx, hallID, drawID)
		if err != nil {
			return err
		}
		if d.Seed != "" {
			return apperr.New(apperr.Conflict, "fb.err.seed_set")
		}
		recs, err := snapshotTx(tx, drawID)
		if err != nil {
			return err
		}
		if feedback.SnapshotHash(recs) != d.SnapshotHash {
			return apperr.New(apperr.Conflict, "fb.err.snapshot_changed")
		}
		strata, err := feedback.Draw(recs, seed, d.Params())
		if err != nil {
			return err
		}
		for _, st := range strata {
			for i, rid := range st.Order {
				in := b2i(i < st.Allocated)
				if _, err := tx.Exec("UPDATE draw_records SET pos = ?, in_sample = ?, active = ? WHERE draw_id = ? AND record_id = ?",
					i+1, in, in, drawID, rid); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Exec("UPDATE draws SET seed = ?, seed_source = ?, seeded_at = ? WHERE id = ? AND seed = ''", seed, source, tx.NowMs(), drawID); err != nil {
			return err
		}
		return tx.Audit("draw.seed", fmt.Sprintf("draw:%d", drawID), fmt.Sprintf("seed=%q source=%q sha256=%s", seed, source, d.SnapshotHash))
	})
	if err != nil {
		return Draw{}, err
	}
	return db.GetDraw(ctx, hallID, drawID)
}

func snapshotTx(tx *Tx, drawID int64) ([]feedback.Record, error) {
	rows, err := tx.Query("SELECT record_id, stratum, excluded FROM draw_records WHERE draw_id = ? ORDER BY record_id", drawID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []feedback.Record
	for rows.Next() {
		var r feedback.Record
		if err := rows.Scan(&r.ID, &r.Stratum, &r.Excluded); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

const drawCols = `id, hall_id, name, period_from, period_to, scope, strata_by, n, allocation, min_per, recent_days, snapshot_hash,
	snapshot_at, seed, seed_source, seeded_at, created_by`

func scanDraw(row interface{ Scan(...any) error }) (Draw, error) {
	var d Draw
	var alloc string
	err := row.Scan(&d.ID, &d.HallID, &d.Name, &d.From, &d.To, &d.Scope, &d.StrataBy, &d.N, &alloc, &d.Min, &d.RecentDays,
		&d.SnapshotHash, &d.SnapshotAt, &d.Seed, &d.SeedSource, &d.SeededAt, &d.CreatedBy)
	d.Allocation = feedback.Allocation(alloc)
	return d, err
}

func drawTx(tx *Tx, hallID, id int64) (Draw, error) {
	d, err := scanDraw(tx.QueryRow("SELECT "+drawCols+" FROM draws WHERE id = ? AND hall_id = ?", id, hallID))
	if err != nil {
		return d, notFound(err, "draw")
	}
	return d, nil
}

// GetDraw returns a draw with its report per stratum: population,
// exclusions by reason, allocation, replacements used, outcomes, response
// rate and the weighted satisfaction of the completed interviews.
func (db *DB) GetDraw(ctx context.Context, hallID, id int64) (Draw, error) {
	var d Draw
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		if d, err = drawTx(tx, hallID, id); err != nil {
			return err
		}
		byKey := map[string]*DrawStratum{}
		get := func(k string) *DrawStratum {
			if byKey[k] == nil {
				byKey[k] = &DrawStratum{Key: k, Excluded: map[string]int{}}
			}
			return byKey[k]
		}
		rows, err := tx.Query("SELECT stratum, excluded, in_sample, active, status FROM draw_records WHERE draw_id = ?", id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k, ex, status string
			var in, active int
			if err := rows.Scan(&k, &ex, &in, &active, &status); err != nil {
				rows.Close()
				return err
			}
			s := get(k)
			if ex != "" {
				s.Excluded[ex]++
				continue
			}
			s.Population++
			if in == 1 {
				s.Allocated++
			} else if active == 1 {
				s.Replacements++
			}
			if active == 1 {
				switch status {
				case "done":
					s.Done++
				case "refused":
					s.Refused++
				case "exhausted":
					s.Exhausted++
				default:
					s.Pending++
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(`SELECT dr.stratum, r.overall FROM ratings r JOIN draw_records dr ON dr.draw_id = r.draw_id
			AND dr.service_kind = r.service_kind AND dr.service_id = r.service_id
			WHERE r.draw_id = ? AND r.channel = 'callback' AND r.invalid = 0`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var k string
			var o int
			if err := rows.Scan(&k, &o); err != nil {
				rows.Close()
				return err
			}
			s := get(k)
			s.Answered++
			if feedback.Level(o).Satisfied() {
				s.Satisfied++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var res []feedback.StratumResult
		for _, s := range byKey {
			d.Strata = append(d.Strata, *s)
			d.Responded += s.Done
			d.Finished += s.Done + s.Refused + s.Exhausted
			res = append(res, feedback.StratumResult{Population: s.Population, Satisfied: s.Satisfied, Answered: s.Answered})
		}
		sort.Slice(d.Strata, func(i, j int) bool { return d.Strata[i].Key < d.Strata[j].Key })
		if d.Finished > 0 {
			d.ResponseRate = float64(d.Responded) / float64(d.Finished)
		}
		d.Satisfaction = feedback.Weighted(res)
		return nil
	})
	return d, err
}

// ListDraws lists a hall's draws, newest first.
func (db *DB) ListDraws(ctx context.Context, hallID int64) ([]Draw, error) {
	var out []Draw
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT "+drawCols+" FROM draws WHERE hall_id = ? ORDER BY id DESC LIMIT 200", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			d, err := scanDraw(rows)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	return out, err
}

// DrawEvidence is everything needed to recompute a draw independently.
type DrawEvidence struct {
	Draw     Draw                `json:"draw"`
	Snapshot []feedback.Record   `json:"snapshot"`
	Sample   map[string][]string `json:"sample"` // stratum → ids in drawn order
}

// DrawEvidence loads a draw's snapshot and stored sample (any hall: the
// verification command runs on the server with the operator's authority).
func (db *DB) DrawEvidence(ctx context.Context, drawID int64) (DrawEvidence, error) {
	var ev DrawEvidence
	err := db.Read(ctx, func(tx *Tx) error {
		d, err := scanDraw(tx.QueryRow("SELECT "+drawCols+" FROM draws WHERE id = ?", drawID))
		if err != nil {
			return notFound(err, "draw")
		}
		ev.Draw = d
		if ev.Snapshot, err = snapshotTx(tx, drawID); err != nil {
			return err
		}
		ev.Sample = map[string][]string{}
		keys := map[string]bool{}
		for _, r := range ev.Snapshot {
			keys[r.Stratum] = true
		}
		for k := range keys {
			ev.Sample[k] = []string{}
		}
		rows, err := tx.Query("SELECT stratum, record_id FROM draw_records WHERE draw_id = ? AND in_sample = 1 ORDER BY stratum, pos", drawID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, id string
			if err := rows.Scan(&k, &id); err != nil {
				return err
			}
			ev.Sample[k] = append(ev.Sample[k], id)
		}
		return rows.Err()
	})
	return ev, err
}

// VerifyDraw recomputes a stored draw from its snapshot, hash, seed and
// parameters; nil means the stored sample is exactly what the rule gives.
func (db *DB) VerifyDraw(ctx context.Context, drawID int64) (DrawEvidence, error) {
	ev, err := db.DrawEvidence(ctx, drawID)
	if err != nil {
		return ev, err
	}
	if ev.Draw.Seed == "" {
		return ev, apperr.New(apperr.Invalid, "fb.err.no_seed")
	}
	return ev, feedback.Verify(ev.Snapshot, ev.Draw.SnapshotHash, ev.Draw.Seed, ev.Draw.Params(), ev.Sample)
}
