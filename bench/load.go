package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"minsheng/config"
	"minsheng/models"
)

// LoadOptions shape the load test; zero values mean the defaults.
type LoadOptions struct {
	// Callbacks is the number of distinct citizen reports (10,000).
	Callbacks int
	// Tries is how many times each report is delivered, all at once,
	// byte for byte, as WeChat retries when our answer is slow (3).
	Tries int
	// Clients is how many reports are in flight at once (64); with Tries
	// that makes Clients×Tries concurrent requests.
	Clients int
}

func (o *LoadOptions) defaults() {
	if o.Callbacks <= 0 {
		o.Callbacks = 10_000
	}
	if o.Tries <= 0 {
		o.Tries = 3
	}
	if o.Clients <= 0 {
		o.Clients = 64
	}
}

// LoadResult is what the load test saw.
type LoadResult struct {
	Callbacks, Requests int
	// Cases and Inbound are the cases and inbound messages the run added.
	Cases, Inbound int64
	// Acknowledged counts the reports whose every delivery was answered 200
	// with the same acknowledgement carrying a case number.
	Acknowledged int
	// Numbers counts the distinct case numbers in the acknowledgements.
	Numbers int
	// Errors counts deliveries that failed or were answered without a case
	// number; FirstError is the first of them.
	Errors     int
	FirstError error
	// Mismatched counts reports whose deliveries got different answers.
	Mismatched int
	Took       time.Duration
	P50, P99   time.Duration
}

// Check returns an error naming every way the result falls short of
// exactly one case per report, every citizen acknowledged and no error.
func (r *LoadResult) Check() error {
	var errs []error
	if r.Errors > 0 {
		errs = append(errs, fmt.Errorf("%d of %d deliveries failed (first: %v)", r.Errors, r.Requests, r.FirstError))
	}
	if r.Mismatched > 0 {
		errs = append(errs, fmt.Errorf("%d reports got different answers to their retries", r.Mismatched))
	}
	if r.Acknowledged != r.Callbacks {
		errs = append(errs, fmt.Errorf("%d of %d citizens acknowledged", r.Acknowledged, r.Callbacks))
	}
	if r.Numbers != r.Callbacks {
		errs = append(errs, fmt.Errorf("%d distinct case numbers for %d reports", r.Numbers, r.Callbacks))
	}
	if r.Cases != int64(r.Callbacks) {
		errs = append(errs, fmt.Errorf("%d cases for %d reports", r.Cases, r.Callbacks))
	}
	if r.Inbound != int64(r.Callbacks) {
		errs = append(errs, fmt.Errorf("%d inbound messages kept for %d reports", r.Inbound, r.Callbacks))
	}
	return errors.Join(errs...)
}

