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
	r.fake.AddTemplate(adTemplate, "keyword1", "keyword2", "keyword3", "keyword4")
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
	r.p = &mp.Platform{Client: c, Templates: map[string]mp.Template{mp.DefaultTemplate: progressTemplate(adTemplate)}, TemplateURL: adTmplURL}
	return r
}

var citizen = bot.Address{Kind: bot.AddrCitizen, OpenID: adOpenID, Purpose: "citizen_assigned", Key: "minsheng-41"}

// progressTemplate is a 4-keyword template: 编号, 事项, 承办单位, 时限.
func progressTemplate(id string) mp.Template {
	return mp.Template{ID: id, Fields: map[string]string{
		mp.FieldCaseNo: "keyword1", mp.FieldSummary: "keyword2", "承办单位": "keyword3", "时限": "keyword4",
	}}
}

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
		"keyword1": adCaseNo,
		"keyword2": "您反映的问题（编号 2025-0001…", // 20 characters
		"keyword3": "城管局",
		"keyword4": "2025-03-12 18:00",
	}
	if len(m.Data) != len(want) {
		t.Errorf("data = %v; want exactly the template's keys %v (no first, no remark)", m.Data, want)
	}
	for k, v := range want {
		if m.Data[k] != v {
			t.Errorf("data[%s] = %q; want %q", k, m.Data[k], v)
		}
	}
}

// TestDeliverTemplateRules: since 2023-05-04 WeChat shows 20 characters of
// a keyword and neither first nor remark, and takes only the template's
// keys; the case number is always in a keyword.
func TestDeliverTemplateRules(t *testing.T) {
	long := strings.Repeat("路灯", 30)
	tests := []struct {
		name string
		tmpl mp.Template
		out  bot.Outgoing
		want map[string]string
	}{
		{"TitleIsSummary", progressTemplate(adTemplate),
			bot.Outgoing{Kind: bot.KindText, Title: "答复", Text: "您的问题已答复。\n路灯已修复。", CaseNo: adCaseNo},
			map[string]string{"keyword1": adCaseNo, "keyword2": "答复"}},
		{"LongValuesCut", progressTemplate(adTemplate),
			bot.Outgoing{Kind: bot.KindText, Text: long, Fields: []bot.Field{{Key: "编号", Value: adCaseNo}, {Key: "承办单位", Value: long}}},
			map[string]string{"keyword1": adCaseNo, "keyword2": strings.Repeat("路灯", 9) + "路…", "keyword3": strings.Repeat("路灯", 9) + "路…"}},
		{"OtherKeys", mp.Template{ID: adTemplate + "_new", Fields: map[string]string{mp.FieldCaseNo: "character_string1", "结果": "thing2", mp.FieldTime: "time3"}},
			bot.Outgoing{Kind: bot.KindText, Text: "不予受理", CaseNo: adCaseNo, Fields: []bot.Field{{Key: "结果", Value: "不予受理"}}},
			map[string]string{"character_string1": adCaseNo, "thing2": "不予受理", "time3": "2025-03-05 09:01"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newAdRig(t)
			r.fake.AddTemplate(adTemplate+"_new", "character_string1", "thing2", "time3")
			r.p.Templates = map[string]mp.Template{"citizen_assigned": tt.tmpl}
			r.clock.Add(mptest.CustomWindow + time.Minute)
			if _, err := r.p.Deliver(context.Background(), citizen, tt.out); err != nil {
				t.Fatalf("Deliver: %v", err)
			}
			sent := r.fake.SentTo(adOpenID)
			if len(sent) != 1 {
				t.Fatalf("fake sent %d messages; want 1", len(sent))
			}
			got := sent[0].Data
			if len(got) != len(tt.want) {
				t.Errorf("data = %v; want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("data[%s] = %q; want %q", k, got[k], v)
				}
			}
		})
	}
}

// TestDeliverTemplateByPurpose: each purpose has its template, "default"
// stands for the rest, and with neither the message is undeliverable.
func TestDeliverTemplateByPurpose(t *testing.T) {
	r := newAdRig(t)
	r.fake.AddTemplate("TMPL_answer")
	r.p.Templates["citizen_answer"] = mp.Template{ID: "TMPL_answer", Fields: map[string]string{mp.FieldCaseNo: "keyword1"}}
	r.clock.Add(mptest.CustomWindow + time.Minute)
	ctx := context.Background()
	answer := citizen
	answer.Purpose, answer.Key = "citizen_answer", "minsheng-42"
	for _, to := range []bot.Address{answer, citizen} {
		if _, err := r.p.Deliver(ctx, to, assigned()); err != nil {
			t.Fatalf("Deliver %s: %v", to.Purpose, err)
		}
	}
	sent := r.fake.SentTo(adOpenID)
	if len(sent) != 2 || sent[0].TemplateID != "TMPL_answer" || sent[1].TemplateID != adTemplate {
		t.Errorf("templates sent = %+v; want TMPL_answer then %s", sent, adTemplate)
	}
	delete(r.p.Templates, mp.DefaultTemplate)
	if _, err := r.p.Deliver(ctx, citizen, assigned()); !errors.Is(err, bot.ErrUndeliverable) {
		t.Errorf("Deliver without a template for the purpose: %v; want ErrUndeliverable", err)
	}
}

// TestDeliverTemplateRetryNotTwice: the answer to a template message is lost;
// the retry carries the same client_msg_id (the outbox key), so WeChat (the
// fake) sends the citizen one message.
func TestDeliverTemplateRetryNotTwice(t *testing.T) {
	r := newAdRig(t)
	r.clock.Add(mptest.CustomWindow + time.Minute)
	ctx := context.Background()
	if _, err := r.p.Deliver(ctx, citizen, assigned()); err != nil { // the token, and the 45015 of the text
		t.Fatalf("Deliver: %v", err)
	}
	other := citizen
	other.Key = "minsheng-43"
	lost := false
	r.setHook(func(w http.ResponseWriter, req *http.Request) bool {
		if req.URL.Path != "/cgi-bin/message/template/send" || lost {
			return false
		}
		lost = true
		r.fake.LoseReplyNext(1)
		r.fake.ServeHTTP(w, req) // sent, then the answer is lost
		return true
	})
	if _, err := r.p.Deliver(ctx, other, assigned()); err == nil {
		t.Fatal("Deliver with the answer lost succeeded; want an error")
	}
	if _, err := r.p.Deliver(ctx, other, assigned()); err != nil {
		t.Fatalf("Deliver again: %v", err)
	}
	if sent := r.fake.SentTo(adOpenID); len(sent) != 2 {
		t.Errorf("citizen got %d template messages; want 2 (one per outbox message)", len(sent))
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
		{"OutOfWindowNoTemplate", func(r *adRig) { late(r); r.p.Templates = nil }, citizen, assigned(), undeliverable},
		{"OutOfWindowTemplateRefused", func(r *adRig) {
			late(r)
			r.p.Templates = map[string]mp.Template{mp.DefaultTemplate: progressTemplate("TMPL_deleted")}
		}, citizen, assigned(), undeliverable},
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
