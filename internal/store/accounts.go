package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
)

// User is a staff account.
type User struct {
	ID           int64     `json:"id"`
	Username     string    `json:"name"`
	DisplayName  string    `json:"display_name"`
	Role         auth.Role `json:"role"`
	Disabled     bool      `json:"disabled"`
	FailedLogins int       `json:"-"`
	LockedUntil  int64     `json:"locked_until,omitempty"`
	CreatedAt    int64     `json:"created_at"`
	StaffID      int64     `json:"staff_id,omitempty"`
	HallID       int64     `json:"hall_id,omitempty"`
	passwordHash string
}

// SessionLifetime is how long a session lasts. Failed sign-ins are
// throttled per account and address (LoginThrottle, throttle.go) rather
// than locking the account for everyone.
const SessionLifetime = 12 * time.Hour

const userCols = "u.id, u.username, u.display_name, u.role, u.disabled, u.failed_logins, u.locked_until, u.created_at, u.password_hash, COALESCE(s.id, 0), COALESCE(u.hall_id, s.hall_id, 0)"
const userFrom = " FROM users u LEFT JOIN staff s ON s.user_id = u.id "

// scanUser scans userCols, then the columns after them into extra.
func scanUser(row interface{ Scan(...any) error }, extra ...any) (User, error) {
	var u User
	var disabled int
	err := row.Scan(append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &disabled, &u.FailedLogins, &u.LockedUntil, &u.CreatedAt, &u.passwordHash, &u.StaffID, &u.HallID}, extra...)...)
	u.Disabled = disabled != 0
	return u, err
}

// CreateUser adds an account after checking name, role and password rules.
// An account of a hall-bound role is bound to the only hall of a
// single-hall installation; with several halls use CreateUserIn.
func (db *DB) CreateUser(ctx context.Context, username, displayName string, role auth.Role, password string) (User, error) {
	return db.CreateUserIn(ctx, 0, username, displayName, role, password)
}

// CreateUserIn adds an account bound to a hall (0: none, allowed only for
// the roles that span halls, or when there is exactly one hall).
func (db *DB) CreateUserIn(ctx context.Context, hallID int64, username, displayName string, role auth.Role, password string) (User, error) {
	if err := auth.ValidateUsername(username); err != nil {
		return User{}, err
	}
	if _, err := auth.ParseRole(string(role)); err != nil {
		return User{}, err
	}
	if err := auth.ValidatePassword(username, password); err != nil {
		return User{}, err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return User{}, err
	}
	return db.createUser(ctx, hallID, username, displayName, role, hash)
}

// CreateUserWithHash adds an account whose password was hashed beforehand
// with auth.HashPassword (the password rules were checked then). The demo
// seeds its many accounts, which share one published password, this way:
// hashing costs a fifth of a second each, and a separate salt per account
// protects nothing when the password is printed on the login page.
func (db *DB) CreateUserWithHash(ctx context.Context, hallID int64, username, displayName string, role auth.Role, passwordHash string) (User, error) {
	if err := auth.ValidateUsername(username); err != nil {
		return User{}, err
	}
	if _, err := auth.ParseRole(string(role)); err != nil {
		return User{}, err
	}
	if !strings.HasPrefix(passwordHash, "$argon2id$") {
		return User{}, errors.New("store: CreateUserWithHash needs an argon2id hash from auth.HashPassword")
	}
	return db.createUser(ctx, hallID, username, displayName, role, passwordHash)
}

func (db *DB) createUser(ctx context.Context, hallID int64, username, displayName string, role auth.Role, hash string) (User, error) {
	var u User
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		if role == auth.Admin {
			hallID = 0
		} else if hallID, err = accountHall(tx, hallID, role); err != nil {
			return err
		}
		id, err := tx.InsertID("INSERT INTO users (username, display_name, role, password_hash, created_at, hall_id) VALUES (?, ?, ?, ?, ?, ?)",
			username, displayName, string(role), hash, tx.NowMs(), nullInt(hallID))
		if apperr.Is(err, apperr.Conflict) {
			return apperr.InvalidField("username", "auth.user_exists", username)
		}
		if err != nil {
			return err
		}
		if err := tx.Audit("user.create", fmt.Sprintf("user:%s", username), fmt.Sprintf("role=%s hall=%d", role, hallID)); err != nil {
			return err
		}
		u = User{ID: id, Username: username, DisplayName: displayName, Role: role, CreatedAt: tx.NowMs(), HallID: hallID}
		return nil
	})
	return u, wrap("create user", err)
}

