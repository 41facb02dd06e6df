package models

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"gorm.io/gorm"
)

// The figures the units are judged by (DOMAIN.md, "Figures the units are
// judged by"), for the weekly summary and the monthly report.
//
// One cohort makes a period's figures: the cases received (受理) in the
// period, [From, To), and what became of them. The per-unit table, the totals
// and the case list of a report are all about that same set of cases, so they
// add up. Per unit, for the cases received in the period:
//
//   - Received: cases given to the unit as lead (牵头) at any time, counting
//     ones it later returned (退回) and that went to another unit.
//   - Valid: of Received, cases not marked invalid (无效) or duplicate (重复).
//   - Assigned: cases the unit leads now (a return takes a case off it).
//   - Answered: of Assigned, cases whose answer reached the citizen by At.
//   - OnTime: of Answered, cases answered at or before their deadline (the
//     deadline as extended); a case without a deadline is on time.
//   - ExtensionsRequested / ExtensionsApproved: the unit's extension (延期)
//     requests on its Assigned cases, and how many of them were approved.
//   - Rated / Satisfied: of Assigned, cases the citizen rated, and rated
//     满意 or 基本满意. Since the ratings table (models/rating.go) these
//     count ratings, not cases: see the "ratings" query in Stats.
//   - Counted: of Assigned, cases answered by At or whose deadline (as
//     extended) has passed by At: the cases a period's rates count. The
//     others, not yet due and not answered, are 未到期 (NotDue) and in
//     neither numerator nor denominator, or a unit would be shown red for
//     work that is not late (DOMAIN.md). A case without a deadline counts.
//   - Supervised: 督办 records on the unit's cases (a person's 督办 and the
//     ladder's steps from the deadline on; not the 提醒 before it).
//   - LateReported: the unit's cases reported up late (迟报).
//
// Two figures are not about the cohort:
//
//   - Overdue: open cases the unit leads whose deadline has passed at At,
//     whenever they were received ("overdue now"; DOMAIN.md: overdue is not a
//     state but a deadline in the past).
//   - AnsweredInPeriod: answers the unit gave in the period, whatever case
//     (the weekly "答复" column: the unit's work of the week).
//
// The rates, as the regulations count them: reply rate (回复率) = Answered ÷
// Counted; satisfaction rate (满意率) = Satisfied ÷ Counted — over the cases
// assigned, not over the rated ones, so a unit whose citizens never rate does
// not look perfect (540 messages, 205 to city departments, 195 answered, 185
// satisfied → 95.1 %, 90.2 %). Beside them, labelled: on-time rate = OnTime ÷
// Answered *(ours)* and the rated-only satisfaction (评价满意率) = Satisfied ÷
// Rated. A unit is flagged when both rates are under target (the
// regulation's "回复率和满意率均低于90%"), or either (FlagRule). A rate whose
// denominator is zero is undefined, shown as "—", and never counts as under
// target.
//
// One figure is about the serious cases: LateReports (迟报), the cases whose
// report-up left after its clock, among the alerts raised in the period.
//
// Every query is a range over an index: cases by received_at with the
// columns the figures read (idx_case_cohort, so that the cases table itself
// is not read), by answered_at with the lead unit (idx_case_answered_dept),
// open cases by (status, due_at) (idx_case_status_due), ratings, units and
// extensions by case. The cost grows with the cases of the period, not with
// the table. On MySQL the queries over cases by period name their index
// (Store.periodIndex): MariaDB's optimizer otherwise often reads the whole
// table, directly or through the index that serves the GROUP BY or
// "lead_dept_id IS NOT NULL" (on the 1,000,000 cases of `minsheng bench`: a
// month's figures took 13–19 s of SQL that way, 2.5–4 s with a range over
// received_at alone, which still read every case's row).
//
// Nothing is kept between runs: no rollup table to keep in step with the
// cases, and the figures are those of the rows as they stand at the time
// of counting. StatsOf computes only the parts a report shows (the weekly
// summary's rates, the public board's), with the same queries.

