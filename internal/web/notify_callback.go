package web

import (
	"errors"
	"io"
	"net/http"
	"sort"
	"sync"

	"mingbai/internal/apperr"
	"mingbai/internal/notify"
	"mingbai/internal/store"
)

// smsWiring is what the server knows of the SMS providers: each hall's
// provider (for the pages) and the cloud providers whose push callbacks it
// accepts.
type smsWiring struct {
	mu     sync.RWMutex
	choose func(hallID int64) notify.Provider
	all    map[string]notify.Provider
	rule   func(hallID int64) notify.Rule
}

// SetSMS tells the server which providers exist and which hall uses which.
func (s *Server) SetSMS(choose func(hallID int64) notify.Provider, all map[string]notify.Provider) {
	s.sms.mu.Lock()
	defer s.sms.mu.Unlock()
	s.sms.choose, s.sms.all = choose, all
}

// smsProviderOf names a hall's provider ("log" when nothing is configured).
func (s *Server) smsProviderOf(hallID int64) notify.Provider {
	s.sms.mu.RLock()
	defer s.sms.mu.RUnlock()
	if s.sms.choose == nil {
		return notify.LogProvider{Log: s.Log}
	}
	return s.sms.choose(hallID)
}

func (s *Server) smsProviderNames() []string {
	s.sms.mu.RLock()
	defer s.sms.mu.RUnlock()
	if len(s.sms.all) == 0 {
		return []string{"log"}
	}
	out := []string{}
	for n := range s.sms.all {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (s *Server) pushVerifier(name string) notify.PushVerifier {
	s.sms.mu.RLock()
	defer s.sms.mu.RUnlock()
	v, _ := s.sms.all[name].(notify.PushVerifier)
	return v
}

type pushAnswer struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

var (
	errPushUnknown   = apperr.New(apperr.NotFound, "err.not_found", "provider")
	errPushSignature = apperr.New(apperr.Unauthorized, "notify.push_signature")
)

// readPush checks a push callback: a known cloud provider, a body of at
// most 1 MiB, a valid signature within the allowed clock skew, and a nonce
// never seen before (a replay is refused).
func (s *Server) readPush(r *http.Request) (notify.PushVerifier, []byte, error) {
	v := s.pushVerifier(r.PathValue("provider"))
	if v == nil {
		return nil, nil, errPushUnknown
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if err != nil || len(body) > 1<<20 {
		return nil, nil, apperr.New(apperr.Invalid, "err.json", "body")
	}
	nonce := r.Header.Get(notify.PushNonceHeader)
	if err := v.Verify(r.Header.Get(notify.PushTimestampHeader), nonce, r.Header.Get(notify.PushSignatureHeader), body, s.DB.Now()); err != nil {
		s.Log.Warn("sms push callback refused", "provider", v.Name(), "err", err, "from", clientIP(r))
		return nil, nil, errPushSignature
	}
	// The nonce is taken after the push was stored (see pushDone), so a
	// push that failed half-way can be sent again as it was; a replay of
	// one that was stored is refused here.
	if seen, err := s.DB.PushNonceSeen(r.Context(), v.Name(), nonce); err != nil || seen {
		if err == nil {
			err = store.ErrPushReplay
		}
		return nil, nil, err
	}
	return v, body, nil
}

// pushDone takes the nonce of a stored push and answers the vendor. Two
// copies arriving at once may both be stored: applying a receipt twice
// changes nothing, and an opt-out is recorded once.
func (s *Server) pushDone(w http.ResponseWriter, r *http.Request, v notify.PushVerifier) error {
	if err := s.DB.RecordPushNonce(r.Context(), v.Name(), r.Header.Get(notify.PushNonceHeader)); err != nil && !errors.Is(err, store.ErrPushReplay) {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	_, err := w.Write(v.Vendor().PushAnswer())
	return err
}

// apiSMSReceipts takes pushed delivery reports: each is stored (and
// applied to its message) before the vendor is answered, so that a
// failure makes the vendor push it again.
func (s *Server) apiSMSReceipts(w http.ResponseWriter, r *http.Request) error {
	v, body, err := s.readPush(r)
	if err != nil {
		return err
	}
	rs, err := v.Vendor().Receipts(body)
	if err != nil {
		return apperr.New(apperr.Invalid, "err.json", "body")
	}
	for _, rc := range rs {
		rc.Provider = v.Name()
		if err := s.DB.RecordReceipt(r.Context(), rc); err != nil {
			return err
		}
	}
	return s.pushDone(w, r, v)
}

// apiSMSReplies takes pushed replies of citizens: an opt-out keyword
// stops that number's reminders.
func (s *Server) apiSMSReplies(w http.ResponseWriter, r *http.Request) error {
	v, body, err := s.readPush(r)
	if err != nil {
		return err
	}
	ms, err := v.Vendor().Replies(body)
	if err != nil {
		return apperr.New(apperr.Invalid, "err.json", "body")
	}
	for _, m := range ms {
		m.Provider = v.Name()
		if err := s.DB.RecordInbound(r.Context(), m); err != nil {
			return err
		}
	}
	return s.pushDone(w, r, v)
}
