// Package feedback holds the rules of the 好差评 area: five-level ratings
// and their dimensions, the sample-size calculator and allocation of
// callback draws, the verifiable draw itself, satisfaction rates with
// Wilson intervals, and the rectification (整改) of bad ratings. It does no
// I/O; the store and the web layer call it.
package feedback

import (
	"strings"

	"mingbai/internal/apperr"
)

// Level is a satisfaction level of the national scheme (国办发〔2019〕51号):
// 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意.
type Level int

// The five levels.
const (
	VeryDissatisfied Level = 1
	Dissatisfied     Level = 2
	FairlySatisfied  Level = 3
	Satisfied        Level = 4
	VerySatisfied    Level = 5
)

// Levels lists the levels from best to worst, the order a pad shows them.
var Levels = []Level{VerySatisfied, Satisfied, FairlySatisfied, Dissatisfied, VeryDissatisfied}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l >= VeryDissatisfied && l <= VerySatisfied }

// Bad reports whether l is a bad rating (不满意 or 非常不满意), which opens
// a rectification.
func (l Level) Bad() bool { return l == Dissatisfied || l == VeryDissatisfied }

// Satisfied reports whether l counts towards the satisfaction rate
// (基本满意 or better).
func (l Level) Satisfied() bool { return l >= FairlySatisfied }

// Key is the message key naming the level.
func (l Level) Key() string {
	switch l {
	case VerySatisfied:
		return "fb.level.5"
	case Satisfied:
		return "fb.level.4"
	case FairlySatisfied:
		return "fb.level.3"
	case Dissatisfied:
		return "fb.level.2"
	case VeryDissatisfied:
		return "fb.level.1"
	}
	return "fb.level.none"
}

// Dimension is what a rating judges. Overall is required; the others are
// optional (the dimensions used on site by the national scheme).
type Dimension string

// The dimensions.
const (
	Overall      Dimension = "overall"
	Efficiency   Dimension = "efficiency"
	ServiceLevel Dimension = "service_level"
	Attitude     Dimension = "attitude"
)

// Dimensions lists every dimension in display order.
var Dimensions = []Dimension{Overall, Efficiency, ServiceLevel, Attitude}

// Channel is how a rating arrived.
type Channel string

// The rating channels.
const (
	ChannelPad      Channel = "pad"
	ChannelQR       Channel = "qr"
	ChannelSMS      Channel = "sms"
	ChannelCallback Channel = "callback"
)

// Channels lists every channel.
var Channels = []Channel{ChannelPad, ChannelQR, ChannelSMS, ChannelCallback}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if k == c {
			return true
		}
	}
	return false
}

// Reasons are the short list a citizen chooses from on a bad rating; free
// text may be added to any of them.
var Reasons = []string{"slow", "attitude", "unclear", "extra_materials", "repeat_trip", "improper_demand", "other"}

// ValidReason reports whether r is on the short list.
func ValidReason(r string) bool {
	for _, k := range Reasons {
		if k == r {
			return true
		}
	}
	return false
}

// MaxText bounds a rating's free text (characters).
const MaxText = 500

// Rating is what a citizen (or a callback operator on their behalf) gives.
type Rating struct {
	Overall      Level
	Efficiency   Level // 0 when not given
	ServiceLevel Level
	Attitude     Level
	Reason       string
	Text         string
}

// Validate checks a rating: overall required, other dimensions optional but
// valid when given, a reason from the list on a bad overall rating, bounded
// text.
func (r Rating) Validate() error {
	if !r.Overall.Valid() {
		return apperr.InvalidField("overall", "fb.err.level_required")
	}
	for _, d := range []struct {
		f string
		l Level
	}{{"efficiency", r.Efficiency}, {"service_level", r.ServiceLevel}, {"attitude", r.Attitude}} {
		if d.l != 0 && !d.l.Valid() {
			return apperr.InvalidField(d.f, "fb.err.level_invalid")
		}
	}
	if r.Overall.Bad() {
		if r.Reason == "" {
			return apperr.InvalidField("reason", "fb.err.reason_required")
		}
	}
	if r.Reason != "" && !ValidReason(r.Reason) {
		return apperr.InvalidField("reason", "fb.err.reason_invalid")
	}
	if len([]rune(strings.TrimSpace(r.Text))) > MaxText {
		return apperr.InvalidField("text", "fb.err.text_long", MaxText)
	}
	return nil
}
