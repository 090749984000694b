// Package smpptest is a small SMS centre speaking SMPP 3.4 on 127.0.0.1
// for tests and measurements. It counts every submit_sm it accepts, can
// throttle or swallow answers on demand, answers query_sm (also by the
// client's out-id TLV), sends delivery receipts and citizens' replies as
// deliver_sm, and redelivers a deliver_sm that was not acknowledged when
// the client binds again — as a real centre does.
package smpptest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/linxGnu/gosmpp/data"
	"github.com/linxGnu/gosmpp/pdu"
)

// Action is what the centre does with one submit_sm.
type Action int

// Actions a test may choose per submission.
const (
	// Accept stores the message and answers with a message id.
	Accept Action = iota
	// Throttle answers ESME_RTHROTTLED and keeps nothing.
	Throttle
	// Swallow stores the message but never answers (a lost response).
	Swallow
	// SwallowAndDrop stores the message, then closes the connection
	// without answering.
	SwallowAndDrop
	// Reject answers ESME_RINVDSTADR.
	Reject
)

// Submission is one submit_sm the centre accepted.
type Submission struct {
	MsgID string
	To    string
	// Seq is the PDU's sequence number.
	Seq          int32
	ShortMessage []byte // header and payload, as on the wire
	DataCoding   byte
	EsmClass     byte
	OutID        string
	At           time.Time
}

// Server is the fake centre.
type Server struct {
	// OutIDTag is the TLV that carries the client's out-id (0: none).
	OutIDTag pdu.Tag
	// Decide chooses the action for the n-th submit_sm (1-based); nil
	// accepts all.
	Decide func(n int, to string) Action
	// AutoReceipt sends a DELIVRD receipt after each accepted part.
	AutoReceipt bool
	// Accepted, when set, is called with the running count after each
	// stored submission (outside the centre's lock).
	Accepted func(count int)

	ln net.Listener

	mu       sync.Mutex
	subs     []Submission
	byOutID  map[string]string
	state    map[string]byte // message id → SMPP message_state
	n        int
	conns    map[*conn]bool
	current  *conn
	unacked  []pendingDeliver // deliver_sm not yet acknowledged
	acked    int
	binds    int
	nextID   int
	enquires int
	wg       sync.WaitGroup
	closed   bool
	wake     chan struct{}
}

type pendingDeliver struct {
	key string
	p   *pdu.DeliverSM
}

type conn struct {
	c       net.Conn
	wmu     sync.Mutex
	waiting map[int32]chan pdu.PDU
}

// Start listens on 127.0.0.1 on a free port.
func Start() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{ln: ln, byOutID: map[string]string{}, state: map[string]byte{}, conns: map[*conn]bool{}, wake: make(chan struct{}, 1)}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr is host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Close stops the centre.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

// DropAll closes every client connection (a network failure).
func (s *Server) DropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.c.Close()
	}
}

// Submissions returns a copy of every accepted submission.
func (s *Server) Submissions() []Submission {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Submission(nil), s.subs...)
}

// Count returns the number of accepted submissions.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.subs)
}

// Binds returns how many binds succeeded.
func (s *Server) Binds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.binds
}

// Unacked returns how many deliver_sm await acknowledgement.
func (s *Server) Unacked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.unacked)
}

// Acked returns how many deliver_sm were acknowledged.
func (s *Server) Acked() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acked
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			return
		}
		c := &conn{c: nc, waiting: map[int32]chan pdu.PDU{}}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go s.serve(c)
	}
}

func (c *conn) write(p pdu.PDU) error {
	b := pdu.NewBuffer(nil)
	p.Marshal(b)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, err := c.c.Write(b.Bytes())
	return err
}

