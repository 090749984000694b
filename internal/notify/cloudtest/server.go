// Package cloudtest is a fake cloud SMS gateway on 127.0.0.1, shaped like
// the API internal/notify's Aliyun vendor speaks: it checks the request
// signature, counts every message it takes, can throttle, fail with 5xx
// (having taken the message or not) or hang per request, answers status
// queries, and pushes signed delivery reports and replies to a callback
// URL — over real HTTP.
package cloudtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"time"

	"mingbai/internal/notify"
)

// Action is what the gateway does with one SendSms.
type Action int

// Actions a test may choose per request.
const (
	Accept Action = iota
	// Throttle answers isv.BUSINESS_LIMIT_CONTROL and takes nothing.
	Throttle
	// TooMany answers HTTP 429 and takes nothing.
	TooMany
	// FailUntaken answers HTTP 500 and takes nothing.
	FailUntaken
	// FailTaken takes the message, then answers HTTP 500.
	FailTaken
	// Hang takes the message and never answers (until the client gives up).
	Hang
	// Reject answers isv.MOBILE_NUMBER_ILLEGAL.
	Reject
)

// Message is one message the gateway took.
type Message struct {
	BizID    string
	To       string
	SignName string
	Template string
	Params   map[string]string
	OutID    string
	Status   int // 1 waiting, 2 failed, 3 delivered
	At       time.Time
}

// Gateway is the fake.
type Gateway struct {
	AccessKeyID, Secret string
	// Decide chooses the action for the n-th SendSms (1-based).
	Decide func(n int, to string) Action
	// CallbackURL and CallbackSecret: where and how reports are pushed.
	CallbackURL, CallbackSecret string

	srv     *httptest.Server
	mu      sync.Mutex
	n       int
	msgs    []Message
	queries int
	badSigs int
}

// Start listens on 127.0.0.1.
func Start(accessKeyID, secret string) *Gateway {
	g := &Gateway{AccessKeyID: accessKeyID, Secret: secret}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	return g
}

// URL is the endpoint.
func (g *Gateway) URL() string { return g.srv.URL + "/" }

// Close stops the gateway.
func (g *Gateway) Close() { g.srv.CloseClientConnections(); g.srv.Close() }

// Messages returns a copy of the messages taken.
func (g *Gateway) Messages() []Message {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Message(nil), g.msgs...)
}

// Count is the number of messages taken.
func (g *Gateway) Count() int { g.mu.Lock(); defer g.mu.Unlock(); return len(g.msgs) }

// Queries is the number of status queries answered.
func (g *Gateway) Queries() int { g.mu.Lock(); defer g.mu.Unlock(); return g.queries }

// BadSignatures counts requests refused for their signature.
func (g *Gateway) BadSignatures() int { g.mu.Lock(); defer g.mu.Unlock(); return g.badSigs }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	p, err := url.ParseQuery(string(b))
	if err != nil || p.Get("AccessKeyId") != g.AccessKeyID || p.Get("Signature") != notify.AliyunSign("POST", g.Secret, p) {
		g.mu.Lock()
		g.badSigs++
		g.mu.Unlock()
		writeJSON(w, 400, map[string]string{"Code": "SignatureDoesNotMatch", "Message": "signature"})
		return
	}
	switch p.Get("Action") {
	case "SendSms":
		g.send(w, r, p)
	case "QuerySendDetails":
		g.query(w, p)
	default:
		writeJSON(w, 400, map[string]string{"Code": "InvalidAction"})
	}
}

