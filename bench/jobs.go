package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"minsheng/bot"
	"minsheng/config"
	"minsheng/models"
	"minsheng/reports"
)

// jobsMeasured is what the jobs did on the seeded cases, for the table.
type jobsMeasured struct {
	// first and second are the two runs of the deadline ladder.
	first, second chaseMeasured
	// weekly and monthly are each job's first run on the seeded database
	// and a run again right after it (weeklyAgain, monthlyAgain).
	weekly, weeklyAgain time.Duration
	week                string
	weeklyRows          int   // messages the weekly summary queued, chart included
	weeklyBytes         int64 // their payloads
	// weeklyAgainRows are the messages the second run queued.
	weeklyAgainRows       int
	monthly, monthlyAgain time.Duration
	monthCases            int
	workbook              int64 // bytes
	rssBefore             int64 // VmHWM before the jobs, bytes
}

// chaseMeasured is one run of bot.(*Bot).ChaseDeadlines.
type chaseMeasured struct {
	at     time.Time
	took   time.Duration
	report bot.ChaseReport
	// cases counts the distinct cases given a 督办 record by the run.
	cases int
}

// chases sums the run's chases of every level.
func (c chaseMeasured) chases() int {
	n := 0
	for _, v := range c.report.Chased {
		n += v
	}
	return n
}

