package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"minsheng/app"
	"minsheng/app/apptest"
	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
	"minsheng/bot/wecom"
	"minsheng/bot/wecom/wecomtest"
	"minsheng/config"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// TestTwoInstancesOneDatabase runs two servers as a deployment behind a
// reverse proxy does: built from one configuration, each with its own
// listener, store (pool) and owner, on one database, with the platforms
// faked. They start together on an empty database (both migrate and write
// the organisation at once). Citizens write to one or the other, and a
// quarter of the messages reach both, as WeChat's retries do; the
// dispatcher and the officers answer through either. Then the clock walks
// over two weeks and both schedulers fire every job occurrence, instance b's
// clock two seconds behind a's, as cron fires it on each. The test checks
// what the design promises:
//   - each citizen message made one case, a retry answered with the same
//     number on either instance;
//   - each job occurrence ran on exactly one instance, once (job_runs);
//   - every message reached its platform once: nothing arrived twice at
//     WeCom or the Official Account, though both deliverers ran all along;
//   - the instances shared the platforms' access tokens without one
//     invalidating the other's (one WeCom token; the Official Account's
//     stable_token, never the token API whose refresh ends the old token).
func TestTwoInstancesOneDatabase(t *testing.T) {
	for _, d := range modeltest.Drivers {
		t.Run(d, func(t *testing.T) { twoInstances(t, d) })
	}
}

// skewed is an instance's clock: the test's clock plus a fixed offset.
type skewed struct {
	base *modeltest.Clock
	off  time.Duration
}

func (s skewed) Now() time.Time { return s.base.Now().Add(s.off) }

// instance is one running server of the test.
type instance struct {
	name   string
	app    *app.App
	store  *models.Store
	mp     *mp.Driver
	wecom  *wecom.Driver
	cancel context.CancelFunc
	done   chan error
}

// firing is one occurrence the test fired on both instances.
type firing struct {
	job, occurrence string
}

