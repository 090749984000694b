package web

import (
	"time"
)

// One clock on every page and export: times are shown in the hall's time
// zone (Asia/Shanghai for the halls of today) in one layout, whatever the
// value's own location (the store reads times as UTC).

// timeLayout is the one layout of a moment on pages and in exports.
const timeLayout = "2006-01-02 15:04:05"

// dateLayout is the layout of a calendar day.
const dateLayout = "2006-01-02"

// hallTime converts a moment (time.Time, *time.Time or unix milliseconds)
// to the hall's time zone; ok is false for a zero or nil value.
func hallTime(v any) (t time.Time, ok bool) {
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return t, false
		}
		t = *x
	case int64:
		if x == 0 {
			return t, false
		}
		t = time.UnixMilli(x)
	default:
		return t, false
	}
	if t.IsZero() {
		return t, false
	}
	return t.In(shanghai), true
}

// fmtTime renders a moment in the hall's time zone, "—" when unset.
func fmtTime(v any) string {
	t, ok := hallTime(v)
	if !ok {
		return "—"
	}
	return t.Format(timeLayout)
}

// fmtDay renders the hall's calendar day of a moment, "—" when unset.
func fmtDay(v any) string {
	t, ok := hallTime(v)
	if !ok {
		return "—"
	}
	return t.Format(dateLayout)
}

func init() {
	funcs["when"] = fmtTime
	funcs["day"] = fmtDay
	funcs["ms"] = func(ms int64) string { return fmtTime(ms) }
}
