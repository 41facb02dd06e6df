package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/app/apptest"
	"minsheng/bot"
	"minsheng/bot/wecom/wecomtest"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The WeCom app of the desk's server (apptest.Config).
const (
	dCorpID  = apptest.CorpID
	dSecret  = apptest.WeComSecret
	dAgentID = apptest.AgentID
)

// desk is a deployment small enough for the jobs: the store, the bot, the
// WeCom fake behind the real adapter, the delivery job and the scheduler.
// Citizens' messages (Official Account) are accepted by a stub.
type desk struct {
	store   *models.Store
	clock   *modeltest.Clock
	bot     *bot.Bot
	wc      *wecomtest.FakeServer
	deliver *jobs.Deliverer
	sched   *jobs.Scheduler
	remind  *jobs.Deadlines

	seenGroup map[string]int
	seenApp   map[string]int
}

var deskSeq atomic.Int64

// acceptAll is the Official Account's side: every message arrives.
type acceptAll struct{}

func (acceptAll) Send(context.Context, models.Outbox) error { return nil }

// newDesk builds a desk on store s. wc, when not nil, is a WeCom fake shared
// with another desk (a second server instance on the same database).
func newDesk(t *testing.T, s *models.Store, clock *modeltest.Clock, wc *wecomtest.FakeServer, owner string) *desk {
	t.Helper()
	org := apptest.Small()
	if wc == nil {
		wc = wecomtest.NewFakeServer(dCorpID, dSecret, dAgentID)
		wc.Now = clock.Now
		for _, m := range org.Members {
			wc.AddUsers(m.UserID)
		}
		for _, k := range []string{"key-cg", "key-zj", "key-joint"} {
			wc.AddWebhook(k)
		}
	}
	srv := httptest.NewServer(wc)
	t.Cleanup(srv.Close)

	// The server as serve builds it, with the jobs' default ladder and
	// schedules; the Official Account's side is a stub that takes every
	// message, and each message goes out on its own (never combined), so
	// that the tests count what the ladder queued.
	cfg := apptest.Config(org, true)
	cfg.Intake.MaxCasesPerHour = 50
	a := apptest.New(t, s, cfg, clock, app.Bases{WeCom: srv.URL}, owner)
	a.Deliverer.Senders["mp"] = acceptAll{}
	a.Deliverer.Combine = nil
	a.Deliverer.Backoff = func(int) time.Duration { return time.Second }
	return &desk{
		store: s, clock: clock, bot: a.Bot, wc: wc, deliver: a.Deliverer, sched: a.Scheduler, remind: a.Work.Deadlines,
		seenGroup: map[string]int{}, seenApp: map[string]int{},
	}
}

// report has a citizen report text and returns the case number.
func (d *desk) report(t *testing.T, text string) string {
	t.Helper()
	n := deskSeq.Add(1)
	r, err := d.bot.HandleCitizen(context.Background(), bot.CitizenMessage{
		Platform: "mp", OpenID: fmt.Sprintf("oCitizen%04d", n), MsgID: 7000000 + n, MsgType: "text",
		CreateTime: d.clock.Now().Unix(), Content: text,
	})
	modeltest.Must(t, err, "report %q", text)
	if r.CaseNo == "" {
		t.Fatalf("report %q opened no case: %+v", text, r)
	}
	return r.CaseNo
}

// say runs a member's command and returns the reply.
func (d *desk) say(t *testing.T, user, text string) string {
	t.Helper()
	r, err := d.bot.HandleMember(context.Background(), bot.MemberMessage{
		Platform: "wecom", UserID: user, MsgID: fmt.Sprint(deskSeq.Add(1)), Text: text,
	})
	modeltest.Must(t, err, "%s says %q", user, text)
	return r.Text
}

// flush delivers until the outbox is empty.
func (d *desk) flush(t *testing.T) {
	t.Helper()
	for range 20 {
		sent, retried, _, err := d.deliver.RunOnce(context.Background())
		modeltest.Must(t, err, "deliver")
		if sent == 0 && retried == 0 {
			return
		}
	}
	t.Fatal("the outbox does not drain")
}

