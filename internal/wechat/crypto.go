// Package wechat speaks the WeChat official-account protocol: the callback
// URL check, message signatures, the safe mode's AES encryption of
// messages and replies, the XML messages themselves, and the
// customer-service message API for replies that come later than the
// five-second limit of a passive reply. It depends on the standard
// library only, so that the code that touches the platform is small enough
// to review line by line.
package wechat

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"sort"
	"strings"
)

// Errors of the signature and decryption paths. The callback answers 403
// for ErrSignature and 400 for the others.
var (
	ErrSignature = errors.New("wechat: signature mismatch")
	ErrKey       = errors.New("wechat: EncodingAESKey must be 43 characters of base64")
	ErrCipher    = errors.New("wechat: ciphertext is not valid")
	ErrPadding   = errors.New("wechat: bad padding")
	ErrAppID     = errors.New("wechat: message is for another appid")
)

// blockPad is the block size of the platform's PKCS#7 padding: 32 bytes,
// not the AES block size of 16.
const blockPad = 32

// Signature is the platform's signature of a request: the SHA-1, in
// lower-case hex, of the parts sorted as strings and concatenated. The URL
// check signs token, timestamp and nonce; safe-mode messages also sign the
// ciphertext (msg_signature).
func Signature(parts ...string) string {
	p := append([]string(nil), parts...)
	sort.Strings(p)
	sum := sha1.Sum([]byte(strings.Join(p, "")))
	return hex.EncodeToString(sum[:])
}

// SignatureOK compares a received signature with the expected one in
// constant time; case is ignored because the hex is not case-significant.
func SignatureOK(got string, parts ...string) bool {
	want := Signature(parts...)
	return subtle.ConstantTimeCompare([]byte(strings.ToLower(got)), []byte(want)) == 1
}

// Crypter encrypts and decrypts safe-mode messages of one official
// account.
type Crypter struct {
	appID string
	key   []byte
	block cipher.Block
	// Rand supplies the 16 random bytes of each encrypted reply; nil means
	// crypto/rand.
	Rand io.Reader
}

// NewCrypter checks the EncodingAESKey (43 characters; with "=" appended
// it is the base64 of the 32-byte AES key) and returns a Crypter for the
// account appID.
func NewCrypter(encodingAESKey, appID string) (*Crypter, error) {
	if len(encodingAESKey) != 43 {
		return nil, ErrKey
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil || len(key) != 32 {
		return nil, ErrKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, ErrKey
	}
	return &Crypter{appID: appID, key: key, block: block}, nil
}

// Decrypt opens the Encrypt field of a safe-mode message: base64, then
// AES-256-CBC with the IV being the first 16 bytes of the key, then the
// 32-byte PKCS#7 padding, then random(16) | length(4, big-endian) |
// message | appid. The appid must be the account's.
func (c *Crypter) Decrypt(encrypted string) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encrypted))
	if err != nil || len(raw) == 0 || len(raw)%aes.BlockSize != 0 {
		return nil, ErrCipher
	}
	plain := make([]byte, len(raw))
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(plain, raw)
	n := int(plain[len(plain)-1])
	if n < 1 || n > blockPad || n > len(plain) {
		return nil, ErrPadding
	}
	for _, b := range plain[len(plain)-n:] {
		if int(b) != n {
			return nil, ErrPadding
		}
	}
	plain = plain[:len(plain)-n]
	if len(plain) < 20 {
		return nil, ErrCipher
	}
	size := binary.BigEndian.Uint32(plain[16:20])
	if uint64(size) > uint64(len(plain)-20) {
		return nil, ErrCipher
	}
	msg, appID := plain[20:20+size], plain[20+size:]
	if subtle.ConstantTimeCompare(appID, []byte(c.appID)) != 1 {
		return nil, ErrAppID
	}
	return msg, nil
}

// Encrypt seals msg the way the platform expects a safe-mode reply and
// returns the base64 ciphertext.
func (c *Crypter) Encrypt(msg []byte) (string, error) {
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	body := make([]byte, 20, 20+len(msg)+len(c.appID)+blockPad)
	if _, err := io.ReadFull(r, body[:16]); err != nil {
		return "", err
	}
	binary.BigEndian.PutUint32(body[16:20], uint32(len(msg)))
	body = append(body, msg...)
	body = append(body, c.appID...)
	n := blockPad - len(body)%blockPad
	for i := 0; i < n; i++ {
		body = append(body, byte(n))
	}
	out := make([]byte, len(body))
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(out, body)
	return base64.StdEncoding.EncodeToString(out), nil
}
