package cases

import (
	"errors"
	"slices"
	"testing"

	"mingbai/internal/workday"
)

// allReceived marks every guide material received.
func allReceived(t *testing.T) []Material {
	return withStatuses(t, mustChecklist(t), map[string]MaterialStatus{
		"居民身份证": Received, "解除劳动合同证明": Received, "银行卡": Received, "一寸照片": Received,
	})
}

// newCase returns a pledged case (5 working days, statutory 15) accepted
// on 2026-02-12 with the given materials.
func newCase(materials []Material) Case {
	return Case{
		Number:     "RSJ01-20260212-00001",
		ItemCode:   "RS-B-012",
		State:      Accepted,
		AcceptedOn: d("2026-02-12"),
		Pledged:    wd(5),
		Statutory:  wd(15),
		Materials:  materials,
	}
}

func TestApply(t *testing.T) {
	received := allReceived(t)
	deferred := withStatuses(t, mustChecklist(t), map[string]MaterialStatus{
		"居民身份证": Received, "解除劳动合同证明": Received, "银行卡": Deferred, "一寸照片": Received,
	})
	missing := withStatuses(t, received, map[string]MaterialStatus{"解除劳动合同证明": Missing})

	instant := newCase(received)
	instant.Pledged = wd(0)

	inReview := newCase(received)
	inReview.State = InReview

	inCorrection := newCase(missing)
	inCorrection.State = Correction
	inCorrection.Corrections = []CorrectionPeriod{period("2026-02-13", "")}

	tests := []struct {
		name   string
		c      Case
		change Change
		err    error
		blocks []string // for ErrMaterialsIncomplete
		check  func(t *testing.T, got Case)
	}{
		{
			name: "review with everything received", c: newCase(received),
			change: Change{To: InReview, On: d("2026-02-13")},
		},
		{
			name: "review with a deferred material", c: newCase(deferred),
			change: Change{To: InReview, On: d("2026-02-13")},
		},
		{
			name: "review with a required material missing", c: newCase(missing),
			change: Change{To: InReview, On: d("2026-02-13")},
			err:    ErrMaterialsIncomplete, blocks: []string{"解除劳动合同证明"},
		},
		{
			name: "on-the-spot completion at the window", c: instant,
			change: Change{To: Completed, On: d("2026-02-12")},
			check: func(t *testing.T, got Case) {
				if got.ClosedOn != d("2026-02-12") {
					t.Errorf("ClosedOn = %s", got.ClosedOn)
				}
			},
		},
		{
			name: "pledged item cannot complete at acceptance", c: newCase(received),
			change: Change{To: Completed, On: d("2026-02-12")},
			err:    ErrTransition,
		},
		{
			name: "completion from review", c: inReview,
			change: Change{To: Completed, On: d("2026-02-24")},
			check: func(t *testing.T, got Case) {
				if got.State != Completed || got.ClosedOn != d("2026-02-24") {
					t.Errorf("State, ClosedOn = %s, %s", got.State, got.ClosedOn)
				}
			},
		},
		{
			name: "completion blocked by a deferred material", c: func() Case { c := newCase(deferred); c.State = InReview; return c }(),
			change: Change{To: Completed, On: d("2026-02-24")},
			err:    ErrMaterialsIncomplete, blocks: []string{"银行卡"},
		},
		{
			name: "on-the-spot completion blocked by a deferred material", c: func() Case { c := instant; c.Materials = deferred; return c }(),
			change: Change{To: Completed, On: d("2026-02-12")},
			err:    ErrMaterialsIncomplete, blocks: []string{"银行卡"},
		},
		{
			name: "rejection with reason and legal basis", c: inReview,
			change: Change{To: Rejected, On: d("2026-02-13"), Reason: " 不符合领取条件 ", LegalBasis: "《失业保险条例》第十四条"},
			check: func(t *testing.T, got Case) {
				if got.Reason != "不符合领取条件" || got.LegalBasis != "《失业保险条例》第十四条" || got.ClosedOn != d("2026-02-13") {
					t.Errorf("got %+v", got)
				}
			},
		},
		{
			name: "rejection without legal basis", c: inReview,
			change: Change{To: Rejected, On: d("2026-02-13"), Reason: "不符合领取条件"},
			err:    ErrRejection,
		},
		{
			name: "rejection without reason", c: inReview,
			change: Change{To: Rejected, On: d("2026-02-13"), LegalBasis: "《失业保险条例》第十四条"},
			err:    ErrRejection,
		},
		{
			name: "withdrawal needs no reason", c: newCase(missing),
			change: Change{To: Withdrawn, On: d("2026-02-13")},
		},
		{
			name: "correction opens a period", c: newCase(missing),
			change: Change{To: Correction, On: d("2026-02-13")},
			check: func(t *testing.T, got Case) {
				if got, want := got.Corrections, []CorrectionPeriod{period("2026-02-13", "")}; !slices.Equal(got, want) {
					t.Errorf("Corrections = %v, want %v", got, want)
				}
			},
		},
		{
			name: "correction for a deferred material", c: func() Case { c := newCase(deferred); c.State = InReview; return c }(),
			change: Change{To: Correction, On: d("2026-02-24")},
		},
		{
			name: "correction with nothing missing", c: inReview,
			change: Change{To: Correction, On: d("2026-02-13")},
			err:    ErrNothingToCorrect,
		},
		{
			name: "back to review before the materials arrive", c: inCorrection,
			change: Change{To: InReview, On: d("2026-02-24")},
			err:    ErrMaterialsIncomplete, blocks: []string{"解除劳动合同证明"},
		},
		{
			name: "back to review when the materials arrive",
			c: func() Case {
				c := inCorrection
				c.Materials = received
				return c
			}(),
			change: Change{To: InReview, On: d("2026-02-18")},
			check: func(t *testing.T, got Case) {
				if got, want := got.Corrections, []CorrectionPeriod{period("2026-02-13", "2026-02-18")}; !slices.Equal(got, want) {
					t.Errorf("Corrections = %v, want %v", got, want)
				}
			},
		},
		{
			name: "no completion straight from correction", c: func() Case { c := inCorrection; c.Materials = received; return c }(),
			change: Change{To: Completed, On: d("2026-02-24")},
			err:    ErrTransition,
		},
		{
			name: "rejection from correction keeps the period open", c: inCorrection,
			change: Change{To: Rejected, On: d("2026-03-20"), Reason: "逾期未补正", LegalBasis: "《行政许可法》第三十二条"},
			check: func(t *testing.T, got Case) {
				if err := got.Validate(); err != nil {
					t.Errorf("Validate: %v", err)
				}
			},
		},
		{
			name: "closed case stays closed", c: func() Case { c := inReview; c.State = Completed; c.ClosedOn = d("2026-02-24"); return c }(),
			change: Change{To: InReview, On: d("2026-02-25")},
			err:    ErrTransition,
		},
		{
			name: "date before acceptance", c: newCase(received),
			change: Change{To: InReview, On: d("2026-02-11")},
			err:    ErrChangeDate,
		},
		{
			name: "date before the correction started", c: func() Case { c := inCorrection; c.Materials = received; return c }(),
			change: Change{To: InReview, On: d("2026-02-12")},
			err:    ErrChangeDate,
		},
		{
			name: "no date", c: newCase(received),
			change: Change{To: InReview},
			err:    ErrChangeDate,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := tt.c
			beforeMaterials := cloneMaterials(tt.c.Materials)
			beforeCorrections := slices.Clone(tt.c.Corrections)
			got, err := tt.c.Apply(tt.change)
			if !slices.Equal(tt.c.Materials, beforeMaterials) || !slices.Equal(tt.c.Corrections, beforeCorrections) || tt.c.State != before.State {
				t.Error("Apply modified its case")
			}
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Apply error = %v, want %v", err, tt.err)
				}
				if tt.blocks != nil {
					var me *MaterialsError
					if !errors.As(err, &me) {
						t.Fatalf("error %v is not a *MaterialsError", err)
					}
					if !slices.Equal(me.Names, tt.blocks) {
						t.Errorf("blocking materials = %v, want %v", me.Names, tt.blocks)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if got.State != tt.change.To {
				t.Errorf("State = %s, want %s", got.State, tt.change.To)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate after Apply: %v", err)
			}
			if tt.check != nil {
				tt.check(t, got)
			}
		})
	}
}

