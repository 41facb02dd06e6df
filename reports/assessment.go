package reports

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"minsheng/models"
)

// The 考核 scoring sheet ("纳入年终考核 / 年度绩效考评体系", "量化工作指标"):
// per unit, for a quarter or a year, its figures (README's table) and a
// score from configured weights — each rate (0..1) times its weight, less
// each count times its weight, plus upheld appeals times theirs — ranked.

// Weights are assessment.* in config.yaml.
type Weights struct {
	ReplyRate, OnTimeRate, SatisfactionRate          float64
	Overdue, Supervised, LateReported, AppealsUpheld float64
}

// Score is one unit's line of the sheet.
type Score struct {
	models.UnitFigures
	// Points is the score; Scored is false for a unit with no case to
	// score (nothing answered or due), which is not ranked.
	Points float64
	Scored bool
	// Rank counts from 1 among the scored units (equal points, equal rank).
	Rank int
}

// Assessment makes the scoring sheet.
type Assessment struct {
	Store   *models.Store
	Weights Weights
}

// Score is the points of unit figures f under the weights; ok is false
// when the unit has no case the rates count.
func (w Weights) Score(f models.UnitFigures) (points float64, ok bool) {
	if f.Counted == 0 {
		return 0, false
	}
	p := w.ReplyRate*f.ReplyRate().Value() + w.OnTimeRate*f.OnTimeRate().Value() + w.SatisfactionRate*f.SatisfactionRate().Value() -
		w.Overdue*float64(f.Overdue) - w.Supervised*float64(f.Supervised) - w.LateReported*float64(f.LateReported) +
		w.AppealsUpheld*float64(f.AppealsUpheld)
	return math.Round(p*10) / 10, true
}

// Scores ranks the units by their scores over period p as it stands at now,
// best first; units without a score follow, by code.
func (a *Assessment) Scores(ctx context.Context, p models.Period, now time.Time) ([]Score, error) {
	st, err := a.Store.Stats(ctx, p, now)
	if err != nil {
		return nil, fmt.Errorf("assessment: %w", err)
	}
	return a.Weights.Rank(st.Units), nil
}

// Rank scores units under the weights and ranks them, best first; units
// without a score follow in their order.
func (w Weights) Rank(units []models.UnitFigures) []Score {
	out := make([]Score, 0, len(units))
	for _, u := range units {
		pts, ok := w.Score(u)
		out = append(out, Score{UnitFigures: u, Points: pts, Scored: ok})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Scored != out[j].Scored {
			return out[i].Scored
		}
		return out[i].Scored && out[i].Points > out[j].Points
	})
	for i := range out {
		switch {
		case !out[i].Scored:
		case i > 0 && out[i-1].Scored && out[i-1].Points == out[i].Points:
			out[i].Rank = out[i-1].Rank
		default:
			out[i].Rank = i + 1
		}
	}
	return out
}

var quarterRe = regexp.MustCompile(`^(\d{4})Q([1-4])$`)

// ParseQuarter reads 2026Q4 as that quarter in loc.
func ParseQuarter(s string, loc *time.Location) (models.Period, error) {
	m := quarterRe.FindStringSubmatch(s)
	if m == nil {
		return models.Period{}, fmt.Errorf("quarter %q: want YYYYQn, e.g. 2026Q4", s)
	}
	y, _ := strconv.Atoi(m[1])
	q, _ := strconv.Atoi(m[2])
	from := time.Date(y, time.Month(3*q-2), 1, 0, 0, 0, 0, loc)
	return models.Period{From: from, To: from.AddDate(0, 3, 0)}, nil
}

// ParseYear reads 2026 as that year in loc.
func ParseYear(s string, loc *time.Location) (models.Period, error) {
	y, err := strconv.Atoi(s)
	if err != nil || y < 2000 || y > 2999 || len(s) != 4 {
		return models.Period{}, fmt.Errorf("year %q: want YYYY, e.g. 2026", s)
	}
	from := time.Date(y, 1, 1, 0, 0, 0, 0, loc)
	return models.Period{From: from, To: from.AddDate(1, 0, 0)}, nil
}

