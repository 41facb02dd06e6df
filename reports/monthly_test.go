package reports_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

func monthly(s *models.Store, dir string) *reports.Monthly {
	return &reports.Monthly{Store: s, Dir: dir, ReplyTarget: 0.9, SatisfactionTarget: 0.9,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// produceNovember writes the 月报 of November 2026, seeded with
// modeltest.SeedNovember2026, on the morning of 1 December: the file's
// path, its record and its bytes.
func produceNovember(t *testing.T, s *models.Store) (string, *models.Report, []byte) {
	t.Helper()
	now := modeltest.At(2026, 12, 1, 9, 0)
	setup(t, s, now)
	modeltest.SeedNovember2026(t, s)
	path := filepath.Join(t.TempDir(), "2026-11.xlsx")
	rep, data, err := monthly(s, t.TempDir()).Produce(context.Background(), reports.PreviousMonth(now, modeltest.Shanghai), now, path, false)
	modeltest.Must(t, err, "produce")
	return path, rep, data
}

// cells reads the cells of a sheet row as the reader sees them.
func cells(t *testing.T, f *excelize.File, sheet string, row int, cols int) []string {
	t.Helper()
	out := make([]string, cols)
	for c := 1; c <= cols; c++ {
		name, _ := excelize.CoordinatesToCellName(c, row)
		v, err := f.GetCellValue(sheet, name)
		modeltest.Must(t, err, "read %s!%s", sheet, name)
		out[c-1] = v
	}
	return out
}

// outboxRows counts the messages queued.
func outboxRows(t *testing.T, s *models.Store) int64 {
	t.Helper()
	var n int64
	modeltest.Must(t, s.DB().Model(&models.Outbox{}).Count(&n).Error, "count outbox")
	return n
}

// noIdentity fails t if text carries the seeded reporter's identity.
func noIdentity(t *testing.T, what, text string) {
	t.Helper()
	for _, secret := range []string{"张三", "13800138000", "o-seed-reporter", "群众SEED0"} {
		if strings.Contains(text, secret) {
			t.Errorf("%s carries the reporter's identity %q", what, secret)
		}
	}
}

// TestMonthlyWorkbook makes November's scheduled report on the seeded month
// and checks the figures in the workbook against those worked out by hand
// in modeltest.SeedNovember2026, and that it is made once.
func TestMonthlyWorkbook(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 12, 1, 9, 0)
		clock := setup(t, s, now)
		modeltest.SeedNovember2026(t, s)
		// A citizen who put their phone and ID number into the text.
		modeltest.SeedCases(t, s, modeltest.SeedCase{No: "20261129001", Received: modeltest.At(2026, 11, 29, 9, 0), Status: models.StatusInvalid,
			Content: "我叫李四，电话13912345678，身份证110101199003071234，楼下烧烤店油烟扰民"})
		dir := t.TempDir()
		m := monthly(s, dir)
		is, err := m.Scheduled(ctx, now)
		modeltest.Must(t, err, "monthly report")

		rep, err := s.LatestReport(ctx, "2026-11", true)
		modeltest.Must(t, err, "recorded report")
		if rep.ID != is.Report.ID {
			t.Errorf("Scheduled gave report %d; recorded %d", is.Report.ID, rep.ID)
		}
		if filepath.Dir(rep.Path) != dir || !strings.HasPrefix(filepath.Base(rep.Path), "monthly-2026-11-") {
			t.Errorf("report written to %s; want under %s", rep.Path, dir)
		}
		data, err := os.ReadFile(rep.Path)
		modeltest.Must(t, err, "read the report")
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != rep.SHA256 || int64(len(data)) != rep.Size {
			t.Errorf("recorded sha256/size do not match the file")
		}
		if !bytes.Equal(is.Data, data) {
			t.Errorf("Scheduled gave %d bytes; the file has %d", len(is.Data), len(data))
		}
		if is.Stats.Intake.Received != 19 {
			t.Errorf("Scheduled's figures count %d cases received; want 19", is.Stats.Intake.Received)
		}
		f, err := excelize.OpenReader(bytes.NewReader(data))
		modeltest.Must(t, err, "open the workbook")
		defer f.Close()
		if got := f.GetSheetList(); strings.Join(got, ",") != "汇总,单位,案件清单,书面反馈,舆情热点" {
			t.Errorf("sheets = %v; want 汇总, 单位, 案件清单, 书面反馈", got)
		}
		if got := cells(t, f, reports.SheetFedBack, 4, 1)[0]; got != "本月受理的件没有书面反馈记录" {
			t.Errorf("书面反馈 with nothing fed back = %q", got)
		}

		// The summary: the intake of 19 cases (18 seeded + the invalid one
		// above), then the totals.
		summary := map[string]string{}
		for row := 4; row <= 24; row++ {
			c := cells(t, f, reports.SheetSummary, row, 2)
			summary[c[0]] = c[1]
		}
		for k, want := range map[string]string{
			"受理": "19", "有效": "14", "无效": "3", "重复反映": "1", "待分办": "1", "交办": "14", "已答复": "13",
			"按期答复": "12", "当前超期": "2", "延期申请": "2", "延期批准": "1", "已评价": "6", "满意（含基本满意）": "5",
			"未到期": "0", "迟报": "0",
			// As the regulations count: satisfied ÷ assigned (5 of 14); the
			// rated-only rate beside it. No unit has both rates under 90%.
			"回复率": "92.9%", "按期率": "92.3%", "满意率": "35.7%", "评价满意率": "83.3%", "回复率和满意率均低于目标的单位": "0",
		} {
			if summary[k] != want {
				t.Errorf("汇总 %s = %q; want %q", k, summary[k], want)
			}
		}

		// Per unit, by hand: cg assigned 10, answered 9, on time 8.
		wantUnits := [][]string{
			{"单位代码", "单位名称", "收件", "有效", "交办", "未到期", "已答复", "按期答复", "当前超期", "延期申请", "延期批准", "已评价", "满意", "回复率", "按期率", "满意率", "提醒"},
			{"cg", "县城市管理局", "12", "11", "10", "0", "9", "8", "2", "2", "1", "6", "5", "90.0%", "88.9%", "50.0%", ""},
			{"hb", "县生态环境分局", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "—", "—", "—", ""},
			{"zj", "县住房和城乡建设局", "4", "4", "4", "0", "4", "4", "0", "0", "0", "0", "0", "100.0%", "100.0%", "0.0%", ""},
			{"", "合计", "19", "14", "14", "0", "13", "12", "2", "2", "1", "6", "5", "92.9%", "92.3%", "35.7%", ""},
		}
		for i, want := range wantUnits {
			if got := cells(t, f, reports.SheetUnits, 3+i, 17); strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("单位 row %d =\n %v; want\n %v", 3+i, got, want)
			}
		}

		// The case list: 19 cases by number, no identity, text masked.
		head := cells(t, f, reports.SheetCases, 3, 11)
		if strings.Join(head, ",") != "编号,受理时间,交办时间,承办单位,状态,类别,办理期限,答复时间,是否按期,评价,问题摘要" {
			t.Errorf("case list header = %v", head)
		}
		rows, err := f.GetRows(reports.SheetCases)
		modeltest.Must(t, err, "case rows")
		if len(rows) != 3+19 {
			t.Errorf("case list has %d rows; want heading, subheading, header and 19 cases", len(rows))
		}
		byNo := map[string][]string{}
		for _, row := range rows[3:] {
			byNo[row[0]] = row
		}
		late := byNo["20261102009"]
		if want := []string{"20261102009", "2026-11-02 11:00", "2026-11-02 12:00", "县城市管理局", "已答复", "一般", "2026-11-24 17:00", "2026-12-01 08:00", "否"}; len(late) < 9 || strings.Join(late[:9], "|") != strings.Join(want, "|") {
			t.Errorf("late case row = %v; want %v", late, want)
		}
		if ok := byNo["20261102001"]; len(ok) < 10 || ok[8] != "是" || ok[9] != "满意" {
			t.Errorf("on-time case row = %v; want 是 and 满意", ok)
		}
		if moved := byNo["20261110001"]; len(moved) < 4 || moved[3] != "县住房和城乡建设局" {
			t.Errorf("case returned by cg = %v; want led by 县住房和城乡建设局", moved)
		}
		masked := byNo["20261129001"]
		if len(masked) < 11 || masked[10] != "我叫[姓名已隐去]，电话[电话已隐去]，身份证[身份证号已隐去]，楼下烧烤店油烟扰民" {
			t.Errorf("masked text = %q", masked)
		}
		for _, sheet := range f.GetSheetList() {
			all, err := f.GetRows(sheet)
			modeltest.Must(t, err, "rows of %s", sheet)
			var b strings.Builder
			for _, r := range all {
				b.WriteString(strings.Join(r, "|"))
			}
			noIdentity(t, "sheet "+sheet, b.String())
			for _, secret := range []string{"13912345678", "110101199003071234", "李四"} {
				if strings.Contains(b.String(), secret) {
					t.Errorf("sheet %s shows %q", sheet, secret)
				}
			}
		}

		// Formatted for printing: A4 landscape, one page wide, header row repeated.
		for _, sheet := range f.GetSheetList() {
			pl, err := f.GetPageLayout(sheet)
			modeltest.Must(t, err, "page layout of %s", sheet)
			if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
				t.Errorf("%s page layout = %+v; want A4 (9) landscape, 1 page wide", sheet, pl)
			}
		}
		names := map[string]string{}
		for _, d := range f.GetDefinedName() {
			if d.Name == "_xlnm.Print_Titles" {
				names[d.Scope] = d.RefersTo
			}
		}
		if names[reports.SheetCases] != "'案件清单'!$3:$3" || names[reports.SheetUnits] != "'单位'!$3:$3" {
			t.Errorf("print titles = %v; want the header row (3) of each sheet", names)
		}
		if w, _ := f.GetColWidth(reports.SheetCases, "K"); w < 40 {
			t.Errorf("问题摘要 column is %.0f wide; want room for the text", w)
		}

		// Made once: an hour later the recorded workbook is given again.
		clock.Add(time.Hour)
		again, err := m.Scheduled(ctx, now.Add(time.Hour))
		modeltest.Must(t, err, "monthly report again")
		if again.Report.ID != rep.ID || !bytes.Equal(again.Data, data) {
			t.Errorf("rerun gave report %d (%d bytes); want the first, %d (%d bytes)", again.Report.ID, len(again.Data), rep.ID, len(data))
		}
		if latest, _ := s.LatestReport(ctx, "2026-11", false); latest.ID != rep.ID {
			t.Errorf("rerun recorded a new report %s; want the first reused", latest.Path)
		}
	})
}

