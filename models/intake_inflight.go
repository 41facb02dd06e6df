package models

import (
	"context"
	"fmt"
	"sync"
)

// inflight are the inbound messages this store is receiving right now, by
// platform and dedup key. A platform delivers a message again while the
// first delivery is still in its transaction (WeChat retries, the load
// test delivers three times at once); the second delivery waits here for
// the first to end instead of on the message's unique key in the database,
// where it would hold a pooled connection for the whole of the first's
// transaction. Then it goes on as before: it finds the message committed
// and answers from the record, or, if the first rolled back, receives it
// itself. Deliveries to other instances still meet at the unique key.
type inflight struct {
	mu   sync.Mutex
	busy map[string]chan struct{}
}

// enter waits until no other delivery of message key is being received by
// this store, then marks it as being received; the caller must call the
// returned function when done. waited reports whether another delivery was
// in progress: the message may be on record now.
func (f *inflight) enter(ctx context.Context, key string) (leave func(), waited bool, err error) {
	for {
		f.mu.Lock()
		if f.busy == nil {
			f.busy = map[string]chan struct{}{}
		}
		wait, taken := f.busy[key]
		if !taken {
			done := make(chan struct{})
			f.busy[key] = done
			f.mu.Unlock()
			return func() {
				f.mu.Lock()
				delete(f.busy, key)
				f.mu.Unlock()
				close(done)
			}, waited, nil
		}
		f.mu.Unlock()
		waited = true
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, true, fmt.Errorf("wait for the first delivery of the message: %w", ctx.Err())
		}
	}
}
