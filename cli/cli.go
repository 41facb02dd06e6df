// Package cli is the command line of minsheng: Main parses the global flags
// and hands over to one subcommand, each in a file of its own (serve.go,
// migrate.go, bench.go, runjob.go, jobs.go, report.go, hashpassword.go,
// evalrouting.go).
// The commands that need the server, or its bot and jobs, build them with
// package app.
package cli

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
)

// Main runs the command line args (without the program name) and returns
// the exit status: 0, 1 when the command failed (logged on log), 2 for an
// unknown command. Bad flags exit at once, as package flag does.
func Main(ctx context.Context, args []string, log *slog.Logger) int {
	fs := flag.NewFlagSet("minsheng", flag.ExitOnError)
	cfgPath := fs.String("config", "config.yaml", "configuration file (MINSHENG_CONFIG overrides)")
	fs.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: minsheng [-config config.yaml] [serve|migrate|bench [-quick] [-load] [-h]|run-job <name>|jobs|report [--month YYYY-MM] [-o file.xlsx]|hash-password|eval-routing FILE.csv]")
		fs.PrintDefaults()
	}
	fs.Parse(args)
	cmd := "serve"
	if fs.NArg() > 0 {
		cmd = fs.Arg(0)
	}
	var rest []string
	if fs.NArg() > 1 {
		rest = fs.Args()[1:]
	}

	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, *cfgPath, log)
	case "migrate":
		err = migrate(ctx, *cfgPath, log)
	case "bench":
		err = runBench(ctx, *cfgPath, rest)
	case "run-job":
		err = runJob(ctx, *cfgPath, rest, os.Stdout, log)
	case "jobs":
		err = listJobs(ctx, *cfgPath, os.Stdout)
	case "report":
		err = report(ctx, *cfgPath, rest, os.Stdout, log)
	case "hash-password":
		err = hashPassword(os.Stdin, os.Stdout)
	case "eval-routing":
		err = evalRouting(rest, os.Stdout)
	default:
		fs.Usage()
		return 2
	}
	if err != nil {
		log.Error("minsheng stopped", "cmd", cmd, "err", err)
		return 1
	}
	return 0
}
