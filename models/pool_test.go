package models_test

import (
	"context"
	"sync"
	"testing"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// The pool: a store opens at most its driver's default number of
// connections, or what the configuration sets (database.max_open_conns);
// more work than connections waits for one instead of opening another.
func TestPoolCapsConnections(t *testing.T) {
	for _, driver := range modeltest.Drivers {
		t.Run(driver, func(t *testing.T) { testPoolCaps(t, driver) })
	}
}

func testPoolCaps(t *testing.T, driver string) {
	driver, dsn := modeltest.DSN(t, driver)
	s, err := models.Open(driver, dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := s.Pool(), models.DefaultPool(driver); got != want {
		t.Errorf("default pool on %s = %d; want %d", driver, got, want)
	}
	s.SetPool(3, 1)
	want := 3
	if driver == "sqlite" {
		want = 1 // one writer whatever is asked
	}
	if got := s.Pool(); got != want {
		t.Fatalf("SetPool(3, 1) on %s: pool %d; want %d", driver, got, want)
	}
	sleep := map[string]string{"sqlite": "SELECT 1", "mysql": "SELECT SLEEP(0.05)", "postgres": "SELECT pg_sleep(0.05)"}[driver]
	db, err := s.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	most := 0
	for range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.DB().WithContext(context.Background()).Exec(sleep).Error; err != nil {
				t.Error(err)
			}
			mu.Lock()
			most = max(most, db.Stats().OpenConnections)
			mu.Unlock()
		}()
	}
	wg.Wait()
	st := db.Stats()
	if most > want || st.OpenConnections > want {
		t.Errorf("%s: %d connections open at once (%d at the end); want at most %d", driver, most, st.OpenConnections, want)
	}
	if driver != "sqlite" && st.WaitCount == 0 {
		t.Errorf("%s: 12 queries on %d connections never waited for one", driver, want)
	}
	if st.Idle > 1 {
		t.Errorf("%s: %d idle connections kept; want at most 1", driver, st.Idle)
	}
}
