package complaints

import (
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/workday"
)

func TestDeadlinesAcrossNationalDay2026(t *testing.T) {
	cal := workday.Official()
	d := workday.MustParse
	tests := []struct {
		received string
		typ      Type
		due      string
		accept   string
	}{
		// 15 working days from Wed 23 Sep: Mid-Autumn (25–27 Sep) and
		// National Day (1–7 Oct) are off, Sat 10 Oct is a make-up day.
		{"2026-09-23", TypeComplaint, "2026-10-21", ""},
		{"2026-09-23", TypeReport, "2026-10-21", ""},
		// 10 working days: 24, 28, 29, 30 Sep, 8, 9, 10, 12, 13, 14 Oct.
		{"2026-09-23", TypeSuggestion, "2026-10-14", ""},
		{"2026-09-23", TypeHelp, "2026-10-14", ""},
		// 2 working days from 30 Sep: 8 and 9 Oct.
		{"2026-09-30", TypeConsultation, "2026-10-09", ""},
		// A petition: acceptance within 15 calendar days; 2 Oct is a
		// holiday, so the decision is due on the next working day.
		{"2026-09-17", TypePetition, "", "2026-10-08"},
		{"2026-09-23", TypePetition, "", "2026-10-08"},
	}
	for _, tt := range tests {
		got, err := Deadlines(cal, d(tt.received), tt.typ, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.due != "" && got.Due.String() != tt.due {
			t.Errorf("%s %s: due %s, want %s", tt.received, tt.typ, got.Due, tt.due)
		}
		if tt.accept != "" && got.AcceptDue.String() != tt.accept {
			t.Errorf("%s %s: accept due %s, want %s", tt.received, tt.typ, got.AcceptDue, tt.accept)
		}
	}
	// A hall's own table wins over the defaults.
	got, err := Deadlines(cal, d("2026-09-23"), TypeComplaint, map[Type]Limit{TypeComplaint: {5, workday.WorkingDays}})
	if err != nil || got.Due.String() != "2026-10-08" {
		t.Errorf("own limit: %v %v, want 2026-10-08", got.Due, err)
	}
	// Accepted petition: 60 calendar days, moved off a day off.
	acc, err := AcceptedDue(cal, d("2026-08-01"), nil)
	if err != nil || acc.String() != "2026-09-30" {
		t.Errorf("accepted due %v %v, want 2026-09-30", acc, err)
	}
}

func TestDueStatus(t *testing.T) {
	cal := workday.Official()
	d := workday.MustParse
	due := d("2026-10-21")
	for _, tt := range []struct {
		today         string
		overdue, near bool
	}{
		{"2026-10-14", false, false},
		{"2026-10-19", false, true}, // two working days left
		{"2026-10-21", false, true}, // the last day
		{"2026-10-22", true, false},
	} {
		st, err := DueStatus(cal, d(tt.today), due, 2)
		if err != nil {
			t.Fatal(err)
		}
		if st.Overdue != tt.overdue || st.Near != tt.near {
			t.Errorf("%s: overdue %v near %v, want %v %v", tt.today, st.Overdue, st.Near, tt.overdue, tt.near)
		}
	}
}

func TestCheckIntake(t *testing.T) {
	ok := Intake{Channel: ChannelDuty, Type: TypeComplaint, Summary: "窗口态度差"}
	if err := CheckIntake(ok); err != nil {
		t.Fatal(err)
	}
	for name, tt := range map[string]struct {
		in  Intake
		key string
	}{
		"no channel":            {Intake{Type: TypeComplaint, Summary: "x"}, "complaints.err.no_channel"},
		"bad channel":           {Intake{Channel: "fax", Type: TypeComplaint, Summary: "x"}, "complaints.err.channel"},
		"no type":               {Intake{Channel: ChannelWeb, Summary: "x"}, "complaints.err.no_type"},
		"bad type":              {Intake{Channel: ChannelWeb, Type: "praise", Summary: "x"}, "complaints.err.type"},
		"no summary":            {Intake{Channel: ChannelWeb, Type: TypeHelp}, "err.required"},
		"hotline without order": {Intake{Channel: ChannelHotline, Type: TypeHelp, Summary: "x"}, "complaints.err.hotline_order"},
		"spot without how":      {Intake{Channel: ChannelDuty, Type: TypeHelp, Summary: "x", OnTheSpot: true}, "err.required"},
		"petition on the spot":  {Intake{Channel: ChannelDuty, Type: TypePetition, Summary: "x", OnTheSpot: true, Resolution: "y"}, "complaints.err.petition_spot"},
	} {
		e := apperr.As(CheckIntake(tt.in))
		if e == nil || e.Key != tt.key {
			t.Errorf("%s: %v, want %s", name, e, tt.key)
		}
	}
}

func TestVisibility(t *testing.T) {
	f := Facts{Type: TypeComplaint, State: StateOpen, Owner: "leader", Receiver: "leader", SubjectStaffID: 7}
	for _, tt := range []struct {
		name string
		v    Viewer
		want bool
	}{
		{"the subject, even as a manager", Viewer{Username: "boss", StaffID: 7, Oversees: true, Acts: true}, false},
		{"the subject as a clerk", Viewer{Username: "w07", StaffID: 7}, false},
		{"a duty leader", Viewer{Username: "leader2", Oversees: true, Acts: true}, true},
		{"another clerk", Viewer{Username: "w01", StaffID: 1}, false},
		{"the owner", Viewer{Username: "leader", StaffID: 3}, true},
	} {
		if got := MayView(tt.v, f); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	if err := CheckReceiver(7, 7); err == nil {
		t.Error("the subject received a complaint about themselves")
	}
}

func TestSteps(t *testing.T) {
	owner := Viewer{Username: "w01", StaffID: 1}
	leader := Viewer{Username: "leader", Oversees: true, Acts: true}
	auditor := Viewer{Username: "auditor", Oversees: true}
	open := Facts{Type: TypeComplaint, State: StateOpen, Owner: "w01", SubjectStaffID: 7}
	type want struct {
		state State
		key   string
	}
	for name, tt := range map[string]struct {
		v    Viewer
		f    Facts
		s    Step
		want want
	}{
		"owner hands over":         {owner, open, Step{Action: ActHandover, To: "leader"}, want{StateOpen, ""}},
		"hand over to the subject": {owner, open, Step{Action: ActHandover, To: "w07", ToStaffID: 7}, want{"", "complaints.err.to_subject"}},
		"hand over to oneself":     {owner, open, Step{Action: ActHandover, To: "w01"}, want{"", "complaints.err.same_owner"}},
		"auditor may not act":      {auditor, open, Step{Action: ActResolve, Note: "x"}, want{"", "complaints.err.not_owner"}},
		"leader resolves":          {leader, open, Step{Action: ActResolve, Note: "道歉并整改"}, want{StateResolved, ""}},
		"resolve without a note":   {owner, open, Step{Action: ActResolve}, want{"", "err.required"}},
		"reply before resolving":   {owner, open, Step{Action: ActReply, Note: "x"}, want{"", "complaints.err.step"}},
		"extend a complaint":       {owner, open, Step{Action: ActExtend, Days: 10, Note: "x"}, want{"", "complaints.err.step"}},
		"reply":                    {owner, Facts{Type: TypeComplaint, State: StateResolved, Owner: "w01"}, Step{Action: ActReply, Note: "已处理"}, want{StateReplied, ""}},
		"callback":                 {owner, Facts{State: StateReplied, Owner: "w01"}, Step{Action: ActCallback, Outcome: OutcomeSatisfied}, want{StateClosed, ""}},
		"callback without outcome": {owner, Facts{State: StateReplied, Owner: "w01"}, Step{Action: ActCallback}, want{"", "complaints.err.outcome"}},
		"accept a petition":        {leader, Facts{Type: TypePetition, State: StatePending, Owner: "leader"}, Step{Action: ActAccept}, want{StateOpen, ""}},
		"decline without reason":   {leader, Facts{Type: TypePetition, State: StatePending, Owner: "leader"}, Step{Action: ActDecline}, want{"", "err.required"}},
		"extend a petition":        {leader, Facts{Type: TypePetition, State: StateOpen, Owner: "leader"}, Step{Action: ActExtend, Days: 30, Note: "情况复杂"}, want{StateOpen, ""}},
		"extend beyond 30":         {leader, Facts{Type: TypePetition, State: StateOpen, Owner: "leader"}, Step{Action: ActExtend, Days: 31, Note: "x"}, want{"", "complaints.err.extend_days"}},
		"extend twice":             {leader, Facts{Type: TypePetition, State: StateOpen, Owner: "leader", ExtendedDays: 10}, Step{Action: ActExtend, Days: 5, Note: "x"}, want{"", "complaints.err.extended_once"}},
		"the subject cannot act":   {Viewer{Username: "w07", StaffID: 7, Acts: true, Oversees: true}, open, Step{Action: ActResolve, Note: "x"}, want{"", "err.not_found"}},
		"unknown action":           {owner, open, Step{Action: "delete"}, want{"", "complaints.err.action"}},
	} {
		got, err := Next(tt.v, tt.f, tt.s)
		key := ""
		if e := apperr.As(err); e != nil {
			key = e.Key
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got != tt.want.state || key != tt.want.key {
			t.Errorf("%s: %q %q, want %q %q", name, got, key, tt.want.state, tt.want.key)
		}
	}
}
