package models_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

func openCase(t *testing.T, s *models.Store, key, openid, text string) models.Receipt {
	t.Helper()
	r, err := s.Receive(context.Background(), models.Inbound{Platform: "mp", DedupKey: key, OpenID: openid, MsgType: "text", Content: text},
		func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
			k, err := tx.OpenCase(c, models.NewCase{Content: text, Kind: "一般", AckWithin: 24 * time.Hour, Platform: "mp"})
			if err != nil {
				return models.Receipt{}, err
			}
			return models.Receipt{Reply: "编号" + k.No, Outcome: "case", CaseID: k.ID}, nil
		})
	if err != nil {
		t.Fatalf("Receive(%s): %v", key, err)
	}
	return r
}

func TestReceiveNumbersCasesByDay(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 11, 21, 23, 59))
		s.Now = clock.Now
		if got := openCase(t, s, "1", "oA", "路灯坏了很多天").Reply; got != "编号20261121001" {
			t.Errorf("first reply = %q; want 编号20261121001", got)
		}
		if got := openCase(t, s, "2", "oB", "噪音扰民").Reply; got != "编号20261121002" {
			t.Errorf("second reply = %q; want 编号20261121002", got)
		}
		clock.Add(2 * time.Minute) // past midnight in Shanghai
		if got := openCase(t, s, "3", "oA", "井盖丢失").Reply; got != "编号20261122001" {
			t.Errorf("next day reply = %q; want 编号20261122001", got)
		}
	})
}

func TestReceiveRetryGetsSameReplyAndNoSecondCase(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		first := openCase(t, s, "msg-1", "oA", "路灯坏了")
		again := openCase(t, s, "msg-1", "oA", "路灯坏了")
		if !again.Retry || again.Reply != first.Reply || again.CaseID != first.CaseID {
			t.Errorf("retry = %+v; want the first receipt %+v with Retry", again, first)
		}
		if n, _ := s.CountCases(context.Background()); n != 1 {
			t.Errorf("cases = %d; want 1", n)
		}
	})
}

// Two stores on one database play two server instances: numbers stay unique
// and WeChat's concurrent retries still make one case.
func TestReceiveConcurrentInstances(t *testing.T) {
	for _, d := range modeltest.Drivers {
		t.Run(d, func(t *testing.T) {
			driver, dsn := modeltest.DSN(t, d)
			var stores []*models.Store
			for i := 0; i < 2; i++ {
				s, err := models.Open(driver, dsn, modeltest.Shanghai)
				modeltest.Must(t, err, "open")
				modeltest.Cap(s)
				t.Cleanup(func() { s.Close() })
				modeltest.Must(t, s.Migrate(context.Background()), "migrate")
				stores = append(stores, s)
			}
			const msgs, tries = 30, 3
			var wg sync.WaitGroup
			replies := make([][]string, msgs)
			var mu sync.Mutex
			for m := 0; m < msgs; m++ {
				for try := 0; try < tries; try++ {
					wg.Add(1)
					go func(m, try int) {
						defer wg.Done()
						s := stores[(m+try)%2]
						r, err := s.Receive(context.Background(), models.Inbound{Platform: "mp", DedupKey: fmt.Sprint(m), OpenID: fmt.Sprintf("o%d", m%7), MsgType: "text", Content: "x"},
							func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
								k, err := tx.OpenCase(c, models.NewCase{Content: fmt.Sprint("问题", m), Kind: "一般", AckWithin: time.Hour, Platform: "mp"})
								if err != nil {
									return models.Receipt{}, err
								}
								return models.Receipt{Reply: k.No, Outcome: "case", CaseID: k.ID}, nil
							})
						if err != nil {
							t.Errorf("message %d try %d: %v", m, try, err)
							return
						}
						mu.Lock()
						replies[m] = append(replies[m], r.Reply)
						mu.Unlock()
					}(m, try)
				}
			}
			wg.Wait()
			seen := map[string]int{}
			for m, rs := range replies {
				for _, r := range rs {
					if r != rs[0] {
						t.Errorf("message %d got replies %v; want one number", m, rs)
						break
					}
				}
				if len(rs) > 0 {
					if prev, dup := seen[rs[0]]; dup {
						t.Errorf("messages %d and %d share number %s", prev, m, rs[0])
					}
					seen[rs[0]] = m
				}
			}
			if n, _ := stores[0].CountCases(context.Background()); n != msgs {
				t.Errorf("cases = %d; want %d", n, msgs)
			}
		})
	}
}

func TestCitizenCaseIsOnlyTheirs(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		r := openCase(t, s, "1", "oA", "路灯坏了")
		k, err := s.CaseByNo(context.Background(), "")
		if !errors.Is(err, models.ErrNotFound) {
			t.Errorf("CaseByNo(\"\") = %v, %v; want ErrNotFound", k, err)
		}
		_, err = s.Receive(context.Background(), models.Inbound{Platform: "mp", DedupKey: "2", OpenID: "oB", MsgType: "text"},
			func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
				var err error
				all, _ := tx.CitizenCases(c, 10)
				if len(all) != 0 {
					t.Errorf("citizen B sees %d cases; want 0", len(all))
				}
				_, err = tx.CitizenCase(c, fmt.Sprint(r.Reply[len("编号"):]))
				if !errors.Is(err, models.ErrNotFound) {
					t.Errorf("citizen B looks up A's case: err = %v; want ErrNotFound", err)
				}
				return models.Receipt{Reply: "ok", Outcome: "query"}, nil
			})
		modeltest.Must(t, err, "receive")
	})
}

