package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/linxGnu/gosmpp"
	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// SMPPConfig configures the SMPP 3.4 provider. The password comes from the
// environment or a file (see LoadSecret), never from the database.
type SMPPConfig struct {
	Name       string
	Addr       string
	SystemID   string
	Password   string
	SystemType string
	// SourceAddr is the sender number (the hall's service number).
	SourceAddr string
	// EnquireLink is the keep-alive period (default 30 s); a bind that
	// does not answer within ReadTimeout (default 3 × EnquireLink) is
	// closed and rebound.
	EnquireLink time.Duration
	ReadTimeout time.Duration
	// SubmitTimeout is how long a submit_sm waits for its response before
	// the part becomes unknown (default 10 s).
	SubmitTimeout time.Duration
	// RebindMin and RebindMax bound the exponential back-off between bind
	// attempts (default 1 s … 1 min).
	RebindMin, RebindMax time.Duration
	// OutIDTag, when non-zero, is a vendor-specific TLV (0x1400–0x3FFF)
	// carrying our out-id on submit_sm and query_sm, for aggregators that
	// can look a message up by the client's reference. Without it a part
	// whose submit_sm_resp was lost stays unknown until it expires.
	OutIDTag uint16
	// Rate caps submissions per second (0: no cap); Burst is the bucket.
	Rate  float64
	Burst int
	Sink  Sink
	Log   *slog.Logger
}

// SMPP is a transceiver bind to an SMS centre.
type SMPP struct {
	cfg    SMPPConfig
	bucket *TokenBucket

	mu      sync.Mutex
	sess    *gosmpp.Session
	pending map[int32]chan pdu.PDU

	bound   atomic.Bool
	lastErr atomic.Value // string
	sent    atomic.Int64
	binds   atomic.Int64
	redial  chan struct{}
	done    chan struct{}
	// up is closed while bound and replaced when the bind drops.
	up   chan struct{}
	once sync.Once
}

