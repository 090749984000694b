package web

import (
	"net/http"
	"net/url"
	"strconv"

	"mingbai/internal/apperr"
	"mingbai/internal/cases"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
	"mingbai/internal/workday"
)

// Paper handed to the applicant at the window: the acceptance receipt
// (受理回执) and the one-time notice (一次性告知书). Both carry the
// applicant's full name, because the paper goes to that person; reading it
// is an audited reveal (case.view_pii), and only the responsible clerk or a
// manager gets it: anyone else prints the masked name.

// paperName returns the applicant's full name for a printed paper, or the
// masked name when the caller may not see it.
func (s *Server) paperName(r *http.Request, v store.CaseView) string {
	p := principal(r)
	if !isManager(p) && (p.StaffID == 0 || p.StaffID != v.StaffID) {
		return v.NameMasked
	}
	pd, err := s.DB.RevealCase(r.Context(), hallID(r), v.ID)
	if err != nil || pd.Name == "" {
		return v.NameMasked
	}
	return pd.Name
}

// wasAccepted reports whether the case was ever accepted (a receipt
// exists): at the window, under 容缺受理, or when the materials of a
// one-time notice arrived.
func wasAccepted(v store.CaseView) bool {
	for _, st := range v.Steps {
		switch st.Action {
		case "accept", "accept_missing", "materials_received":
			return true
		}
	}
	return false
}

// progressURL is the public progress look-up of a case, with its number
// filled in; the receipt prints it and its QR code.
func (s *Server) progressURL(r *http.Request, number string) string {
	return s.baseURL(r) + "/progress?number=" + url.QueryEscape(number)
}

func (s *Server) pageReceipt(w http.ResponseWriter, r *http.Request) error {
	v, err := s.loadCaseFor(r, false)
	if err != nil {
		return err
	}
	if !wasAccepted(v) {
		return apperr.New(apperr.Conflict, "cases.receipt_not_accepted")
	}
	h, err := s.DB.Hall(r.Context(), v.HallID)
	if err != nil {
		return err
	}
	var received, deferred []store.CaseMaterial
	for _, m := range v.Materials {
		switch m.Status {
		case cases.Received:
			received = append(received, m)
		case cases.Deferred:
			deferred = append(deferred, m)
		}
	}
	u := s.progressURL(r, v.Number)
	// The receipt also carries the case's rating QR code (好差评).
	rateToken, err := s.DB.RatingToken(r.Context(), v.HallID, store.ServiceCase, v.ID)
	if err != nil {
		return err
	}
	rateURL := s.baseURL(r) + "/rate/i/" + rateToken + "?via=qr"
	today := workday.DateOf(s.DB.Now().In(shanghai)).String()
	s.render(w, r, 200, "cases_receipt", pageData{Title: i18n.T(lang(r), "cases.receipt") + " " + v.Number, Data: map[string]any{
		"Case": v, "Hall": h, "Name": s.paperName(r, v), "Received": received, "Deferred": deferred,
		"ProgressURL": u, "ProgressBase": s.baseURL(r) + "/progress", "QR": qrDataURL(u), "Today": today, "RateQR": qrDataURL(rateURL), "RateURL": rateURL,
		"Back": "/cases/" + strconv.FormatInt(v.ID, 10),
	}})
	return nil
}