func twoInstances(t *testing.T, driver string) {
	ctx := context.Background()
	drv, dsn := modeltest.DSN(t, driver)
	clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 10, 0)) // a Monday

	org := apptest.Small()
	wc := wecomtest.NewFakeServer(apptest.CorpID, apptest.WeComSecret, apptest.AgentID)
	wc.Now = clock.Now
	for _, m := range org.Members {
		wc.AddUsers(m.UserID)
	}
	for _, k := range []string{"key-cg", "key-zj", "key-joint"} {
		wc.AddWebhook(k)
	}
	wcSrv := httptest.NewServer(wc)
	t.Cleanup(wcSrv.Close)
	mpAPI := mptest.NewFakeAPI(apptest.MPAppID, apptest.MPSecret)
	mpAPI.Now = clock.Now
	mpSrv := httptest.NewServer(mpAPI)
	t.Cleanup(mpSrv.Close)

	// One configuration for both, as the deployment ships it; cron stays
	// off (enabled: false), because it fires on the machine's clock: the
	// test fires each occurrence on both instances where cron would.
	cfg := apptest.Config(org, true)
	cfg.Intake.MaxCasesPerHour = 50
	cfg.Reports.Dir = t.TempDir()
	off := false
	cfg.Jobs = map[string]config.Job{}
	for _, n := range jobs.Table {
		cfg.Jobs[n.Name] = config.Job{Enabled: &off}
	}

	// Both start at once on the empty database: each migrates and writes
	// the organisation. SQLite is one server's file: there the second
	// starts after the first.
	insts := []*instance{{name: "instance-a"}, {name: "instance-b"}}
	clocks := []skewed{{clock, 0}, {clock, -2 * time.Second}}
	var wg sync.WaitGroup
	errs := make([]error, len(insts))
	for i, in := range insts {
		s, err := models.Open(drv, dsn, modeltest.Shanghai)
		modeltest.Must(t, err, "open store %s", in.name)
		modeltest.Cap(s)
		t.Cleanup(func() { s.Close() })
		in.store = s
		start := func() {
			if err := s.Migrate(ctx); err != nil {
				errs[i] = fmt.Errorf("migrate: %w", err)
				return
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				errs[i] = err
				return
			}
			in.app, errs[i] = app.New(ctx, cfg, app.WithStore(s), app.WithListener(ln), app.WithClock(clocks[i].Now),
				app.WithBases(app.Bases{MP: mpSrv.URL, WeCom: wcSrv.URL}), app.WithOwner(in.name), app.WithLogger(quiet))
			if errs[i] != nil {
				ln.Close()
			}
		}
		if driver == "sqlite" {
			start()
		} else {
			wg.Go(start)
		}
	}
	wg.Wait()
	for i, err := range errs {
		modeltest.Must(t, err, "start %s", insts[i].name)
	}
	for i, in := range insts {
		runCtx, cancel := context.WithCancel(ctx)
		in.cancel, in.done = cancel, make(chan error, 1)
		go func() { in.done <- in.app.Run(runCtx) }()
		t.Cleanup(func() {
			cancel()
			select {
			case <-in.done:
			case <-time.After(15 * time.Second):
				t.Errorf("%s: Run did not return", in.name)
			}
		})
		base := "http://" + in.app.Addr()
		in.mp = &mp.Driver{URL: base + "/callback/mp", AppID: apptest.MPAppID, Token: apptest.MPToken,
			EncodingAESKey: apptest.MPAESKey, Safe: true, Now: clocks[i].Now}
		in.wecom = &wecom.Driver{URL: base + "/callback/wecom", CorpID: apptest.CorpID, AgentID: fmt.Sprint(apptest.AgentID),
			Token: apptest.WeComToken, EncodingAESKey: apptest.WeComAESKey, Now: clocks[i].Now}
	}

	// Citizens write, alternately to each instance; every fourth message
	// reaches both at once.
	const reports = 16
	type report struct {
		msg  mp.Message
		unit string
		nos  []string
	}
	var rs []*report
	for i := range reports {
		unit, text := "cg", fmt.Sprintf("解放路%d号门口的路灯坏了%d天，晚上很黑", i+1, i+2)
		if i%2 == 1 {
			unit, text = "zj", fmt.Sprintf("幸福小区%d栋的物业不修电梯，已经停了%d天", i+1, i+2)
		}
		openid := fmt.Sprintf("oCitizen%04d", i)
		mpAPI.Touch(openid, clock.Now())
		rs = append(rs, &report{unit: unit, msg: mp.Message{
			FromUser: openid, ToUser: "gh_account", MsgType: "text", Content: text,
			MsgID: 880000 + int64(i), CreateTime: clock.Now().Unix(),
		}})
	}
	var mu sync.Mutex
	for i, r := range rs {
		to := []*instance{insts[i%2]}
		if i%4 == 0 {
			to = append(to, insts[(i+1)%2])
		}
		for _, in := range to {
			wg.Go(func() {
				reply, err := in.mp.Send(ctx, r.msg)
				if err != nil {
					t.Errorf("message %d to %s: %v", i, in.name, err)
					return
				}
				no := ackNo(reply.Content)
				if reply.Status != http.StatusOK || no == "" {
					t.Errorf("message %d to %s: %d %q; want 200 and a case number", i, in.name, reply.Status, reply.Content)
					return
				}
				mu.Lock()
				r.nos = append(r.nos, no)
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	seen := map[string]int{}
	for i, r := range rs {
		for _, no := range r.nos[1:] {
			if no != r.nos[0] {
				t.Errorf("message %d was answered %v by the two instances; want one case number", i, r.nos)
			}
		}
		if j, dup := seen[r.nos[0]]; dup {
			t.Errorf("messages %d and %d share the case %s", j, i, r.nos[0])
		}
		seen[r.nos[0]] = i
	}
	if n, err := insts[1].store.CountCases(ctx); err != nil || n != reports {
		t.Errorf("cases = %d, %v; want %d, one per message", n, err, reports)
	}
	drain(t, insts, clock.Now())

	// The dispatcher assigns every case and the officers accept half of
	// each unit's, through either instance; every third command reaches
	// both. The cases not accepted are chased, then returned.
	officer := map[string]string{"cg": "cg-officer1", "zj": "zj-officer1"}
	cmd := int64(990000)
	say := func(i int, user, text, want string) {
		cmd++
		to := []*instance{insts[i%2]}
		if i%3 == 0 {
			to = append(to, insts[(i+1)%2])
		}
		for _, in := range to {
			wg.Go(func() {
				reply, err := in.wecom.SendText(ctx, user, text, cmd)
				if err != nil || !strings.Contains(reply.Content, want) {
					t.Errorf("%s says %q to %s: %+v, %v; want %q", user, text, in.name, reply, err, want)
				}
			})
		}
		wg.Wait()
	}
	for i, r := range rs {
		say(i, "dispatcher1", "交办 "+r.nos[0]+" "+r.unit, "已将")
		if i%4 < 2 {
			say(i+1, officer[r.unit], "签收 "+r.nos[0], "已签收")
		}
	}
	drain(t, insts, clock.Now())

	// Two weeks of jobs: at each time the clock stands still while both
	// instances fire what cron would fire there.
	steps := []struct {
		at   time.Time
		jobs []string
	}{
		{modeltest.At(2026, 11, 23, 10, 15), []string{jobs.JobRemind, jobs.JobSeriousChase}},
		{modeltest.At(2026, 11, 24, 9, 0), []string{jobs.JobRemind, jobs.JobCalendar}},
		{modeltest.At(2026, 11, 24, 10, 15), []string{jobs.JobRemind, jobs.JobSeriousChase}},
		{modeltest.At(2026, 11, 25, 10, 15), []string{jobs.JobRemind}},
		{modeltest.At(2026, 11, 30, 9, 0), []string{jobs.JobRemind, jobs.JobWeeklySummary, jobs.JobCalendar}},
		{modeltest.At(2026, 12, 1, 8, 0), []string{jobs.JobMonthlyReport}},
		{modeltest.At(2026, 12, 1, 9, 0), []string{jobs.JobRemind, jobs.JobCalendar}},
		{modeltest.At(2026, 12, 1, 17, 30), []string{jobs.JobRemind, jobs.JobFeedbackDigest}},
		{modeltest.At(2026, 12, 2, 17, 30), []string{jobs.JobRemind}},
		{modeltest.At(2026, 12, 3, 17, 30), []string{jobs.JobRemind}},
	}
	var fired []firing
	for _, st := range steps {
		clock.Set(st.at)
		for _, job := range st.jobs {
			type result struct {
				ran bool
				occ string
				err error
			}
			results := make([]result, len(insts))
			for i, in := range insts {
				wg.Go(func() {
					var r result
					r.ran, r.occ, r.err = in.app.Scheduler.Tick(ctx, job)
					results[i] = r
				})
			}
			wg.Wait()
			ran := 0
			for i, r := range results {
				modeltest.Must(t, r.err, "%s fires %s at %s", insts[i].name, job, st.at.Format("01-02 15:04"))
				if r.occ != jobs.Occurrence(st.at, modeltest.Shanghai) {
					t.Errorf("%s fired %s at %s as occurrence %s", insts[i].name, job, st.at.Format("01-02 15:04:05"), r.occ)
				}
				if r.ran {
					ran++
				}
			}
			if ran != 1 {
				t.Errorf("%s at %s ran on %d instances; want 1", job, st.at.Format("01-02 15:04"), ran)
			}
			fired = append(fired, firing{job, jobs.Occurrence(st.at, modeltest.Shanghai)})
		}
		drain(t, insts, clock.Now())
	}

	// job_runs: each fired occurrence once, finished, by one of the two.
	var runs []models.JobRun
	modeltest.Must(t, insts[0].store.DB().Order("id").Find(&runs).Error, "job runs")
	got := map[firing]int{}
	owners := map[string]int{}
	for _, r := range runs {
		got[firing{r.Job, r.Occurrence}]++
		owners[r.Owner]++
		if r.Status != models.JobOK || r.EndedAt == nil {
			t.Errorf("run %s@%s on %s: %s %q; want ok and finished", r.Job, r.Occurrence, r.Owner, r.Status, r.Error)
		}
		if r.Owner != "instance-a" && r.Owner != "instance-b" {
			t.Errorf("run %s@%s owned by %q", r.Job, r.Occurrence, r.Owner)
		}
	}
	for _, f := range fired {
		if got[f] != 1 {
			t.Errorf("%s@%s has %d job_runs rows; want 1", f.job, f.occurrence, got[f])
		}
	}
	if len(runs) != len(fired) {
		t.Errorf("job_runs has %d rows; want %d, one per occurrence fired", len(runs), len(fired))
	}
	t.Logf("%d occurrences fired on both instances; ran on %v", len(fired), owners)

	// What the jobs sent arrived, once. The weekly summary reached the
	// joint meeting, the 月报 the dispatcher, the ladder the units' groups
	// and heads.
	groups := map[string][]wecomtest.GroupMessage{}
	for _, k := range []string{"key-cg", "key-zj", "key-joint"} {
		groups[k] = wc.GroupMessages(k)
	}
	if n := count(groups["key-joint"], func(m wecomtest.GroupMessage) bool { return strings.Contains(m.Text+rawJSON(m.Raw), "周") }); n == 0 {
		t.Errorf("the joint meeting got no weekly summary: %+v", groups["key-joint"])
	}
	var files, reminders, supervisions int
	for _, m := range wc.AppMessages() {
		if m.MsgType == "file" && m.ToUser == "dispatcher1" {
			files++
		}
		if strings.Contains(rawJSON(m.Raw), "到期督办") {
			supervisions++
		}
	}
	for _, k := range []string{"key-cg", "key-zj"} {
		reminders += count(groups[k], func(m wecomtest.GroupMessage) bool { return strings.Contains(m.Text, "到期提醒") })
	}
	if files != 1 {
		t.Errorf("the dispatcher got %d 月报 files; want 1", files)
	}
	if reminders != 2 || supervisions == 0 {
		t.Errorf("the ladder sent %d reminders to the groups and %d 督办; want one reminder per unit and 督办", reminders, supervisions)
	}
	// Every case's card reached the dispatcher once. A card is known by
	// its title: the cards of later reports of the same road list the
	// earlier numbers as similar cases (相似件).
	for _, r := range rs {
		cards := 0
		for _, m := range wc.AppMessages() {
			if m.ToUser == "dispatcher1" && m.MsgType == "template_card" && strings.Contains(rawJSON(m.Raw), "新问题 "+r.nos[0]) {
				cards++
			}
		}
		if cards != 1 {
			t.Errorf("the dispatcher got %d cards for %s; want 1", cards, r.nos[0])
		}
	}
	// Nothing arrived twice anywhere. The clock stands still while a
	// step's messages go out, so a message sent twice by the two
	// deliverers carries the same time; the same words on another day
	// (the calendar's daily warning) are another message.
	dups := map[string]int{}
	for _, m := range wc.AppMessages() {
		dups[fmt.Sprintf("%s wecom app %s %s", m.At.Format(time.DateTime), m.ToUser, rawJSON(withoutIDs(m.Raw)))]++
	}
	for k, ms := range groups {
		for _, m := range ms {
			dups[fmt.Sprintf("%s wecom group %s %s", m.At.Format(time.DateTime), k, rawJSON(m.Raw))]++
		}
	}
	for _, m := range mpAPI.Sent() {
		dups[fmt.Sprintf("%s mp %s %s %s %v", m.At.Format(time.DateTime), m.OpenID, m.Kind, m.Text, m.Data)]++
	}
	var twice []string
	for k, n := range dups {
		if n > 1 {
			twice = append(twice, fmt.Sprintf("%d× %.200s", n, k))
		}
	}
	sort.Strings(twice)
	for _, m := range twice {
		t.Errorf("sent more than once: %s", m)
	}
	t.Logf("delivered: %d WeCom app messages, %d group messages, %d to citizens", len(wc.AppMessages()),
		len(groups["key-cg"])+len(groups["key-zj"])+len(groups["key-joint"]), len(mpAPI.Sent()))

	// The access tokens: each instance keeps its own, and no call of
	// either was refused for its token: WeCom's gettoken and the Official
	// Account's stable_token (normal mode) hand every caller the token in
	// force; the Official Account's /cgi-bin/token, whose every call ends
	// the token before it, was never called.
	if n, m := wc.TokenRefusals(), mpAPI.TokenRefusals(); n != 0 || m != 0 {
		t.Errorf("calls refused for their access token: %d by WeCom, %d by the Official Account; want none", n, m)
	}
	if n := mpAPI.Calls("/cgi-bin/token"); n != 0 {
		t.Errorf("the Official Account's /cgi-bin/token was called %d times; its refresh ends the other instance's token", n)
	}
	if n := mpAPI.Calls("/cgi-bin/stable_token"); n == 0 || len(mpAPI.Sent()) == 0 {
		t.Errorf("stable_token called %d times for %d messages to citizens; want both", n, len(mpAPI.Sent()))
	}
}

// drain wakes both deliverers and waits until nothing due at now is left
// to send (a message waiting to be tried again later waits for a later
// step: the clock stands still meanwhile).
func drain(t *testing.T, insts []*instance, now time.Time) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, in := range insts {
			in.app.Deliverer.Notify()
		}
		var pending int64
		modeltest.Must(t, insts[0].store.DB().Model(&models.Outbox{}).Where("status = ? AND next_attempt_at <= ?", models.OutboxPending, now.UTC()).Count(&pending).Error, "outbox")
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			var rows []models.Outbox
			insts[0].store.DB().Where("status = ? AND next_attempt_at <= ?", models.OutboxPending, now.UTC()).Find(&rows)
			for _, o := range rows {
				t.Logf("pending: %s %s %s attempts %d next %v err %s", o.Platform, o.Target, o.Kind, o.Attempts, o.NextAttemptAt, o.LastError)
			}
			t.Fatalf("%d messages still pending after 20 s", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ackNo is the case number in a citizen's acknowledgement.
func ackNo(reply string) string {
	_, after, ok := strings.Cut(reply, "编号：")
	if !ok {
		return ""
	}
	end := 0
	for end < len(after) && after[end] >= '0' && after[end] <= '9' {
		end++
	}
	return after[:end]
}

func count[M any](ms []M, f func(M) bool) int {
	n := 0
	for _, m := range ms {
		if f(m) {
			n++
		}
	}
	return n
}

func rawJSON(raw map[string]any) string {
	b, _ := json.Marshal(raw)
	return string(b)
}

// withoutIDs is an app message without what differs between two sends of
// the same message (the card's task id is per send).
func withoutIDs(raw map[string]any) map[string]any {
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		out[k] = v
	}
	if card, ok := out["template_card"].(map[string]any); ok {
		c := make(map[string]any, len(card))
		for k, v := range card {
			if k != "task_id" {
				c[k] = v
			}
		}
		out["template_card"] = c
	}
	return out
}
