package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"minsheng/app"
	"minsheng/config"
	"minsheng/models"
	"minsheng/reports"
)

// seedBatch is how many rows one INSERT carries.
const seedBatch = 1000

// seedWorkers is how many INSERTs run at once.
const seedWorkers = 3

// seeded is what seed wrote, how long it took, and the clock and month the
// jobs are measured at.
type seeded struct {
	cases, rows int
	took        time.Duration
	// at is the bench's clock for the jobs: an hour into the last working
	// day before today. Every seeded case was received before it.
	at time.Time
	// month is the calendar month before at's, with monthCases of the cases.
	month      models.Period
	monthCases int
	// open counts the seeded cases a unit owes an answer at at, overdue
	// those of them past their deadline; status counts every case by status.
	open, overdue int
	status        map[models.Status]int
}

// seed writes n cases straight into the tables with batched multi-row
// INSERTs, as a year of a busy county would leave them at the bench's clock
// (seeded.at): one citizen for every ten cases; a tenth of the cases
// received in the month before at (the month the monthly report is measured
// on), the rest over the other days of the year before at, fewer on days off;
// invalid and duplicate reports; lead units, co-handling units of complex
// cases and units that returned a case (case_units); extensions; answers on
// time and late; ratings with a few appeals, and cases closed rated or
// unrated. What is still open at at is what the regulations' clocks make of
// it: a deadline ahead, due the next working day, or passed by 0 to 10
// working days (so every rung of the deadline ladder has its cases), and a
// few assignments not accepted after a working day or two. Each case's
// record has its main entries (received, repeated, assigned, accepted,
// answered, rated, fed back; invalid or duplicate), so that a query over the
// records meets a table of their real size; 督办 records are not seeded. It
// prints a progress line for every tenth of the way.
func seed(ctx context.Context, store *models.Store, cfg *config.Config, n int, progress io.Writer) (*seeded, error) {
	start := time.Now()
	sqlDB, err := store.DB().DB()
	if err != nil {
		return nil, fmt.Errorf("bench: seed: %w", err)
	}
	deps, err := store.Departments(ctx)
	if err != nil {
		return nil, fmt.Errorf("bench: seed: %w", err)
	}
	if len(deps) == 0 {
		return nil, fmt.Errorf("bench: seed: no departments in org")
	}
	cal, err := app.Calendar(cfg)
	if err != nil {
		return nil, err
	}
	hours, err := models.ParseOfficeHours(cfg.Deadlines.OfficeHours)
	if err != nil {
		return nil, fmt.Errorf("bench: seed: deadlines.office_hours: %w", err)
	}
	maxID := func(table string) (uint64, error) {
		var id uint64
		err := sqlDB.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("bench: seed: max id of %s: %w", table, err)
		}
		return id, nil
	}
	// Explicit ids: nothing else writes while the seed runs.
	var base [5]uint64
	for i, t := range []string{"cases", "citizens", "case_units", "ratings", "extensions"} {
		if base[i], err = maxID(t); err != nil {
			return nil, err
		}
	}
	loc := cfg.Location
	at := jobsClock(cal, hours, time.Now().In(loc))
	g := &seedGen{
		cfg: cfg, cal: cal, hours: hours, loc: loc, at: at, deps: deps,
		rng:      rand.New(rand.NewPCG(20261122, uint64(n))),
		caseBase: base[0], citizenBase: base[1], unitID: base[2], ratingID: base[3], extID: base[4],
		citizens: max(1, n/10),
	}
	month := reports.PreviousMonth(at, loc)
	days := seedDays(cal, loc, at, month, n)

	type batch struct {
		table string
		cols  []string
		rows  [][]any
	}
	work := make(chan batch)
	errc := make(chan error, seedWorkers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	written := 0
	for range seedWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if err := insertRows(ctx, sqlDB, store.Driver(), b.table, b.cols, b.rows); err != nil {
					errc <- err
					for range work { // drain so the producer can finish
					}
					return
				}
				mu.Lock()
				written += len(b.rows)
				mu.Unlock()
			}
		}()
	}
	send := func(b batch) error {
		select {
		case work <- b:
			return nil
		case err := <-errc:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// flush sends what one table has gathered once it is a batch, or at the end.
	flush := func(table string, cols []string, rows *[][]any, end bool) error {
		if len(*rows) >= seedBatch || (end && len(*rows) > 0) {
			if err := send(batch{table, cols, *rows}); err != nil {
				return err
			}
			*rows = nil
		}
		return nil
	}

	var produceErr error
	func() {
		defer close(work)
		var rows [][]any
		first := days[0].date.AddDate(0, 0, -1).UTC()
		for i := range g.citizens {
			id := g.citizenBase + uint64(i) + 1
			rows = append(rows, []any{id, fmt.Sprintf("oseed%09d", i), models.CitizenAlias(id), first, first})
			if produceErr = flush("citizens", seedCitizenCols, &rows, i == g.citizens-1); produceErr != nil {
				return
			}
		}
		tables := []struct {
			name string
			cols []string
			rows *[][]any
		}{
			{"cases", seedCaseCols, &g.cases}, {"case_units", seedUnitCols, &g.units},
			{"ratings", seedRatingCols, &g.ratings}, {"extensions", seedExtensionCols, &g.extensions},
			{"case_events", seedEventCols, &g.events},
		}
		step := max(1, n/10)
		i := 0
		for _, d := range days {
			for seq := 1; seq <= d.count; seq++ {
				g.add(i, d, seq)
				i++
				for _, t := range tables {
					if produceErr = flush(t.name, t.cols, t.rows, i == n); produceErr != nil {
						return
					}
				}
				if i%step == 0 {
					mu.Lock()
					w := written
					mu.Unlock()
					el := time.Since(start)
					fmt.Fprintf(progress, "[bench] seed: %s / %s cases generated, %s rows written, %s, %.0f rows/s\n",
						thousands(i), thousands(n), thousands(w), el.Round(time.Second), float64(w)/el.Seconds())
				}
			}
		}
	}()
	wg.Wait()
	select {
	case err := <-errc:
		return nil, err
	default:
	}
	if produceErr != nil {
		return nil, fmt.Errorf("bench: seed: %w", produceErr)
	}
	// Keep the numbering consistent: the day sequences know the seeded numbers.
	var seqs [][]any
	for _, d := range days {
		if d.count > 0 {
			seqs = append(seqs, []any{d.date.Format("20060102"), d.count})
		}
	}
	for len(seqs) > 0 {
		k := min(len(seqs), seedBatch)
		if err := insertRows(ctx, sqlDB, store.Driver(), "case_sequences", []string{"day", "seq"}, seqs[:k]); err != nil {
			return nil, err
		}
		written += k
		seqs = seqs[k:]
	}
	// Index statistics as a server that has lived with these rows has them;
	// on PostgreSQL the id sequences learn of the explicit ids, and the
	// tables are vacuumed as autovacuum would have done by then, so that
	// its index-only scans need not visit the rows (the visibility map).
	for _, t := range []string{"cases", "case_units", "ratings", "extensions", "citizens", "case_events"} {
		analyze := "ANALYZE TABLE " + t
		if store.Driver() == "postgres" {
			analyze = "VACUUM ANALYZE " + t
			if _, err := sqlDB.ExecContext(ctx, "SELECT setval(pg_get_serial_sequence('"+t+"', 'id'), (SELECT MAX(id) FROM "+t+"))"); err != nil {
				return nil, fmt.Errorf("bench: seed: id sequence of %s: %w", t, err)
			}
		}
		if _, err := sqlDB.ExecContext(ctx, analyze); err != nil {
			return nil, fmt.Errorf("bench: seed: analyze %s: %w", t, err)
		}
	}
	monthCases := 0
	for _, d := range days {
		if !d.date.Before(month.From) && d.date.Before(month.To) {
			monthCases += d.count
		}
	}
	return &seeded{cases: n, rows: written, took: time.Since(start), at: at, month: month, monthCases: monthCases,
		open: g.open, overdue: g.overdue, status: g.status}, nil
}

// jobsClock is the moment the jobs are measured at: an hour after the start
// of office hours on the last working day before the date of now.
func jobsClock(cal *models.Calendar, hours models.OfficeHours, now time.Time) time.Time {
	d := time.Date(now.Year(), now.Month(), now.Day(), 12, 0, 0, 0, now.Location())
	for {
		d = d.AddDate(0, 0, -1)
		if cal.IsWorkday(d) {
			break
		}
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, hours.StartMinute+60, 0, 0, now.Location())
}

// seedDay is one day of the seed and how many cases were received on it.
type seedDay struct {
	date  time.Time // midnight, in the bench's time zone
	count int
}

// seedDays spreads n cases over the 365 days before the date of at: a tenth
// of them (at least one) over the days of month, the rest over the other
// days, a day off getting a third of a working day's share.
func seedDays(cal *models.Calendar, loc *time.Location, at time.Time, month models.Period, n int) []seedDay {
	end := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, loc)
	var days []seedDay
	for d := end.AddDate(0, 0, -365); d.Before(end); d = d.AddDate(0, 0, 1) {
		days = append(days, seedDay{date: d})
	}
	weight := func(d time.Time) float64 {
		if cal.IsWorkday(d) {
			return 3
		}
		return 1
	}
	inMonth := func(d time.Time) bool { return !d.Before(month.From) && d.Before(month.To) }
	inMonthCases := max(1, min(n, n/10))
	for _, part := range []struct {
		in    bool
		total int
	}{{true, inMonthCases}, {false, n - inMonthCases}} {
		var sum float64
		for _, d := range days {
			if inMonth(d.date) == part.in {
				sum += weight(d.date)
			}
		}
		// Cumulative rounding: the counts add up to the part's total exactly.
		var cum float64
		given := 0
		for i := range days {
			if inMonth(days[i].date) != part.in {
				continue
			}
			cum += weight(days[i].date)
			upTo := int(cum/sum*float64(part.total) + 0.5)
			days[i].count = upTo - given
			given = upTo
		}
	}
	return days
}

