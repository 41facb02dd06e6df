package token

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestCacheFetchesOnceUntilExpiry(t *testing.T) {
	var c Cache
	fetches := 0
	fetch := func(context.Context) (string, time.Duration, error) {
		fetches++
		return fmt.Sprint("t", fetches), 2 * time.Hour, nil
	}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		at   time.Duration
		want string
	}{
		{0, "t1"},
		{time.Hour, "t1"},
		{2*time.Hour - 6*time.Minute, "t1"}, // before the 5-minute margin
		{2*time.Hour - 4*time.Minute, "t2"}, // inside it: a new token
	} {
		got, err := c.Get(context.Background(), t0.Add(tc.at), fetch)
		if err != nil || got != tc.want {
			t.Errorf("Get at +%v = %q, %v; want %q", tc.at, got, err, tc.want)
		}
	}
	c.Forget(context.Background(), "t1") // not the cached one: kept
	if got, _ := c.Get(context.Background(), t0.Add(2*time.Hour), fetch); got != "t2" {
		t.Errorf("after forgetting an old token: %q; want t2", got)
	}
	c.Forget(context.Background(), "t2")
	if got, _ := c.Get(context.Background(), t0.Add(2*time.Hour), fetch); got != "t3" {
		t.Errorf("after forgetting the cached token: %q; want t3", got)
	}
}

func TestCacheOneFetchForConcurrentCallers(t *testing.T) {
	var c Cache
	var mu sync.Mutex
	fetches := 0
	fetch := func(context.Context) (string, time.Duration, error) {
		mu.Lock()
		fetches++
		mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		return "tok", time.Hour, nil
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := c.Get(context.Background(), time.Now(), fetch); got != "tok" || err != nil {
				t.Errorf("Get = %q, %v", got, err)
			}
		}()
	}
	wg.Wait()
	if fetches != 1 {
		t.Errorf("fetches = %d; want 1", fetches)
	}
}

func TestCacheKeepsNothingOnError(t *testing.T) {
	var c Cache
	boom := errors.New("boom")
	if _, err := c.Get(context.Background(), time.Now(), func(context.Context) (string, time.Duration, error) { return "", 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("Get = %v; want boom", err)
	}
	got, err := c.Get(context.Background(), time.Now(), func(context.Context) (string, time.Duration, error) { return "ok", time.Hour, nil })
	if got != "ok" || err != nil {
		t.Errorf("Get after an error = %q, %v; want a fresh fetch", got, err)
	}
}
