package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/bot/mp"
	"minsheng/bot/mp/mptest"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
	"minsheng/reports"
)

// The defaults of config.yaml's rating.*.
func ratingSettings(unsatisfied string) bot.RatingSettings {
	return bot.RatingSettings{
		Unsatisfied: unsatisfied, ReasonWithin: 24 * time.Hour,
		RemindAfterWorkdays: 3, CloseAfterWorkdays: 2, ReopenWorkdays: 7,
		AppealDeciders: []models.Role{models.RoleDispatcher},
	}
}

// reply sends a citizen's text and returns the passive reply.
func (o *office) reply(t *testing.T, openid, text string) string {
	t.Helper()
	o.mpAPI.Touch(openid, o.clock.Now())
	return o.send(t, o.safe, mp.Message{FromUser: openid, ToUser: "gh_account", MsgType: "text", Content: text}).Content
}

// answered takes a new report of openid to an approved answer by cg and
// delivers it; it returns the case number.
func (o *office) answered(t *testing.T, openid, report, answer string) string {
	t.Helper()
	no := o.citizen(t, openid, report)
	o.say(t, "dispatcher1", "交办 "+no+" cg")
	o.say(t, "cg-officer1", "签收 "+no)
	if got := o.say(t, "cg-officer1", "答复 "+no+" "+answer); !strings.Contains(got, "已提交") {
		t.Fatalf("答复 → %q", got)
	}
	if got := o.say(t, "cg-head", "同意 "+no); !strings.Contains(got, "已同意") {
		t.Fatalf("同意 → %q", got)
	}
	o.flush(t)
	return no
}

func (o *office) caseOf(t *testing.T, no string) *models.Case {
	t.Helper()
	k, err := o.store.CaseByNo(context.Background(), no)
	modeltest.Must(t, err, "case %s", no)
	return k
}

// trail lists the kinds of case no's record, oldest first.
func (o *office) trail(t *testing.T, no string) string {
	t.Helper()
	ev, err := o.store.Events(context.Background(), o.caseOf(t, no).ID)
	modeltest.Must(t, err, "events of %s", no)
	var kinds []string
	for _, e := range ev {
		kinds = append(kinds, string(e.Kind))
	}
	return strings.Join(kinds, " ")
}

// unitFigures returns cg's figures of November 2026 as they stand now.
func (o *office) unitFigures(t *testing.T, code string) models.UnitFigures {
	t.Helper()
	st, err := o.store.Stats(context.Background(), models.MonthPeriod(modeltest.At(2026, 11, 1, 0, 0), modeltest.Shanghai), o.clock.Now())
	modeltest.Must(t, err, "stats")
	for _, u := range st.Units {
		if u.Code == code {
			return u
		}
	}
	t.Fatalf("no figures for %s", code)
	return models.UnitFigures{}
}

// A satisfied citizen's reply closes and archives the case, its whole
// record kept.
func TestRateSatisfiedClosesAndArchives(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		o.bot.Settings.Rating = ratingSettings(bot.UnsatisfiedReopen)
		const openid = "oRate1"
		answer := "经核查，东门路灯线路老化，已于11月23日更换灯具并恢复照明。"
		no := o.answered(t, openid, "幸福小区东门的路灯坏了一周", answer)
		sent := o.mpAPI.SentTo(openid)
		if len(sent) != 2 || !strings.Contains(sent[1].Text, answer) || !strings.HasSuffix(sent[1].Text, bot.RatePrompt) {
			t.Fatalf("citizen got %+v; want the answer ending with the request to rate", sent)
		}
		before := len(strings.Fields(o.trail(t, no)))

		o.clock.Add(time.Hour)
		got := o.reply(t, openid, "1")
		if !strings.Contains(got, "满意") || !strings.Contains(got, "已办结归档") || !strings.Contains(got, no) {
			t.Errorf("reply to 1 = %q; want thanks, 满意 and 已办结归档 for %s", got, no)
		}
		k := o.caseOf(t, no)
		if k.Status != models.StatusClosed || k.ClosedAt == nil || k.Rating != models.RatingSatisfied || k.RatedAt == nil {
			t.Errorf("case = %s closed %v rating %q at %v; want closed and rated 满意", k.Status, k.ClosedAt, k.Rating, k.RatedAt)
		}
		trail := o.trail(t, no)
		if !strings.HasSuffix(trail, "rated archived") || len(strings.Fields(trail)) != before+2 {
			t.Errorf("record %q; want the %d entries before, then rated and archived", trail, before)
		}
		if got := o.reply(t, openid, "2"); !strings.Contains(got, "没有待评价") {
			t.Errorf("a second bare rating → %q; want nothing left to rate", got)
		}
		if got := o.reply(t, openid, "评价 "+no+" 3"); !strings.Contains(got, "已办结归档") {
			t.Errorf("rating a closed case → %q; want it is archived", got)
		}
		if f := o.unitFigures(t, "cg"); f.Rated != 1 || f.Satisfied != 1 {
			t.Errorf("cg rated %d satisfied %d; want 1, 1", f.Rated, f.Satisfied)
		}
		// 满意 with no case to rate is no new report.
		if n, _ := s.CountCases(context.Background()); n != 1 {
			t.Errorf("cases = %d; want 1", n)
		}
	})
}

