package wechat

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxBody bounds a callback body: the platform's messages are a few
// kilobytes; anything larger is not the platform.
const MaxBody = 64 << 10

// ErrXML is a body that is not one of the platform's XML messages.
var ErrXML = errors.New("wechat: body is not a platform XML message")

// Message types and events handled by the consultation service.
const (
	TypeText  = "text"
	TypeEvent = "event"

	EventSubscribe   = "subscribe"
	EventUnsubscribe = "unsubscribe"
	EventClick       = "CLICK"
)

// Message is an incoming message or event (only the fields the service
// uses; other message types keep their MsgType and are answered politely).
type Message struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   string   `xml:"ToUserName"`
	FromUserName string   `xml:"FromUserName"`
	CreateTime   int64    `xml:"CreateTime"`
	MsgType      string   `xml:"MsgType"`
	Content      string   `xml:"Content"`
	MsgID        int64    `xml:"MsgId"`
	Event        string   `xml:"Event"`
	EventKey     string   `xml:"EventKey"`
	// Encrypt is the ciphertext of a safe-mode message.
	Encrypt string `xml:"Encrypt"`
}

// ParseMessage reads one platform message. It refuses bodies that are too
// large, not XML, not rooted at <xml>, missing the sender, or carrying
// invalid UTF-8, so that nothing downstream sees such input.
func ParseMessage(body []byte) (Message, error) {
	var m Message
	if len(body) == 0 || len(body) > MaxBody || !utf8.Valid(body) {
		return m, ErrXML
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	// The platform never sends a DOCTYPE or entities beyond the five
	// predefined ones; an empty entity map keeps it that way.
	dec.Entity = map[string]string{}
	if err := dec.Decode(&m); err != nil {
		return Message{}, ErrXML
	}
	if m.XMLName.Local != "xml" {
		return Message{}, ErrXML
	}
	return m, nil
}

// Validate checks a decrypted (or plaintext) message has what a reply
// needs: both parties and a type.
func (m Message) Validate() error {
	if strings.TrimSpace(m.FromUserName) == "" || strings.TrimSpace(m.ToUserName) == "" || m.MsgType == "" {
		return ErrXML
	}
	if len(m.FromUserName) > 128 || len(m.ToUserName) > 128 || len(m.EventKey) > 256 {
		return ErrXML
	}
	return nil
}

// DedupKey identifies a message across the platform's retries: the MsgId
// for messages, sender and CreateTime for events (which carry no MsgId).
func (m Message) DedupKey() string {
	if m.MsgID != 0 {
		return "msg:" + strconv.FormatInt(m.MsgID, 10)
	}
	return fmt.Sprintf("evt:%s:%d:%s", m.FromUserName, m.CreateTime, m.Event)
}

// TextReply is a passive text reply to m.
func TextReply(m Message, content string, now time.Time) []byte {
	var b bytes.Buffer
	b.WriteString("<xml><ToUserName>")
	cdata(&b, m.FromUserName)
	b.WriteString("</ToUserName><FromUserName>")
	cdata(&b, m.ToUserName)
	b.WriteString("</FromUserName><CreateTime>")
	b.WriteString(strconv.FormatInt(now.Unix(), 10))
	b.WriteString("</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>")
	cdata(&b, content)
	b.WriteString("</Content></xml>")
	return b.Bytes()
}

// cdata writes s as CDATA; a "]]>" inside s is split across two sections
// so the reply stays well-formed whatever the text.
func cdata(b *bytes.Buffer, s string) {
	b.WriteString("<![CDATA[")
	b.WriteString(strings.ReplaceAll(s, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]>")
}

// envelope is the safe-mode wrapper of a reply.
type envelope struct {
	XMLName      xml.Name `xml:"xml"`
	Encrypt      string   `xml:"Encrypt"`
	MsgSignature string   `xml:"MsgSignature"`
	TimeStamp    string   `xml:"TimeStamp"`
	Nonce        string   `xml:"Nonce"`
}

// SealReply encrypts a passive reply for safe mode and signs it with the
// account's token.
func (c *Crypter) SealReply(token string, reply []byte, timestamp, nonce string) ([]byte, error) {
	enc, err := c.Encrypt(reply)
	if err != nil {
		return nil, err
	}
	return xml.Marshal(envelope{Encrypt: enc, MsgSignature: Signature(token, timestamp, nonce, enc), TimeStamp: timestamp, Nonce: nonce})
}

// OpenReply checks and decrypts a safe-mode reply (the platform's side;
// used by tests and the fake platform).
func (c *Crypter) OpenReply(token string, body []byte) ([]byte, error) {
	var e envelope
	if err := xml.Unmarshal(body, &e); err != nil {
		return nil, ErrXML
	}
	if !SignatureOK(e.MsgSignature, token, e.TimeStamp, e.Nonce, e.Encrypt) {
		return nil, ErrSignature
	}
	return c.Decrypt(e.Encrypt)
}
