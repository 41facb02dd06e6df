// Package cli is the command line of minsheng: Main parses the global flags
// and hands over to one subcommand, each in a file of its own (serve.go,
// migrate.go, bench.go, runjob.go, jobs.go, report.go, hashpassword.go,
// evalrouting.go).
// The commands that need the server, or its bot and jobs, build them with
// package app.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
)

// env is what a command runs with: the configuration file, the logger and
// the standard streams.
type env struct {
	config string
	log    *slog.Logger
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// cmd is the command running, for its usage.
	cmd command
}

// command is one subcommand: its name, its arguments as usage shows them,
// what it does in one line, and its body, which parses its own flags.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, e *env, args []string) error
}

// commands is every subcommand, in the order help lists them.
var commands = []command{
	{"serve", "", "start the server (the default command)", serve},
	{"migrate", "", "bring the database schema up to date and exit", migrate},
	{"jobs", "", "list the background jobs: schedule, next run, last run", listJobs},
	{"run-job", "<name>", "run one background job once, now", runJob},
	{"report", "[-month 2026-11 | -quarter 2026Q4 | -year 2026] [-o file.xlsx]", "write a month's 月报 workbook, or a 考核 scoring sheet (not sent)", report},
	{"hash-password", "", "read a password, print its bcrypt hash for admin.users", hashPassword},
	{"bench", "[-quick] [-load]", "measure this machine against MariaDB", runBench},
	{"eval-routing", "[-taxonomy taxonomy.csv] [-folds 10] [-block 50] FILE.csv", "measure the routing model on a labelled export", evalRouting},
}

// usageError is a command line that cannot run: exit status 2, the message
// and the command's usage on stderr.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// Main runs the command line args (without the program name) and returns
// the exit status: 0; 1 when the command failed (logged on log); 2 for an
// unknown command, a bad flag or a stray argument. -h (or `help`) prints the
// usage and exits 0.
func Main(ctx context.Context, args []string, log *slog.Logger) int {
	return run(ctx, args, &env{log: log, stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
}

func run(ctx context.Context, args []string, e *env) int {
	fs := flag.NewFlagSet("minsheng", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&e.config, "config", "config.yaml", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			help(e.stdout)
			return 0
		}
		fmt.Fprintf(e.stderr, "minsheng: %v\n\n", err)
		help(e.stderr)
		return 2
	}
	name, rest := "serve", []string(nil)
	if fs.NArg() > 0 {
		name, rest = fs.Arg(0), fs.Args()[1:]
	}
	if name == "help" {
		if len(rest) == 0 {
			help(e.stdout)
			return 0
		}
		name, rest = rest[0], []string{"-h"}
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(e.stderr, "minsheng: unknown command %q\n\n", name)
		help(e.stderr)
		return 2
	}
	e.cmd = cmd
	err := cmd.run(ctx, e, rest)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "minsheng %s: %s\n", name, ue.msg)
		fmt.Fprintf(e.stderr, "run `minsheng %s -h` for its usage\n", name)
		return 2
	}
	e.log.Error("minsheng stopped", "cmd", name, "err", err)
	return 1
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// help writes the list of commands, one line each.
func help(w io.Writer) {
	fmt.Fprintln(w, "usage: minsheng [-config config.yaml] <command> [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes -config (default config.yaml; MINSHENG_CONFIG overrides it) before or after its name,")
	fmt.Fprintln(w, "and -h for its own usage: minsheng <command> -h")
}

// flags is the flag set of the running command: -config (the global one's
// value by default), -h printing the usage on e.stdout, errors returned,
// not printed.
func (e *env) flags() *flag.FlagSet {
	cmd := e.cmd
	c := cmd.name
	fs := flag.NewFlagSet("minsheng "+c, flag.ContinueOnError)
	fs.StringVar(&e.config, "config", e.config, "configuration file (MINSHENG_CONFIG overrides it)")
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fs.SetOutput(e.stdout)
		fmt.Fprintf(e.stdout, "usage: minsheng %s %s\n", c, strings.TrimSpace("[-config file] "+cmd.args))
		fmt.Fprintf(e.stdout, "%s\n\n", cmd.summary)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses args into fs, flags before and after the positional
// arguments, and returns those (at most max): flag.ErrHelp after -h (the
// usage printed), a usageError for a bad flag or a stray argument.
func parse(fs *flag.FlagSet, args []string, max int) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
	if len(pos) > max {
		return nil, usageError{fmt.Sprintf("unexpected argument %q", pos[max])}
	}
	return pos, nil
}
