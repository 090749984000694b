package store

import (
	"mingbai/internal/consult"
	"mingbai/internal/pii"
)

// openIDBlind is the blind index by which a WeChat follower's thread is
// found; the OpenID itself is kept only sealed (openid_enc).
func openIDBlind(s *pii.Sealer, openID string) string { return s.Blind("wechat-openid:" + openID) }

// openIDTail is what staff see of a follower (kept in phone_masked, the
// column of what staff see of a graduate): the last six characters of the
// OpenID, enough to tell two followers apart in the platform's console.
func openIDTail(openID string) string {
	if len(openID) <= 6 {
		return "…"
	}
	return "…" + openID[len(openID)-6:]
}

// messageCols are the columns scanMessage reads.
const messageCols = "id, thread_id, round_id, direction, author, body, body_enc, via, delivery, faq_code, created_at"

// scanMessage reads a message and opens its sealed body (a legacy row
// not yet sealed at start-up keeps its plain body).
func scanMessage(tx *Tx, row interface{ Scan(...any) error }) (ConsultMessage, error) {
	var m ConsultMessage
	var plain, enc string
	if err := row.Scan(&m.ID, &m.ThreadID, &m.RoundID, &m.Direction, &m.Author, &plain, &enc, &m.Via, &m.Delivery, &m.FAQCode, &m.CreatedAt); err != nil {
		return m, err
	}
	body, err := tx.openSealed(enc, plain)
	m.Body = body
	return m, err
}

// sendOf is the customer-service message that carries m to the thread's
// WeChat follower, with the OpenID opened from its seal.
func sendOf(tx *Tx, t ConsultThread, m ConsultMessage) (*ConsultSend, error) {
	openID, err := tx.openSealed(t.openIDEnc, t.graduateKey)
	if err != nil {
		return nil, err
	}
	return &ConsultSend{MessageID: m.ID, OpenID: openID, Body: m.Body}, nil
}

// sealPlainConsult seals consultation rows written by versions that kept
// message bodies and OpenIDs in clear; it returns how many rows changed.
func sealPlainConsult(tx *Tx, s *pii.Sealer) (int, error) {
	type row struct {
		id    int64
		plain string
	}
	collect := func(q string) ([]row, error) {
		rows, err := tx.Query(q)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var rs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.plain); err != nil {
				return nil, err
			}
			rs = append(rs, r)
		}
		return rs, rows.Err()
	}
	n := 0
	msgs, err := collect("SELECT id, body FROM consult_messages WHERE body <> '' AND body_enc = ''")
	if err != nil {
		return n, err
	}
	for _, r := range msgs {
		if _, err := tx.Exec("UPDATE consult_messages SET body_enc = ?, body = '' WHERE id = ?", s.SealString(r.plain), r.id); err != nil {
			return n, err
		}
		n++
	}
	threads, err := collect("SELECT id, graduate_key FROM consult_threads WHERE channel = '" + consult.WeChat + "' AND openid_enc = ''")
	if err != nil {
		return n, err
	}
	for _, r := range threads {
		if _, err := tx.Exec("UPDATE consult_threads SET openid_enc = ?, graduate_key = ?, phone_masked = ? WHERE id = ?", s.SealString(r.plain), openIDBlind(s, r.plain), openIDTail(r.plain), r.id); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