// satisfiedRatings are the ratings that count as satisfied.
var satisfiedRatings = []string{"满意", "基本满意"}

// openStatuses are the statuses Status.Open reports true for.
var openStatuses = []Status{StatusReceived, StatusAssigned, StatusHandling, StatusReviewing}

// Period is the half-open interval of time [From, To).
type Period struct{ From, To time.Time }

// MonthPeriod returns the calendar month of t in loc.
func MonthPeriod(t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	from := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
	return Period{From: from, To: from.AddDate(0, 1, 0)}
}

// ParseMonth reads a month written YYYY-MM (e.g. 2026-11) as a period in loc.
func ParseMonth(s string, loc *time.Location) (Period, error) {
	t, err := time.ParseInLocation("2006-01", s, loc)
	if err != nil {
		return Period{}, fmt.Errorf("month %q: want YYYY-MM, e.g. 2026-11", s)
	}
	return MonthPeriod(t, loc), nil
}

// WeekPeriod returns the ISO week (Monday 00:00 to Monday 00:00) of t in loc.
func WeekPeriod(t time.Time, loc *time.Location) Period {
	t = t.In(loc)
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	from := time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, loc)
	return Period{From: from, To: from.AddDate(0, 0, 7)}
}

// Month names the period's first month, YYYY-MM, in the period's location.
func (p Period) Month() string { return p.From.Format("2006-01") }

// ISOWeek names the ISO week of the period's start: 2026-W47.
func (p Period) ISOWeek() string {
	y, w := p.From.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}

// Rate is a share, Num of Den. With Den zero it is undefined (shown "—").
type Rate struct{ Num, Den int64 }

// Defined reports whether the rate has a denominator.
func (r Rate) Defined() bool { return r.Den > 0 }

// Value is the rate as a fraction, 0 when undefined.
func (r Rate) Value() float64 {
	if r.Den <= 0 {
		return 0
	}
	return float64(r.Num) / float64(r.Den)
}

// String formats the rate as a percentage with one decimal, "88.9%", or "—"
// when undefined.
func (r Rate) String() string {
	if !r.Defined() {
		return "—"
	}
	return strconv.FormatFloat(math.Round(r.Value()*1000)/10, 'f', 1, 64) + "%"
}

// Below reports whether the rate is defined and under target (a fraction,
// 0.9 for 90%). An undefined rate is never below target.
func (r Rate) Below(target float64) bool {
	return r.Defined() && float64(r.Num) < target*float64(r.Den)-1e-9
}

// UnitFigures are one unit's figures for a period; see the comment at the top
// of stats.go for each definition. Stats fills each figure from the column
// of the same name (OnTime from on_time) of one of its queries.
type UnitFigures struct {
	DepartmentID uint64
	Code, Name   string

	Received, Valid, Assigned, Answered, OnTime int64
	Overdue                                     int64
	ExtensionsRequested, ExtensionsApproved     int64
	Rated, Satisfied                            int64
	AnsweredInPeriod                            int64
	// Counted is the cases the rates count: answered or past due.
	Counted int64
	// Supervised is the 督办 records (a person's, or the ladder's past the
	// deadline; not the 提醒 before it) on the unit's cases of the cohort.
	Supervised int64
	// LateReported is the unit's cases of the cohort reported up late (迟报).
	LateReported int64

	// AppealsUpheld counts the unit's 不满意 ratings whose appeal (申诉)
	// was upheld: left out of Rated and Satisfied, and named beside the
	// satisfaction rate in every report (UnitFigures.AppealNote).
	AppealsUpheld int64
}

// ReplyRate is Answered ÷ Counted (回复率): the cases not yet due and not
// answered are left out.
func (f UnitFigures) ReplyRate() Rate { return Rate{f.Answered, f.Counted} }

