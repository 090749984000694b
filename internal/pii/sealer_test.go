package pii

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Fixed test secrets (never use these anywhere else).
var (
	secretA = strings.Repeat("a1", 32)
	secretB = strings.Repeat("b2", 32)
	secretC = strings.Repeat("c3", 32)
	rootHex = strings.Repeat("0f", 32)
)

func mustRing(t *testing.T, text string) *Keyring {
	t.Helper()
	k, err := ParseKeyring(text)
	if err != nil {
		t.Fatalf("ParseKeyring: %v", err)
	}
	return k
}

func mustSealer(t *testing.T, k *Keyring) *Sealer {
	t.Helper()
	s, err := NewSealer(k)
	if err != nil {
		t.Fatalf("NewSealer: %v", err)
	}
	return s
}

func TestSealOpen(t *testing.T) {
	s := mustSealer(t, mustRing(t, "lookup:"+secretA+"\n1:"+secretB))
	for _, pt := range []string{"11010519491231002X", "13812345678", "", strings.Repeat("王", 1000)} {
		t.Run(pt[:min(len(pt), 18)], func(t *testing.T) {
			ct := s.Seal([]byte(pt))
			if got, want := len(ct), len(pt)+Overhead; got != want {
				t.Errorf("len(ciphertext) = %d, want %d", got, want)
			}
			if got, want := ct[0], byte(1); got != want {
				t.Errorf("format byte = %d, want %d", got, want)
			}
			if id, _ := KeyID(ct); id != 1 {
				t.Errorf("KeyID = %d, want 1", id)
			}
			if pt != "" && bytes.Contains(ct, []byte(pt)) {
				t.Error("ciphertext contains the plaintext")
			}
			got, err := s.Open(ct)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if string(got) != pt {
				t.Errorf("Open = %q, want %q", got, pt)
			}
		})
	}
	t.Run("random nonce", func(t *testing.T) {
		a, b := s.Seal([]byte("same")), s.Seal([]byte("same"))
		if bytes.Equal(a, b) {
			t.Error("two seals of the same plaintext are equal")
		}
	})
	t.Run("strings", func(t *testing.T) {
		ct := s.SealString("11010519491231002X")
		if _, err := base64.StdEncoding.DecodeString(ct); err != nil {
			t.Errorf("SealString is not base64: %v", err)
		}
		got, err := s.OpenString(ct)
		if err != nil {
			t.Fatal(err)
		}
		if got != "11010519491231002X" {
			t.Errorf("OpenString = %q", got)
		}
		if _, err := s.OpenString("not base64!"); !errors.Is(err, ErrCiphertext) {
			t.Errorf("OpenString(garbage) error = %v, want ErrCiphertext", err)
		}
	})
}

