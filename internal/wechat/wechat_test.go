package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// The platform's published sample (the test vector of its WXBizMsgCrypt
// samples): only the values, which the platform documents.
const (
	sampleToken     = "spamtest"
	sampleAESKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	sampleAppID     = "wx2c2769f8efd9abc2"
	sampleTimestamp = "1409735669"
	sampleNonce     = "1320562132"
	sampleMsgSig    = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
	sampleEncrypt   = "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)

var sampleBody = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[` + sampleEncrypt + `]]></Encrypt></xml>`

func sampleCrypter(t testing.TB) *Crypter {
	c, err := NewCrypter(sampleAESKey, sampleAppID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPublishedSample(t *testing.T) {
	if !SignatureOK(sampleMsgSig, sampleToken, sampleTimestamp, sampleNonce, sampleEncrypt) {
		t.Fatalf("sample msg_signature does not verify: got %s", Signature(sampleToken, sampleTimestamp, sampleNonce, sampleEncrypt))
	}
	plain, err := sampleCrypter(t).Decrypt(sampleEncrypt)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ParseMessage(plain)
	if err != nil {
		t.Fatal(err)
	}
	if m.MsgType != TypeText || m.Content != "abcdteT" || m.FromUserName != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" || m.MsgID != 6054768590064713728 {
		t.Fatalf("decrypted %+v", m)
	}
	// Another appid must be refused.
	other, _ := NewCrypter(sampleAESKey, "wx0000000000000000")
	if _, err := other.Decrypt(sampleEncrypt); !errors.Is(err, ErrAppID) {
		t.Fatalf("other appid: %v", err)
	}
}

func TestSignatureTamper(t *testing.T) {
	for i := range sampleMsgSig {
		b := []byte(sampleMsgSig)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		if SignatureOK(string(b), sampleToken, sampleTimestamp, sampleNonce, sampleEncrypt) {
			t.Fatalf("changed byte %d still verifies", i)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	c := sampleCrypter(t)
	for _, msg := range []string{"", "a", strings.Repeat("x", 11), strings.Repeat("档案", 40), strings.Repeat("y", 64-20-len(sampleAppID))} {
		enc, err := c.Encrypt([]byte(msg))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Decrypt(enc)
		if err != nil || string(got) != msg {
			t.Fatalf("round trip of %q: %q %v", msg, got, err)
		}
	}
	// A reply sealed for the platform opens with the same token and key.
	sealed, err := c.SealReply(sampleToken, []byte("<xml>hi</xml>"), "1409735669", "42")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.OpenReply(sampleToken, sealed)
	if err != nil || string(got) != "<xml>hi</xml>" {
		t.Fatalf("open reply: %q %v", got, err)
	}
	if _, err := c.OpenReply("othertoken", sealed); !errors.Is(err, ErrSignature) {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestDecryptRefusals(t *testing.T) {
	c := sampleCrypter(t)
	for name, in := range map[string]string{
		"not base64":   "***",
		"empty":        "",
		"not a block":  "AAAA",
		"random block": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	} {
		if _, err := c.Decrypt(in); err == nil {
			t.Errorf("%s: decrypted", name)
		}
	}
	if _, err := NewCrypter("short", "x"); !errors.Is(err, ErrKey) {
		t.Fatalf("short key: %v", err)
	}
}

func TestParseMessage(t *testing.T) {
	m, err := ParseMessage([]byte(`<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o1]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>`))
	if err != nil || m.Event != EventSubscribe || m.Validate() != nil {
		t.Fatalf("%+v %v", m, err)
	}
	if m.DedupKey() != "evt:o1:1700000000:subscribe" {
		t.Fatal(m.DedupKey())
	}
	for _, bad := range []string{"", "not xml", "<html></html>", `<!DOCTYPE xml [<!ENTITY a "b">]><xml>&a;</xml>`, "<xml>", "\xff<xml></xml>"} {
		if _, err := ParseMessage([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	r := TextReply(Message{FromUserName: "o1", ToUserName: "gh_1"}, "a]]>b", time.Unix(1, 0))
	back, err := ParseMessage(r)
	if err != nil || back.Content != "a]]>b" || back.ToUserName != "o1" {
		t.Fatalf("reply %s: %+v %v", r, back, err)
	}
}

// app records what the callback hands it.
type app struct {
	mu      sync.Mutex
	got     []Message
	reply   string
	release chan struct{} // when set, Handle waits for it
	late    chan string
}

func (a *app) Handle(ctx context.Context, m Message) (string, error) {
	if a.release != nil {
		<-a.release
	}
	a.mu.Lock()
	a.got = append(a.got, m)
	a.mu.Unlock()
	return a.reply, nil
}

func (a *app) Late(m Message, reply string) { a.late <- reply }

func sampleCallback(a *app) *Callback {
	c, _ := NewCrypter(sampleAESKey, sampleAppID)
	return &Callback{App: a, Account: Account{Token: sampleToken, Crypter: c, Mode: Safe,
		Now: func() time.Time { return time.Unix(1409735669, 0) }}}
}

func post(h http.Handler, q url.Values, body string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("POST", "/cb?"+q.Encode(), strings.NewReader(body)))
	return w
}

func sampleQuery(sig string) url.Values {
	return url.Values{"timestamp": {sampleTimestamp}, "nonce": {sampleNonce}, "encrypt_type": {"aes"}, "msg_signature": {sig}, "openid": {"oyORnuP8q7ou2gfYjqLzSIWZf0rs"}}
}

func TestCallbackSafeMode(t *testing.T) {
	a := &app{reply: "您好"}
	cb := sampleCallback(a)
	w := post(cb, sampleQuery(sampleMsgSig), sampleBody)
	if w.Code != 200 {
		t.Fatalf("sample: %d %s", w.Code, w.Body)
	}
	if len(a.got) != 1 || a.got[0].Content != "abcdteT" {
		t.Fatalf("app got %+v", a.got)
	}
	plain, err := cb.Account.Crypter.OpenReply(sampleToken, w.Body.Bytes())
	if err != nil {
		t.Fatalf("reply %s: %v", w.Body, err)
	}
	m, _ := ParseMessage(plain)
	if m.Content != "您好" || m.ToUserName != "oyORnuP8q7ou2gfYjqLzSIWZf0rs" || m.FromUserName != "gh_10f6c3c3ac5a" {
		t.Fatalf("reply %+v", m)
	}

	bad := []byte(sampleMsgSig)
	bad[0] = '6'
	if w := post(cb, sampleQuery(string(bad)), sampleBody); w.Code != 403 {
		t.Fatalf("changed signature byte: %d", w.Code)
	}
	// Stale: the clock an hour after the sample.
	stale := sampleCallback(a)
	stale.Account.Now = func() time.Time { return time.Unix(1409735669+3600, 0) }
	if w := post(stale, sampleQuery(sampleMsgSig), sampleBody); w.Code != 403 {
		t.Fatalf("stale timestamp: %d", w.Code)
	}
	if w := post(cb, sampleQuery(sampleMsgSig), "<html/>"); w.Code != 400 {
		t.Fatalf("not xml: %d", w.Code)
	}
	// Ciphertext that is signed correctly but does not decrypt.
	junk := "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	q := sampleQuery(Signature(sampleToken, sampleTimestamp, sampleNonce, junk))
	if w := post(cb, q, `<xml><ToUserName>x</ToUserName><Encrypt>`+junk+`</Encrypt></xml>`); w.Code != 400 {
		t.Fatalf("bad ciphertext: %d", w.Code)
	}
	if len(a.got) != 1 {
		t.Fatalf("refused requests reached the app: %d", len(a.got))
	}
}

func TestCallbackPlaintextAndURLCheck(t *testing.T) {
	a := &app{reply: "ok"}
	now := time.Unix(1700000000, 0)
	cb := &Callback{App: a, Account: Account{Token: "tok", Mode: Plaintext, Now: func() time.Time { return now }}}
	ts, nonce := "1700000000", "n1"
	q := url.Values{"signature": {Signature("tok", ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}, "echostr": {"hello123"}}
	w := httptest.NewRecorder()
	cb.ServeHTTP(w, httptest.NewRequest("GET", "/cb?"+q.Encode(), nil))
	if w.Code != 200 || w.Body.String() != "hello123" {
		t.Fatalf("url check: %d %q", w.Code, w.Body)
	}
	q.Set("signature", Signature("other", ts, nonce))
	w = httptest.NewRecorder()
	cb.ServeHTTP(w, httptest.NewRequest("GET", "/cb?"+q.Encode(), nil))
	if w.Code != 403 {
		t.Fatalf("bad url check: %d", w.Code)
	}
	q.Set("signature", Signature("tok", ts, nonce))
	body := `<xml><ToUserName>gh</ToUserName><FromUserName>o2</FromUserName><CreateTime>1700000000</CreateTime><MsgType>text</MsgType><Content>档案</Content><MsgId>7</MsgId></xml>`
	w = post(cb, q, body)
	m, err := ParseMessage(w.Body.Bytes())
	if w.Code != 200 || err != nil || m.Content != "ok" {
		t.Fatalf("plaintext: %d %s", w.Code, w.Body)
	}
	// Safe-mode request to a plaintext account: refused.
	q.Set("encrypt_type", "aes")
	if w := post(cb, q, body); w.Code != 400 {
		t.Fatalf("mode mismatch: %d", w.Code)
	}
}

// TestCallbackLate: a slow application makes the callback answer
// "success" within the budget and hand the reply to Late.
func TestCallbackLate(t *testing.T) {
	a := &app{reply: "稍后回复", release: make(chan struct{}), late: make(chan string, 1)}
	cb := sampleCallback(a)
	cb.Account.Budget = time.Millisecond
	w := post(cb, sampleQuery(sampleMsgSig), sampleBody)
	if w.Code != 200 || w.Body.String() != "success" {
		t.Fatalf("late: %d %q", w.Code, w.Body)
	}
	close(a.release)
	if got := <-a.late; got != "稍后回复" {
		t.Fatalf("late reply %q", got)
	}
}

// fakePlatform is the platform's API on 127.0.0.1.
type fakePlatform struct {
	mu      sync.Mutex
	sent    []map[string]any
	tokens  int
	errcode int
}

func (f *fakePlatform) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch r.URL.Path {
	case "/cgi-bin/token":
		if r.URL.Query().Get("secret") != "s3cret" {
			io.WriteString(w, `{"errcode":40125,"errmsg":"invalid appsecret"}`)
			return
		}
		f.tokens++
		fmt.Fprintf(w, `{"access_token":"T%d","expires_in":7200}`, f.tokens)
	case "/cgi-bin/message/custom/send":
		if r.URL.Query().Get("access_token") != fmt.Sprintf("T%d", f.tokens) {
			io.WriteString(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
			return
		}
		var m map[string]any
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &m)
		if f.errcode != 0 {
			fmt.Fprintf(w, `{"errcode":%d,"errmsg":"response out of time limit"}`, f.errcode)
			return
		}
		f.sent = append(f.sent, m)
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	default:
		http.NotFound(w, r)
	}
}

func TestClient(t *testing.T) {
	f := &fakePlatform{}
	srv := httptest.NewServer(f)
	defer srv.Close()
	now := time.Unix(1700000000, 0)
	c := &Client{BaseURL: srv.URL, AppID: "wx1", AppSecret: "s3cret", Now: func() time.Time { return now }}
	ctx := context.Background()
	if err := c.SendText(ctx, "o1", "您好"); err != nil {
		t.Fatal(err)
	}
	if err := c.SendText(ctx, "o1", "again"); err != nil {
		t.Fatal(err)
	}
	if f.tokens != 1 || len(f.sent) != 2 || f.sent[0]["touser"] != "o1" {
		t.Fatalf("tokens %d sent %v", f.tokens, f.sent)
	}
	// The platform revoked the token: renewed once, message sent.
	f.tokens++
	if err := c.SendText(ctx, "o1", "third"); err != nil || f.tokens != 3 || len(f.sent) != 3 {
		t.Fatalf("renew: %v tokens %d", err, f.tokens)
	}
	f.errcode = 45015
	if err := c.SendText(ctx, "o1", "late"); !errors.Is(err, ErrWindowClosed) {
		t.Fatalf("window: %v", err)
	}
	bad := &Client{BaseURL: srv.URL, AppID: "wx1", AppSecret: "wrong"}
	var apiErr *APIError
	if err := bad.SendText(ctx, "o1", "x"); !errors.As(err, &apiErr) || apiErr.Code != 40125 {
		t.Fatalf("bad secret: %v", err)
	}
}

func FuzzParseMessage(f *testing.F) {
	f.Add([]byte(sampleBody))
	f.Add([]byte(`<xml><MsgType>text</MsgType></xml>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMessage(b)
		if err != nil {
			return
		}
		_ = m.Validate()
		_ = m.DedupKey()
		if _, err := ParseMessage(TextReply(m, m.Content, time.Unix(0, 0))); err != nil && utf8Valid(m) {
			t.Fatalf("reply to %q does not parse: %v", b, err)
		}
	})
}

