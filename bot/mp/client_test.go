package mp_test

import (
	"context"
	"errors"
	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

const (
	apiAppID   = "wxapp0000000001"
	apiSecret  = "s3cr3t-s3cr3t"
	apiCitizen = "o_citizen_1"
	tmplID     = "TMPL_case_answered"
)

// newAPI starts a FakeAPI that knows citizen (who just wrote) and tmplID, and a
// Client for it, sharing one clock.
func newAPI(t *testing.T, wrap func(http.Handler) http.Handler) (*mptest.FakeAPI, *mp.Client, *clock) {
	t.Helper()
	clk := &clock{now: time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC)}
	fake := mptest.NewFakeAPI(apiAppID, apiSecret)
	fake.Now = clk.Now
	fake.Touch(apiCitizen, clk.Now())
	fake.AddTemplate(tmplID)
	var h http.Handler = fake
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c := &mp.Client{BaseURL: srv.URL, AppID: apiAppID, AppSecret: apiSecret, HTTP: srv.Client(), Now: clk.Now}
	return fake, c, clk
}

func TestClientTokenCaching(t *testing.T) {
	fake, c, clk := newAPI(t, nil)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := c.SendText(ctx, apiCitizen, "您反映的问题已由我单位受理，将尽快给您回复"); err != nil {
			t.Fatalf("SendText #%d: %v", i, err)
		}
	}
	if n := fake.Calls("/cgi-bin/stable_token"); n != 1 {
		t.Errorf("token fetched %d times for 3 sends; want 1", n)
	}
	// Just before expiry (with the safety margin) the client refreshes.
	clk.Add(7200*time.Second - 4*time.Minute)
	if err := c.SendText(ctx, apiCitizen, "x"); err != nil {
		t.Fatalf("SendText near expiry: %v", err)
	}
	if n := fake.Calls("/cgi-bin/stable_token"); n != 2 {
		t.Errorf("token fetched %d times after expiry; want 2", n)
	}
	if got := fake.SentTo(apiCitizen); len(got) != 4 || got[0].Kind != mptest.KindCustom || got[0].Text != "您反映的问题已由我单位受理，将尽快给您回复" {
		t.Errorf("SentTo = %+v", got)
	}
}

func TestClientConcurrentFetchOnce(t *testing.T) {
	fake, c, _ := newAPI(t, nil)
	fake.SetDelay(20 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.SendText(context.Background(), apiCitizen, "hi")
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("SendText: %v", err)
		}
	}
	if n := fake.Calls("/cgi-bin/stable_token"); n != 1 {
		t.Errorf("token fetched %d times by 20 concurrent sends; want 1", n)
	}
	if n := len(fake.Sent()); n != 20 {
		t.Errorf("fake recorded %d messages; want 20", n)
	}
}

func TestClientRefreshesRejectedToken(t *testing.T) {
	t.Run("42001 after ExpireTokens", func(t *testing.T) {
		fake, c, _ := newAPI(t, nil)
		ctx := context.Background()
		if err := c.SendText(ctx, apiCitizen, "one"); err != nil {
			t.Fatal(err)
		}
		fake.ExpireTokens()
		if err := c.SendText(ctx, apiCitizen, "two"); err != nil {
			t.Fatalf("SendText after ExpireTokens: %v", err)
		}
		if n := fake.Calls("/cgi-bin/stable_token"); n != 2 {
			t.Errorf("token fetched %d times; want 2", n)
		}
		if n := fake.Calls("/cgi-bin/message/custom/send"); n != 3 {
			t.Errorf("custom/send called %d times; want 3 (one retried)", n)
		}
	})
	for _, code := range []int{mp.CodeInvalidCredential, mp.CodeInvalidToken, mp.CodeTokenExpired} {
		t.Run("once on "+strconv.Itoa(code), func(t *testing.T) {
			var rejected atomic.Int32
			fake, c, _ := newAPI(t, rejectSends(code, 1, &rejected))
			if err := c.SendTemplate(context.Background(), mp.TemplateMessage{OpenID: apiCitizen, TemplateID: tmplID, Data: map[string]string{"k": "v"}}); err != nil {
				t.Fatalf("SendTemplate after one %d: %v", code, err)
			}
			if n := fake.Calls("/cgi-bin/stable_token"); n != 2 {
				t.Errorf("token fetched %d times; want 2", n)
			}
		})
	}
	t.Run("gives up after one retry", func(t *testing.T) {
		var rejected atomic.Int32
		fake, c, _ := newAPI(t, rejectSends(mp.CodeTokenExpired, 100, &rejected))
		err := c.SendText(context.Background(), apiCitizen, "x")
		var apiErr *mp.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != mp.CodeTokenExpired {
			t.Fatalf("SendText = %v; want APIError 42001", err)
		}
		if rejected.Load() != 2 || fake.Calls("/cgi-bin/stable_token") != 2 {
			t.Errorf("rejected %d sends, %d token fetches; want 2 and 2", rejected.Load(), fake.Calls("/cgi-bin/stable_token"))
		}
	})
}

