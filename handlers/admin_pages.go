package handlers

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"minsheng/models"
	"minsheng/redact"
	"minsheng/reports"
)

// The dashboard's pages and exports (admin.go has the sign-in).

// pageTime is the one format of a time on the dashboard's pages.
const pageTime = "2006-01-02 15:04"

// adminPeriod is the period a page is about: from and to are dates
// (YYYY-MM-DD) in the server's zone, to included.
type adminPeriod struct {
	P        models.Period
	From, To string
	Err      string
}

func (h *adminHandler) loc() *time.Location {
	if h.store.Location != nil {
		return h.store.Location
	}
	return time.UTC
}

// period reads from and to; without them, the month so far.
func (h *adminHandler) period(c *gin.Context) adminPeriod {
	loc := h.loc()
	now := h.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from, to := today.AddDate(0, 0, 1-today.Day()), today
	var out adminPeriod
	parse := func(key string, dst *time.Time) {
		v := c.Query(key)
		if v == "" {
			return
		}
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			out.Err = "日期格式应为 年-月-日，如 2026-11-01。"
			return
		}
		*dst = t
	}
	parse("from", &from)
	parse("to", &to)
	switch {
	case out.Err != "":
	case to.Before(from):
		out.Err = "结束日期不能早于开始日期。"
	case to.Sub(from) >= time.Duration(h.cfg.ExportMaxDays)*24*time.Hour:
		out.Err = fmt.Sprintf("时间段最长 %d 天。", h.cfg.ExportMaxDays)
	}
	if out.Err != "" {
		from, to = today.AddDate(0, 0, 1-today.Day()), today
	}
	out.P = models.Period{From: from, To: to.AddDate(0, 0, 1)}
	out.From, out.To = from.Format(time.DateOnly), to.Format(time.DateOnly)
	return out
}

// Query is the period as a query string for the pages' links (made of
// checked dates, so safe to put in a URL as it is).
func (p adminPeriod) Query() template.URL {
	return template.URL(url.Values{"from": {p.From}, "to": {p.To}}.Encode())
}

// adminLayout is what every signed-in page carries.
type adminLayout struct {
	User, CSRF, Flash, Here string
	Sandbox                 bool
}

func (h *adminHandler) layout(c *gin.Context) adminLayout {
	u := adminUserOf(c)
	return adminLayout{User: u.Name, CSRF: h.csrfToken(u), Flash: h.takeFlash(c), Here: c.Request.URL.RequestURI(), Sandbox: h.cfg.Sandbox}
}

// statusCard is one status and its count.
type statusCard struct {
	Label string
	N     int64
	Code  models.Status
}

// unitRow is one unit's line of figures.
type unitRow struct {
	models.UnitFigures
	ReplyLow, SatisfiedLow bool
	// Flagged is set for a unit named by the flag rule (提醒).
	Flagged bool
}

// overdueRow is one overdue case.
type overdueRow struct {
	No, Status, Unit, Due, Late string
}

// failedRow is one failed delivery.
type failedRow struct {
	ID                                        uint64
	At, Platform, To, Purpose, CaseNo, Reason string
	Attempts                                  int
}

// dashboardPage is what dashboard.html draws.
type dashboardPage struct {
	adminLayout
	Period  adminPeriod
	Status  []statusCard
	Open    int64
	Overdue int64
	Units   []unitRow
	Total   unitRow
	Late    []overdueRow
	Failed  []failedRow
	Chart   chart
	// FlagRule is how units are named (提醒): both or either.
	FlagRule string
	// Ranking is the 考核 ranking of the period (assessment.*).
	Ranking []reports.Score
}

