// Package token caches a platform's access token (WeCom's access_token,
// DingTalk's accessToken): one fetch at a time, the token kept until a
// little before it expires, dropped when the platform says it is no longer
// valid.
package token

import (
	"context"
	"sync"
	"time"
)

// Cache holds one access token. The zero value is empty and ready.
type Cache struct {
	once   sync.Once
	sem    chan struct{} // a lock that honours ctx; guards token and expiry
	token  string
	expiry time.Time
}

func (c *Cache) lock(ctx context.Context) error {
	c.once.Do(func() { c.sem = make(chan struct{}, 1) })
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Cache) unlock() { <-c.sem }

// Get returns the cached token if it is still good at now, or fetches a new
// one and keeps it for its lifetime ttl less a margin (a tenth, at most five
// minutes), so that it is not used in its last moments. Concurrent callers
// wait for one fetch; a caller whose ctx ends while waiting gets ctx's
// error.
func (c *Cache) Get(ctx context.Context, now time.Time, fetch func(context.Context) (tok string, ttl time.Duration, err error)) (string, error) {
	if err := c.lock(ctx); err != nil {
		return "", err
	}
	defer c.unlock()
	if c.token != "" && now.Before(c.expiry) {
		return c.token, nil
	}
	tok, ttl, err := fetch(ctx)
	if err != nil {
		return "", err
	}
	c.token, c.expiry = tok, now.Add(ttl-min(5*time.Minute, ttl/10))
	return tok, nil
}

// Forget drops tok from the cache unless another call already replaced it.
func (c *Cache) Forget(ctx context.Context, tok string) {
	if c.lock(ctx) != nil {
		return
	}
	defer c.unlock()
	if c.token == tok {
		c.token = ""
	}
}
