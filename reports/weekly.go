package reports

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"minsheng/models"
)

// together runs fns at once and waits for all of them; it returns their
// errors joined, nil when none failed.
func together(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// weeklyTextMax keeps one weekly message under the group robots' 4096 bytes.
const weeklyTextMax = 4000

// Weekly is the weekly summary: the figures of the last full ISO week
// (Monday to Sunday, in the store's time zone) for the joint-meeting group,
// as a markdown table and a chart of the rates. Per unit: cases new in the
// week, answers given in the week, cases overdue now, and the reply, on-time
// and satisfaction rates of the cases received in the RateDays days up to
// the week's end (see models/stats.go for every definition). Units under
// target are named with a reminder (提醒), the information officers' reports
// are counted (informants.go), and the longest-overdue cases are listed by
// number; nothing about which citizen reported anything is in it.
type Weekly struct {
	Store *models.Store
	// NoTables is set for a group whose robots take neither tables nor
	// pictures (DingTalk): each unit's figures are a line of markdown and
	// no chart is drawn.
	NoTables bool
	// ReplyTarget and SatisfactionTarget are the targets, as fractions
	// (deadlines.reply_rate_target, deadlines.satisfaction_target).
	ReplyTarget, SatisfactionTarget float64
	// FlagRule names units under target: both rates (the regulation's, the
	// default) or either (reports.flag_rule).
	FlagRule models.FlagRule
	// RateDays is how many days of cases the rates are over (reports.rate_days).
	RateDays int
	// Overdue is how many of the longest-overdue cases are listed
	// (reports.overdue_list).
	Overdue int
	// TopTopics is how many hot topics 本周舆情 lists (hot_topics.weekly_top).
	TopTopics int
}

// WeeklyMessages is one weekly summary, as messages for the group.
type WeeklyMessages struct {
	// Week names the week summed up, e.g. 2026-W47.
	Week string
	// Texts are the markdown messages: one, or more when one would be
	// longer than a group robot takes (each with the table's header).
	Texts []string
	// Chart is the PNG of the rates; nil when NoTables is set.
	Chart []byte
}

// Build computes the summary of the week before the one of now.
func (w *Weekly) Build(ctx context.Context, now time.Time) (*WeeklyMessages, error) {
	loc := w.Store.Location
	if loc == nil {
		loc = time.UTC
	}
	this := models.WeekPeriod(now, loc)
	week := models.Period{From: this.From.AddDate(0, 0, -7), To: this.From}
	days := max(w.RateDays, 1)
	window := models.Period{From: week.To.AddDate(0, 0, -days), To: week.To}
	name := week.ISOWeek()

	// Only the figures the summary shows: of the week the cases new
	// (Assigned), the answers and the overdue; of the window the rates;
	// the information officers' reports and the 舆情 of the week. The
	// reads are independent of each other and run at once, each on a
	// connection of its own: the summary takes as long as the longest
	// (the window's rates), not as long as all of them.
	var (
		ws, rs              *models.Stats
		overdue             []models.OverdueCase
		informants, opinion string
	)
	err := together(
		func() (err error) {
			ws, err = w.Store.StatsOf(ctx, week, now, models.StatsCohort|models.StatsAnswers|models.StatsOverdue)
			return err
		},
		func() (err error) { rs, err = w.Store.StatsOf(ctx, window, now, models.StatsRates); return err },
		func() (err error) { overdue, err = w.Store.LongestOverdue(ctx, now, w.Overdue); return err },
		func() (err error) { informants, err = w.informantSection(ctx, week); return err },
		func() (err error) { opinion, err = w.opinion(ctx, week, now, loc); return err },
	)
	if err != nil {
		return nil, fmt.Errorf("weekly summary %s: %w", name, err)
	}
	rates := map[uint64]models.UnitFigures{}
	for _, u := range rs.Units {
		rates[u.DepartmentID] = u
	}

	// The rows: new and answered from the week, overdue now, rates from the window.
	type row struct {
		label                   string
		newCases, answered, ovd int64
		rate                    models.UnitFigures
		below                   []string
	}
	var rows []row
	var chart Chart
	cy, cw := week.From.ISOWeek()
	chart.Title = fmt.Sprintf("%d年第%d周  各单位回复率、按期率、满意率（%%）", cy, cw)
	for _, u := range ws.Units {
		r := rates[u.DepartmentID]
		x := row{label: u.Code + " " + u.Name, newCases: u.Assigned, answered: u.AnsweredInPeriod, ovd: u.Overdue, rate: r}
		if r.Flagged(w.FlagRule, w.ReplyTarget, w.SatisfactionTarget) {
			x.below = append(x.below, "回复率 "+r.ReplyRate().String(), "满意率 "+r.SatisfactionRate().String())
		}
		rows = append(rows, x)
		chart.Rows = append(chart.Rows, ChartRow{
			Code:  u.Code,
			Rates: [3]models.Rate{r.ReplyRate(), r.OnTimeRate(), r.SatisfactionRate()},
			Below: len(x.below) > 0,
		})
	}
	rows = append(rows, row{label: "合计", newCases: ws.Total.Assigned, answered: ws.Total.AnsweredInPeriod, ovd: ws.Total.Overdue, rate: rs.Total})

	var head, thead, notes strings.Builder
	var lines []string
	y, wk := week.From.ISOWeek()
	fmt.Fprintf(&head, "## 网络问政周报 %d年第%d周（%s—%s）\n", y, wk, shortDate(week.From), shortDate(week.To.AddDate(0, 0, -1)))
	if !w.NoTables {
		thead.WriteString("| 单位 | 本周新增 | 本周答复 | 当前超期 | 未到期 | 回复率 | 满意率 | 按期率 |\n| :-- | --: | --: | --: | --: | --: | --: | --: |\n")
		for _, r := range rows {
			lines = append(lines, fmt.Sprintf("| %s | %d | %d | %d | %d | %s | %s | %s |\n", r.label, r.newCases, r.answered, r.ovd, r.rate.NotDue(),
				r.rate.ReplyRate(), r.rate.SatisfactionRate(), r.rate.OnTimeRate()))
		}
	} else {
		for _, r := range rows {
			lines = append(lines, fmt.Sprintf("**%s**：新增 %d，答复 %d，超期 %d，未到期 %d，回复率 %s，满意率 %s，按期率 %s\n", r.label, r.newCases, r.answered, r.ovd, r.rate.NotDue(),
				r.rate.ReplyRate(), r.rate.SatisfactionRate(), r.rate.OnTimeRate()))
		}
	}
	fmt.Fprintf(&notes, "\n> 回复率 = 已答复 ÷ 已交办，满意率 =（满意 + 基本满意）÷ 已交办，按期率 = 按期答复 ÷ 已答复，均按%s—%s受理的件计；未到期（未答复且未过办理时限）的件不计入；“—”为暂无可计的件。\n",
		shortDate(window.From), shortDate(window.To.AddDate(0, 0, -1)))
	fmt.Fprintf(&notes, "> 仅计已评价的满意率（评价满意率）：%s。\n", rs.Total.RatedSatisfactionRate())
	// Upheld appeals (申诉成立) are out of the satisfaction rates: said here
	// for every unit that has one (models/rating.go, UnitFigures.AppealNote).
	var appeals []string
	for _, r := range rows[:len(rows)-1] {
		if n := r.rate.AppealNote(); n != "" {
			appeals = append(appeals, r.label+" 满意率"+n)
		}
	}
	if len(appeals) > 0 {
		fmt.Fprintf(&notes, "> 申诉成立的“不满意”评价不计入满意率：%s。\n", strings.Join(appeals, "；"))
	}

	var named []string
	for _, r := range rows[:len(rows)-1] {
		if len(r.below) > 0 {
			named = append(named, fmt.Sprintf("- %s（%s）", r.label, strings.Join(r.below, "，")))
		}
	}
	if len(named) > 0 {
		fmt.Fprintf(&notes, "\n**提醒**：以下单位%s低于目标（回复率 %s，满意率 %s），请加快办理、提高群众满意度：\n%s\n",
			flagWord(w.FlagRule), fmtTarget(w.ReplyTarget), fmtTarget(w.SatisfactionTarget), strings.Join(named, "\n"))
	} else {
		fmt.Fprintf(&notes, "\n没有%s低于目标的单位（回复率 %s，满意率 %s）。\n", flagWord(w.FlagRule), fmtTarget(w.ReplyTarget), fmtTarget(w.SatisfactionTarget))
	}
	// The information officers' reports of the week (informants.go).
	notes.WriteString(informants)
	switch {
	case w.Overdue <= 0: // the list is turned off
	case len(overdue) > 0:
		fmt.Fprintf(&notes, "\n**超期最久的件**（前%d件）：\n", len(overdue))
		for i, c := range overdue {
			fmt.Fprintf(&notes, "%d. %s %s %s（期限 %s）\n", i+1, c.No, c.DeptName, overdueFor(now.Sub(c.DueAt)), c.DueAt.In(loc).Format("1月2日 15:04"))
		}
	default:
		notes.WriteString("\n当前没有超期的件。\n")
	}

	out := &WeeklyMessages{Week: name}
	if !w.NoTables {
		img, err := EncodePNG(RatesChart(Chart{Title: chart.Title, Rows: chart.Rows, Targets: []float64{w.ReplyTarget, w.SatisfactionTarget}}))
		if err != nil {
			return nil, fmt.Errorf("weekly summary %s: %w", name, err)
		}
		out.Chart = img
		notes.WriteString("\n图：各单位回复率（蓝）、按期率（绿）、满意率（橙），红色虚线为目标；单位以代码标注，对照上表。")
	}
	// Pack the rows into messages of at most weeklyTextMax bytes, each
	// with the heading and the table's header, and the notes after them.
	start := head.String() + "\n" + thead.String()
	cur := start
	for _, l := range lines {
		if len(cur)+len(l) > weeklyTextMax && cur != start {
			out.Texts = append(out.Texts, cur)
			cur = start
		}
		cur += l
	}
	if len(cur)+len(notes.String()) <= weeklyTextMax {
		out.Texts = append(out.Texts, cur+notes.String())
	} else {
		out.Texts = append(out.Texts, cur, head.String()+notes.String())
	}
	// 本周舆情 closes the last message, or makes one of its own.
	if last := len(out.Texts) - 1; len(out.Texts[last])+len(opinion) <= weeklyTextMax {
		out.Texts[last] += opinion
	} else {
		out.Texts = append(out.Texts, head.String()+opinion)
	}
	return out, nil
}

// flagWord names the rates as the flag rule takes them: 回复率和满意率均
// for both (the regulation's "回复率和满意率均低于90%"), 回复率或满意率 for
// either.
func flagWord(rule models.FlagRule) string {
	if rule == models.FlagEither {
		return "回复率或满意率"
	}
	return "回复率和满意率均"
}

// shortDate formats a date as 11月16日.
func shortDate(t time.Time) string { return t.Format("1月2日") }

// fmtTarget formats a target fraction as a percentage: 0.9 → 90%.
func fmtTarget(f float64) string {
	return strings.TrimSuffix(strings.TrimSuffix(fmt.Sprintf("%.1f", f*100), "0"), ".") + "%"
}

// overdueFor says how long a case has been overdue, in whole days.
func overdueFor(d time.Duration) string {
	if days := int(d / (24 * time.Hour)); days >= 1 {
		return fmt.Sprintf("超期%d天", days)
	}
	return "超期不足1天"
}