// OnTimeRate is OnTime ÷ Answered (按期答复率, ours).
func (f UnitFigures) OnTimeRate() Rate { return Rate{f.OnTime, f.Answered} }

// SatisfactionRate is Satisfied ÷ Counted (满意率), as the regulations count
// it: over the cases assigned (and due), not over the rated ones. A 不满意
// whose appeal was upheld takes its case out of the denominator.
func (f UnitFigures) SatisfactionRate() Rate {
	return Rate{f.Satisfied, max(f.Counted-f.AppealsUpheld, f.Satisfied)}
}

// RatedSatisfactionRate is Satisfied ÷ Rated (评价满意率): over the rated
// cases only; shown beside SatisfactionRate, labelled, never flagging.
func (f UnitFigures) RatedSatisfactionRate() Rate { return Rate{f.Satisfied, f.Rated} }

// NotDue is the cases assigned that are neither answered nor past their
// deadline (未到期): in no rate.
func (f UnitFigures) NotDue() int64 { return f.Assigned - f.Counted }

// FlagRule says when a unit is named for its rates: FlagBoth (the
// regulation's "回复率和满意率均低于90%") or FlagEither.
type FlagRule string

// The flag rules (reports.flag_rule).
const (
	FlagBoth   FlagRule = "both"
	FlagEither FlagRule = "either"
)

// Flagged reports whether the unit is named under rule, with the reply and
// satisfaction targets as fractions. An undefined rate is never under
// target, so under FlagBoth a unit with one undefined rate is not flagged.
func (f UnitFigures) Flagged(rule FlagRule, reply, satisfaction float64) bool {
	r, s := f.ReplyRate().Below(reply), f.SatisfactionRate().Below(satisfaction)
	if rule == FlagEither {
		return r || s
	}
	return r && s
}

// add sums g into f (names and ids aside).
func (f *UnitFigures) add(g UnitFigures) {
	f.Received += g.Received
	f.Valid += g.Valid
	f.Assigned += g.Assigned
	f.Answered += g.Answered
	f.OnTime += g.OnTime
	f.Overdue += g.Overdue
	f.ExtensionsRequested += g.ExtensionsRequested
	f.ExtensionsApproved += g.ExtensionsApproved
	f.Rated += g.Rated
	f.Satisfied += g.Satisfied
	f.AppealsUpheld += g.AppealsUpheld
	f.AnsweredInPeriod += g.AnsweredInPeriod
	f.Counted += g.Counted
	f.Supervised += g.Supervised
	f.LateReported += g.LateReported
}

// Intake counts all the cases received in a period by what triage made of
// them; Received = Valid + Invalid + Duplicate + Waiting.
type Intake struct {
	Received int64
	// Valid cases were triaged valid: assigned, in hand, answered or closed.
	Valid     int64
	Invalid   int64
	Duplicate int64
	// Waiting cases wait for triage (new, or returned by a unit).
	Waiting int64
}

// Stats are the figures of a period as they stand at At.
type Stats struct {
	Period Period
	At     time.Time
	// Units are every active department, by code, and any inactive one that
	// has figures in the period.
	Units []UnitFigures
	// Total sums the units, except Received and Valid, which count every
	// case of the period once (Intake.Received, Intake.Valid) where the
	// units' sums would count a case passed between units twice.
	Total  UnitFigures
	Intake Intake
	// LateReports counts the cases reported up late (迟报) among the
	// report-up alerts raised in the period (models/reportup.go).
	LateReports int64
}

// StatsPart names a group of the figures of Stats: a report that shows
// only some of them asks StatsOf for those, and reads nothing else.
type StatsPart uint