// Columns of the seeded tables.
var (
	seedCaseCols = []string{"id", "no", "citizen_id", "content", "content_hash", "status", "severity", "kind", "lead_dept_id",
		"received_at", "ack_due_at", "due_at", "duplicate_of_id", "repeats", "answer", "answered_at", "closed_at",
		"created_at", "updated_at", "rating", "rated_at", "reopens", "rating_rows"}
	seedUnitCols      = []string{"id", "case_id", "department_id", "role", "state", "active", "accepted_by", "accepted_at", "created_at", "updated_at"}
	seedCitizenCols   = []string{"id", "open_id", "alias", "created_at", "last_message_at"}
	seedRatingCols    = []string{"id", "case_id", "round", "citizen_id", "department_id", "value", "reason", "rated_at", "appeal_state", "appeal_reason", "appeal_by", "appeal_at", "decided_by", "decided_at", "decision", "case_received_at"}
	seedExtensionCols = []string{"id", "case_id", "department_id", "requested_by", "workdays", "reason", "state", "decided_by", "decided_at", "old_due_at", "new_due_at", "created_at"}
	seedEventCols     = []string{"case_id", "kind", "actor_kind", "actor_id", "actor_name", "platform", "from_state", "to_state", "body", "created_at"}
)

// seedGen makes the rows of the seeded cases one case at a time.
type seedGen struct {
	cfg   *config.Config
	cal   *models.Calendar
	hours models.OfficeHours
	loc   *time.Location
	at    time.Time
	deps  []models.Department
	rng   *rand.Rand

	caseBase, citizenBase   uint64
	unitID, ratingID, extID uint64
	citizens                int
	// The rows made and not yet sent, by table.
	cases, units, ratings, extensions, events [][]any
	open, overdue                             int
	status                                    map[models.Status]int
	// lastValid is the latest valid case, which a duplicate is linked to.
	lastValid uint64
}

