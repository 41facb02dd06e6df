package jobs_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minsheng/bot"
	"minsheng/jobs"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// The same broken road in five citizens' words.
var brokenRoad = []string{
	"A3区潇楚南路洋湖段路面塌陷，车辆经过很危险",
	"洋湖段的潇楚南路有个大坑，昨晚电动车摔了",
	"潇楚南路洋湖段坑坑洼洼，下雨全是水坑，请修补",
	"潇楚南路路面破损严重，洋湖段那里尤其厉害",
	"请管一下潇楚南路的大坑，天天有车在那里爆胎",
	"潇楚南路洋湖段的坑还没修，今天又有人摔倒",
}

// reportAs has the citizen with openid report text; the case number.
func (d *desk) reportAs(t *testing.T, openid, text string) string {
	t.Helper()
	r, err := d.bot.HandleCitizen(context.Background(), bot.CitizenMessage{
		Platform: "mp", OpenID: openid, MsgID: 8000000 + deskSeq.Add(1), MsgType: "text",
		CreateTime: d.clock.Now().Unix(), Content: text,
	})
	modeltest.Must(t, err, "report %q", text)
	if r.CaseNo == "" || r.Outcome != bot.OutcomeCase {
		t.Fatalf("report %q opened no case: %+v", text, r)
	}
	return r.CaseNo
}

// hot runs the hot_topics job's occurrence at when.
func (d *desk) hot(t *testing.T, when time.Time) {
	t.Helper()
	d.clock.Set(when)
	ran, err := d.sched.RunOccurrence(context.Background(), jobs.JobHotTopics, when)
	modeltest.Must(t, err, "hot_topics at %s", when)
	if !ran {
		t.Fatalf("hot_topics at %s did not run", when)
	}
}

// queued returns the outbox rows of purpose kind, oldest first.
func (d *desk) queued(t *testing.T, kind string) []models.Outbox {
	t.Helper()
	var rows []models.Outbox
	modeltest.Must(t, d.store.DB().Where("kind = ?", kind).Order("id").Find(&rows).Error, "outbox %s", kind)
	return rows
}

// TestHotTopicTrigger: a burst of similar reports from distinct citizens
// raises one topic, alerted once to the leader and the joint-meeting
// group however often the job runs; one citizen writing five times, or
// four citizens, raise nothing.
func TestHotTopicTrigger(t *testing.T) {
	tests := []struct {
		name     string
		citizens []string // one openid per report
		raised   bool
	}{
		{"five citizens", []string{"oA", "oB", "oC", "oD", "oE"}, true},
		{"one citizen five times", []string{"oA", "oA", "oA", "oA", "oA"}, false},
		{"four citizens, five reports", []string{"oA", "oB", "oC", "oD", "oA"}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			modeltest.Each(t, func(t *testing.T, s *models.Store) {
				clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0)) // a Monday
				d := newDesk(t, s, clock, nil, fmt.Sprintf("hot-%d", i))
				var nos []string
				for j, who := range tt.citizens {
					clock.Add(10 * time.Minute)
					nos = append(nos, d.reportAs(t, fmt.Sprintf("%s-%d", who, i), brokenRoad[j]))
				}
				d.hot(t, clock.Now().Add(time.Minute))
				d.hot(t, clock.Now().Add(5*time.Minute)) // a rerun finds it raised
				joint, cards := 0, 0
				for _, r := range d.queued(t, "hot_topic") {
					if r.Target == models.JointTarget().String() {
						joint++
						for _, no := range nos {
							if !strings.Contains(r.Payload, no) {
								t.Errorf("the alert does not list %s: %.400s", no, r.Payload)
							}
						}
						for _, w := range []string{"舆情热点", "潇楚南路", "路面破损", "5 位群众"} {
							if !strings.Contains(r.Payload, w) {
								t.Errorf("the alert lacks %q: %.400s", w, r.Payload)
							}
						}
					} else {
						cards++
					}
				}
				if !tt.raised {
					if joint+cards != 0 {
						t.Errorf("%d alerts queued; want none", joint+cards)
					}
					return
				}
				if joint != 1 || cards != 1 {
					t.Errorf("alerts: %d to the joint group, %d to leaders; want one each (陈县长 has no scope)", joint, cards)
				}
				var ids []uint64
				for _, no := range nos {
					ids = append(ids, d.caseByNo(t, no).ID)
					if len(d.events(t, no, models.EventHotTopic)) != 1 {
						t.Errorf("case %s has no 舆情热点 entry on its record", no)
					}
				}
				var in map[uint64]uint64
				modeltest.Must(t, s.Act(context.Background(), func(tx *models.Tx) error {
					var err error
					in, err = tx.TopicsOf(ids)
					return err
				}), "topics of")
				if len(in) != len(ids) {
					t.Errorf("%d of %d cases linked to the topic", len(in), len(ids))
				}
				// A sixth report joins the topic and raises nothing new.
				clock.Add(30 * time.Minute)
				sixth := d.reportAs(t, "oF-"+fmt.Sprint(i), brokenRoad[5])
				d.hot(t, clock.Now().Add(time.Minute))
				if n := len(d.queued(t, "hot_topic")); n != 2 {
					t.Errorf("after a sixth report %d alerts are queued; want the same 2", n)
				}
				if len(d.events(t, sixth, models.EventHotTopic)) != 1 {
					t.Errorf("the sixth case %s did not join the topic", sixth)
				}
			})
		})
	}
}