// The parts of Stats.
const (
	// StatsCohort: Assigned, Answered, OnTime and Counted.
	StatsCohort StatsPart = 1 << iota
	// StatsRatings: Rated, Satisfied and AppealsUpheld.
	StatsRatings
	// StatsOverdue: Overdue.
	StatsOverdue
	// StatsAnswers: AnsweredInPeriod.
	StatsAnswers
	// StatsUnits: Received, Valid, the extensions, Supervised and LateReported.
	StatsUnits
	// StatsIntake: Stats.Intake, Stats.LateReports, and Total.Received and
	// Total.Valid from them.
	StatsIntake

	// StatsRates are the figures every rate and NotDue need.
	StatsRates = StatsCohort | StatsRatings
	// StatsAll is every figure: Stats.
	StatsAll = StatsCohort | StatsRatings | StatsOverdue | StatsAnswers | StatsUnits | StatsIntake
)

// Stats computes the figures of period p as they stand at at. It returns no
// sentinel error.
//
// Each query below gives rows of figures by unit: the column department_id
// and, named like the fields of UnitFigures (on_time for OnTime), the
// figures it counts. The rows are scanned by name and summed into the
// unit's figures (UnitFigures.add), so a new figure is its column in one
// query, its field and its line in add, and where a report shows it.
func (s *Store) Stats(ctx context.Context, p Period, at time.Time) (*Stats, error) {
	return s.StatsOf(ctx, p, at, StatsAll)
}

