package reports_test

import (
	"testing"

	"github.com/xuri/excelize/v2"

	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

// Every sheet is streamed, yet the workbook opens on the summary, and each sheet's rows are where the reader looks: the
// heading, the header in row 3 and the figures below it.
func TestMonthlyStreamedSheets(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		path, rep, data := produceNovember(t, s)
		if int64(len(data)) != rep.Size {
			t.Errorf("Produce gave %d bytes; recorded %d", len(data), rep.Size)
		}
		f, err := excelize.OpenFile(path)
		modeltest.Must(t, err, "open")
		defer f.Close()
		if got := f.GetActiveSheetIndex(); got != 0 {
			t.Errorf("active sheet %d; want 0, the summary", got)
		}
		for _, sheet := range f.GetSheetList() {
			panes, err := f.GetPanes(sheet)
			modeltest.Must(t, err, "panes of %s", sheet)
			if !panes.Freeze || panes.YSplit != 3 {
				t.Errorf("%s panes = %+v; want rows 1-3 frozen", sheet, panes)
			}
			merged, err := f.GetMergeCells(sheet)
			modeltest.Must(t, err, "merged cells of %s", sheet)
			starts := map[string]bool{}
			for _, m := range merged {
				starts[m.GetStartAxis()] = true
			}
			if !starts["A1"] || !starts["A2"] {
				t.Errorf("%s merged cells = %v; want the title and the subtitle", sheet, merged)
			}
		}
		if got := cells(t, f, reports.SheetSummary, 4, 2); got[0] != "受理" || got[1] != "18" {
			t.Errorf("summary row 4 = %v; want 受理 18", got)
		}
		if got := cells(t, f, reports.SheetUnits, 7, 2); got[1] != "合计" {
			t.Errorf("units row 7 = %v; want the total", got)
		}
	})
}
