package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"sync/atomic"
	"time"
)

// A cloud SMS provider sends whole messages by template: a sign name, the
// template code the vendor approved, the template parameters as JSON and
// an out-id of ours; the vendor splits long texts itself. What is common
// to every vendor lives here (HTTP, classification of failures, the rate
// cap, signed push callbacks); what one vendor's API looks like lives in
// one file per vendor (cloud_aliyun.go), so a second vendor is one more
// file implementing CloudVendor.

// CloudAccount is what a vendor needs to sign requests. Secret is read
// from the environment or a file (LoadSecret) and never logged.
type CloudAccount struct {
	Endpoint    string
	AccessKeyID string
	Secret      string
	SignName    string
}

// HTTPCall is a request a vendor wants made.
type HTTPCall struct {
	Method string
	URL    string
	Header map[string]string
	Body   []byte
}

// CloudVendor maps submissions, status queries and push callbacks to one
// vendor's HTTP API.
type CloudVendor interface {
	// SendCall builds the request that sends one message by template.
	SendCall(a CloudAccount, s Submission, now time.Time) (HTTPCall, error)
	// SendResult reads the answer: the vendor's id of the message (biz
	// id), or an error wrapping ErrThrottled, ErrRejected or ErrAmbiguous.
	SendResult(status int, body []byte) (string, error)
	// QueryCall asks what became of a message, by biz id when known,
	// else by the recipient and day (the answer names our out-id).
	QueryCall(a CloudAccount, s Submission, bizID string, day time.Time) (HTTPCall, error)
	// QueryResult reads the answer about s.
	QueryResult(status int, body []byte, s Submission, bizID string) (QueryResult, error)
	// Receipts and Replies read push callbacks (delivery reports and
	// citizens' replies); PushAnswer is what the vendor expects back.
	Receipts(body []byte) ([]Receipt, error)
	Replies(body []byte) ([]Inbound, error)
	PushAnswer() []byte
}

// Vendors are the cloud SMS APIs we speak, by the name used in the
// configuration ("vendor").
var Vendors = map[string]CloudVendor{"aliyun": Aliyun{}}

// CloudConfig configures one cloud provider.
type CloudConfig struct {
	Name    string
	Vendor  CloudVendor
	Account CloudAccount
	// CallbackSecret is the shared secret push callbacks are signed with.
	CallbackSecret string
	// Timeout bounds one HTTP request (default 10 s); a request that
	// timed out after it was written is ambiguous.
	Timeout time.Duration
	Rate    float64
	Burst   int
	// Zone is the vendor's time zone for send dates (default UTC+8).
	Zone *time.Location
	Log  *slog.Logger
	// Client is the HTTP client (default: one with Timeout).
	Client *http.Client
}

// Cloud is a cloud SMS HTTP provider.
type Cloud struct {
	cfg     CloudConfig
	bucket  *TokenBucket
	sent    atomic.Int64
	lastErr atomic.Value // string
}

// NewCloud returns a cloud provider.
func NewCloud(cfg CloudConfig) *Cloud {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: cfg.Timeout}
	}
	if cfg.Zone == nil {
		cfg.Zone = time.FixedZone("CST", 8*3600)
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	c := &Cloud{cfg: cfg, bucket: NewTokenBucket(cfg.Rate, cfg.Burst, nil)}
	c.lastErr.Store("")
	return c
}

// Name implements Provider.
func (c *Cloud) Name() string { return c.cfg.Name }

// Splits implements Provider: the vendor splits long texts itself.
func (c *Cloud) Splits() bool { return false }

// Health implements the outbox page's provider health.
func (c *Cloud) Health() Health {
	return Health{Name: c.cfg.Name, Bound: true, LastErr: c.lastErr.Load().(string), Sent: c.sent.Load()}
}

