package reports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/models"
)

// Monthly is the monthly report (月报): an Excel workbook of a month's
// figures — a summary sheet, a per-unit sheet, the case list, the written
// feedback and the month's hot topics (舆情热点), laid out
// for printing on A4 landscape — written under Dir and recorded in the
// database, and the note of the totals that goes with it to the
// dispatchers. The workbook has no reporter's name, phone or openid, and
// the problem text in it is masked (redact.Identity).
type Monthly struct {
	Store *models.Store
	// Dir is where workbooks are written (reports.dir).
	Dir string
	// ReplyTarget and SatisfactionTarget are the targets, as fractions.
	ReplyTarget, SatisfactionTarget float64
	// FlagRule names units under target: both rates (the regulation's, the
	// default) or either (reports.flag_rule).
	FlagRule models.FlagRule
	// Logger defaults to slog.Default().
	Logger *slog.Logger
}

func (m *Monthly) log() *slog.Logger {
	if m.Logger != nil {
		return m.Logger
	}
	return slog.Default()
}

func (m *Monthly) loc() *time.Location {
	if m.Store.Location != nil {
		return m.Store.Location
	}
	return time.UTC
}

// PreviousMonth is the calendar month before the one of now.
func PreviousMonth(now time.Time, loc *time.Location) models.Period {
	this := models.MonthPeriod(now, loc)
	return models.MonthPeriod(this.From.Add(-time.Hour), loc)
}

// FileName is the name a month's workbook has for its readers.
func FileName(month string) string {
	y, mo, _ := strings.Cut(month, "-")
	return fmt.Sprintf("网络问政月报-%s年%s月.xlsx", y, strings.TrimPrefix(mo, "0"))
}

// Issue is a month's report as it goes out: the recorded workbook, its
// bytes, and the month's figures for the note.
type Issue struct {
	Report *models.Report
	Data   []byte
	Stats  *models.Stats
}

// Scheduled is the report of the month before now, made once: the recorded
// scheduled workbook when its file is still there unchanged, else a new one
// produced and recorded; with the month's figures as they stand at now.
func (m *Monthly) Scheduled(ctx context.Context, now time.Time) (*Issue, error) {
	p := PreviousMonth(now, m.loc())
	month := p.Month()
	rep, data, err := m.scheduled(ctx, month)
	if err != nil {
		return nil, err
	}
	if rep == nil {
		if rep, data, err = m.Produce(ctx, p, now, "", true); err != nil {
			return nil, err
		}
	}
	st, err := m.Store.Stats(ctx, p, now)
	if err != nil {
		return nil, fmt.Errorf("monthly report %s: %w", month, err)
	}
	return &Issue{Report: rep, Data: data, Stats: st}, nil
}

// scheduled returns the month's recorded scheduled report and its bytes, or
// nil if there is none or its file is gone or changed.
func (m *Monthly) scheduled(ctx context.Context, month string) (*models.Report, []byte, error) {
	rep, err := m.Store.LatestReport(ctx, month, true)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("monthly report %s: %w", month, err)
	}
	data, err := os.ReadFile(rep.Path)
	if err != nil {
		m.log().WarnContext(ctx, "recorded monthly report unreadable; making it again", "month", month, "path", rep.Path, "err", err)
		return nil, nil, nil
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != rep.SHA256 {
		m.log().WarnContext(ctx, "recorded monthly report changed on disk; making it again", "month", month, "path", rep.Path)
		return nil, nil, nil
	}
	return rep, data, nil
}