// StatsOf computes the figures of the parts of Stats named in parts, as
// Stats does; the others stay zero. Every unit is listed as by Stats. It
// returns no sentinel error.
//
// The queries over the cases of a period read the index over (received_at,
// lead_dept_id, status, answered_at, due_at, rating) alone
// (idxCaseCohort), and the answers of a period the index over
// (answered_at, lead_dept_id) alone (idxCaseAnsweredDept): not one row of
// the cases table, whose rows carry the problem and the answer. The other
// tables are reached from the cases by their case_id indexes.
func (s *Store) StatsOf(ctx context.Context, p Period, at time.Time, parts StatsPart) (*Stats, error) {
	db := s.db.WithContext(ctx)
	from, to, at := p.From.UTC(), p.To.UTC(), at.UTC()
	figs := map[uint64]*UnitFigures{}
	query := func(what, sql string, args ...any) error {
		var rows []UnitFigures
		if err := db.Raw(sql, args...).Scan(&rows).Error; err != nil {
			return fmt.Errorf("stats %s: %w", what, err)
		}
		for _, r := range rows {
			f, ok := figs[r.DepartmentID]
			if !ok {
				f = &UnitFigures{DepartmentID: r.DepartmentID}
				figs[r.DepartmentID] = f
			}
			f.add(r)
		}
		return nil
	}
	cohort := s.periodIndex(idxCaseCohort)

	// unmarked counts the rated cases of the cohort not marked RatingRows,
	// when the cohort's query ran (-1 when it did not): none, and no case
	// can have been rated before the ratings table.
	unmarked := int64(-1)
	if parts&StatsCohort != 0 {
		var rows []struct {
			UnitFigures
			Unmarked int64
		}
		err := db.Raw(`SELECT c.lead_dept_id AS department_id, COUNT(*) AS assigned,
			SUM(CASE WHEN c.answered_at IS NOT NULL AND c.answered_at <= ? THEN 1 ELSE 0 END) AS answered,
			SUM(CASE WHEN c.answered_at IS NOT NULL AND c.answered_at <= ? AND (c.due_at IS NULL OR c.answered_at <= c.due_at) THEN 1 ELSE 0 END) AS on_time,
			SUM(CASE WHEN (c.answered_at IS NOT NULL AND c.answered_at <= ?) OR c.due_at IS NULL OR c.due_at <= ? THEN 1 ELSE 0 END) AS counted,
			SUM(CASE WHEN c.rating IS NOT NULL AND c.rating <> '' AND c.rating_rows = ? THEN 1 ELSE 0 END) AS unmarked
		FROM cases c `+cohort+`
		WHERE c.received_at >= ? AND c.received_at < ? AND c.lead_dept_id IS NOT NULL
		GROUP BY c.lead_dept_id`,
			at, at, at, at, false, from, to).Scan(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("stats assigned: %w", err)
		}
		unmarked = 0
		for _, r := range rows {
			f, ok := figs[r.DepartmentID]
			if !ok {
				f = &UnitFigures{DepartmentID: r.DepartmentID}
				figs[r.DepartmentID] = f
			}
			f.add(r.UnitFigures)
			unmarked += r.Unmarked
		}
	}
	if parts&StatsRatings != 0 && unmarked != 0 {
		// Cases rated before the ratings table (models/rating.go) count by
		// their own column: a rated case of the cohort with no row in
		// ratings. Only a case not marked RatingRows can be one, so only
		// those are looked up (the mark is in idx_case_cohort; a case
		// rated by a server older than the mark is looked up too, and
		// found), and not at all when the cohort's query found none. The
		// LEFT JOIN … IS NULL is that NOT EXISTS, which MySQL and MariaDB
		// run as an anti-join on the (case_id, round) index, a subquery
		// per case not (seconds on a month of 100,000 cases).
		err := query("ratings before the ratings table",
			`SELECT c.lead_dept_id AS department_id, COUNT(*) AS rated,
			SUM(CASE WHEN c.rating IN ? THEN 1 ELSE 0 END) AS satisfied
		FROM cases c `+cohort+` LEFT JOIN ratings r ON r.case_id = c.id
		WHERE c.received_at >= ? AND c.received_at < ? AND c.lead_dept_id IS NOT NULL
			AND c.rating IS NOT NULL AND c.rating <> '' AND c.rating_rows = ? AND r.id IS NULL
		GROUP BY c.lead_dept_id`,
			satisfiedRatings, from, to, false)
		if err != nil {
			return nil, err
		}
	}
	if parts&StatsRatings != 0 {
		// Satisfaction from the ratings table (the query above counts only
		// cases rated before it, which have no rows; the two add up).
		// Every rating of a case of the cohort given by at counts for the
		// unit whose answer it rated, so a 不满意 still counts after 重办
		// and the second answer's rating; a 不满意 whose appeal (申诉) was
		// upheld by at does not count and is counted in AppealsUpheld
		// instead. A rating knows when its case was received
		// (Rating.CaseReceivedAt), so the ratings of the cohort are a range
		// of idx_rating_cohort; one written without it (by a server older
		// than the column, during an upgrade) is found through its case.
		figures := `SELECT r.department_id AS department_id,
			SUM(CASE WHEN r.appeal_state = ? AND r.decided_at <= ? THEN 0 ELSE 1 END) AS rated,
			SUM(CASE WHEN r.appeal_state = ? AND r.decided_at <= ? THEN 0 WHEN r.value IN ? THEN 1 ELSE 0 END) AS satisfied,
			SUM(CASE WHEN r.appeal_state = ? AND r.decided_at <= ? THEN 1 ELSE 0 END) AS appeals_upheld`
		args := []any{AppealUpheld, at, AppealUpheld, at, satisfiedRatings, AppealUpheld, at}
		err := query("ratings", figures+`
		FROM ratings r `+s.index(idxRatingCohort)+`
		WHERE r.case_received_at >= ? AND r.case_received_at < ? AND r.rated_at <= ?
		GROUP BY r.department_id`,
			append(args, from, to, at)...)
		if err != nil {
			return nil, err
		}
		err = query("ratings not dated", figures+`
		FROM ratings r JOIN cases c ON c.id = r.case_id
		WHERE r.case_received_at IS NULL AND c.received_at >= ? AND c.received_at < ? AND r.rated_at <= ?
		GROUP BY r.department_id`,
			append(args, from, to, at)...)
		if err != nil {
			return nil, err
		}
	}
	if parts&StatsUnits != 0 {
		err := query("received",
			`SELECT u.department_id AS department_id, COUNT(DISTINCT c.id) AS received,
			COUNT(DISTINCT CASE WHEN c.status NOT IN ? THEN c.id END) AS valid
		FROM cases c `+cohort+` JOIN case_units u ON u.case_id = c.id AND u.role = ?
		WHERE c.received_at >= ? AND c.received_at < ?
		GROUP BY u.department_id`,
			[]Status{StatusInvalid, StatusDuplicate}, UnitLead, from, to)
		if err != nil {
			return nil, err
		}
		err = query("extensions",
			`SELECT c.lead_dept_id AS department_id, COUNT(*) AS extensions_requested,
			SUM(CASE WHEN e.state = ? THEN 1 ELSE 0 END) AS extensions_approved
		FROM cases c `+cohort+` JOIN extensions e ON e.case_id = c.id AND e.department_id = c.lead_dept_id
		WHERE c.received_at >= ? AND c.received_at < ? AND c.lead_dept_id IS NOT NULL
		GROUP BY c.lead_dept_id`,
			ExtensionApproved, from, to)
		if err != nil {
			return nil, err
		}
		err = query("supervised",
			`SELECT s.department_id AS department_id, COUNT(*) AS supervised
		FROM supervisions s JOIN cases c `+cohort+` ON c.id = s.case_id
		WHERE c.received_at >= ? AND c.received_at < ? AND s.level <> ?
		GROUP BY s.department_id`,
			from, to, "remind")
		if err != nil {
			return nil, err
		}
		err = query("late reports",
			`SELECT c.lead_dept_id AS department_id, COUNT(DISTINCT c.id) AS late_reported
		FROM serious_alerts a JOIN cases c `+cohort+` ON c.id = a.case_id
		WHERE c.received_at >= ? AND c.received_at < ? AND a.late = ? AND c.lead_dept_id IS NOT NULL
		GROUP BY c.lead_dept_id`,
			from, to, true)
		if err != nil {
			return nil, err
		}
	}
	if parts&StatsOverdue != 0 {
		err := query("overdue",
			`SELECT c.lead_dept_id AS department_id, COUNT(*) AS overdue
		FROM cases c
		WHERE c.status IN ? AND c.due_at < ? AND c.lead_dept_id IS NOT NULL
		GROUP BY c.lead_dept_id`,
			openStatuses, at)
		if err != nil {
			return nil, err
		}
	}
	if parts&StatsAnswers != 0 {
		err := query("answers",
			`SELECT c.lead_dept_id AS department_id, COUNT(*) AS answered_in_period
		FROM cases c `+s.periodIndex(idxCaseAnsweredDept)+`
		WHERE c.answered_at >= ? AND c.answered_at < ? AND c.answered_at <= ? AND c.lead_dept_id IS NOT NULL
		GROUP BY c.lead_dept_id`,
			from, to, at)
		if err != nil {
			return nil, err
		}
	}

	out := &Stats{Period: p, At: at}
	if parts&StatsIntake != 0 {
		var intake []struct {
			Status Status
			N      int64
		}
		err := db.Raw(`SELECT status, COUNT(*) AS n FROM cases `+cohort+` WHERE received_at >= ? AND received_at < ? GROUP BY status`, from, to).
			Scan(&intake).Error
		if err != nil {
			return nil, fmt.Errorf("stats intake: %w", err)
		}
		for _, r := range intake {
			out.Intake.Received += r.N
			switch r.Status {
			case StatusInvalid:
				out.Intake.Invalid += r.N
			case StatusDuplicate:
				out.Intake.Duplicate += r.N
			case StatusReceived:
				out.Intake.Waiting += r.N
			default:
				out.Intake.Valid += r.N
			}
		}
	}

	var deps []Department
	if err := db.Order("code").Find(&deps).Error; err != nil {
		return nil, fmt.Errorf("stats departments: %w", err)
	}
	for _, d := range deps {
		f, has := figs[d.ID]
		if !has && !d.Active {
			continue
		}
		if !has {
			f = &UnitFigures{DepartmentID: d.ID}
		}
		f.Code, f.Name = d.Code, d.Name
		out.Units = append(out.Units, *f)
		out.Total.add(*f)
		delete(figs, d.ID)
	}
	// Figures of a department no longer in the table (never expected).
	var orphans []uint64
	for id := range figs {
		orphans = append(orphans, id)
	}
	sort.Slice(orphans, func(i, j int) bool { return orphans[i] < orphans[j] })
	for _, id := range orphans {
		f := figs[id]
		f.Code, f.Name = strconv.FormatUint(id, 10), "（已删除单位）"
		out.Units = append(out.Units, *f)
		out.Total.add(*f)
	}
	out.Total.Code, out.Total.Name = "", "合计"
	if parts&StatsIntake == 0 {
		return out, nil
	}
	out.Total.Received, out.Total.Valid = out.Intake.Received, out.Intake.Valid
	err := db.Raw(`SELECT COUNT(DISTINCT case_id) FROM serious_alerts WHERE created_at >= ? AND created_at < ? AND late = ?`, from, to, true).
		Scan(&out.LateReports).Error
	if err != nil {
		return nil, fmt.Errorf("stats late reports: %w", err)
	}
	return out, nil
}

