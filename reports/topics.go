package reports

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"minsheng/models"
)

// topicLine is a hot topic as a period's reports show it: its cases
// received in the period, what became of them, and the same topic's cases
// in the period before (by title: a burst in each week is one topic twice).
type topicLine struct {
	t                      models.Topic
	cases, citizens, prev  int
	answered, merged, open int
	units, nos             []string
}

// topicLines are the topics with cases received in p, most cases first,
// with the counts of the period before p (prev, which may be empty).
func topicLines(ctx context.Context, s *models.Store, p, prev models.Period) ([]topicLine, error) {
	topics, cases, err := s.TopicActivity(ctx, p)
	if err != nil {
		return nil, err
	}
	before := map[string]int{}
	if prev.To.After(prev.From) {
		pt, pc, err := s.TopicActivity(ctx, prev)
		if err != nil {
			return nil, err
		}
		for _, t := range pt {
			before[t.Title] += len(pc[t.ID])
		}
	}
	var out []topicLine
	for _, t := range topics {
		l := topicLine{t: t, prev: before[t.Title]}
		citizens := map[uint64]bool{}
		for _, c := range cases[t.ID] {
			l.cases++
			citizens[c.CitizenID] = true
			l.nos = append(l.nos, c.No)
			switch {
			case c.Status == models.StatusAnswered || c.Status == models.StatusClosed:
				l.answered++
			case c.Status == models.StatusDuplicate:
				l.merged++
			case c.Status.Open():
				l.open++
			}
			if c.LeadDept != "" && !slices.Contains(l.units, c.LeadDept) {
				l.units = append(l.units, c.LeadDept)
			}
		}
		l.citizens = len(citizens)
		out = append(out, l)
	}
	slices.SortStableFunc(out, func(a, b topicLine) int { return cmp.Compare(b.cases, a.cases) })
	return out, nil
}

// trend compares a topic's cases with the period before: ↑ 新出现, ↑ 3,
// ↓ 2, 持平.
func (l topicLine) trend() string {
	switch {
	case l.prev == 0:
		return "新出现"
	case l.cases > l.prev:
		return fmt.Sprintf("↑%d", l.cases-l.prev)
	case l.cases < l.prev:
		return fmt.Sprintf("↓%d", l.prev-l.cases)
	}
	return "持平"
}

// response says where the topic's response clock stands at now.
func (l topicLine) response(now time.Time, loc *time.Location) string {
	switch {
	case l.t.RespondedAt != nil:
		return "已按时回应"
	case l.t.EscalatedAt != nil:
		return "超时未回应，已督办"
	case now.Before(l.t.RespondBy):
		return "回应时限 " + l.t.RespondBy.In(loc).Format("1月2日 15:04")
	}
	return "待核查回应"
}

// weeklyTopicsMax bounds the bytes of the 本周舆情 section.
const weeklyTopicsMax = 1800

// opinion is the weekly summary's 本周舆情: the week's top topics with their
// counts and trend against the week before, what was done with their
// cases, and the citizens who wrote more than once, by alias.
func (w *Weekly) opinion(ctx context.Context, week models.Period, now time.Time, loc *time.Location) (string, error) {
	prev := models.Period{From: week.From.AddDate(0, 0, -7), To: week.From}
	lines, err := topicLines(ctx, w.Store, week, prev)
	if err != nil {
		return "", err
	}
	reporters, err := w.Store.RepeatReporters(ctx, week, 5)
	if err != nil {
		return "", err
	}
	top := max(w.TopTopics, 1)
	var b strings.Builder
	b.WriteString("\n**本周舆情**\n")
	if len(lines) == 0 {
		b.WriteString("本周没有舆情热点。\n")
	} else {
		fmt.Fprintf(&b, "热点 %d 个，按本周件数排列（趋势与上周比）：\n", len(lines))
		for i, l := range lines[:min(top, len(lines))] {
			units := strings.Join(l.units, "、")
			if units == "" {
				units = "未交办"
			}
			line := fmt.Sprintf("%d. %s：本周 %d 件 %d 人（上周 %d 件，%s）；地点 %s；涉及单位 %s；已答复 %d，已并件 %d，在办 %d；%s\n",
				i+1, l.t.Title, l.cases, l.citizens, l.prev, l.trend(), orDash(l.t.Places), units, l.answered, l.merged, l.open, l.response(now, loc))
			if b.Len()+len(line) > weeklyTopicsMax {
				break
			}
			b.WriteString(line)
		}
	}
	if len(reporters) > 0 {
		var names []string
		for _, r := range reporters {
			names = append(names, fmt.Sprintf("%s（%d 次）", r.Alias, r.Reports))
		}
		fmt.Fprintf(&b, "本周多次反映的群众（代号）：%s。\n", strings.Join(names, "、"))
	}
	return b.String(), nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// SheetTopics lists the month's hot topics (舆情热点).
const SheetTopics = "舆情热点"

// topicSheet lists the topics with cases received in month p: what each
// was about, when it was raised, its cases and citizens of the month, the
// places and units, what became of the cases and of its response clock.
func (m *Monthly) topicSheet(w *sheetWriter, p models.Period, lines []topicLine, now time.Time) {
	s := SheetTopics
	_, err := w.f.NewSheet(s)
	w.do(err)
	loc := m.loc()
	names := []string{"热点", "首次反映", "预警时间", "本月件数", "反映群众", "地点", "涉及单位", "已答复", "已并件", "在办", "一天内回应", "编号"}
	w.heading(s, "舆情热点（"+monthLabel(p)+"）", "同一地点同一问题短时间内多位群众反映；不含反映人信息", len(names))
	w.header(s, 3, names)
	row := 4
	for _, l := range lines {
		vals := []any{l.t.Title, l.t.FirstAt.In(loc).Format("2006-01-02 15:04"), l.t.RaisedAt.In(loc).Format("2006-01-02 15:04"),
			l.cases, l.citizens, orDash(l.t.Places), orDash(strings.Join(l.units, "、")), l.answered, l.merged, l.open,
			l.response(now, loc), strings.Join(l.nos, "、")}
		for i, v := range vals {
			style := w.text
			if _, ok := v.(int); ok {
				style = w.num
			}
			if i == 10 && l.t.EscalatedAt != nil {
				style = w.warn
			}
			w.set(s, i+1, row, v, style)
		}
		row++
	}
	if len(lines) == 0 {
		w.set(s, 1, row, "本月没有舆情热点", w.text)
	}
	w.print(s, []float64{22, 16, 16, 9, 9, 22, 22, 8, 8, 8, 16, 40})
}