// TestMonthlyReportOnDemand is `minsheng report --month 2026-11 -o file`.
func TestMonthlyReportOnDemand(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		now := modeltest.At(2026, 12, 3, 15, 0)
		setup(t, s, now)
		modeltest.SeedNovember2026(t, s)
		p, err := models.ParseMonth("2026-11", s.Location)
		modeltest.Must(t, err, "month")
		out := filepath.Join(t.TempDir(), "sub", "nov.xlsx")
		rep, data, err := monthly(s, "").Produce(ctx, p, now, out, false)
		modeltest.Must(t, err, "produce")
		if rep.Path != out || rep.Scheduled || rep.Month != "2026-11" {
			t.Errorf("recorded %+v; want the on-demand report at %s", rep, out)
		}
		f, err := excelize.OpenFile(out)
		modeltest.Must(t, err, "open %s", out)
		defer f.Close()
		if got := cells(t, f, reports.SheetUnits, 4, 5); fmt.Sprint(got) != "[cg 县城市管理局 12 11 10]" {
			t.Errorf("cg row = %v", got)
		}
		if len(data) == 0 || outboxRows(t, s) != 0 {
			t.Errorf("on demand: %d bytes, %d messages; want a file and no message", len(data), outboxRows(t, s))
		}
		// An empty month still makes a workbook.
		empty, err := models.ParseMonth("2025-02", s.Location)
		modeltest.Must(t, err, "month")
		_, _, err = monthly(s, t.TempDir()).Produce(ctx, empty, now, "", false)
		modeltest.Must(t, err, "produce an empty month")
	})
}

func TestPreviousMonth(t *testing.T) {
	tests := []struct {
		now  time.Time
		want string
	}{
		{modeltest.At(2026, 12, 1, 8, 0), "2026-11"},
		{modeltest.At(2026, 12, 31, 23, 59), "2026-11"},
		{modeltest.At(2027, 1, 1, 0, 0), "2026-12"},
		{modeltest.At(2026, 3, 31, 12, 0), "2026-02"},
	}
	for _, tt := range tests {
		if got := reports.PreviousMonth(tt.now, modeltest.Shanghai).Month(); got != tt.want {
			t.Errorf("PreviousMonth(%v) = %s; want %s", tt.now, got, tt.want)
		}
	}
	if got := reports.FileName("2026-03"); got != "网络问政月报-2026年3月.xlsx" {
		t.Errorf("FileName(2026-03) = %q", got)
	}
}
