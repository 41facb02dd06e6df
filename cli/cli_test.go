package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"minsheng/jobs"
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

// result is one run of the command line: its exit status, what it printed
// and what it logged.
type result struct {
	code                 int
	stdout, stderr, logs string
}

func runCLI(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb, logs bytes.Buffer
	e := &env{log: slog.New(slog.NewTextHandler(&logs, nil)), stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code := run(context.Background(), args, e)
	return result{code, out.String(), errb.String(), logs.String()}
}

func TestMainExitStatus(t *testing.T) {
	ctx := context.Background()
	if got := Main(ctx, []string{"-config", tempConfig(t), "migrate"}, quiet); got != 0 {
		t.Errorf("migrate = exit %d; want 0", got)
	}
	if got := Main(ctx, []string{"-config", filepath.Join(t.TempDir(), "none.yaml"), "migrate"}, quiet); got != 1 {
		t.Errorf("migrate without a config file = exit %d; want 1", got)
	}
	if r := runCLI(t, "no-such-command"); r.code != 2 {
		t.Errorf("an unknown command = exit %d; want 2", r.code)
	}
}

// TestHelp: `minsheng help`, `-h` and an unknown command list every command
// on a line of its own with what it does.
func TestHelp(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"help", []string{"help"}, 0},
		{"-h", []string{"-h"}, 0},
		{"unknown", []string{"foo"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, tc.args...)
			if r.code != tc.code {
				t.Errorf("minsheng %v = exit %d; want %d", tc.args, r.code, tc.code)
			}
			text := r.stdout
			if tc.code != 0 {
				text = r.stderr
				if !strings.HasPrefix(text, `minsheng: unknown command "foo"`+"\n") {
					t.Errorf("minsheng foo printed %q; want it to start with the unknown command", text)
				}
			}
			for _, c := range commands {
				if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(c.name) + ` +\S.*$`).MatchString(text) {
					t.Errorf("minsheng %v: no line for %s with what it does:\n%s", tc.args, c.name, text)
				}
			}
			if r.logs != "" {
				t.Errorf("minsheng %v logged %q", tc.args, r.logs)
			}
		})
	}
}

// TestCommandHelp: `<command> -h` and `help <command>` print the command's
// usage and flags on stdout, exit 0 and log nothing.
func TestCommandHelp(t *testing.T) {
	for _, c := range commands {
		for _, args := range [][]string{{c.name, "-h"}, {"help", c.name}} {
			r := runCLI(t, args...)
			if r.code != 0 || r.logs != "" || r.stderr != "" {
				t.Errorf("minsheng %v = exit %d, stderr %q, logs %q; want exit 0 and nothing else", args, r.code, r.stderr, r.logs)
			}
			if !strings.HasPrefix(r.stdout, "usage: minsheng "+c.name+" ") || !strings.Contains(r.stdout, "-config") {
				t.Errorf("minsheng %v printed %q; want its usage with -config", args, r.stdout)
			}
		}
	}
	if r := runCLI(t, "report", "-h"); !strings.Contains(r.stdout, "-month") || !strings.Contains(r.stdout, "-o ") {
		t.Errorf("report -h printed %q; want -month and -o", r.stdout)
	}
}

// TestFlagsAfterTheCommand: -config after the command is the file read;
// stray arguments and unknown flags are refused with exit 2 and a message.
func TestFlagsAfterTheCommand(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "x.yaml")
	for _, args := range [][]string{
		{"migrate", "-config", missing},
		{"serve", "-config", missing},
		{"run-job", "remind", "-config", missing},
	} {
		r := runCLI(t, args...)
		if r.code != 1 || !strings.Contains(r.logs, "x.yaml") {
			t.Errorf("minsheng %v = exit %d, logs %q; want exit 1 naming x.yaml", args, r.code, r.logs)
		}
	}
	if r := runCLI(t, "migrate", "-config", tempConfig(t)); r.code != 0 {
		t.Errorf("migrate -config <file> = exit %d, logs %q; want 0", r.code, r.logs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "extra"}, `minsheng serve: unexpected argument "extra"`},
		{[]string{"jobs", "-config", missing, "now"}, `minsheng jobs: unexpected argument "now"`},
		{[]string{"run-job", "remind", "calendar"}, `minsheng run-job: unexpected argument "calendar"`},
		{[]string{"run-job"}, "minsheng run-job: which job? one of [calendar"},
		{[]string{"report", "-month"}, "minsheng report: flag needs an argument: -month"},
		{[]string{"migrate", "-verbose"}, "minsheng migrate: flag provided but not defined: -verbose"},
	} {
		r := runCLI(t, tc.args...)
		if r.code != 2 || !strings.HasPrefix(r.stderr, tc.want) || r.logs != "" {
			t.Errorf("minsheng %v = exit %d, stderr %q, logs %q; want exit 2 and %q", tc.args, r.code, r.stderr, r.logs, tc.want)
		}
	}
}