// 不满意 asks for a reason, reopens the case with a new deadline, tells the
// unit without the citizen's personal data; the second answer is rated again
// and both ratings count for the unit.
func TestUnsatisfiedReopensAndIsRatedAgain(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		o := newOffice(t, s)
		o.bot.Settings.Rating = ratingSettings(bot.UnsatisfiedReopen)
		const openid = "oRate2"
		no := o.answered(t, openid, "解放路井盖松动，车辆经过响声很大", "经核查，解放路井盖已于11月23日重新固定，响声已消除。")
		oldDue := *o.caseOf(t, no).DueAt

		o.clock.Set(modeltest.At(2026, 11, 25, 10, 0)) // Wednesday
		if got := o.reply(t, openid, "3"); !strings.Contains(got, "不满意的原因") {
			t.Fatalf("reply to 3 = %q; want a request for the reason", got)
		}
		if k := o.caseOf(t, no); k.Status != models.StatusAnswered || k.Rating != models.RatingUnsatisfied {
			t.Fatalf("case = %s rated %q; want answered and 不满意 while the reason is awaited", k.Status, k.Rating)
		}
		// The reason is short: shorter than any report, still the reason.
		reason := "我电话13912345678，还响"
		got := o.reply(t, openid, reason)
		if !strings.Contains(got, "县城市管理局重新办理") || !strings.Contains(got, "2026年12月4日") {
			t.Errorf("reply to the reason = %q; want 重办 by 县城市管理局 due 2026年12月4日", got)
		}
		k := o.caseOf(t, no)
		// 7 working days from Wednesday 25 November: Friday 4 December 17:30.
		if want := modeltest.At(2026, 12, 4, 17, 30); k.Status != models.StatusHandling || k.Reopens != 1 || k.DueAt == nil || !k.DueAt.Equal(want) || k.DueAt.Equal(oldDue) {
			t.Fatalf("reopened case = %s reopens %d due %v; want handling, 1, due %v", k.Status, k.Reopens, k.DueAt, want)
		}
		if trail := o.trail(t, no); !strings.Contains(trail, "rated rating_reason reopened deadline") {
			t.Errorf("record %q; want rated, rating_reason, reopened, deadline", trail)
		}
		o.flush(t)
		group := o.wc.GroupMessages("key-cg")
		last := group[len(group)-1].Text
		if !strings.Contains(last, "重办 "+no) || !strings.Contains(last, "还响") || strings.Contains(last, "13912345678") {
			t.Errorf("cg group got %q; want 重办 with the reason and no phone number", last)
		}
		for _, u := range []string{"cg-officer1", "cg-head"} {
			msgs := o.appTo(u)
			raw := string(mustJSON(msgs[len(msgs)-1].Raw))
			if !strings.Contains(raw, "重办 "+no) || strings.Contains(raw, "13912345678") || strings.Contains(raw, openid) {
				t.Errorf("%s's last message %.300s; want the 重办 card without the phone number or openid", u, raw)
			}
		}

		// The second handling: a new answer, approved, rated 基本满意.
		o.clock.Add(24 * time.Hour)
		answer2 := "经复核，井盖底座破损，已于11月26日更换新井盖，经现场测试车辆通过无响声。"
		if got := o.say(t, "cg-officer1", "答复 "+no+" "+answer2); !strings.Contains(got, "已提交") {
			t.Fatalf("second 答复 → %q", got)
		}
		o.say(t, "cg-head", "同意 "+no)
		o.mpAPI.Touch(openid, o.clock.Now())
		o.flush(t)
		sent := o.mpAPI.SentTo(openid)
		if len(sent) == 0 || !strings.Contains(sent[len(sent)-1].Text, answer2) || !strings.Contains(sent[len(sent)-1].Text, bot.RatePrompt) {
			t.Fatalf("citizen's last message %+v; want the second answer with the request to rate", sent[len(sent)-1])
		}
		if got := o.reply(t, openid, "基本满意"); !strings.Contains(got, "已办结归档") {
			t.Errorf("reply to 基本满意 = %q; want 已办结归档", got)
		}
		k = o.caseOf(t, no)
		if k.Status != models.StatusClosed || k.Rating != models.RatingBasic {
			t.Errorf("case = %s rated %q; want closed, 基本满意", k.Status, k.Rating)
		}
		rs, err := s.Ratings(ctx, k.ID)
		modeltest.Must(t, err, "ratings")
		if len(rs) != 2 || rs[0].Value != models.RatingUnsatisfied || rs[0].Reason != reason || rs[1].Value != models.RatingBasic || rs[1].Round != 2 {
			t.Errorf("ratings = %+v; want 不满意 with its reason, then 基本满意 in round 2", rs)
		}
		// The first 不满意 still counts for cg.
		if f := o.unitFigures(t, "cg"); f.Rated != 2 || f.Satisfied != 1 {
			t.Errorf("cg rated %d satisfied %d; want 2, 1", f.Rated, f.Satisfied)
		}
	})
}