// Shares of the seed, in per cent of the cases (or of those named).
const (
	seedInvalid   = 5  // 无效
	seedDuplicate = 3  // 重复反映
	seedWaiting   = 40 // of the reports of the last 16 hours: still waiting for triage
	seedSimple    = 3  // 即办
	seedComplex   = 8  // 复杂, with a co-handling unit
	seedReturned  = 3  // a first lead unit gave the case back (退回)
	seedExtension = 3  // an extension was asked for; seedApproved of them approved
	seedApproved  = 80
	seedLate      = 13 // answered after the deadline, 1 to 10 working days late
	seedRated     = 80 // of the answers: rated by the citizen within three days
	seedAppealed  = 20 // of the 不满意: appealed by the unit; half of them upheld
	seedRepeat    = 2  // the citizen sent the same report again within a day (重复反映)
	seedFedBack   = 1  // of the answers: put in a written feedback (书面反馈) a day later
)

// golden spreads the cases' fates evenly: frac(i·φ) is a low-discrepancy
// sequence, so even a small seed has its share of late answers every day.
const golden = 0.6180339887498949

// add makes the rows of case number i, the seq-th received on day d.
func (g *seedGen) add(i int, d seedDay, seq int) {
	if g.status == nil {
		g.status = map[models.Status]int{}
	}
	cfg, rng, at := g.cfg, g.rng, g.at
	id := g.caseBase + uint64(i) + 1
	citizen := g.citizenBase + uint64(i%g.citizens) + 1
	// Reports come in from 07:00 to 22:00.
	received := d.date.Add(7*time.Hour + time.Duration(seq-1)*15*time.Hour/time.Duration(max(d.count, 1)) + time.Duration(rng.IntN(60))*time.Second)
	content := fmt.Sprintf("%s附近%s，第%d次反映", seedPlaces[i%len(seedPlaces)], seedProblems[(i/7)%len(seedProblems)], i%5+1)
	fate := float64(i) * golden
	fate -= float64(int(fate))
	k := seedCase{kind: cfg.Deadlines.DefaultKind}
	g.event(id, models.EventReceived, models.ActorCitizen, citizen, "", models.StatusReceived, content, received)
	repeats := 0
	if again := received.Add(time.Duration(1+rng.IntN(20)) * time.Hour); rng.IntN(100) < seedRepeat && again.Before(at) {
		repeats = 1
		g.event(id, models.EventRepeat, models.ActorCitizen, citizen, "", "", content, again)
	}
	triage := rng.IntN(100)
	switch {
	case triage < seedInvalid+seedDuplicate:
		k.status = models.StatusInvalid
		if triage >= seedInvalid && g.lastValid != 0 {
			k.status, k.dupOf = models.StatusDuplicate, g.lastValid
		}
		if c := received.Add(3 * time.Hour); c.After(at) {
			k.status, k.dupOf = models.StatusReceived, nil
		} else {
			k.closedAt = c.UTC()
			kind := models.EventInvalid
			if k.status == models.StatusDuplicate {
				kind = models.EventDuplicate
			}
			g.event(id, kind, models.ActorMember, 1, models.StatusReceived, k.status, "", c)
		}
	case at.Sub(received) < 16*time.Hour && rng.IntN(100) < seedWaiting:
		k.status = models.StatusReceived
	default:
		k = g.handled(id, citizen, received, fate, k.kind)
	}
	g.status[k.status]++
	var rating any
	if k.rating != "" {
		rating = k.rating
	}
	g.cases = append(g.cases, []any{id, d.date.Format("20060102") + fmt.Sprintf("%03d", seq), citizen,
		content, models.TextHash(content), k.status, models.SeverityGeneral, k.kind, k.lead,
		received.UTC(), received.Add(cfg.Deadlines.Acknowledge.D()).UTC(), k.due, k.dupOf, repeats, k.answer, k.answeredAt, k.closedAt,
		received.UTC(), received.UTC(), rating, k.ratedAt, 0, k.rating != ""})
}

