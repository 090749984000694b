package duty

import (
	"regexp"

	"mingbai/internal/apperr"
)

// LogKind is a kind of entry of the duty console.
type LogKind string

// The console's entries, one per post.
const (
	// LogGuide: a visitor guided to a zone (and item).
	LogGuide LogKind = "guide"
	// LogConsult: a question answered.
	LogConsult LogKind = "consult"
	// LogCheck: a window spot check.
	LogCheck LogKind = "check"
)

// Valid reports whether k is a known kind.
func (k LogKind) Valid() bool { return k == LogGuide || k == LogConsult || k == LogCheck }

// Outcome is how a question was dealt with.
type Outcome string

// A question is answered on the spot or referred on.
const (
	OnSpot   Outcome = "on_spot"
	Referred Outcome = "referred"
)

// Outcomes lists the outcomes in display order.
var Outcomes = []Outcome{OnSpot, Referred}

// Aspect is one of the four things a spot check looks at for every window.
type Aspect string

// The aspects of a window spot check.
const (
	AtPost           Aspect = "at_post"
	BadgeUniform     Aspect = "badge_uniform"
	Attitude         Aspect = "attitude"
	Discipline       Aspect = "discipline"
	maxChecklist            = 30
	maxLogText              = 500
	maxHandover             = 2000
	maxChecklistText        = 100
)

// Aspects lists the aspects in display order.
var Aspects = []Aspect{AtPost, BadgeUniform, Attitude, Discipline}

// Handling is what the supervisor did about a finding.
type Handling string

// How a finding was handled.
const (
	HandledNone      Handling = "none"
	HandledCorrected Handling = "corrected"
	HandledReported  Handling = "reported"
	HandledRecorded  Handling = "recorded"
)

// Handlings lists the ways of handling a finding, in display order.
var Handlings = []Handling{HandledNone, HandledCorrected, HandledReported, HandledRecorded}

func (h Handling) valid() bool {
	for _, x := range Handlings {
		if x == h {
			return true
		}
	}
	return false
}

// Entry is one console entry as the leader sends it.
type Entry struct {
	Kind     LogKind
	Zone     string
	Item     string
	Topic    string
	Outcome  Outcome
	WindowID int64
	// Aspects and Items hold the results of a spot check: true = fine.
	// Every aspect must be given; Items by checklist code.
	Aspects  map[Aspect]bool
	Items    map[string]bool
	Finding  string
	Handling Handling
}

// EntryFacts are what the store found about an entry's references.
type EntryFacts struct {
	// ZoneOK: the zone exists in the hall; ItemOK: the item exists (or
	// none was given); WindowOK: the window is the hall's.
	ZoneOK, ItemOK, WindowOK bool
	// Checklist is the hall's checklist (codes a check may name).
	Checklist []ChecklistItem
}

// Failed reports whether a spot check found anything wrong.
func (e Entry) Failed() bool {
	for _, ok := range e.Aspects {
		if !ok {
			return true
		}
	}
	for _, ok := range e.Items {
		if !ok {
			return true
		}
	}
	return false
}

// CheckEntry validates a console entry and returns it with its text
// trimmed.
func CheckEntry(e Entry, f EntryFacts) (Entry, error) {
	var err error
	if e.Item != "" && !f.ItemOK {
		return e, apperr.InvalidField("item", "duty.err.item", e.Item)
	}
	switch e.Kind {
	case LogGuide:
		if e.Zone == "" || !f.ZoneOK {
			return e, apperr.InvalidField("zone", "duty.err.zone", e.Zone)
		}
	case LogConsult:
		if e.Topic, err = Text("topic", e.Topic, 200, "duty.err.topic"); err != nil {
			return e, err
		}
		if e.Outcome != OnSpot && e.Outcome != Referred {
			return e, apperr.InvalidField("outcome", "duty.err.outcome", e.Outcome)
		}
	case LogCheck:
		if e.WindowID <= 0 || !f.WindowOK {
			return e, apperr.InvalidField("window_id", "duty.err.window")
		}
		for _, a := range Aspects {
			if _, ok := e.Aspects[a]; !ok {
				return e, apperr.InvalidField("aspects", "duty.err.aspect_missing")
			}
		}
		if len(e.Aspects) != len(Aspects) {
			return e, apperr.InvalidField("aspects", "duty.err.aspect_unknown")
		}
		known := map[string]bool{}
		for _, c := range f.Checklist {
			known[c.Code] = true
		}
		for code := range e.Items {
			if !known[code] {
				return e, apperr.InvalidField("items", "duty.err.checklist_code", code)
			}
		}
		if e.Finding, err = Text("finding", e.Finding, maxLogText, ""); err != nil {
			return e, err
		}
		if e.Handling == "" {
			e.Handling = HandledNone
		}
		if !e.Handling.valid() {
			return e, apperr.InvalidField("handling", "duty.err.handling", e.Handling)
		}
		if e.Failed() && (e.Finding == "" || e.Handling == HandledNone) {
			return e, apperr.InvalidField("finding", "duty.err.finding_needed")
		}
	default:
		return e, apperr.InvalidField("kind", "duty.err.kind", e.Kind)
	}
	return e, nil
}