// A citizen who does not rate is reminded once after three working days and
// the case closes unrated two working days after the reminder; the job is
// safe to run again.
func TestUnratedIsRemindedThenClosed(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		o := newOffice(t, s)
		o.bot.Settings.Rating = ratingSettings(bot.UnsatisfiedReopen)
		o.mpAPI.AddTemplate("tmpl-notice")
		o.setTemplate("tmpl-notice")
		const openid = "oRate3"
		no := o.answered(t, openid, "人民路垃圾桶满了没人清运", "经核查，人民路垃圾桶已于11月23日清运，并已调整为每日清运两次。") // Monday 23 November
		sched := &jobs.Scheduler{Store: s, Location: modeltest.Shanghai, Owner: "test", Now: o.clock.Now, Logger: o.bot.Logger,
			Jobs: []jobs.Job{{Name: jobs.JobRating, Schedule: "0 10 * * *", Run: (&jobs.Ratings{Bot: o.bot}).Run}}}
		run := func(y int, m time.Month, d int) bool {
			t.Helper()
			o.clock.Set(modeltest.At(y, m, d, 10, 0))
			ran, err := sched.RunOccurrence(ctx, jobs.JobRating, o.clock.Now())
			modeltest.Must(t, err, "rating job on %d-%d", m, d)
			o.flush(t)
			return ran
		}
		messages := func() int { return len(o.mpAPI.SentTo(openid)) }
		start := messages()

		run(2026, 11, 26) // Thursday: three working days end at 17:30
		if n := messages(); n != start {
			t.Errorf("Thursday: citizen got %d new messages; want none before three working days", n-start)
		}
		run(2026, 11, 27) // Friday
		sent := o.mpAPI.SentTo(openid)
		if len(sent) != start+1 || sent[len(sent)-1].Kind != mptest.KindTemplate || sent[len(sent)-1].Data["keyword1"] != no {
			t.Fatalf("Friday: citizen got %+v; want one reminder, as a template (outside 48 hours) for %s", sent[start:], no)
		}
		if ran := run(2026, 11, 27); ran {
			t.Errorf("the same occurrence ran twice")
		}
		if _, err := sched.RunNow(ctx, jobs.JobRating); err != nil {
			t.Fatalf("manual run: %v", err)
		}
		o.flush(t)
		if n := messages(); n != start+1 {
			t.Errorf("after a rerun the citizen has %d messages; want the one reminder", n-start)
		}
		run(2026, 12, 1) // Tuesday: two working days after the reminder end at 17:30
		if k := o.caseOf(t, no); k.Status != models.StatusAnswered {
			t.Errorf("Tuesday: case is %s; want still answered", k.Status)
		}
		run(2026, 12, 2) // Wednesday
		k := o.caseOf(t, no)
		if k.Status != models.StatusClosed || k.ClosedAt == nil || k.Rating != "" || k.RatedAt != nil {
			t.Fatalf("Wednesday: case = %s closed %v rating %q; want closed unrated", k.Status, k.ClosedAt, k.Rating)
		}
		if trail := o.trail(t, no); strings.Count(trail, "rating_reminded") != 1 || !strings.HasSuffix(trail, "archived") || strings.Contains(trail, " rated") {
			t.Errorf("record %q; want one reminder, then archived, no rating", trail)
		}
		if n := messages(); n != start+2 {
			t.Errorf("citizen has %d new messages; want the reminder and the closing notice", n-start)
		}
		run(2026, 12, 3)
		if n := messages(); n != start+2 {
			t.Errorf("a later run sent %d more messages; want none", n-start-2)
		}
		// Unrated: not satisfied, not rated at all. As the regulations
		// count, it is an assigned case not satisfied (0 of 1); the
		// rated-only rate has nothing to count.
		if f := o.unitFigures(t, "cg"); f.Rated != 0 || f.Satisfied != 0 || f.SatisfactionRate().String() != "0.0%" || f.RatedSatisfactionRate().Defined() {
			t.Errorf("cg rated %d satisfied %d, satisfaction %s, rated-only %s; want 0.0%% and an undefined rated-only rate",
				f.Rated, f.Satisfied, f.SatisfactionRate(), f.RatedSatisfactionRate())
		}
	})
}