// seedCase is what became of one case by the bench's clock: the columns
// that differ from case to case (nil for NULL).
type seedCase struct {
	status                                          models.Status
	kind, answer, rating                            string
	lead, due, dupOf, answeredAt, closedAt, ratedAt any
}

// handled makes a valid case: its units, deadline, extension, answer and
// rating as they stand at g.at.
func (g *seedGen) handled(id, citizen uint64, received time.Time, fate float64, kind string) seedCase {
	cfg, rng, at, d := g.cfg, g.rng, g.at, g.cfg.Deadlines
	k := seedCase{kind: kind}
	g.lastValid = id
	depIdx := rng.IntN(len(g.deps))
	dep := g.deps[depIdx]
	other := g.deps[(depIdx+1+rng.IntN(max(1, len(g.deps)-1)))%len(g.deps)]
	k.lead = dep.ID
	assigned := received.Add(time.Hour)
	if rng.IntN(100) < seedReturned && other.ID != dep.ID {
		// The first lead unit gave it back; the dispatcher assigned it again.
		g.unitID++
		g.units = append(g.units, []any{g.unitID, id, other.ID, models.UnitLead, models.UnitReturned, false, 0, nil, assigned.UTC(), assigned.Add(30 * time.Minute).UTC()})
		assigned = received.Add(2 * time.Hour)
	}
	var dueAt time.Time
	switch x := rng.IntN(100); {
	case x < seedSimple:
		k.kind = "即办"
		dueAt = assigned.Add(d.Simple.D())
	case x < seedSimple+seedComplex:
		k.kind = "复杂"
		dueAt = g.workdays(assigned, d.ComplexWorkdays)
	default:
		dueAt = g.workdays(assigned, d.GeneralWorkdays)
	}
	// An extension asked two days before the deadline.
	if k.kind != "即办" && rng.IntN(100) < seedExtension {
		asked := dueAt.Add(-48 * time.Hour)
		if asked.Before(assigned) {
			asked = assigned.Add(time.Hour)
		}
		if !asked.After(at) {
			state, decided, newDue := models.ExtensionRequested, any(nil), any(nil)
			old := dueAt
			if dec := asked.Add(4 * time.Hour); !dec.After(at) {
				decided, state = dec.UTC(), models.ExtensionRejected
				if rng.IntN(100) < seedApproved {
					state = models.ExtensionApproved
					dueAt = g.workdays(dueAt, d.ExtensionWorkdays)
					newDue = dueAt.UTC()
				}
			}
			g.extID++
			g.extensions = append(g.extensions, []any{g.extID, id, dep.ID, 0, d.ExtensionWorkdays, "需协调多个部门现场核实", state, 0, decided, old.UTC(), newDue, asked.UTC()})
		}
	}
	k.due = dueAt.UTC()
	// When the answer reaches the citizen: mostly in time, some 1 to 10
	// working days late.
	var answered time.Time
	if fate < 1-seedLate/100.0 {
		answered = assigned.Add(time.Duration((0.15 + 0.85*rng.Float64()) * float64(dueAt.Sub(assigned))))
	} else {
		late := 1 + int((fate-(1-seedLate/100.0))/(seedLate/100.0)*10)
		answered = g.workdays(dueAt, min(late, 10)).Add(-time.Duration(rng.Int64N(int64(8 * time.Hour))))
	}
	// When the unit accepts (签收): mostly within hours, a few after days.
	var delay time.Duration
	switch x := rng.IntN(100); {
	case x < 80:
		delay = 5*time.Minute + time.Duration(rng.Int64N(int64(4*time.Hour)))
	case x < 97:
		delay = 4*time.Hour + time.Duration(rng.Int64N(int64(26*time.Hour)))
	default:
		delay = 30*time.Hour + time.Duration(rng.Int64N(int64(50*time.Hour)))
	}
	accepted := assigned.Add(delay)
	if !accepted.Before(answered) {
		accepted = assigned.Add(answered.Sub(assigned) / 4)
	}
	unaccepted := accepted.After(at)
	state, acceptedAt := models.UnitAccepted, any(accepted.UTC())
	if unaccepted {
		state, acceptedAt = models.UnitAssigned, nil
	}
	g.unitID++
	g.units = append(g.units, []any{g.unitID, id, dep.ID, models.UnitLead, state, true, 0, acceptedAt, assigned.UTC(), assigned.UTC()})
	g.event(id, models.EventAssigned, models.ActorMember, 1, models.StatusReceived, models.StatusAssigned, dep.Name, assigned)
	if !unaccepted {
		g.event(id, models.EventAccepted, models.ActorMember, 2, models.StatusAssigned, models.StatusHandling, "", accepted)
	}
	if k.kind == "复杂" && other.ID != dep.ID {
		g.unitID++
		g.units = append(g.units, []any{g.unitID, id, other.ID, models.UnitCo, state, true, 0, acceptedAt, assigned.UTC(), assigned.UTC()})
	}

	if answered.After(at) {
		g.open++
		if dueAt.Before(at) {
			g.overdue++
		}
		switch {
		case unaccepted:
			k.status = models.StatusAssigned
		case answered.Sub(at) < 20*time.Hour:
			k.status = models.StatusReviewing // the draft waits for approval
		default:
			k.status = models.StatusHandling
		}
		return k
	}
	k.answeredAt, k.answer = answered.UTC(), "经核查，已安排人员现场处理，问题已解决。感谢您的监督。"
	k.status = models.StatusAnswered
	g.event(id, models.EventApproved, models.ActorMember, 3, models.StatusReviewing, models.StatusAnswered, k.answer, answered)
	if fed := answered.Add(24 * time.Hour); rng.IntN(100) < seedFedBack && fed.Before(at) {
		g.event(id, models.EventFedBack, models.ActorSystem, 0, "", "", "书面反馈：市人大代表联络站", fed)
	}
	if rng.IntN(100) < seedRated {
		rated := answered.Add(10*time.Minute + time.Duration(rng.Int64N(int64(72*time.Hour))))
		if !rated.After(at) {
			k.rating = seedRating(rng, depIdx, len(g.deps))
			k.status, k.ratedAt, k.closedAt = models.StatusClosed, rated.UTC(), rated.UTC()
			g.rate(id, citizen, dep.ID, k.rating, received, rated)
			g.event(id, models.EventRated, models.ActorCitizen, citizen, models.StatusAnswered, models.StatusClosed, k.rating, rated)
		}
		return k
	}
	// Not rated: reminded, then closed unrated (the rating job).
	if c := g.workdays(answered, cfg.Rating.RemindAfterWorkdays+cfg.Rating.CloseAfterWorkdays); !c.After(at) {
		k.status, k.closedAt = models.StatusClosed, c.UTC()
	}
	return k
}

