package web

import (
	"bytes"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/apperr"
	"mingbai/internal/duty"
	"mingbai/internal/i18n"
)

func (s *Server) apiDutyRecords(w http.ResponseWriter, r *http.Request) error {
	month, err := s.dutyMonth(r)
	if err != nil {
		return err
	}
	out, err := s.DB.ListDutyRecords(r.Context(), hallID(r), month)
	if err != nil {
		return err
	}
	writeJSON(w, 200, out)
	return nil
}

// dutyRecordsXLSX exports a month's roster and console entries for the
// hall's records: one sheet per kind, every code in the reader's language.
func (s *Server) dutyRecordsXLSX(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	h, err := s.DB.Hall(ctx, hallID(r))
	if err != nil {
		return err
	}
	month, err := s.dutyMonth(r)
	if err != nil {
		return err
	}
	shifts, err := s.DB.ListRoster(ctx, h.ID, month, false)
	if err != nil {
		return err
	}
	recs, err := s.DB.ListDutyRecords(ctx, h.ID, month)
	if err != nil {
		return err
	}
	zones, err := s.DB.ListZones(ctx, h.ID)
	if err != nil {
		return err
	}
	zoneName := map[string]string{}
	for _, z := range zones {
		zoneName[z.Code] = z.Name
	}
	items, err := s.DB.ListPublishedItems(ctx, "")
	if err != nil {
		return err
	}
	itemName := map[string]string{}
	for _, it := range items {
		itemName[it.Code] = it.Name
	}
	checklist, err := s.DB.DutyChecklist(ctx, h.ID)
	if err != nil {
		return err
	}
	lineText := map[string]string{}
	for _, c := range checklist {
		lineText[c.Code] = c.Text
	}
	loc := time.FixedZone("", 0)
	if n, err := s.DB.HallNow(ctx, h.ID); err == nil {
		loc = time.FixedZone("", n.Offset)
	}
	l := lang(r)
	T := func(k string) string { return i18n.T(l, k) }
	f := excelize.NewFile()
	defer f.Close()
	sheets := map[string][][]any{}
	order := []string{T("duty.roster_title"), T("duty.kind.guide"), T("duty.kind.consult"), T("duty.kind.check")}
	sheets[order[0]] = [][]any{{T("duty.col_day"), T("duty.col_time"), T("duty.col_post"), T("duty.col_leader"), T("duty.deputy"), T("duty.check_in"), T("duty.check_out"), T("duty.handover_note")}}
	at := func(ms int64) string {
		if ms == 0 {
			return ""
		}
		return time.UnixMilli(ms).In(loc).Format("2006-01-02 15:04")
	}
	for _, sh := range shifts {
		sheets[order[0]] = append(sheets[order[0]], []any{sh.Day, sh.Start + "–" + sh.End, T("duty.post." + sh.Post), sh.LeaderName, sh.DeputyName, at(sh.CheckedInAt), at(sh.CheckedOutAt), sh.Handover})
	}
	sheets[order[1]] = [][]any{{T("duty.col_time"), T("duty.col_leader"), T("duty.zone"), T("duty.item")}}
	sheets[order[2]] = [][]any{{T("duty.col_time"), T("duty.col_leader"), T("duty.topic"), T("duty.item"), T("duty.outcome")}}
	head := []any{T("duty.col_time"), T("duty.col_leader"), T("duty.window")}
	for _, a := range duty.Aspects {
		head = append(head, T("duty.aspect."+string(a)))
	}
	sheets[order[3]] = [][]any{append(head, T("duty.failed_items"), T("duty.finding"), T("duty.handling"))}
	yes, no := T("duty.ok"), T("duty.not_ok")
	for _, rec := range recs {
		switch rec.Kind {
		case string(duty.LogGuide):
			sheets[order[1]] = append(sheets[order[1]], []any{at(rec.At), rec.Leader, zoneName[rec.Zone], itemName[rec.Item]})
		case string(duty.LogConsult):
			sheets[order[2]] = append(sheets[order[2]], []any{at(rec.At), rec.Leader, rec.Topic, itemName[rec.Item], T("duty.outcome." + rec.Outcome)})
		case string(duty.LogCheck):
			row := []any{at(rec.At), rec.Leader, rec.Window}
			for _, a := range duty.Aspects {
				v := no
				if rec.Aspects[string(a)] {
					v = yes
				}
				row = append(row, v)
			}
			var failed []string
			for code, ok := range rec.Items {
				if !ok {
					if t, known := lineText[code]; known {
						code = t
					}
					failed = append(failed, code)
				}
			}
			sort.Strings(failed)
			row = append(row, strings.Join(failed, "；"), rec.Finding, T("duty.handling."+rec.Handling))
			sheets[order[3]] = append(sheets[order[3]], row)
		}
	}
	for i, name := range order {
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		for j, row := range sheets[name] {
			cell, _ := excelize.CoordinatesToCellName(1, j+1)
			if err := f.SetSheetRow(name, cell, &row); err != nil {
				return err
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return apperr.New(apperr.Internal, "err.internal")
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="duty-`+h.Code+`-`+month+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
