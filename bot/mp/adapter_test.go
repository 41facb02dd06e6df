package mp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
)

const (
	adAppID    = "wxapp0000000001"
	adSecret   = "s3cr3t-s3cr3t"
	adOpenID   = "oCitizen_Adapter_7Xq9"
	adTemplate = "TMPL_case_progress"
	adTmplURL  = "https://ms.example.gov.cn/my"
	adCaseNo   = "2025-0001"
)

type adClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *adClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *adClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type adRig struct {
	fake  *mptest.FakeAPI
	clock *adClock
	p     *mp.Platform
	// hook, if set, answers a request instead of the fake when it returns true.
	mu   sync.Mutex
	hook func(w http.ResponseWriter, r *http.Request) bool
	// primeErr is what a test's setup ran into.
	primeErr error
}

func (r *adRig) setHook(h func(w http.ResponseWriter, r *http.Request) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hook = h
}

func newAdRig(t *testing.T) *adRig {
	t.Helper()
	r := &adRig{clock: &adClock{now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}}
	r.fake = mptest.NewFakeAPI(adAppID, adSecret)
	r.fake.Now = r.clock.Now
	r.fake.AddTemplate(adTemplate)
	r.fake.Touch(adOpenID, r.clock.Now())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		h := r.hook
		r.mu.Unlock()
		if h != nil && h(w, req) {
			return
		}
		r.fake.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	c := &mp.Client{BaseURL: srv.URL, AppID: adAppID, AppSecret: adSecret, HTTP: srv.Client(), Now: r.clock.Now}
	r.p = &mp.Platform{Client: c, TemplateID: adTemplate, TemplateURL: adTmplURL}
	return r
}

var citizen = bot.Address{Kind: bot.AddrCitizen, OpenID: adOpenID}

// assigned is what toCitizen queues when a case is assigned: no CaseNo, the
// number in the fields.
func assigned() bot.Outgoing {
	return bot.Outgoing{
		Kind: bot.KindText,
		Text: "您反映的问题（编号 " + adCaseNo + "）已交由城管局办理，办理时限 2025-03-12 18:00。",
		Fields: []bot.Field{
			{Key: "编号", Value: adCaseNo}, {Key: "承办单位", Value: "城管局"}, {Key: "时限", Value: "2025-03-12 18:00"},
		},
	}
}

// noOpenID fails the test if err's text carries the citizen's openid.
func noOpenID(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), adOpenID) {
		t.Errorf("error text %q carries the openid", err)
	}
}

func TestPlatformName(t *testing.T) {
	var p bot.Platform = &mp.Platform{}
	if got := p.Name(); got != "mp" {
		t.Errorf("Name() = %q; want mp", got)
	}
}

func TestDeliverText(t *testing.T) {
	r := newAdRig(t)
	r.clock.Add(47 * time.Hour)
	d, err := r.p.Deliver(context.Background(), citizen, assigned())
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if d != (bot.Delivery{}) {
		t.Errorf("Delivery = %+v; want zero (a customer-service message)", d)
	}
	sent := r.fake.SentTo(adOpenID)
	if len(sent) != 1 || sent[0].Kind != mptest.KindCustom || sent[0].Text != assigned().Text {
		t.Fatalf("fake sent %+v; want one customer-service text %q", sent, assigned().Text)
	}
}

func TestDeliverTemplateFallback(t *testing.T) {
	r := newAdRig(t)
	r.clock.Add(mptest.CustomWindow + time.Hour)
	d, err := r.p.Deliver(context.Background(), citizen, assigned())
	if err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if d.Fallback != "template" {
		t.Errorf("Delivery.Fallback = %q; want template", d.Fallback)
	}
	sent := r.fake.SentTo(adOpenID)
	if len(sent) != 1 || sent[0].Kind != mptest.KindTemplate {
		t.Fatalf("fake sent %+v; want one template message", sent)
	}
	m := sent[0]
	if m.TemplateID != adTemplate || m.URL != adTmplURL {
		t.Errorf("template, url = %q, %q; want %q, %q", m.TemplateID, m.URL, adTemplate, adTmplURL)
	}
	want := map[string]string{
		"first":    assigned().Text,
		"keyword1": adCaseNo,
		"keyword2": "城管局",
		"keyword3": "2025-03-12 18:00",
		"remark":   "详情请在公众号发送：查询 " + adCaseNo,
	}
	for k, v := range want {
		if m.Data[k] != v {
			t.Errorf("data[%s] = %q; want %q", k, m.Data[k], v)
		}
	}
}