func (g *Gateway) send(w http.ResponseWriter, r *http.Request, p url.Values) {
	g.mu.Lock()
	g.n++
	act := Accept
	if g.Decide != nil {
		act = g.Decide(g.n, p.Get("PhoneNumbers"))
	}
	switch act {
	case Throttle:
		g.mu.Unlock()
		writeJSON(w, 200, map[string]string{"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"})
		return
	case TooMany:
		g.mu.Unlock()
		writeJSON(w, 429, map[string]string{"Code": "Throttling", "Message": "too many requests"})
		return
	case FailUntaken:
		g.mu.Unlock()
		writeJSON(w, 500, map[string]string{"Code": "InternalError"})
		return
	case Reject:
		g.mu.Unlock()
		writeJSON(w, 200, map[string]string{"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"})
		return
	}
	var params map[string]string
	_ = json.Unmarshal([]byte(p.Get("TemplateParam")), &params)
	m := Message{BizID: fmt.Sprintf("%d^0", 900000000+len(g.msgs)+1), To: p.Get("PhoneNumbers"), SignName: p.Get("SignName"),
		Template: p.Get("TemplateCode"), Params: params, OutID: p.Get("OutId"), Status: 1, At: time.Now()}
	g.msgs = append(g.msgs, m)
	g.mu.Unlock()
	switch act {
	case FailTaken:
		writeJSON(w, 500, map[string]string{"Code": "InternalError"})
	case Hang:
		<-r.Context().Done()
	default:
		writeJSON(w, 200, map[string]string{"Code": "OK", "Message": "OK", "BizId": m.BizID, "RequestId": "req-" + m.BizID})
	}
}

func (g *Gateway) query(w http.ResponseWriter, p url.Values) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.queries++
	var a notify.AliyunQueryAnswer
	a.Code, a.Message = "OK", "OK"
	cst := time.FixedZone("CST", 8*3600)
	for _, m := range g.msgs {
		if m.To != p.Get("PhoneNumber") || m.At.In(cst).Format("20060102") != p.Get("SendDate") {
			continue
		}
		if id := p.Get("BizId"); id != "" && id != m.BizID {
			continue
		}
		a.Details.List = append(a.Details.List, notify.AliyunDetail{PhoneNum: m.To, SendStatus: m.Status, TemplateCode: m.Template,
			SendDate: m.At.In(cst).Format("2006-01-02 15:04:05"), OutID: m.OutID, BizID: m.BizID})
	}
	a.TotalCount = len(a.Details.List)
	writeJSON(w, 200, a)
}

// Report marks a message delivered (or failed) and pushes the report to
// the callback URL, signed; it returns the callback's HTTP status.
func (g *Gateway) Report(bizID string, success bool) (int, error) {
	g.mu.Lock()
	var rep notify.AliyunReport
	for i, m := range g.msgs {
		if m.BizID == bizID {
			g.msgs[i].Status = 2
			if success {
				g.msgs[i].Status = 3
			}
			rep = notify.AliyunReport{PhoneNumber: m.To, Success: success, BizID: m.BizID, OutID: m.OutID, SmsSize: "1",
				SendTime: m.At.Format("2006-01-02 15:04:05"), ReportTime: time.Now().Format("2006-01-02 15:04:05")}
			if success {
				rep.ErrCode, rep.ErrMsg = "DELIVERED", "用户接收成功"
			} else {
				rep.ErrCode, rep.ErrMsg = "MOBILE_NOT_ON_SERVICE", "停机"
			}
		}
	}
	g.mu.Unlock()
	if rep.BizID == "" {
		return 0, fmt.Errorf("no message %s", bizID)
	}
	b, _ := json.Marshal([]notify.AliyunReport{rep})
	return g.Push("/receipts", b, time.Now(), "")
}

// Reply pushes a citizen's reply.
func (g *Gateway) Reply(from, text string) (int, error) {
	b, _ := json.Marshal([]notify.AliyunReply{{PhoneNumber: from, Content: text, SendTime: time.Now().Format("2006-01-02 15:04:05")}})
	return g.Push("/replies", b, time.Now(), "")
}

// Push posts a signed body to CallbackURL+suffix with the given time and
// nonce (a fresh one when empty); tests use it to replay and to forge.
func (g *Gateway) Push(suffix string, body []byte, at time.Time, nonce string) (int, error) {
	if nonce == "" {
		nonce = strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	req, err := http.NewRequest("POST", g.CallbackURL+suffix, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(notify.PushTimestampHeader, ts)
	req.Header.Set(notify.PushNonceHeader, nonce)
	req.Header.Set(notify.PushSignatureHeader, notify.SignPush(g.CallbackSecret, ts, nonce, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
