package models_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// A platform's repeated deliveries of a message still in its transaction
// wait without a database connection: with a pool of two, one held by the
// first delivery, other citizens' messages still go through while three
// repeats wait. Every delivery answers with the first one's reply, and the
// message is decided once.
func TestRepeatedDeliveriesWaitWithoutAConnection(t *testing.T) {
	// SQLite has one connection, which the first delivery holds.
	s := modeltest.Open(t, "mysql")
	sqlDB, err := s.DB().DB()
	modeltest.Must(t, err, "pool")
	sqlDB.SetMaxOpenConns(2)
	ctx := context.Background()
	in := models.Inbound{Platform: "mp", DedupKey: "same", OpenID: "oSame", MsgType: "text", Content: "路灯坏了"}
	var decided atomic.Int32
	inside, release := make(chan struct{}), make(chan struct{})
	decide := func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
		if decided.Add(1) == 1 {
			close(inside)
			<-release
		}
		return models.Receipt{Reply: "受理", Outcome: "case"}, nil
	}
	const repeats = 3
	var wg sync.WaitGroup
	receipts := make([]models.Receipt, repeats+1)
	errs := make([]error, repeats+1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		receipts[0], errs[0] = s.Receive(ctx, in, decide)
	}()
	<-inside
	for i := 1; i <= repeats; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			receipts[i], errs[i] = s.Receive(ctx, in, decide)
		}()
	}
	time.Sleep(200 * time.Millisecond) // the repeats are waiting by now
	other := make(chan error, 1)
	go func() {
		_, err := s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: "other", OpenID: "oOther", MsgType: "text", Content: "x"},
			func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
				return models.Receipt{Outcome: "help"}, nil
			})
		other <- err
	}()
	select {
	case err := <-other:
		modeltest.Must(t, err, "another citizen's message")
	case <-time.After(10 * time.Second):
		t.Errorf("another citizen's message waited while the repeats of a message in its transaction held the pool")
	}
	close(release)
	wg.Wait()
	if n := decided.Load(); n != 1 {
		t.Errorf("message decided %d times; want once", n)
	}
	for i, r := range receipts {
		modeltest.Must(t, errs[i], "delivery %d", i)
		if r.Reply != "受理" || r.Retry != (i > 0) {
			t.Errorf("delivery %d = %+v; want the first reply, Retry on the repeats", i, r)
		}
	}
}
