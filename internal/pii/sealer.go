package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// Ciphertext layout: format byte, key id, then AES-256-GCM output with
// its random 12-byte nonce in front and 16-byte tag at the end. The two
// header bytes are authenticated as additional data, so a ciphertext cannot
// be relabelled with another key id or format.
const (
	formatV1   = 0x01
	headerSize = 2
	// Overhead is the number of bytes a sealed value is longer than its
	// plaintext.
	Overhead = headerSize + 12 + 16
)

// Errors of Open.
var (
	// ErrCiphertext means the bytes are not a ciphertext of this package.
	ErrCiphertext = errors.New("pii: malformed ciphertext")
	// ErrUnknownKey means the ciphertext's key id is not in the ring.
	ErrUnknownKey = errors.New("pii: ciphertext sealed with a key that is not in the key ring")
	// ErrDecrypt means the ciphertext did not authenticate: it was
	// altered, or sealed with a different key of the same id.
	ErrDecrypt = errors.New("pii: ciphertext does not authenticate")
)

// Sealer encrypts and decrypts personal data with a Keyring, and computes
// blind indexes. It is safe for concurrent use.
//
// With random nonces, one key must not seal more than 2^32 values; rotate
// long before that (a hall seals a few thousand values a day).
type Sealer struct {
	current byte
	aeads   map[byte]cipher.AEAD
	lookup  []byte
}

// NewSealer returns a Sealer that seals under the ring's current key and
// opens with any key of the ring.
func NewSealer(k *Keyring) (*Sealer, error) {
	s := &Sealer{current: k.Current(), aeads: make(map[byte]cipher.AEAD, len(k.keys)), lookup: k.lookup}
	for id, key := range k.keys {
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, fmt.Errorf("pii: key %d: %w", id, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("pii: key %d: %w", id, err)
		}
		s.aeads[id] = aead
	}
	return s, nil
}

// Seal encrypts plaintext under the current key.
func (s *Sealer) Seal(plaintext []byte) []byte {
	header := []byte{formatV1, s.current}
	out := make([]byte, headerSize, headerSize+len(plaintext)+s.aeads[s.current].Overhead())
	copy(out, header)
	return s.aeads[s.current].Seal(out, nil, plaintext, header)
}

// Open decrypts a ciphertext made by Seal with any key of the ring.
func (s *Sealer) Open(ciphertext []byte) ([]byte, error) {
	id, err := KeyID(ciphertext)
	if err != nil {
		return nil, err
	}
	aead, ok := s.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w (key %d)", ErrUnknownKey, id)
	}
	pt, err := aead.Open(nil, nil, ciphertext[headerSize:], ciphertext[:headerSize])
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// SealString seals a string and returns the ciphertext in standard
// base64, for TEXT columns and JSON.
func (s *Sealer) SealString(plaintext string) string {
	return base64.StdEncoding.EncodeToString(s.Seal([]byte(plaintext)))
}

// OpenString opens a ciphertext made by SealString.
func (s *Sealer) OpenString(ciphertext string) (string, error) {
	b, err := base64.StdEncoding.DecodeString(ciphertext)
	if err != nil {
		return "", fmt.Errorf("%w: not base64", ErrCiphertext)
	}
	pt, err := s.Open(b)
	return string(pt), err
}

// Rotate re-seals a ciphertext under the current key. It returns the
// ciphertext unchanged, and false, when it is already under the current
// key; a rotation job rewrites only the rows where it returns true.
func (s *Sealer) Rotate(ciphertext []byte) ([]byte, bool, error) {
	id, err := KeyID(ciphertext)
	if err != nil {
		return nil, false, err
	}
	if id == s.current {
		// Still check that it opens, so a rotation job finds damage.
		if _, err := s.Open(ciphertext); err != nil {
			return nil, false, err
		}
		return ciphertext, false, nil
	}
	pt, err := s.Open(ciphertext)
	if err != nil {
		return nil, false, err
	}
	return s.Seal(pt), true, nil
}

// CurrentKey returns the id of the key that Seal uses.
func (s *Sealer) CurrentKey() byte { return s.current }

// KeyID returns the id of the key a ciphertext was sealed with.
func KeyID(ciphertext []byte) (byte, error) {
	if len(ciphertext) < Overhead {
		return 0, fmt.Errorf("%w: %d bytes is too short", ErrCiphertext, len(ciphertext))
	}
	if ciphertext[0] != formatV1 {
		return 0, fmt.Errorf("%w: unknown format %#x", ErrCiphertext, ciphertext[0])
	}
	return ciphertext[1], nil
}

// Blind returns the blind index of value: HMAC-SHA256 under the lookup key,
// in lower-case hex. Equal values give equal indexes, so the store can find
// a sealed ID number by exact match without decrypting. Pass normalised
// values (IDNumber.Plain, NormalizeMobile's result) so that spellings of
// the same number match. The lookup key is not rotated with the encryption
// keys, so indexes stay valid across rotation.
func (s *Sealer) Blind(value string) string {
	m := hmac.New(sha256.New, s.lookup)
	m.Write([]byte(value))
	return hex.EncodeToString(m.Sum(nil))
}
