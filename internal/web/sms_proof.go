package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mingbai/internal/apperr"
	"mingbai/internal/pii"
	"mingbai/internal/store"
)

// The proof step of SMS codes: the remote-ticket and booking pages carry a
// page token, signed with a key every instance shares and tied to the
// client address and the time of the page view; a code is sent to the
// public only with a token at most store.SMSLimits.PageTokenMaxAge old,
// used at most PerPageToken times. People never notice it; a script that
// pumps codes must fetch a page for every few codes, from the address
// that asks, besides every other limit (docs/security.md).

func (s *Server) pageTokenKey(ctx context.Context) ([]byte, error) {
	s.pageKeyMu.Lock()
	defer s.pageKeyMu.Unlock()
	if s.pageKey == nil {
		k, err := s.DB.Secret(ctx, "page_token")
		if err != nil {
			return nil, err
		}
		s.pageKey = k
	}
	return s.pageKey, nil
}

func signPageToken(key []byte, ts, ip string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("page|" + ts + "|" + ip))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// pageToken returns a fresh page token for the client of r ("" on error:
// the page still renders, sending a code will then ask again).
func (s *Server) pageToken(r *http.Request) string {
	key, err := s.pageTokenKey(r.Context())
	if err != nil {
		s.Log.Error("page token key", "err", err)
		return ""
	}
	nonce := make([]byte, 6)
	_, _ = rand.Read(nonce)
	ts := strconv.FormatInt(s.DB.Now().UnixMilli(), 36) + "-" + hex.EncodeToString(nonce)
	return ts + "." + signPageToken(key, ts, clientIP(r))
}

var errNoProof = apperr.New(apperr.RateLimited, "sms.no_proof")

// checkPageToken verifies the proof of an anonymous SMS-code request.
func (s *Server) checkPageToken(r *http.Request, token string) error {
	ts, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 64 {
		return errNoProof
	}
	key, err := s.pageTokenKey(r.Context())
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(sig), []byte(signPageToken(key, ts, clientIP(r)))) {
		return errNoProof
	}
	stamp, _, _ := strings.Cut(ts, "-")
	ms, err := strconv.ParseInt(stamp, 36, 64)
	lim := s.DB.SMS
	if lim.PageTokenMaxAge <= 0 {
		lim.PageTokenMaxAge = store.DefaultSMSLimits.PageTokenMaxAge
	}
	if lim.PerPageToken <= 0 {
		lim.PerPageToken = store.DefaultSMSLimits.PerPageToken
	}
	age := s.DB.Now().Sub(time.UnixMilli(ms))
	if err != nil || age < -time.Minute || age > lim.PageTokenMaxAge {
		return errNoProof
	}
	if err := s.DB.UseToken(r.Context(), "page_token", sig, lim.PerPageToken); err != nil {
		return errNoProof
	}
	return nil
}

// sendCode sends the SMS code that confirms the phone of a remote ticket
// or a booking: the public needs the page token of a recent page view;
// every request is counted by the limit that refused it or as sent.
func (s *Server) sendCode(r *http.Request, hallID int64, phone, pageToken string) error {
	err := s.sendCodeChecked(r, hallID, phone, pageToken)
	switch e := apperr.As(err); {
	case err == nil:
		s.metrics.count("mingbai_sms_codes_sent_total", "")
	case e != nil && e.Code == apperr.RateLimited:
		reason := strings.TrimPrefix(strings.TrimPrefix(e.Key, "sms.limit_"), "sms.no_")
		s.metrics.count("mingbai_sms_codes_refused_total", reason)
		if e.Key == store.SMSLimitGlobal {
			s.smsSpike()
		}
	}
	return err
}

func (s *Server) sendCodeChecked(r *http.Request, hallID int64, phone, pageToken string) error {
	if !pii.ValidMobile(phone) {
		return apperr.InvalidField("phone", "queue.bad_phone")
	}
	if !principal(r).Authenticated() {
		if err := s.checkPageToken(r, pageToken); err != nil {
			return err
		}
	}
	return s.DB.RequestPhoneCode(r.Context(), hallID, phone)
}

// smsSpike raises the alert when the global SMS limit refuses codes: an
// error log line at most once a minute (for the log alerting) besides the
// refused counter (for a Prometheus alert, docs/security.md).
func (s *Server) smsSpike() {
	now := s.DB.Now().UnixMilli()
	s.spikeMu.Lock()
	defer s.spikeMu.Unlock()
	if now < s.spikeLogged {
		return
	}
	s.spikeLogged = now + time.Minute.Milliseconds()
	s.Log.Error("ALERT: SMS codes refused by the global limit (possible SMS pumping)",
		"refused_total", s.metrics.securityCount("mingbai_sms_codes_refused_total", "global"))
}

type pageTokenJSON struct {
	PageToken string `json:"page_token"`
}

func (s *Server) apiPageToken(w http.ResponseWriter, r *http.Request) error {
	tok := s.pageToken(r)
	if tok == "" {
		return errInternal
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, pageTokenJSON{PageToken: tok})
	return nil
}