// at moves the clock to when, runs the remind job's occurrence there and
// delivers what it queued.
func (d *desk) at(t *testing.T, when time.Time) {
	t.Helper()
	d.clock.Set(when)
	ran, err := d.sched.RunOccurrence(context.Background(), jobs.JobRemind, when)
	modeltest.Must(t, err, "remind at %s", when)
	if !ran {
		t.Fatalf("remind at %s did not run", when)
	}
	d.flush(t)
}

// groupNews returns the messages group key received since the last call.
func (d *desk) groupNews(key string) []wecomtest.GroupMessage {
	all := d.wc.GroupMessages(key)
	out := all[d.seenGroup[key]:]
	d.seenGroup[key] = len(all)
	return out
}

// appNews returns the app messages user received since the last call.
func (d *desk) appNews(user string) []wecomtest.AppMessage {
	var all []wecomtest.AppMessage
	for _, m := range d.wc.AppMessages() {
		if m.ToUser == user {
			all = append(all, m)
		}
	}
	out := all[d.seenApp[user]:]
	d.seenApp[user] = len(all)
	return out
}

// quiet forgets every message received so far.
func (d *desk) quiet() {
	for _, k := range []string{"key-cg", "key-zj", "key-joint"} {
		d.groupNews(k)
	}
	for _, u := range []string{"dispatcher1", "cg-officer1", "cg-head", "zj-officer1", "zj-head", "leader1"} {
		d.appNews(u)
	}
}

// rawText is what a message says, whatever its shape.
func rawText(raw map[string]any) string {
	b, _ := json.Marshal(raw)
	return string(b)
}

func (d *desk) caseByNo(t *testing.T, no string) *models.Case {
	t.Helper()
	k, err := d.store.CaseByNo(context.Background(), no)
	modeltest.Must(t, err, "case %s", no)
	return k
}

func (d *desk) levels(t *testing.T, no string) []string {
	t.Helper()
	sups, err := d.store.Supervisions(context.Background(), d.caseByNo(t, no).ID)
	modeltest.Must(t, err, "supervisions of %s", no)
	var out []string
	for _, s := range sups {
		out = append(out, s.Level)
	}
	return out
}