// do makes a call; wrote reports whether the request left (a failure
// after that is ambiguous, before it the request certainly did not go).
func (c *Cloud) do(ctx context.Context, call HTTPCall) (status int, body []byte, wrote bool, err error) {
	var written atomic.Bool
	trace := &httptrace.ClientTrace{WroteRequest: func(httptrace.WroteRequestInfo) { written.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), call.Method, call.URL, bytes.NewReader(call.Body))
	if err != nil {
		return 0, nil, false, err
	}
	for k, v := range call.Header {
		req.Header.Set(k, v)
	}
	resp, err := c.cfg.Client.Do(req)
	if err != nil {
		return 0, nil, written.Load(), err
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, true, err
}

// Submit implements Provider: the whole message, by template code.
func (c *Cloud) Submit(ctx context.Context, s Submission, p Part) (string, error) {
	if s.Template == "" {
		return "", &ProviderError{Kind: ErrRejected, Code: "no approved template code"}
	}
	if err := c.bucket.Wait(ctx); err != nil {
		return "", ErrNotSent
	}
	call, err := c.cfg.Vendor.SendCall(c.cfg.Account, s, time.Now())
	if err != nil {
		return "", &ProviderError{Kind: ErrRejected, Code: err.Error()}
	}
	status, body, wrote, err := c.do(ctx, call)
	if err != nil {
		c.lastErr.Store(transportError(err))
		if !wrote {
			return "", &ProviderError{Kind: ErrNotSent, Code: transportError(err)}
		}
		return "", &ProviderError{Kind: ErrAmbiguous, Code: transportError(err)}
	}
	id, err := c.cfg.Vendor.SendResult(status, body)
	if err != nil {
		c.lastErr.Store(err.Error())
		return "", err
	}
	c.sent.Add(1)
	c.lastErr.Store("")
	return id, nil
}

// Query implements Provider: by biz id, or by recipient and day (today,
// then yesterday in the vendor's zone) matched on our out-id.
func (c *Cloud) Query(ctx context.Context, s Submission, p Part, msgID string) (QueryResult, error) {
	now := time.Now().In(c.cfg.Zone)
	for _, day := range []time.Time{now, now.AddDate(0, 0, -1)} {
		call, err := c.cfg.Vendor.QueryCall(c.cfg.Account, s, msgID, day)
		if err != nil {
			return QueryResult{}, err
		}
		status, body, wrote, err := c.do(ctx, call)
		if err != nil {
			if !wrote {
				return QueryResult{}, fmt.Errorf("%w: %s", ErrNotSent, transportError(err))
			}
			return QueryResult{}, errors.New(transportError(err))
		}
		r, err := c.cfg.Vendor.QueryResult(status, body, s, msgID)
		if err != nil || r.Found {
			return r, err
		}
	}
	return QueryResult{Found: false}, nil
}

// transportError names a transport failure without the URL (which may
// carry signed parameters).
func transportError(err error) string {
	var ue interface{ Timeout() bool }
	if errors.As(err, &ue) && ue.Timeout() {
		return "timeout"
	}
	var op interface{ Unwrap() error }
	if errors.As(err, &op) {
		if inner := op.Unwrap(); inner != nil {
			return inner.Error()
		}
	}
	return "transport error"
}

// Push callbacks (receipts, replies) are signed by the sender with the
// shared secret: the headers carry a Unix timestamp, a nonce and
// base64(HMAC-SHA256(secret, timestamp "\n" nonce "\n" body)). A callback
// older or newer than PushSkew is refused, and so is a nonce seen before
// (the store remembers nonces for longer than the skew).
const (
	PushTimestampHeader = "X-Sms-Timestamp"
	PushNonceHeader     = "X-Sms-Nonce"
	PushSignatureHeader = "X-Sms-Signature"
	PushSkew            = 5 * time.Minute
)

// Push verification failures.
var (
	ErrPushSignature = errors.New("push callback: bad signature")
	ErrPushStale     = errors.New("push callback: timestamp outside the allowed window")
)

// SignPush returns the signature of a push callback.
func SignPush(secret, timestamp, nonce string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp + "\n" + nonce + "\n"))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifyPush checks a push callback's signature and timestamp; the caller
// then records the nonce once (a second use is a replay).
func VerifyPush(secret, timestamp, nonce, signature string, body []byte, now time.Time) error {
	if secret == "" || nonce == "" || len(nonce) > 64 {
		return ErrPushSignature
	}
	want := SignPush(secret, timestamp, nonce, body)
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return ErrPushSignature
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrPushSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > PushSkew || d < -PushSkew {
		return ErrPushStale
	}
	return nil
}

// PushVerifier is what the callback route needs of a cloud provider.
type PushVerifier interface {
	Name() string
	Verify(timestamp, nonce, signature string, body []byte, now time.Time) error
	Vendor() CloudVendor
}

// Verify implements PushVerifier with the provider's callback secret.
func (c *Cloud) Verify(timestamp, nonce, signature string, body []byte, now time.Time) error {
	return VerifyPush(c.cfg.CallbackSecret, timestamp, nonce, signature, body, now)
}

// Vendor implements PushVerifier.
func (c *Cloud) Vendor() CloudVendor { return c.cfg.Vendor }
