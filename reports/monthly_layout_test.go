package reports_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

// The case list is written row by row (a stream), yet reads and prints like
// the other sheets: the title merged over the table, the header row frozen,
// filtered and repeated on every page, A4 landscape one page wide with page
// numbers, a late answer in red, and the columns wide enough.
func TestMonthlyCaseListLayout(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		_, _, data := produceNovember(t, s)
		f, err := excelize.OpenReader(bytes.NewReader(data))
		modeltest.Must(t, err, "open the workbook")
		defer f.Close()
		sheet := reports.SheetCases

		if got := cells(t, f, sheet, 1, 1)[0]; got != "案件清单（2026年11月受理）" {
			t.Errorf("title = %q", got)
		}
		merged, err := f.GetMergeCells(sheet)
		modeltest.Must(t, err, "merged cells")
		var refs []string
		for _, m := range merged {
			refs = append(refs, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		if strings.Join(refs, ",") != "A1:K1,A2:K2" {
			t.Errorf("merged cells = %v; want the title and the subtitle over A:K", refs)
		}
		panes, err := f.GetPanes(sheet)
		modeltest.Must(t, err, "panes")
		if !panes.Freeze || panes.YSplit != 3 || panes.TopLeftCell != "A4" {
			t.Errorf("panes = %+v; want rows 1-3 frozen", panes)
		}
		var filter string
		for _, d := range f.GetDefinedName() {
			if d.Name == "_xlnm._FilterDatabase" && d.Scope == sheet {
				filter = d.RefersTo
			}
		}
		if filter != "'案件清单'!$A$3:$K$21" {
			t.Errorf("filter = %q; want the header and the 18 cases", filter)
		}
		props, err := f.GetSheetProps(sheet)
		modeltest.Must(t, err, "sheet props")
		if props.FitToPage == nil || !*props.FitToPage {
			t.Errorf("sheet props = %+v; want fit to page", props)
		}
		hf, err := f.GetHeaderFooter(sheet)
		modeltest.Must(t, err, "header and footer")
		if hf.OddFooter != "&C第 &P 页，共 &N 页" {
			t.Errorf("footer = %q; want page numbers", hf.OddFooter)
		}
		margins, err := f.GetPageMargins(sheet)
		modeltest.Must(t, err, "margins")
		if margins.Left == nil || *margins.Left != 0.5 || margins.Horizontally == nil || !*margins.Horizontally {
			t.Errorf("margins = %+v; want 0.5 at the sides, centred", margins)
		}
		if h, _ := f.GetRowHeight(sheet, 3); h != 30 {
			t.Errorf("header row is %.0f high; want 30", h)
		}
		if w, _ := f.GetColWidth(sheet, "A"); w != 14 {
			t.Errorf("编号 column is %.0f wide; want 14", w)
		}

		// The late answer's 否 in red, bold; an on-time 是 in plain text; the header filled.
		rows, err := f.GetRows(sheet)
		modeltest.Must(t, err, "case rows")
		font := func(cell string) *excelize.Font {
			id, err := f.GetCellStyle(sheet, cell)
			modeltest.Must(t, err, "style of %s", cell)
			st, err := f.GetStyle(id)
			modeltest.Must(t, err, "style %d", id)
			return st.Font
		}
		seen := map[string]int{}
		for i, r := range rows[3:] {
			if len(r) < 9 || (r[8] != "是" && r[8] != "否") {
				continue
			}
			seen[r[8]]++
			cell, _ := excelize.CoordinatesToCellName(9, 4+i)
			fn := font(cell)
			if red := fn != nil && fn.Bold && strings.EqualFold(fn.Color, "C00000"); red != (r[8] == "否") {
				t.Errorf("%s (%s of case %s) has font %+v; want red bold only for 否", cell, r[8], r[0], fn)
			}
		}
		if seen["是"] == 0 || seen["否"] == 0 {
			t.Errorf("case list answers on time / late: %v; want both", seen)
		}
		id, err := f.GetCellStyle(sheet, "A3")
		modeltest.Must(t, err, "header style")
		head, err := f.GetStyle(id)
		modeltest.Must(t, err, "header style")
		if len(head.Fill.Color) == 0 || !strings.EqualFold(head.Fill.Color[0], "DDEBF7") || head.Font == nil || !head.Font.Bold {
			t.Errorf("header style = fill %+v, font %+v; want bold on DDEBF7", head.Fill, head.Font)
		}
	})
}