// TestServeBindsFirst: with server.addr taken, serve fails at once naming
// the address and MINSHENG_SERVER_ADDR, before it creates the database.
func TestServeBindsFirst(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	path := tempConfig(t)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "server: {addr: %q}\n", ln.Addr().String())
	f.Close()
	r := runCLI(t, "serve", "-config", path)
	if r.code != 1 || !strings.Contains(r.logs, ln.Addr().String()) || !strings.Contains(r.logs, "MINSHENG_SERVER_ADDR") {
		t.Errorf("serve on a busy address = exit %d, logs %q; want exit 1 naming %s and MINSHENG_SERVER_ADDR", r.code, r.logs, ln.Addr())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), "data", "minsheng.db")); err == nil {
		t.Errorf("serve on a busy address created the database; want it to fail first")
	}
}

// TestJobsAndRunJob: `minsheng jobs` lists the table with config's
// schedules; `run-job` runs one, which `jobs` then shows.
func TestJobsAndRunJob(t *testing.T) {
	ctx := context.Background()
	path := tempConfig(t)
	var out bytes.Buffer
	e := &env{config: path, log: quiet, stdout: &out, cmd: command{name: "run-job"}}
	if err := runJob(ctx, e, []string{"remind"}); err != nil {
		t.Fatalf("run-job remind = %v", err)
	}
	if !regexp.MustCompile(`^remind ran as manual@\S+; 0 messages wait in the outbox for the server to deliver\n$`).MatchString(out.String()) {
		t.Errorf("run-job printed %q", out.String())
	}
	if err := runJob(ctx, e, []string{"remindr"}); err == nil || !strings.Contains(err.Error(), "known: ["+strings.Join(jobs.Names(), " ")+"]") {
		t.Errorf("run-job remindr = %v; want the known jobs named", err)
	}
	out.Reset()
	e.cmd = command{name: "jobs"}
	if err := listJobs(ctx, e, nil); err != nil {
		t.Fatalf("jobs = %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(jobs.Table)+1 || !strings.HasPrefix(lines[0], "任务 ") {
		t.Fatalf("jobs printed %d lines:\n%s", len(lines), out.String())
	}
	for _, want := range []string{`^rating\s+0 10 \* \* \*（已停用）\s+-\s+从未运行`, `^remind\s+\*/15 8-18 \* \* \*\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+手动\s+成功\s`} {
		re := regexp.MustCompile(want)
		found := false
		for _, l := range lines {
			found = found || re.MatchString(l)
		}
		if !found {
			t.Errorf("jobs has no line %s:\n%s", want, out.String())
		}
	}
	if regexp.MustCompile(`\dT\d`).MatchString(out.String()) || strings.Contains(out.String(), "manual@") {
		t.Errorf("jobs shows a time not in the format 2006-01-02 15:04:\n%s", out.String())
	}
	// Columns line up on a terminal: the 下次运行 column starts at the same
	// display column on every line.
	col := -1
	for _, l := range lines {
		i := strings.Index(l, "下次运行")
		if i < 0 {
			i = regexp.MustCompile(`\s(-|\d{4}-\d\d-\d\d \d\d:\d\d)\s`).FindStringIndex(l)[0] + 1
		}
		if w := displayWidth(l[:i]); col < 0 {
			col = w
		} else if w != col {
			t.Errorf("jobs: the next-run column starts at %d on %q; want %d", w, l, col)
		}
	}
}

func TestReportWritesTheWorkbook(t *testing.T) {
	path := tempConfig(t)
	file := filepath.Join(t.TempDir(), "m.xlsx")
	var out bytes.Buffer
	e := &env{config: path, log: quiet, stdout: &out, cmd: command{name: "report"}}
	if err := report(context.Background(), e, []string{"--month", "2026-10", "-o", file}); err != nil {
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
		e := &env{config: path, log: quiet, stdout: &out, cmd: command{name: "report"}}
		if err := report(context.Background(), e, append(args, "-o", file)); err != nil {
			t.Fatalf("report %v = %v", args, err)
		}
		if !strings.Contains(out.String(), "已生成考核表："+file) {
			t.Errorf("report %v printed %q", args, out.String())
		}
		if st, err := os.Stat(file); err != nil || st.Size() == 0 {
			t.Errorf("the scoring sheet %s: %v", file, err)
		}
	}
	e := &env{config: path, log: quiet, stdout: io.Discard, cmd: command{name: "report"}}
	if err := report(context.Background(), e, []string{"--quarter", "2026Q5"}); err == nil || !strings.Contains(err.Error(), "YYYYQn") {
		t.Errorf("report --quarter 2026Q5 = %v; want the format named", err)
	}
}
