package store_test

import (
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"mingbai/internal/auth"
	"mingbai/internal/hall"
	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// hotAccount is a clerk's account with an API token and a session, both
// resolved once by instance db (so cached when its cache is on).
type hotAccount struct {
	db      *store.DB
	name    string
	id      int64
	token   string
	tokenID int64
	session string
}

// TestHotCachePrincipals runs instances on one PostgreSQL database.
// Instance A serves staff API tokens and sessions from memory while its
// listener is up. Every change to who a token or session signs in as must
// reach the cache: made through the store by another instance (A sees it
// when the NOTIFY arrives), by the instance itself (seen at once, tested
// on one whose cache is on without a listener, so that only its own drop
// can do it), or by plain SQL (seen through the triggers of migration
// 00026, with no Go code involved). A change made with the triggers off
// proves that an instance really answers from memory; without its
// listener A reads the database every time; a cached session is never
// used past its expiry.
func TestHotCachePrincipals(t *testing.T) {
	if storetest.PGDSN() == "" {
		t.Skip("the hot cache is used on PostgreSQL only: set MINGBAI_TEST_PG")
	}
	a := storetest.Open(t)
	// A's clock, moved only by the expiry test.
	var clock atomic.Pointer[time.Time]
	a.SetClock(func() time.Time {
		if at := clock.Load(); at != nil {
			return *at
		}
		return time.Now()
	})
	h := demoHall(t, a)
	h2, err := a.CreateHall(ctx, hall.Hall{Code: "second", Name: "第二大厅", Hours: h.Hours})
	if err != nil {
		t.Fatal(err)
	}
	// heard waits until A's listener has heard everything committed so
	// far (notifications arrive in commit order): a late NOTIFY of an
	// earlier change must not drop what a test has just had A cache.
	barrier := make(chan string, 16)
	a.OnEvent(func(e store.Event) {
		if e.Kind == "test.barrier" {
			select {
			case barrier <- string(e.Payload):
			default:
			}
		}
	})
	b, stop := hotPair(t, a)
	barriers := 0
	heard := func(t *testing.T) {
		t.Helper()
		barriers++
		want := fmt.Sprint(barriers)
		if err := b.Write(ctx, func(tx *store.Tx) error { return tx.Publish(h.ID, "test.barrier", barriers) }); err != nil {
			t.Fatal(err)
		}
		for deadline := time.After(10 * time.Second); ; {
			select {
			case got := <-barrier:
				if got == want {
					return
				}
			case <-deadline:
				t.Fatal("instance A's listener heard nothing")
			}
		}
	}
	// deaf has its cache on and no listener: only its own writes drop
	// what it keeps.
	deaf, err := store.Open(ctx, store.Config{DSN: a.DSN()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { deaf.Close() })
	store.HotDeaf(deaf)
	const password = "Window-2026-ok"
	hash, err := auth.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	// owner is the account a statement below hands a token to.
	if _, err := a.CreateUserWithHash(ctx, h.ID, "owner", "", auth.WindowStaff, hash); err != nil {
		t.Fatal(err)
	}

	// raw is a bare connection to the same schema: what an operator's SQL
	// or another program would write.
	rawDB, err := sql.Open("pgx", a.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rawDB.Close() })
	raw, err := rawDB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	exec := func(t *testing.T, q string, args ...any) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// unseen runs q with the triggers off: a change nobody is told of.
	unseen := func(t *testing.T, q string, args ...any) {
		t.Helper()
		exec(t, "SET session_replication_role = replica")
		defer exec(t, "SET session_replication_role = origin")
		exec(t, q, args...)
	}

	token := func(acc hotAccount) (auth.Principal, error) { return acc.db.PrincipalForToken(ctx, acc.token) }
	session := func(acc hotAccount) (auth.Principal, error) { return acc.db.PrincipalForSession(ctx, acc.session) }
	accepted := func(acc hotAccount) bool {
		_, errT := token(acc)
		_, errS := session(acc)
		return errT == nil && errS == nil
	}
	// cached checks that acc's instance serves it from memory: with acc
	// disabled behind every instance's back, it still accepts acc's token
	// and session.
	cached := func(t *testing.T, acc hotAccount) {
		t.Helper()
		unseen(t, "UPDATE users SET disabled = 1 WHERE id = $1", acc.id)
		defer unseen(t, "UPDATE users SET disabled = 0 WHERE id = $1", acc.id)
		if !accepted(acc) {
			t.Fatal("an instance read the database for a token and session it had resolved")
		}
	}

	n := 0
	// account makes an account (with a staff record if staffed) and has
	// instance db resolve its token and session.
	account := func(t *testing.T, db *store.DB, staffed bool) hotAccount {
		t.Helper()
		n++
		acc := hotAccount{db: db, name: fmt.Sprintf("clerk%d", n)}
		u, err := a.CreateUserWithHash(ctx, h.ID, acc.name, "", auth.WindowStaff, hash)
		if err != nil {
			t.Fatal(err)
		}
		acc.id = u.ID
		if staffed {
			if _, err := a.SaveStaff(ctx, hall.Staff{HallID: h.ID, StaffNo: fmt.Sprintf("S%d", n), Name: "窗口人员", Post: "受理", UserID: u.ID}); err != nil {
				t.Fatal(err)
			}
		}
		var tok store.Token
		if acc.token, tok, err = a.CreateToken(ctx, acc.name, "api"); err != nil {
			t.Fatal(err)
		}
		acc.tokenID = tok.ID
		if acc.session, _, err = a.Login(ctx, acc.name, password); err != nil {
			t.Fatal(err)
		}
		if db == a {
			heard(t)
		}
		for range 2 { // the first read fills the cache, the second uses it
			if p, err := token(acc); err != nil || p.UserID != u.ID || p.Role != auth.WindowStaff || p.Via != "token" {
				t.Fatalf("token principal %+v %v", p, err)
			}
			if p, err := session(acc); err != nil || p.UserID != u.ID || p.HallID != h.ID || p.Via != "session" {
				t.Fatalf("session principal %+v %v", p, err)
			}
		}
		return acc
	}
	tokenRefused := func(acc hotAccount) bool { _, err := token(acc); return err != nil }
	sessionRefused := func(acc hotAccount) bool { _, err := session(acc); return err != nil }
	bothRefused := func(acc hotAccount) bool { return tokenRefused(acc) && sessionRefused(acc) }
	// tokenShows reports whether A resolves the token to a principal that
	// ok accepts.
	tokenShows := func(ok func(hotAccount, auth.Principal) bool) func(hotAccount) bool {
		return func(acc hotAccount) bool { p, err := token(acc); return err == nil && ok(acc, p) }
	}

	// The store's own ways to change a principal, and how A shows each.
	changes := []struct {
		name  string
		do    func(db *store.DB, acc hotAccount) error
		shown func(hotAccount) bool
	}{
		{"revoke token", func(db *store.DB, acc hotAccount) error { return db.RevokeToken(ctx, acc.tokenID) }, tokenRefused},
		{"sign out", func(db *store.DB, acc hotAccount) error { return db.Logout(ctx, acc.session) }, sessionRefused},
		{"disable", func(db *store.DB, acc hotAccount) error { return db.SetUserDisabled(ctx, acc.name, true) }, bothRefused},
		{"set role", func(db *store.DB, acc hotAccount) error { return db.SetUserRole(ctx, acc.name, auth.HallManager) },
			func(acc hotAccount) bool {
				return sessionRefused(acc) && tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.Role == auth.HallManager })(acc)
			}},
		{"set hall", func(db *store.DB, acc hotAccount) error { return db.SetUserHall(ctx, acc.name, h2.ID) },
			tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.HallID == h2.ID })},
		{"link staff", func(db *store.DB, acc hotAccount) error {
			_, err := db.SaveStaff(ctx, hall.Staff{HallID: h.ID, StaffNo: "L" + acc.name, Name: "新到岗", Post: "受理", UserID: acc.id})
			return err
		}, tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.StaffID != 0 })},
	}
	for _, c := range changes {
		t.Run("another instance: "+c.name, func(t *testing.T) {
			acc := account(t, a, false)
			cached(t, acc)
			if err := c.do(b, acc); err != nil {
				t.Fatal(err)
			}
			eventually(t, "instance A missed instance B's change", func() bool { return c.shown(acc) })
		})
		t.Run("this instance: "+c.name, func(t *testing.T) {
			acc := account(t, deaf, false)
			cached(t, acc)
			if err := c.do(deaf, acc); err != nil {
				t.Fatal(err)
			}
			if !c.shown(acc) { // no polling, no listener: the writer dropped it after its commit
				t.Fatal("an instance served its own change from memory")
			}
		})
	}

	// Plain SQL, no Go code: only the triggers can tell A.
	statements := []struct {
		q       string
		staffed bool
		shown   func(hotAccount) bool
	}{
		{"UPDATE api_tokens SET revoked_at = 1 WHERE user_id = $1", false, tokenRefused},
		{"UPDATE api_tokens SET user_id = (SELECT id FROM users WHERE username = 'owner') WHERE user_id = $1", false,
			tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.Username == "owner" })},
		{"DELETE FROM api_tokens WHERE user_id = $1", false, tokenRefused},
		{"DELETE FROM sessions WHERE user_id = $1", false, sessionRefused},
		{"UPDATE sessions SET expires_at = 1 WHERE user_id = $1", false, sessionRefused},
		{"UPDATE users SET disabled = 1 WHERE id = $1", false, bothRefused},
		{"UPDATE users SET role = 'hall_manager' WHERE id = $1", false, tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.Role == auth.HallManager })},
		{"UPDATE users SET username = username || '_renamed' WHERE id = $1", false,
			tokenShows(func(acc hotAccount, p auth.Principal) bool { return p.Username == acc.name+"_renamed" })},
		{"UPDATE users SET hall_id = NULL WHERE id = $1", false, tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.HallID == 0 })},
		{"INSERT INTO staff (hall_id, staff_no, name, post, user_id) SELECT hall_id, 'Q' || id, '新到岗', '受理', id FROM users WHERE id = $1", false,
			tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.StaffID != 0 })},
		{"UPDATE staff SET user_id = NULL WHERE user_id = $1", true, tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.StaffID == 0 })},
		{"DELETE FROM staff WHERE user_id = $1", true, tokenShows(func(_ hotAccount, p auth.Principal) bool { return p.StaffID == 0 })},
	}
	for _, st := range statements {
		t.Run("sql: "+st.q, func(t *testing.T) {
			acc := account(t, a, st.staffed)
			cached(t, acc)
			if st.shown(acc) {
				t.Fatal("the change shows before it is made")
			}
			exec(t, st.q, acc.id)
			eventually(t, "instance A missed a change made in SQL", func() bool { return st.shown(acc) })
		})
	}
	t.Run("sql: TRUNCATE sessions", func(t *testing.T) {
		acc := account(t, a, false)
		cached(t, acc)
		exec(t, "TRUNCATE sessions")
		eventually(t, "instance A missed a TRUNCATE", func() bool { return sessionRefused(acc) })
	})

	// A token's last use, written every minute, must not empty the cache.
	t.Run("last use keeps the cache", func(t *testing.T) {
		acc := account(t, a, false)
		unseen(t, "UPDATE users SET disabled = 1 WHERE id = $1", acc.id)
		exec(t, "UPDATE api_tokens SET last_used = last_used + 1 WHERE user_id = $1", acc.id)
		heard(t)
		if tokenRefused(acc) {
			t.Fatal("a token's last use dropped the cached principals")
		}
	})

	t.Run("expired session", func(t *testing.T) {
		start := time.Now()
		clock.Store(&start)
		defer clock.Store(nil)
		acc := account(t, a, false) // signed in at start
		unseen(t, "UPDATE users SET role = 'auditor' WHERE id = $1", acc.id)
		last := start.Add(store.SessionLifetime - time.Millisecond)
		clock.Store(&last)
		if p, err := session(acc); err != nil || p.Role != auth.WindowStaff {
			t.Fatalf("a session cached until its expiry: %+v %v", p, err)
		}
		end := start.Add(store.SessionLifetime)
		clock.Store(&end)
		if p, err := session(acc); err == nil {
			t.Fatalf("an expired session was served from memory as %+v", p)
		}
	})

	// Without its listener A cannot hear of changes: it reads every time,
	// and keeps nothing.
	t.Run("without a listener", func(t *testing.T) {
		acc := account(t, a, false)
		other := account(t, a, false)
		stop()
		if err := b.RevokeToken(ctx, acc.tokenID); err != nil {
			t.Fatal(err)
		}
		if err := b.Logout(ctx, acc.session); err != nil {
			t.Fatal(err)
		}
		if !bothRefused(acc) {
			t.Fatal("without a listener, instance A served what instance B ended")
		}
		if !accepted(other) || !accepted(other) {
			t.Fatal("a token or session refused")
		}
		unseen(t, "UPDATE users SET disabled = 1 WHERE id = $1", other.id)
		if !bothRefused(other) {
			t.Fatal("without a listener, instance A answered from memory")
		}
	})
}