// OverdueCase is an open case past its deadline, for the overdue lists.
type OverdueCase struct {
	No                 string
	Status             Status
	DueAt              time.Time
	DeptCode, DeptName string
}

// LongestOverdue lists up to limit open cases past their deadline at at, the
// longest overdue first, with their lead unit. It returns no sentinel error.
func (s *Store) LongestOverdue(ctx context.Context, at time.Time, limit int) ([]OverdueCase, error) {
	if limit <= 0 {
		return nil, nil
	}
	var out []OverdueCase
	err := s.db.WithContext(ctx).Raw(
		`SELECT c.no, c.status, c.due_at, d.code AS dept_code, d.name AS dept_name
		FROM cases c JOIN departments d ON d.id = c.lead_dept_id
		WHERE c.status IN ? AND c.due_at < ?
		ORDER BY c.due_at, c.id
		LIMIT ?`, openStatuses, at.UTC(), limit).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("longest overdue cases: %w", err)
	}
	return out, nil
}

// CaseRow is one line of a report's case list. It carries the problem text
// for the caller to mask, and nothing about who reported it.
type CaseRow struct {
	No         string
	ReceivedAt time.Time
	Status     Status
	Kind       string
	Severity   Severity
	// DeptCode and DeptName are the lead unit's, empty when none leads.
	DeptCode, DeptName string
	// AssignedAt is when the present lead unit was given the case.
	AssignedAt *time.Time
	DueAt      *time.Time
	AnsweredAt *time.Time
	Rating     *string
	Content    string
}

