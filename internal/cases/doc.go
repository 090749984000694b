// Package cases holds the rules of the business ledger (业务台账): the
// states of a case and the changes allowed between them, the materials
// checklist, time limits with the clock stopped during correction, overdue
// warnings, and the case number. It is pure: the store persists cases and
// the web layer shows them.
//
// # States
//
// A case is accepted (受理) at a window, reviewed (in_review), possibly sent
// back for correction (补正, the applicant must supply or fix materials;
// the clock stops), and ends completed (办结), rejected (不予受理/不予办
// 理) or withdrawn (撤回). The allowed changes are the table returned by
// Transitions. On-the-spot items (即办件, pledged limit 0) may go from
// accepted straight to completed at the window; pledged items (承诺件) pass
// through review.
//
// A rejection must state its reason and its legal basis. A correction is
// a one-time notice (一次性告知) of every material not yet received, so it
// needs at least one such material (Administrative Licensing Law art. 32:
// the applicant is told everything to correct at once).
//
// # Materials
//
// The checklist is built from the guide (明白纸): each material is
// required, optional or deferrable. A deferrable material may be accepted
// later on the applicant's written pledge (容缺受理, status deferred). The
// rule implemented here:
//
//   - review may start (accepted → in_review, correction → in_review) when
//     no required material is missing; deferrable ones may be deferred;
//   - completion needs every required and every deferrable material
//     received: a deferred material blocks completion until it arrives;
//   - optional materials never block.
//
// The guide binds the staff: asking for a material that it does not list is
// an integrity risk. Such a material can be added to a case only with a
// written reason; it is flagged Extra (so the server raises an integrity
// alert) and never blocks anything.
//
// # Time limits
//
// Each case has a pledged limit (承诺时限) and a statutory limit (法定时
// 限), each a number and a unit (working days or calendar days, see
// package workday). The clock starts the day after acceptance. A
// correction stops it: the working days used up to and including the day
// the correction was requested are kept, and the clock restarts the day
// after the materials arrive (DOMAIN-RULES "Time limits"; Civil Code art.
// 201: the first day of a period is not counted). Counting the day of the
// request as used errs on the side of the applicant: the due date is never
// later than under the alternative reading.
//
// Warnings: yellow when the due date is at most N working days away
// (DefaultYellowDays = 1, configurable per hall), red once the due date has
// passed; none while the clock is stopped (unless the date had already
// passed before the stop) and none for closed cases.
//
// # Case numbers
//
// HALL-YYYYMMDD-NNNNN: the hall code (capital letters and digits), the
// date of acceptance and a five-digit sequence number of the day, e.g.
// RSJ01-20260212-00042.
package cases
