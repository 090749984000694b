package soak

import "testing"

// TestJournalKeepsTheLaterWindowsMove: window 1 transfers a ticket and
// window 2 calls it; both are answered from one grouped commit and window
// 2's answer is read first. The journal keeps "called" (the database's
// state), where recording answers in the order read had left "waiting"
// and reported a lost write that was not (CI, 2026-12-04).
func TestJournalKeepsTheLaterWindowsMove(t *testing.T) {
	j := newJournal()
	tk := ticketJSON{ID: 7, Number: "D005", Day: "2026-12-04"}
	j.issued(tk)
	at := func(state string) ticketJSON { t := tk; t.State = state; return t }
	j.moved(at("called"), 1, true)
	j.moved(at("serving"), 1, false)
	j.moved(at("called"), 2, true)   // window 2's call, read first
	j.moved(at("waiting"), 1, false) // window 1's transfer, read late
	if got := j.tickets[7]; got.State != "called" || got.By != 2 || !got.IssueAcked {
		t.Fatalf("journal has %+v, want called by window 2", *got)
	}
	// Window 2's own moves go on being recorded.
	j.moved(at("serving"), 2, false)
	if got := j.tickets[7].State; got != "serving" {
		t.Fatalf("window 2 started the ticket, journal has %s", got)
	}
	// An issue answer read after the call keeps the later state.
	j.issued(tk)
	if got := j.tickets[7].State; got != "serving" {
		t.Fatalf("a late issue answer set the journal to %s", got)
	}
	// A window's own move is recorded when nobody else's came between.
	j.moved(at("waiting"), 2, false)
	if got := j.tickets[7].State; got != "waiting" {
		t.Fatalf("window 2 transferred the ticket, journal has %s", got)
	}
}
