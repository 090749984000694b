package auth

import "testing"

func TestPasswordHashRoundTrip(t *testing.T) {
	h, err := HashPassword("correct horse 42")
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(h, "correct horse 42") {
		t.Error("right password rejected")
	}
	if CheckPassword(h, "correct horse 43") {
		t.Error("wrong password accepted")
	}
	h2, _ := HashPassword("correct horse 42")
	if h == h2 {
		t.Error("two hashes of one password are equal: salt missing")
	}
}

func TestValidatePassword(t *testing.T) {
	for _, tc := range []struct {
		user, pw string
		ok       bool
	}{
		{"alice", "short1", false},
		{"alice", "onlyletterslong", false},
		{"alice", "1234567890123", false},
		{"alice", "alice2026xyz", false},
		{"alice", "Hall-2026-open", true},
		{"alice", "服务大厅二〇二六年12", true},
	} {
		if err := ValidatePassword(tc.user, tc.pw); (err == nil) != tc.ok {
			t.Errorf("ValidatePassword(%q, %q) = %v, want ok=%v", tc.user, tc.pw, err, tc.ok)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range AccountRoles {
		if got, err := ParseRole(string(r)); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	for _, bad := range []string{"", "device", "anonymous", "root"} {
		if _, err := ParseRole(bad); err == nil {
			t.Errorf("ParseRole(%q) accepted", bad)
		}
	}
}

func TestTokensAreHashedAndDistinct(t *testing.T) {
	s1, h1 := NewToken("mb_")
	s2, h2 := NewToken("mb_")
	if s1 == s2 || h1 == h2 {
		t.Fatal("tokens repeat")
	}
	if HashToken(s1) != h1 || h1 == s1 {
		t.Fatal("hash does not match or equals the secret")
	}
}