// rejectSends answers the first n message sends with errcode code.
func rejectSends(code, n int, count *atomic.Int32) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, "/cgi-bin/message/") && int(count.Add(1)) <= n {
				mptest.WriteError(w, code)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestClientErrors(t *testing.T) {
	ctx := context.Background()

	t.Run("45015 outside the 48-hour window", func(t *testing.T) {
		fake, c, clk := newAPI(t, nil)
		clk.Add(47 * time.Hour)
		if err := c.SendText(ctx, apiCitizen, "inside"); err != nil {
			t.Fatalf("SendText at 47h: %v", err)
		}
		clk.Add(2 * time.Hour)
		err := c.SendText(ctx, apiCitizen, "outside")
		if !mp.IsOutOfWindow(err) || mp.IsRateLimited(err) {
			t.Fatalf("SendText at 49h = %v; want 45015", err)
		}
		if strings.Contains(err.Error(), apiCitizen) {
			t.Errorf("error %q contains the openid", err)
		}
		// A template message still goes; a new message from the citizen reopens the window.
		if err := c.SendTemplate(ctx, mp.TemplateMessage{OpenID: apiCitizen, TemplateID: tmplID, URL: "https://example.org/case/1", Data: map[string]string{"keyword1": "已答复"}}); err != nil {
			t.Errorf("SendTemplate out of window: %v", err)
		}
		fake.Touch(apiCitizen, clk.Now())
		if err := c.SendText(ctx, apiCitizen, "again"); err != nil {
			t.Errorf("SendText after Touch: %v", err)
		}
		if got := fake.SentTo(apiCitizen); len(got) != 3 {
			t.Errorf("SentTo = %+v; want 3 messages", got)
		}
	})

	t.Run("45009 rate limited", func(t *testing.T) {
		fake, c, _ := newAPI(t, nil)
		if err := c.SendText(ctx, apiCitizen, "warm"); err != nil {
			t.Fatal(err)
		}
		fake.RateLimitNext(2)
		for i := 0; i < 2; i++ {
			if err := c.SendText(ctx, apiCitizen, "x"); !mp.IsRateLimited(err) {
				t.Errorf("SendText #%d = %v; want 45009", i, err)
			}
		}
		if err := c.SendText(ctx, apiCitizen, "y"); err != nil {
			t.Errorf("SendText after the limit: %v", err)
		}
	})

	t.Run("HTTP 500", func(t *testing.T) {
		fake, c, _ := newAPI(t, nil)
		fake.FailNext(1)
		err := c.SendText(ctx, apiCitizen, "x") // the token fetch fails
		var apiErr *mp.APIError
		if err == nil || errors.As(err, &apiErr) || !strings.Contains(err.Error(), "500") {
			t.Errorf("SendText = %v; want a non-API HTTP 500 error", err)
		}
		fake.FailNext(1)
		if err := c.SendText(ctx, apiCitizen, "x"); err == nil || !strings.Contains(err.Error(), "500") {
			t.Errorf("SendText = %v; want HTTP 500", err)
		}
		if err := c.SendText(ctx, apiCitizen, "x"); err != nil {
			t.Errorf("SendText after the outage: %v", err)
		}
		if n := len(fake.Sent()); n != 1 {
			t.Errorf("fake recorded %d messages; want 1", n)
		}
	})

	t.Run("template 40037", func(t *testing.T) {
		fake, c, _ := newAPI(t, nil)
		err := c.SendTemplate(ctx, mp.TemplateMessage{OpenID: apiCitizen, TemplateID: "TMPL_unknown"})
		var apiErr *mp.APIError
		if !errors.As(err, &apiErr) || apiErr.Code != mp.CodeInvalidTemplateID {
			t.Fatalf("SendTemplate = %v; want 40037", err)
		}
		if err := c.SendTemplate(ctx, mp.TemplateMessage{OpenID: apiCitizen, TemplateID: tmplID, URL: "https://example.org/c/1", Data: map[string]string{"keyword1": "MS2025-0001", "remark": "请评价"}}); err != nil {
			t.Fatalf("SendTemplate: %v", err)
		}
		got := fake.Sent()
		if len(got) != 1 || got[0].Kind != mptest.KindTemplate || got[0].TemplateID != tmplID || got[0].URL != "https://example.org/c/1" ||
			got[0].Data["keyword1"] != "MS2025-0001" || got[0].Data["remark"] != "请评价" || got[0].MsgID == 0 {
			t.Errorf("Sent = %+v", got)
		}
	})

	t.Run("unknown user 40003", func(t *testing.T) {
		_, c, _ := newAPI(t, nil)
		var apiErr *mp.APIError
		if err := c.SendText(ctx, "o_stranger", "x"); !errors.As(err, &apiErr) || apiErr.Code != mp.CodeInvalidOpenID {
			t.Errorf("SendText = %v; want 40003", err)
		}
	})

	t.Run("wrong secret 40125", func(t *testing.T) {
		_, c, _ := newAPI(t, nil)
		c.AppSecret = "wrong"
		var apiErr *mp.APIError
		err := c.SendText(ctx, apiCitizen, "x")
		if !errors.As(err, &apiErr) || apiErr.Code != mp.CodeInvalidAppSecret {
			t.Errorf("SendText = %v; want 40125", err)
		}
		if strings.Contains(err.Error(), "wrong") {
			t.Errorf("error %q contains the secret", err)
		}
	})

	t.Run("slow API and context deadline", func(t *testing.T) {
		fake, c, _ := newAPI(t, nil)
		if err := c.SendText(ctx, apiCitizen, "warm"); err != nil {
			t.Fatal(err)
		}
		fake.SetDelay(time.Second)
		short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
		defer cancel()
		err := c.SendText(short, apiCitizen, "x")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("SendText = %v; want DeadlineExceeded", err)
		}
		tok, terr := mp.AccessToken(c, ctx)
		if terr != nil || tok == "" {
			t.Fatalf("cached token = %q, %v", tok, terr)
		}
		if strings.Contains(err.Error(), "access_token=") || strings.Contains(err.Error(), tok) {
			t.Errorf("error %q leaks the access token", err)
		}
	})

	t.Run("transport error", func(t *testing.T) {
		c := &mp.Client{BaseURL: "http://127.0.0.1:1", AppID: apiAppID, AppSecret: apiSecret}
		if err := c.SendText(ctx, apiCitizen, "x"); err == nil || !strings.Contains(err.Error(), "get access token") {
			t.Errorf("SendText = %v; want a wrapped transport error", err)
		}
	})
}

func TestFakeAPIMountedUnderPrefix(t *testing.T) {
	fake := mptest.NewFakeAPI(apiAppID, apiSecret)
	fake.Touch(apiCitizen, time.Now())
	mux := http.NewServeMux()
	mux.Handle("/wxapi/", http.StripPrefix("/wxapi", fake))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := &mp.Client{BaseURL: srv.URL + "/wxapi/", AppID: apiAppID, AppSecret: apiSecret}
	if err := c.SendText(context.Background(), apiCitizen, "hi"); err != nil {
		t.Fatalf("SendText: %v", err)
	}
	if len(fake.SentTo(apiCitizen)) != 1 {
		t.Errorf("SentTo = %+v", fake.SentTo(apiCitizen))
	}
}
