// Package bench measures 民声 on the machine it runs on and prints one table:
// Official Account callbacks turned into committed cases at several
// concurrencies beside the same rows written by plain SQL in a plain
// transaction (what a user would otherwise write), officers' card clicks, seeding a million cases,
// the deadline ladder, weekly summary and monthly report on them,
// and the process's peak memory. Everything runs in one process against a
// throw-away MariaDB or PostgreSQL database: the real router of handlers.New behind a
// loopback HTTP server, driven by bot/mp and bot/wecom drivers that sign and
// encrypt exactly as WeChat and WeCom do.
//
// It also holds the load test (Load): many distinct callbacks, each delivered
// several times at once as WeChat retries, which must make exactly one case
// each and acknowledge every citizen with its number.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"minsheng/config"
	"minsheng/models"
)

// EnvDSN names the variable that may carry the database server for the
// bench: MariaDB/MySQL, or PostgreSQL as a postgres:// URL.
const EnvDSN = "MINSHENG_BENCH_DSN"

// DefaultDSN is the MariaDB server the bench uses when neither -dsn nor
// MINSHENG_BENCH_DSN says otherwise; the database part is ignored.
const DefaultDSN = "root@tcp(127.0.0.1:3306)/"

// Options are the bench's settings; zero values mean the full run's defaults.
type Options struct {
	// Config supplies the intake and deadline settings, the organisation
	// (departments, members) and the pool (database.max_open_conns)
	// exactly as the server would use them; the rest of its database
	// section is ignored.
	Config *config.Config
	// DSN names the MariaDB or PostgreSQL server; a database msbench_<random> is created
	// on it and dropped at the end.
	DSN string
	// Keep leaves the database in place (its name is printed).
	Keep bool
	// Quick makes every count small, for a run of a few seconds.
	Quick bool
	// Requests is the number of callbacks per concurrency level (4000; quick 200).
	Requests int
	// Clients are the concurrency levels of the intake (1, 16, 64).
	Clients []int
	// Pools are the connection pools the plain-SQL baseline is measured
	// with (4, 8, 16, 64): the intake is compared with the best of them,
	// the most the database does.
	Pools []int
	// IntakePools are the pools the intake is measured with (the
	// configuration's, database.max_open_conns or the driver's default);
	// several compare them, as the defaults were chosen.
	IntakePools []int
	// Clicks is the number of card clicks of each kind (1000; quick 100).
	Clicks int
	// Seed is the number of cases seeded for the jobs (1,000,000; quick
	// 10,000); a tenth of them are received in the month of the monthly report.
	Seed int
	// CPUProfile, when set, names a file for a CPU profile of the intake at
	// the highest concurrency.
	CPUProfile string
	// Out receives the table; Progress the progress lines (os.Stdout and
	// os.Stderr when nil).
	Out, Progress io.Writer
}

