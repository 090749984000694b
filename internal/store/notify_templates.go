package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
)

// ErrPushReplay: a signed push callback's nonce was used before.
var ErrPushReplay = apperr.New(apperr.Conflict, "notify.push_replay")

// RecordPushNonce remembers a push callback's nonce; a second use is a
// replay and is refused. Nonces older than an hour (far beyond the
// accepted clock skew) are forgotten.
func (db *DB) RecordPushNonce(ctx context.Context, provider, nonce string) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("DELETE FROM sms_push_nonces WHERE at < ?", tx.NowMs()-3600_000); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM sms_push_nonces WHERE provider = ? AND nonce = ?", provider, nonce).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrPushReplay
		}
		_, err := tx.Exec("INSERT INTO sms_push_nonces (provider, nonce, at) VALUES (?, ?, ?)", provider, nonce, tx.NowMs())
		return err
	})
}

// PushNonceSeen reports whether a push callback's nonce was taken before.
func (db *DB) PushNonceSeen(ctx context.Context, provider, nonce string) (bool, error) {
	var n int
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT count(*) FROM sms_push_nonces WHERE provider = ? AND nonce = ?", provider, nonce).Scan(&n)
	})
	return n > 0, err
}

// Template registration states.
const (
	TemplateDraft     = "draft"
	TemplateSubmitted = "submitted"
	TemplateApproved  = "approved"
	TemplateRejected  = "rejected"
)

// SMSTemplate is a template's registration with one provider: the fixed
// text (from the catalogue of templates, with the signature), the code
// the carrier or vendor gave it, and its approval.
type SMSTemplate struct {
	ID       int64  `json:"id"`
	Provider string `json:"provider"`
	Kind     string `json:"kind"`
	Text     string `json:"text"`
	Code     string `json:"code"`
	Note     string `json:"note"`
	State    string `json:"state"`
	Author   string `json:"author"`
	Approver string `json:"approver"`
	// ApprovedCode is what sends now (the last approved version).
	ApprovedCode string `json:"approved_code"`
	ApprovedAt   int64  `json:"approved_at"`
	UpdatedAt    int64  `json:"updated_at"`
}

func templateText(kind string) string {
	t := notify.Templates[kind]
	if t.Prefix != "" {
		return t.Prefix + t.Text
	}
	return notify.Signature + t.Text
}

// ListSMSTemplates returns every template kind for each provider, with its
// registration where there is one (state "" when none).
func (db *DB) ListSMSTemplates(ctx context.Context, providers []string) ([]SMSTemplate, error) {
	have := map[string]SMSTemplate{}
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT id, provider, kind, code, note, state, author, approver, approved_code, approved_at, updated_at FROM sms_templates ORDER BY provider, kind")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t SMSTemplate
			if err := rows.Scan(&t.ID, &t.Provider, &t.Kind, &t.Code, &t.Note, &t.State, &t.Author, &t.Approver, &t.ApprovedCode, &t.ApprovedAt, &t.UpdatedAt); err != nil {
				return err
			}
			have[t.Provider+"/"+t.Kind] = t
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := []SMSTemplate{}
	for _, p := range providers {
		for _, k := range notify.TemplateKinds() {
			if notify.Templates[k].Prefix != "" {
				continue // staff reminders go to the log, not by SMS
			}
			t, ok := have[p+"/"+k]
			if !ok {
				t = SMSTemplate{Provider: p, Kind: k}
			}
			t.Text = templateText(k)
			out = append(out, t)
		}
	}
	return out, nil
}

