package pii

import (
	"bytes"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// EnvKey is the environment variable that holds the key ring, in the format
// of ParseKeyring (entries may be separated by ";" on one line).
const EnvKey = "MINGBAI_PII_KEY"

// KeySize is the size of every key and secret: 32 bytes (AES-256,
// HMAC-SHA256).
const KeySize = 32

// ErrKeyring is returned for key material that cannot be used.
var ErrKeyring = errors.New("pii: invalid key ring")

// Keyring holds the encryption keys by id (1 to 255), the highest of which
// is current, and the lookup key of the blind index. It is immutable; its
// String method never shows key material.
type Keyring struct {
	keys   map[byte][]byte
	lookup []byte
}

// GenerateKeyring returns a new ring with a random lookup key and one
// random encryption key, id 1.
func GenerateKeyring() *Keyring {
	return &Keyring{
		keys:   map[byte][]byte{1: randomKey()},
		lookup: randomKey(),
	}
}

// ParseKeyring parses key material. The text is a list of entries, one a
// line or separated by ";"; blank lines and lines starting with # are
// ignored. Each entry is NAME:SECRET, where SECRET is 32 bytes in hex (64
// characters) or base64 (standard or URL alphabet, padded or not), and
// NAME is
//
//   - lookup: the key of the blind index. It is never rotated.
//   - 1 to 255: an encryption key with that id. The highest id is the
//     current key; lower ones open old ciphertexts.
//   - root: a master secret from which the lookup key and key 1 are derived
//     (HKDF-SHA256) unless they are given explicitly.
//
// A text that is a bare secret is a root. So MINGBAI_PII_KEY can be one
// random secret, and rotation later adds "2:SECRET" next to it while the
// root keeps the lookup key and key 1 as they were.
func ParseKeyring(text string) (*Keyring, error) {
	k := &Keyring{keys: make(map[byte][]byte)}
	var root []byte
	text = strings.ReplaceAll(text, ";", "\n")
	entries := 0
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		entries++
		name, value, found := strings.Cut(line, ":")
		if !found {
			name, value = "root", line
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		secret, err := decodeSecret(value)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %q: %w", ErrKeyring, name, err)
		}
		switch name {
		case "root":
			if root != nil {
				return nil, fmt.Errorf("%w: two root secrets", ErrKeyring)
			}
			root = secret
		case "lookup":
			if k.lookup != nil {
				return nil, fmt.Errorf("%w: two lookup keys", ErrKeyring)
			}
			k.lookup = secret
		default:
			id, err := strconv.Atoi(name)
			if err != nil || id < 1 || id > 255 {
				return nil, fmt.Errorf("%w: entry name %q is not root, lookup or a key id 1–255", ErrKeyring, name)
			}
			if k.keys[byte(id)] != nil {
				return nil, fmt.Errorf("%w: two keys with id %d", ErrKeyring, id)
			}
			k.keys[byte(id)] = secret
		}
	}
	if entries == 0 {
		return nil, fmt.Errorf("%w: no keys", ErrKeyring)
	}
	if root != nil {
		if k.lookup == nil {
			k.lookup = derive(root, "mingbai pii lookup")
		}
		if k.keys[1] == nil {
			k.keys[1] = derive(root, "mingbai pii key 1")
		}
	}
	if k.lookup == nil {
		return nil, fmt.Errorf("%w: no lookup key (add lookup:SECRET or a root secret)", ErrKeyring)
	}
	if len(k.keys) == 0 {
		return nil, fmt.Errorf("%w: no encryption key (add 1:SECRET or a root secret)", ErrKeyring)
	}
	for id, key := range k.keys {
		if bytes.Equal(key, k.lookup) {
			return nil, fmt.Errorf("%w: key %d equals the lookup key", ErrKeyring, id)
		}
	}
	return k, nil
}

// Current returns the id of the current encryption key.
func (k *Keyring) Current() byte { return slices.Max(k.IDs()) }

