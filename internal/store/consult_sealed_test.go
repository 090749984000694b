package store_test

import (
	"strings"
	"testing"

	"mingbai/internal/consult"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// dumpConsult returns every consultation row as text, as someone holding a
// copy of the database would read it.
func dumpConsult(t *testing.T, db *store.DB) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT graduate_key, openid_enc, phone_enc, phone_masked FROM consult_threads",
		"SELECT body, body_enc FROM consult_messages",
	} {
		rows, err := db.Raw().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]string, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			b.WriteString(strings.Join(vals, "|") + "\n")
		}
		rows.Close()
	}
	return b.String()
}

// TestConsultSealedAtRest: a graduate's words and WeChat OpenID never sit
// in the database in clear; staff still read the thread, replies still
// reach the follower, a key rotation re-seals them, and rows written in
// clear by an older version are sealed at start-up.
func TestConsultSealedAtRest(t *testing.T) {
	e := newConsultEnv(t)
	ring := pii.GenerateKeyring()
	s1, _ := pii.NewSealer(ring)
	e.db.SetPII(s1)
	const openID, question = "oSealedFollower42", "我叫张三丰，身份证号码是多少才能领失业金"
	r := e.wechat(openID, question, "msg:sealed")
	e.wechat(openID, "人工", "msg:sealed:2")

	dump := dumpConsult(t, e.db)
	for _, secret := range []string{openID, "张三丰", "失业金", "人工"} {
		if strings.Contains(dump, secret) {
			t.Fatalf("%q is in the database in clear:\n%s", secret, dump)
		}
	}
	v := e.thread(r.Thread.ID)
	if len(v.Messages) == 0 || v.Messages[0].Body != question {
		t.Fatalf("staff read the sealed message: %+v", v.Messages)
	}
	// A second message from the same follower joins the same thread
	// (found by the OpenID's blind index).
	if again := e.wechat(openID, "还在吗", "msg:sealed:3"); again.Thread.ID != r.Thread.ID {
		t.Fatalf("same follower, new thread %d ≠ %d", again.Thread.ID, r.Thread.ID)
	}
	res, err := e.db.ConsultReply(ctx, store.ConsultReplyInput{HallID: e.hall.ID, ThreadID: r.Thread.ID, By: "consult", Body: "您好，请带上毕业证", IdempotencyKey: "sealed-1"})
	if err != nil || res.Send == nil || res.Send.OpenID != openID {
		t.Fatalf("reply to the follower: %+v %v", res.Send, err)
	}

	// Rotation: every sealed value moves to the new key and still opens.
	ring2, err := ring.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	s2, _ := pii.NewSealer(ring2)
	e.db.SetPII(s2)
	before, _ := e.db.PIIKeyUsage(ctx)
	if before[ring.Current()] < 5 { // OpenID + four messages
		t.Fatalf("key usage counts the sealed consultation values: %v", before)
	}
	if _, err := e.db.ResealPII(ctx, s2, 2); err != nil {
		t.Fatal(err)
	}
	after, _ := e.db.PIIKeyUsage(ctx)
	if after[ring.Current()] != 0 {
		t.Fatalf("values left under the old key: %v", after)
	}
	if v := e.thread(r.Thread.ID); v.Messages[0].Body != question {
		t.Fatalf("re-sealed message: %q", v.Messages[0].Body)
	}

	// An older version's rows: plain body, OpenID as the thread key.
	raw := e.db.Raw()
	if _, err := raw.Exec(e.db.Rebind("INSERT INTO consult_threads (hall_id, channel, graduate_key, status, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)"),
		e.hall.ID, consult.WeChat, "oLegacyFollower", consult.Resolved); err != nil {
		t.Fatal(err)
	}
	var legacy int64
	if err := raw.QueryRow(e.db.Rebind("SELECT id FROM consult_threads WHERE graduate_key = ?"), "oLegacyFollower").Scan(&legacy); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(e.db.Rebind("INSERT INTO consult_messages (thread_id, hall_id, direction, body, created_at) VALUES (?, ?, 'in', ?, 0)"), legacy, e.hall.ID, "旧版本的明文咨询"); err != nil {
		t.Fatal(err)
	}
	if n, err := e.db.SealPlainPhones(ctx); err != nil || n != 2 {
		t.Fatalf("sealed %d legacy rows, %v", n, err)
	}
	dump = dumpConsult(t, e.db)
	if strings.Contains(dump, "oLegacyFollower") || strings.Contains(dump, "明文") {
		t.Fatalf("legacy rows still in clear:\n%s", dump)
	}
	if v := e.thread(legacy); len(v.Messages) != 1 || v.Messages[0].Body != "旧版本的明文咨询" {
		t.Fatalf("legacy message after sealing: %+v", v.Messages)
	}
	if again := e.wechat("oLegacyFollower", "我又来了", "msg:legacy"); again.Thread.ID != legacy {
		t.Fatalf("the legacy follower gets a new thread %d ≠ %d", again.Thread.ID, legacy)
	}
}
