package web

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"mingbai/internal/feedback"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

func (s *Server) apiListDraws(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	ds, err := s.DB.ListDraws(r.Context(), h.ID)
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(ds))
	return nil
}

func (s *Server) apiCreateDraw(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	var in store.DrawSpec
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := limitText("idempotency_key", in.IdemKey, 100); err != nil {
		return err
	}
	in.HallID = h.ID
	d, err := s.DB.CreateDraw(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, 201, d)
	return nil
}

func (s *Server) drawOf(r *http.Request) (int64, int64, error) {
	h, err := s.fbHall(r)
	if err != nil {
		return 0, 0, err
	}
	id, err := pathID(r, "draw")
	return h.ID, id, err
}

func (s *Server) apiGetDraw(w http.ResponseWriter, r *http.Request) error {
	hallID, id, err := s.drawOf(r)
	if err != nil {
		return err
	}
	d, err := s.DB.GetDraw(r.Context(), hallID, id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}

type seedRequest struct {
	Seed   string `json:"seed"`
	Source string `json:"source,omitempty"`
}

func (s *Server) apiSeedDraw(w http.ResponseWriter, r *http.Request) error {
	hallID, id, err := s.drawOf(r)
	if err != nil {
		return err
	}
	var in seedRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.DB.SetDrawSeed(r.Context(), hallID, id, in.Seed, in.Source)
	if err != nil {
		return err
	}
	writeJSON(w, 200, d)
	return nil
}

type verifyDrawJSON struct {
	OK      bool   `json:"ok"`
	Problem string `json:"problem,omitempty"`
	Hash    string `json:"snapshot_hash"`
	Records int    `json:"records"`
}

func (s *Server) apiVerifyDraw(w http.ResponseWriter, r *http.Request) error {
	hallID, id, err := s.drawOf(r)
	if err != nil {
		return err
	}
	if _, err := s.DB.GetDraw(r.Context(), hallID, id); err != nil {
		return err
	}
	ev, err := s.DB.VerifyDraw(r.Context(), id)
	out := verifyDrawJSON{OK: err == nil, Hash: ev.Draw.SnapshotHash, Records: len(ev.Snapshot)}
	if err != nil {
		out.Problem = err.Error()
	}
	writeJSON(w, 200, out)
	return nil
}

func (s *Server) apiNextCall(w http.ResponseWriter, r *http.Request) error {
	hallID, id, err := s.drawOf(r)
	if err != nil {
		return err
	}
	t, err := s.DB.NextCallTarget(r.Context(), hallID, id)
	if err != nil {
		return err
	}
	writeJSON(w, 200, t)
	return nil
}

type phoneJSON struct {
	Phone string `json:"phone"`
}

func (s *Server) apiRevealPhone(w http.ResponseWriter, r *http.Request) error {
	hallID, id, err := s.drawOf(r)
	if err != nil {
		return err
	}
	p, err := s.DB.RevealPhone(r.Context(), hallID, id, r.PathValue("record"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, 200, phoneJSON{Phone: p})
	return nil
}

type attemptRequest struct {
	Outcome string                `json:"outcome"`
	Answers store.CallbackAnswers `json:"answers"`
	Text    string                `json:"text,omitempty"`
	OptOut  bool                  `json:"opt_out,omitempty"`
}

func (s *Server) apiAttempt(w http.ResponseWriter, r *http.Request) error {
	hallID, id, err := s.drawOf(r)
	if err != nil {
		return err
	}
	var in attemptRequest
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.DB.RecordAttempt(r.Context(), store.AttemptInput{HallID: hallID, DrawID: id, RecordID: r.PathValue("record"),
		Outcome: feedback.Outcome(in.Outcome), Answers: in.Answers, Text: in.Text, OptOut: in.OptOut})
	if err != nil {
		return err
	}
	writeJSON(w, 201, a)
	return nil
}

func (s *Server) rateQuery(r *http.Request, hallID int64) store.RateQuery {
	q := r.URL.Query()
	by := q.Get("by")
	if by == "" {
		by = "zone"
	}
	return store.RateQuery{HallID: hallID, By: by, From: q.Get("from"), To: q.Get("to"), Channel: q.Get("channel")}
}

func (s *Server) apiRates(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	rows, err := s.DB.Rates(r.Context(), s.rateQuery(r, h.ID))
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(rows))
	return nil
}

func (s *Server) apiPublicSatisfaction(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	ps, err := s.DB.PublicSatisfaction(r.Context(), h.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	writeJSON(w, 200, ps)
	return nil
}

func (s *Server) apiProvinceCodes(w http.ResponseWriter, r *http.Request) error {
	prov := r.PathValue("province")
	if r.Method == http.MethodPut {
		var in []store.ProvinceCode
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
		if err := s.DB.SetProvinceCodes(r.Context(), prov, in); err != nil {
			return err
		}
	}
	cs, err := s.DB.ProvinceCodes(r.Context(), prov)
	if err != nil {
		return err
	}
	writeJSON(w, 200, nonNil(cs))
	return nil
}

// apiEvaluationExport writes the evaluations in the national data
// standard's fields, coded for the hall's province, as JSON or CSV.
func (s *Server) apiEvaluationExport(w http.ResponseWriter, r *http.Request) error {
	h, err := s.fbHall(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	recs, prov, err := s.DB.ProvincialExport(r.Context(), h.ID, q.Get("from"), q.Get("to"))
	if err != nil {
		return err
	}
	name := fmt.Sprintf("evaluations-%s-%s", h.Code, prov)
	if q.Get("format") != "csv" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.json"`)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		return json.NewEncoder(w).Encode(recs)
	}
	l := lang(r)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	_, _ = w.Write([]byte("\xEF\xBB\xBF")) // Excel reads UTF-8 CSV only with a BOM
	cw := csv.NewWriter(w)
	head := []string{}
	for _, k := range []string{"service_id", "service_kind", "channel", "rater_category", "time", "count", "level", "text", "division_code", "invalid"} {
		head = append(head, i18n.T(l, "fb.export."+k))
	}
	_ = cw.Write(head)
	for _, x := range recs {
		_ = cw.Write([]string{csvSafe(x.ServiceID), i18n.T(l, "fb.kind."+x.ServiceKind), x.Channel, i18n.T(l, "fb.rater."+x.RaterCategory), x.Time,
			strconv.Itoa(x.Count), x.Level, csvSafe(x.Text), x.DivisionCode, yesNo(l, x.Invalid)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading free text as a formula.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}

func yesNo(l i18n.Lang, b bool) string {
	if b {
		return i18n.T(l, "fb.yes")
	}
	return i18n.T(l, "fb.no")
}
