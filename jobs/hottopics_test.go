package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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

// indexRows counts the rows of the similar-case index of case id:
// profiles and places.
func indexRows(t *testing.T, s *models.Store, id uint64) (profiles, places int64) {
	t.Helper()
	modeltest.Must(t, s.DB().Model(&models.CaseProfile{}).Where("case_id = ?", id).Count(&profiles).Error, "count profiles")
	modeltest.Must(t, s.DB().Model(&models.CasePlace{}).Where("case_id = ?", id).Count(&places).Error, "count places")
	return profiles, places
}

// TestIntakeLeavesSimilarCasesToTheCard: the citizen's callback neither
// looks similar cases up nor indexes the case: no statement of it reads or
// writes the index, no index row is there after it, and the card it
// queued has no similar cases. The card as delivered has them, with a
// 重复 button into the earlier report, and the case is indexed then.
func TestIntakeLeavesSimilarCasesToTheCard(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		d := newDesk(t, s, clock, nil, "intake-similar")
		first := d.reportAs(t, "oIntakeA", brokenRoad[0])
		d.flush(t)
		d.quiet()
		clock.Add(10 * time.Minute)
		var second string
		sqls := modeltest.RecordSQL(s, func() { second = d.reportAs(t, "oIntakeB", brokenRoad[1]) })
		if !slices.ContainsFunc(sqls, func(q string) bool { return strings.Contains(q, "INSERT INTO cases ") }) {
			t.Fatalf("the statements recorded lack the case's INSERT: %q", sqls)
		}
		// The plain-SQL baseline's statements in its order (bench/intake.go),
		// nothing more; SQLite reads the citizen back after its upsert, and
		// PostgreSQL takes the number and writes the case and its first
		// entry in one statement.
		want := []string{"BEGIN", "INSERT INTO citizens ", "INSERT INTO case_sequences ", "INSERT INTO cases ",
			"INSERT INTO case_events ", "INSERT INTO outboxes ", "INSERT INTO inbound_messages ", "COMMIT"}
		switch s.Driver() {
		case "sqlite":
			want = slices.Insert(want, 2, "SELECT * FROM `citizens` ")
		case "postgres":
			want = slices.Replace(want, 2, 5, "WITH n AS (INSERT INTO case_sequences ")
		}
		if len(sqls) != len(want) {
			t.Errorf("the callback sent %d statements; want %d: %q", len(sqls), len(want), sqls)
		} else {
			for i, q := range sqls {
				if !strings.HasPrefix(q, want[i]) {
					t.Errorf("statement %d of the callback = %.80q; want %q…", i+1, q, want[i])
				}
			}
		}
		for _, q := range sqls {
			if strings.Contains(q, "case_places") || strings.Contains(q, "case_profiles") {
				t.Errorf("the citizen's callback ran %q; want no look-up or write of the similar-case index", q)
			}
		}
		k := d.caseByNo(t, second)
		if p, pl := indexRows(t, s, k.ID); p+pl != 0 {
			t.Errorf("after the callback case %s has %d profile and %d place rows; want none before its card is sent", second, p, pl)
		}
		cards := d.queued(t, "new_case")
		if last := cards[len(cards)-1]; last.CaseID != k.ID || strings.Contains(last.Payload, "相似件") {
			t.Errorf("the queued card (case %d) = %.300s; want %s's card without similar cases", last.CaseID, last.Payload, second)
		}

		d.flush(t)
		got := d.appNews("dispatcher1")
		if len(got) != 1 {
			t.Fatalf("dispatcher1 got %d messages; want the card of %s", len(got), second)
		}
		card := rawText(got[0].Raw)
		for _, want := range []string{second, "相似件", first, "重复:" + second + ":" + first} {
			if !strings.Contains(card, want) {
				t.Errorf("the delivered card lacks %q: %.800s", want, card)
			}
		}
		if p, pl := indexRows(t, s, k.ID); p != 1 || pl != 2 {
			t.Errorf("after the card case %s has %d profile and %d place rows; want 1 and 2 (潇楚南路, 洋湖段)", second, p, pl)
		}
	})
}

