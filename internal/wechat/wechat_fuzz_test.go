package wechat

import (
	"bytes"
	"testing"
)

// FuzzEncryptRoundTrip: any message encrypted for the platform decrypts
// to itself, and a safe-mode reply sealed with the token opens with it
// (and not with another token).
func FuzzEncryptRoundTrip(f *testing.F) {
	f.Add([]byte("<xml><Content><![CDATA[你好]]></Content></xml>"), "1409735669", "1320562132")
	f.Add([]byte{}, "", "")
	f.Add([]byte("\x00\xff]]>"), "0", "n")
	c := sampleCrypter(f)
	f.Fuzz(func(t *testing.T, msg []byte, ts, nonce string) {
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.Decrypt(enc)
		if err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("Decrypt(Encrypt(%q)) = %q, %v", msg, back, err)
		}
		sealed, err := c.SealReply(sampleToken, msg, ts, nonce)
		if err != nil {
			return // a timestamp or nonce that XML cannot carry
		}
		opened, err := c.OpenReply(sampleToken, sealed)
		if err != nil || !bytes.Equal(opened, msg) {
			// xml.Marshal drops characters XML 1.0 cannot hold from the
			// timestamp and nonce, so the signature no longer matches;
			// that may fail, never open to something else.
			if err == nil {
				t.Fatalf("OpenReply = %q, sealed %q", opened, msg)
			}
		}
		if _, err := c.OpenReply(sampleToken+"x", sealed); err == nil {
			t.Fatal("a reply opened with the wrong token")
		}
	})
}

// FuzzOpenReply: arbitrary bytes never open as a reply without the token's
// signature, and never panic.
func FuzzOpenReply(f *testing.F) {
	c := sampleCrypter(f)
	sealed, err := c.SealReply(sampleToken, []byte("<xml/>"), sampleTimestamp, sampleNonce)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add([]byte("<xml><Encrypt>AAAA</Encrypt></xml>"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = c.OpenReply(sampleToken, body)
		if m, err := ParseMessage(body); err == nil {
			_ = m.Validate()
			_ = m.DedupKey()
		}
	})
}