func TestCaseLifecycle(t *testing.T) {
	// Accepted 2026-02-12 with the bank card deferred (容缺) and the
	// contract certificate missing; a correction over the Spring Festival;
	// completed when everything is in.
	cal := workday.Official()
	c := newCase(withStatuses(t, mustChecklist(t), map[string]MaterialStatus{
		"居民身份证": Received, "银行卡": Deferred, "一寸照片": Received,
	}))

	step := func(ch Change) {
		t.Helper()
		var err error
		if c, err = c.Apply(ch); err != nil {
			t.Fatalf("Apply(%s on %s): %v", ch.To, ch.On, err)
		}
	}
	due := func(today string) (Warning, Warning) {
		t.Helper()
		p, s, err := c.Warnings(cal, d(today), DefaultYellowDays)
		if err != nil {
			t.Fatal(err)
		}
		return p, s
	}

	p, s := due("2026-02-12")
	if p.Due.Date != d("2026-02-26") || s.Due.Date != d("2026-03-11") {
		t.Fatalf("due dates at acceptance = %s, %s", p.Due.Date, s.Due.Date)
	}

	// The review cannot start: a required material is missing.
	if _, err := c.Apply(Change{To: InReview, On: d("2026-02-13")}); !errors.Is(err, ErrMaterialsIncomplete) {
		t.Fatalf("review with a missing material: %v", err)
	}
	step(Change{To: Correction, On: d("2026-02-13")})
	p, s = due("2026-03-20")
	if !p.Due.Stopped || p.Level != LevelNone || p.Due.Remaining != 4 || s.Due.Remaining != 14 {
		t.Fatalf("in correction: pledged %+v, statutory %+v", p, s)
	}

	// The certificate arrives during the holiday, on 2026-02-18.
	var err error
	if c.Materials, err = SetStatus(c.Materials, "解除劳动合同证明", Received); err != nil {
		t.Fatal(err)
	}
	step(Change{To: InReview, On: d("2026-02-18")})
	p, s = due("2026-02-26")
	if got, want := p.Due.Date, d("2026-02-27"); got != want {
		t.Errorf("pledged due after correction = %s, want %s", got, want)
	}
	// Statutory: 14 left after 2/18: 2/24-2/27, 2/28 (make-up), 3/2-3/6,
	// 3/9-3/12.
	if got, want := s.Due.Date, d("2026-03-12"); got != want {
		t.Errorf("statutory due after correction = %s, want %s", got, want)
	}
	if p.Level != LevelYellow || s.Level != LevelNone {
		t.Errorf("levels on 2/26 = %s, %s; want yellow, none", p.Level, s.Level)
	}
	p, s = due("2026-03-02")
	if p.Level != LevelRed || s.Level != LevelNone {
		t.Errorf("levels on 3/2 = %s, %s; want red, none", p.Level, s.Level)
	}

	// The bank card is still deferred: no completion yet.
	if _, err := c.Apply(Change{To: Completed, On: d("2026-03-02")}); !errors.Is(err, ErrMaterialsIncomplete) {
		t.Fatalf("completion with a deferred material: %v", err)
	}
	if c.Materials, err = SetStatus(c.Materials, "银行卡", Received); err != nil {
		t.Fatal(err)
	}
	step(Change{To: Completed, On: d("2026-03-02")})
	p, s = due("2026-03-02")
	if p.Level != LevelNone || s.Level != LevelNone {
		t.Errorf("closed case has warnings %s, %s", p.Level, s.Level)
	}
	if !p.Due.Missed(c.ClosedOn) {
		t.Error("completion on 3/2 did not miss the pledged due date 2/27")
	}
	if s.Due.Missed(c.ClosedOn) {
		t.Error("completion on 3/2 missed the statutory due date 3/12")
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestCaseWarningsErrors(t *testing.T) {
	cal := workday.Official()
	c := newCase(allReceived(t))
	c.AcceptedOn = d("2027-12-20")
	c.Number = ""
	if _, _, err := c.Warnings(cal, d("2027-12-21"), 1); !errors.Is(err, workday.ErrUnknownYear) {
		t.Errorf("Warnings error = %v, want ErrUnknownYear", err)
	}
	c = newCase(allReceived(t))
	if _, _, err := c.Warnings(cal, d("2028-01-03"), 1); !errors.Is(err, workday.ErrUnknownYear) {
		t.Errorf("Warnings on a day of 2028 error = %v, want ErrUnknownYear", err)
	}
}

func TestInstant(t *testing.T) {
	tests := []struct {
		pledged Limit
		want    bool
	}{
		{wd(0), true},
		{cd(0), true},
		{wd(1), false},
		{Limit{}, false},
	}
	for _, tt := range tests {
		if got := (Case{Pledged: tt.pledged}).Instant(); got != tt.want {
			t.Errorf("Instant() with pledged %s = %v, want %v", tt.pledged, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	valid := newCase(allReceived(t))
	tests := []struct {
		name   string
		modify func(c *Case)
		ok     bool
	}{
		{"valid", func(c *Case) {}, true},
		{"no number yet", func(c *Case) { c.Number = "" }, true},
		{"unknown state", func(c *Case) { c.State = "lost" }, false},
		{"no acceptance date", func(c *Case) { c.AcceptedOn = workday.Date{} }, false},
		{"bad number", func(c *Case) { c.Number = "RSJ01-2026-1" }, false},
		{"pledged above statutory", func(c *Case) { c.Pledged = wd(20) }, false},
		{"bad material", func(c *Case) { c.Materials[0].Status = "lost" }, false},
		{"bad corrections", func(c *Case) { c.Corrections = []CorrectionPeriod{period("2026-02-10", "2026-02-13")} }, false},
		{"in correction without open period", func(c *Case) { c.State = Correction }, false},
		{"in correction with open period", func(c *Case) { c.State = Correction; c.Corrections = []CorrectionPeriod{period("2026-02-13", "")} }, true},
		{"open period while in review", func(c *Case) { c.State = InReview; c.Corrections = []CorrectionPeriod{period("2026-02-13", "")} }, false},
		{"closed without date", func(c *Case) { c.State = Completed }, false},
		{"closed before acceptance", func(c *Case) { c.State = Completed; c.ClosedOn = d("2026-02-11") }, false},
		{"closed before the last resume", func(c *Case) {
			c.State = Completed
			c.Corrections = []CorrectionPeriod{period("2026-02-13", "2026-02-24")}
			c.ClosedOn = d("2026-02-20")
		}, false},
		{"open with closing date", func(c *Case) { c.ClosedOn = d("2026-02-24") }, false},
		{"rejected without legal basis", func(c *Case) {
			c.State = Rejected
			c.ClosedOn = d("2026-02-13")
			c.Reason = "不符合条件"
		}, false},
		{"rejected with reason and basis", func(c *Case) {
			c.State = Rejected
			c.ClosedOn = d("2026-02-13")
			c.Reason = "不符合条件"
			c.LegalBasis = "《社会保险法》第十六条"
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid
			c.Materials = cloneMaterials(valid.Materials)
			tt.modify(&c)
			err := c.Validate()
			if tt.ok && err != nil {
				t.Errorf("Validate: %v", err)
			}
			if !tt.ok && !errors.Is(err, ErrCase) {
				t.Errorf("Validate error = %v, want ErrCase", err)
			}
		})
	}
}
