package wechat

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Modes of an official account's message encryption (set on the platform
// under 开发 → 基本配置 → 消息加解密方式).
const (
	// Plaintext is 明文模式: messages are signed, not encrypted.
	Plaintext = "plaintext"
	// Safe is 安全模式: messages and replies are encrypted.
	Safe = "safe"
)

// DefaultBudget is how long a callback waits for the application's reply
// before answering "success" and leaving the reply to the
// customer-service API: the platform gives up after five seconds.
const DefaultBudget = 4 * time.Second

// DefaultMaxSkew is how far a request's timestamp may be from the clock;
// older requests are refused as replays.
const DefaultMaxSkew = 5 * time.Minute

// Account is the callback configuration of one official account.
type Account struct {
	Token string
	// Crypter is required in safe mode.
	Crypter *Crypter
	Mode    string
	// MaxSkew bounds the age of a request's timestamp (DefaultMaxSkew when 0).
	MaxSkew time.Duration
	// Budget is the time allowed for a passive reply (DefaultBudget when 0).
	Budget time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// App is the application behind the callback.
type App interface {
	// Handle deals with a verified message and returns the reply text, or
	// "" for none. It must be idempotent per Message.DedupKey: the platform
	// delivers a message up to three times.
	Handle(ctx context.Context, m Message) (string, error)
	// Late receives a reply that Handle produced after the budget ran out;
	// it goes to the graduate through the customer-service message API.
	Late(m Message, reply string)
}

// Callback serves the account's callback URL: GET for the URL check,
// POST for messages.
type Callback struct {
	Account Account
	App     App
	Log     *slog.Logger
}

func (c *Callback) now() time.Time {
	if c.Account.Now != nil {
		return c.Account.Now()
	}
	return time.Now()
}

func refuse(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, http.StatusText(status))
}

// fresh reports whether a request's timestamp is within the window.
func (c *Callback) fresh(ts string) bool {
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	skew := c.Account.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	d := c.now().Sub(time.Unix(n, 0))
	return d <= skew && d >= -skew
}

// ServeHTTP implements http.Handler.
func (c *Callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if r.Method == http.MethodGet {
		// The URL check: echo echostr when the request is signed with our
		// token.
		if !SignatureOK(q.Get("signature"), c.Account.Token, ts, nonce) || !c.fresh(ts) {
			refuse(w, http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, q.Get("echostr"))
		return
	}
	if r.Method != http.MethodPost {
		refuse(w, http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		refuse(w, http.StatusBadRequest)
		return
	}
	m, status := c.open(q.Get("encrypt_type"), q.Get("signature"), q.Get("msg_signature"), ts, nonce, body)
	if status != 0 {
		refuse(w, status)
		return
	}
	c.reply(w, r.Context(), m, nonce)
}

// Open verifies and decodes one POSTed message; a non-zero status is the
// refusal to answer with (403 for signatures and stale timestamps, 400 for
// anything that is not the platform's message).
func (c *Callback) open(encType, sig, msgSig, ts, nonce string, body []byte) (Message, int) {
	safe := c.Account.Mode == Safe
	if safe != (encType == "aes") || (safe && c.Account.Crypter == nil) {
		return Message{}, http.StatusBadRequest
	}
	outer, err := ParseMessage(body)
	if err != nil {
		return Message{}, http.StatusBadRequest
	}
	if !safe {
		if !SignatureOK(sig, c.Account.Token, ts, nonce) || !c.fresh(ts) {
			return Message{}, http.StatusForbidden
		}
		if outer.Validate() != nil {
			return Message{}, http.StatusBadRequest
		}
		return outer, 0
	}
	if outer.Encrypt == "" {
		return Message{}, http.StatusBadRequest
	}
	if !SignatureOK(msgSig, c.Account.Token, ts, nonce, outer.Encrypt) || !c.fresh(ts) {
		return Message{}, http.StatusForbidden
	}
	plain, err := c.Account.Crypter.Decrypt(outer.Encrypt)
	if err != nil {
		return Message{}, http.StatusBadRequest
	}
	m, err := ParseMessage(plain)
	if err != nil || m.Validate() != nil {
		return Message{}, http.StatusBadRequest
	}
	return m, 0
}

type result struct {
	reply string
	err   error
}

// reply runs the application within the budget. A reply in time goes back
// passively (encrypted in safe mode); a late one is handed to App.Late and
// the platform gets "success" so that it neither retries nor tells the
// graduate that the service failed.
func (c *Callback) reply(w http.ResponseWriter, ctx context.Context, m Message, nonce string) {
	budget := c.Account.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	done := make(chan result, 1)
	// The work outlives the request when it is late: it must not be
	// cancelled with the request.
	work := context.WithoutCancel(ctx)
	go func() {
		reply, err := c.App.Handle(work, m)
		done <- result{reply, err}
	}()
	timer := time.NewTimer(budget)
	defer timer.Stop()
	var res result
	select {
	case res = <-done:
	case <-timer.C:
		go func() {
			res := <-done
			if res.err == nil && res.reply != "" {
				c.App.Late(m, res.reply)
			} else if res.err != nil && c.Log != nil {
				c.Log.Warn("wechat: late message failed", "err", res.err)
			}
		}()
		success(w)
		return
	}
	if res.err != nil {
		if c.Log != nil && !errors.Is(res.err, context.Canceled) {
			c.Log.Warn("wechat: message failed", "err", res.err)
		}
		// "success" keeps the platform from showing the graduate an
		// error; the failure is in the log and the message is retried by
		// the platform only if we answer nothing.
		success(w)
		return
	}
	if res.reply == "" {
		success(w)
		return
	}
	out := TextReply(m, res.reply, c.now())
	if c.Account.Mode == Safe {
		sealed, err := c.Account.Crypter.SealReply(c.Account.Token, out, strconv.FormatInt(c.now().Unix(), 10), nonce)
		if err != nil {
			success(w)
			return
		}
		out = sealed
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = w.Write(out)
}

func success(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, "success")
}