func (s *Server) serve(c *conn) {
	defer s.wg.Done()
	defer func() {
		c.c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		if s.current == c {
			s.current = nil
		}
		s.mu.Unlock()
	}()
	for {
		raw, err := readPDU(c.c)
		if err != nil {
			return
		}
		if binary.BigEndian.Uint32(raw[4:8]) == uint32(data.QUERY_SM) {
			// gosmpp's QuerySM decoder cannot take optional parameters
			// (nil map): this one is read by hand.
			c.write(s.queryRaw(raw))
			continue
		}
		p, err := pdu.Parse(bytes.NewReader(raw))
		if err != nil {
			return
		}
		switch x := p.(type) {
		case *pdu.BindRequest:
			if err := c.write(x.GetResponse()); err != nil {
				return
			}
			s.mu.Lock()
			s.binds++
			s.current = c
			s.mu.Unlock()
			go s.redeliver(c)
		case *pdu.EnquireLink:
			s.mu.Lock()
			s.enquires++
			s.mu.Unlock()
			c.write(x.GetResponse())
		case *pdu.Unbind:
			c.write(x.GetResponse())
			return
		case *pdu.SubmitSM:
			if s.submit(c, x) {
				return
			}
		case *pdu.DeliverSMResp:
			c.wmu.Lock()
			ch := c.waiting[x.SequenceNumber]
			delete(c.waiting, x.SequenceNumber)
			c.wmu.Unlock()
			if ch != nil {
				ch <- x
			}
		case *pdu.UnbindResp, *pdu.EnquireLinkResp, *pdu.GenericNack:
		default:
			if p.CanResponse() {
				c.write(p.GetResponse())
			}
		}
	}
}

// submit handles one submit_sm; it reports whether to close the connection.
func (s *Server) submit(c *conn, sm *pdu.SubmitSM) bool {
	s.mu.Lock()
	s.n++
	act := Accept
	if s.Decide != nil {
		act = s.Decide(s.n, sm.DestAddr.Address())
	}
	resp := sm.GetResponse().(*pdu.SubmitSMResp)
	switch act {
	case Throttle:
		s.mu.Unlock()
		resp.CommandStatus = data.ESME_RTHROTTLED
		c.write(resp)
		return false
	case Reject:
		s.mu.Unlock()
		resp.CommandStatus = data.ESME_RINVDSTADR
		c.write(resp)
		return false
	}
	s.nextID++
	id := fmt.Sprintf("%08X", s.nextID)
	raw, _ := sm.Message.GetMessageData()
	if udh := sm.Message.UDH(); udh != nil && udh.UDHL() > 0 {
		h, _ := udh.MarshalBinary()
		raw = append(h, raw...)
	}
	sub := Submission{MsgID: id, To: sm.DestAddr.Address(), Seq: sm.SequenceNumber, ShortMessage: raw, EsmClass: sm.EsmClass, At: time.Now()}
	if enc := sm.Message.Encoding(); enc != nil {
		sub.DataCoding = enc.DataCoding()
	}
	if s.OutIDTag != 0 {
		if f, ok := sm.OptionalParameters[s.OutIDTag]; ok {
			sub.OutID = string(f.Data)
			s.byOutID[sub.OutID] = id
		}
	}
	s.subs = append(s.subs, sub)
	s.state[id] = 1 // ENROUTE
	auto, count, hook := s.AutoReceipt, len(s.subs), s.Accepted
	s.mu.Unlock()
	if hook != nil {
		hook(count)
	}
	switch act {
	case Swallow:
		return false
	case SwallowAndDrop:
		return true
	}
	resp.MessageID = id
	if err := c.write(resp); err != nil {
		return true
	}
	if auto {
		go s.Receipt(id, sub.To, "DELIVRD")
	}
	return false
}

func readPDU(r io.Reader) ([]byte, error) {
	var h [4]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(h[:])
	if n < 16 || n > 64*1024 {
		return nil, fmt.Errorf("bad command_length %d", n)
	}
	b := make([]byte, n)
	copy(b, h[:])
	_, err := io.ReadFull(r, b[4:])
	return b, err
}

