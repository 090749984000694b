package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/auth"
	"mingbai/internal/consult"
	"mingbai/internal/store"
	"mingbai/internal/wechat"
)

// Graduate consultation over WeChat and the web. This file holds the
// WeChat side: the account configuration of a hall, the callback and the
// customer-service sends.

// WeChatAccount configures the official account of one hall.
type WeChatAccount struct {
	HallID int64
	// Token and EncodingAESKey are those entered on the platform (开发 →
	// 基本配置 → 服务器配置); Mode is wechat.Plaintext or wechat.Safe.
	Token          string
	EncodingAESKey string
	Mode           string
	AppID          string
	AppSecret      string
	// APIBase is the platform's API (wechat.DefaultAPI when empty); tests
	// point it at a fake platform on 127.0.0.1.
	APIBase string
	// MaxSkew bounds the age of a callback's timestamp; Budget the time
	// for a passive reply (the package defaults when zero).
	MaxSkew, Budget time.Duration
}

type wechatHall struct {
	acct    WeChatAccount
	crypter *wechat.Crypter
	client  *wechat.Client
}

// wechatAccounts are the configured accounts by hall.
type wechatAccounts struct {
	mu     sync.RWMutex
	byHall map[int64]*wechatHall
}

// SetWeChat configures (or replaces) the official account of a hall.
func (s *Server) SetWeChat(a WeChatAccount) error {
	if a.Mode == "" {
		a.Mode = wechat.Safe
	}
	if a.Mode != wechat.Safe && a.Mode != wechat.Plaintext {
		return fmt.Errorf("wechat: mode must be %q or %q", wechat.Safe, wechat.Plaintext)
	}
	if a.Token == "" || a.HallID == 0 {
		return errors.New("wechat: the hall and the token are required")
	}
	h := &wechatHall{acct: a, client: &wechat.Client{BaseURL: a.APIBase, AppID: a.AppID, AppSecret: a.AppSecret, Now: s.DB.Now}}
	if a.Mode == wechat.Safe {
		c, err := wechat.NewCrypter(a.EncodingAESKey, a.AppID)
		if err != nil {
			return err
		}
		h.crypter = c
	}
	s.wechat.mu.Lock()
	defer s.wechat.mu.Unlock()
	if s.wechat.byHall == nil {
		s.wechat.byHall = map[int64]*wechatHall{}
	}
	s.wechat.byHall[a.HallID] = h
	return nil
}

func (s *Server) wechatFor(hallID int64) *wechatHall {
	s.wechat.mu.RLock()
	defer s.wechat.mu.RUnlock()
	return s.wechat.byHall[hallID]
}

// handleWeChat serves a hall's callback URL (/wechat/{hall}): GET for the
// platform's URL check, POST for messages. The signature is the
// authentication; a hall without an account is not found.
func (s *Server) handleWeChat(w http.ResponseWriter, r *http.Request) error {
	hallID, err := pathID(r, "hall")
	if err != nil {
		return apperr.NotFoundOf("hall")
	}
	h := s.wechatFor(hallID)
	if h == nil {
		return apperr.NotFoundOf("hall")
	}
	cb := &wechat.Callback{
		Account: wechat.Account{Token: h.acct.Token, Crypter: h.crypter, Mode: h.acct.Mode, MaxSkew: h.acct.MaxSkew, Budget: h.acct.Budget, Now: s.DB.Now},
		App:     &wechatApp{s: s, h: h, hallID: hallID},
		Log:     s.Log,
	}
	cb.ServeHTTP(w, r)
	return nil
}

// wechatApp is the consultation service behind one callback request.
type wechatApp struct {
	s       *Server
	h       *wechatHall
	hallID  int64
	replyID int64
}

// Handle implements wechat.App: the message is stored with its automatic
// reply; the platform's retries of a stored message get no second reply.
func (a *wechatApp) Handle(ctx context.Context, m wechat.Message) (string, error) {
	in := store.ConsultInbound{HallID: a.hallID, Channel: consult.WeChat, GraduateKey: m.FromUserName,
		DedupeKey: fmt.Sprintf("wx:%d:%s", a.hallID, m.DedupKey())}
	switch {
	case m.MsgType == wechat.TypeText:
		in.Kind, in.Body = "text", m.Content
	case m.MsgType == wechat.TypeEvent && m.Event == wechat.EventSubscribe:
		in.Kind = "subscribe"
	case m.MsgType == wechat.TypeEvent && m.Event == wechat.EventClick:
		in.Kind, in.EventKey = "click", m.EventKey
	case m.MsgType == wechat.TypeEvent:
		// Unsubscribe, location reports, menu views: nothing to answer.
		return "", nil
	default:
		in.Kind, in.EventKey = "other", m.MsgType
	}
	ctx = store.WithActor(ctx, store.Actor{Name: "wechat", Role: string(auth.Anonymous), Source: "wechat"})
	res, err := a.s.DB.ConsultReceive(ctx, in)
	if err != nil || res.Duplicate {
		return "", err
	}
	a.replyID = res.ReplyID
	return res.Reply, nil
}

// Late implements wechat.App: the reply came after the passive limit and
// goes through the customer-service API.
func (a *wechatApp) Late(m wechat.Message, reply string) {
	ctx := store.WithActor(context.Background(), store.Actor{Name: "wechat", Role: string(auth.Anonymous), Source: "wechat"})
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if a.replyID != 0 {
		if err := a.s.DB.ConsultReplyLate(ctx, a.hallID, a.replyID); err != nil {
			a.s.Log.Warn("consult: late reply", "err", err)
			return
		}
		a.s.sendKF(ctx, a.hallID, store.ConsultSend{MessageID: a.replyID, OpenID: m.FromUserName, Body: reply})
	}
}

// sendKF sends one customer-service message and records the outcome.
func (s *Server) sendKF(ctx context.Context, hallID int64, send store.ConsultSend) {
	h := s.wechatFor(hallID)
	var err error
	if h == nil {
		err = apperr.New(apperr.Unavailable, "consult.wechat_off")
	} else {
		err = h.client.SendText(ctx, send.OpenID, send.Body)
	}
	if err != nil {
		s.Log.Warn("consult: customer-service message", "hall", hallID, "message", send.MessageID, "err", err)
	}
	if derr := s.DB.ConsultDelivered(ctx, hallID, send.MessageID, err, errors.Is(err, wechat.ErrWindowClosed)); derr != nil {
		s.Log.Warn("consult: delivery record", "err", derr)
	}
}

// Role sets of the consultation area.
var (
	// consultStaff answer graduates: consultants and the hall's manager
	// (admins for set-up).
	consultStaff = roles(auth.Consultant, auth.HallManager, auth.Admin)
	// consultReaders also read the queue and the report: auditors.
	consultReaders = roles(auth.Consultant, auth.HallManager, auth.Admin, auth.Auditor)
	// faqEditors keep the FAQ current: consultants know the questions,
	// guide editors the documents.
	faqEditors = roles(auth.Consultant, auth.GuideEditor, auth.HallManager, auth.Admin)
)

// consultHall is the hall the caller acts in, resolved and checked by the
// route's declaration (HallOwn: a staff member's own hall; admins and
// auditors, who span halls, name it with ?hall=). Threads, FAQ entries and
// reports are read with it, so another hall's thread is not found.
func (s *Server) consultHall(r *http.Request) (int64, error) { return hallID(r), nil }