var templateCodeOK = func(s string) bool {
	if len(s) > 40 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// SaveSMSTemplate records (or edits) a registration: the template code and
// a note; the registration becomes a draft again (what was approved keeps
// sending until the new version is approved). Audited.
func (db *DB) SaveSMSTemplate(ctx context.Context, provider, kind, code, note string) (SMSTemplate, error) {
	code, note = strings.TrimSpace(code), strings.TrimSpace(note)
	if _, ok := notify.Templates[kind]; !ok || notify.Templates[kind].Prefix != "" {
		return SMSTemplate{}, apperr.InvalidField("kind", "err.bad_value", "kind", kind)
	}
	if provider == "" || len(provider) > 40 {
		return SMSTemplate{}, apperr.InvalidField("provider", "err.bad_value", "provider", provider)
	}
	if !templateCodeOK(code) {
		return SMSTemplate{}, apperr.InvalidField("code", "notify.template.bad_code")
	}
	if len([]rune(note)) > 200 {
		return SMSTemplate{}, apperr.InvalidField("note", "err.too_long", "note", 200)
	}
	var id int64
	err := db.Write(ctx, func(tx *Tx) error {
		now := tx.NowMs()
		err := tx.QueryRow("SELECT id FROM sms_templates WHERE provider = ? AND kind = ?", provider, kind).Scan(&id)
		switch {
		case errors.Is(err, ErrNoRows):
			id, err = tx.InsertID("INSERT INTO sms_templates (provider, kind, code, note, state, author, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
				provider, kind, code, note, TemplateDraft, tx.Actor.Name, now, now)
			if err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.Exec("UPDATE sms_templates SET code = ?, note = ?, state = ?, author = ?, approver = '', updated_at = ? WHERE id = ?", code, note, TemplateDraft, tx.Actor.Name, now, id); err != nil {
				return err
			}
		}
		return tx.Audit("notify.template.save", fmt.Sprintf("template:%s/%s", provider, kind), "code "+code)
	})
	if err != nil {
		return SMSTemplate{}, err
	}
	return db.smsTemplate(ctx, id)
}

func (db *DB) smsTemplate(ctx context.Context, id int64) (SMSTemplate, error) {
	var t SMSTemplate
	err := db.Read(ctx, func(tx *Tx) error {
		return notFound(tx.QueryRow("SELECT id, provider, kind, code, note, state, author, approver, approved_code, approved_at, updated_at FROM sms_templates WHERE id = ?", id).
			Scan(&t.ID, &t.Provider, &t.Kind, &t.Code, &t.Note, &t.State, &t.Author, &t.Approver, &t.ApprovedCode, &t.ApprovedAt, &t.UpdatedAt), "template")
	})
	t.Text = templateText(t.Kind)
	return t, err
}

// Template decisions.
var (
	ErrTemplateState      = apperr.New(apperr.Conflict, "notify.template.state")
	ErrTemplateOwnApprove = apperr.New(apperr.Forbidden, "notify.template.own")
)

// DecideSMSTemplate moves a registration: "submit" (draft or rejected →
// submitted, by anyone who may edit), "approve" or "reject" (submitted →
// approved/rejected, by someone other than its author). Audited.
func (db *DB) DecideSMSTemplate(ctx context.Context, id int64, action, note string) (SMSTemplate, error) {
	err := db.Write(ctx, func(tx *Tx) error {
		var state, author, code string
		if err := tx.QueryRow("SELECT state, author, code FROM sms_templates WHERE id = ?", id).Scan(&state, &author, &code); err != nil {
			return notFound(err, "template")
		}
		now := tx.NowMs()
		var res any
		var err error
		switch action {
		case "submit":
			if state != TemplateDraft && state != TemplateRejected {
				return ErrTemplateState
			}
			if code == "" {
				return apperr.InvalidField("code", "err.required", "code")
			}
			res, err = tx.Exec("UPDATE sms_templates SET state = ?, updated_at = ? WHERE id = ? AND state = ?", TemplateSubmitted, now, id, state)
		case "approve", "reject":
			if state != TemplateSubmitted {
				return ErrTemplateState
			}
			if author == tx.Actor.Name {
				return ErrTemplateOwnApprove
			}
			if action == "approve" {
				res, err = tx.Exec("UPDATE sms_templates SET state = ?, approver = ?, approved_code = code, approved_at = ?, updated_at = ? WHERE id = ? AND state = ?", TemplateApproved, tx.Actor.Name, now, now, id, state)
			} else {
				res, err = tx.Exec("UPDATE sms_templates SET state = ?, approver = ?, note = ?, updated_at = ? WHERE id = ? AND state = ?", TemplateRejected, tx.Actor.Name, strings.TrimSpace(note), now, id, state)
			}
		default:
			return apperr.InvalidField("action", "err.bad_value", "action", action)
		}
		if err != nil {
			return err
		}
		_ = res
		return tx.Audit("notify.template."+action, fmt.Sprintf("template:%d", id), note)
	})
	if err != nil {
		return SMSTemplate{}, err
	}
	return db.smsTemplate(ctx, id)
}

// ApprovedTemplate implements the sender's approval check: the approved
// code of a kind with a provider, or notify.ErrNotApproved.
func (db *DB) ApprovedTemplate(ctx context.Context, provider, kind string) (string, error) {
	var code string
	err := db.Read(ctx, func(tx *Tx) error {
		return tx.QueryRow("SELECT approved_code FROM sms_templates WHERE provider = ? AND kind = ? AND approved_at > 0", provider, kind).Scan(&code)
	})
	if errors.Is(err, ErrNoRows) || err == nil && code == "" {
		return "", notify.ErrNotApproved
	}
	return code, err
}
