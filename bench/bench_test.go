package bench

import (
	"bytes"
	"context"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"minsheng/models/modeltest"
)

// A tiny run of the whole bench against MariaDB and PostgreSQL: it must print its one
// table with every row filled, the jobs included: the first run of the
// deadline ladder acts on seeded cases and queues messages, the second right
// after acts on none, the weekly summary queues its messages (and queues
// nothing when run again), and the monthly report covers the tenth of the
// seed received in its month, twice.
func TestRunPrintsTable(t *testing.T) {
	dsn, set := os.LookupEnv(modeltest.EnvDSN)
	if !set {
		dsn = DefaultDSN
	}
	t.Run("mysql", func(t *testing.T) { runPrintsTable(t, dsn, set, false) })
	pg, set := os.LookupEnv(modeltest.EnvPGDSN)
	if !set {
		pg = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	t.Run("postgres", func(t *testing.T) { runPrintsTable(t, pg, set, true) })
}

// threeWays is whether the intake is measured also with a new case's
// number, row and entry in three statements (PostgreSQL).
func runPrintsTable(t *testing.T, dsn string, set, threeWays bool) {
	var out, progress bytes.Buffer
	err := Run(context.Background(), Options{
		Config: testConfig(t), DSN: dsn, Requests: 30, Clients: []int{1, 4}, Clicks: 10, Seed: 3000,
		Out: &out, Progress: &progress,
	})
	if err != nil && strings.Contains(err.Error(), "does not answer") && !set {
		t.Skipf("no database at %s: %v", dsn, err)
	}
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, progress.String())
	}
	table := out.String()
	for _, want := range []string{
		// The intake on the pool of the configuration (the driver's
		// default), compared with the best of the baseline's pools.
		`intake: encrypted callback → committed case \(pool \d+\)\s+1\s+30\s+\d+/s\s+[\d.]+ ms\s+[\d.]+ ms\s+\d+/s \(pool \d+\)\s+[\d.]+\n`,
		`intake: encrypted callback → committed case \(pool \d+\)\s+4\s+30\s`,
		`  plain SQL: the same rows, a statement per round trip \(pool 4\)(, the best)?\s+1\s+30\s+\d+/s\s+[\d.]+ ms\s+[\d.]+ ms\s+–\s+–\n`,
		`  plain SQL: the same rows, a statement per round trip \(pool 64\)(, the best)?\s+4\s+30\s+\d+/s`,
		`, the best\s+4\s+30\s`,
		`officer: 交办 \(dispatcher\) card click.*\s10\s+\d+/s.*[\d.]+ outbox rows/click`,
		`officer: 签收 \(officer\) card click.*\s10\s+\d+/s`,
		`seed 3,000 cases .*\s[\d,]+ rows\s+\d+/s\s+total [\d.]+m?s\s+–\s+[1-9][\d,]* open, [1-9][\d,]* overdue`,
		`reminder/escalation scan, 3,000 cases: first run at \d\d-\d\d \d\d:\d\d\s+–\s+[1-9][\d,]* cases\s+took [\d.]+ m?s\s+–\s+–\s+[1-9][\d,]* chases \(remind \d+, overdue \d+, leader \d+, joint \d+, accept \d+\), \d+ returned, [1-9][\d,]* messages`,
		`reminder/escalation scan: second run right after\s+–\s+0 cases\s+took [\d.]+ m?s\s+–\s+–\s+0 chases .*, 0 returned, 0 messages`,
		`weekly summary \d{4}-W\d\d, 3,000 cases: first run\s+–\s+–\s+took [\d.]+ m?s\s+–\s+–\s+[1-9]\d* messages \(chart included\)`,
		`weekly summary: run again right after\s+–\s+–\s+took [\d.]+ m?s\s+–\s+–\s+0 messages more \(queued once a week\)`,
		`monthly report \d{4}-\d\d, 300 cases in the month: first run\s+–\s+300 cases\s+took [\d.]+ m?s\s+–\s+–\s+workbook [\d.]+ (KiB|MiB)`,
		`monthly report: run again right after\s+–\s+300 cases\s+took [\d.]+ m?s`,
		`peak RSS.*\d+ MiB\s+–\s+–\s+[\d.]+ MiB before the jobs`,
	} {
		if !regexp.MustCompile(want).MatchString(table) {
			t.Errorf("table lacks %s:\n%s", want, table)
		}
	}
	three := regexp.MustCompile(`  the same, number \+ case \+ entry in 3 statements \(pool \d+\)\s+4\s+30\s+\d+/s\s+[\d.]+ ms\s+[\d.]+ ms\s+\d+/s \(pool \d+\)\s+[\d.]+\n`)
	if got := three.MatchString(table); got != threeWays {
		t.Errorf("table has the intake with three statements: %v; want %v:\n%s", got, threeWays, table)
	}
	if !regexp.MustCompile(`; (MariaDB|PostgreSQL) \d`).MatchString(table) {
		t.Errorf("table does not name the database server:\n%s", table)
	}
	if strings.Contains(table, "n/a") {
		t.Errorf("table has a figure missing:\n%s", table)
	}
	if !strings.Contains(progress.String(), "seed: 3,000 / 3,000 cases") {
		t.Errorf("no progress line for the seed:\n%s", progress.String())
	}
}

func TestMeasurementPercentiles(t *testing.T) {
	m := &measurement{n: 100, took: 2 * time.Second}
	for i := 100; i >= 1; i-- {
		m.lat = append(m.lat, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0, time.Millisecond}}
	for _, tt := range tests {
		if got := m.p(tt.q); got != tt.want {
			t.Errorf("p(%v) = %v; want %v", tt.q, got, tt.want)
		}
	}
	if got := m.rate(); got != 50 {
		t.Errorf("rate() = %v; want 50", got)
	}
	if got := thousands(1000000); got != "1,000,000" {
		t.Errorf("thousands(1000000) = %q", got)
	}
}

// The intake is compared with the fastest of the baseline's pools.
func TestLevelBestPool(t *testing.T) {
	at := func(n int, took time.Duration) *measurement { return &measurement{n: n, took: took} }
	lv := level{plain: []*measurement{at(100, time.Second), at(300, time.Second), at(200, time.Second), at(250, time.Second)}}
	if got := lv.best(); got != 1 {
		t.Errorf("best() = %d; want 1 (300/s)", got)
	}
	if got := poolList([]int{4, 8, 16, 64}); got != "4/8/16/64" {
		t.Errorf("poolList = %q", got)
	}
}
