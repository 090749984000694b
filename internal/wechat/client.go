package wechat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultAPI is the platform's API base URL.
const DefaultAPI = "https://api.weixin.qq.com"

// ErrWindowClosed is the platform refusing a customer-service message
// because the 48-hour window after the graduate's last message has passed
// or its message allowance is used up (errcode 45015 / 45047).
var ErrWindowClosed = errors.New("wechat: customer-service window closed")

// APIError is any other error answer of the platform.
type APIError struct {
	Code int
	Msg  string
}

func (e *APIError) Error() string { return fmt.Sprintf("wechat api: errcode %d: %s", e.Code, e.Msg) }

// Client calls the platform's customer-service message API
// (cgi-bin/message/custom/send) with an access token it fetches and
// caches (cgi-bin/token).
type Client struct {
	// BaseURL is DefaultAPI, or a fake platform in tests.
	BaseURL   string
	AppID     string
	AppSecret string
	HTTP      *http.Client
	Now       func() time.Time

	mu      sync.Mutex
	token   string
	expires time.Time
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 10 * time.Second}
}

func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultAPI
	}
	return strings.TrimRight(c.BaseURL, "/")
}

type apiAnswer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

func (c *Client) call(ctx context.Context, method, u string, body []byte) (apiAnswer, error) {
	var a apiAnswer
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return a, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	resp, err := c.http().Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return a, err
	}
	if resp.StatusCode != http.StatusOK {
		return a, fmt.Errorf("wechat api: http %d", resp.StatusCode)
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return a, fmt.Errorf("wechat api: %w", err)
	}
	return a, nil
}

// accessToken returns a cached token, fetching a new one five minutes
// before the old one expires.
func (c *Client) accessToken(ctx context.Context, renew bool) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !renew && c.token != "" && c.now().Before(c.expires) {
		return c.token, nil
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {c.AppID}, "secret": {c.AppSecret}}
	a, err := c.call(ctx, http.MethodGet, c.base()+"/cgi-bin/token?"+q.Encode(), nil)
	if err != nil {
		return "", err
	}
	if a.ErrCode != 0 || a.AccessToken == "" {
		return "", &APIError{a.ErrCode, a.ErrMsg}
	}
	c.token = a.AccessToken
	c.expires = c.now().Add(time.Duration(a.ExpiresIn)*time.Second - 5*time.Minute)
	return c.token, nil
}

// SendText sends a text customer-service message to a follower. An
// expired or invalid token (40001, 42001, 40014) is renewed once.
func (c *Client) SendText(ctx context.Context, openID, content string) error {
	body, _ := json.Marshal(map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": content}})
	for attempt := 0; attempt < 2; attempt++ {
		tok, err := c.accessToken(ctx, attempt > 0)
		if err != nil {
			return err
		}
		a, err := c.call(ctx, http.MethodPost, c.base()+"/cgi-bin/message/custom/send?access_token="+url.QueryEscape(tok), body)
		if err != nil {
			return err
		}
		switch a.ErrCode {
		case 0:
			return nil
		case 40001, 40014, 42001:
			continue
		case 45015, 45047:
			return ErrWindowClosed
		default:
			return &APIError{a.ErrCode, a.ErrMsg}
		}
	}
	return &APIError{42001, "access token rejected twice"}
}
