package cli

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// tempConfig writes a configuration on an SQLite file of its own.
func tempConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	yaml := "database: {driver: sqlite, dsn: " + filepath.Join(dir, "data", "minsheng.db") + "}\n" +
		"reports: {dir: " + filepath.Join(dir, "reports") + "}\njobs: {rating: {enabled: false}}\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestMainExitStatus(t *testing.T) {
	ctx := context.Background()
	if got := Main(ctx, []string{"-config", tempConfig(t), "migrate"}, quiet); got != 0 {
		t.Errorf("migrate = exit %d; want 0", got)
	}
	if got := Main(ctx, []string{"-config", filepath.Join(t.TempDir(), "none.yaml"), "migrate"}, quiet); got != 1 {
		t.Errorf("migrate without a config file = exit %d; want 1", got)
	}
	stderr := os.Stderr
	os.Stderr, _ = os.Open(os.DevNull)
	got := Main(ctx, []string{"no-such-command"}, quiet)
	os.Stderr = stderr
	if got != 2 {
		t.Errorf("an unknown command = exit %d; want 2", got)
	}
}

// TestJobsAndRunJob: `minsheng jobs` lists the table with config's
// schedules; `run-job` runs one, which `jobs` then shows.
func TestJobsAndRunJob(t *testing.T) {
	ctx := context.Background()
	path := tempConfig(t)
	var out bytes.Buffer
	if err := runJob(ctx, path, []string{"remind"}, &out, quiet); err != nil {
		t.Fatalf("run-job remind = %v", err)
	}
	if !regexp.MustCompile(`^remind ran as manual@\S+; 0 messages wait in the outbox for the server to deliver\n$`).MatchString(out.String()) {
		t.Errorf("run-job printed %q", out.String())
	}
	if err := runJob(ctx, path, []string{"remindr"}, io.Discard, quiet); err == nil || !strings.Contains(err.Error(), "known: [calendar feedback_digest monthly_report rating remind serious_chase weekly_summary]") {
		t.Errorf("run-job remindr = %v; want the known jobs named", err)
	}
	out.Reset()
	if err := listJobs(ctx, path, &out); err != nil {
		t.Fatalf("jobs = %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 8 || !strings.HasPrefix(lines[0], "JOB ") {
		t.Fatalf("jobs printed %d lines:\n%s", len(lines), out.String())
	}
	for _, want := range []string{`^rating\s+0 10 \* \* \* \(disabled\)\s+-\s+never`, `^remind\s+\*/15 8-18 \* \* \*\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+manual@\S+\s+ok\s`} {
		re := regexp.MustCompile(want)
		found := false
		for _, l := range lines {
			found = found || re.MatchString(l)
		}
		if !found {
			t.Errorf("jobs has no line %s:\n%s", want, out.String())
		}
	}
}

func TestReportWritesTheWorkbook(t *testing.T) {
	path := tempConfig(t)
	file := filepath.Join(t.TempDir(), "m.xlsx")
	var out bytes.Buffer
	if err := report(context.Background(), path, []string{"--month", "2026-10", "-o", file}, &out, quiet); err != nil {
		t.Fatalf("report = %v", err)
	}
	if !strings.HasPrefix(out.String(), "正在生成 2026-10 月报") || !strings.Contains(out.String(), "已生成："+file) {
		t.Errorf("report printed %q", out.String())
	}
	if st, err := os.Stat(file); err != nil || st.Size() == 0 {
		t.Errorf("the workbook %s: %v", file, err)
	}
}

func TestReportWritesTheScoringSheet(t *testing.T) {
	path := tempConfig(t)
	for _, args := range [][]string{{"--quarter", "2026Q4"}, {"--year", "2026"}} {
		file := filepath.Join(t.TempDir(), "a.xlsx")
		var out bytes.Buffer
		if err := report(context.Background(), path, append(args, "-o", file), &out, quiet); err != nil {
			t.Fatalf("report %v = %v", args, err)
		}
		if !strings.Contains(out.String(), "已生成考核表："+file) {
			t.Errorf("report %v printed %q", args, out.String())
		}
		if st, err := os.Stat(file); err != nil || st.Size() == 0 {
			t.Errorf("the scoring sheet %s: %v", file, err)
		}
	}
	if err := report(context.Background(), path, []string{"--quarter", "2026Q5"}, io.Discard, quiet); err == nil || !strings.Contains(err.Error(), "YYYYQn") {
		t.Errorf("report --quarter 2026Q5 = %v; want the format named", err)
	}
}