// Produce writes the workbook of month p, as it stands at now, to path (a
// new file under Dir when path is empty), records it and returns the record
// and the bytes written.
func (m *Monthly) Produce(ctx context.Context, p models.Period, now time.Time, path string, scheduled bool) (*models.Report, []byte, error) {
	month := p.Month()
	if path == "" {
		if m.Dir == "" {
			return nil, nil, fmt.Errorf("monthly report %s: reports.dir is not set", month)
		}
		path = filepath.Join(m.Dir, fmt.Sprintf("monthly-%s-%s.xlsx", month, now.In(m.loc()).Format("20060102T150405")))
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, nil, fmt.Errorf("monthly report %s: %w", month, err)
		}
	}
	f, err := m.Workbook(ctx, p, now)
	if err != nil {
		return nil, nil, err
	}
	// Zipped straight into the file, not into memory first; the workbook
	// (its stream buffers) is let go before the file is read back.
	sum := sha256.New()
	size, err := writeFileAtomic(path, func(w io.Writer) error {
		_, err := f.WriteTo(io.MultiWriter(w, sum))
		return err
	})
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close workbook: %w", cerr)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("monthly report %s: %w", month, err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("monthly report %s: %w", month, err)
	}
	rep := &models.Report{Month: month, Path: path, SHA256: hex.EncodeToString(sum.Sum(nil)), Size: size, Scheduled: scheduled}
	if err := m.Store.AddReport(ctx, rep); err != nil {
		return nil, nil, err
	}
	return rep, data, nil
}

// writeFileAtomic writes a temporary file beside path with write and
// renames it to path; it returns the bytes written.
func writeFileAtomic(path string, write func(io.Writer) error) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*.xlsx")
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", path, err)
	}
	cw := &countingWriter{w: tmp}
	werr := write(cw)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o640)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return 0, fmt.Errorf("write %s: %w", path, werr)
	}
	return cw.n, nil
}

// countingWriter counts what goes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// Note is the message that goes with the workbook: the month's totals, the
// units under target, and where the file is; attached says the file follows
// as the next message.
func (m *Monthly) Note(is *Issue, attached bool) string {
	st, rep := is.Stats, is.Report
	t := st.Total
	var b strings.Builder
	fmt.Fprintf(&b, "**网络问政月报（%s）**\n", monthLabel(st.Period))
	fmt.Fprintf(&b, "受理 %d 件，有效 %d 件，交办 %d 件，已答复 %d 件，满意 %d 件，未到期 %d 件，当前超期 %d 件，迟报 %d 件。\n",
		st.Intake.Received, st.Intake.Valid, t.Assigned, t.Answered, t.Satisfied, t.NotDue(), t.Overdue, st.LateReports)
	fmt.Fprintf(&b, "回复率 %s，满意率 %s（仅计已评价 %s），按期率 %s。\n", t.ReplyRate(), t.SatisfactionRate(), t.RatedSatisfactionRate(), t.OnTimeRate())
	if n := t.AppealNote(); n != "" { // upheld appeals (models/rating.go)
		fmt.Fprintf(&b, "满意率%s。\n", n)
	}
	var below []string
	for _, u := range st.Units {
		if w := m.below(u); w != "" {
			below = append(below, u.Name+"（"+w+"）")
		}
	}
	if len(below) > 0 {
		fmt.Fprintf(&b, "%s低于目标的单位：%s。\n", flagWord(m.FlagRule), strings.Join(below, "、"))
	}
	if attached {
		fmt.Fprintf(&b, "月报文件见下一条消息（%s），存档：%s", FileName(st.Period.Month()), rep.Path)
	} else {
		fmt.Fprintf(&b, "月报文件存档于服务器：%s", rep.Path)
	}
	return b.String()
}

// below gives a flagged unit's rates (FlagRule), "" when it is not flagged.
func (m *Monthly) below(u models.UnitFigures) string {
	if !u.Flagged(m.FlagRule, m.ReplyTarget, m.SatisfactionTarget) {
		return ""
	}
	return "回复率 " + u.ReplyRate().String() + "，满意率 " + u.SatisfactionRate().String()
}

// monthLabel is 2026年11月.
func monthLabel(p models.Period) string { return p.From.Format("2006年1月") }

// Sheet names of the workbook.
const (
	SheetSummary = "汇总"
	SheetUnits   = "单位"
	SheetCases   = "案件清单"
	// SheetFedBack lists the written feedback of the month's cases (003).
	SheetFedBack = "书面反馈"
)

