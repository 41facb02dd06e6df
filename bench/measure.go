package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// measurement is n operations done by some clients: each one's latency and
// the wall time of the whole.
type measurement struct {
	n    int
	lat  []time.Duration
	took time.Duration
	// cpu is the CPU time this process (server and drivers) spent.
	cpu time.Duration
	// rows counts what the operations wrote, where that is of interest.
	rows int
}

// rate is operations per second.
func (m *measurement) rate() float64 {
	if m.took <= 0 {
		return 0
	}
	return float64(m.n) / m.took.Seconds()
}

// p returns the q-th percentile latency (nearest rank).
func (m *measurement) p(q float64) time.Duration {
	if len(m.lat) == 0 {
		return 0
	}
	s := slices.Clone(m.lat)
	slices.Sort(s)
	i := int(q/100*float64(len(s))+0.5) - 1
	i = max(0, min(i, len(s)-1))
	return s[i]
}

// run does op(i) for i in [0, n) on clients goroutines, each taking the next
// i when done with the last, and times every op. The first error stops the
// run and is returned with how many ops failed.
func run(ctx context.Context, n, clients int, op func(ctx context.Context, i int) error) (*measurement, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next   atomic.Int64
		failed atomic.Int64
		mu     sync.Mutex
		first  error
		wg     sync.WaitGroup
	)
	lat := make([]time.Duration, n)
	cpu0 := processCPU()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				t := time.Now()
				err := op(ctx, i)
				lat[i] = time.Since(t)
				if err != nil {
					failed.Add(1)
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	m := &measurement{n: n, lat: lat, took: time.Since(start), cpu: processCPU() - cpu0}
	if first != nil {
		return m, fmt.Errorf("%d operations failed; first: %w", failed.Load(), first)
	}
	return m, nil
}

// processCPU is the user and system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// perOp is the process's CPU time per operation.
func (m *measurement) perOp() time.Duration {
	if m.n == 0 {
		return 0
	}
	return m.cpu / time.Duration(m.n)
}

// peakRSS reads the process's peak resident set size (VmHWM) from
// /proc/self/status.
func peakRSS() string {
	b, err := procStatusBytes("VmHWM")
	if err != nil {
		return "n/a (" + err.Error() + ")"
	}
	return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20))
}

// procStatusBytes reads a size in kB, such as VmHWM, from /proc/self/status.
func procStatusBytes(field string) (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, errors.New("no /proc/self/status")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			f := strings.Fields(v)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10, nil
				}
			}
			return 0, fmt.Errorf("%s is %q", field, strings.TrimSpace(v))
		}
	}
	return 0, fmt.Errorf("no %s", field)
}

// add appends measurement b, made after m, to m: the operations and their
// latencies, and the time and CPU they took.
func (m *measurement) add(b *measurement) {
	m.n += b.n
	m.lat = append(m.lat, b.lat...)
	m.took += b.took
	m.cpu += b.cpu
	m.rows += b.rows
}