func (h *adminHandler) dashboard(c *gin.Context) {
	ctx := c.Request.Context()
	loc, now := h.loc(), h.now()
	p := dashboardPage{adminLayout: h.layout(c), Period: h.period(c), FlagRule: string(h.cfg.FlagRule)}
	counts, err := h.store.CountByStatus(ctx)
	if err != nil {
		h.broken(c, err)
		return
	}
	for _, sc := range counts {
		p.Status = append(p.Status, statusCard{Label: sc.Status.Label(), N: sc.N, Code: sc.Status})
		if sc.Status.Open() {
			p.Open += sc.N
		}
	}
	st, err := h.store.Stats(ctx, p.Period.P, now)
	if err != nil {
		h.broken(c, err)
		return
	}
	for _, u := range st.Units {
		p.Units = append(p.Units, h.unitRow(u))
	}
	p.Total = h.unitRow(st.Total)
	if h.cfg.Weights != nil {
		p.Ranking = h.cfg.Weights.Rank(st.Units)
	}
	p.Overdue = st.Total.Overdue
	late, err := h.store.LongestOverdue(ctx, now, h.cfg.OverdueList)
	if err != nil {
		h.broken(c, err)
		return
	}
	for _, k := range late {
		p.Late = append(p.Late, overdueRow{
			No: k.No, Status: k.Status.Label(), Unit: k.DeptName, Due: k.DueAt.In(loc).Format(pageTime), Late: lateBy(now.Sub(k.DueAt)),
		})
	}
	trend, err := h.store.Trend(ctx, now, h.cfg.TrendWeeks, loc)
	if err != nil {
		h.broken(c, err)
		return
	}
	p.Chart = trendChart(trend)
	if p.Failed, err = h.failed(c); err != nil {
		h.broken(c, err)
		return
	}
	h.render(c, http.StatusOK, "dashboard.html", p)
}

func (h *adminHandler) unitRow(u models.UnitFigures) unitRow {
	return unitRow{UnitFigures: u, ReplyLow: u.ReplyRate().Below(h.cfg.ReplyTarget), SatisfiedLow: u.SatisfactionRate().Below(h.cfg.SatisfactionTarget),
		Flagged: u.Flagged(h.cfg.FlagRule, h.cfg.ReplyTarget, h.cfg.SatisfactionTarget)}
}

// broken answers a page that could not be read from the database.
func (h *adminHandler) broken(c *gin.Context, err error) {
	logger(c).Error("dashboard page", "path", c.FullPath(), "err", err)
	h.fail(c, http.StatusInternalServerError, "系统繁忙", "请稍后刷新。")
}

