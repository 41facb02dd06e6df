package handlers

import (
	"sync"
	"time"
)

// loginLimiter slows password guessing on the dashboard without letting
// anyone lock an account out. Wrong passwords are counted per client and
// account, per client, and per account; past a count's free failures each
// further attempt must wait twice as long as the one before (1 s, 2 s,
// 4 s, …) up to that count's cap: with free 5, the sixth attempt waits 1 s. A count is forgotten after its cap
// without a failure. The account's own count has many free failures and a
// short cap, so that guessing from elsewhere costs the real user seconds,
// never a lockout; a right password clears its client's count for that
// account.
type loginLimiter struct {
	// free wrong passwords per client and account (admin.login_failures)
	// before the backoff; max caps the wait (admin.lockout).
	free int
	max  time.Duration

	mu    sync.Mutex
	count map[string]*loginCount
}

// loginCount is one key's wrong passwords.
type loginCount struct {
	n         int
	last      time.Time     // the last wrong password
	wait      time.Duration // how long after last the next attempt must wait
	free      int
	max, keep time.Duration
}

// Limits of the client's and the account's counts, relative to free.
const (
	clientFreeFactor  = 4                // failures from one client over any accounts
	accountFreeFactor = 10               // failures on one account from anywhere
	accountMaxWait    = 30 * time.Second // the most the account's count makes anyone wait
	limiterMaxKeys    = 10000            // past this, forgotten counts are swept
)

func newLoginLimiter(free int, max time.Duration) *loginLimiter {
	if free < 1 {
		free = 5
	}
	if max <= 0 {
		max = 15 * time.Minute
	}
	return &loginLimiter{free: free, max: max, count: map[string]*loginCount{}}
}

// keys are the counts an attempt by client on account touches: known says
// whether the account exists (unknown names get no account count of their
// own, so that made-up names cannot fill memory).
func (l *loginLimiter) keys(client, account string, known bool) []struct {
	key       string
	free      int
	max, keep time.Duration
} {
	type k = struct {
		key       string
		free      int
		max, keep time.Duration
	}
	out := []k{{"c\x00" + client, l.free * clientFreeFactor, l.max, l.max}}
	if known {
		out = append(out,
			k{"p\x00" + client + "\x00" + account, l.free, l.max, l.max},
			k{"a\x00" + account, l.free * accountFreeFactor, min(accountMaxWait, l.max), l.max})
	}
	return out
}

// Wait is how long client must still wait before trying account again;
// zero means now.
func (l *loginLimiter) Wait(now time.Time, client, account string, known bool) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var wait time.Duration
	for _, k := range l.keys(client, account, known) {
		c := l.count[k.key]
		if c == nil || now.Sub(c.last) > c.keep {
			continue
		}
		if w := c.last.Add(c.wait).Sub(now); w > wait {
			wait = w
		}
	}
	return wait
}

// Failed counts a wrong password by client on account.
func (l *loginLimiter) Failed(now time.Time, client, account string, known bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.count) > limiterMaxKeys {
		for key, c := range l.count {
			if now.Sub(c.last) > c.keep {
				delete(l.count, key)
			}
		}
	}
	for _, k := range l.keys(client, account, known) {
		c := l.count[k.key]
		if c == nil || now.Sub(c.last) > k.keep {
			c = &loginCount{free: k.free, max: k.max, keep: k.keep}
			l.count[k.key] = c
		}
		c.n++
		c.last = now
		if c.n >= c.free {
			c.wait = min(time.Second<<min(c.n-c.free, 30), c.max)
		}
	}
}

// Succeeded clears client's count for account after a right password.
func (l *loginLimiter) Succeeded(client, account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.count, "p\x00"+client+"\x00"+account)
}