// Sheet names of the scoring workbook.
const (
	SheetAssessment  = "考核"
	SheetDefinitions = "口径"
)

// Workbook builds the scoring sheet of period p, named name (2026Q4,
// 2026), as it stands at now. The caller closes it.
func (a *Assessment) Workbook(ctx context.Context, p models.Period, name string, now time.Time) (*excelize.File, error) {
	scores, err := a.Scores(ctx, p, now)
	if err != nil {
		return nil, err
	}
	f := excelize.NewFile()
	w := &sheetWriter{f: f}
	w.styles()
	s := SheetAssessment
	w.do(f.SetSheetName("Sheet1", s))
	names := []string{"排名", "单位代码", "单位名称", "交办", "未到期", "已答复", "满意", "回复率", "按期率", "满意率", "当前超期", "督办", "迟报", "申诉成立", "得分"}
	w.heading(s, "网络问政考核（"+name+"）", fmt.Sprintf("统计期间：%s 至 %s（按受理时间）　数据截至：%s", p.From.Format("2006-01-02"),
		p.To.AddDate(0, 0, -1).Format("2006-01-02"), now.In(p.From.Location()).Format("2006-01-02 15:04")), len(names))
	w.header(s, 3, names)
	for i, sc := range scores {
		row := 4 + i
		rank := "—"
		if sc.Scored {
			rank = strconv.Itoa(sc.Rank)
		}
		w.set(s, 1, row, rank, w.num)
		w.set(s, 2, row, sc.Code, w.text)
		w.set(s, 3, row, sc.Name, w.text)
		for j, v := range []int64{sc.Assigned, sc.NotDue(), sc.Answered, sc.Satisfied} {
			w.set(s, 4+j, row, v, w.num)
		}
		w.rate(s, 8, row, sc.ReplyRate(), w.pctStyle, w.num)
		w.rate(s, 9, row, sc.OnTimeRate(), w.pctStyle, w.num)
		w.rate(s, 10, row, sc.SatisfactionRate(), w.pctStyle, w.num)
		for j, v := range []int64{sc.Overdue, sc.Supervised, sc.LateReported, sc.AppealsUpheld} {
			w.set(s, 11+j, row, v, w.num)
		}
		if sc.Scored {
			w.set(s, 15, row, sc.Points, w.num)
		} else {
			w.set(s, 15, row, "—", w.num)
		}
	}
	w.print(s, []float64{6, 9, 22, 7, 7, 7, 7, 8, 8, 8, 8, 6, 6, 8, 8})

	d := SheetDefinitions
	_, err = f.NewSheet(d)
	w.do(err)
	wt := a.Weights
	w.heading(d, "考核口径与权重", "得分 = Σ 比率 × 权重 − Σ 件数 × 权重（+ 申诉成立 × 权重）；无可计件的单位不排名", 3)
	w.header(d, 3, []string{"指标", "口径", "权重"})
	defs := []struct {
		name, def string
		weight    float64
	}{
		{"回复率", "已答复 ÷（交办 − 未到期）；未到期：未答复且未过办理时限", wt.ReplyRate},
		{"按期率", "按期答复 ÷ 已答复", wt.OnTimeRate},
		{"满意率", "（满意 + 基本满意）÷（交办 − 未到期），申诉成立的件不计", wt.SatisfactionRate},
		{"当前超期", "未答复且已过办理时限的件（统计时）", -wt.Overdue},
		{"督办", "本单位件的督办记录（不含期限前提醒）", -wt.Supervised},
		{"迟报", "重大、特别重大事项超过报送时限上报的件", -wt.LateReported},
		{"申诉成立", "“不满意”评价经申诉认定不合理的件", wt.AppealsUpheld},
	}
	for i, x := range defs {
		w.set(d, 1, 4+i, x.name, w.text)
		w.set(d, 2, 4+i, x.def, w.text)
		w.set(d, 3, 4+i, x.weight, w.num)
	}
	w.print(d, []float64{12, 60, 10})
	f.SetActiveSheet(0)
	if w.err != nil {
		f.Close()
		return nil, fmt.Errorf("assessment %s: build workbook: %w", name, w.err)
	}
	return f, nil
}
