package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/bot/mp/mptest"
	"minsheng/bot/wecom"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// busyMorning opens and assigns n cases: dozens of messages to the
// dispatcher, the units' members, their groups and the citizens.
func (o *office) busyMorning(t *testing.T, n int) []string {
	t.Helper()
	var nos []string
	for i := 0; i < n; i++ {
		no := o.citizen(t, fmt.Sprintf("oCitizen%02d", i), fmt.Sprintf("第%d处路灯不亮，位于解放路%d号附近", i, i*10))
		if got := o.say(t, "dispatcher1", "交办 "+no+" cg 协办 zj"); !strings.Contains(got, "已将") {
			t.Fatalf("交办 %s → %q", no, got)
		}
		nos = append(nos, no)
	}
	return nos
}

// pending counts outbox rows not yet sent.
func pending(t *testing.T, s *models.Store) int64 {
	t.Helper()
	n, err := s.OutboxDepth(context.Background())
	modeltest.Must(t, err, "outbox depth")
	return n
}

// delivered checks that every outbox row was sent and the platforms got
// each message exactly once.
func (o *office) delivered(t *testing.T) {
	t.Helper()
	var rows []models.Outbox
	o.store.DB().Find(&rows)
	for _, r := range rows {
		if r.Status != models.OutboxSent {
			t.Errorf("outbox %d (%s to %s) is %s after %d attempts: %s", r.ID, r.Kind, r.Target, r.Status, r.Attempts, r.LastError)
		}
	}
	seen := map[string]int{}
	for _, m := range o.wc.AppMessages() {
		key := m.ToUser + "|" + m.TaskID + "|" + m.Text
		if seen[key]++; seen[key] > 1 {
			t.Errorf("WeCom delivered twice to %s: %.80s", m.ToUser, m.Text)
		}
	}
	for _, key := range []string{"key-cg", "key-zj"} {
		texts := map[string]int{}
		for _, m := range o.wc.GroupMessages(key) {
			if texts[m.Text]++; texts[m.Text] > 1 {
				t.Errorf("group %s got the same message twice: %.80s", key, m.Text)
			}
		}
	}
	got := map[string]int{}
	for _, m := range o.mpAPI.Sent() {
		if got[m.OpenID+m.Text]++; got[m.OpenID+m.Text] > 1 {
			t.Errorf("citizen got the same message twice: %.80s", m.Text)
		}
	}
}

// drain runs the delivery job, moving the clock past backoffs, until the
// outbox is empty or rounds run out.
func (o *office) drain(t *testing.T, rounds int) {
	t.Helper()
	for i := 0; i < rounds && pending(t, o.store) > 0; i++ {
		if _, _, _, err := o.deliver.RunOnce(context.Background()); err != nil {
			t.Fatalf("deliver: %v", err)
		}
		o.clock.Add(61 * time.Second)
	}
}

func TestDeliveryThroughFaults(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		o.busyMorning(t, 4)
		if pending(t, s) == 0 {
			t.Fatal("nothing queued")
		}
		// Token expiry mid-run, bursts of 45009, 5xx, slow answers that time
		// out: nothing is lost, nothing arrives twice.
		o.wc.FailNext(3)
		o.mpAPI.FailNext(2)
		o.deliver.RunOnce(context.Background())
		o.wc.ExpireTokens()
		o.mpAPI.ExpireTokens()
		o.wc.RateLimitNext(5)
		o.mpAPI.RateLimitNext(1)
		o.clock.Add(61 * time.Second)
		o.deliver.RunOnce(context.Background())
		o.wc.SetDelay(3 * time.Second) // the client gives up after 2
		o.clock.Add(61 * time.Second)
		o.deliver.RunOnce(context.Background())
		o.wc.SetDelay(0)
		o.drain(t, 30)
		if n := pending(t, s); n != 0 {
			t.Fatalf("%d messages still pending after the faults cleared", n)
		}
		o.delivered(t)
		if o.failed != nil {
			t.Errorf("%d messages failed for good; want all delivered", len(o.failed))
		}
		if n := len(o.appTo("cg-officer1")); n != 4 {
			t.Errorf("cg-officer1 got %d cards; want 4", n)
		}
	})
}