func TestDeliverTemplateData(t *testing.T) {
	r := newAdRig(t)
	r.clock.Add(mptest.CustomWindow + time.Minute)
	o := bot.Outgoing{Kind: bot.KindText, Title: "答复", Text: "您的问题已答复。\n路灯已修复。", CaseNo: adCaseNo}
	if _, err := r.p.Deliver(context.Background(), citizen, o); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	data := r.fake.SentTo(adOpenID)[0].Data
	if data["first"] != "答复" || data["keyword1"] != "答复" || data["remark"] != "详情请在公众号发送：查询 "+adCaseNo {
		t.Errorf("data = %v; want first and keyword1 答复, remark with %s", data, adCaseNo)
	}
}

func TestDeliverErrors(t *testing.T) {
	const (
		undeliverable = "undeliverable"
		rateLimited   = "rate limited"
		temporary     = "temporary"
	)
	late := func(r *adRig) { r.clock.Add(mptest.CustomWindow + time.Hour) }
	// prime sends one message, so that the access token is fetched and an
	// injected failure hits the send itself.
	prime := func(r *adRig) {
		if _, err := r.p.Deliver(context.Background(), citizen, bot.Outgoing{Kind: bot.KindText, Text: "已受理"}); err != nil {
			r.primeErr = err
		}
	}
	tests := []struct {
		name  string
		setup func(*adRig)
		to    bot.Address
		out   bot.Outgoing
		want  string
	}{
		{"OutOfWindowNoTemplate", func(r *adRig) { late(r); r.p.TemplateID = "" }, citizen, assigned(), undeliverable},
		{"OutOfWindowTemplateRefused", func(r *adRig) { late(r); r.p.TemplateID = "TMPL_deleted" }, citizen, assigned(), undeliverable},
		{"OutOfWindowTemplate500", func(r *adRig) {
			late(r)
			r.setHook(func(w http.ResponseWriter, req *http.Request) bool {
				if req.URL.Path != "/cgi-bin/message/template/send" {
					return false
				}
				http.Error(w, "busy", http.StatusInternalServerError)
				return true
			})
		}, citizen, assigned(), temporary},
		{"UnknownOpenID", nil, bot.Address{Kind: bot.AddrCitizen, OpenID: "oNeverWroteToUs_123"}, assigned(), undeliverable},
		{"NoOpenID", nil, bot.Address{Kind: bot.AddrCitizen}, assigned(), undeliverable},
		{"Member", nil, bot.Address{Kind: bot.AddrMember, UserID: "zhangsan"}, assigned(), undeliverable},
		{"Group", nil, bot.Address{Kind: bot.AddrGroup, RobotKey: "k"}, assigned(), undeliverable},
		{"EmptyText", nil, citizen, bot.Outgoing{Kind: bot.KindText}, undeliverable},
		{"RateLimited", func(r *adRig) { prime(r); r.fake.RateLimitNext(1) }, citizen, assigned(), rateLimited},
		{"Server500", func(r *adRig) { prime(r); r.fake.FailNext(1) }, citizen, assigned(), temporary},
		{"EchoedOpenID", func(r *adRig) {
			r.setHook(func(w http.ResponseWriter, req *http.Request) bool {
				if req.URL.Path != "/cgi-bin/message/custom/send" {
					return false
				}
				fmt.Fprintf(w, `{"errcode":40003,"errmsg":"invalid openid %s rid: 1a2b"}`, adOpenID)
				return true
			})
		}, citizen, assigned(), undeliverable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdRig(t)
			if tt.setup != nil {
				tt.setup(r)
			}
			if r.primeErr != nil {
				t.Fatalf("setup: %v", r.primeErr)
			}
			d, err := r.p.Deliver(context.Background(), tt.to, tt.out)
			var rl *bot.RateLimited
			got := temporary
			switch {
			case err == nil:
				t.Fatalf("Deliver = %+v, nil; want an error", d)
			case errors.Is(err, bot.ErrUndeliverable):
				got = undeliverable
			case errors.As(err, &rl):
				got = rateLimited
				if rl.Wait != time.Minute {
					t.Errorf("RateLimited.Wait = %v; want 1m", rl.Wait)
				}
			}
			if got != tt.want {
				t.Errorf("Deliver: %v (%s); want %s", err, got, tt.want)
			}
			noOpenID(t, err)
		})
	}
}

func TestDeliverUpdateIsNoOp(t *testing.T) {
	r := newAdRig(t)
	d, err := r.p.Deliver(context.Background(), citizen, bot.Outgoing{Kind: bot.KindUpdate, TaskID: "t", Text: "已处理"})
	if err != nil || d != (bot.Delivery{}) {
		t.Errorf("Deliver(update) = %+v, %v; want zero, nil", d, err)
	}
	if n := len(r.fake.Sent()); n != 0 {
		t.Errorf("an update sent %d messages; want 0", n)
	}
}
