package web

import (
	"bytes"
	"net/http"

	"github.com/xuri/excelize/v2"

	"mingbai/internal/apperr"
	"mingbai/internal/i18n"
)

// exportPostsXLSX is the posts report as an Excel workbook: a sheet per
// table of the page (by staff member, by window, the pledge by window,
// staff member and item), headings in the reader's language.
func (s *Server) exportPostsXLSX(w http.ResponseWriter, r *http.Request) error {
	h := hallID(r)
	l := lang(r)
	pt, err := s.postTables(r, h)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	T := func(k string) any { return i18n.T(l, k) }
	type sheet struct {
		name string
		head []any
		rows [][]any
	}
	postHead := []any{T("posts.col_name"), T("posts.col_days"), T("posts.col_absent"), T("posts.col_late"), T("posts.col_early_leave"),
		T("posts.col_early10"), T("posts.col_late10"), T("posts.col_both10"), T("posts.col_on_post")}
	posts := func(rs []postRow) [][]any {
		var out [][]any
		for _, x := range rs {
			out = append(out, []any{x.Name, x.Days, x.Absent, x.Late, x.EarlyLeave, x.Early10, x.Late10, x.Both10, x.OnPost})
		}
		return out
	}
	pledges := func(rs []pledgeRow) [][]any {
		var out [][]any
		for _, x := range rs {
			out = append(out, []any{x.Name, x.N, x.Met, x.Rate})
		}
		return out
	}
	pledgeHead := func(first string) []any {
		return []any{T(first), T("posts.col_n"), T("posts.col_met"), T("posts.col_rate")}
	}
	windowHead := append([]any{T("posts.col_window")}, postHead[1:]...)
	sheets := []sheet{
		{i18n.T(l, "posts.by_staff"), postHead, posts(pt.Staff)},
		{i18n.T(l, "posts.by_window"), windowHead, posts(pt.Windows)},
		{i18n.T(l, "posts.pledge_title") + "·" + i18n.T(l, "posts.col_window"), pledgeHead("posts.col_window"), pledges(pt.ByWindow)},
		{i18n.T(l, "posts.pledge_title") + "·" + i18n.T(l, "posts.col_name"), pledgeHead("posts.col_name"), pledges(pt.ByStaff)},
		{i18n.T(l, "posts.pledge_title") + "·" + i18n.T(l, "posts.col_item"), pledgeHead("posts.col_item"), pledges(pt.ByItem)},
	}
	for i, sh := range sheets {
		name := sh.name
		if len([]rune(name)) > 31 { // Excel's limit on sheet names
			name = string([]rune(name)[:31])
		}
		if i == 0 {
			f.SetSheetName("Sheet1", name)
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := f.SetSheetRow(name, "A1", &sh.head); err != nil {
			return err
		}
		for j, row := range sh.rows {
			cell, _ := excelize.CoordinatesToCellName(1, j+2)
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
	w.Header().Set("Content-Disposition", `attachment; filename="posts-`+pt.From.String()+`-`+pt.To.String()+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}