// TestCardSentTwiceIndexesOnce: the new-case card of one case sent twice at
// once, by two server instances (two dispatchers' cards, or a retry after
// a lost lease), indexes the case once, and both cards list the similar
// case.
func TestCardSentTwiceIndexesOnce(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		d1 := newDesk(t, s, clock, nil, "twice-1")
		d2 := newDesk(t, s, clock, d1.wc, "twice-2")
		first := d1.reportAs(t, "oTwiceA", brokenRoad[0])
		clock.Add(10 * time.Minute)
		second := d1.reportAs(t, "oTwiceB", brokenRoad[2])
		k := d1.caseByNo(t, second)
		var row models.Outbox
		modeltest.Must(t, s.DB().Where("kind = ? AND case_id = ?", "new_case", k.ID).First(&row).Error, "card of %s", second)
		out, err := bot.DecodeOutgoing(row.Payload)
		modeltest.Must(t, err, "decode the card")
		var wg sync.WaitGroup
		var sent [2]bot.Outgoing
		for i, d := range []*desk{d1, d2} {
			wg.Go(func() { sent[i] = d.bot.AtSend(ctx, row, out) })
		}
		wg.Wait()
		sent2 := d1.bot.AtSend(ctx, row, out) // a retry on the first instance
		for i, o := range append(sent[:], sent2) {
			if b, _ := json.Marshal(o); !strings.Contains(string(b), "相似件") || !strings.Contains(string(b), "重复:"+second+":"+first) {
				t.Errorf("card %d as sent = %.600s; want 相似件 and 重复 into %s", i, b, first)
			}
		}
		if p, pl := indexRows(t, s, k.ID); p != 1 || pl != 2 {
			t.Errorf("case %s sent three times has %d profile and %d place rows; want 1 and 2", second, p, pl)
		}
		if p, pl := indexRows(t, s, d1.caseByNo(t, first).ID); p != 1 || pl != 2 {
			t.Errorf("the earlier case %s, never sent, has %d profile and %d place rows; want 1 and 2 (indexed with the later one)", first, p, pl)
		}
	})
}

// platformDown refuses every message.
type platformDown struct{}

func (platformDown) Send(context.Context, models.Outbox) error {
	return errors.New("connection refused")
}

// TestHotTopicWithoutDelivery: with WeCom down, no dispatcher's card is
// sent, so no case is indexed by a card; the hot_topics job indexes the
// cases itself and still raises the topic.
func TestHotTopicWithoutDelivery(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		d := newDesk(t, s, clock, nil, "hot-down")
		d.deliver.Senders["wecom"] = platformDown{}
		var nos []string
		for j := range 5 {
			clock.Add(10 * time.Minute)
			nos = append(nos, d.reportAs(t, fmt.Sprintf("oDown%d", j), brokenRoad[j]))
			_, _, _, err := d.deliver.RunOnce(context.Background())
			modeltest.Must(t, err, "deliver")
		}
		var pending int64
		modeltest.Must(t, s.DB().Model(&models.Outbox{}).Where("kind = ? AND status = ?", "new_case", models.OutboxPending).Count(&pending).Error, "count cards")
		if pending != 5 {
			t.Fatalf("%d new-case cards wait; want all 5 (WeCom is down)", pending)
		}
		var indexed int64
		modeltest.Must(t, s.DB().Model(&models.CaseProfile{}).Count(&indexed).Error, "count profiles")
		if indexed != 0 {
			t.Errorf("%d cases indexed before the job; want none (no card was sent)", indexed)
		}
		d.hot(t, clock.Now().Add(time.Minute))
		for _, no := range nos {
			if p, pl := indexRows(t, s, d.caseByNo(t, no).ID); p != 1 || pl == 0 {
				t.Errorf("case %s after the job: %d profile and %d place rows; want it indexed", no, p, pl)
			}
		}
		joint := 0
		for _, r := range d.queued(t, "hot_topic") {
			if r.Target == models.JointTarget().String() {
				joint++
			}
		}
		if joint != 1 {
			t.Errorf("%d 热点 alerts for the joint group; want 1", joint)
		}
	})
}
