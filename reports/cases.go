package reports

import (
	"strings"
	"time"
	"unicode/utf8"

	"minsheng/models"
	"minsheng/redact"
)

// CaseCells are one case of a case list as every list shows it (the
// dashboard's exports, the monthly workbook): each cell as text, times as
// 2006-01-02 15:04 in the list's zone. The problem text is not among them:
// each list masks it in its own way.
type CaseCells struct {
	No, Received, Assigned string
	// Unit is the lead unit's name, empty when none leads.
	Unit, Status, Kind, Severity string
	Due, Answered                string
	// OnTime is 是 or 否 once the case is answered, empty before.
	OnTime string
	// Rating is the citizen's rating, empty when there is none.
	Rating string
}

// Cells renders case r for a case list, its times in loc.
func Cells(r models.CaseRow, loc *time.Location) CaseCells {
	when := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	c := CaseCells{
		No: r.No, Received: when(&r.ReceivedAt), Assigned: when(r.AssignedAt), Unit: r.DeptName, Status: r.Status.Label(),
		Kind: r.Kind, Severity: string(r.Severity), Due: when(r.DueAt), Answered: when(r.AnsweredAt),
	}
	if on, ok := r.OnTime(); ok && on {
		c.OnTime = "是"
	} else if ok {
		c.OnTime = "否"
	}
	if r.Rating != nil {
		c.Rating = *r.Rating
	}
	return c
}

// ExportHeader is the dashboard's case list's columns, in the CSV and the
// workbook it exports.
var ExportHeader = []string{"编号", "受理时间", "交办时间", "承办单位", "状态", "类别", "等级", "办理期限", "答复时间", "是否按期", "评价", "公开栏", "问题（已隐去个人信息）"}

// ExportLine is case r as a line of the dashboard's export (ExportHeader),
// its times in loc: withheld says the dispatcher keeps it off the public
// board, known are the reporter's name and phone as recorded, taken out of
// the problem text with everything else Mask finds (redact.Mask).
func ExportLine(r models.CaseRow, withheld bool, known []string, loc *time.Location) []string {
	c := Cells(r, loc)
	board := ""
	if r.Status == models.StatusAnswered || r.Status == models.StatusClosed {
		board = "公开"
	}
	if withheld {
		board = "不公开"
	}
	return []string{
		c.No, c.Received, c.Assigned, c.Unit, c.Status, c.Kind, c.Severity, c.Due, c.Answered, c.OnTime, c.Rating, board,
		strings.Join(strings.Fields(redact.Mask(r.Content, known...)), " "),
	}
}

// caseSummaryMax is how many characters of the (masked) problem text the
// monthly workbook's case list shows.
const caseSummaryMax = 60

// workbookLine is case r as a line of the monthly workbook's case list
// (caseSheet), its times in loc; the problem text is masked for units
// (redact.Identity) and cut.
func workbookLine(r models.CaseRow, loc *time.Location) []string {
	c := Cells(r, loc)
	return []string{c.No, c.Received, c.Assigned, c.Unit, c.Status, c.Kind, c.Due, c.Answered, c.OnTime, c.Rating, caseSummary(r.Content)}
}

// caseSummary is the problem text masked and cut for the workbook's case list.
func caseSummary(text string) string {
	t := strings.Join(strings.Fields(redact.Identity(text)), " ")
	if utf8.RuneCountInString(t) > caseSummaryMax {
		t = string([]rune(t)[:caseSummaryMax-1]) + "…"
	}
	return t
}
