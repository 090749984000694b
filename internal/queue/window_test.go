package queue

import (
	"testing"

	"mingbai/internal/apperr"
)

// key returns the message key of an application error, "" for nil.
func key(err error) string {
	if err == nil {
		return ""
	}
	if e := apperr.As(err); e != nil {
		return e.Key
	}
	return err.Error()
}

func TestCheckWindowState(t *testing.T) {
	cases := []struct {
		state, reason string
		want          SessionState
		wantReason    string
		err           string
	}{
		{"open", "", WindowOpen, "", ""},
		{"open", "break", WindowOpen, "", ""}, // a reason is dropped
		{"closed", "meeting", WindowClosed, "", ""},
		{"paused", "break", WindowPaused, "break", ""},
		{"paused", "back_office", WindowPaused, "back_office", ""},
		{"paused", "meeting", WindowPaused, "meeting", ""},
		{"paused", "", "", "", "queue.bad_pause_reason"},
		{"paused", "lunch", "", "", "queue.bad_pause_reason"},
		{"busy", "", "", "", "err.bad_value"},
		{"", "", "", "", "err.bad_value"},
	}
	for _, c := range cases {
		got, reason, err := CheckWindowState(c.state, c.reason)
		if got != c.want || reason != c.wantReason || key(err) != c.err {
			t.Errorf("CheckWindowState(%q, %q) = %q, %q, %v", c.state, c.reason, got, reason, err)
		}
	}
}

func TestWindowDecisions(t *testing.T) {
	w01 := Staffer{Username: "w01", StaffID: 1}
	w02 := Staffer{Username: "w02", StaffID: 2}
	mgr := Staffer{Username: "manager", Manager: true}
	open := &WindowSession{Username: "w01", State: WindowOpen}
	paused := &WindowSession{Username: "w01", State: WindowPaused, Reason: "break"}

	signIn := []struct {
		name string
		cur  *WindowSession
		who  Staffer
		want SignIn
		err  string
	}{
		{"free window", nil, w01, SignInNew, ""},
		{"own window again", open, w01, SignInAgain, ""},
		{"own paused window", paused, w01, SignInAgain, ""},
		{"someone else's", open, w02, 0, "queue.window_taken"},
		{"manager cannot take it either", open, mgr, 0, "queue.window_taken"},
	}
	for _, c := range signIn {
		got, err := DecideSignIn(c.cur, c.who, "3")
		if got != c.want || key(err) != c.err {
			t.Errorf("sign in, %s: %v, %v", c.name, got, err)
		}
	}

	setState := []struct {
		name string
		cur  *WindowSession
		who  Staffer
		err  string
	}{
		{"own", open, w01, ""},
		{"manager", open, mgr, ""},
		{"other member", open, w02, "queue.not_signed_in"},
		{"nobody signed in", nil, w01, "queue.not_signed_in"},
		{"nobody, manager", nil, mgr, "queue.not_signed_in"},
	}
	for _, c := range setState {
		if err := CheckSetState(c.cur, c.who, "3"); key(err) != c.err {
			t.Errorf("set state, %s: %v", c.name, err)
		}
	}

	call := []struct {
		name string
		cur  *WindowSession
		who  Staffer
		busy string
		err  string
	}{
		{"open and idle", open, w01, "", ""},
		{"paused", paused, w01, "", "queue.window_paused"},
		{"busy", open, w01, "A007", "queue.window_busy"},
		{"not signed in", nil, w01, "", "queue.not_signed_in"},
		{"someone else's window", open, w02, "", "queue.not_signed_in"},
		{"manager must sign in to call", open, mgr, "", "queue.not_signed_in"},
	}
	for _, c := range call {
		if err := CheckCall(c.cur, c.who, "3", c.busy); key(err) != c.err {
			t.Errorf("call, %s: %v", c.name, err)
		}
	}

	actor := []struct {
		name     string
		atWindow bool
		cur      *WindowSession
		who      Staffer
		err      string
	}{
		{"own window", true, open, w01, ""},
		{"other window", true, open, w02, "queue.not_your_ticket"},
		{"nobody at the window", true, nil, w01, "queue.not_your_ticket"},
		{"manager anywhere", true, open, mgr, ""},
		{"held ticket, any member", false, nil, w02, ""},
	}
	for _, c := range actor {
		err := CheckActor(c.atWindow, c.cur, c.who, "A001")
		if key(err) != c.err || err != nil && !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("act, %s: %v", c.name, err)
		}
	}
}
