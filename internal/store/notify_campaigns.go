package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
	"mingbai/internal/pii"
)

// ContributorImport says what an import did.
type ContributorImport struct {
	Inserted int `json:"inserted"`
	Updated  int `json:"updated"`
}

// ImportContributors stores a checked registry in one transaction: a
// contributor already known by ID number (blind index) is updated in
// place, others are added. Names, ID numbers and phones are sealed.
func (db *DB) ImportContributors(ctx context.Context, hallID int64, cs []notify.Contributor, progress func(done int)) (ContributorImport, error) {
	var res ContributorImport
	s, err := db.sealer()
	if err != nil {
		return res, err
	}
	err = db.Write(ctx, func(tx *Tx) error {
		now := tx.NowMs()
		for i, c := range cs {
			blind := s.Blind(c.IDNumber)
			ins := strings.Join(c.Insurance, ",")
			r, err := tx.Exec("UPDATE contributors SET name_enc = ?, name_masked = ?, id_number_enc = ?, phone_enc = ?, phone_blind = ?, phone_masked = ?, insurance = ?, frequency = ?, paid_through = ?, payment = ?, debit_failed = ?, updated_at = ? WHERE hall_id = ? AND id_number_blind = ?",
				s.SealString(c.Name), pii.MaskName(c.Name), s.SealString(c.IDNumber), s.SealString(c.Phone), tx.phoneBlind(c.Phone), pii.MaskMobile(c.Phone),
				ins, c.Frequency, c.PaidThrough, c.Payment, b2i(c.DebitFailed), now, hallID, blind)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 1 {
				res.Updated++
			} else {
				if _, err := tx.Exec("INSERT INTO contributors (hall_id, name_enc, name_masked, id_number_enc, id_number_blind, id_number_masked, phone_enc, phone_blind, phone_masked, insurance, frequency, paid_through, payment, debit_failed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
					hallID, s.SealString(c.Name), pii.MaskName(c.Name), s.SealString(c.IDNumber), blind, pii.MaskIDNumber(c.IDNumber), s.SealString(c.Phone), tx.phoneBlind(c.Phone), pii.MaskMobile(c.Phone),
					ins, c.Frequency, c.PaidThrough, c.Payment, b2i(c.DebitFailed), now, now); err != nil {
					return err
				}
				res.Inserted++
			}
			if progress != nil && (i+1)%500 == 0 {
				progress(i + 1)
			}
		}
		return tx.Audit("notify.import", fmt.Sprintf("hall:%d", hallID), fmt.Sprintf("%d added, %d updated", res.Inserted, res.Updated))
	})
	return res, err
}

// Campaign is one reminder run of a hall on a day.
type Campaign struct {
	ID      int64            `json:"id"`
	HallID  int64            `json:"hall_id"`
	Day     string           `json:"day"`
	State   string           `json:"state"`
	Results map[string]int64 `json:"results"`
	Total   int64            `json:"total"`
}

// Campaign states.
const (
	CampaignSnapshot = "snapshot"
	CampaignSending  = "sending"
	CampaignDone     = "done"
	CampaignStopped  = "stopped"
)

// StartCampaign creates (or returns, when it exists) the reminder
// campaign of a hall for a day (YYYY-MM-DD, hall time).
func (db *DB) StartCampaign(ctx context.Context, hallID int64, day string) (int64, error) {
	if _, err := time.Parse("2006-01-02", day); err != nil {
		return 0, apperr.InvalidField("day", "err.bad_value", "day", day)
	}
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		err := tx.QueryRow("SELECT id FROM campaigns WHERE hall_id = ? AND kind = 'self_employed' AND period = ?", hallID, day).Scan(&id)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrNoRows) {
			return err
		}
		id, err = tx.InsertID("INSERT INTO campaigns (hall_id, kind, period, day, state, created_by, created_at) VALUES (?, 'self_employed', ?, ?, ?, ?, ?)",
			hallID, day, day, CampaignSnapshot, tx.Actor.Name, tx.NowMs())
		if err != nil {
			return err
		}
		return tx.Audit("notify.campaign.start", fmt.Sprintf("campaign:%d", id), "hall "+fmt.Sprint(hallID)+" "+day)
	})
	return id, err
}

