package store

import (
	"fmt"

	"mingbai/internal/feedback"
	"mingbai/internal/workday"
)

// ServiceConsult is the service kind of a consultation round in the
// feedback area's ratings: a low rating of a consultation opens a
// rectification there like one of a ticket or a case.
const ServiceConsult = "consult"

// consultRectification records a flagged rating of a consultation round in
// the feedback area — a rating of kind "consult" owned by the consultant
// who resolved the round (谁办理谁负责) and its rectification with the
// hall's deadline — and marks the flag as taken. It runs in the rating's
// transaction.
func consultRectification(tx *Tx, t *ConsultThread, flagID int64, level int, comment string) error {
	_, loc, err := hallInTx(tx, t.HallID)
	if err != nil {
		return err
	}
	set, err := feedbackSettingsTx(tx, t.HallID)
	if err != nil {
		return err
	}
	cal, err := loadCalendar(tx)
	if err != nil {
		return err
	}
	var staffID int64
	_ = tx.QueryRow("SELECT COALESCE(s.id, 0) FROM staff s JOIN users u ON u.id = s.user_id WHERE u.username = ? AND s.hall_id = ?", t.ResolvedBy, t.HallID).Scan(&staffID)
	sv := service{Kind: ServiceConsult, ID: t.RoundID, HallID: t.HallID, Ref: fmt.Sprintf("ZX-%d-%d", t.ID, t.RoundID), StaffID: staffID,
		Zone: "employment", ServedAt: t.ResolvedAt, Served: true, RaterCategory: "person"}
	today := workday.DateOf(tx.Now.In(loc))
	ratingID, err := insertRating(tx, sv, feedback.Channel(t.Channel), feedback.Rating{Overall: feedback.Level(level), Text: comment}, set.DivisionCode, today, false, 0, 0, "")
	if err != nil {
		return err
	}
	rectID, err := openRectification(tx, t.HallID, ratingID, staffID, today, set.RectDays, cal)
	if err != nil {
		return err
	}
	if _, err := tx.Exec("UPDATE consult_flags SET state = 'taken' WHERE id = ?", flagID); err != nil {
		return err
	}
	return tx.Audit("consult.flag_taken", fmt.Sprintf("consult_flag:%d", flagID), fmt.Sprintf("rating:%d rectification:%d", ratingID, rectID))
}
