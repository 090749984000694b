package consult

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"mingbai/internal/apperr"
	"mingbai/internal/i18n"
	"mingbai/internal/workday"
)

// Keyword triggers an FAQ answer: Exact when the whole message must be the
// keyword, else the message need only contain it.
type Keyword struct {
	Text  string `json:"text"`
	Exact bool   `json:"exact"`
}

// Entry is one answer of the FAQ knowledge base. Every answer names the
// document it rests on and the date that document took effect, and has a
// date by which an editor must check it again.
type Entry struct {
	ID        int64        `json:"id"`
	Code      string       `json:"code"`
	Question  string       `json:"question"`
	Answer    string       `json:"answer"`
	Source    string       `json:"source"`
	Effective workday.Date `json:"effective"`
	Review    workday.Date `json:"review"`
	Keywords  []Keyword    `json:"keywords"`
	// Retired answers stay for the record (what graduates were told) but
	// are never given again.
	Retired bool `json:"retired"`
}

// ParseKeywords reads the editor's keyword list: one per line, a leading
// "=" for an exact match.
func ParseKeywords(s string) []Keyword {
	var out []Keyword
	for _, line := range strings.Split(s, "\n") {
		// Normalise first: a clerk typing with a Chinese input method
		// marks an exact keyword with the full-width "＝", which folds
		// to "=" and must mean the same.
		line = Normalize(line)
		exact := strings.HasPrefix(line, "=")
		line = Normalize(strings.TrimPrefix(line, "="))
		if line != "" {
			out = append(out, Keyword{Text: line, Exact: exact})
		}
	}
	return out
}

// FormatKeywords writes keywords back in the editor's format.
func FormatKeywords(ks []Keyword) string {
	var b strings.Builder
	for i, k := range ks {
		if i > 0 {
			b.WriteByte('\n')
		}
		if k.Exact {
			b.WriteByte('=')
		}
		b.WriteString(k.Text)
	}
	return b.String()
}

// Normalize folds what graduates type into one form for matching:
// full-width letters and digits to half-width, lower case, no spaces or
// trailing punctuation.
func Normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		}
		return unicode.ToLower(r)
	}, s)
	return strings.TrimRightFunc(s, func(r rune) bool { return unicode.IsPunct(r) })
}

// Validate checks an entry before it is saved.
func (e Entry) Validate() error {
	for field, v := range map[string]string{"code": e.Code, "question": e.Question, "answer": e.Answer, "source": e.Source} {
		if strings.TrimSpace(v) == "" {
			return apperr.InvalidField(field, "err.required", "faq_"+field)
		}
	}
	switch {
	case e.Effective.IsZero():
		return apperr.InvalidField("effective", "err.required", "faq_effective")
	case e.Review.IsZero():
		return apperr.InvalidField("review", "err.required", "faq_review")
	case !e.Review.After(e.Effective):
		return apperr.InvalidField("review", "consult.review_after_effective")
	case utf8.RuneCountInString(e.Answer) > 600:
		// A WeChat text message holds 2,048 bytes; 600 characters of
		// Chinese stay below it with the source line.
		return apperr.InvalidField("answer", "err.too_long", "faq_answer", 600)
	case len(e.Keywords) == 0:
		return apperr.InvalidField("keywords", "err.required", "faq_keywords")
	}
	for _, k := range e.Keywords {
		if utf8.RuneCountInString(k.Text) > 40 {
			return apperr.InvalidField("keywords", "err.too_long", "faq_keywords", 40)
		}
	}
	return nil
}

// ReviewDue reports whether the entry is past its review date.
func (e Entry) ReviewDue(today workday.Date) bool { return !e.Retired && !today.Before(e.Review) }

// Match finds the answer for a message: among the keywords of the entries
// in force, the longest that matches (an exact keyword only when the whole
// message is it); on equal length an exact match wins, then the lower id.
func Match(text string, entries []Entry) (Entry, Keyword, bool) {
	msg := Normalize(text)
	var best Entry
	var bestK Keyword
	found := false
	if msg == "" {
		return best, bestK, false
	}
	for _, e := range entries {
		if e.Retired {
			continue
		}
		for _, k := range e.Keywords {
			if k.Text == "" || (k.Exact && msg != k.Text) || (!k.Exact && !strings.Contains(msg, k.Text)) {
				continue
			}
			n, bn := utf8.RuneCountInString(k.Text), utf8.RuneCountInString(bestK.Text)
			if !found || n > bn || (n == bn && k.Exact && !bestK.Exact) || (n == bn && k.Exact == bestK.Exact && e.ID < best.ID) {
				best, bestK, found = e, k, true
			}
		}
	}
	return best, bestK, found
}

// WantsPerson reports whether the graduate asks for a person: the word
// 人工 ("a human") anywhere, as graduates type it to every service.
func WantsPerson(text string) bool {
	n := Normalize(text)
	return strings.Contains(n, "人工") || n == "human" || n == "agent"
}

// Decision is what the automatic side does with a graduate's message.
type Decision struct {
	// Kind is "faq" (answered from the knowledge base), "person" (asked
	// for a person), "queued" (needs a person; first message of a round)
	// or "" (no automatic reply: a person is already on it).
	Kind  string
	Entry Entry
	// Staffed says whether a person is on duty now; Next is when one will
	// be when not.
	Staffed bool
	Next    time.Time
}

// Decide chooses the automatic reply. withPerson says the thread already
// waits for or is handled by a person: the FAQ no longer answers then, so
// that the graduate does not get a machine answer in the middle of a
// conversation with a person.
func Decide(text string, entries []Entry, withPerson, staffed bool, next time.Time) Decision {
	d := Decision{Staffed: staffed, Next: next}
	switch {
	case WantsPerson(text):
		d.Kind = "person"
	case withPerson:
		if !staffed {
			d.Kind = "queued"
		}
	default:
		if e, _, ok := Match(text, entries); ok {
			d.Kind, d.Entry = "faq", e
		} else {
			d.Kind = "queued"
		}
	}
	return d
}

// ReplyText is the automatic reply of a decision in the graduate's
// language ("" for none); times are in loc.
func ReplyText(l i18n.Lang, d Decision, loc *time.Location) string {
	when := ""
	if !d.Next.IsZero() {
		when = d.Next.In(loc).Format("2006-01-02 15:04")
	}
	switch d.Kind {
	case "faq":
		return i18n.T(l, "consult.auto_faq", d.Entry.Answer, d.Entry.Source, d.Entry.Effective.String())
	case "person":
		if d.Staffed {
			return i18n.T(l, "consult.auto_person")
		}
		return i18n.T(l, "consult.auto_person_later", when)
	case "queued":
		if d.Staffed {
			return i18n.T(l, "consult.auto_queued")
		}
		return i18n.T(l, "consult.auto_queued_later", when)
	}
	return ""
}