func (d *desk) events(t *testing.T, no string, kind models.EventKind) []models.CaseEvent {
	t.Helper()
	ev, err := d.store.Events(context.Background(), d.caseByNo(t, no).ID)
	modeltest.Must(t, err, "events of %s", no)
	var out []models.CaseEvent
	for _, e := range ev {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

// assignAccepted opens a case, assigns it to cg and has cg accept it.
func (d *desk) assignAccepted(t *testing.T, text string) string {
	t.Helper()
	no := d.report(t, text)
	if r := d.say(t, "dispatcher1", "交办 "+no+" cg"); !strings.Contains(r, "已将") {
		t.Fatalf("交办 %s → %q", no, r)
	}
	if r := d.say(t, "cg-officer1", "签收 "+no); !strings.Contains(r, "已签收") {
		t.Fatalf("签收 %s → %q", no, r)
	}
	return no
}

// TestLadderWalk walks one case up the whole ladder as the clock moves
// across the National Day holiday, a weekend and the 调休 working Saturday
// 2026-10-10: assigned on 2026-09-22, its 7 working days end on Friday
// 10-09; the reminder comes the morning before, the head's 督办 at the
// deadline, the leader's on Saturday 10-10 (a working day), the joint
// meeting's on Tuesday 10-13 (three working days later: Sat, Mon, Tue).
func TestLadderWalk(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 9, 22, 10, 0))
		d := newDesk(t, s, clock, nil, "a")
		no := d.assignAccepted(t, "我叫王小明，电话13912345678。幸福小区东门的路灯坏了一周")
		d.flush(t)
		if got, want := d.caseByNo(t, no).DueAt.In(modeltest.Shanghai), modeltest.At(2026, 10, 9, 17, 30); !got.Equal(want) {
			t.Fatalf("deadline = %v; want %v (7 working days across 中秋 and 国庆)", got, want)
		}
		d.quiet()

		steps := []struct {
			name  string
			at    time.Time
			group int // new messages in the cg group
			head  int // new app messages to cg-head
			lead  int // to leader1
			joint int // in the joint-meeting group
			want  string
		}{
			{"holiday", modeltest.At(2026, 10, 7, 17, 0), 0, 0, 0, 0, ""},
			{"before office hours", modeltest.At(2026, 10, 8, 8, 45), 0, 0, 0, 0, ""},
			{"reminder the morning before", modeltest.At(2026, 10, 8, 9, 0), 1, 0, 0, 0, "到期提醒"},
			{"no second reminder", modeltest.At(2026, 10, 8, 9, 15), 0, 0, 0, 0, ""},
			{"just before the deadline", modeltest.At(2026, 10, 9, 17, 15), 0, 0, 0, 0, ""},
			{"督办 to the head at the deadline", modeltest.At(2026, 10, 9, 17, 30), 0, 1, 0, 0, "到期督办"},
			{"调休 Saturday morning", modeltest.At(2026, 10, 10, 9, 0), 0, 0, 0, 0, ""},
			{"leader on the 调休 Saturday", modeltest.At(2026, 10, 10, 17, 30), 0, 0, 1, 0, "超期督办"},
			{"Sunday", modeltest.At(2026, 10, 11, 17, 30), 0, 0, 0, 0, ""},
			{"Monday: two working days", modeltest.At(2026, 10, 12, 17, 30), 0, 0, 0, 0, ""},
			{"joint meeting three working days later", modeltest.At(2026, 10, 13, 17, 30), 0, 0, 0, 1, "超期通报"},
			{"nothing after the top", modeltest.At(2026, 10, 14, 17, 30), 0, 0, 0, 0, ""},
		}
		for _, st := range steps {
			d.at(t, st.at)
			group, head, lead, joint := d.groupNews("key-cg"), d.appNews("cg-head"), d.appNews("leader1"), d.groupNews("key-joint")
			if len(group) != st.group || len(head) != st.head || len(lead) != st.lead || len(joint) != st.joint {
				t.Fatalf("%s (%s): group %d, head %d, leader %d, joint %d; want %d, %d, %d, %d",
					st.name, st.at.Format("01-02 15:04"), len(group), len(head), len(lead), len(joint), st.group, st.head, st.lead, st.joint)
			}
			if st.want == "" {
				continue
			}
			var got string
			for _, m := range group {
				got += m.Text
			}
			for _, m := range append(head, lead...) {
				got += rawText(m.Raw)
			}
			for _, m := range joint {
				got += m.Text
			}
			if !strings.Contains(got, st.want) || !strings.Contains(got, no) {
				t.Errorf("%s: message %q lacks %q or %s", st.name, got, st.want, no)
			}
			for _, secret := range []string{"王小明", "13912345678", "oCitizen"} {
				if strings.Contains(got, secret) {
					t.Errorf("%s: message reveals the reporter (%s): %s", st.name, secret, got)
				}
			}
		}
		if got, want := strings.Join(d.levels(t, no), ","), "remind,overdue,leader,joint"; got != want {
			t.Errorf("督办 records = %s; want %s", got, want)
		}
		if n := len(d.events(t, no, models.EventSupervise)); n != 4 {
			t.Errorf("督办 events = %d; want 4, one per step", n)
		}
		// Nobody else was told: not the other unit, not the officer (the
		// reminder went to the group), not the dispatcher.
		for _, u := range []string{"zj-head", "zj-officer1", "cg-officer1", "dispatcher1"} {
			if got := d.appNews(u); len(got) != 0 {
				t.Errorf("%s got %d messages; want none", u, len(got))
			}
		}
		if got := d.groupNews("key-zj"); len(got) != 0 {
			t.Errorf("zj group got %d messages; want none", len(got))
		}
	})
}

