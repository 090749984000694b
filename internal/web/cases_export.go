package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/apperr"
	"mingbai/internal/i18n"
	"mingbai/internal/store"
)

// ledgerColumns are the message keys of the export's columns.
var ledgerColumns = []string{
	"cases.col_number", "cases.col_zone", "cases.col_item_code", "cases.col_item", "cases.col_guide_version",
	"cases.col_applicant", "cases.col_id_number", "cases.col_phone", "cases.col_employer",
	"cases.col_accepted", "cases.col_pledged_due", "cases.col_statutory_due", "cases.col_state",
	"cases.col_closed", "cases.col_staff", "cases.col_warning",
}

// ledgerRow is one export row; personal data is masked.
func ledgerRow(l i18n.Lang, v store.CaseView) []string {
	due := v.PledgedDue
	if v.Stopped {
		due = i18n.T(l, "cases.clock_stopped")
	}
	return []string{
		v.Number, zoneLabel(l, v.Zone), v.ItemCode, v.ItemName, strconv.Itoa(v.GuideVersion),
		v.NameMasked, v.IDMasked, v.PhoneMasked, v.EmployerName,
		v.AcceptedDate, due, v.StatutoryDue, i18n.T(l, "case_state."+string(v.State)),
		v.ClosedDate, v.StaffName, i18n.T(l, "cases.warn_"+string(v.Warning)),
	}
}

// maxExportRows bounds one export.
const maxExportRows = 10000

func (s *Server) ledgerRows(r *http.Request) ([]store.CaseView, error) {
	f, err := s.ledgerFilter(r)
	if err != nil {
		return nil, err
	}
	f.Limit = maxExportRows
	list, err := s.DB.ListCases(r.Context(), f)
	if err != nil {
		return nil, err
	}
	if err := s.DB.Write(r.Context(), func(tx *store.Tx) error {
		return tx.Audit("case.export", "ledger", fmt.Sprintf("%d rows %s", len(list), r.URL.RawQuery))
	}); err != nil {
		return nil, err
	}
	return list, nil
}

func exportName(ext string) string {
	return "ledger-" + time.Now().In(shanghai).Format("20060102-1504") + "." + ext
}

func (s *Server) exportLedgerXLSX(w http.ResponseWriter, r *http.Request) error {
	list, err := s.ledgerRows(r)
	if err != nil {
		return err
	}
	l := lang(r)
	f := excelize.NewFile()
	defer f.Close()
	sheet := i18n.T(l, "cases.ledger_sheet")
	f.SetSheetName("Sheet1", sheet)
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := make([]any, len(ledgerColumns))
	for i, k := range ledgerColumns {
		header[i] = i18n.T(l, k)
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	for i, v := range list {
		row := ledgerRow(l, v)
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return apperr.New(apperr.Internal, "err.internal")
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName("xlsx")+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

func (s *Server) exportLedgerCSV(w http.ResponseWriter, r *http.Request) error {
	list, err := s.ledgerRows(r)
	if err != nil {
		return err
	}
	l := lang(r)
	var buf bytes.Buffer
	buf.WriteString("\uFEFF") // BOM: Excel then reads the file as UTF-8
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	header := make([]string, len(ledgerColumns))
	for i, k := range ledgerColumns {
		header[i] = i18n.T(l, k)
	}
	cw.Write(header)
	for _, v := range list {
		cw.Write(spreadsheetSafeRow(ledgerRow(l, v)))
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+exportName("csv")+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