// The process dies after committing a change and before sending its
// messages, or after the platform accepted a message and before it was
// marked sent: after restart every message arrives, none twice.
func TestDeliveryAfterCrash(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		o.busyMorning(t, 2)
		// The dead instance claimed everything, sent some of it, marked nothing.
		claimed, err := s.ClaimOutbox(context.Background(), "dead", time.Minute, 100)
		modeltest.Must(t, err, "claim")
		rt := &jobs.Router{Bot: o.bot, Platforms: []bot.Platform{
			&wecom.Platform{Client: &wecom.Client{BaseURL: o.wcURL, CorpID: corpID, Secret: wcSecret, AgentID: wcAgentID, Now: o.clock.Now}},
		}}
		sender := rt.Senders()["wecom"]
		sentByDead := 0
		for _, r := range claimed {
			// App messages and cards: WeCom recognises the resend (duplicate
			// check, task ids). Group robots and the Official Account have no
			// such check; see the README on in-doubt sends.
			if r.Platform == "wecom" && strings.HasPrefix(r.Target, "member:") {
				if err := sender.Send(context.Background(), r); err != nil {
					t.Fatalf("dead instance send: %v", err)
				}
				sentByDead++
			}
		}
		if sentByDead == 0 {
			t.Fatal("the dead instance sent nothing; the test proves nothing")
		}
		// Before the lease ends nobody else may send.
		if sent, _, _, _ := o.deliver.RunOnce(context.Background()); sent != 0 {
			t.Errorf("sent %d messages under another instance's lease", sent)
		}
		o.clock.Add(2 * time.Minute)
		o.drain(t, 10)
		o.delivered(t)
	})
}

// Two server instances deliver from one database: each message once.
func TestDeliveryTwoInstances(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		o.busyMorning(t, 3)
		d := o.deliver
		second := &jobs.Deliverer{Store: d.Store, Senders: d.Senders, Owner: "second", Now: d.Now, Logger: d.Logger,
			Backoff: d.Backoff, Combine: d.Combine, OnFailed: d.OnFailed}
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < 5; i++ {
				second.RunOnce(context.Background())
			}
		}()
		for i := 0; i < 5; i++ {
			o.deliver.RunOnce(context.Background())
		}
		<-done
		o.drain(t, 5)
		o.delivered(t)
	})
}

// A busy group gets one combined message, not one per case.
func TestGroupMessagesCombined(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		nos := o.busyMorning(t, 5)
		o.drain(t, 5)
		msgs := o.wc.GroupMessages("key-cg")
		if len(msgs) != 1 {
			t.Fatalf("cg group got %d messages; want 1 combining the %d assignments", len(msgs), len(nos))
		}
		for _, no := range nos {
			if !strings.Contains(msgs[0].Text, no) {
				t.Errorf("combined message lacks %s", no)
			}
		}
	})
}

// Outside the 48-hour window the answer goes as a template message; with no
// template the dispatcher is asked to phone the citizen and the case says so.
func TestCitizenOutsideWindow(t *testing.T) {
	for _, withTemplate := range []bool{true, false} {
		t.Run(fmt.Sprintf("template=%v", withTemplate), func(t *testing.T) {
			s := modeltest.Open(t, "mysql")
			o := newOffice(t, s)
			if withTemplate {
				o.mpAPI.AddTemplate("tmpl-answer")
				o.setTemplate("tmpl-answer")
			}
			no := o.citizen(t, "oLate", "小区门口垃圾好几天没人清运了")
			o.say(t, "dispatcher1", "交办 "+no+" cg")
			o.say(t, "cg-officer1", "签收 "+no)
			o.say(t, "cg-officer1", "答复 "+no+" 经核查，垃圾已于今日清运完毕，并已增加清运频次。")
			o.drain(t, 3)
			o.clock.Add(49 * time.Hour)
			o.say(t, "cg-head", "同意 "+no)
			o.drain(t, 12)
			k, _ := s.CaseByNo(context.Background(), no)
			ev, _ := s.Events(context.Background(), k.ID)
			var kinds []string
			for _, e := range ev {
				kinds = append(kinds, string(e.Kind))
			}
			trail := strings.Join(kinds, ",")
			sent := o.mpAPI.SentTo("oLate")
			if withTemplate {
				last := sent[len(sent)-1]
				if last.Kind != mptest.KindTemplate || !strings.Contains(trail, "delivered") {
					t.Errorf("answer went as %s; trail %s; want a template message and a delivered event", last.Kind, trail)
				}
				return
			}
			if !strings.Contains(trail, "unreached") {
				t.Errorf("trail %s; want the case to show the citizen could not be reached", trail)
			}
			var asked bool
			for _, m := range o.appTo("dispatcher1") {
				if strings.Contains(string(mustJSON(m.Raw)), "请电话联系群众") {
					asked = true
					if strings.Contains(string(mustJSON(m.Raw)), "oLate") {
						t.Errorf("the phone-call card carries the openid")
					}
				}
			}
			if !asked {
				t.Error("the dispatcher was not asked to phone the citizen")
			}
		})
	}
}