// TestCombinedPerRecipient: several cases coming due for one group in one
// run make one message listing them all, and each group gets its own.
func TestCombinedPerRecipient(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0)) // Monday
		d := newDesk(t, s, clock, nil, "a")
		var cg []string
		for _, text := range []string{"幸福小区东门路灯不亮", "人民路井盖松动", "公园路灯白天也亮着"} {
			cg = append(cg, d.assignAccepted(t, text))
		}
		zj := d.report(t, "小区物业不管电梯故障")
		d.say(t, "dispatcher1", "交办 "+zj+" zj")
		d.say(t, "zj-officer1", "签收 "+zj)
		d.flush(t)
		d.quiet()

		// 7 working days from Monday 11-23: Wednesday 12-02 17:30; the
		// reminder comes on Tuesday 12-01 at 09:00.
		d.at(t, modeltest.At(2026, 12, 1, 9, 0))
		group := d.groupNews("key-cg")
		if len(group) != 1 {
			t.Fatalf("cg group got %d messages; want one combined reminder", len(group))
		}
		for _, no := range cg {
			if !strings.Contains(group[0].Text, no) {
				t.Errorf("combined reminder lacks %s: %s", no, group[0].Text)
			}
		}
		if !strings.Contains(group[0].Text, "3件") || strings.Contains(group[0].Text, zj) {
			t.Errorf("cg reminder = %q; want its 3 cases and not zj's", group[0].Text)
		}
		if got := d.groupNews("key-zj"); len(got) != 1 || !strings.Contains(got[0].Text, zj) {
			t.Errorf("zj group got %+v; want one reminder for %s", got, zj)
		}

		d.at(t, modeltest.At(2026, 12, 2, 17, 30))
		head := d.appNews("cg-head")
		if len(head) != 1 {
			t.Fatalf("cg head got %d messages at the deadline; want one combined 督办", len(head))
		}
		for _, no := range cg {
			if !strings.Contains(rawText(head[0].Raw), no) {
				t.Errorf("combined 督办 lacks %s", no)
			}
		}
		// One leader message for both units' cases, a day later.
		d.at(t, modeltest.At(2026, 12, 3, 17, 30))
		if got := d.appNews("leader1"); len(got) != 1 || !strings.Contains(rawText(got[0].Raw), zj) || !strings.Contains(rawText(got[0].Raw), cg[2]) {
			t.Errorf("leader got %d messages; want one listing all four cases", len(got))
		}
	})
}

// TestTwoInstancesOneMessage: two server instances (two stores on one
// database) run the same occurrence at once; one runs it, one message goes out.
func TestTwoInstancesOneMessage(t *testing.T) {
	for _, driver := range modeltest.Drivers {
		t.Run(driver, func(t *testing.T) {
			drv, dsn := modeltest.DSN(t, driver)
			open := func() *models.Store {
				s, err := models.Open(drv, dsn, modeltest.Shanghai)
				modeltest.Must(t, err, "open store")
				modeltest.Cap(s)
				t.Cleanup(func() { s.Close() })
				return s
			}
			s1, s2 := open(), open()
			modeltest.Must(t, s1.Migrate(context.Background()), "migrate")
			clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0))
			a := newDesk(t, s1, clock, nil, "instance-a")
			b := newDesk(t, s2, clock, a.wc, "instance-b")
			no := a.assignAccepted(t, "幸福小区东门路灯不亮")
			a.flush(t)
			a.quiet()

			at := modeltest.At(2026, 12, 1, 9, 0)
			clock.Set(at)
			type result struct {
				ran bool
				err error
			}
			results := make(chan result, 2)
			for _, d := range []*desk{a, b} {
				go func() {
					ran, err := d.sched.RunOccurrence(context.Background(), jobs.JobRemind, at)
					results <- result{ran, err}
				}()
			}
			ran := 0
			for range 2 {
				r := <-results
				modeltest.Must(t, r.err, "run occurrence")
				if r.ran {
					ran++
				}
			}
			if ran != 1 {
				t.Errorf("the occurrence ran on %d instances; want 1", ran)
			}
			a.flush(t)
			b.flush(t)
			if got := a.groupNews("key-cg"); len(got) != 1 || !strings.Contains(got[0].Text, no) {
				t.Errorf("cg group got %d messages; want one reminder", len(got))
			}
			runs, err := s1.JobRuns(context.Background(), jobs.JobRemind, 10)
			modeltest.Must(t, err, "job runs")
			if len(runs) != 1 || runs[0].Occurrence != "2026-12-01T09:00" || runs[0].Status != models.JobOK || runs[0].EndedAt == nil {
				t.Errorf("job runs = %+v; want one finished run of 2026-12-01T09:00", runs)
			}
		})
	}
}

