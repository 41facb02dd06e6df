package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"minsheng/app"
	"minsheng/bench"
)

// runBench is `minsheng bench`: the measurements of package bench against
// MariaDB on this machine, or with -load the load test.
func runBench(ctx context.Context, e *env, args []string) error {
	fs := e.flags()
	var o bench.Options
	var lo bench.LoadOptions
	fs.StringVar(&o.DSN, "dsn", "", "MariaDB server, user@tcp(host:port)/, or PostgreSQL, postgres://user@host:5432/postgres ("+bench.EnvDSN+"; default "+bench.DefaultDSN+"); a database msbench_<random> is created and dropped")
	fs.BoolVar(&o.Quick, "quick", false, "small counts: a run of well under a minute")
	fs.BoolVar(&o.Keep, "keep", false, "keep the throw-away database")
	fs.IntVar(&o.Requests, "n", 0, "callbacks per concurrency level (4000; -quick 200)")
	clients := fs.String("clients", "1,16,64", "concurrency levels of the intake")
	pools := fs.String("pools", "4,8,16,64", "connection pools of the plain-SQL baseline; the intake is compared with the best")
	intakePools := fs.String("intake-pools", "", "connection pools to measure the intake on (default: database.max_open_conns, or the driver's default)")
	fs.IntVar(&o.Clicks, "clicks", 0, "card clicks of each kind (1000; -quick 100)")
	fs.IntVar(&o.Seed, "seed", 0, "cases to seed (1000000; -quick 10000)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a CPU profile of the intake at the highest concurrency (with its plain-SQL baseline, function bench.rawPlain) to this file")
	load := fs.Bool("load", false, "run the load test instead: distinct callbacks, each delivered several times at once")
	fs.IntVar(&lo.Callbacks, "load-n", 0, "load test: distinct callbacks (10000)")
	fs.IntVar(&lo.Tries, "load-tries", 0, "load test: deliveries of each callback, at once (3)")
	fs.IntVar(&lo.Clients, "load-clients", 0, "load test: callbacks in flight at once (64)")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	var err error
	if o.Clients, err = positives("clients", *clients); err != nil {
		return err
	}
	if o.Pools, err = positives("pools", *pools); err != nil {
		return err
	}
	if *intakePools != "" {
		if o.IntakePools, err = positives("intake-pools", *intakePools); err != nil {
			return err
		}
	}
	cfg, err := app.LoadConfig(e.config)
	if err != nil {
		return err
	}
	o.Config, o.Out, o.Progress = cfg, e.stdout, e.stderr
	if *load {
		return bench.RunLoad(ctx, o, lo)
	}
	return bench.Run(ctx, o)
}

// positives reads flag name's comma-separated list of positive numbers.
func positives(name, list string) ([]int, error) {
	var out []int
	for _, c := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(c))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bench -%s: %q is not a positive number", name, c)
		}
		out = append(out, n)
	}
	return out, nil
}