// Workbook builds the report of month p as it stands at now. The caller
// closes it.
//
// Every sheet is written row by row through excelize's stream writer, and
// the case list straight from the database's cursor (models.Store.
// EachCaseReceived): a busy county's month is 100,000 cases, which set
// cell by cell would be held as cell structs until the workbook is written
// (`minsheng bench`: 790 MiB peak for 100,000 cases), and read all at once
// as 100,000 rows with their texts. A sheet's settings (filter, print
// titles, page setup) are made before its rows, for the stream writer takes
// them over when it starts.
func (m *Monthly) Workbook(ctx context.Context, p models.Period, now time.Time) (*excelize.File, error) {
	month := p.Month()
	// The figures are read while the case list is written: the list is
	// this process's work (most of the report's time), the figures the
	// database's, on a connection of their own. The summary and the units'
	// sheets, which show them, are written after the list, in their places
	// (the sheets are in the order they were created).
	var (
		st     *models.Stats
		fed    []models.FedBackRow
		topics []topicLine
	)
	read := make(chan error, 1)
	go func() {
		read <- together(
			func() (err error) { st, err = m.Store.Stats(ctx, p, now); return err },
			func() (err error) { fed, err = m.Store.FedBack(ctx, p); return err },
			func() (err error) { topics, err = topicLines(ctx, m.Store, p, models.Period{}); return err },
		)
	}()
	f := excelize.NewFile()
	w := &sheetWriter{f: f}
	w.styles()
	if err := f.SetSheetName("Sheet1", SheetSummary); err != nil {
		w.err = err
	}
	_, err := f.NewSheet(SheetUnits)
	w.do(err)
	listErr := m.caseSheet(ctx, w, p)
	if err := <-read; err != nil {
		f.Close()
		return nil, fmt.Errorf("monthly report %s: %w", month, err)
	}
	if listErr != nil {
		f.Close()
		return nil, fmt.Errorf("monthly report %s: %w", month, listErr)
	}
	m.summarySheet(w, st, now)
	m.unitSheet(w, st)
	m.fedBackSheet(w, p, fed)
	m.topicSheet(w, p, topics, now)
	_ = f.SetDocProps(&excelize.DocProperties{
		Title: "网络问政月报 " + monthLabel(p), Creator: "民声", Description: "统计截至 " + now.In(m.loc()).Format("2006-01-02 15:04"),
	})
	// The summary, the first sheet, is the active one as the new file's
	// Sheet1 was: no SetActiveSheet, which reads every sheet back into
	// cell structs, the streamed case list included (on PostgreSQL's
	// 20,000 cases of `minsheng bench -seed 200000`: 300 MiB and 30 s).
	if w.err != nil {
		f.Close()
		return nil, fmt.Errorf("monthly report %s: build workbook: %w", month, w.err)
	}
	return f, nil
}

// sheetWriter keeps the first error of a run of excelize calls.
type sheetWriter struct {
	f   *excelize.File
	err error
	// styles
	title, sub, head, text, num, pctStyle, total, totalNum, totalPct, note, warn int
}

func (w *sheetWriter) do(err error) {
	if w.err == nil && err != nil {
		w.err = err
	}
}

func (w *sheetWriter) style(s *excelize.Style) int {
	id, err := w.f.NewStyle(s)
	w.do(err)
	return id
}