// TestRerunSendsNothingTwice: the same occurrence again, a manual run and
// the job body called twice for the same now queue nothing new.
func TestRerunSendsNothingTwice(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0))
		d := newDesk(t, s, clock, nil, "a")
		no := d.assignAccepted(t, "幸福小区东门路灯不亮")
		d.flush(t)
		k := d.caseByNo(t, no)
		before, err := s.OutboxByCase(ctx, k.ID)
		modeltest.Must(t, err, "outbox")

		at := modeltest.At(2026, 12, 2, 17, 30) // the deadline
		d.at(t, at)
		chased, err := s.OutboxByCase(ctx, k.ID)
		modeltest.Must(t, err, "outbox")
		// The first run is at the deadline: the 督办 to the head, no
		// reminder any more.
		if got := len(chased) - len(before); got != 1 {
			t.Fatalf("first run queued %d messages for the case; want 1 (督办)", got)
		}

		if ran, err := d.sched.RunOccurrence(ctx, jobs.JobRemind, at); err != nil || ran {
			t.Errorf("same occurrence again: ran %v, %v; want skipped", ran, err)
		}
		r, err := d.sched.RunNow(ctx, jobs.JobRemind)
		modeltest.Must(t, err, "run-job remind")
		if !strings.HasPrefix(r.Occurrence, jobs.ManualPrefix) || r.Status != models.JobOK {
			t.Errorf("manual run = %+v; want a manual@ occurrence that succeeded", r)
		}
		modeltest.Must(t, d.remind.Run(ctx, at), "job body again")
		modeltest.Must(t, d.remind.Run(ctx, at), "job body once more")
		after, err := s.OutboxByCase(ctx, k.ID)
		modeltest.Must(t, err, "outbox")
		if len(after) != len(chased) {
			t.Errorf("reruns queued %d more messages; want none", len(after)-len(chased))
		}
		if got := strings.Join(d.levels(t, no), ","); got != "overdue" {
			t.Errorf("督办 records = %s; want overdue once", got)
		}
	})
}