// accountHall checks the hall of a new or changed account: it must exist;
// a hall-bound role without one gets the only hall of a single-hall
// installation, none while there is no hall, and is refused otherwise.
func accountHall(tx *Tx, hallID int64, role auth.Role) (int64, error) {
	if hallID != 0 {
		var n int
		if err := tx.QueryRow("SELECT count(*) FROM halls WHERE id = ?", hallID).Scan(&n); err != nil {
			return 0, err
		}
		if n == 0 {
			return 0, apperr.InvalidField("hall", "auth.hall_required")
		}
		return hallID, nil
	}
	if !auth.BindsToHall(role) {
		return 0, nil
	}
	rows, err := tx.Query("SELECT id FROM halls ORDER BY id LIMIT 2")
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch len(ids) {
	case 0:
		// No hall yet: the account acts nowhere until a staff record or
		// SetUserHall binds it (auth.Principal.MayActIn fails closed).
		return 0, nil
	case 1:
		return ids[0], nil
	default:
		return 0, apperr.InvalidField("hall", "auth.hall_required")
	}
}

// SetUserHall moves an account to a hall (0: none, for the roles that span
// halls). Its sessions end so that the new binding applies at once.
func (db *DB) SetUserHall(ctx context.Context, username string, hallID int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		var id int64
		var role string
		if err := tx.QueryRow("SELECT id, role FROM users WHERE username = ?", username).Scan(&id, &role); err != nil {
			return notFound(err, "user")
		}
		if hallID == 0 && auth.BindsToHall(auth.Role(role)) {
			return apperr.InvalidField("hall", "auth.hall_required")
		}
		if hallID != 0 {
			if _, err := accountHall(tx, hallID, auth.Role(role)); err != nil {
				return err
			}
		}
		if _, err := tx.Exec("UPDATE users SET hall_id = ? WHERE id = ?", nullInt(hallID), id); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM sessions WHERE user_id = ?", id); err != nil {
			return err
		}
		if err := tx.changedHot(hotPrincipals); err != nil {
			return err
		}
		return tx.Audit("user.hall", "user:"+username, fmt.Sprintf("hall=%d", hallID))
	})
}

// SetPassword changes a password and unlocks the account.
func (db *DB) SetPassword(ctx context.Context, username, password string) error {
	if err := auth.ValidatePassword(username, password); err != nil {
		return err
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = 0 WHERE username = ?", hash, username)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("user")
		}
		return tx.Audit("user.password", "user:"+username, "")
	})
}

// SetUserDisabled disables or re-enables an account; disabling also ends
// its sessions and revokes its tokens.
func (db *DB) SetUserDisabled(ctx context.Context, username string, disabled bool) error {
	return db.Write(ctx, func(tx *Tx) error {
		var id int64
		if err := tx.QueryRow("SELECT id FROM users WHERE username = ?", username).Scan(&id); err != nil {
			return notFound(err, "user")
		}
		if _, err := tx.Exec("UPDATE users SET disabled = ?, failed_logins = 0, locked_until = 0 WHERE id = ?", b2i(disabled), id); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.Exec("DELETE FROM sessions WHERE user_id = ?", id); err != nil {
				return err
			}
			if _, err := tx.Exec("UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at = 0", tx.NowMs(), id); err != nil {
				return err
			}
		}
		if err := tx.changedHot(hotPrincipals); err != nil {
			return err
		}
		return tx.Audit("user.disable", "user:"+username, fmt.Sprintf("disabled=%v", disabled))
	})
}

// SetUserRole changes an account's role. Its sessions end, so the new
// role applies from the next sign-in and never alongside the old one.
func (db *DB) SetUserRole(ctx context.Context, username string, role auth.Role) error {
	if _, err := auth.ParseRole(string(role)); err != nil {
		return err
	}
	return db.Write(ctx, func(tx *Tx) error {
		var id, hallID int64
		var old string
		if err := tx.QueryRow("SELECT u.id, u.role, COALESCE(u.hall_id, s.hall_id, 0)"+userFrom+"WHERE u.username = ?", username).Scan(&id, &old, &hallID); err != nil {
			return notFound(err, "user")
		}
		// A role bound to a hall needs one: the account's, else the only hall.
		hallID, err := accountHall(tx, hallID, role)
		if err != nil {
			return err
		}
		if _, err := tx.Exec("UPDATE users SET role = ?, hall_id = ? WHERE id = ?", string(role), nullInt(hallID), id); err != nil {
			return err
		}
		if _, err := tx.Exec("DELETE FROM sessions WHERE user_id = ?", id); err != nil {
			return err
		}
		if err := tx.changedHot(hotPrincipals); err != nil {
			return err
		}
		return tx.Audit("user.role", "user:"+username, old+" -> "+string(role))
	})
}

// ListUsers returns all accounts ordered by name.
func (db *DB) ListUsers(ctx context.Context) ([]User, error) {
	var out []User
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT " + userCols + userFrom + "ORDER BY u.username")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return loginBlocks(tx, out)
	})
	return out, err
}

