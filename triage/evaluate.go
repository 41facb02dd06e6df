package triage

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// Labelled is a report with the unit (or category) it was routed to, as in
// a 问政 platform's export: id, title, received_at, detail, category.
type Labelled struct {
	ID         string
	Title      string
	Text       string
	ReceivedAt time.Time
	Unit       string
}

// ReadLabelled reads a CSV with a header naming at least the columns title,
// detail and category (received_at and id are used when present). Rows are
// returned in file order. Errors name the line.
func ReadLabelled(r io.Reader) ([]Labelled, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("read header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	for _, need := range []string{"title", "detail", "category"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("header %q: no column %q (want id, title, received_at, detail, category)", strings.Join(header, ","), need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []Labelled
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		l := Labelled{ID: get(rec, "id"), Title: get(rec, "title"), Text: get(rec, "detail"), Unit: get(rec, "category")}
		if l.Unit == "" {
			return nil, fmt.Errorf("line %d: empty category", line)
		}
		if s := get(rec, "received_at"); s != "" {
			t, err := parseReceived(s)
			if err != nil {
				return nil, fmt.Errorf("line %d: received_at %q: %w", line, s, err)
			}
			l.ReceivedAt = t
		}
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, errors.New("no rows after the header")
	}
	return out, nil
}

func parseReceived(s string) (time.Time, error) {
	for _, layout := range []string{"2006/1/2 15:04:05", "2006-01-02 15:04:05", "2006/1/2 15:04", "2006-01-02 15:04", "2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, errors.New("want a date such as 2011/10/1 10:16:20 or 2011-10-01 10:16:20")
}

// Keywords are a unit's hand-written routing words, the model's prior.
type Keywords struct {
	Unit  string
	Words []string
}

// ReadTaxonomy reads a category tree CSV (level1, level2, level3): each row
// becomes keywords of its level1 category, the way an office would write
// them into config for a new deployment.
func ReadTaxonomy(r io.Reader) ([]Keywords, error) {
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("read taxonomy: %w", err)
	}
	if len(recs) < 2 || len(recs[0]) < 2 || strings.TrimPrefix(recs[0][0], "\ufeff") != "level1" {
		return nil, errors.New("taxonomy: want a header level1,level2[,level3] and rows")
	}
	var out []Keywords
	for _, rec := range recs[1:] {
		k := Keywords{Unit: strings.TrimSpace(rec[0])}
		for _, w := range rec[1:] {
			if w = strings.TrimSpace(w); w != "" {
				k.Words = append(k.Words, w)
			}
		}
		if k.Unit != "" && len(k.Words) > 0 {
			out = append(out, k)
		}
	}
	return out, nil
}

// Result is how well routing did on a set of reports.
type Result struct {
	N            int
	Top1, Top3   float64 // shares of reports whose unit was first / in the first three
	NoSuggestion float64 // share of reports the model offered nothing for
	PerUnit      []UnitResult
	// Curve is the replay's learning curve: accuracy over each block of
	// reports, by how many decisions the model had seen before the block.
	Curve []CurvePoint
}

// UnitResult is top-1 accuracy for the reports of one unit.
type UnitResult struct {
	Unit       string
	N          int
	Top1, Top3 float64
}

// CurvePoint is the accuracy over one block of a replay.
type CurvePoint struct {
	Seen, N    int
	Top1, Top3 float64
}

type tally struct {
	n, top1, top3, none int
	unit                map[string]*[3]int // n, top1, top3
}

func (t *tally) add(want string, got []Suggestion) {
	if t.unit == nil {
		t.unit = map[string]*[3]int{}
	}
	u := t.unit[want]
	if u == nil {
		u = new([3]int)
		t.unit[want] = u
	}
	t.n++
	u[0]++
	if len(got) == 0 {
		t.none++
		return
	}
	if got[0].Unit == want {
		t.top1++
		u[1]++
	}
	for i := range min(3, len(got)) {
		if got[i].Unit == want {
			t.top3++
			u[2]++
		}
	}
}

func (t *tally) result() Result {
	r := Result{N: t.n}
	if t.n == 0 {
		return r
	}
	r.Top1 = float64(t.top1) / float64(t.n)
	r.Top3 = float64(t.top3) / float64(t.n)
	r.NoSuggestion = float64(t.none) / float64(t.n)
	for unit, u := range t.unit {
		r.PerUnit = append(r.PerUnit, UnitResult{Unit: unit, N: u[0], Top1: float64(u[1]) / float64(u[0]), Top3: float64(u[2]) / float64(u[0])})
	}
	sort.Slice(r.PerUnit, func(i, j int) bool {
		if r.PerUnit[i].N != r.PerUnit[j].N {
			return r.PerUnit[i].N > r.PerUnit[j].N
		}
		return r.PerUnit[i].Unit < r.PerUnit[j].Unit
	})
	return r
}

func newWithKeywords(opts Options, prior []Keywords) *Model {
	m := New(opts)
	for _, k := range prior {
		m.AddKeywords(k.Unit, k.Words)
	}
	return m
}

// CrossValidate splits the reports into folds at random (a fixed seed),
// trains on all folds but one with the prior, and ranks the held-out fold,
// for every fold: routing on reports the model has not seen.
func CrossValidate(reports []Labelled, folds int, prior []Keywords, opts Options) Result {
	folds = max(2, min(folds, len(reports)))
	order := rand.New(rand.NewPCG(7, 7)).Perm(len(reports))
	var t tally
	for fold := range folds {
		m := newWithKeywords(opts, prior)
		for j, i := range order {
			if j%folds != fold {
				r := reports[i]
				m.Learn(Example{Title: r.Title, Text: r.Text, Unit: r.Unit})
			}
		}
		for j, i := range order {
			if j%folds == fold {
				r := reports[i]
				t.add(r.Unit, m.Suggest(r.Title, r.Text, 3))
			}
		}
	}
	return t.result()
}

// Replay goes through the reports in the order they were received, as a
// dispatcher would: each report is first ranked by the model, then learned
// with its unit. block sets the learning curve's resolution.
func Replay(reports []Labelled, prior []Keywords, opts Options, block int) Result {
	reports = slices.Clone(reports)
	slices.SortStableFunc(reports, func(a, b Labelled) int { return a.ReceivedAt.Compare(b.ReceivedAt) })
	block = max(1, block)
	m := newWithKeywords(opts, prior)
	var all, cur tally
	var curve []CurvePoint
	flush := func(seen int) {
		if cur.n == 0 {
			return
		}
		r := cur.result()
		curve = append(curve, CurvePoint{Seen: seen - cur.n, N: cur.n, Top1: r.Top1, Top3: r.Top3})
		cur = tally{}
	}
	for i, r := range reports {
		got := m.Suggest(r.Title, r.Text, 3)
		all.add(r.Unit, got)
		cur.add(r.Unit, got)
		m.Learn(Example{Title: r.Title, Text: r.Text, Unit: r.Unit})
		if (i+1)%block == 0 {
			flush(i + 1)
		}
	}
	flush(len(reports))
	res := all.result()
	res.Curve = curve
	return res
}