// TestUnacceptedChasedThenReturned: an assignment not accepted within one
// working day is chased in the unit's group and to its members; one more
// working day and it goes back to the dispatcher, the case to triage. A unit
// that accepts after the chase keeps its case.
func TestUnacceptedChasedThenReturned(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0)) // Monday
		d := newDesk(t, s, clock, nil, "a")
		idle := d.report(t, "人民路井盖松动，车辆经过响声很大")
		d.say(t, "dispatcher1", "交办 "+idle+" cg")
		late := d.report(t, "公园路灯白天也亮着，浪费电")
		d.say(t, "dispatcher1", "交办 "+late+" cg")
		d.flush(t)
		d.quiet()

		// 1 working day: chased at the end of Tuesday.
		d.at(t, modeltest.At(2026, 11, 24, 17, 15))
		if got := d.groupNews("key-cg"); len(got) != 0 {
			t.Fatalf("chased before time: %+v", got)
		}
		d.at(t, modeltest.At(2026, 11, 24, 17, 30))
		group := d.groupNews("key-cg")
		if len(group) != 1 || !strings.Contains(group[0].Text, "催办签收") || !strings.Contains(group[0].Text, idle) || !strings.Contains(group[0].Text, late) {
			t.Fatalf("cg group got %+v; want one 催办签收 listing both cases", group)
		}
		for _, u := range []string{"cg-officer1", "cg-head"} {
			if got := d.appNews(u); len(got) != 1 || !strings.Contains(rawText(got[0].Raw), "签收") {
				t.Errorf("%s got %d messages; want one chase", u, len(got))
			}
		}
		for _, no := range []string{idle, late} {
			if got := strings.Join(d.levels(t, no), ","); got != models.LevelAccept {
				t.Errorf("%s 督办 records = %s; want accept", no, got)
			}
		}

		clock.Set(modeltest.At(2026, 11, 25, 9, 0))
		d.say(t, "cg-officer1", "签收 "+late)
		d.flush(t)
		d.quiet()

		// One more working day: the idle one goes back.
		d.at(t, modeltest.At(2026, 11, 25, 17, 30))
		k := d.caseByNo(t, idle)
		if k.Status != models.StatusReceived || k.LeadDeptID != nil || k.DueAt != nil {
			t.Errorf("returned case = %s, lead %v, due %v; want received with no unit or deadline", k.Status, k.LeadDeptID, k.DueAt)
		}
		if ev := d.events(t, idle, models.EventReturned); len(ev) != 1 || ev[0].ActorKind != models.ActorSystem || !strings.Contains(ev[0].Body, "未签收") {
			t.Errorf("return events = %+v; want one by the system", ev)
		}
		disp := d.appNews("dispatcher1")
		if len(disp) != 1 || !strings.Contains(rawText(disp[0].Raw), idle) || !strings.Contains(rawText(disp[0].Raw), "重新交办") {
			t.Errorf("dispatcher got %d messages; want one asking to reassign %s", len(disp), idle)
		}
		if got := d.groupNews("key-cg"); len(got) != 1 || !strings.Contains(got[0].Text, "已退回") {
			t.Errorf("cg group got %+v; want word that the assignment was withdrawn", got)
		}
		if k := d.caseByNo(t, late); k.Status != models.StatusHandling {
			t.Errorf("accepted case = %s; want handling", k.Status)
		}
		if r := d.say(t, "cg-officer1", "签收 "+idle); !strings.Contains(r, "未交办给您的单位") {
			t.Errorf("签收 after the return → %q; want a refusal", r)
		}
		// And it can be assigned afresh.
		if r := d.say(t, "dispatcher1", "交办 "+idle+" zj"); !strings.Contains(r, "已将") {
			t.Errorf("reassign → %q", r)
		}
	})
}

// TestCalendarWarning: from 1 November the dispatcher hears once a day that
// next year's holiday notice is missing; in a year without data, all year.
func TestCalendarWarning(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 10, 31, 9, 0))
		d := newDesk(t, s, clock, nil, "a")
		run := func(at time.Time) []wecomtest.AppMessage {
			t.Helper()
			clock.Set(at)
			_, err := d.sched.RunNow(ctx, jobs.JobCalendar)
			modeltest.Must(t, err, "calendar job")
			d.flush(t)
			return d.appNews("dispatcher1")
		}
		cases := []struct {
			at   time.Time
			want string // "" for no card
		}{
			{modeltest.At(2026, 10, 31, 9, 0), ""},
			{modeltest.At(2026, 11, 1, 9, 0), "2027"},
			{modeltest.At(2026, 11, 1, 15, 0), ""}, // once a day
			{modeltest.At(2026, 11, 2, 9, 0), "2027"},
			{modeltest.At(2027, 3, 1, 9, 0), "2027"}, // the current year has no data
		}
		for _, c := range cases {
			got := run(c.at)
			if c.want == "" {
				if len(got) != 0 {
					t.Errorf("%s: dispatcher got %d cards; want none", c.at.Format("2006-01-02 15:04"), len(got))
				}
				continue
			}
			if len(got) != 1 || !strings.Contains(rawText(got[0].Raw), c.want) || !strings.Contains(rawText(got[0].Raw), "calendar.years") {
				t.Errorf("%s: dispatcher got %d cards; want one naming %s and calendar.years", c.at.Format("2006-01-02 15:04"), len(got), c.want)
			}
			if strings.Contains(rawText(got[0].Raw), "2028") {
				t.Errorf("%s: card names 2028 before its November", c.at.Format("2006-01-02"))
			}
		}
	})
}

