// Package fault is the fault injection the platform fakes share (bot/mp,
// bot/wecom, bot/dingtalk): the next n calls fail with HTTP 500, the next n
// are throttled as each platform throttles, and every call may first wait.
// A fake embeds an Injector, so its tests call FailNext, RateLimitNext and
// SetDelay on the fake itself, and asks Take for each call's fate.
package fault

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// Injector holds the faults still to inject. The zero value injects none.
type Injector struct {
	mu    sync.Mutex
	fail  int
	limit int
	delay time.Duration
	lose  int
}

// FailNext makes the next n calls, to any route, answer HTTP 500.
func (f *Injector) FailNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = n
}

// RateLimitNext makes the next n calls, to any route, answer as the platform
// does when throttling (each fake says how). Failures from FailNext come
// first.
func (f *Injector) RateLimitNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limit = n
}

// LoseReplyNext makes the next n calls that the fake handles lose their
// answer: the fake does the work (stores the message, uses the task id),
// then drops the connection, as when a reply is lost on the way.
func (f *Injector) LoseReplyNext(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lose = n
}

// LoseReply reports whether this call's answer is to be lost, taking one
// from LoseReplyNext. The fake calls it after handling the call.
func (f *Injector) LoseReply() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lose > 0 {
		f.lose--
		return true
	}
	return false
}

// Drop closes the connection under w without an answer; where it cannot, it
// answers HTTP 502, which clients also take as a failed call.
func Drop(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	http.Error(w, "fault: reply lost", http.StatusBadGateway)
}

// SetDelay makes every call wait d before answering (0 turns it off), to
// exercise client timeouts; a cancelled request stops waiting.
func (f *Injector) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Take decides one call's fate: it waits the delay, then takes an injected
// failure (fail) or, when none is left, an injected throttle (limited). ok
// is false when ctx ended during the wait: the client gave up, nothing was
// taken, and the fake should not answer.
func (f *Injector) Take(ctx context.Context) (fail, limited, ok bool) {
	f.mu.Lock()
	delay := f.delay
	f.mu.Unlock()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false, false, false
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.fail > 0:
		f.fail--
		return true, false, true
	case f.limit > 0:
		f.limit--
		return false, true, true
	}
	return false, false, true
}
