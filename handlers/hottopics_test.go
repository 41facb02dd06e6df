package handlers_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// TestHotTopicEndToEnd: five citizens report the same broken road within an
// hour, each in their own words. The hot_topics job raises one 热点 alert,
// which reaches the leader in WeCom and the joint-meeting group once, with
// the case numbers and without who reported; the cases are linked to the
// topic; the dispatcher's card of a later report lists the similar cases,
// and its 重复 button merges it in one tap; the weekly summary's 本周舆情
// names the topic.
func TestHotTopicEndToEnd(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		o := newOffice(t, s)
		ctx := context.Background()
		reports := []string{
			"A3区潇楚南路洋湖段路面塌陷，车辆经过很危险。我叫王小明，电话13912345678",
			"洋湖段的潇楚南路有个大坑，昨晚电动车摔了",
			"潇楚南路洋湖段坑坑洼洼，下雨全是水坑，请修补",
			"潇楚南路路面破损严重，洋湖段那里尤其厉害",
			"请管一下潇楚南路的大坑，天天有车在那里爆胎",
		}
		var nos []string
		for i, text := range reports {
			o.clock.Add(10 * time.Minute)
			nos = append(nos, o.citizen(t, fmt.Sprintf("oRoadCitizen%03d", i), text))
		}
		o.flush(t)

		run := func(job string, at time.Time) {
			t.Helper()
			o.clock.Set(at)
			ran, err := o.app.Scheduler.RunOccurrence(ctx, job, at)
			modeltest.Must(t, err, "%s at %s", job, at)
			if !ran {
				t.Fatalf("%s at %s did not run", job, at)
			}
			o.flush(t)
		}
		run(jobs.JobHotTopics, o.clock.Now().Add(5*time.Minute))
		run(jobs.JobHotTopics, o.clock.Now().Add(5*time.Minute)) // the next occurrence raises nothing new

		var joint []string
		for _, m := range o.wc.GroupMessages("key-joint") {
			if strings.Contains(m.Text, "舆情热点") {
				joint = append(joint, m.Text)
			}
		}
		var leader []string
		for _, m := range o.appTo("leader1") {
			if p := string(mustJSON(m.Raw)); strings.Contains(p, "舆情热点") {
				leader = append(leader, p)
			}
		}
		if len(joint) != 1 || len(leader) != 1 {
			t.Fatalf("热点 alerts: %d in the joint group, %d to the leader; want one each", len(joint), len(leader))
		}
		for _, msg := range append(joint, leader...) {
			for _, want := range append([]string{"潇楚南路 路面破损", "5 位群众"}, nos...) {
				if !strings.Contains(msg, want) {
					t.Errorf("the alert lacks %q: %.500s", want, msg)
				}
			}
			for _, secret := range []string{"王小明", "13912345678", "oRoadCitizen"} {
				if strings.Contains(msg, secret) {
					t.Errorf("the alert carries %q: %.500s", secret, msg)
				}
			}
		}
		var ids []uint64
		for _, no := range nos {
			k, err := s.CaseByNo(ctx, no)
			modeltest.Must(t, err, "case %s", no)
			ids = append(ids, k.ID)
		}
		var in map[uint64]uint64
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			var err error
			in, err = tx.TopicsOf(ids)
			return err
		}), "topics")
		if len(in) != 5 || in[ids[0]] == 0 || in[ids[0]] != in[ids[4]] {
			t.Errorf("cases in topics: %v; want all five in one", in)
		}

		// A later report of the same road: the dispatcher's card lists
		// similar cases, and a 重复 button merges it into one in one tap.
		o.clock.Add(time.Hour)
		later := o.citizen(t, "oRoadCitizenLate", "潇楚南路洋湖段的坑还没修，今天又有人摔倒")
		o.flush(t)
		cards := o.appTo("dispatcher1")
		card := string(mustJSON(cards[len(cards)-1].Raw))
		if !strings.Contains(card, later) || !strings.Contains(card, "相似件") {
			t.Fatalf("the dispatcher's card of %s lists no similar cases: %.800s", later, card)
		}
		listed := 0
		for _, no := range nos {
			if strings.Contains(card, no) {
				listed++
			}
		}
		if listed != 3 {
			t.Errorf("the card lists %d of the similar cases; want 3: %.800s", listed, card)
		}
		var orig string
		for _, no := range nos {
			if strings.Contains(card, "重复:"+later+":"+no) {
				orig = no
				break
			}
		}
		if orig == "" {
			t.Fatalf("the card has no 重复 button into a similar case: %.800s", card)
		}
		if got := o.click(t, "dispatcher1", later, "重复:"+later+":"+orig); !strings.Contains(got, "已并入") {
			t.Errorf("the 重复 button's label = %q; want 已并入…", got)
		}
		k, err := s.CaseByNo(ctx, later)
		modeltest.Must(t, err, "case %s", later)
		if k.Status != models.StatusDuplicate {
			t.Errorf("%s is %s after the 重复 button; want merged", later, k.Status)
		}

		// The next run of the watch puts the merged report in the topic too.
		run(jobs.JobHotTopics, o.clock.Now().Add(5*time.Minute))

		// The weekly summary of that week names the topic in 本周舆情.
		run(jobs.JobWeeklySummary, modeltest.At(2026, 11, 30, 9, 0))
		var week string
		for _, m := range o.wc.GroupMessages("key-joint") {
			if strings.Contains(m.Text, "本周舆情") {
				week = m.Text
			}
		}
		if !strings.Contains(week, "潇楚南路 路面破损：本周 6 件 6 人") || !strings.Contains(week, "已并件 1") {
			t.Errorf("本周舆情 = %q; want the topic with its 6 cases, one merged", week)
		}
		alerts := 0
		for _, m := range o.wc.GroupMessages("key-joint") {
			if strings.Contains(m.Text, "舆情热点：") {
				alerts++
			}
		}
		if alerts != 1 {
			t.Errorf("the joint group got %d 热点 alerts in all; want 1", alerts)
		}
	})
}