func (w *sheetWriter) styles() {
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	font := func(bold bool, size float64, color string) *excelize.Font {
		return &excelize.Font{Family: "宋体", Size: size, Bold: bold, Color: color}
	}
	pctFmt := "0.0%"
	w.title = w.style(&excelize.Style{Font: font(true, 16, ""), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	w.sub = w.style(&excelize.Style{Font: font(false, 10, "595959"), Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	w.head = w.style(&excelize.Style{Font: font(true, 11, ""), Border: border,
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	w.text = w.style(&excelize.Style{Font: font(false, 10, ""), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	w.num = w.style(&excelize.Style{Font: font(false, 10, ""), Border: border, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}})
	w.pctStyle = w.style(&excelize.Style{Font: font(false, 10, ""), Border: border, CustomNumFmt: &pctFmt, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}})
	totalFill := excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}
	w.total = w.style(&excelize.Style{Font: font(true, 10, ""), Border: border, Fill: totalFill, Alignment: &excelize.Alignment{Vertical: "center"}})
	w.totalNum = w.style(&excelize.Style{Font: font(true, 10, ""), Border: border, Fill: totalFill, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}})
	w.totalPct = w.style(&excelize.Style{Font: font(true, 10, ""), Border: border, Fill: totalFill, CustomNumFmt: &pctFmt, Alignment: &excelize.Alignment{Horizontal: "right", Vertical: "center"}})
	w.note = w.style(&excelize.Style{Font: font(false, 9, "595959"), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	w.warn = w.style(&excelize.Style{Font: font(true, 10, "C00000"), Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
}

// xlCell names the cell at col, row (1-based): xlCell(2, 3) is B3.
func xlCell(col, row int) string {
	c, _ := excelize.CoordinatesToCellName(col, row)
	return c
}

// stream is one sheet being written row by row: its title and subtitle
// merged over its columns, its header row frozen and repeated on every
// printed page, its column widths, then its rows.
type stream struct {
	w    *sheetWriter
	sw   *excelize.StreamWriter
	cols int
	row  int // the last row written
}

// newSheet starts sheet (created unless it is the first): its page setup
// and print titles, then the stream with the column widths, the heading and
// the table's header row.
func (w *sheetWriter) newSheet(sheet, title, sub string, names []string, widths []float64) *stream {
	if sheet != SheetSummary {
		_, err := w.f.NewSheet(sheet)
		w.do(err)
	}
	w.printTitles(sheet, 3)
	w.pageSetup(sheet)
	if w.err != nil {
		return &stream{w: w}
	}
	sw, err := w.f.NewStreamWriter(sheet)
	if err != nil {
		w.do(err)
		return &stream{w: w}
	}
	st := &stream{w: w, sw: sw, cols: len(names)}
	for i, wd := range widths {
		w.do(sw.SetColWidth(i+1, i+1, wd))
	}
	w.do(sw.SetPanes(frozenAbove(3)))
	st.put(30, excelize.Cell{StyleID: w.title, Value: title})
	st.put(20, excelize.Cell{StyleID: w.sub, Value: sub})
	head := make([]any, len(names))
	for i, n := range names {
		head[i] = excelize.Cell{StyleID: w.head, Value: n}
	}
	st.putRow(30, head)
	return st
}

// put writes the next row of cells, height 0 for the default.
func (st *stream) put(height float64, cells ...any) { st.putRow(height, cells) }

func (st *stream) putRow(height float64, cells []any) {
	st.row++
	if st.sw == nil {
		return
	}
	var opts []excelize.RowOpts
	if height > 0 {
		opts = append(opts, excelize.RowOpts{Height: height})
	}
	st.w.do(st.sw.SetRow(xlCell(1, st.row), cells, opts...))
}

// merge merges the cells of the row just written over every column.
func (st *stream) merge() {
	if st.sw != nil {
		st.w.do(st.sw.MergeCell(xlCell(1, st.row), xlCell(st.cols, st.row)))
	}
}

// end merges the heading over the columns and ends the sheet.
func (st *stream) end() {
	if st.sw == nil {
		return
	}
	st.w.do(st.sw.MergeCell(xlCell(1, 1), xlCell(st.cols, 1)))
	st.w.do(st.sw.MergeCell(xlCell(1, 2), xlCell(st.cols, 2)))
	st.w.do(st.sw.Flush())
}

// The cell-by-cell helpers of the small sheets that are not streamed (the
// assessment workbook, assessment.go).

func (w *sheetWriter) set(sheet string, col, row int, v any, style int) {
	w.do(w.f.SetCellValue(sheet, xlCell(col, row), v))
	w.do(w.f.SetCellStyle(sheet, xlCell(col, row), xlCell(col, row), style))
}

// rate writes a rate as a percentage number, or "—" when undefined.
func (w *sheetWriter) rate(sheet string, col, row int, r models.Rate, style, textStyle int) {
	if !r.Defined() {
		w.set(sheet, col, row, "—", textStyle)
		return
	}
	w.set(sheet, col, row, r.Value(), style)
}

// heading writes a sheet's title and subtitle merged over cols columns.
func (w *sheetWriter) heading(sheet, title, sub string, cols int) {
	w.set(sheet, 1, 1, title, w.title)
	w.do(w.f.MergeCell(sheet, xlCell(1, 1), xlCell(cols, 1)))
	w.do(w.f.SetRowHeight(sheet, 1, 30))
	w.set(sheet, 1, 2, sub, w.sub)
	w.do(w.f.MergeCell(sheet, xlCell(1, 2), xlCell(cols, 2)))
	w.do(w.f.SetRowHeight(sheet, 2, 20))
}

// header writes a table's header row at row and repeats it on every printed page.
func (w *sheetWriter) header(sheet string, row int, names []string) {
	for i, n := range names {
		w.set(sheet, i+1, row, n, w.head)
	}
	w.do(w.f.SetRowHeight(sheet, row, 30))
	w.do(w.f.SetPanes(sheet, frozenAbove(row)))
	w.printTitles(sheet, row)
}

// print sets A4 landscape, fit to one page wide, margins and page numbers.
func (w *sheetWriter) print(sheet string, widths []float64) {
	for i, wd := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		w.do(w.f.SetColWidth(sheet, col, col, wd))
	}
	w.pageSetup(sheet)
}

// rate is a rate as a cell: a percentage number, or "—" when undefined.
func rateCell(r models.Rate, style, textStyle int) excelize.Cell {
	if !r.Defined() {
		return excelize.Cell{StyleID: textStyle, Value: "—"}
	}
	return excelize.Cell{StyleID: style, Value: r.Value()}
}

// frozenAbove keeps the rows up to row in view while the rest scrolls.
func frozenAbove(row int) *excelize.Panes {
	return &excelize.Panes{Freeze: true, YSplit: row, TopLeftCell: xlCell(1, row+1), ActivePane: "bottomLeft"}
}

// printTitles repeats row at the top of every printed page of sheet.
func (w *sheetWriter) printTitles(sheet string, row int) {
	w.do(w.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sheet, row, row), Scope: sheet}))
}

// pageSetup sets A4 landscape, fit to one page wide, margins and page numbers.
func (w *sheetWriter) pageSetup(sheet string) {
	size, orient, wide, tall := 9, "landscape", 1, 0 // 9: A4
	w.do(w.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &wide, FitToHeight: &tall}))
	fit := true
	w.do(w.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	side, topBottom, hf, center := 0.5, 0.75, 0.3, true
	w.do(w.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &topBottom, Bottom: &topBottom, Header: &hf, Footer: &hf, Horizontally: &center,
	}))
	w.do(w.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C第 &P 页，共 &N 页"}))
}

func (m *Monthly) summarySheet(w *sheetWriter, st *models.Stats, now time.Time) {
	loc := m.loc()
	s := w.newSheet(SheetSummary, "网络问政月报（"+monthLabel(st.Period)+"）",
		fmt.Sprintf("统计期间：%s 至 %s（按受理时间）　数据截至：%s", st.Period.From.Format("2006-01-02"),
			st.Period.To.AddDate(0, 0, -1).Format("2006-01-02"), now.In(loc).Format("2006-01-02 15:04")),
		[]string{"项目", "数值", "说明"}, []float64{22, 14, 60})
	t := st.Total
	rows := []struct {
		name string
		v    any
		note string
	}{
		{"受理", st.Intake.Received, "本月收到的群众反映"},
		{"有效", st.Intake.Valid, "经分办为有效并交办"},
		{"无效", st.Intake.Invalid, ""},
		{"重复反映", st.Intake.Duplicate, "已并入此前的件"},
		{"待分办", st.Intake.Waiting, "尚待问政办分办（含被退回的件）"},
		{"交办", t.Assigned, "有牵头单位的件"},
		{"未到期", t.NotDue(), "未答复且未过办理时限的件，不计入回复率、满意率"},
		{"已答复", t.Answered, "答复已送达群众"},
		{"按期答复", t.OnTime, "在办理期限（含延期）内答复"},
		{"当前超期", t.Overdue, "未答复且已过期限的件（不限受理月份）"},
		{"延期申请", t.ExtensionsRequested, ""},
		{"延期批准", t.ExtensionsApproved, ""},
		{"已评价", t.Rated, ""},
		{"满意（含基本满意）", t.Satisfied, ""},
		{"迟报", st.LateReports, "重大、特别重大事项超过报送时限上报的件"},
		{"回复率", t.ReplyRate(), "已答复 ÷ 交办（不含未到期）"},
		{"满意率", t.SatisfactionRate(), "（满意 + 基本满意）÷ 交办（不含未到期）" + appealSuffix(t)},
		{"评价满意率", t.RatedSatisfactionRate(), "（满意 + 基本满意）÷ 已评价，仅供参考，不作考核"},
		{"按期率", t.OnTimeRate(), "按期答复 ÷ 已答复"},
	}
	for _, r := range rows {
		v := excelize.Cell{StyleID: w.num, Value: r.v}
		if rate, ok := r.v.(models.Rate); ok {
			v = rateCell(rate, w.pctStyle, w.num)
		}
		s.put(0, excelize.Cell{StyleID: w.text, Value: r.name}, v, excelize.Cell{StyleID: w.text, Value: r.note})
	}
	var below []string
	for _, u := range st.Units {
		if why := m.below(u); why != "" {
			below = append(below, u.Name+"（"+why+"）")
		}
	}
	which := excelize.Cell{StyleID: w.text, Value: "无"}
	if len(below) > 0 {
		which = excelize.Cell{StyleID: w.warn, Value: strings.Join(below, "；")}
	}
	s.put(0, excelize.Cell{StyleID: w.text, Value: flagWord(m.FlagRule) + "低于目标的单位"}, excelize.Cell{StyleID: w.num, Value: len(below)}, which)
	s.row++ // a blank row before the note
	s.put(48, excelize.Cell{StyleID: w.note, Value: fmt.Sprintf("口径：以本月受理的件为统计对象；答复、超期按数据截至时的状态计；未答复且未过办理时限的件为未到期，不计入回复率、满意率的分子和分母；比率分母为零时记“—”，不计入低于目标。目标：回复率 %s，满意率 %s；%s低于目标的单位予以提醒。本表不含反映人身份信息。",
		fmtTarget(m.ReplyTarget), fmtTarget(m.SatisfactionTarget), flagWord(m.FlagRule))})
	s.merge()
	s.end()
}

// unitFigures are the figures of the per-unit sheet, a column each between
// the unit's name and its rates: the header, the width and the figure.
var unitFigures = []struct {
	name  string
	width float64
	value func(u models.UnitFigures) int64
}{
	{"收件", 7, func(u models.UnitFigures) int64 { return u.Received }},
	{"有效", 7, func(u models.UnitFigures) int64 { return u.Valid }},
	{"交办", 7, func(u models.UnitFigures) int64 { return u.Assigned }},
	{"未到期", 8, func(u models.UnitFigures) int64 { return u.NotDue() }},
	{"已答复", 8, func(u models.UnitFigures) int64 { return u.Answered }},
	{"按期答复", 9, func(u models.UnitFigures) int64 { return u.OnTime }},
	{"当前超期", 9, func(u models.UnitFigures) int64 { return u.Overdue }},
	{"延期申请", 9, func(u models.UnitFigures) int64 { return u.ExtensionsRequested }},
	{"延期批准", 9, func(u models.UnitFigures) int64 { return u.ExtensionsApproved }},
	{"已评价", 8, func(u models.UnitFigures) int64 { return u.Rated }},
	{"满意", 7, func(u models.UnitFigures) int64 { return u.Satisfied }},
}

func (m *Monthly) unitSheet(w *sheetWriter, st *models.Stats) {
	names, widths := []string{"单位代码", "单位名称"}, []float64{9, 22}
	for _, c := range unitFigures {
		names, widths = append(names, c.name), append(widths, c.width)
	}
	names, widths = append(names, "回复率", "按期率", "满意率", "提醒"), append(widths, 9, 9, 9, 24)
	s := w.newSheet(SheetUnits, "各单位办理情况（"+monthLabel(st.Period)+"）", "收件含被本单位退回的件；其余各项以本单位牵头的件计", names, widths)
	put := func(u models.UnitFigures, total bool) {
		txt, num, pct := w.text, w.num, w.pctStyle
		if total {
			txt, num, pct = w.total, w.totalNum, w.totalPct
		}
		cells := []any{excelize.Cell{StyleID: txt, Value: u.Code}, excelize.Cell{StyleID: txt, Value: u.Name}}
		for _, c := range unitFigures {
			cells = append(cells, excelize.Cell{StyleID: num, Value: c.value(u)})
		}
		cells = append(cells, rateCell(u.ReplyRate(), pct, num), rateCell(u.OnTimeRate(), pct, num), rateCell(u.SatisfactionRate(), pct, num))
		note, style := "", txt
		if why := m.below(u); why != "" && !total {
			note, style = "提醒："+why, w.warn
		}
		// Upheld appeals are out of the satisfaction rate (models/rating.go).
		if n := u.AppealNote(); n != "" {
			if note != "" {
				note, style = note+"；", w.warn
			}
			note += "满意率" + n
		}
		s.putRow(0, append(cells, excelize.Cell{StyleID: style, Value: note}))
	}
	for _, u := range st.Units {
		put(u, false)
	}
	put(st.Total, true)
	s.end()
}

// caseSheet writes the case list, row by row from the database's cursor.
// Its filter covers the header and the cases, counted in the same snapshot
// before the first is read. The rows are masked and written by a goroutine
// of their own while the next ones are read.
func (m *Monthly) caseSheet(ctx context.Context, w *sheetWriter, p models.Period) error {
	names := []string{"编号", "受理时间", "交办时间", "承办单位", "状态", "类别", "办理期限", "答复时间", "是否按期", "评价", "问题摘要"}
	widths := []float64{14, 17, 17, 20, 9, 6, 17, 17, 8, 9, 48}
	loc := m.loc()
	var s *stream
	// Two goroutines: this one reads the rows and masks their texts (the
	// line), the writer sets the cells; each is about half the work.
	rows := make(chan []string, 256)
	written := make(chan int)
	write := func() {
		cells := make([]any, len(names))
		n := 0
		for line := range rows {
			for col, v := range line {
				sty := w.text
				if col == 8 && v == "否" {
					sty = w.warn
				}
				cells[col] = excelize.Cell{StyleID: sty, Value: v}
			}
			s.putRow(0, cells)
			n++
		}
		written <- n
	}
	started := false
	err := m.Store.EachCaseReceived(ctx, p, func(count int) error {
		_, err := w.f.NewSheet(SheetCases)
		w.do(err)
		w.do(w.f.AutoFilter(SheetCases, fmt.Sprintf("A3:%s", xlCell(len(names), 3+max(count, 1))), nil))
		s = w.newSheet(SheetCases, "案件清单（"+monthLabel(p)+"受理）", "问题摘要已隐去电话、身份证号、姓名；不含反映人信息", names, widths)
		if w.err != nil {
			return w.err
		}
		started = true
		go write() // w is the writer's from here until it has written every row
		return nil
	}, func(c *models.CaseRow) error {
		rows <- workbookLine(*c, loc)
		return nil
	})
	close(rows)
	if !started {
		return err
	}
	n := <-written
	if err != nil {
		return err
	}
	if n == 0 {
		s.put(0, excelize.Cell{StyleID: w.text, Value: "本月没有受理的件"})
	}
	s.end()
	return nil
}

// fedBackSheet lists what was fed back in writing to 县信访局 and
// 县委办督查室 about the month's cases (feedback.recipients), case by case.
func (m *Monthly) fedBackSheet(w *sheetWriter, p models.Period, fed []models.FedBackRow) {
	s := w.newSheet(SheetFedBack, "书面反馈（"+monthLabel(p)+"受理的件）", "向县信访局、县委办督查室书面反馈办理和答复情况，直到办结为止",
		[]string{"编号", "反馈时间", "反馈对象及内容"}, []float64{14, 17, 70})
	for _, r := range fed {
		s.put(0, excelize.Cell{StyleID: w.text, Value: r.No}, excelize.Cell{StyleID: w.text, Value: r.CreatedAt.In(m.loc()).Format("2006-01-02 15:04")},
			excelize.Cell{StyleID: w.text, Value: r.Body})
	}
	if len(fed) == 0 {
		s.put(0, excelize.Cell{StyleID: w.text, Value: "本月受理的件没有书面反馈记录"})
	}
	s.end()
}

// appealSuffix is what a report adds to the definition of the satisfaction
// rate when upheld appeals were taken out of f's: "；含申诉成立 N 件，已剔除".
func appealSuffix(f models.UnitFigures) string {
	if n := f.AppealNote(); n != "" {
		return "；" + n
	}
	return ""
}