// loginBlocks sets LockedUntil of each account to the end of its latest
// sign-in block: failed sign-ins are throttled per account and address
// (key "username|address"), so an account is shown paused while any
// address is blocked from it, though it stays open from other addresses.
func loginBlocks(tx *Tx, users []User) error {
	rows, err := tx.Query("SELECT key, blocked_until FROM throttle WHERE scope = 'login' AND blocked_until > ?", tx.NowMs())
	if err != nil {
		return err
	}
	defer rows.Close()
	until := map[string]int64{}
	for rows.Next() {
		var key string
		var at int64
		if err := rows.Scan(&key, &at); err != nil {
			return err
		}
		name, _, _ := strings.Cut(key, "|")
		until[name] = max(until[name], at)
	}
	for i := range users {
		users[i].LockedUntil = max(users[i].LockedUntil, until[users[i].Username])
	}
	return rows.Err()
}

// UserByName returns an account.
func (db *DB) UserByName(ctx context.Context, username string) (User, error) {
	var u User
	err := db.Read(ctx, func(tx *Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow("SELECT "+userCols+userFrom+"WHERE u.username = ?", username))
		return notFound(err, "user")
	})
	return u, err
}

// dummyHash is checked when there is no real hash to check, so that an
// unknown, disabled or throttled account costs the same time as a wrong
// password.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

// Login checks a password and on success creates a session and returns
// its secret. Sign-in is throttled per (account, client address) and per
// address with exponential back-off (LoginThrottle): there is no global
// lock, so a stranger's wrong passwords never lock the account for its
// owner at another address. An unknown, disabled or throttled account
// answers exactly like a wrong password (same error, one password hash
// check each). Failures are audited with their real reason.
func (db *DB) Login(ctx context.Context, username, password string) (secret string, u User, err error) {
	reason := ""
	source := ActorFrom(ctx).Source
	key := username + "|" + source
	err = db.Write(ctx, func(tx *Tx) error {
		bad := apperr.New(apperr.Unauthorized, "auth.bad_login")
		wait, err := tx.blockedFor("login", key)
		if err != nil {
			return err
		}
		waitAddr, err := tx.blockedFor("login_addr", source)
		if err != nil {
			return err
		}
		if wait > 0 || waitAddr > 0 {
			auth.CheckPassword(dummyHash, password)
			reason = "auth.throttled"
			return bad
		}
		u, err = scanUser(tx.QueryRow("SELECT "+userCols+userFrom+"WHERE u.username = ?", username))
		if errors.Is(err, sql.ErrNoRows) {
			auth.CheckPassword(dummyHash, password)
			reason = "auth.unknown_user"
			return bad
		}
		if err != nil {
			return err
		}
		if !auth.CheckPassword(u.passwordHash, password) {
			reason = "auth.bad_login"
			return bad
		}
		if u.Disabled {
			reason = "auth.disabled"
			return bad
		}
		now := tx.NowMs()
		if err := tx.throttleClear("login", key); err != nil {
			return err
		}
		var hash string
		secret, hash = auth.NewToken("")
		if _, err := tx.Exec("INSERT INTO sessions (token_hash, user_id, created_at, expires_at, source) VALUES (?, ?, ?, ?, ?)",
			hash, u.ID, now, tx.Now.Add(SessionLifetime).UnixMilli(), tx.Actor.Source); err != nil {
			return err
		}
		tx.Actor.Name, tx.Actor.Role = u.Username, string(u.Role)
		return tx.Audit("auth.login", "user:"+u.Username, "")
	})
	if reason != "" {
		db.recordFailedLogin(ctx, username, source, reason)
	}
	return secret, u, err
}

// recordFailedLogin counts a failure for the throttles and audits it, in
// its own transaction so that it survives the failed login's rollback.
func (db *DB) recordFailedLogin(ctx context.Context, username, source, reason string) {
	err := db.Write(ctx, func(tx *Tx) error {
		if err := tx.throttleFail("login", username+"|"+source, LoginThrottle); err != nil {
			return err
		}
		if err := tx.throttleFail("login_addr", source, LoginAddressThrottle); err != nil {
			return err
		}
		return tx.AuditOutcome("auth.login", "user:"+username, "denied", reason)
	})
	if err != nil {
		db.Log.Error("record failed login", "err", err)
	}
}

// Logout ends a session.
func (db *DB) Logout(ctx context.Context, secret string) error {
	return db.Write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec("DELETE FROM sessions WHERE token_hash = ?", auth.HashToken(secret)); err != nil {
			return err
		}
		if err := tx.changedHot(hotPrincipals); err != nil {
			return err
		}
		return tx.Audit("auth.logout", "session", "")
	})
}

