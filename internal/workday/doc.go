// Package workday is the hall's working-day calendar: which days are working
// days, and how time limits counted in working days or calendar days fall.
//
// # Rules
//
// A day is a working day when, in this order of precedence:
//
//  1. an Override for the date says so (an administrator's local closure or
//     extra working day, or a new year's schedule entered by hand);
//  2. the official schedule says so: the State Council's yearly notice of
//     public holidays (国务院办公厅关于部分节假日安排的通知) lists days off
//     (放假) and make-up working days (调休上班), usually weekends;
//  3. otherwise it is Monday to Friday.
//
// The official schedule comes from github.com/6tail/lunar-go (package
// HolidayUtil), which carries every notice from 2002 up to and including
// 2027 in v1.4.7 (added 2026-11-06); LastOfficialYear reports the last year
// it covers. A year that is neither covered by lunar-go nor declared known
// by the calendar's KnownYears is an error (ErrUnknownYear): a deadline is
// never computed as if such a year had no holidays.
//
// Time limits (承诺时限/法定时限) are counted from the day after the day of
// receipt (开始的当日不计入, Civil Code art. 201): AddWorkdays(start, n) is
// the n-th working day after start, so n = 0 is start itself (on-the-spot
// items, 即办件). For limits in calendar days, Deadline moves a last day
// that is not a working day to the next working day (期间的最后一日是法定休
// 假日的，以法定休假日结束的次日为期间的最后一日, Civil Code art. 203; the
// labour-dispute arbitration rules say the same), while AddCalendarDays is
// plain date arithmetic.
//
// Dates are civil dates (Date) with no time of day and no time zone: a
// service hall's "today" is the date on the wall in the hall's own zone
// (Asia/Shanghai by default), which the caller obtains with DateOf(t.In(loc)).
package workday