// OnTime reports whether the case was answered at or before its deadline; ok
// is false while it is not answered.
func (r CaseRow) OnTime() (onTime, ok bool) {
	if r.AnsweredAt == nil {
		return false, false
	}
	return r.DueAt == nil || !r.AnsweredAt.After(*r.DueAt), true
}

// CasesReceived lists the cases received in period p by number, with their
// lead unit. It returns no sentinel error.
func (s *Store) CasesReceived(ctx context.Context, p Period) ([]CaseRow, error) {
	var out []CaseRow
	err := s.db.WithContext(ctx).Raw(
		`SELECT c.no, c.received_at, c.status, c.kind, c.severity, d.code AS dept_code, d.name AS dept_name,
			u.created_at AS assigned_at, c.due_at, c.answered_at, c.rating, c.content
		FROM cases c `+s.periodIndex(idxCaseCohort)+`
		LEFT JOIN departments d ON d.id = c.lead_dept_id
		LEFT JOIN case_units u ON u.case_id = c.id AND u.department_id = c.lead_dept_id AND u.role = ? AND u.active = ?
		WHERE c.received_at >= ? AND c.received_at < ?
		ORDER BY c.no`, UnitLead, true, p.From.UTC(), p.To.UTC()).Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("cases received %s to %s: %w", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), err)
	}
	return out, nil
}