// StepCampaign does one bounded, transactional step of a campaign and
// reports whether there is more to do: first it freezes the registry into
// recipients (batch by batch, resuming at its cursor), then it queues
// their messages. Each (contributor, period, kind) is queued at most once,
// across campaigns, by a unique key and the outbox's dedupe key; a crash
// between steps loses nothing and repeats nothing.
func (db *DB) StepCampaign(ctx context.Context, id int64, rule notify.Rule, batch int) (bool, error) {
	if batch <= 0 {
		batch = 200
	}
	s, err := db.sealer()
	if err != nil {
		return false, err
	}
	more := false
	err = db.Write(ctx, func(tx *Tx) error {
		var hallID, cursor int64
		var state, day string
		if err := tx.QueryRow("SELECT hall_id, state, snap_cursor, day FROM campaigns WHERE id = ?", id).Scan(&hallID, &state, &cursor, &day); err != nil {
			return notFound(err, "campaign")
		}
		pol := tx.notifyPolicy(hallID)
		d, _ := time.ParseInLocation("2006-01-02", day, pol.Window.Loc)
		if tx.Now.In(pol.Window.Loc).Format("2006-01-02") < day {
			return nil // scheduled for a later day: nothing yet
		}
		switch state {
		case CampaignSnapshot:
			rows, err := tx.Query("SELECT id, name_enc, phone_enc, phone_blind, insurance, frequency, paid_through, payment, debit_failed FROM contributors WHERE hall_id = ? AND id > ? ORDER BY id LIMIT ?", hallID, cursor, batch)
			if err != nil {
				return err
			}
			type rec struct {
				id                int64
				nameEnc, phoneEnc string
				phoneBlind        string
				c                 notify.Contributor
			}
			var rs []rec
			for rows.Next() {
				var r rec
				var ins string
				var failed int
				if err := rows.Scan(&r.id, &r.nameEnc, &r.phoneEnc, &r.phoneBlind, &ins, &r.c.Frequency, &r.c.PaidThrough, &r.c.Payment, &failed); err != nil {
					rows.Close()
					return err
				}
				r.c.Insurance, r.c.DebitFailed = strings.Split(ins, ","), failed == 1
				rs = append(rs, r)
			}
			rows.Close()
			if len(rs) == 0 {
				_, err := tx.Exec("UPDATE campaigns SET state = ?, snapshot_at = ? WHERE id = ?", CampaignSending, tx.NowMs(), id)
				more = true
				return err
			}
			for _, r := range rs {
				period, deadline, kind, skip := rule.Due(r.c, d)
				state, reason := "pending", ""
				if skip != "" {
					state, reason, kind = "skipped", skip, "skip:"+day
				} else if out, _ := tx.optedOutBlind(r.phoneBlind); out {
					state, reason = "opted_out", "opted_out"
				}
				_ = deadline
				// ON CONFLICT: a recipient already reminded of this period
				// (by an earlier campaign or an earlier try) is left alone.
				if _, err := tx.Exec("INSERT INTO campaign_recipients (campaign_id, contributor_id, period, kind, phone_enc, phone_blind, state, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (contributor_id, period, kind) DO NOTHING",
					id, r.id, period, kind, r.phoneEnc, r.phoneBlind, state, reason); err != nil {
					return err
				}
			}
			_, err = tx.Exec("UPDATE campaigns SET snap_cursor = ? WHERE id = ?", rs[len(rs)-1].id, id)
			more = true
			return err
		case CampaignSending:
			rows, err := tx.Query("SELECT r.id, r.contributor_id, r.period, r.kind, r.phone_enc, c.name_enc, c.insurance, c.paid_through, c.frequency FROM campaign_recipients r JOIN contributors c ON c.id = r.contributor_id WHERE r.campaign_id = ? AND r.state = 'pending' ORDER BY r.id LIMIT ?", id, batch)
			if err != nil {
				return err
			}
			type rec struct {
				id, contributor              int64
				period, kind, phoneEnc, name string
				ins, paid, freq              string
			}
			var rs []rec
			for rows.Next() {
				var r rec
				if err := rows.Scan(&r.id, &r.contributor, &r.period, &r.kind, &r.phoneEnc, &r.name, &r.ins, &r.paid, &r.freq); err != nil {
					rows.Close()
					return err
				}
				rs = append(rs, r)
			}
			rows.Close()
			if len(rs) == 0 {
				_, err := tx.Exec("UPDATE campaigns SET state = ? WHERE id = ?", CampaignDone, id)
				if err == nil {
					err = tx.Audit("notify.campaign.queued", fmt.Sprintf("campaign:%d", id), "all recipients handled")
				}
				return err
			}
			for _, r := range rs {
				phone, err := s.OpenString(r.phoneEnc)
				if err != nil {
					return err
				}
				name, err := s.OpenString(r.name)
				if err != nil {
					return err
				}
				_, deadline, _, _ := rule.Due(notify.Contributor{Frequency: r.freq, PaidThrough: "0000-00"}, d)
				params := map[string]string{"name": salutation(name), "insurance": insuranceLabel(r.ins), "deadline": deadline.Format("1月2日")}
				if r.kind == notify.KindRemindFirst {
					params["paid_through"] = strings.Replace(r.paid, "-", "年", 1) + "月"
				}
				state, reason := "queued", ""
				oid, err := tx.Enqueue(notify.Message{Channel: notify.SMS, Recipient: phone, Params: params, Kind: r.kind, HallID: hallID,
					DedupeKey: fmt.Sprintf("remind:%d:%s:%s", r.contributor, r.period, r.kind)})
				switch {
				case errors.Is(err, ErrOptedOut):
					state, reason = "opted_out", "opted_out"
				case errors.Is(err, ErrDailyLimit):
					state, reason = "skipped", "daily_limit"
				case err != nil:
					return err
				}
				var ob any
				if oid != 0 {
					ob = oid
				}
				if _, err := tx.Exec("UPDATE campaign_recipients SET state = ?, reason = ?, outbox_id = ? WHERE id = ? AND state = 'pending'", state, reason, ob, r.id); err != nil {
					return err
				}
			}
			more = true
			return nil
		}
		return nil
	})
	return more, err
}