// Load runs the load test on store (migrated; the organisation of cfg is
// synced into it): o.Callbacks reports from as many citizens through the
// encrypted callback, each delivered o.Tries times at once. It returns what
// it saw; Check says whether that is right. The error is for a run that
// could not be made.
func Load(ctx context.Context, store *models.Store, cfg *config.Config, o LoadOptions) (*LoadResult, error) {
	o.defaults()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	off, err := newOffice(ctx, store, cfg, quiet)
	if err != nil {
		return nil, err
	}
	defer off.close()
	count := func() (int64, int64, error) {
		var in int64
		k, err := store.CountCases(ctx)
		if err == nil {
			err = store.DB().WithContext(ctx).Model(&models.InboundMessage{}).Count(&in).Error
		}
		if err != nil {
			return 0, 0, fmt.Errorf("bench: load: count: %w", err)
		}
		return k, in, nil
	}
	cases0, in0, err := count()
	if err != nil {
		return nil, err
	}

	res := &LoadResult{Callbacks: o.Callbacks, Requests: o.Callbacks * o.Tries}
	var mu sync.Mutex
	numbers := map[string]bool{}
	fail := func(err error) {
		mu.Lock()
		res.Errors++
		if res.FirstError == nil {
			res.FirstError = err
		}
		mu.Unlock()
	}
	m, _ := run(ctx, o.Callbacks, o.Clients, func(ctx context.Context, i int) error {
		msg := off.mp.Fill(off.report("load-", i))
		q, body, err := off.mp.Prepare(msg)
		if err != nil {
			return err // cannot happen with a valid key; stops the run
		}
		answers := make([]string, o.Tries)
		var wg sync.WaitGroup
		for t := range o.Tries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := off.mp.Replay(ctx, msg, q, body)
				switch {
				case err != nil:
					fail(fmt.Errorf("report %d try %d: %w", i, t, err))
				case !caseNoRe.MatchString(r.Content):
					fail(fmt.Errorf("report %d try %d answered without a case number: %.120q", i, t, r.Content))
				default:
					answers[t] = r.Content
				}
			}()
		}
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		same := true
		for _, a := range answers {
			same = same && a == answers[0] && a != ""
		}
		if same {
			res.Acknowledged++
			numbers[caseNoRe.FindStringSubmatch(answers[0])[1]] = true
		} else if answers[0] != "" {
			res.Mismatched++
		}
		return nil
	})
	res.Took, res.P50, res.P99 = m.took, m.p(50), m.p(99)
	res.Numbers = len(numbers)
	cases1, in1, err := count()
	if err != nil {
		return nil, err
	}
	res.Cases, res.Inbound = cases1-cases0, in1-in0
	return res, nil
}

// RunLoad is `minsheng bench -load`: the load test on a throw-away MariaDB
// database, printed as a table. It fails when the result is not right.
func RunLoad(ctx context.Context, o Options, lo LoadOptions) error {
	o.defaults()
	lo.defaults()
	if o.Config == nil {
		c := config.Defaults()
		if err := c.Validate(); err != nil {
			return fmt.Errorf("bench: default config: %w", err)
		}
		o.Config = &c
	}
	db, err := createDatabase(ctx, o.DSN)
	if err != nil {
		return err
	}
	if o.Keep {
		defer db.close()
	} else {
		defer db.drop()
	}
	fmt.Fprintf(o.Progress, "[bench] load: %d reports × %d deliveries at once, %d reports in flight, database %s\n",
		lo.Callbacks, lo.Tries, lo.Clients, db.name)
	store, err := models.Open(db.driver, db.dsn, o.Config.Location)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer store.Close()
	if err := store.Migrate(ctx); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	started := time.Now()
	r, err := Load(ctx, store, o.Config, lo)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "minsheng bench -load — %s; %s/%s, %d CPUs, %s; took %s\n",
		started.Format("2006-01-02 15:04 MST"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), r.Took.Round(time.Second))
	printTable(o.Out, 6, []row{
		{what: "reports (distinct encrypted callbacks; latency until all tries answered)", clients: fmt.Sprint(lo.Clients), count: thousands(r.Callbacks),
			rate: perSecond(float64(r.Callbacks) / r.Took.Seconds()), p50: ms(r.P50), p99: ms(r.P99)},
		{what: fmt.Sprintf("deliveries (each report %d× at once, byte-identical)", lo.Tries), clients: fmt.Sprint(lo.Clients * lo.Tries), count: thousands(r.Requests),
			rate: perSecond(float64(r.Requests) / r.Took.Seconds())},
		{what: "cases committed", count: thousands(int(r.Cases))},
		{what: "inbound messages kept", count: thousands(int(r.Inbound))},
		{what: "citizens acknowledged (same number on every try)", count: thousands(r.Acknowledged)},
		{what: "distinct case numbers", count: thousands(r.Numbers)},
		{what: "error responses", count: fmt.Sprint(r.Errors)},
		{what: "peak RSS of this process (VmHWM)", rate: peakRSS()},
	})
	if err := r.Check(); err != nil {
		return fmt.Errorf("bench: load test failed: %w", err)
	}
	fmt.Fprintln(o.Out, "load test passed: exactly one case per report, every citizen acknowledged, no error responses")
	return nil
}