// TestHotTopicResponseRule: a hot topic nobody answers within 24 hours gets
// one 督办 (leaders, joint group, the unit that leads a case, a 督办 record
// on its cases); a topic whose lead unit reports progress in time gets none.
func TestHotTopicResponseRule(t *testing.T) {
	for i, respond := range []bool{false, true} {
		t.Run(fmt.Sprintf("responded=%v", respond), func(t *testing.T) {
			modeltest.Each(t, func(t *testing.T, s *models.Store) {
				clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
				d := newDesk(t, s, clock, nil, fmt.Sprintf("rule-%d", i))
				var nos []string
				for j := range 5 {
					clock.Add(10 * time.Minute)
					nos = append(nos, d.reportAs(t, fmt.Sprintf("oR%d-%d", i, j), brokenRoad[j]))
				}
				raised := clock.Now().Add(time.Minute)
				d.hot(t, raised)
				if r := d.say(t, "dispatcher1", "交办 "+nos[0]+" cg"); !strings.Contains(r, "交办：县城市管理局") {
					t.Fatalf("交办 → %q", r)
				}
				if respond {
					d.say(t, "cg-officer1", "签收 "+nos[0])
					if r := d.say(t, "cg-officer1", "进展 "+nos[0]+" 已安排施工队今晚修补洋湖段路面"); !strings.Contains(r, "已记录") {
						t.Fatalf("进展 → %q", r)
					}
				}
				d.hot(t, raised.Add(23*time.Hour))
				if n := len(d.queued(t, "hot_topic_escalated")); n != 0 {
					t.Errorf("%d 督办 before the clock ran out; want none", n)
				}
				d.hot(t, raised.Add(24*time.Hour+5*time.Minute))
				d.hot(t, raised.Add(25*time.Hour))
				esc := d.queued(t, "hot_topic_escalated")
				if respond {
					if len(esc) != 0 {
						t.Errorf("%d 督办 of a topic answered in time; want none", len(esc))
					}
					return
				}
				to := map[string]int{}
				for _, r := range esc {
					to[r.Target]++
					if !strings.Contains(r.Payload, "热点督办") || !strings.Contains(r.Payload, nos[0]) {
						t.Errorf("督办 to %s = %.300s; want 热点督办 and the case numbers", r.Target, r.Payload)
					}
				}
				if len(esc) != 3 || to[models.JointTarget().String()] != 1 || to[models.GroupTarget("cg").String()] != 1 {
					t.Errorf("督办 went to %v; want the joint group, cg's group and the leader, once each", to)
				}
				if lv := d.levels(t, nos[0]); len(lv) != 1 || lv[0] != bot.LevelHotTopic {
					t.Errorf("督办 records of %s = %v; want one %s", nos[0], lv, bot.LevelHotTopic)
				}
			})
		})
	}
}
