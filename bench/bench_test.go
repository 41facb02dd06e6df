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

// A tiny run of the whole bench against MariaDB: it must print its one
// table with every row filled, the jobs included: the first run of the
// deadline ladder acts on seeded cases and queues messages, the second right
// after acts on none, the weekly summary queues its messages, and the
// monthly report covers the tenth of the seed received in its month.
func TestRunPrintsTable(t *testing.T) {
	dsn, set := os.LookupEnv(modeltest.EnvDSN)
	if !set {
		dsn = DefaultDSN
	}
	var out, progress bytes.Buffer
	err := Run(context.Background(), Options{
		Config: testConfig(t), DSN: dsn, Requests: 30, Clients: []int{1, 4}, Clicks: 10, Seed: 3000,
		Out: &out, Progress: &progress,
	})
	if err != nil && strings.Contains(err.Error(), "does not answer") && !set {
		t.Skipf("no MariaDB at %s: %v", dsn, err)
	}
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, progress.String())
	}
	table := out.String()
	for _, want := range []string{
		`intake: encrypted callback → committed case\s+1\s+30\s+\d+/s\s+[\d.]+ ms\s+[\d.]+ ms\s+\d+/s\s+[\d.]+\n`,
		`intake: encrypted callback → committed case\s+4\s+30\s`,
		`  plain SQL: the same rows, a statement per round trip\s+1\s+30\s+\d+/s\s+[\d.]+ ms\s+[\d.]+ ms\s+–\s+–\n`,
		`officer: 交办 \(dispatcher\) card click.*\s10\s+\d+/s.*[\d.]+ outbox rows/click`,
		`officer: 签收 \(officer\) card click.*\s10\s+\d+/s`,
		`seed 3,000 cases .*\s[\d,]+ rows\s+\d+/s\s+total [\d.]+m?s\s+–\s+[1-9][\d,]* open, [1-9][\d,]* overdue`,
		`reminder/escalation scan, 3,000 cases: first run at \d\d-\d\d \d\d:\d\d\s+–\s+[1-9][\d,]* cases\s+took [\d.]+ m?s\s+–\s+–\s+[1-9][\d,]* chases \(remind \d+, overdue \d+, leader \d+, joint \d+, accept \d+\), \d+ returned, [1-9][\d,]* messages`,
		`reminder/escalation scan: second run right after\s+–\s+0 cases\s+took [\d.]+ m?s\s+–\s+–\s+0 chases .*, 0 returned, 0 messages`,
		`weekly summary \d{4}-W\d\d, 3,000 cases\s+–\s+–\s+took [\d.]+ m?s\s+–\s+–\s+[1-9]\d* messages \(chart included\)`,
		`monthly report \d{4}-\d\d, 300 cases in the month\s+–\s+300 cases\s+took [\d.]+ m?s\s+–\s+–\s+workbook [\d.]+ (KiB|MiB)`,
		`peak RSS.*\d+ MiB\s+–\s+–\s+[\d.]+ MiB before the jobs`,
	} {
		if !regexp.MustCompile(want).MatchString(table) {
			t.Errorf("table lacks %s:\n%s", want, table)
		}
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