// DialSMPP starts binding in the background and returns at once; Submit
// refuses with ErrNotSent until the bind is up.
func DialSMPP(cfg SMPPConfig) *SMPP {
	if cfg.Name == "" {
		cfg.Name = "smpp"
	}
	if cfg.EnquireLink <= 0 {
		cfg.EnquireLink = 30 * time.Second
	}
	if cfg.ReadTimeout <= cfg.EnquireLink {
		cfg.ReadTimeout = 3 * cfg.EnquireLink
	}
	if cfg.SubmitTimeout <= 0 {
		cfg.SubmitTimeout = 10 * time.Second
	}
	if cfg.RebindMin <= 0 {
		cfg.RebindMin = time.Second
	}
	if cfg.RebindMax < cfg.RebindMin {
		cfg.RebindMax = time.Minute
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	p := &SMPP{cfg: cfg, bucket: NewTokenBucket(cfg.Rate, cfg.Burst, nil), pending: map[int32]chan pdu.PDU{},
		redial: make(chan struct{}, 1), done: make(chan struct{}), up: make(chan struct{})}
	p.lastErr.Store("")
	go p.bindLoop()
	return p
}

// Name implements Provider.
func (p *SMPP) Name() string { return p.cfg.Name }

// Splits implements Provider: SMPP sends UCS-2 parts we cut ourselves.
func (p *SMPP) Splits() bool { return true }

// Health describes the bind for the outbox page.
type Health struct {
	Name    string `json:"name"`
	Bound   bool   `json:"bound"`
	LastErr string `json:"last_error"`
	Sent    int64  `json:"sent"`
	Binds   int64  `json:"binds"`
}

// Health implements HealthReporter.
func (p *SMPP) Health() Health {
	return Health{Name: p.cfg.Name, Bound: p.bound.Load(), LastErr: p.lastErr.Load().(string), Sent: p.sent.Load(), Binds: p.binds.Load()}
}

// Bound reports whether the transceiver is bound now.
func (p *SMPP) Bound() bool { return p.bound.Load() }

// WaitBound blocks until the transceiver is bound or ctx ends.
func (p *SMPP) WaitBound(ctx context.Context) error {
	p.mu.Lock()
	up := p.up
	p.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close unbinds and stops rebinding.
func (p *SMPP) Close() error {
	p.once.Do(func() { close(p.done) })
	p.mu.Lock()
	s := p.sess
	p.sess = nil
	p.mu.Unlock()
	p.bound.Store(false)
	if s != nil {
		return s.Close()
	}
	return nil
}

func (p *SMPP) bindLoop() {
	delay := p.cfg.RebindMin
	for {
		select {
		case <-p.done:
			return
		default:
		}
		if err := p.bind(); err != nil {
			p.lastErr.Store(err.Error())
			p.cfg.Log.Warn("smpp bind failed", "provider", p.cfg.Name, "err", err, "retry_in", delay)
			select {
			case <-p.done:
				return
			case <-time.After(delay):
			}
			delay *= 2
			if delay > p.cfg.RebindMax {
				delay = p.cfg.RebindMax
			}
			continue
		}
		delay = p.cfg.RebindMin
		select {
		case <-p.done:
			return
		case <-p.redial:
		}
	}
}

func (p *SMPP) bind() error {
	auth := gosmpp.Auth{SMSC: p.cfg.Addr, SystemID: p.cfg.SystemID, Password: p.cfg.Password, SystemType: p.cfg.SystemType}
	var self *gosmpp.Session
	settings := gosmpp.Settings{
		EnquireLink:  p.cfg.EnquireLink,
		ReadTimeout:  p.cfg.ReadTimeout,
		WriteTimeout: p.cfg.SubmitTimeout,
		// OnAllPDU replaces gosmpp's automatic answers: a deliver_sm is
		// acknowledged only after its receipt is stored.
		OnAllPDU: p.onPDU,
		OnClosed: func(state gosmpp.State) { p.dropped(self, fmt.Sprintf("connection closed (%v)", state)) },
	}
	s, err := gosmpp.NewSession(gosmpp.TRXConnector(gosmpp.NonTLSDialer, auth), settings, 0)
	if err != nil {
		return err
	}
	self = s
	p.mu.Lock()
	p.sess = s
	select {
	case <-p.up:
	default:
		close(p.up)
	}
	p.mu.Unlock()
	p.bound.Store(true)
	p.binds.Add(1)
	p.lastErr.Store("")
	return nil
}

// dropped fails every waiting submission as ambiguous (the SMS centre may
// have taken it) and asks the bind loop to rebind.
func (p *SMPP) dropped(s *gosmpp.Session, why string) {
	p.mu.Lock()
	if s != nil && p.sess != s {
		p.mu.Unlock()
		return
	}
	p.sess = nil
	select {
	case <-p.up:
		p.up = make(chan struct{})
	default:
	}
	waiting := p.pending
	p.pending = map[int32]chan pdu.PDU{}
	p.mu.Unlock()
	p.bound.Store(false)
	p.lastErr.Store(why)
	for _, ch := range waiting {
		close(ch)
	}
	select {
	case p.redial <- struct{}{}:
	default:
	}
}

func (p *SMPP) onPDU(in pdu.PDU) (pdu.PDU, bool) {
	switch x := in.(type) {
	case *pdu.EnquireLink:
		return x.GetResponse(), false
	case *pdu.Unbind:
		return x.GetResponse(), true
	case *pdu.DeliverSM:
		if err := p.deliver(x); err != nil {
			// Not stored: refuse so that the centre delivers it again.
			p.cfg.Log.Error("smpp deliver_sm not stored", "provider", p.cfg.Name, "err", err)
			r := x.GetResponse().(*pdu.DeliverSMResp)
			r.CommandStatus = data.ESME_RX_T_APPN
			return r, false
		}
		return x.GetResponse(), false
	case *pdu.SubmitSMResp, *pdu.QuerySMResp, *pdu.GenericNack, *pdu.EnquireLinkResp, *pdu.UnbindResp:
		seq := in.GetSequenceNumber()
		p.mu.Lock()
		ch := p.pending[seq]
		delete(p.pending, seq)
		p.mu.Unlock()
		if ch != nil {
			ch <- in
		}
		return nil, false
	}
	if in.CanResponse() {
		n := pdu.NewGenericNack().(*pdu.GenericNack)
		n.SetSequenceNumber(in.GetSequenceNumber())
		n.CommandStatus = data.ESME_RINVCMDID
		return n, false
	}
	return nil, false
}

var receiptRE = regexp.MustCompile(`id:(\S+).*stat:(\S+)(?:.*err:(\S+))?`)

func (p *SMPP) deliver(d *pdu.DeliverSM) error {
	if p.cfg.Sink == nil {
		return errors.New("no sink")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	body, _ := d.Message.GetMessageData()
	if d.EsmClass&0x3c == data.SM_SMSC_DLV_RCPT_TYPE {
		r := Receipt{Provider: p.cfg.Name}
		if m := receiptRE.FindStringSubmatch(string(body)); m != nil {
			r.MsgID, r.Stat, r.Err = m[1], m[2], m[3]
		}
		for _, f := range []pdu.Tag{pdu.TagReceiptedMessageID} {
			if v, ok := d.OptionalParameters[f]; ok && len(v.Data) > 0 {
				r.MsgID = strings.TrimRight(string(v.Data), "\x00")
			}
		}
		if r.MsgID == "" {
			return errors.New("receipt without a message id")
		}
		return p.cfg.Sink.RecordReceipt(ctx, r)
	}
	text := string(body)
	if d.Message.Encoding() != nil && d.Message.Encoding().DataCoding() == DataCodingUCS2 {
		text = DecodeUCS2(body)
	}
	return p.cfg.Sink.RecordInbound(ctx, Inbound{Provider: p.cfg.Name, From: d.SourceAddr.Address(), Text: text})
}

// request writes a PDU and waits for its response.
func (p *SMPP) request(ctx context.Context, req pdu.PDU) (pdu.PDU, error) {
	p.mu.Lock()
	s := p.sess
	if s == nil {
		p.mu.Unlock()
		return nil, ErrNotSent
	}
	ch := make(chan pdu.PDU, 1)
	// gosmpp's NewQuerySM (unlike NewSubmitSM) assigns no sequence
	// number: every query_sm went out as 0, concurrent queries shared one
	// waiting slot and took each other's answers (a message settled with
	// another's id and never sent; a sent one "not found" and sent again).
	// Every request gets a fresh number that no waiting request holds.
	if req.GetSequenceNumber() == 0 {
		req.AssignSequenceNumber()
	}
	for p.pending[req.GetSequenceNumber()] != nil {
		req.AssignSequenceNumber()
	}
	seq := req.GetSequenceNumber()
	p.pending[seq] = ch
	p.mu.Unlock()
	forget := func() {
		p.mu.Lock()
		delete(p.pending, seq)
		p.mu.Unlock()
	}
	if err := s.Transceiver().Submit(req); err != nil {
		forget()
		if errors.Is(err, gosmpp.ErrConnectionClosing) {
			return nil, ErrNotSent
		}
		return nil, &ProviderError{Kind: ErrAmbiguous, Code: err.Error()}
	}
	t := time.NewTimer(p.cfg.SubmitTimeout)
	defer t.Stop()
	select {
	case resp, ok := <-ch:
		if !ok {
			return nil, &ProviderError{Kind: ErrAmbiguous, Code: "connection dropped"}
		}
		return resp, nil
	case <-t.C:
		forget()
		return nil, &ProviderError{Kind: ErrAmbiguous, Code: "no response"}
	case <-ctx.Done():
		forget()
		return nil, &ProviderError{Kind: ErrAmbiguous, Code: ctx.Err().Error()}
	}
}

// Submit implements Provider: one submit_sm per part, UCS-2, with the
// concatenation header in the short message and UDHI set.
func (p *SMPP) Submit(ctx context.Context, s Submission, part Part) (string, error) {
	if err := p.bucket.Wait(ctx); err != nil {
		return "", ErrNotSent
	}
	sm := pdu.NewSubmitSM().(*pdu.SubmitSM)
	sm.ServiceType = p.cfg.SystemType
	_ = sm.SourceAddr.SetAddress(p.cfg.SourceAddr)
	sm.SourceAddr.SetTon(5)
	sm.SourceAddr.SetNpi(0)
	if err := sm.DestAddr.SetAddress(s.To); err != nil {
		return "", &ProviderError{Kind: ErrRejected, Code: err.Error()}
	}
	sm.DestAddr.SetTon(1)
	sm.DestAddr.SetNpi(1)
	sm.RegisteredDelivery = data.SM_SMSC_RECEIPT_REQUESTED
	if len(part.UDH) > 0 {
		sm.EsmClass |= data.SM_UDH_GSM
	}
	if err := sm.Message.SetMessageDataWithEncoding(part.ShortMessage(), data.UCS2); err != nil {
		return "", &ProviderError{Kind: ErrRejected, Code: err.Error()}
	}
	if p.cfg.OutIDTag != 0 {
		sm.RegisterOptionalParam(pdu.Field{Tag: pdu.Tag(p.cfg.OutIDTag), Data: []byte(partOutID(s.OutID, part))})
	}
	resp, err := p.request(ctx, sm)
	if err != nil {
		return "", err
	}
	h := resp.GetHeader()
	switch {
	case h.CommandStatus == data.ESME_ROK:
		r, ok := resp.(*pdu.SubmitSMResp)
		if !ok || r.MessageID == "" {
			// A positive answer without a message id is not an acceptance.
			return "", &ProviderError{Kind: ErrAmbiguous, Code: "no message id"}
		}
		p.sent.Add(1)
		return r.MessageID, nil
	case h.CommandStatus == data.ESME_RTHROTTLED || h.CommandStatus == data.ESME_RMSGQFUL:
		return "", &ProviderError{Kind: ErrThrottled, Code: h.CommandStatus.String()}
	default:
		return "", &ProviderError{Kind: ErrRejected, Code: h.CommandStatus.String()}
	}
}

func partOutID(outID string, part Part) string { return fmt.Sprintf("%s-%d", outID, part.Seq) }

// Query implements Provider with query_sm: by message id when we have it,
// otherwise by our out-id in the OutIDTag TLV.
func (p *SMPP) Query(ctx context.Context, s Submission, part Part, msgID string) (QueryResult, error) {
	if msgID == "" && p.cfg.OutIDTag == 0 {
		return QueryResult{}, errors.New("cannot query without a message id")
	}
	q := pdu.NewQuerySM().(*pdu.QuerySM)
	q.MessageID = msgID
	_ = q.SourceAddr.SetAddress(p.cfg.SourceAddr)
	if q.OptionalParameters == nil {
		q.OptionalParameters = map[pdu.Tag]pdu.Field{}
	}
	if msgID == "" {
		q.RegisterOptionalParam(pdu.Field{Tag: pdu.Tag(p.cfg.OutIDTag), Data: []byte(partOutID(s.OutID, part))})
	}
	resp, err := p.request(ctx, q)
	if err != nil {
		return QueryResult{}, err
	}
	r, ok := resp.(*pdu.QuerySMResp)
	if !ok {
		return QueryResult{}, fmt.Errorf("query_sm: %v", resp.GetHeader().CommandStatus)
	}
	switch r.CommandStatus {
	case data.ESME_ROK:
	case data.ESME_RQUERYFAIL, data.ESME_RINVMSGID:
		return QueryResult{Found: false}, nil
	default:
		return QueryResult{}, fmt.Errorf("query_sm: %v", r.CommandStatus)
	}
	out := QueryResult{Found: true, MsgID: r.MessageID}
	switch r.MessageState {
	case 2: // DELIVERED
		out.State, out.Stat = StateDelivered, "DELIVRD"
	case 3, 5, 8: // EXPIRED, UNDELIVERABLE, REJECTED
		out.State, out.Stat = StateFailed, "UNDELIV"
	default:
		out.State = StateAccepted
	}
	return out, nil
}
