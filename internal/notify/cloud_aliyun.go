package notify

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Aliyun maps to an API shaped like Alibaba Cloud's SMS service (dysms,
// RPC style, version 2017-05-25): SendSms with PhoneNumbers, SignName,
// TemplateCode, TemplateParam (JSON) and OutId; QuerySendDetails by
// phone number and send date (and BizId when known); push reports as JSON
// arrays. Requests are signed as RPC requests are: HMAC-SHA1 over the
// sorted, percent-encoded parameters with the secret and "&". This is all
// that knows the vendor's names; it has been tested against our fake
// gateway (internal/notify/cloudtest), not against the vendor.
type Aliyun struct{}

// aliyunEncode is the RPC percent-encoding (RFC 3986, space as %20).
func aliyunEncode(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	e = strings.ReplaceAll(e, "*", "%2A")
	return strings.ReplaceAll(e, "%7E", "~")
}

// AliyunSign returns the RPC signature of a parameter set.
func AliyunSign(method, secret string, params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k != "Signature" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(aliyunEncode(k) + "=" + aliyunEncode(params.Get(k)))
	}
	toSign := method + "&" + aliyunEncode("/") + "&" + aliyunEncode(b.String())
	m := hmac.New(sha1.New, []byte(secret+"&"))
	m.Write([]byte(toSign))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func (Aliyun) call(a CloudAccount, action string, p url.Values, now time.Time) HTTPCall {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	p.Set("Action", action)
	p.Set("Format", "JSON")
	p.Set("Version", "2017-05-25")
	p.Set("AccessKeyId", a.AccessKeyID)
	p.Set("SignatureMethod", "HMAC-SHA1")
	p.Set("SignatureVersion", "1.0")
	p.Set("SignatureNonce", hex.EncodeToString(nonce[:]))
	p.Set("Timestamp", now.UTC().Format("2006-01-02T15:04:05Z"))
	p.Set("Signature", AliyunSign("POST", a.Secret, p))
	return HTTPCall{Method: "POST", URL: a.Endpoint, Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, Body: []byte(p.Encode())}
}

// SendCall implements CloudVendor.
func (v Aliyun) SendCall(a CloudAccount, s Submission, now time.Time) (HTTPCall, error) {
	params := s.Params
	if params == nil {
		params = map[string]string{}
	}
	tp, err := json.Marshal(params)
	if err != nil {
		return HTTPCall{}, err
	}
	p := url.Values{}
	p.Set("PhoneNumbers", s.To)
	p.Set("SignName", a.SignName)
	p.Set("TemplateCode", s.Template)
	p.Set("TemplateParam", string(tp))
	p.Set("OutId", s.OutID)
	return v.call(a, "SendSms", p, now), nil
}

type aliyunAnswer struct {
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	BizID     string `json:"BizId"`
	RequestID string `json:"RequestId"`
}

// aliyunThrottled are the answers that mean "not now": nothing was taken.
var aliyunThrottled = map[string]bool{"isv.BUSINESS_LIMIT_CONTROL": true, "Throttling": true, "Throttling.User": true, "isv.DAY_LIMIT_CONTROL": false}

func aliyunClassify(status int, body []byte) (aliyunAnswer, error) {
	var a aliyunAnswer
	jerr := json.Unmarshal(body, &a)
	switch {
	case status == 429 || aliyunThrottled[a.Code]:
		return a, &ProviderError{Kind: ErrThrottled, Code: fmt.Sprintf("HTTP %d %s", status, a.Code)}
	case status >= 500:
		// The request reached the gateway; whether it was taken is not
		// known: settled by a status query, never resent blind.
		return a, &ProviderError{Kind: ErrAmbiguous, Code: fmt.Sprintf("HTTP %d %s", status, a.Code)}
	case jerr != nil:
		return a, &ProviderError{Kind: ErrAmbiguous, Code: fmt.Sprintf("HTTP %d: unreadable answer", status)}
	case a.Code != "OK":
		return a, &ProviderError{Kind: ErrRejected, Code: fmt.Sprintf("HTTP %d %s", status, a.Code)}
	}
	return a, nil
}

// SendResult implements CloudVendor.
func (Aliyun) SendResult(status int, body []byte) (string, error) {
	a, err := aliyunClassify(status, body)
	if err != nil {
		return "", err
	}
	if a.BizID == "" {
		return "", &ProviderError{Kind: ErrAmbiguous, Code: "OK without BizId"}
	}
	return a.BizID, nil
}

