package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"mingbai/internal/store"
	"mingbai/internal/store/storetest"
)

// TestNoPlaintextPersonalDataAtRest issues phone tickets, an appointment,
// a case and SMS codes, then reads the database as a thief would — the
// SQLite file with its WAL and SHM, or a PostgreSQL dump — and finds none
// of the phones, codes, names or ID numbers used (issue 9).
func TestNoPlaintextPersonalDataAtRest(t *testing.T) {
	e := newHall(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 3, 4, 9, 0, 0, 0, loc)
	e.DB.SetClock(func() time.Time { return now })
	const ticketPhone, apptPhone, spare = "13700005501", "13600005502", "13900005503"
	if status, b := e.do("POST", "/api/v1/sms-codes", "", map[string]any{"phone": ticketPhone, "page_token": e.pageToken()}); status != 202 {
		t.Fatalf("code: %d %s", status, b)
	}
	e.issue("", map[string]any{"item": itemA, "phone": ticketPhone, "sms_code": e.outboxCode(ticketPhone)})
	if status, b := e.do("POST", "/api/v1/appointments", "", map[string]string{"item": itemA, "day": "2026-03-04", "slot": "10:00", "phone": apptPhone, "sms_code": e.smsCode(apptPhone)}); status != 201 && status != 200 {
		t.Fatalf("book: %d %s", status, b)
	}
	if status, b := e.do("POST", "/api/v1/sms-codes", "", map[string]any{"phone": spare, "page_token": e.pageToken()}); status != 202 {
		t.Fatalf("spare code: %d %s", status, b)
	}
	e.DB.SetClock(time.Now) // the guide in force today
	e.createCase(e.token("w01"), caseBody("RS-A-004", "居民身份证"))

	needles := []string{ticketPhone, apptPhone, spare, "13812345678", webID, "王小菲"}
	var codes []string
	msgs, err := e.DB.OutboxMessages(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if i := strings.Index(m.Body, "验证码为 "); i >= 0 {
			codes = append(codes, m.Body[i+len("验证码为 "):i+len("验证码为 ")+6])
		}
		if strings.Contains(m.Body, "预约码") {
			needles = append(needles, m.Body) // the whole booking message
		}
	}
	if len(codes) != 3 {
		t.Fatalf("%d codes sent, want 3", len(codes))
	}

	var blobs map[string][]byte
	if storetest.PGDSN() != "" {
		var schema string
		if err := e.DB.Raw().QueryRow("SELECT current_schema()").Scan(&schema); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("pg_dump", "--no-owner", "--schema="+schema, storetest.PGDSN()).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		if !bytes.Contains(out, []byte("COPY "+schema+".tickets")) {
			t.Fatalf("pg_dump lacks the tickets: %.300s", out)
		}
		blobs = map[string][]byte{"pg_dump": out}
	} else {
		blobs = map[string][]byte{}
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(e.DB.Path() + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			blobs["sqlite"+suffix] = b
		}
		if len(blobs["sqlite"])+len(blobs["sqlite-wal"]) < 100000 {
			t.Fatalf("database files too small to hold the run: %d + %d", len(blobs["sqlite"]), len(blobs["sqlite-wal"]))
		}
	}
	for name, b := range blobs {
		for _, n := range needles {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%s holds %q in plain text", name, n)
			}
		}
		for _, c := range codes {
			// A code inside a hex or base64 run is chance, not a leak.
			for i := 0; ; {
				j := bytes.Index(b[i:], []byte(c))
				if j < 0 {
					break
				}
				at := i + j
				if !inToken(b, at, at+len(c)) {
					t.Errorf("%s holds the SMS code %s in plain text: %q", name, c, b[max(0, at-20):min(len(b), at+26)])
				}
				i = at + 1
			}
		}
	}
}

func inToken(b []byte, from, to int) bool {
	tok := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '+' || c == '/'
	}
	return from > 0 && tok(b[from-1]) || to < len(b) && tok(b[to])
}

// fromAddress returns a client whose requests come from the loopback
// address ip (all of 127.0.0.0/8 reaches the test server).
func fromAddress(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}
}

// TestSMSCodesFromManyAddresses: 100 source addresses asking for codes to
// 100 numbers get no more than the configured global number per minute.
func TestSMSCodesFromManyAddresses(t *testing.T) {
	e := newHall(t)
	e.DB.SMS = store.SMSLimits{GlobalPerMinute: 10}
	sent, refused := 0, 0
	for i := range 100 {
		c := fromAddress(fmt.Sprintf("127.0.%d.%d", 1+i/200, 1+i%200))
		resp, err := c.Get(e.HTTP.URL + "/api/v1/page-token")
		if err != nil {
			t.Fatal(err)
		}
		var tok struct {
			PageToken string `json:"page_token"`
		}
		json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		body := fmt.Sprintf(`{"phone":"1390001%04d","page_token":%q}`, i, tok.PageToken)
		resp, err = c.Post(e.HTTP.URL+"/api/v1/sms-codes", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case 202:
			sent++
		case 429:
			refused++
		default:
			t.Fatalf("address %d: %d %s", i, resp.StatusCode, b)
		}
		c.CloseIdleConnections()
	}
	msgs, err := e.DB.OutboxMessages(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	codes := 0
	for _, m := range msgs {
		if m.Kind == "sms_code" {
			codes++
		}
	}
	if sent != 10 || codes != 10 || refused != 90 {
		t.Fatalf("sent %d (outbox %d), refused %d; want 10 sent, 90 refused", sent, codes, refused)
	}
	// Without the page token the public gets no code at all.
	if status, b := e.do("POST", "/api/v1/sms-codes", "", map[string]any{"phone": "13900029999"}); status != 429 || !strings.Contains(string(b), "reload") {
		t.Fatalf("no proof: %d %s", status, b)
	}
	_, metrics := e.do("GET", "/metrics", "", nil)
	if !strings.Contains(string(metrics), `mingbai_sms_codes_refused_total{reason="global"} 90`) || !strings.Contains(string(metrics), "mingbai_sms_codes_sent_total 10") {
		t.Fatalf("metrics: %s", metrics)
	}
}
