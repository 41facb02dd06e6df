//go:build load

package bench

import (
	"context"
	"testing"

	"minsheng/models/modeltest"
)

// The load test of issue 8 at full size, on MariaDB: 10,000 distinct
// encrypted callbacks, each delivered three times at once. Run it with
//
//	go test -tags load -run TestLoadFull -timeout 30m ./bench
func TestLoadFull(t *testing.T) {
	s := modeltest.Open(t, "mysql")
	r, err := Load(context.Background(), s, testConfig(t), LoadOptions{Callbacks: 10_000, Tries: 3, Clients: 64})
	modeltest.Must(t, err, "load")
	t.Logf("%d reports, %d deliveries in %s (%.0f reports/s), p50 %s, p99 %s; %d cases, %d acknowledged, %d errors",
		r.Callbacks, r.Requests, r.Took, float64(r.Callbacks)/r.Took.Seconds(), r.P50, r.P99, r.Cases, r.Acknowledged, r.Errors)
	if err := r.Check(); err != nil {
		t.Error(err)
	}
	checkOneCasePerCitizen(t, s, r.Callbacks)
}