// IDs returns the ids of the encryption keys in ascending order.
func (k *Keyring) IDs() []byte {
	ids := make([]byte, 0, len(k.keys))
	for id := range k.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// WithNewKey returns a copy of the ring with a new random encryption key
// whose id is one more than the current one; the new key becomes current.
// The lookup key is kept. It fails when id 255 is in use.
func (k *Keyring) WithNewKey() (*Keyring, error) {
	cur := k.Current()
	if cur == 255 {
		return nil, fmt.Errorf("%w: key id 255 is in use; no id left for a new key", ErrKeyring)
	}
	n := &Keyring{keys: make(map[byte][]byte, len(k.keys)+1), lookup: k.lookup}
	for id, key := range k.keys {
		n.keys[id] = key
	}
	n.keys[cur+1] = randomKey()
	return n, nil
}

// WithoutKey returns a copy of the ring without the key id, once no
// ciphertext uses it any more. The current key cannot be removed.
func (k *Keyring) WithoutKey(id byte) (*Keyring, error) {
	if k.keys[id] == nil {
		return nil, fmt.Errorf("%w: no key %d", ErrKeyring, id)
	}
	if id == k.Current() {
		return nil, fmt.Errorf("%w: key %d is the current key", ErrKeyring, id)
	}
	n := &Keyring{keys: make(map[byte][]byte, len(k.keys)), lookup: k.lookup}
	for i, key := range k.keys {
		if i != id {
			n.keys[i] = key
		}
	}
	return n, nil
}

// MarshalText returns the ring in the format of ParseKeyring, every key
// written out in hex (a root secret is not kept: the keys derived from it
// are written instead). The text is secret.
func (k *Keyring) MarshalText() ([]byte, error) {
	var b strings.Builder
	b.WriteString("# mingbai personal-data keys. Keep this file secret (mode 0600) and back it up:\n")
	b.WriteString("# without it sealed ID numbers and phone numbers cannot be read.\n")
	b.WriteString("# lookup: blind-index key, never rotated. 1..255: encryption keys, the highest is current.\n")
	fmt.Fprintf(&b, "lookup:%s\n", hex.EncodeToString(k.lookup))
	for _, id := range k.IDs() {
		fmt.Fprintf(&b, "%d:%s\n", id, hex.EncodeToString(k.keys[id]))
	}
	return []byte(b.String()), nil
}

// String describes the ring without key material.
func (k *Keyring) String() string {
	return fmt.Sprintf("pii.Keyring{current: %d, keys: %v}", k.Current(), k.IDs())
}

// GoString describes the ring without key material.
func (k *Keyring) GoString() string { return k.String() }

// LoadKeyring returns the key ring from the MINGBAI_PII_KEY environment
// variable if it is set, else from the key file at path, which is created
// with new random keys if it does not exist (see LoadOrCreateKeyFile).
func LoadKeyring(path string) (*Keyring, error) {
	if v := os.Getenv(EnvKey); v != "" {
		k, err := ParseKeyring(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvKey, err)
		}
		return k, nil
	}
	return LoadOrCreateKeyFile(path)
}

// LoadOrCreateKeyFile reads the key ring from the file at path. If the file
// does not exist it is created with mode 0600 and a new random ring. An
// existing file must not be readable or writable by group or others (the
// check is skipped on Windows).
func LoadOrCreateKeyFile(path string) (*Keyring, error) {
	k, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	k = GenerateKeyring()
	text, _ := k.MarshalText()
	if err := writeNewFile(path, text); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Another process created it first: use theirs.
			return readKeyFile(path)
		}
		return nil, fmt.Errorf("pii: create key file: %w", err)
	}
	return k, nil
}

// WriteKeyFile writes the ring to path with mode 0600, replacing the file
// atomically (through a temporary file in the same directory), e.g. after
// WithNewKey.
func WriteKeyFile(path string, k *Keyring) error {
	text, err := k.MarshalText()
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	if err := writeNewFile(tmp, text); err != nil {
		return fmt.Errorf("pii: write key file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("pii: write key file: %w", err)
	}
	return nil
}

func readKeyFile(path string) (*Keyring, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: key file %s has mode %v; it must not be accessible to group or others (chmod 600)",
			ErrKeyring, path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	k, err := ParseKeyring(string(b))
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, nil
}

// writeNewFile creates path (failing if it exists) with mode 0600, writes
// b and syncs it to disk.
func writeNewFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// decodeSecret decodes a 32-byte secret written in hex or base64.
func decodeSecret(s string) ([]byte, error) {
	if len(s) == 2*KeySize {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("secret is %d bytes, want %d", len(b), KeySize)
			}
			return b, nil
		}
	}
	return nil, fmt.Errorf("secret is neither %d hex digits nor base64 of %d bytes", 2*KeySize, KeySize)
}

func derive(root []byte, info string) []byte {
	b, err := hkdf.Key(sha256.New, root, nil, info, KeySize)
	if err != nil {
		panic(err) // only for lengths HKDF-SHA256 cannot produce
	}
	return b
}

func randomKey() []byte {
	b := make([]byte, KeySize)
	rand.Read(b) // never fails; crashes the program if the OS cannot provide randomness
	return b
}
