package bench

import (
	"context"
	"os"
	"testing"

	"minsheng/config"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// testConfig is the repository's config.yaml: the regulations' numbers and
// the sample organisation, as a fresh checkout runs with.
func testConfig(t testing.TB) *config.Config {
	t.Helper()
	b, err := os.ReadFile("../config.yaml")
	modeltest.Must(t, err, "read config.yaml")
	cfg, err := config.Parse(b)
	modeltest.Must(t, err, "parse config.yaml")
	return cfg
}

// The load test in small: every report delivered three times at once, as
// WeChat retries a slow answer. `go test -tags load ./bench` runs it at
// full size (load_full_test.go), `minsheng bench -load` against MariaDB.
func TestLoadRetriesMakeOneCaseEach(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		r, err := Load(context.Background(), s, testConfig(t), LoadOptions{Callbacks: 300, Tries: 3, Clients: 16})
		modeltest.Must(t, err, "load")
		if err := r.Check(); err != nil {
			t.Errorf("load of 300 reports × 3: %v", err)
		}
		checkOneCasePerCitizen(t, s, r.Callbacks)
	})
}

// checkOneCasePerCitizen checks in the tables that n citizens each have
// exactly one case and one inbound message.
func checkOneCasePerCitizen(t *testing.T, s *models.Store, n int) {
	t.Helper()
	var rows []struct {
		CitizenID uint64
		N         int
	}
	err := s.DB().Model(&models.Case{}).Select("citizen_id, COUNT(*) AS n").Group("citizen_id").Scan(&rows).Error
	modeltest.Must(t, err, "cases per citizen")
	if len(rows) != n {
		t.Errorf("%d citizens have cases; want %d", len(rows), n)
	}
	for _, r := range rows {
		if r.N != 1 {
			t.Errorf("citizen %d has %d cases; want 1", r.CitizenID, r.N)
		}
	}
	var msgs int64
	modeltest.Must(t, s.DB().Model(&models.InboundMessage{}).Count(&msgs).Error, "inbound messages")
	if msgs != int64(n) {
		t.Errorf("%d inbound messages kept; want %d, one per report however often it came", msgs, n)
	}
}