// TestAssignSetsCaseType: the dispatcher may set the case type at 交办;
// the deadline follows it and is on the record as a deadline event.
func TestAssignSetsCaseType(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 2, 13, 10, 0)) // Friday before the Spring Festival
		d := newDesk(t, s, clock, nil, "a")
		cases := []struct {
			name, args string
			kind       string
			due        time.Time
		}{
			// 7 working days: Sat 02-14 (调休), 02-24..02-27 after 春节, Sat 02-28 (调休), Mon 03-02.
			{"default", "cg", "一般", modeltest.At(2026, 3, 2, 17, 30)},
			{"simple in hours", "cg 即办", "即办", modeltest.At(2026, 2, 13, 22, 0)}, // 12 calendar hours
			{"several units default to complex", "cg 协办 zj", "复杂", modeltest.At(2026, 3, 12, 17, 30)},
			{"several units, general by choice", "cg 协办 zj 一般", "一般", modeltest.At(2026, 3, 2, 17, 30)},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				no := d.report(t, "幸福小区东门路灯不亮，已经一周了")
				if r := d.say(t, "dispatcher1", "交办 "+no+" "+c.args); !strings.Contains(r, "已将") {
					t.Fatalf("交办 → %q", r)
				}
				k := d.caseByNo(t, no)
				if k.Kind != c.kind {
					t.Errorf("kind = %s; want %s", k.Kind, c.kind)
				}
				if !k.DueAt.Equal(c.due) {
					t.Errorf("deadline = %s; want %s", k.DueAt.In(modeltest.Shanghai), c.due)
				}
				ev := d.events(t, no, models.EventDeadline)
				if len(ev) != 1 || !strings.Contains(ev[0].Body, c.kind) {
					t.Errorf("deadline events = %+v; want one naming %s", ev, c.kind)
				}
			})
		}
	})
}

// TestAcceptChaseCard: a member chased about one assignment gets a card
// whose 签收 button accepts it.
func TestAcceptChaseCard(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0))
		d := newDesk(t, s, clock, nil, "a")
		no := d.report(t, "人民路井盖松动，车辆经过响声很大")
		d.say(t, "dispatcher1", "交办 "+no+" cg")
		d.flush(t)
		d.quiet()
		d.at(t, modeltest.At(2026, 11, 24, 17, 30))
		var cards []wecomtest.AppMessage
		for _, u := range []string{"cg-officer1", "cg-head"} {
			got := d.appNews(u)
			if len(got) != 1 || got[0].MsgType != "template_card" || !strings.Contains(rawText(got[0].Raw), "签收:"+no) {
				t.Fatalf("%s got %+v; want one card with the 签收 button", u, got)
			}
			cards = append(cards, got[0])
		}
		if cards[0].TaskID == cards[1].TaskID {
			t.Errorf("both cards have task id %s; want one each", cards[0].TaskID)
		}
		r, err := d.bot.HandleMember(context.Background(), bot.MemberMessage{
			Platform: "wecom", UserID: "cg-head", EventKey: "签收:" + no, TaskID: cards[1].TaskID,
		})
		modeltest.Must(t, err, "click 签收")
		if r.Button != "已签收" {
			t.Errorf("button = %q; want 已签收", r.Button)
		}
		// Accepted: no return the next working day.
		d.at(t, modeltest.At(2026, 11, 25, 17, 30))
		if k := d.caseByNo(t, no); k.Status != models.StatusHandling {
			t.Errorf("case = %s; want handling", k.Status)
		}
		if got := d.appNews("dispatcher1"); len(got) != 0 {
			t.Errorf("dispatcher got %d messages; want none", len(got))
		}
	})
}