func TestOpenRejects(t *testing.T) {
	ring := mustRing(t, "lookup:"+secretA+"\n1:"+secretB+"\n2:"+secretC)
	s := mustSealer(t, ring)
	ct := s.Seal([]byte("11010519491231002X"))
	other := mustSealer(t, mustRing(t, "lookup:"+secretA+"\n1:"+secretC+"\n2:"+secretB))

	flip := func(i int) []byte {
		b := bytes.Clone(ct)
		b[i] ^= 1
		return b
	}
	relabel := bytes.Clone(ct)
	relabel[1] = 1
	unknown := bytes.Clone(ct)
	unknown[1] = 9

	tests := []struct {
		name   string
		sealer *Sealer
		ct     []byte
		err    error
	}{
		{"flipped body byte", s, flip(len(ct) - 20), ErrDecrypt},
		{"flipped tag byte", s, flip(len(ct) - 1), ErrDecrypt},
		{"flipped nonce byte", s, flip(3), ErrDecrypt},
		{"relabelled key id", s, relabel, ErrDecrypt},
		{"unknown key id", s, unknown, ErrUnknownKey},
		{"unknown format", s, flip(0), ErrCiphertext},
		{"too short", s, ct[:Overhead-1], ErrCiphertext},
		{"empty", s, nil, ErrCiphertext},
		{"same id, different key", other, ct, ErrDecrypt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.sealer.Open(tt.ct); !errors.Is(err, tt.err) {
				t.Errorf("Open error = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	old := mustRing(t, "lookup:"+secretA+"\n1:"+secretB)
	s1 := mustSealer(t, old)
	ct1 := s1.Seal([]byte("11010519491231002X"))
	blind1 := s1.Blind("11010519491231002X")

	ring, err := old.WithNewKey()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ring.Current(), byte(2); got != want {
		t.Fatalf("Current() after WithNewKey = %d, want %d", got, want)
	}
	if got, want := old.Current(), byte(1); got != want {
		t.Errorf("WithNewKey changed the old ring: Current() = %d", got)
	}
	s2 := mustSealer(t, ring)

	t.Run("old ciphertext still opens", func(t *testing.T) {
		pt, err := s2.Open(ct1)
		if err != nil {
			t.Fatal(err)
		}
		if string(pt) != "11010519491231002X" {
			t.Errorf("Open = %q", pt)
		}
	})
	t.Run("new seals use the new key", func(t *testing.T) {
		if id, _ := KeyID(s2.Seal([]byte("x"))); id != 2 {
			t.Errorf("KeyID = %d, want 2", id)
		}
		if got, want := s2.CurrentKey(), byte(2); got != want {
			t.Errorf("CurrentKey() = %d, want %d", got, want)
		}
	})
	t.Run("blind index is stable", func(t *testing.T) {
		if got := s2.Blind("11010519491231002X"); got != blind1 {
			t.Errorf("Blind changed across rotation: %s != %s", got, blind1)
		}
	})

	rotated, changed, err := s2.Rotate(ct1)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("rotate re-seals", func(t *testing.T) {
		if !changed {
			t.Error("Rotate(old) changed = false")
		}
		if id, _ := KeyID(rotated); id != 2 {
			t.Errorf("KeyID(rotated) = %d, want 2", id)
		}
		again, changed, err := s2.Rotate(rotated)
		if err != nil {
			t.Fatal(err)
		}
		if changed || !bytes.Equal(again, rotated) {
			t.Error("Rotate(current) changed the ciphertext")
		}
		bad := bytes.Clone(rotated)
		bad[len(bad)-1] ^= 1
		if _, _, err := s2.Rotate(bad); !errors.Is(err, ErrDecrypt) {
			t.Errorf("Rotate(damaged) error = %v, want ErrDecrypt", err)
		}
		if _, _, err := s2.Rotate([]byte{1}); !errors.Is(err, ErrCiphertext) {
			t.Errorf("Rotate(short) error = %v, want ErrCiphertext", err)
		}
	})

	t.Run("retire the old key", func(t *testing.T) {
		if _, err := ring.WithoutKey(2); !errors.Is(err, ErrKeyring) {
			t.Errorf("WithoutKey(current) error = %v, want ErrKeyring", err)
		}
		if _, err := ring.WithoutKey(7); !errors.Is(err, ErrKeyring) {
			t.Errorf("WithoutKey(missing) error = %v, want ErrKeyring", err)
		}
		retired, err := ring.WithoutKey(1)
		if err != nil {
			t.Fatal(err)
		}
		s3 := mustSealer(t, retired)
		if _, err := s3.Open(ct1); !errors.Is(err, ErrUnknownKey) {
			t.Errorf("Open(key 1 ciphertext) error = %v, want ErrUnknownKey", err)
		}
		if pt, err := s3.Open(rotated); err != nil || string(pt) != "11010519491231002X" {
			t.Errorf("Open(rotated) = %q, %v", pt, err)
		}
		if got := s3.Blind("11010519491231002X"); got != blind1 {
			t.Error("Blind changed after retiring a key")
		}
	})

	t.Run("no id after 255", func(t *testing.T) {
		k := mustRing(t, "lookup:"+secretA+"\n255:"+secretB)
		if _, err := k.WithNewKey(); !errors.Is(err, ErrKeyring) {
			t.Errorf("WithNewKey at 255 error = %v, want ErrKeyring", err)
		}
	})
}

func TestBlind(t *testing.T) {
	s := mustSealer(t, mustRing(t, "lookup:"+secretA+"\n1:"+secretB))
	key, _ := hex.DecodeString(secretA)
	m := hmac.New(sha256.New, key)
	m.Write([]byte("11010519491231002X"))
	want := hex.EncodeToString(m.Sum(nil))

	if got := s.Blind("11010519491231002X"); got != want {
		t.Errorf("Blind = %s, want HMAC-SHA256 %s", got, want)
	}
	if got := s.Blind("11010519491231002X"); len(got) != 64 {
		t.Errorf("len(Blind) = %d, want 64", len(got))
	}
	if s.Blind("11010519491231002X") == s.Blind("440524188001010014") {
		t.Error("different values give the same index")
	}
	other := mustSealer(t, mustRing(t, "lookup:"+secretC+"\n1:"+secretB))
	if other.Blind("11010519491231002X") == want {
		t.Error("different lookup keys give the same index")
	}
	// The lookup key is not an encryption key: an index does not depend
	// on the encryption keys.
	third := mustSealer(t, mustRing(t, "lookup:"+secretA+"\n1:"+secretC))
	if third.Blind("11010519491231002X") != want {
		t.Error("index depends on the encryption key")
	}
}

func TestParseKeyring(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	rawURL := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32))
	tests := []struct {
		name    string
		text    string
		current byte
		ids     []byte
		err     bool
	}{
		{name: "explicit", text: "lookup:" + secretA + "\n1:" + secretB, current: 1, ids: []byte{1}},
		{name: "one line with semicolons", text: "lookup:" + secretA + ";1:" + secretB + ";2:" + secretC, current: 2, ids: []byte{1, 2}},
		{name: "comments, blanks, spaces", text: "# keys\n\n lookup : " + secretA + " \n  1: " + secretB + "\n", current: 1, ids: []byte{1}},
		{name: "highest id is current", text: "lookup:" + secretA + "\n7:" + secretB + "\n3:" + secretC, current: 7, ids: []byte{3, 7}},
		{name: "bare hex root", text: rootHex, current: 1, ids: []byte{1}},
		{name: "bare base64 root", text: b64 + "\n", current: 1, ids: []byte{1}},
		{name: "raw url base64 key", text: "lookup:" + rawURL + "\n1:" + secretB, current: 1, ids: []byte{1}},
		{name: "root plus new key", text: "root:" + rootHex + ";2:" + secretB, current: 2, ids: []byte{1, 2}},

		{name: "empty", text: "", err: true},
		{name: "comments only", text: "# nothing\n", err: true},
		{name: "no lookup key", text: "1:" + secretB, err: true},
		{name: "no encryption key", text: "lookup:" + secretA, err: true},
		{name: "id 0", text: "lookup:" + secretA + "\n0:" + secretB, err: true},
		{name: "id 256", text: "lookup:" + secretA + "\n256:" + secretB, err: true},
		{name: "unknown name", text: "lookup:" + secretA + "\nmain:" + secretB, err: true},
		{name: "duplicate id", text: "lookup:" + secretA + "\n1:" + secretB + "\n1:" + secretC, err: true},
		{name: "duplicate lookup", text: "lookup:" + secretA + "\nlookup:" + secretC + "\n1:" + secretB, err: true},
		{name: "two roots", text: rootHex + "\n" + rootHex, err: true},
		{name: "short secret", text: "lookup:" + secretA[:32] + "\n1:" + secretB, err: true},
		{name: "not hex nor base64", text: "lookup:" + strings.Repeat("zz", 32) + "!\n1:" + secretB, err: true},
		{name: "key equals lookup", text: "lookup:" + secretA + "\n1:" + secretA, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := ParseKeyring(tt.text)
			if tt.err {
				if !errors.Is(err, ErrKeyring) {
					t.Fatalf("ParseKeyring error = %v, want ErrKeyring", err)
				}
				if strings.Contains(err.Error(), secretB) || strings.Contains(err.Error(), secretA[:32]) {
					t.Errorf("error %q shows key material", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got, want := k.Current(), tt.current; got != want {
				t.Errorf("Current() = %d, want %d", got, want)
			}
			if got, want := k.IDs(), tt.ids; !bytes.Equal(got, want) {
				t.Errorf("IDs() = %v, want %v", got, want)
			}
		})
	}
}

func TestRootDerivation(t *testing.T) {
	// A deployment that started with a bare root secret rotates by adding
	// key 2 next to the root: the lookup key and key 1 stay as they were.
	s1 := mustSealer(t, mustRing(t, rootHex))
	ct := s1.Seal([]byte("13812345678"))
	s2 := mustSealer(t, mustRing(t, "root:"+rootHex+"\n2:"+secretB))
	if pt, err := s2.Open(ct); err != nil || string(pt) != "13812345678" {
		t.Errorf("Open after adding key 2 = %q, %v", pt, err)
	}
	if s1.Blind("13812345678") != s2.Blind("13812345678") {
		t.Error("Blind changed after adding key 2")
	}
	// Derived keys differ from each other and from the root.
	k := mustRing(t, rootHex)
	root, _ := hex.DecodeString(rootHex)
	if bytes.Equal(k.lookup, k.keys[1]) || bytes.Equal(k.lookup, root) || bytes.Equal(k.keys[1], root) {
		t.Error("derived keys are not distinct")
	}
	// Marshalling writes the derived keys out, and the result parses to
	// the same ring.
	text, err := k.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	s3 := mustSealer(t, mustRing(t, string(text)))
	if pt, err := s3.Open(ct); err != nil || string(pt) != "13812345678" {
		t.Errorf("Open after marshal round trip = %q, %v", pt, err)
	}
	if s1.Blind("13812345678") != s3.Blind("13812345678") {
		t.Error("Blind changed after marshal round trip")
	}
}

func TestKeyringDoesNotPrintKeys(t *testing.T) {
	k := mustRing(t, "lookup:"+secretA+"\n1:"+secretB)
	for _, out := range []string{k.String(), k.GoString()} {
		if strings.Contains(out, "a1a1") || strings.Contains(out, "b2b2") {
			t.Errorf("%q shows key material", out)
		}
	}
	if got, want := k.String(), "pii.Keyring{current: 1, keys: [1]}"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestGenerateKeyring(t *testing.T) {
	a, b := GenerateKeyring(), GenerateKeyring()
	if bytes.Equal(a.lookup, b.lookup) || bytes.Equal(a.keys[1], b.keys[1]) || bytes.Equal(a.lookup, a.keys[1]) {
		t.Error("generated keys repeat")
	}
	if got, want := len(a.lookup), KeySize; got != want {
		t.Errorf("len(lookup) = %d, want %d", got, want)
	}
}

func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pii.key")

	k1, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if got, want := fi.Mode().Perm(), os.FileMode(0o600); got != want {
			t.Errorf("key file mode = %v, want %v", got, want)
		}
	}
	k2, err := LoadOrCreateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := mustSealer(t, k1), mustSealer(t, k2)
	if s1.Blind("x") != s2.Blind("x") {
		t.Error("reloading the key file gave another lookup key")
	}
	ct := s1.Seal([]byte("secret"))
	if _, err := s2.Open(ct); err != nil {
		t.Errorf("reloaded ring cannot open: %v", err)
	}

	t.Run("rotate and write back", func(t *testing.T) {
		k3, err := k2.WithNewKey()
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteKeyFile(path, k3); err != nil {
			t.Fatal(err)
		}
		k4, err := LoadOrCreateKeyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := k4.Current(), byte(2); got != want {
			t.Errorf("Current() after reload = %d, want %d", got, want)
		}
		if _, err := mustSealer(t, k4).Open(ct); err != nil {
			t.Errorf("old ciphertext after rotation: %v", err)
		}
		if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
			t.Errorf("temporary file left behind: %v", err)
		}
	})

	t.Run("group-readable file is refused", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no Unix permissions")
		}
		loose := filepath.Join(dir, "loose.key")
		text, _ := GenerateKeyring().MarshalText()
		if err := os.WriteFile(loose, text, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(loose, 0o644); err != nil { // in case of a restrictive umask
			t.Fatal(err)
		}
		if _, err := LoadOrCreateKeyFile(loose); !errors.Is(err, ErrKeyring) || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("error = %v, want ErrKeyring telling to chmod 600", err)
		}
	})

	t.Run("corrupt file", func(t *testing.T) {
		bad := filepath.Join(dir, "bad.key")
		if err := os.WriteFile(bad, []byte("lookup:nonsense\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadOrCreateKeyFile(bad); !errors.Is(err, ErrKeyring) {
			t.Errorf("error = %v, want ErrKeyring", err)
		}
	})

	t.Run("missing directory", func(t *testing.T) {
		if _, err := LoadOrCreateKeyFile(filepath.Join(dir, "no", "such", "dir", "pii.key")); err == nil {
			t.Error("no error for a key file in a missing directory")
		}
	})
}

func TestLoadKeyring(t *testing.T) {
	t.Run("environment wins", func(t *testing.T) {
		t.Setenv(EnvKey, rootHex)
		path := filepath.Join(t.TempDir(), "pii.key")
		k, err := LoadKeyring(path)
		if err != nil {
			t.Fatal(err)
		}
		if mustSealer(t, k).Blind("x") != mustSealer(t, mustRing(t, rootHex)).Blind("x") {
			t.Error("ring is not the one from the environment")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Error("a key file was created although the environment holds the key")
		}
	})
	t.Run("bad environment value", func(t *testing.T) {
		t.Setenv(EnvKey, "short")
		_, err := LoadKeyring(filepath.Join(t.TempDir(), "pii.key"))
		if !errors.Is(err, ErrKeyring) || !strings.Contains(err.Error(), EnvKey) {
			t.Errorf("error = %v, want ErrKeyring naming %s", err, EnvKey)
		}
	})
	t.Run("file when the environment is empty", func(t *testing.T) {
		t.Setenv(EnvKey, "")
		path := filepath.Join(t.TempDir(), "pii.key")
		if _, err := LoadKeyring(path); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("key file not created: %v", err)
		}
	})
}

func TestSealerConcurrentUse(t *testing.T) {
	s := mustSealer(t, mustRing(t, rootHex))
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				ct := s.Seal([]byte("11010519491231002X"))
				if _, err := s.Open(ct); err != nil {
					t.Error(err)
					return
				}
				_ = s.Blind("11010519491231002X")
			}
		})
	}
	wg.Wait()
}
