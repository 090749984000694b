package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/consult"
	"mingbai/internal/workday"
)

// The FAQ knowledge base and canned replies of a hall's consultation
// service.

func faqInTx(tx *Tx, hallID int64, withRetired bool) ([]consult.Entry, error) {
	q := "SELECT id, code, question, answer, source, effective, review, keywords, retired FROM consult_faq WHERE hall_id = ?"
	if !withRetired {
		q += " AND retired = 0"
	}
	rows, err := tx.Query(q+" ORDER BY code", hallID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []consult.Entry
	for rows.Next() {
		var e consult.Entry
		var eff, rev, kws string
		var retired int
		if err := rows.Scan(&e.ID, &e.Code, &e.Question, &e.Answer, &e.Source, &eff, &rev, &kws, &retired); err != nil {
			return nil, err
		}
		e.Effective, _ = workday.Parse(eff)
		e.Review, _ = workday.Parse(rev)
		e.Keywords = consult.ParseKeywords(kws)
		e.Retired = retired != 0
		out = append(out, e)
	}
	return out, rows.Err()
}

// ListFAQ returns a hall's FAQ entries (retired ones too, for the editor).
func (db *DB) ListFAQ(ctx context.Context, hallID int64, withRetired bool) ([]consult.Entry, error) {
	var out []consult.Entry
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		out, err = faqInTx(tx, hallID, withRetired)
		return err
	})
	return out, err
}

// SaveFAQ adds an entry or replaces the one with the same code; the entry
// is validated first (source, effective and review dates are required).
func (db *DB) SaveFAQ(ctx context.Context, hallID int64, e consult.Entry) (consult.Entry, error) {
	e.Code = strings.ToUpper(strings.TrimSpace(e.Code))
	if err := e.Validate(); err != nil {
		return e, err
	}
	for field, v := range map[string]string{"faq_code": e.Code, "faq_question": e.Question, "faq_source": e.Source} {
		if err := limitRunes(field, v, 200); err != nil {
			return e, err
		}
	}
	err := db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		args := []any{e.Question, e.Answer, e.Source, e.Effective.String(), e.Review.String(), consult.FormatKeywords(e.Keywords), b2i(e.Retired), tx.Actor.Name, tx.NowMs()}
		var id int64
		err := tx.QueryRow("SELECT id FROM consult_faq WHERE hall_id = ? AND code = ?", hallID, e.Code).Scan(&id)
		switch {
		case errors.Is(err, ErrNoRows):
			id, err = tx.InsertID("INSERT INTO consult_faq (question, answer, source, effective, review, keywords, retired, updated_by, updated_at, hall_id, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				append(args, hallID, e.Code)...)
			if err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.Exec("UPDATE consult_faq SET question = ?, answer = ?, source = ?, effective = ?, review = ?, keywords = ?, retired = ?, updated_by = ?, updated_at = ? WHERE id = ?",
				append(args, id)...); err != nil {
				return err
			}
		}
		e.ID = id
		return tx.Audit("consult.faq_save", fmt.Sprintf("faq:%s", e.Code), fmt.Sprintf("review=%s retired=%v", e.Review, e.Retired))
	})
	return e, err
}

// ListCanned returns a hall's canned replies by shortcut.
func (db *DB) ListCanned(ctx context.Context, hallID int64) ([]consult.Canned, error) {
	var out []consult.Canned
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, shortcut, title, body FROM consult_canned WHERE hall_id = ? ORDER BY shortcut", hallID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c consult.Canned
			if err := rows.Scan(&c.ID, &c.Key, &c.Title, &c.Body); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// SaveCanned adds or replaces the canned reply of a shortcut (one digit);
// an empty body removes it.
func (db *DB) SaveCanned(ctx context.Context, hallID int64, c consult.Canned) error {
	if len(c.Key) != 1 || c.Key[0] < '1' || c.Key[0] > '9' {
		return apperr.InvalidField("key", "consult.bad_shortcut")
	}
	if err := limitRunes("body", c.Body, 600); err != nil {
		return err
	}
	if err := limitRunes("title", c.Title, 40); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		if _, _, err := hallInTx(tx, hallID); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM consult_canned WHERE hall_id = ? AND shortcut = ?", hallID, c.Key); err != nil {
			return err
		}
		if strings.TrimSpace(c.Body) != "" {
			if strings.TrimSpace(c.Title) == "" {
				return apperr.InvalidField("title", "err.required", "canned")
			}
			if _, err := tx.Exec("INSERT INTO consult_canned (hall_id, shortcut, title, body) VALUES (?, ?, ?, ?)", hallID, c.Key, c.Title, c.Body); err != nil {
				return err
			}
		}
		return tx.Audit("consult.canned_save", fmt.Sprintf("hall:%d", hallID), "key="+c.Key)
	})
}