// The dispatcher decides a 不满意 (rating.unsatisfied: dispatcher); the
// lead unit appeals two of them: the upheld one leaves cg's satisfaction
// rate, the rejected one stays, and the reports say so.
func TestAppealsUpheldAndRejected(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		o := newOffice(t, s)
		o.bot.Settings.Rating = ratingSettings(bot.UnsatisfiedDispatcher)
		a := o.answered(t, "oRate4", "东风路路灯不亮好几天了", "经核查，东风路路灯已于11月23日修复，恢复正常照明。")
		b := o.answered(t, "oRate5", "建设路井盖缺失很危险", "经核查，建设路缺失井盖已于11月23日补装，并设置警示标志。")

		o.clock.Add(time.Hour)
		if got := o.reply(t, "oRate4", "评价 "+a+" 3 灯修好了但不是我说的那一盏"); !strings.Contains(got, "问政办将审核") {
			t.Errorf("不满意 with a reason → %q; want the dispatcher's review", got)
		}
		if got := o.reply(t, "oRate5", "不满意，井盖还没装"); !strings.Contains(got, "问政办将审核") {
			t.Errorf("不满意 with a reason → %q; want the dispatcher's review", got)
		}
		o.flush(t)
		if k := o.caseOf(t, a); k.Status != models.StatusAnswered || k.Reopens != 0 {
			t.Errorf("case %s = %s reopens %d; want answered, waiting for the dispatcher", a, k.Status, k.Reopens)
		}
		if got := o.click(t, "dispatcher1", a, "办结:"+a); got != "已办结" {
			t.Errorf("办结 button → %q; want 已办结", got)
		}
		if got := o.say(t, "dispatcher1", "重办 "+b+" 请现场复核"); !strings.Contains(got, "重办") {
			t.Errorf("重办 → %q", got)
		}
		if got := o.say(t, "cg-officer1", "重办 "+b); !strings.Contains(got, "只有问政办") {
			t.Errorf("officer's 重办 → %q; want a refusal", got)
		}
		if k := o.caseOf(t, a); k.Status != models.StatusClosed {
			t.Errorf("case %s = %s; want closed by the dispatcher", a, k.Status)
		}
		if k := o.caseOf(t, b); k.Status != models.StatusHandling || k.Reopens != 1 {
			t.Errorf("case %s = %s reopens %d; want handling, reopened once", b, k.Status, k.Reopens)
		}

		steps := []struct{ user, say, want string }{
			{"zj-officer1", "申诉 " + a + " 与本单位无关", "未交办给您的单位"},
			{"dispatcher1", "申诉 " + a + " 理由", "承办单位"},
			{"cg-officer1", "申诉成立 " + a, "问政办或联席会议"},
			{"dispatcher1", "申诉成立 " + a, "没有待裁定的申诉"},
			{"cg-officer1", "申诉 " + a + " 东风路路灯均已修复，群众所指路灯属供电公司管理", "待问政办裁定"},
			{"cg-head", "申诉 " + a + " 再次申诉", "正待问政办裁定"},
			{"cg-officer1", "申诉 " + b + " 井盖已补装，群众反映时尚未到现场核实", "待问政办裁定"},
			{"leader1", "申诉成立 " + b, "申诉由问政办裁定"},
		}
		for i, st := range steps {
			if got := o.say(t, st.user, st.say); !strings.Contains(got, st.want) {
				t.Errorf("step %d: %s: %q → %q; want %q", i, st.user, st.say, got, st.want)
			}
		}
		o.flush(t)
		if got := o.click(t, "dispatcher1", a, "申诉成立:"+a); got != "申诉成立" {
			t.Errorf("申诉成立 button → %q", got)
		}
		if got := o.click(t, "dispatcher1", b, "申诉驳回:"+b); got != "请发送驳回理由" {
			t.Errorf("申诉驳回 button → %q; want a request for the reason", got)
		}
		if got := o.say(t, "dispatcher1", "申诉驳回 "+b+" 群众反映时井盖确未补装"); !strings.Contains(got, "仍计入") {
			t.Errorf("申诉驳回 → %q", got)
		}
		if got := o.say(t, "cg-officer1", "申诉 "+b+" 再申诉"); !strings.Contains(got, "已裁定") {
			t.Errorf("appeal after the decision → %q; want 已裁定", got)
		}
		o.flush(t)
		for no, want := range map[string]string{a: "申诉成立", b: "申诉驳回"} {
			if trail := o.trail(t, no); !strings.Contains(trail, "appeal_filed") || !strings.Contains(trail, "appeal_decided") || !strings.Contains(trail, "refused") {
				t.Errorf("record of %s %q; want the appeal, its decision and the refusals", no, trail)
			}
			found := false
			for _, m := range o.wc.GroupMessages("key-cg") {
				if strings.Contains(m.Text, "申诉结果 "+no) && strings.Contains(m.Text, want) {
					found = true
				}
			}
			if !found {
				t.Errorf("cg group was not told %s of %s", want, no)
			}
		}

		// cg's satisfaction: a's 不满意 is out, b's is in.
		f := o.unitFigures(t, "cg")
		if f.Rated != 1 || f.Satisfied != 0 || f.AppealsUpheld != 1 || f.AppealNote() != "含申诉成立 1 件，已剔除" {
			t.Errorf("cg rated %d satisfied %d upheld %d note %q; want 1, 0, 1 and the note", f.Rated, f.Satisfied, f.AppealsUpheld, f.AppealNote())
		}
		// Every report says so.
		w := &reports.Weekly{Store: s, ReplyTarget: 0.9, SatisfactionTarget: 0.9, RateDays: 28, Overdue: 10}
		msgs, err := w.Build(ctx, o.clock.Now().AddDate(0, 0, 7))
		modeltest.Must(t, err, "weekly summary")
		if text := strings.Join(msgs.Texts, "\n"); !strings.Contains(text, "含申诉成立 1 件，已剔除") {
			t.Errorf("weekly summary lacks the appeal note:\n%s", text)
		}
		m := &reports.Monthly{Store: s, ReplyTarget: 0.9, SatisfactionTarget: 0.9}
		book, err := m.Workbook(ctx, models.MonthPeriod(o.clock.Now(), modeltest.Shanghai), o.clock.Now())
		modeltest.Must(t, err, "monthly workbook")
		for _, sheet := range []string{reports.SheetSummary, reports.SheetUnits} {
			rows, err := book.GetRows(sheet)
			modeltest.Must(t, err, "rows of %s", sheet)
			var cells []string
			for _, r := range rows {
				cells = append(cells, strings.Join(r, "|"))
			}
			if text := strings.Join(cells, "\n"); !strings.Contains(text, "含申诉成立 1 件，已剔除") {
				t.Errorf("monthly sheet %s lacks the appeal note:\n%s", sheet, text)
			}
		}
	})
}