// queryRaw answers a query_sm: message_id, source address, then TLVs.
func (s *Server) queryRaw(raw []byte) pdu.PDU {
	seq := int32(binary.BigEndian.Uint32(raw[12:16]))
	body := raw[16:]
	cstr := func() string {
		i := bytes.IndexByte(body, 0)
		if i < 0 {
			i = len(body) - 1
		}
		v := string(body[:i])
		body = body[i+1:]
		return v
	}
	id := cstr()
	if len(body) >= 2 {
		body = body[2:] // ton, npi
	}
	cstr() // source_addr
	outID := ""
	for len(body) >= 4 {
		tag := binary.BigEndian.Uint16(body[0:2])
		l := int(binary.BigEndian.Uint16(body[2:4]))
		if len(body) < 4+l {
			break
		}
		if s.OutIDTag != 0 && pdu.Tag(tag) == s.OutIDTag {
			outID = string(body[4 : 4+l])
		}
		body = body[4+l:]
	}
	r := pdu.NewQuerySMResp().(*pdu.QuerySMResp)
	r.SequenceNumber = seq
	s.mu.Lock()
	defer s.mu.Unlock()
	if id == "" && outID != "" {
		id = s.byOutID[outID]
	}
	st, ok := s.state[id]
	if !ok {
		r.CommandStatus = data.ESME_RQUERYFAIL
		return r
	}
	r.MessageID, r.MessageState = id, st
	return r
}

// Receipt sends a delivery receipt for a message id with the given stat
// (DELIVRD, UNDELIV …) and waits up to five seconds for the
// acknowledgement; an unacknowledged receipt is sent again at the next
// bind. The PDU is built with gosmpp's encoder.
func (s *Server) Receipt(msgID, to, stat string) error {
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	_ = d.SourceAddr.SetAddress(to)
	d.EsmClass = data.SM_SMSC_DLV_RCPT_TYPE
	now := time.Now().Format("0601021504")
	text := fmt.Sprintf("id:%s sub:001 dlvrd:001 submit date:%s done date:%s stat:%s err:000 text:", msgID, now, now, stat)
	_ = d.Message.SetMessageDataWithEncoding([]byte(text), data.ASCII)
	d.RegisterOptionalParam(pdu.Field{Tag: pdu.TagReceiptedMessageID, Data: append([]byte(msgID), 0)})
	s.mu.Lock()
	switch stat {
	case "DELIVRD":
		s.state[msgID] = 2
	case "EXPIRED":
		s.state[msgID] = 3
	default:
		s.state[msgID] = 5
	}
	s.mu.Unlock()
	return s.push("rcpt:"+msgID, d)
}

// Reply sends a citizen's reply (mobile-originated message) in UCS-2.
func (s *Server) Reply(from, text string) error {
	d := pdu.NewDeliverSM().(*pdu.DeliverSM)
	_ = d.SourceAddr.SetAddress(from)
	_ = d.Message.SetMessageWithEncoding(text, data.UCS2)
	return s.push(fmt.Sprintf("mo:%s:%s:%d", from, text, time.Now().UnixNano()), d)
}

func (s *Server) push(key string, d *pdu.DeliverSM) error {
	s.mu.Lock()
	s.unacked = append(s.unacked, pendingDeliver{key: key, p: d})
	c := s.current
	s.mu.Unlock()
	if c == nil {
		return errors.New("no client bound: kept for the next bind")
	}
	return s.send(c, key, d)
}

var errNack = errors.New("deliver_sm refused")

func (s *Server) send(c *conn, key string, d *pdu.DeliverSM) error {
	d.ResetSequenceNumber()
	d.AssignSequenceNumber()
	ch := make(chan pdu.PDU, 1)
	c.wmu.Lock()
	c.waiting[d.SequenceNumber] = ch
	c.wmu.Unlock()
	if err := c.write(d); err != nil {
		return err
	}
	select {
	case r := <-ch:
		if r.GetHeader().CommandStatus != data.ESME_ROK {
			return errNack
		}
		s.mu.Lock()
		for i, u := range s.unacked {
			if u.key == key {
				s.unacked = append(s.unacked[:i], s.unacked[i+1:]...)
				s.acked++
				break
			}
		}
		s.mu.Unlock()
		return nil
	case <-time.After(5 * time.Second):
		return errors.New("deliver_sm not acknowledged")
	}
}

func (s *Server) redeliver(c *conn) {
	s.mu.Lock()
	todo := append([]pendingDeliver(nil), s.unacked...)
	s.mu.Unlock()
	for _, u := range todo {
		if err := s.send(c, u.key, u.p); err != nil && !strings.Contains(err.Error(), "refused") {
			return
		}
	}
}

// Enquires returns how many enquire_link the centre answered.
func (s *Server) Enquires() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enquires
}