// event adds an entry of case caseID's record: by the citizen (actor id
// the citizen's), a member (a seeded member's id) or the system.
func (g *seedGen) event(caseID uint64, kind models.EventKind, actorKind string, actorID uint64, from, to models.Status, body string, at time.Time) {
	name, platform := "系统", "system"
	switch actorKind {
	case models.ActorCitizen:
		name, platform = models.CitizenAlias(actorID), "mp"
	case models.ActorMember:
		name, platform = "办理人员", "wecom"
	}
	g.events = append(g.events, []any{caseID, kind, actorKind, actorID, name, platform, from, to, body, at.UTC()})
}

// rate adds the ratings row of a case rated value at rated; a 不满意 is
// sometimes appealed, and half the appeals decided by at are upheld.
func (g *seedGen) rate(caseID, citizen, dept uint64, value string, received, rated time.Time) {
	reason, appeal, appealReason := "", models.AppealNone, ""
	var appealAt, decidedAt any
	decision := ""
	if value == models.RatingUnsatisfied {
		reason = "处理不及时，问题没有根本解决"
		if g.rng.IntN(100) < seedAppealed {
			filed := rated.Add(24 * time.Hour)
			if !filed.After(g.at) {
				appeal, appealReason, appealAt = models.AppealFiled, "已按规定处理，群众诉求超出职责范围", filed.UTC()
				if dec := filed.Add(48 * time.Hour); !dec.After(g.at) {
					appeal, decidedAt, decision = models.AppealRejected, dec.UTC(), "处理确有不足"
					if g.rng.IntN(2) == 0 {
						appeal, decision = models.AppealUpheld, "诉求超出职责范围，申诉成立"
					}
				}
			}
		}
	}
	g.ratingID++
	g.ratings = append(g.ratings, []any{g.ratingID, caseID, 1, citizen, dept, value, reason, rated.UTC(),
		appeal, appealReason, 0, appealAt, 0, decidedAt, decision, received.UTC()})
}