// PrincipalForSession resolves a session cookie. On PostgreSQL a session
// once resolved is served from memory until it expires (hotcache.go).
func (db *DB) PrincipalForSession(ctx context.Context, secret string) (auth.Principal, error) {
	hash, now := auth.HashToken(secret), db.Now().UnixMilli()
	if p, ok := db.hot.session(hash, now); ok {
		return p, nil
	}
	gen, hot := db.hot.on()
	var expires int64
	p, err := db.principalFor(ctx, "SELECT "+userCols+", x.expires_at"+userFrom+"JOIN sessions x ON x.user_id = u.id WHERE x.token_hash = ? AND x.expires_at > ?", "session", []any{&expires}, hash, now)
	if err == nil && hot {
		db.hot.putSession(gen, hash, p, expires, now)
	}
	return p, err
}

// PrincipalForToken resolves an API bearer token and notes its last use.
// On PostgreSQL a token once resolved is served from memory until a
// change drops it (hotcache.go).
func (db *DB) PrincipalForToken(ctx context.Context, secret string) (auth.Principal, error) {
	hash := auth.HashToken(secret)
	p, ok := db.hot.token(hash)
	if !ok {
		gen, hot := db.hot.on()
		var err error
		p, err = db.principalFor(ctx, "SELECT "+userCols+userFrom+"JOIN api_tokens x ON x.user_id = u.id WHERE x.token_hash = ? AND x.revoked_at = 0 AND ? > 0", "token", nil, hash, 1)
		if err != nil {
			return p, err
		}
		if hot {
			db.hot.putToken(gen, hash, p)
		}
	}
	// Last use is informational; a lost update is harmless, so it is not
	// worth a write per request: at most once a minute, in the background
	// (device_seen.go).
	db.tokenUsed(ctx, hash)
	return p, nil
}

// principalFor runs q, which selects userCols and then the columns scanned
// into extra, and returns the enabled account it finds.
func (db *DB) principalFor(ctx context.Context, q, via string, extra []any, args ...any) (auth.Principal, error) {
	var p auth.Principal
	// One statement on every signed-in request: no transaction around it.
	err := db.ReadOne(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.QueryRow(q, args...), extra...)
		if err != nil {
			return notFound(err, "session")
		}
		if u.Disabled {
			return apperr.New(apperr.Unauthorized, "auth.disabled")
		}
		p = auth.Principal{UserID: u.ID, Username: u.Username, Role: u.Role, StaffID: u.StaffID, HallID: u.HallID, Via: via}
		return nil
	})
	return p, err
}

// Token is an API token's public description.
type Token struct {
	ID        int64  `json:"id"`
	User      string `json:"user"`
	Name      string `json:"name"`
	CreatedAt int64  `json:"created_at"`
	LastUsed  int64  `json:"last_used"`
	Revoked   bool   `json:"revoked"`
}

// CreateToken issues an API token for a user and returns its secret, which
// is not stored and cannot be shown again.
func (db *DB) CreateToken(ctx context.Context, username, name string) (string, Token, error) {
	var secret string
	var t Token
	err := db.Write(ctx, func(tx *Tx) error {
		var uid int64
		var disabled int
		if err := tx.QueryRow("SELECT id, disabled FROM users WHERE username = ?", username).Scan(&uid, &disabled); err != nil {
			return notFound(err, "user")
		}
		if disabled != 0 {
			return apperr.New(apperr.Invalid, "auth.disabled")
		}
		var hash string
		secret, hash = auth.NewToken("mb_")
		id, err := tx.InsertID("INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES (?, ?, ?, ?)", hash, uid, name, tx.NowMs())
		if err != nil {
			return err
		}
		t = Token{ID: id, User: username, Name: name, CreatedAt: tx.NowMs()}
		return tx.Audit("token.create", fmt.Sprintf("token:%d", id), "user="+username)
	})
	return secret, t, err
}

// ListTokens lists API tokens (all users when username is empty).
func (db *DB) ListTokens(ctx context.Context, username string) ([]Token, error) {
	var out []Token
	err := db.Read(ctx, func(tx *Tx) error {
		rows, err := tx.Query("SELECT t.id, u.username, t.name, t.created_at, t.last_used, t.revoked_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE ? = '' OR u.username = ? ORDER BY t.id", username, username)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t Token
			var revoked int64
			if err := rows.Scan(&t.ID, &t.User, &t.Name, &t.CreatedAt, &t.LastUsed, &revoked); err != nil {
				return err
			}
			t.Revoked = revoked != 0
			out = append(out, t)
		}
		return rows.Err()
	})
	return out, err
}

// RevokeToken revokes an API token by id.
func (db *DB) RevokeToken(ctx context.Context, id int64) error {
	return db.Write(ctx, func(tx *Tx) error {
		res, err := tx.Exec("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0", tx.NowMs(), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundOf("token")
		}
		if err := tx.changedHot(hotPrincipals); err != nil {
			return err
		}
		return tx.Audit("token.revoke", fmt.Sprintf("token:%d", id), "")
	})
}