func (o *Options) defaults() {
	if o.DSN == "" {
		o.DSN = os.Getenv(EnvDSN)
	}
	if o.DSN == "" {
		o.DSN = DefaultDSN
	}
	pick := func(v *int, full, quick int) {
		if *v <= 0 {
			*v = full
			if o.Quick {
				*v = quick
			}
		}
	}
	pick(&o.Requests, 4000, 200)
	pick(&o.Clicks, 1000, 100)
	pick(&o.Seed, 1_000_000, 10_000)
	if len(o.Clients) == 0 {
		o.Clients = []int{1, 16, 64}
	}
	if len(o.Pools) == 0 {
		o.Pools = []int{4, 8, 16, 64}
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Progress == nil {
		o.Progress = os.Stderr
	}
}

// row is one line of the table.
type row struct {
	what, clients, count, rate, p50, p99, raw, ratio string
}

// Run creates the throw-away database, measures, prints the table and drops
// the database. A measurement that fails stops the run with its error.
func Run(ctx context.Context, o Options) error {
	o.defaults()
	if o.Config == nil {
		c := config.Defaults()
		if err := c.Validate(); err != nil {
			return fmt.Errorf("bench: default config: %w", err)
		}
		o.Config = &c
	}
	progress := func(format string, args ...any) { fmt.Fprintf(o.Progress, "[bench] "+format+"\n", args...) }
	db, err := createDatabase(ctx, o.DSN)
	if err != nil {
		return err
	}
	defer func() {
		if o.Keep {
			progress("database %s kept", db.name)
			db.close()
			return
		}
		if err := db.drop(); err != nil {
			progress("could not drop %s: %v", db.name, err)
		}
	}()
	progress("database %s created on %s", db.name, db.server)

	store, err := models.Open(db.driver, db.dsn, o.Config.Location)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer store.Close()
	store.SetPool(o.Config.Database.MaxOpenConns, o.Config.Database.MaxIdleConns)
	if len(o.IntakePools) == 0 {
		o.IntakePools = []int{store.Pool()}
	}
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	off, err := newOffice(ctx, store, o.Config, quiet)
	if err != nil {
		return err
	}
	defer off.close()

	started := time.Now()
	var rows []row
	raws := make([]*sql.DB, len(o.Pools))
	// The baseline's pools are the bench's, not the server's: closed once
	// the intake is measured, so that the peak RSS below is the server's
	// and the jobs'.
	closeRaws := func() {
		for _, r := range raws {
			if r != nil {
				r.Close()
			}
		}
	}
	defer closeRaws()
	for i, p := range o.Pools {
		if raws[i], err = openRaw(db.driver, db.dsn, p); err != nil {
			return err
		}
	}
	dispatchers, err := off.dispatcherCount(ctx)
	if err != nil {
		return err
	}
	for i, c := range o.Clients {
		var prof io.Closer
		if o.CPUProfile != "" && i == len(o.Clients)-1 {
			if prof, err = startProfile(o.CPUProfile); err != nil {
				return err
			}
		}
		progress("intake: %d callbacks with %d clients on pools %s, beside plain SQL on pools %s, in %d alternating rounds",
			o.Requests, c, poolList(o.IntakePools), poolList(o.Pools), roundsOf(o.Requests, c))
		lv, err := o.intakeLevel(ctx, off, raws, c, dispatchers, i)
		if prof != nil {
			prof.Close()
			progress("CPU profile of the intake at %d clients written to %s", c, o.CPUProfile)
		}
		if err != nil {
			return err
		}
		best := lv.best()
		for j, in := range lv.intake {
			w := lv.ways[j]
			progress("intake at %d clients, %s: %.0f/s, this process %.2f ms CPU per case", c, w, in.rate(), ms64(in.perOp()))
			what := fmt.Sprintf("intake: encrypted callback → committed case (pool %d)", w.pool)
			if w.threeStatements {
				what = fmt.Sprintf("  the same, number + case + entry in 3 statements (pool %d)", w.pool)
			}
			rows = append(rows, row{
				what: what, clients: fmt.Sprint(c), count: fmt.Sprint(in.n),
				rate: perSecond(in.rate()), p50: ms(in.p(50)), p99: ms(in.p(99)),
				raw: fmt.Sprintf("%s (pool %d)", perSecond(lv.plain[best].rate()), o.Pools[best]), ratio: fmt.Sprintf("%.2f", in.rate()/lv.plain[best].rate()),
			})
		}
		for j, pl := range lv.plain {
			progress("plain SQL at %d clients, pool %d: %.0f/s, this process %.2f ms CPU per transaction", c, o.Pools[j], pl.rate(), ms64(pl.perOp()))
			what := fmt.Sprintf("  plain SQL: the same rows, a statement per round trip (pool %d)", o.Pools[j])
			if j == best && len(lv.plain) > 1 {
				what += ", the best"
			}
			rows = append(rows, row{
				what: what, clients: fmt.Sprint(c), count: fmt.Sprint(pl.n),
				rate: perSecond(pl.rate()), p50: ms(pl.p(50)), p99: ms(pl.p(99)),
			})
		}
	}

	closeRaws()
	clients := 16
	for _, kind := range []clickKind{clickAssign, clickAccept} {
		progress("officer actions: %d %s clicks with %d clients", o.Clicks, kind.label, clients)
		a, err := off.clicks(ctx, kind, o.Clicks, clients)
		if err != nil {
			return err
		}
		rows = append(rows, row{
			what: "officer: " + kind.label + " card click → state change + outbox", clients: fmt.Sprint(clients), count: fmt.Sprint(a.n),
			rate: perSecond(a.rate()), p50: ms(a.p(50)), p99: ms(a.p(99)),
			raw: fmt.Sprintf("%.1f outbox rows/click", float64(a.rows)/float64(a.n)),
		})
	}

	progress("seeding %d cases", o.Seed)
	sd, err := seed(ctx, store, o.Config, o.Seed, o.Progress)
	if err != nil {
		return err
	}
	progress("seeded %s cases for the jobs' clock %s: %s open (%s overdue); %s",
		thousands(sd.cases), sd.at.Format("2006-01-02 15:04 MST"), thousands(sd.open), thousands(sd.overdue), statusCounts(sd.status))
	rows = append(rows,
		row{what: fmt.Sprintf("seed %s cases (batched INSERT, + units, ratings, extensions, records, citizens)", thousands(sd.cases)), count: thousands(sd.rows) + " rows",
			rate: perSecond(float64(sd.cases) / sd.took.Seconds()), p50: "total " + sd.took.Round(time.Second/10).String(),
			raw: fmt.Sprintf("%s open, %s overdue", thousands(sd.open), thousands(sd.overdue))},
	)
	// The seed's garbage is the bench's, not the server's: collected and
	// handed back to the system before the jobs are timed (left to the
	// runtime, it was returned during the first ladder run, ~60 ms of it).
	debug.FreeOSMemory()
	jm, err := off.measureJobs(ctx, o.Config, sd, progress) // jobs.go
	if err != nil {
		return err
	}
	rows = append(rows, jm.rows(sd, o.Config.Deadlines.Ladder)...)
	rows = append(rows, row{what: "peak RSS of this process (server + drivers + jobs; VmHWM)", rate: peakRSS(),
		raw: fmt.Sprintf("%s before the jobs", mib(jm.rssBefore))})

	version, _ := off.serverVersion(ctx)
	fmt.Fprintf(o.Out, "minsheng bench — %s; %s/%s, %d CPUs, %s; %s; %s; took %s\n",
		started.Format("2006-01-02 15:04 MST"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(),
		version, mode(o.Quick), time.Since(started).Round(time.Second))
	printTable(o.Out, len(benchColumns), rows)
	return nil
}

// roundsOf is how many parts the intake and its baseline are measured in,
// alternately, so that the machine's slower moments fall on both: eight,
// but none shorter than four operations per client.
func roundsOf(n, clients int) int { return max(1, min(8, n/(4*clients))) }

// level is one concurrency's measurements: the intake each way and the
// baseline on each of Options.Pools.
type level struct {
	ways          []intakeWay
	intake, plain []*measurement
}

// intakeWay is how the intake is measured: on a pool of Options.IntakePools
// and, on PostgreSQL, once more with a new case's number, row and first
// entry in three statements, as on MySQL, instead of the one the product
// sends there (models.Tx.OpenCase): the one is kept only while it beats
// the three in the same run.
type intakeWay struct {
	pool            int
	threeStatements bool
}

func (w intakeWay) String() string {
	if w.threeStatements {
		return fmt.Sprintf("pool %d, three statements", w.pool)
	}
	return fmt.Sprintf("pool %d", w.pool)
}

// intakeWays are the ways the intake is measured on driver.
func (o *Options) intakeWays(driver string) []intakeWay {
	var ways []intakeWay
	for _, p := range o.IntakePools {
		ways = append(ways, intakeWay{pool: p})
		if driver == "postgres" {
			ways = append(ways, intakeWay{pool: p, threeStatements: true})
		}
	}
	return ways
}

// best is the index of the baseline's fastest pool.
func (lv level) best() int {
	b := 0
	for j, m := range lv.plain {
		if m.rate() > lv.plain[b].rate() {
			b = j
		}
	}
	return b
}

// intakeLevel measures, at one concurrency, the intake (the server's own
// path, from the callback to the commit) on each intake pool and its
// plain-SQL baseline on each of raws, in alternating rounds, after a round
// of warm-up for each that is not counted.
func (o *Options) intakeLevel(ctx context.Context, off *office, raws []*sql.DB, clients, dispatchers, lvl int) (level, error) {
	warm := 2 * clients
	// Each way's callbacks come from citizens of their own.
	base := func(j int) int { return j * (o.Requests + warm) }
	ways := o.intakeWays(off.store.Driver())
	lv := level{ways: ways, intake: make([]*measurement, len(ways)), plain: make([]*measurement, len(raws))}
	defer off.store.NumberInOneStatement(true)
	intake := func(j, from, n int) (*measurement, error) {
		off.store.SetPool(ways[j].pool, ways[j].pool)
		off.store.NumberInOneStatement(!ways[j].threeStatements)
		return off.intake(ctx, base(j)+from, n, clients)
	}
	plain := func(j, from, n int) (*measurement, error) {
		// Only the pool measured holds connections: the server's
		// max_connections (100 on PostgreSQL) is shared, with the
		// intake's pool and with whatever else runs there.
		if err := fill(ctx, raws[j], min(clients, o.Pools[j])); err != nil {
			return nil, fmt.Errorf("bench: plain SQL pool %d: %w", o.Pools[j], err)
		}
		defer raws[j].SetMaxIdleConns(-1)
		raws[j].SetMaxIdleConns(o.Pools[j])
		return rawPlain(ctx, raws[j], off.store.Driver(), o.Config, fmt.Sprintf("plain%d", o.Pools[j]), from, n, clients, dispatchers, lvl)
	}
	for j := range ways {
		if _, err := intake(j, o.Requests, warm); err != nil {
			return level{}, err
		}
		lv.intake[j] = &measurement{}
	}
	for j := range raws {
		if _, err := plain(j, o.Requests, warm); err != nil {
			return level{}, err
		}
		lv.plain[j] = &measurement{}
	}
	rounds := roundsOf(o.Requests, clients)
	for k := range rounds {
		from, n := k*o.Requests/rounds, (k+1)*o.Requests/rounds-k*o.Requests/rounds
		for j := range ways {
			m, err := intake(j, from, n)
			if err != nil {
				return level{}, err
			}
			lv.intake[j].add(m)
		}
		for j := range raws {
			m, err := plain(j, from, n)
			if err != nil {
				return level{}, err
			}
			lv.plain[j].add(m)
		}
	}
	return lv, nil
}

// fill opens n connections of db before a measurement, so that none is
// opened while it is timed.
func fill(ctx context.Context, db *sql.DB, n int) error {
	db.SetMaxIdleConns(n)
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	return nil
}

// poolList writes pools as 4/8/16/64.
func poolList(pools []int) string {
	s := make([]string, len(pools))
	for i, p := range pools {
		s[i] = fmt.Sprint(p)
	}
	return strings.Join(s, "/")
}

func mode(quick bool) string {
	if quick {
		return "-quick"
	}
	return "full run"
}

// benchColumns are the columns of the bench table; the load table has the
// first six.
var benchColumns = []string{"measure", "clients", "count", "rate", "p50", "p99", "plain SQL rate", "intake/plain"}

// printTable writes rows under the first len(columns) of benchColumns,
// aligned, with "–" in empty cells.
func printTable(w io.Writer, columns int, rows []row) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(benchColumns[:columns], "\t"))
	for _, r := range rows {
		cells := []string{r.what, r.clients, r.count, r.rate, r.p50, r.p99, r.raw, r.ratio}[:columns]
		for i, c := range cells {
			if c == "" {
				cells[i] = "–"
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
}

func perSecond(v float64) string { return fmt.Sprintf("%.0f/s", v) }

func ms64(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// thousands writes n with thousands separators: 1,000,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

type profile struct{ f *os.File }

func startProfile(path string) (io.Closer, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("bench: cpu profile: %w", err)
	}
	return profile{f}, nil
}

func (p profile) Close() error {
	pprof.StopCPUProfile()
	return p.f.Close()
}