func TestCitizenAliasIsStableAndDistinct(t *testing.T) {
	seen := map[string]uint64{}
	for id := uint64(1); id <= 100000; id++ {
		a := models.CitizenAlias(id)
		if prev, ok := seen[a]; ok {
			t.Fatalf("CitizenAlias(%d) = CitizenAlias(%d) = %s", id, prev, a)
		}
		seen[a] = id
	}
	if models.CitizenAlias(42) != models.CitizenAlias(42) {
		t.Error("CitizenAlias is not stable")
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		from, to models.Status
		ok       bool
	}{
		{models.StatusReceived, models.StatusAssigned, true},
		{models.StatusReceived, models.StatusInvalid, true},
		{models.StatusReceived, models.StatusDuplicate, true},
		{models.StatusReceived, models.StatusAnswered, false},
		{models.StatusAssigned, models.StatusHandling, true},
		{models.StatusAssigned, models.StatusReceived, true},
		{models.StatusHandling, models.StatusReviewing, true},
		{models.StatusReviewing, models.StatusAnswered, true},
		{models.StatusReviewing, models.StatusHandling, true},
		{models.StatusAnswered, models.StatusClosed, true},
		{models.StatusAnswered, models.StatusHandling, true},
		{models.StatusClosed, models.StatusHandling, false},
		{models.StatusClosed, models.StatusReceived, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s_to_%s", tt.from, tt.to), func(t *testing.T) {
			k := &models.Case{No: "1", Status: tt.from}
			err := k.Transition(tt.to)
			if (err == nil) != tt.ok {
				t.Errorf("Transition(%s → %s) = %v; want ok=%v", tt.from, tt.to, err, tt.ok)
			}
			if err != nil && !errors.Is(err, models.ErrInvalidTransition) {
				t.Errorf("Transition error %v is not ErrInvalidTransition", err)
			}
		})
	}
}

// TestStartConcurrentInstances: instances starting at the same moment on
// an empty database all migrate and write the organisation; none fails, and
// the units and members are there once.
func TestStartConcurrentInstances(t *testing.T) {
	for _, d := range modeltest.Drivers {
		t.Run(d, func(t *testing.T) {
			const instances = 3
			driver, dsn := modeltest.DSN(t, d)
			stores := make([]*models.Store, instances)
			for i := range stores {
				s, err := models.Open(driver, dsn, modeltest.Shanghai)
				modeltest.Must(t, err, "open")
				modeltest.Cap(s)
				t.Cleanup(func() { s.Close() })
				stores[i] = s
			}
			if d == "sqlite" {
				// One server's file, no start lock: the schema is made
				// first; writers then queue on SQLite's own lock.
				modeltest.Must(t, stores[0].Migrate(context.Background()), "migrate")
			}
			deps := []models.Department{
				{Code: "cg", Name: "县城市管理局", Platform: models.PlatformWeCom},
				{Code: "zj", Name: "县住房和城乡建设局", Platform: models.PlatformWeCom},
				{Code: "hb", Name: "县生态环境分局", Platform: models.PlatformWeCom},
			}
			members := []models.Member{
				{Name: "王问政", UserID: "dispatcher1", Platform: models.PlatformWeCom, Role: models.RoleDispatcher},
				{Name: "李承办", UserID: "cg-officer1", Platform: models.PlatformWeCom, Role: models.RoleOfficer},
			}
			// All at once: first the migrations, then the organisation.
			for _, step := range []func(s *models.Store) error{
				func(s *models.Store) error { return s.Migrate(context.Background()) },
				func(s *models.Store) error { return s.SyncOrg(context.Background(), deps, members, []string{"", "cg"}) },
			} {
				start := make(chan struct{})
				errs := make(chan error, instances)
				var wg sync.WaitGroup
				for _, s := range stores {
					wg.Go(func() {
						<-start
						errs <- step(s)
					})
				}
				close(start)
				wg.Wait()
				close(errs)
				for err := range errs {
					if err != nil {
						t.Fatalf("an instance failed to start: %v", err)
					}
				}
			}
			got, err := stores[0].Departments(context.Background())
			modeltest.Must(t, err, "departments")
			if len(got) != len(deps) {
				t.Errorf("departments = %d; want %d", len(got), len(deps))
			}
			var n int64
			modeltest.Must(t, stores[0].DB().Model(&models.Member{}).Count(&n).Error, "members")
			if n != int64(len(members)) {
				t.Errorf("members = %d; want %d", n, len(members))
			}
		})
	}
}
