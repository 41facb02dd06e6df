package reports_test

import (
	"strings"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

// caseRow is a case of the lists: received 2 November 2026 11:00 in
// Shanghai, led by cg, due 24 November 17:00.
func caseRow() models.CaseRow {
	at := func(d, h int) *time.Time { t := modeltest.At(2026, 11, d, h, 0); return &t }
	return models.CaseRow{
		No: "20261102009", ReceivedAt: *at(2, 11), Status: models.StatusHandling, Kind: "噪音", Severity: models.SeverityGeneral,
		DeptCode: "cg", DeptName: "县城市管理局", AssignedAt: at(2, 12), DueAt: at(24, 17),
		Content: "我叫李四，电话13912345678，住幸福小区3栋2单元501室，楼下烧烤店油烟扰民",
	}
}

// TestCells is the one rendering of a case the case lists share.
func TestCells(t *testing.T) {
	loc := modeltest.Shanghai
	rating := "满意"
	tests := []struct {
		name string
		edit func(r *models.CaseRow)
		want reports.CaseCells
	}{
		{"in hand", func(r *models.CaseRow) {}, reports.CaseCells{
			No: "20261102009", Received: "2026-11-02 11:00", Assigned: "2026-11-02 12:00", Unit: "县城市管理局", Status: "办理中",
			Kind: "噪音", Severity: "一般", Due: "2026-11-24 17:00"}},
		{"answered late", func(r *models.CaseRow) {
			late := r.DueAt.Add(time.Minute)
			r.Status, r.AnsweredAt = models.StatusAnswered, &late
		}, reports.CaseCells{
			No: "20261102009", Received: "2026-11-02 11:00", Assigned: "2026-11-02 12:00", Unit: "县城市管理局", Status: "已答复",
			Kind: "噪音", Severity: "一般", Due: "2026-11-24 17:00", Answered: "2026-11-24 17:01", OnTime: "否"}},
		{"answered on the deadline and rated", func(r *models.CaseRow) {
			r.Status, r.AnsweredAt, r.Rating = models.StatusClosed, r.DueAt, &rating
		}, reports.CaseCells{
			No: "20261102009", Received: "2026-11-02 11:00", Assigned: "2026-11-02 12:00", Unit: "县城市管理局", Status: "办结归档",
			Kind: "噪音", Severity: "一般", Due: "2026-11-24 17:00", Answered: "2026-11-24 17:00", OnTime: "是", Rating: "满意"}},
		{"waiting for triage", func(r *models.CaseRow) {
			r.Status, r.DeptCode, r.DeptName, r.AssignedAt, r.DueAt, r.Severity = models.StatusReceived, "", "", nil, nil, ""
		}, reports.CaseCells{No: "20261102009", Received: "2026-11-02 11:00", Status: "已受理", Kind: "噪音"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := caseRow()
			tt.edit(&r)
			if got := reports.Cells(r, loc); got != tt.want {
				t.Errorf("Cells(%s) =\n %+v; want\n %+v", tt.name, got, tt.want)
			}
		})
	}
}

// TestExportLine is a line of the dashboard's export: the shared cells, the
// board column, and the problem masked for the public with the reporter's
// recorded name taken out wherever it stands.
func TestExportLine(t *testing.T) {
	r := caseRow()
	r.Status = models.StatusAnswered
	r.Content += "。李四"
	line := reports.ExportLine(r, false, []string{"李四"}, modeltest.Shanghai)
	if len(line) != len(reports.ExportHeader) {
		t.Fatalf("line has %d cells; the header %d", len(line), len(reports.ExportHeader))
	}
	want := []string{"20261102009", "2026-11-02 11:00", "2026-11-02 12:00", "县城市管理局", "已答复", "噪音", "一般", "2026-11-24 17:00", "", "", "", "公开",
		"我叫[姓名已隐去]，电话[电话已隐去]，住幸福小区[门牌已隐去]，楼下烧烤店油烟扰民。[姓名已隐去]"}
	if strings.Join(line, "|") != strings.Join(want, "|") {
		t.Errorf("ExportLine =\n %q; want\n %q", line, want)
	}
	if got := reports.ExportLine(r, true, nil, modeltest.Shanghai)[11]; got != "不公开" {
		t.Errorf("withheld case's board column = %q; want 不公开", got)
	}
	r.Status = models.StatusHandling
	if got := reports.ExportLine(r, false, nil, modeltest.Shanghai)[11]; got != "" {
		t.Errorf("unanswered case's board column = %q; want empty", got)
	}
}