// EachCaseReceived calls count with the number of cases received in period
// p, then fn with each of them, by number, as CasesReceived lists them: from
// a cursor, one row in memory at a time, and all of it in one snapshot of
// the database (a read-only REPEATABLE READ transaction on MySQL and
// PostgreSQL), so the count is that of the rows that follow even while
// cases come in. fn's row is reused for the next: fn must copy what it
// keeps. An error of count or fn stops the reading and is returned as it
// is.
func (s *Store) EachCaseReceived(ctx context.Context, p Period, count func(n int) error, fn func(r *CaseRow) error) error {
	from, to := p.From.UTC(), p.To.UTC()
	var opts []*sql.TxOptions
	if s.driver != "sqlite" {
		opts = append(opts, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	}
	var stop error // count's or fn's, returned unwrapped
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int
		err := tx.Raw(`SELECT COUNT(*) FROM cases `+s.periodIndex(idxCaseCohort)+` WHERE received_at >= ? AND received_at < ?`, from, to).Scan(&n).Error
		if err != nil {
			return err
		}
		if stop = count(n); stop != nil {
			return stop
		}
		rows, err := tx.Raw(
			`SELECT c.no, c.received_at, c.status, c.kind, c.severity, d.code AS dept_code, d.name AS dept_name,
			u.created_at AS assigned_at, c.due_at, c.answered_at, c.rating, c.content
		FROM cases c `+s.periodIndex(idxCaseCohort)+`
		LEFT JOIN departments d ON d.id = c.lead_dept_id
		LEFT JOIN case_units u ON u.case_id = c.id AND u.department_id = c.lead_dept_id AND u.role = ? AND u.active = ?
		WHERE c.received_at >= ? AND c.received_at < ?
		ORDER BY c.no`, UnitLead, true, from, to).Rows()
		if err != nil {
			return err
		}
		defer rows.Close()
		var (
			r                       CaseRow
			code, name, rating      sql.NullString
			assigned, due, answered sql.NullTime
		)
		at := func(t sql.NullTime) *time.Time {
			if !t.Valid {
				return nil
			}
			return &t.Time
		}
		for rows.Next() {
			if err := rows.Scan(&r.No, &r.ReceivedAt, &r.Status, &r.Kind, &r.Severity, &code, &name, &assigned, &due, &answered, &rating, &r.Content); err != nil {
				return err
			}
			r.DeptCode, r.DeptName = code.String, name.String
			r.AssignedAt, r.DueAt, r.AnsweredAt, r.Rating = at(assigned), at(due), at(answered), nil
			if rating.Valid {
				v := rating.String
				r.Rating = &v
			}
			if stop = fn(&r); stop != nil {
				return stop
			}
		}
		return rows.Err()
	}, opts...)
	if stop != nil && errors.Is(err, stop) {
		return stop
	}
	if err != nil {
		return fmt.Errorf("cases received %s to %s: %w", p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), err)
	}
	return nil
}

// periodIndex is the index hint that makes MySQL read cases through index
// name (idxCaseCohort, idxCaseAnsweredDept), for a query over a period's
// cases. It is empty on SQLite, whose plans were not measured at this size.
func (s *Store) periodIndex(name string) string { return s.index(name) }

// index is the hint that makes MySQL read a table through index name; empty
// on the other databases.
func (s *Store) index(name string) string {
	if s.driver == "mysql" {
		return "FORCE INDEX (" + name + ")"
	}
	return ""
}