// measureJobs runs the jobs on the seeded cases as the scheduler would at
// the bench's clock sd.at, with the store's clock moved there and running on:
//
//   - the reminder and 督办 ladder (job remind, bot.ChaseDeadlines) as a
//     first run, which looks at every case (no earlier run), then once more
//     right after with the first run's start as the previous run, as the job
//     passes it: that one must act on nothing and cost next to nothing;
//   - the weekly summary of the week before sd.at (jobs.Weekly.Run), queued
//     for the joint-meeting group;
//   - the monthly report of sd.month (reports.Monthly.Produce) to a temporary
//     file, removed afterwards.
//
// The weekly summary and the monthly report are run twice, and both times
// shown: the first run reads what the seed's bulk load left in the
// database server's cache (on a MariaDB of Debian's defaults, a buffer pool
// of 128 MiB that the million cases and their records fill eight times
// over), the second what the first one read, as a server that has served
// the same month all day has it.
func (o *office) measureJobs(ctx context.Context, cfg *config.Config, sd *seeded, progress func(string, ...any)) (*jobsMeasured, error) {
	store := o.store
	clock := store.Now
	start := time.Now()
	store.Now = func() time.Time { return sd.at.Add(time.Since(start)) }
	defer func() { store.Now = clock }()
	out := &jobsMeasured{monthCases: sd.monthCases}
	out.rssBefore, _ = procStatusBytes("VmHWM")

	ladder := o.app.Work.Deadlines.Ladder
	chase := func(since time.Time) (chaseMeasured, error) {
		c := chaseMeasured{at: store.Now()}
		before, err := chasedCases(ctx, store)
		if err != nil {
			return c, err
		}
		t := time.Now()
		c.report, err = o.bot.ChaseDeadlines(ctx, c.at, since, ladder)
		c.took = time.Since(t)
		if err != nil {
			return c, fmt.Errorf("bench: remind: %w", err)
		}
		after, err := chasedCases(ctx, store)
		c.cases = after - before
		return c, err
	}
	progress("remind: first run of the deadline ladder at %s", sd.at.Format("2006-01-02 15:04 MST"))
	var err error
	if out.first, err = chase(time.Time{}); err != nil {
		return nil, err
	}
	progress("remind: second run right after")
	if out.second, err = chase(out.first.at); err != nil {
		return nil, err
	}

	w := o.app.Work.Weekly
	now := store.Now()
	this := models.WeekPeriod(now, cfg.Location)
	out.week = models.Period{From: this.From.AddDate(0, 0, -7), To: this.From}.ISOWeek()
	progress("weekly summary of %s", out.week)
	queued := func() (n int, bytes int64, err error) {
		var q struct {
			N     int
			Bytes int64
		}
		err = store.DB().WithContext(ctx).Raw("SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(payload)), 0) AS bytes FROM outboxes WHERE dedup_key LIKE ?",
			"weekly:"+out.week+"%").Scan(&q).Error
		if err != nil {
			return 0, 0, fmt.Errorf("bench: count weekly messages: %w", err)
		}
		return q.N, q.Bytes, nil
	}
	for i, took := range []*time.Duration{&out.weekly, &out.weeklyAgain} {
		t := time.Now()
		if err := w.Run(ctx, now); err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		*took = time.Since(t)
		n, bytes, err := queued()
		if err != nil {
			return nil, err
		}
		if i == 0 {
			out.weeklyRows, out.weeklyBytes = n, bytes
		} else {
			out.weeklyAgainRows = n - out.weeklyRows // the summary was queued: none
		}
	}

	dir, err := os.MkdirTemp("", "msbench-report-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	m := *o.app.Work.Monthly.Workbook
	m.Dir = dir
	progress("monthly report of %s (%s cases received in it)", sd.month.Month(), thousands(sd.monthCases))
	for i, took := range []*time.Duration{&out.monthly, &out.monthlyAgain} {
		t := time.Now()
		rep, _, err := m.Produce(ctx, sd.month, store.Now(), filepath.Join(dir, fmt.Sprintf("%d-%s", i, reports.FileName(sd.month.Month()))), false)
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		*took, out.workbook = time.Since(t), rep.Size
	}
	return out, nil
}

// rows are the table's lines for the jobs.
func (j *jobsMeasured) rows(sd *seeded, ladder []config.LadderStep) []row {
	chaseRow := func(what string, c chaseMeasured) row {
		var levels []string
		for _, st := range ladder {
			levels = append(levels, fmt.Sprintf("%s %s", st.Level, thousands(c.report.Chased[st.Level])))
		}
		levels = append(levels, fmt.Sprintf("%s %s", models.LevelAccept, thousands(c.report.Chased[models.LevelAccept])))
		return row{
			what: what, count: thousands(c.cases) + " cases", rate: "took " + seconds(c.took),
			raw: fmt.Sprintf("%s chases (%s), %s returned, %s messages", thousands(c.chases()), strings.Join(levels, ", "),
				thousands(c.report.Returned), thousands(c.report.Messages)),
		}
	}
	return []row{
		chaseRow(fmt.Sprintf("reminder/escalation scan, %s cases: first run at %s", thousands(sd.cases), j.first.at.Format("01-02 15:04")), j.first),
		chaseRow("reminder/escalation scan: second run right after", j.second),
		{what: fmt.Sprintf("weekly summary %s, %s cases: first run", j.week, thousands(sd.cases)), rate: "took " + seconds(j.weekly),
			raw: fmt.Sprintf("%d messages (chart included), %s", j.weeklyRows, mib(j.weeklyBytes))},
		{what: "weekly summary: run again right after", rate: "took " + seconds(j.weeklyAgain), raw: fmt.Sprintf("%d messages more (queued once a week)", j.weeklyAgainRows)},
		{what: fmt.Sprintf("monthly report %s, %s cases in the month: first run", sd.month.Month(), thousands(j.monthCases)),
			count: thousands(j.monthCases) + " cases", rate: "took " + seconds(j.monthly), raw: "workbook " + mib(j.workbook)},
		{what: "monthly report: run again right after", count: thousands(j.monthCases) + " cases", rate: "took " + seconds(j.monthlyAgain)},
	}
}

// chasedCases counts the cases with an automatic 督办 record.
func chasedCases(ctx context.Context, store *models.Store) (int, error) {
	var n int
	err := store.DB().WithContext(ctx).Raw("SELECT COUNT(DISTINCT case_id) FROM supervisions WHERE chase_key IS NOT NULL").Scan(&n).Error
	if err != nil {
		return 0, fmt.Errorf("bench: count chased cases: %w", err)
	}
	return n, nil
}

func seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func mib(b int64) string {
	if b < 1<<20 {
		return fmt.Sprintf("%.0f KiB", float64(b)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
}

// statusCounts lists the seeded cases by status, in the order of the case's life.
func statusCounts(m map[models.Status]int) string {
	var parts []string
	for _, s := range []models.Status{models.StatusReceived, models.StatusAssigned, models.StatusHandling, models.StatusReviewing,
		models.StatusAnswered, models.StatusClosed, models.StatusInvalid, models.StatusDuplicate} {
		parts = append(parts, fmt.Sprintf("%s %s", s, thousands(m[s])))
	}
	return strings.Join(parts, ", ")
}
