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

	"minsheng/config"
	"minsheng/models"
)

// seedBatch is how many rows one INSERT carries.
const seedBatch = 1000

// seedWorkers is how many INSERTs run at once.
const seedWorkers = 3

// seeded is what seed wrote and how long it took.
type seeded struct {
	cases, rows int
	took        time.Duration
}

// seed writes n cases of the last 365 days straight into the tables with
// batched multi-row INSERTs, as a year of a busy county would leave them:
// one citizen for every ten cases, recent cases still open and older ones
// mostly closed, some of them overdue, each handled case with its lead unit
// (a case_units row). Case events are not seeded. It prints a progress line
// for every tenth of the way.
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
	loc := cfg.Location
	cal, err := calendarOf(cfg)
	if err != nil {
		return nil, err
	}
	hours, err := models.ParseOfficeHours(cfg.Deadlines.OfficeHours)
	if err != nil {
		return nil, fmt.Errorf("bench: seed: deadlines.office_hours: %w", err)
	}
	kind, ack, workdays := cfg.Deadlines.DefaultKind, cfg.Deadlines.Acknowledge.D(), cfg.Deadlines.GeneralWorkdays
	maxID := func(table string) (uint64, error) {
		var id uint64
		err := sqlDB.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+table).Scan(&id)
		if err != nil {
			return 0, fmt.Errorf("bench: seed: max id of %s: %w", table, err)
		}
		return id, nil
	}
	// Explicit ids: nothing else writes while the seed runs.
	caseBase, err := maxID("cases")
	if err != nil {
		return nil, err
	}
	citizenBase, err := maxID("citizens")
	if err != nil {
		return nil, err
	}
	unitBase, err := maxID("case_units")
	if err != nil {
		return nil, err
	}
	rated := store.DB().Migrator().HasColumn(&models.Case{}, "Rating")

	caseCols := []string{"id", "no", "citizen_id", "content", "content_hash", "status", "severity", "kind", "lead_dept_id",
		"received_at", "ack_due_at", "due_at", "repeats", "answered_at", "closed_at", "created_at", "updated_at"}
	if rated {
		caseCols = append(caseCols, "rating", "rated_at")
	}
	unitCols := []string{"id", "case_id", "department_id", "role", "state", "active", "accepted_by", "accepted_at", "created_at", "updated_at"}
	citizenCols := []string{"id", "open_id", "alias", "created_at", "last_message_at"}

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
				if err := insertRows(ctx, sqlDB, b.table, b.cols, b.rows); err != nil {
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

	now := time.Now().UTC().Truncate(time.Second)
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	rng := rand.New(rand.NewPCG(20261122, uint64(n)))
	citizens := max(1, n/10)
	var produceErr error
	func() {
		defer close(work)
		var rows [][]any
		for i := range citizens {
			id := citizenBase + uint64(i) + 1
			at := today.AddDate(0, 0, -366).UTC()
			rows = append(rows, []any{id, fmt.Sprintf("oseed%09d", i), models.CitizenAlias(id), at, at})
			if len(rows) == seedBatch || i == citizens-1 {
				if produceErr = send(batch{"citizens", citizenCols, rows}); produceErr != nil {
					return
				}
				rows = nil
			}
		}
		var cases, units [][]any
		var unitSeq uint64
		perDay := (n + 364) / 365
		step := max(1, n/10)
		for i := range n {
			dayBack := 365 - i/perDay // oldest first; the last day is yesterday
			seq := i%perDay + 1
			day := today.AddDate(0, 0, -dayBack)
			received := day.Add(time.Duration(8*3600+seq*28800/perDay) * time.Second).UTC()
			id := caseBase + uint64(i) + 1
			status := seedStatus(rng, dayBack)
			content := fmt.Sprintf("%s附近%s，第%d次反映", seedPlaces[i%len(seedPlaces)], seedProblems[(i/7)%len(seedProblems)], i%5+1)
			var lead, due, answered, closed, ratedAt any
			rating := ""
			if status != models.StatusReceived && status != models.StatusInvalid && status != models.StatusDuplicate {
				d := deps[i%len(deps)]
				lead = d.ID
				dueAt, _ := cal.AddWorkdays(received, workdays, hours)
				due = dueAt.UTC()
				state, acceptedAt := models.UnitAccepted, any(received.Add(2*time.Hour))
				if status == models.StatusAssigned {
					state, acceptedAt = models.UnitAssigned, nil
				}
				unitSeq++
				units = append(units, []any{unitBase + unitSeq, id, d.ID, models.UnitLead, state, true, 0, acceptedAt, received.Add(time.Hour), received.Add(time.Hour)})
				if status == models.StatusAnswered || status == models.StatusClosed {
					// Most answers come in time, one in ten late.
					took := time.Duration(rng.Int64N(int64(dueAt.Sub(received))))
					if rng.IntN(10) == 0 {
						took = dueAt.Sub(received) + time.Duration(rng.Int64N(int64(72*time.Hour)))
					}
					answered = received.Add(took)
				}
				if status == models.StatusClosed {
					closed = received.Add(20 * 24 * time.Hour)
					rating = seedRatings[rng.IntN(len(seedRatings))]
					ratedAt = closed
				}
			}
			if status == models.StatusInvalid || status == models.StatusDuplicate {
				closed = received.Add(3 * time.Hour)
			}
			r := []any{id, day.Format("20060102") + fmt.Sprintf("%03d", seq), citizenBase + uint64(i%citizens) + 1,
				content, models.TextHash(content), status, models.SeverityGeneral, kind, lead,
				received, received.Add(ack), due, 0, answered, closed, received, received}
			if rated {
				var rv any
				if rating != "" {
					rv = rating
				}
				r = append(r, rv, ratedAt)
			}
			cases = append(cases, r)
			if len(cases) == seedBatch || i == n-1 {
				if produceErr = send(batch{"cases", caseCols, cases}); produceErr != nil {
					return
				}
				cases = nil
			}
			if len(units) >= seedBatch || (i == n-1 && len(units) > 0) {
				if produceErr = send(batch{"case_units", unitCols, units}); produceErr != nil {
					return
				}
				units = nil
			}
			if (i+1)%step == 0 {
				mu.Lock()
				w := written
				mu.Unlock()
				el := time.Since(start)
				fmt.Fprintf(progress, "[bench] seed: %s / %s cases generated, %s rows written, %s, %.0f rows/s\n",
					thousands(i+1), thousands(n), thousands(w), el.Round(time.Second), float64(w)/el.Seconds())
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
	perDay := (n + 364) / 365
	for back := 1; back <= 365; back++ {
		day := today.AddDate(0, 0, -back).Format("20060102")
		if _, err := sqlDB.ExecContext(ctx, "INSERT INTO case_sequences (day, seq) VALUES (?, ?)", day, perDay); err != nil {
			return nil, fmt.Errorf("bench: seed: case sequence %s: %w", day, err)
		}
	}
	return &seeded{cases: n, rows: written, took: time.Since(start)}, nil
}

// seedStatus draws where a case received dayBack days ago stands now.
func seedStatus(rng *rand.Rand, dayBack int) models.Status {
	x := rng.IntN(100)
	if dayBack <= 30 {
		switch {
		case x < 5:
			return models.StatusReceived
		case x < 15:
			return models.StatusAssigned
		case x < 45:
			return models.StatusHandling
		case x < 50:
			return models.StatusReviewing
		case x < 70:
			return models.StatusAnswered
		case x < 90:
			return models.StatusClosed
		case x < 97:
			return models.StatusInvalid
		}
		return models.StatusDuplicate
	}
	switch {
	case x < 2:
		return models.StatusHandling // long overdue
	case x < 10:
		return models.StatusAnswered
	case x < 90:
		return models.StatusClosed
	case x < 97:
		return models.StatusInvalid
	}
	return models.StatusDuplicate
}

var (
	seedPlaces   = []string{"解放路", "人民路", "幸福小区", "建设街", "城南菜市场", "滨河公园", "火车站广场", "实验小学", "新华村", "工业园区"}
	seedProblems = []string{"路灯不亮", "井盖丢失", "垃圾未清运", "楼道堵塞", "夜间施工噪音", "排污异味", "占道经营", "公交站牌损坏", "积水严重"}
	seedRatings  = []string{"满意", "满意", "满意", "基本满意", "不满意"}
)

// insertRows writes rows into table with one multi-row INSERT.
func insertRows(ctx context.Context, db *sql.DB, table string, cols []string, rows [][]any) error {
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
	if _, err := db.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("bench: seed %s: %w", table, err)
	}
	return nil
}