func utf8Valid(m Message) bool {
	for _, s := range []string{m.Content, m.FromUserName, m.ToUserName} {
		if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }) {
			return false
		}
	}
	return true
}

func FuzzDecrypt(f *testing.F) {
	f.Add(sampleEncrypt)
	f.Add("")
	f.Add("AAAAAAAAAAAAAAAAAAAAAA==")
	c := sampleCrypter(f)
	f.Fuzz(func(t *testing.T, s string) {
		msg, err := c.Decrypt(s)
		if err != nil {
			return
		}
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.Decrypt(enc)
		if err != nil || !bytes.Equal(back, msg) {
			t.Fatalf("re-encrypted message does not round-trip: %v", err)
		}
	})
}

func FuzzCallback(f *testing.F) {
	f.Add([]byte(sampleBody), sampleMsgSig)
	f.Add([]byte("<xml><Encrypt>AAAA</Encrypt></xml>"), "x")
	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		a := &app{reply: "r"}
		cb := sampleCallback(a)
		q := sampleQuery(sig)
		w := httptest.NewRecorder()
		cb.ServeHTTP(w, httptest.NewRequest("POST", "/cb?"+q.Encode(), bytes.NewReader(body)))
		if w.Code != 200 && w.Code != 400 && w.Code != 403 {
			t.Fatalf("status %d", w.Code)
		}
	})
}