func (t *Tx) optedOutBlind(bl string) (bool, error) {
	var n int
	err := t.QueryRow("SELECT count(*) FROM sms_optouts WHERE phone_blind = ?", bl).Scan(&n)
	return n > 0, err
}

// salutation is how a reminder addresses a contributor: the surname and
// 先生/女士 are not known from the registry, so the full name is kept short.
func salutation(name string) string {
	r := []rune(name)
	if len(r) > 6 {
		r = r[:6]
	}
	return string(r)
}

func insuranceLabel(ins string) string {
	var out []string
	for _, k := range strings.Split(ins, ",") {
		switch k {
		case "pension":
			out = append(out, "养老保险")
		case "medical":
			out = append(out, "医疗保险")
		}
	}
	return strings.Join(out, "、")
}

// RunCampaign steps a campaign until everything is queued.
func (db *DB) RunCampaign(ctx context.Context, id int64, rule notify.Rule) error {
	for {
		more, err := db.StepCampaign(ctx, id, rule, 200)
		if err != nil || !more {
			return err
		}
	}
}

// CampaignRef names a campaign and its hall.
type CampaignRef struct{ ID, HallID int64 }

// ActiveCampaigns returns the campaigns that are not done.
func (db *DB) ActiveCampaigns(ctx context.Context) ([]CampaignRef, error) {
	var out []CampaignRef
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, hall_id FROM campaigns WHERE state NOT IN (?, ?) ORDER BY id", CampaignDone, CampaignStopped)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c CampaignRef
			if err := rows.Scan(&c.ID, &c.HallID); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// CampaignStatus returns a campaign with its results: recipients by state
// (skipped and opted out by reason) and queued ones by delivery state.
func (db *DB) CampaignStatus(ctx context.Context, hallID, id int64) (Campaign, error) {
	c := Campaign{ID: id, Results: map[string]int64{}}
	err := db.Read(ctx, func(tx *Tx) error {
		if err := tx.QueryRow("SELECT hall_id, day, state FROM campaigns WHERE id = ? AND hall_id = ?", id, hallID).Scan(&c.HallID, &c.Day, &c.State); err != nil {
			return notFound(err, "campaign")
		}
		rows, err := tx.Query("SELECT CASE WHEN r.state = 'queued' THEN o.state WHEN r.state = 'skipped' THEN 'skipped:' || r.reason ELSE r.state END, count(*) FROM campaign_recipients r LEFT JOIN outbox o ON o.id = r.outbox_id WHERE r.campaign_id = ? GROUP BY 1", id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			var n int64
			if err := rows.Scan(&k, &n); err != nil {
				return err
			}
			c.Results[k] = n
			c.Total += n
		}
		return rows.Err()
	})
	return c, err
}

// OutboxPending counts messages still to be sent or settled (queued,
// submitting or unknown).
func (db *DB) OutboxPending(ctx context.Context) (int, error) {
	var n int
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT count(*) FROM outbox WHERE state IN ('queued', 'submitting', 'unknown')").Scan(&n)
	})
	return n, err
}