// lateBy says how long past the deadline a case is.
func lateBy(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return fmt.Sprintf("%d天", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%d小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d分钟", max(int(d/time.Minute), 1))
}

// openIDLike is what an openid looks like (o and 27 more letters, digits, _
// or -; shorter ones too, to be safe), should a platform's error text carry
// one.
var openIDLike = regexp.MustCompile(`\bo[A-Za-z0-9_-]{11,}`)

// failed lists the failed deliveries, without anything that names a citizen.
func (h *adminHandler) failed(c *gin.Context) ([]failedRow, error) {
	ctx := c.Request.Context()
	rows, err := h.store.FailedOutbox(ctx, h.cfg.FailedList)
	if err != nil {
		return nil, err
	}
	var ids []uint64
	for _, r := range rows {
		if r.CaseID != 0 {
			ids = append(ids, r.CaseID)
		}
	}
	nos, err := h.store.CaseNos(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []failedRow
	for _, r := range rows {
		reason := openIDLike.ReplaceAllString(redact.Mask(r.LastError), "[openid已隐去]")
		if utf8.RuneCountInString(reason) > 160 {
			reason = string([]rune(reason)[:159]) + "…"
		}
		out = append(out, failedRow{
			ID: r.ID, At: r.UpdatedAt.In(h.loc()).Format(pageTime), Platform: platformLabel(r.Platform), To: targetLabel(r.Target),
			Purpose: r.Kind, CaseNo: nos[r.CaseID], Reason: reason, Attempts: r.Attempts,
		})
	}
	return out, nil
}

func platformLabel(p models.Platform) string {
	switch p {
	case models.PlatformMP:
		return "公众号"
	case models.PlatformWeCom:
		return "企业微信"
	case models.PlatformDingTalk:
		return "钉钉"
	}
	return string(p)
}

// targetLabel names an outbox target for the dashboard; a citizen is only
// 群众.
func targetLabel(t string) string {
	to, err := models.ParseTarget(t)
	if err != nil {
		return t
	}
	switch to.Kind {
	case models.TargetCitizen:
		return "群众"
	case models.TargetMember:
		return "成员 #" + strconv.FormatUint(to.ID, 10)
	case models.TargetGroup:
		return "单位群 " + to.Code
	}
	return "联席会议群"
}

// chart is the trend chart as inline SVG: bars of cases received and
// answers given per week.
type chart struct {
	W, H, Weeks  int
	Bars         []chartBar
	Ticks        []chartTick
	Labels       []chartLabel
	Left, Bottom int
	Right        int
	Empty        bool
}

type chartBar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type chartTick struct {
	Y     float64
	Label string
}

type chartLabel struct {
	X     float64
	Label string
	// Alt labels are left out on a phone, where every one would not fit.
	Alt bool
}

// trendChart lays the weeks out on a 720×240 canvas (scaled by the browser).
func trendChart(weeks []models.WeekCount) chart {
	ch := chart{W: 720, H: 240, Weeks: len(weeks), Left: 40, Bottom: 212, Right: 712}
	top := 16.0
	var peak int64
	for _, w := range weeks {
		peak = max(peak, w.Received, w.Answered)
	}
	ch.Empty = peak == 0
	scale := niceCeil(max(peak, 4))
	plotH := float64(ch.Bottom) - top
	for i := 0; i <= 4; i++ {
		v := scale * int64(i) / 4
		ch.Ticks = append(ch.Ticks, chartTick{Y: float64(ch.Bottom) - plotH*float64(v)/float64(scale), Label: strconv.FormatInt(v, 10)})
	}
	if len(weeks) == 0 {
		return ch
	}
	slot := float64(ch.Right-ch.Left) / float64(len(weeks))
	bw := math.Max(slot*0.34, 2)
	every := (len(weeks) + 11) / 12
	for i, w := range weeks {
		x := float64(ch.Left) + slot*float64(i) + slot/2
		label := w.Week.From.Format("01-02")
		for j, v := range []int64{w.Received, w.Answered} {
			hgt := plotH * float64(v) / float64(scale)
			cls, what := "rcv", "受理"
			if j == 1 {
				cls, what = "ans", "答复"
			}
			ch.Bars = append(ch.Bars, chartBar{
				X: round1(x - bw + float64(j)*bw), Y: round1(float64(ch.Bottom) - hgt), W: round1(bw - 1), H: round1(hgt), Class: cls,
				Title: fmt.Sprintf("%s起一周 %s %d 件", label, what, v),
			})
		}
		if i%every == 0 {
			ch.Labels = append(ch.Labels, chartLabel{X: round1(x), Label: label, Alt: (len(weeks)-1-i)/every%2 == 1})
		}
	}
	return ch
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// niceCeil rounds n up to 1, 2 or 5 times a power of ten, times 4 ticks.
func niceCeil(n int64) int64 {
	step := float64(n) / 4
	p := math.Pow(10, math.Floor(math.Log10(step)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= step {
			return int64(math.Ceil(m*p)) * 4
		}
	}
	return n
}

// caseRow is one line of the case list.
type caseRow struct {
	No, Received, Status, Unit, Due, Answered, Rating, Problem string
	// Answerable cases are on the board unless withheld; Outside ones
	// (invalid, duplicate) never are.
	Overdue, Answerable, Outside bool
	Withheld                     *models.BoardWithhold
	WithheldAt                   string
}

// casesPage is what cases.html draws.
type casesPage struct {
	adminLayout
	Period     adminPeriod
	Status     string
	Statuses   []statusCard
	Rows       []caseRow
	Total      int
	Page, Last int
	Prev, Next string
}

// exportRows reads the cases received in p, masked, with their withholdings.
func (h *adminHandler) exportRows(c *gin.Context, p models.Period) ([]models.CaseRow, map[string]models.BoardWithhold, map[string][]string, error) {
	ctx := c.Request.Context()
	rows, err := h.store.CasesReceived(ctx, p)
	if err != nil {
		return nil, nil, nil, err
	}
	nos := make([]string, 0, len(rows))
	for _, r := range rows {
		nos = append(nos, r.No)
	}
	withheld, err := h.store.WithheldByNo(ctx, nos)
	if err != nil {
		return nil, nil, nil, err
	}
	known, err := h.store.ReporterContacts(ctx, p)
	if err != nil {
		return nil, nil, nil, err
	}
	return rows, withheld, known, nil
}

func (h *adminHandler) cases(c *gin.Context) {
	loc, now := h.loc(), h.now()
	p := casesPage{adminLayout: h.layout(c), Period: h.period(c), Status: c.Query("status")}
	rows, withheld, known, err := h.exportRows(c, p.Period.P)
	if err != nil {
		h.broken(c, err)
		return
	}
	counts := map[models.Status]int{}
	var chosen []models.CaseRow
	for _, r := range rows {
		counts[r.Status]++
		if p.Status == "" || string(r.Status) == p.Status {
			chosen = append(chosen, r)
		}
	}
	for _, st := range []models.Status{models.StatusReceived, models.StatusAssigned, models.StatusHandling, models.StatusReviewing,
		models.StatusAnswered, models.StatusClosed, models.StatusInvalid, models.StatusDuplicate} {
		p.Statuses = append(p.Statuses, statusCard{Label: st.Label(), N: int64(counts[st]), Code: st})
	}
	// Newest first.
	for i, j := 0, len(chosen)-1; i < j; i, j = i+1, j-1 {
		chosen[i], chosen[j] = chosen[j], chosen[i]
	}
	p.Total = len(chosen)
	page, _ := strconv.Atoi(c.Query("page"))
	p.Page = min(max(page, 1), maxPage)
	p.Last = max((p.Total+h.cfg.PageSize-1)/h.cfg.PageSize, 1)
	from := min((p.Page-1)*h.cfg.PageSize, len(chosen))
	for _, r := range chosen[from:min(from+h.cfg.PageSize, len(chosen))] {
		row := caseRow{
			No: r.No, Received: r.ReceivedAt.In(loc).Format(pageTime), Status: r.Status.Label(), Unit: r.DeptName,
			Problem: summarize(redact.Mask(r.Content, known[r.No]...), 80),
		}
		if r.DueAt != nil {
			row.Due = r.DueAt.In(loc).Format(pageTime)
			row.Overdue = r.Status.Open() && now.After(*r.DueAt)
		}
		if r.AnsweredAt != nil {
			row.Answered = r.AnsweredAt.In(loc).Format(pageTime)
		}
		if r.Rating != nil {
			row.Rating = *r.Rating
		}
		if w, ok := withheld[r.No]; ok {
			row.Withheld = &w
			row.WithheldAt = w.CreatedAt.In(loc).Format(pageTime)
		}
		row.Answerable = r.Status == models.StatusAnswered || r.Status == models.StatusClosed
		row.Outside = r.Status == models.StatusInvalid || r.Status == models.StatusDuplicate
		p.Rows = append(p.Rows, row)
	}
	link := func(page int) string {
		v := url.Values{"from": {p.Period.From}, "to": {p.Period.To}}
		if p.Status != "" {
			v.Set("status", p.Status)
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return "/admin/cases?" + v.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(min(p.Page-1, p.Last))
	}
	if p.Page < p.Last {
		p.Next = link(p.Page + 1)
	}
	h.render(c, http.StatusOK, "cases.html", p)
}

// summarize is text on one line, cut to n characters.
func summarize(text string, n int) string {
	r := []rune(strings.Join(strings.Fields(text), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}

// exportLines are the case list's rows as text (reports.ExportLine).
func (h *adminHandler) exportLines(rows []models.CaseRow, withheld map[string]models.BoardWithhold, known map[string][]string) [][]string {
	loc := h.loc()
	out := make([][]string, 0, len(rows))
	for _, r := range rows {
		_, held := withheld[r.No]
		out = append(out, reports.ExportLine(r, held, known[r.No], loc))
	}
	return out
}

// exportName is the file name of an export: ASCII, and the Chinese one.
func exportName(p adminPeriod, ext string) (ascii, chinese string) {
	ascii = "cases-" + strings.ReplaceAll(p.From, "-", "") + "-" + strings.ReplaceAll(p.To, "-", "") + "." + ext
	return ascii, "案件清单-" + p.From + "至" + p.To + "." + ext
}

func attachment(c *gin.Context, ascii, chinese string) {
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, ascii, url.PathEscape(chinese)))
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (h *adminHandler) exportCSV(c *gin.Context) {
	p := h.period(c)
	if p.Err != "" {
		h.fail(c, http.StatusBadRequest, "无法导出", p.Err)
		return
	}
	rows, withheld, known, err := h.exportRows(c, p.P)
	if err != nil {
		h.broken(c, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff") // Excel reads UTF-8 CSV by its BOM
	w := csv.NewWriter(&buf)
	w.Write(reports.ExportHeader)
	for _, line := range h.exportLines(rows, withheld, known) {
		for i := range line {
			line[i] = csvSafe(line[i])
		}
		w.Write(line)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		h.broken(c, err)
		return
	}
	ascii, chinese := exportName(p, "csv")
	attachment(c, ascii, chinese)
	logger(c).Info("case list exported", "format", "csv", "from", p.From, "to", p.To, "cases", len(rows))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

func (h *adminHandler) exportXLSX(c *gin.Context) {
	p := h.period(c)
	if p.Err != "" {
		h.fail(c, http.StatusBadRequest, "无法导出", p.Err)
		return
	}
	rows, withheld, known, err := h.exportRows(c, p.P)
	if err != nil {
		h.broken(c, err)
		return
	}
	data, err := h.workbook(p, h.exportLines(rows, withheld, known))
	if err != nil {
		h.broken(c, err)
		return
	}
	ascii, chinese := exportName(p, "xlsx")
	attachment(c, ascii, chinese)
	logger(c).Info("case list exported", "format", "xlsx", "from", p.From, "to", p.To, "cases", len(rows))
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data)
}

// workbook is the case list as one sheet: a title, the header, one row a
// case, filter and frozen header.
func (h *adminHandler) workbook(p adminPeriod, lines [][]string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "案件清单"
	var firstErr error
	do := func(err error) {
		if err != nil && firstErr == nil {
			firstErr = err
		}
	}
	do(f.SetSheetName("Sheet1", sheet))
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DCE6F1"}, Pattern: 1},
		Border: []excelize.Border{{Type: "bottom", Color: "7F7F7F", Style: 1}}})
	do(err)
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	do(err)
	do(f.SetCellValue(sheet, "A1", "案件清单（"+p.From+" 至 "+p.To+" 受理）— 已隐去反映人信息和文中的个人信息"))
	do(f.SetSheetRow(sheet, "A2", &reports.ExportHeader))
	last, _ := excelize.CoordinatesToCellName(len(reports.ExportHeader), 2)
	do(f.SetCellStyle(sheet, "A2", last, head))
	for i, line := range lines {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		row := make([]any, len(line))
		for j, v := range line {
			row[j] = v
		}
		do(f.SetSheetRow(sheet, cell, &row))
	}
	if len(lines) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(reports.ExportHeader), len(lines)+2)
		do(f.SetCellStyle(sheet, "A3", end, wrap))
	}
	for i, w := range []float64{14, 17, 17, 20, 9, 6, 8, 17, 17, 8, 9, 8, 60} {
		col, _ := excelize.ColumnNumberToName(i + 1)
		do(f.SetColWidth(sheet, col, col, w))
	}
	end, _ := excelize.CoordinatesToCellName(len(reports.ExportHeader), max(len(lines), 1)+2)
	do(f.AutoFilter(sheet, "A2:"+end, nil))
	do(f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
	_ = f.SetDocProps(&excelize.DocProperties{Title: "案件清单 " + p.From + " 至 " + p.To, Creator: "民声"})
	if firstErr != nil {
		return nil, fmt.Errorf("case list workbook: %w", firstErr)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("case list workbook: %w", err)
	}
	return buf.Bytes(), nil
}