// ChecklistItem is one line of a hall's spot-check checklist.
type ChecklistItem struct {
	Code string `json:"code"`
	// Group is "should" (应该) or "must_not" (不准).
	Group string `json:"group"`
	Text  string `json:"text"`
}

// DefaultChecklist is the "六个应该、三个不准" checklist a hall starts
// with. The wording differs from city to city; a manager adapts it.
var DefaultChecklist = []ChecklistItem{
	{"s1", "should", "应该按时到岗、坚守岗位"},
	{"s2", "should", "应该着装整洁、佩戴工作牌"},
	{"s3", "should", "应该文明礼貌、热情服务"},
	{"s4", "should", "应该一次性告知、耐心解答"},
	{"s5", "should", "应该依规办理、高效快捷"},
	{"s6", "should", "应该首问负责、主动引导"},
	{"n1", "must_not", "不准脱岗串岗、玩手机"},
	{"n2", "must_not", "不准推诿扯皮、刁难群众"},
	{"n3", "must_not", "不准吃拿卡要、收受礼品"},
}

var codeRE = regexp.MustCompile(`^[a-z0-9_]{1,16}$`)

// CheckChecklist validates a checklist a manager saves and returns it with
// trimmed text.
func CheckChecklist(items []ChecklistItem) ([]ChecklistItem, error) {
	if len(items) == 0 {
		return nil, apperr.InvalidField("items", "duty.err.checklist_empty")
	}
	if len(items) > maxChecklist {
		return nil, apperr.InvalidField("items", "err.too_long", "items", maxChecklist)
	}
	seen := map[string]bool{}
	out := make([]ChecklistItem, 0, len(items))
	for _, it := range items {
		if !codeRE.MatchString(it.Code) || seen[it.Code] {
			return nil, apperr.InvalidField("code", "duty.err.checklist_code", it.Code)
		}
		seen[it.Code] = true
		if it.Group != "should" && it.Group != "must_not" {
			return nil, apperr.InvalidField("group", "duty.err.checklist_group", it.Group)
		}
		var err error
		if it.Text, err = Text("text", it.Text, maxChecklistText, "duty.err.checklist_text"); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// CheckIn decides whether a leader may check in to a shift: it must be
// published, be today, name them as leader or deputy, and not be checked
// in already.
func CheckIn(published, today, theirs bool, checkedIn int64) error {
	switch {
	case !theirs:
		return apperr.New(apperr.Forbidden, "duty.err.not_your_shift")
	case !published:
		return apperr.New(apperr.Conflict, "duty.err.not_published")
	case !today:
		return apperr.New(apperr.Conflict, "duty.err.not_today")
	case checkedIn != 0:
		return apperr.New(apperr.Conflict, "duty.err.checked_in")
	}
	return nil
}

// CheckOut decides whether a shift may close: it must be checked in and
// not out, and a handover note is required. It returns the trimmed note.
func CheckOut(theirs bool, checkedIn, checkedOut int64, note string) (string, error) {
	switch {
	case !theirs:
		return "", apperr.New(apperr.Forbidden, "duty.err.not_your_shift")
	case checkedIn == 0:
		return "", apperr.New(apperr.Conflict, "duty.err.not_checked_in")
	case checkedOut != 0:
		return "", apperr.New(apperr.Conflict, "duty.err.checked_out")
	}
	return Text("handover", note, maxHandover, "duty.err.handover_needed")
}

// OnShift reports whether a shift is the one a leader works now: checked
// in and not out.
func OnShift(checkedIn, checkedOut int64) bool { return checkedIn != 0 && checkedOut == 0 }