// seedRating draws a rating: the units in the order of the org are
// satisfactory from 97 % down to 85 %, so that the last is under target.
func seedRating(rng *rand.Rand, dep, deps int) string {
	share := 0.97
	if deps > 1 {
		f := float64(dep) / float64(deps-1)
		share -= 0.12 * f * f
	}
	x := rng.Float64()
	switch {
	case x < share*0.75:
		return models.RatingSatisfied
	case x < share:
		return models.RatingBasic
	}
	return models.RatingUnsatisfied
}

// workdays is the deadline n working days after t, as the bot computes it.
func (g *seedGen) workdays(t time.Time, n int) time.Time {
	due, _ := g.cal.AddWorkdays(t.In(g.loc), n, g.hours)
	return due
}

var (
	seedPlaces   = []string{"解放路", "人民路", "幸福小区", "建设街", "城南菜市场", "滨河公园", "火车站广场", "实验小学", "新华村", "工业园区"}
	seedProblems = []string{"路灯不亮", "井盖丢失", "垃圾未清运", "楼道堵塞", "夜间施工噪音", "排污异味", "占道经营", "公交站牌损坏", "积水严重"}
)

// insertRows writes rows into table with one multi-row INSERT.
func insertRows(ctx context.Context, db *sql.DB, driver, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	args := make([]any, 0, len(rows)*len(cols))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
		args = append(args, r...)
	}
	if _, err := db.ExecContext(ctx, bind(driver, b.String()), args...); err != nil {
		return fmt.Errorf("bench: seed %s: %w", table, err)
	}
	return nil
}
