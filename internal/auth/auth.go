// Package auth holds roles, password hashing and token generation. It knows
// nothing about HTTP or storage: the web layer resolves a caller to a
// Principal, the store persists hashes.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/crypto/argon2"

	"mingbai/internal/apperr"
)

// Role is what a staff account may do. Devices and anonymous callers have
// pseudo-roles so that a route's allowed list can name them too.
type Role string

// The account roles of PRODUCT.md, plus pseudo-roles for devices and the
// public.
const (
	Admin            Role = "admin"
	HallManager      Role = "hall_manager"
	WindowStaff      Role = "window_staff"
	DutyLeader       Role = "duty_leader"
	CallbackOperator Role = "callback_operator"
	GuideEditor      Role = "guide_editor"
	Auditor          Role = "auditor"
	// Consultant answers graduates' employment questions (WeChat and web
	// consultation threads) and keeps the FAQ current.
	Consultant Role = "consultant"

	// Device is a kiosk, display or rating pad authenticated by its token.
	Device Role = "device"
	// Anonymous is any caller without credentials (citizens).
	Anonymous Role = "anonymous"
)

// AccountRoles are the roles a user account can hold.
var AccountRoles = []Role{Admin, HallManager, WindowStaff, DutyLeader, CallbackOperator, GuideEditor, Auditor, Consultant}

// AllRoles are the account roles and the pseudo-roles, for access tests.
var AllRoles = append(append([]Role{}, AccountRoles...), Device, Anonymous)

// ParseRole validates a role name for an account.
func ParseRole(s string) (Role, error) {
	for _, r := range AccountRoles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", apperr.InvalidField("role", "auth.bad_role", s)
}

// Principal is the authenticated caller of one request.
type Principal struct {
	UserID   int64
	Username string
	Role     Role
	// DeviceID and HallID are set for devices; a device acts only in its hall.
	DeviceID   int64
	DeviceKind string
	HallID     int64
	// StaffID links a window_staff account to its staff record, when any.
	StaffID int64
	// Via says how the caller authenticated: "session", "token", "device" or "".
	Via string
}

// Actor returns the name written to the audit log for this principal.
func (p Principal) Actor() string {
	switch {
	case p.Username != "":
		return p.Username
	case p.DeviceID != 0:
		return fmt.Sprintf("device:%d", p.DeviceID)
	default:
		return "anonymous"
	}
}

// SpansHalls reports whether the principal may act in every hall: an
// administrator always, an auditor without a hall (city-level oversight
// reads the one installation-wide audit chain). Every other account and
// every device is bound to one hall (docs/security.md).
func (p Principal) SpansHalls() bool {
	return p.Role == Admin || (p.Role == Auditor && p.HallID == 0)
}

// MayActIn reports whether the principal may act on objects of the hall.
// The public (anonymous callers) is not bound to a hall: what a route lets
// it do, it may do in any hall. A bound principal without a hall may act
// nowhere (fail closed).
func (p Principal) MayActIn(hallID int64) bool {
	switch {
	case !p.Authenticated():
		return true
	case p.SpansHalls():
		return true
	default:
		return p.HallID != 0 && p.HallID == hallID
	}
}

// BindsToHall reports whether accounts of the role must belong to a hall.
func BindsToHall(r Role) bool { return r != Admin && r != Auditor }

// Authenticated reports whether the caller presented valid credentials.
func (p Principal) Authenticated() bool { return p.Role != "" && p.Role != Anonymous }

var usernameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{1,31}$`)

// ValidateUsername checks the shape of a user name.
func ValidateUsername(name string) error {
	if !usernameRE.MatchString(name) {
		return apperr.InvalidField("username", "auth.bad_username")
	}
	return nil
}

// ValidatePassword applies the password rules: at least 10 characters,
// letters and digits, not containing the user name (等保 level 3 asks for
// complexity rules).
func ValidatePassword(username, password string) error {
	if len([]rune(password)) < 10 || len(password) > 256 {
		return apperr.InvalidField("password", "auth.password_rules")
	}
	var letter, digit bool
	for _, r := range password {
		switch {
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	if !letter || !digit || (username != "" && strings.Contains(strings.ToLower(password), strings.ToLower(username))) {
		return apperr.InvalidField("password", "auth.password_rules")
	}
	return nil
}

// argon2id parameters (RFC 9106 second recommendation, lowered memory for a
// small server): 64 MiB would block a 2-core kiosk-serving box on bursts of
// logins, 19 MiB with t=2 is OWASP's minimum configuration.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns an encoded argon2id hash in the PHC string format.
func HashPassword(password string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword compares a password with an encoded hash in constant time.
func CheckPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken returns a random secret with a readable prefix ("mb_" for API
// tokens, "mbd_" for devices, "" for sessions) and the hash to store. Only
// the hash is kept: a leaked database does not leak usable tokens.
func NewToken(prefix string) (secret, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux; a failure is fatal.
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret)
}

// HashToken returns the stored form of a token secret.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