// QueryCall implements CloudVendor.
func (v Aliyun) QueryCall(a CloudAccount, s Submission, bizID string, day time.Time) (HTTPCall, error) {
	p := url.Values{}
	p.Set("PhoneNumber", s.To)
	p.Set("SendDate", day.Format("20060102"))
	p.Set("PageSize", "50")
	p.Set("CurrentPage", "1")
	if bizID != "" {
		p.Set("BizId", bizID)
	}
	return v.call(a, "QuerySendDetails", p, time.Now()), nil
}

// AliyunDetail is one record of QuerySendDetails.
type AliyunDetail struct {
	PhoneNum     string `json:"PhoneNum"`
	SendStatus   int    `json:"SendStatus"` // 1 waiting for a receipt, 2 failed, 3 delivered
	ErrCode      string `json:"ErrCode"`
	TemplateCode string `json:"TemplateCode"`
	Content      string `json:"Content"`
	SendDate     string `json:"SendDate"`
	ReceiveDate  string `json:"ReceiveDate"`
	OutID        string `json:"OutId"`
	BizID        string `json:"BizId"`
}

// AliyunQueryAnswer is the answer of QuerySendDetails.
type AliyunQueryAnswer struct {
	Code       string `json:"Code"`
	Message    string `json:"Message"`
	TotalCount int    `json:"TotalCount"`
	Details    struct {
		List []AliyunDetail `json:"SmsSendDetailDTO"`
	} `json:"SmsSendDetailDTOs"`
}

// QueryResult implements CloudVendor.
func (Aliyun) QueryResult(status int, body []byte, s Submission, bizID string) (QueryResult, error) {
	if _, err := aliyunClassify(status, body); err != nil {
		return QueryResult{}, err
	}
	var a AliyunQueryAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return QueryResult{}, err
	}
	for _, d := range a.Details.List {
		if d.OutID != s.OutID && (bizID == "" || d.BizID != bizID) {
			continue
		}
		r := QueryResult{Found: true, MsgID: d.BizID, State: StateAccepted}
		if r.MsgID == "" {
			r.MsgID = bizID
		}
		switch d.SendStatus {
		case 3:
			r.State, r.Stat = StateDelivered, "DELIVRD"
		case 2:
			r.State, r.Stat = StateFailed, d.ErrCode
			if r.Stat == "" {
				r.Stat = "UNDELIV"
			}
		}
		return r, nil
	}
	return QueryResult{Found: false}, nil
}

// AliyunReport is one pushed delivery report (SmsReport).
type AliyunReport struct {
	PhoneNumber string `json:"phone_number"`
	SendTime    string `json:"send_time"`
	ReportTime  string `json:"report_time"`
	Success     bool   `json:"success"`
	ErrCode     string `json:"err_code"`
	ErrMsg      string `json:"err_msg"`
	SmsSize     string `json:"sms_size"`
	BizID       string `json:"biz_id"`
	OutID       string `json:"out_id"`
}

// AliyunReply is one pushed reply of a citizen (SmsUp).
type AliyunReply struct {
	PhoneNumber string `json:"phone_number"`
	SendTime    string `json:"send_time"`
	Content     string `json:"content"`
	SignName    string `json:"sign_name"`
	DestCode    string `json:"dest_code"`
	SequenceID  int64  `json:"sequence_id"`
}

// Receipts implements CloudVendor.
func (Aliyun) Receipts(body []byte) ([]Receipt, error) {
	var rs []AliyunReport
	if err := json.Unmarshal(body, &rs); err != nil {
		return nil, err
	}
	out := make([]Receipt, 0, len(rs))
	for _, r := range rs {
		if r.BizID == "" {
			return nil, fmt.Errorf("report without biz_id")
		}
		st := "DELIVRD"
		if !r.Success {
			st = r.ErrCode
			if st == "" || st == "DELIVERED" {
				st = "UNDELIV"
			}
		}
		out = append(out, Receipt{MsgID: r.BizID, Stat: st, Err: r.ErrCode})
	}
	return out, nil
}

// Replies implements CloudVendor.
func (Aliyun) Replies(body []byte) ([]Inbound, error) {
	var rs []AliyunReply
	if err := json.Unmarshal(body, &rs); err != nil {
		return nil, err
	}
	out := make([]Inbound, 0, len(rs))
	for _, r := range rs {
		out = append(out, Inbound{From: r.PhoneNumber, Text: r.Content})
	}
	return out, nil
}

// PushAnswer implements CloudVendor.
func (Aliyun) PushAnswer() []byte { return []byte(`{"code":0,"msg":"接收成功"}`) }