// A rating from a citizen with nothing to rate is no rating: a bare one is
// told so, a 不满意 that says more is a new report.
func TestRatingWithoutAnAnswer(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		h := newHarness(t, s)
		tests := []struct {
			in, want string
			cases    int64
		}{
			{"1", "没有待评价", 0},
			{"满意，谢谢", "没有待评价", 0},
			{"评价", "评价 编号", 0},
			{"评价 20261123009 1", "没有找到", 0},
			{"不满意物业公司乱收费，小区停车费一年涨了三次", "编号：20261123001", 1},
		}
		for _, tt := range tests {
			r := h.send(t, h.safe, text("oNothing", tt.in))
			if !strings.Contains(r.Content, tt.want) || h.cases(t) != tt.cases {
				t.Errorf("%q → %q with %d cases; want %q and %d cases", tt.in, r.Content, h.cases(t), tt.want, tt.cases)
			}
		}
	})
}

// A 不满意 whose reason never comes goes ahead when its time is up: the
// rating job reopens the case and tells the citizen.
func TestUnsatisfiedWithoutReasonGoesAhead(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		o := newOffice(t, s)
		o.bot.Settings.Rating = ratingSettings(bot.UnsatisfiedReopen)
		const openid = "oRate6"
		no := o.answered(t, openid, "和平路下水道堵塞，污水外溢", "经核查，和平路下水道已于11月23日疏通，污水已清理。")
		o.clock.Add(time.Hour)
		if got := o.reply(t, openid, "不满意"); !strings.Contains(got, "不满意的原因") {
			t.Fatalf("reply to 不满意 = %q; want a request for the reason", got)
		}
		job := &jobs.Ratings{Bot: o.bot}
		o.clock.Add(23 * time.Hour) // the reason may still come
		modeltest.Must(t, job.Run(ctx, o.clock.Now()), "rating job")
		if k := o.caseOf(t, no); k.Status != models.StatusAnswered {
			t.Fatalf("case is %s within the time for a reason; want answered", k.Status)
		}
		o.clock.Add(2 * time.Hour)
		before := len(o.mpAPI.SentTo(openid))
		modeltest.Must(t, job.Run(ctx, o.clock.Now()), "rating job")
		modeltest.Must(t, job.Run(ctx, o.clock.Now()), "rating job again")
		o.flush(t)
		k := o.caseOf(t, no)
		if k.Status != models.StatusHandling || k.Reopens != 1 {
			t.Fatalf("case = %s reopens %d; want reopened once", k.Status, k.Reopens)
		}
		sent := o.mpAPI.SentTo(openid)
		if len(sent) != before+1 || !strings.Contains(sent[len(sent)-1].Text, "重新办理") {
			t.Errorf("citizen got %+v; want one message that the case is handled again", sent[before:])
		}
		if trail := o.trail(t, no); !strings.Contains(trail, "rated rating_reason reopened deadline") || strings.Count(trail, "reopened") != 1 {
			t.Errorf("record %q; want rated, rating_reason, one reopened, deadline", trail)
		}
		group := o.wc.GroupMessages("key-cg")
		if last := group[len(group)-1].Text; !strings.Contains(last, "未说明理由") {
			t.Errorf("cg group got %q; want the 重办 saying no reason was given", last)
		}
		// A late reason is an ordinary message again: here, too short for a report.
		if got := o.reply(t, openid, "还是堵"); strings.Contains(got, "重新办理") {
			t.Errorf("late reason → %q; want it not taken as the reason", got)
		}
	})
}
