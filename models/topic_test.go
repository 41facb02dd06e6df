package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// opened opens a case of citizen openid, received at the store clock;
// the case.
func opened(t *testing.T, s *models.Store, openid, text string) *models.Case {
	t.Helper()
	r := openCase(t, s, fmt.Sprint(time.Now().UnixNano()), openid, text)
	k, err := s.CaseByNo(context.Background(), r.CaseNo)
	modeltest.Must(t, err, "open %q", text)
	return k
}

// placed opens a case naming places and indexes it, with its text as
// its profile; the case.
func placed(t *testing.T, s *models.Store, openid, text string, places ...string) *models.Case {
	t.Helper()
	k := opened(t, s, openid, text)
	modeltest.Must(t, s.Act(context.Background(), func(tx *models.Tx) error {
		_, err := tx.IndexCase(k, "profile of "+text, places)
		return err
	}), "index %q", text)
	return k
}

// TestIndexCase: a case is indexed once, whoever indexes it and however
// often; a case naming no place is indexed as like no other; the cases not
// indexed are found by time.
func TestIndexCase(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		s.Now = clock.Now
		road := opened(t, s, "oA", "潇楚南路洋湖段大坑")
		clock.Add(time.Minute)
		noPlace := opened(t, s, "oB", "工资被拖欠三个月")
		clock.Add(time.Minute)
		later := opened(t, s, "oC", "解放路路灯不亮")
		unindexed := func(from, to time.Time) []uint64 {
			var ids []uint64
			modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
				ks, err := tx.Unindexed(from, to, 10)
				for _, k := range ks {
					ids = append(ids, k.ID)
				}
				return err
			}), "unindexed")
			return ids
		}
		if got := unindexed(road.ReceivedAt, noPlace.ReceivedAt); fmt.Sprint(got) != fmt.Sprint([]uint64{road.ID, noPlace.ID}) {
			t.Errorf("Unindexed before indexing = %v; want %d, %d (not %d, received after)", got, road.ID, noPlace.ID, later.ID)
		}
		for range 2 { // a second delivery of the card, or the job after it
			var fresh [2]bool
			modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
				var err error
				if fresh[0], err = tx.IndexCase(road, "p1", []string{"潇楚南路", "洋湖段", "潇楚南路"}); err != nil {
					return err
				}
				fresh[1], err = tx.IndexCase(noPlace, "p2", nil)
				return err
			}), "index")
			if fresh[0] != fresh[1] {
				t.Errorf("IndexCase = %v; want the same for both cases", fresh)
			}
		}
		var places, profiles int64
		modeltest.Must(t, s.DB().Model(&models.CasePlace{}).Count(&places).Error, "count places")
		modeltest.Must(t, s.DB().Model(&models.CaseProfile{}).Count(&profiles).Error, "count profiles")
		if places != 2 || profiles != 2 {
			t.Errorf("indexing twice wrote %d places and %d profiles; want 2 (潇楚南路, 洋湖段) and 2", places, profiles)
		}
		if got := unindexed(road.ReceivedAt, clock.Now()); fmt.Sprint(got) != fmt.Sprint([]uint64{later.ID}) {
			t.Errorf("Unindexed after indexing = %v; want only %d", got, later.ID)
		}
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			p, ok, err := tx.CaseProfileOf(noPlace.ID)
			if err != nil {
				return err
			}
			if !ok || p != "" {
				t.Errorf("profile of a case naming no place = %q, %v; want indexed with none", p, ok)
			}
			if p, ok, err = tx.CaseProfileOf(road.ID); err == nil && (!ok || p != "p1") {
				t.Errorf("profile of %s = %q, %v; want p1 (the first indexing's)", road.No, p, ok)
			}
			if _, ok, err = tx.CaseProfileOf(later.ID); err == nil && ok {
				t.Errorf("%s is indexed; nothing indexed it", later.No)
			}
			cs, err := tx.PlacedCases(models.Cursor{}, clock.Now(), 10)
			if err == nil && (len(cs) != 1 || cs[0].ID != road.ID || cs[0].Profile != "p1") {
				t.Errorf("PlacedCases = %+v; want %s alone with its profile", cs, road.No)
			}
			return err
		}), "read the index")
	})
}

// TestSimilarCandidates: the cases naming a place, recent or still open,
// newest first, with their profiles; not the old closed ones, not the
// invalid ones, not another place's, not the case itself nor later ones.
// And a case goes into one topic only.
func TestSimilarCandidates(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 9, 1, 10, 0))
		s.Now = clock.Now
		oldOpen := placed(t, s, "oA", "潇楚南路路面塌陷", "潇楚南路")
		oldClosed := placed(t, s, "oB", "潇楚南路有坑", "潇楚南路")
		clock.Set(modeltest.At(2026, 11, 23, 9, 0))
		recent := placed(t, s, "oC", "潇楚南路洋湖段大坑", "潇楚南路", "洋湖段")
		invalid := placed(t, s, "oD", "潇楚南路测试", "潇楚南路")
		other := placed(t, s, "oE", "解放路路灯不亮", "解放路")
		clock.Add(time.Minute)
		self := placed(t, s, "oF", "洋湖段又塌了", "洋湖段")
		clock.Add(time.Minute)
		after := placed(t, s, "oG", "潇楚南路还没修", "潇楚南路")
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			if err := tx.Move(oldClosed, models.StatusInvalid, models.SystemActor, models.EventInvalid, "", nil); err != nil {
				return err
			}
			return tx.Move(invalid, models.StatusInvalid, models.SystemActor, models.EventInvalid, "", nil)
		}), "close")
		var got []models.Candidate
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			var err error
			got, err = tx.SimilarCandidates(models.SimilarQuery{Places: []string{"潇楚南路", "洋湖段"},
				Since: clock.Now().Add(-30 * 24 * time.Hour), Before: self.ID, Limit: 10})
			return err
		}), "candidates")
		var nos []string
		for _, c := range got {
			nos = append(nos, c.No)
		}
		if len(got) != 2 || got[0].ID != recent.ID || got[1].ID != oldOpen.ID || got[0].Profile != "profile of "+recent.Content {
			t.Errorf("SimilarCandidates = %v; want %s (recent, named twice, listed once, with its profile) then %s (old but open); not %s, %s, %s, %s or %s",
				nos, recent.No, oldOpen.No, oldClosed.No, invalid.No, other.No, self.No, after.No)
		}
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			var err error
			got, err = tx.SimilarCandidates(models.SimilarQuery{Places: []string{"潇楚南路", "洋湖段"},
				Since: clock.Now().Add(-30 * 24 * time.Hour), Except: self.ID, Limit: 2})
			return err
		}), "candidates")
		if len(got) != 2 || got[0].ID != after.ID || got[1].ID != recent.ID {
			t.Errorf("SimilarCandidates without Before, at most 2 = %+v; want %s then %s", got, after.No, recent.No)
		}

		topic := &models.Topic{Title: "潇楚南路 路面破损", FirstAt: clock.Now(), LastAt: clock.Now(), RaisedAt: clock.Now(), RespondBy: clock.Now().Add(24 * time.Hour)}
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			return tx.RaiseTopic(topic, []models.TopicCase{{CaseID: recent.ID, CitizenID: recent.CitizenID, ReceivedAt: recent.ReceivedAt}})
		}), "raise")
		again := &models.Topic{Title: "潇楚南路 路面破损", FirstAt: clock.Now(), LastAt: clock.Now(), RaisedAt: clock.Now(), RespondBy: clock.Now()}
		err := s.Act(ctx, func(tx *models.Tx) error {
			return tx.RaiseTopic(again, []models.TopicCase{{CaseID: oldOpen.ID, CitizenID: oldOpen.CitizenID, ReceivedAt: oldOpen.ReceivedAt},
				{CaseID: recent.ID, CitizenID: recent.CitizenID, ReceivedAt: recent.ReceivedAt}})
		})
		if err == nil {
			t.Errorf("a second topic over a case already in one was raised")
		}
		var n int64
		modeltest.Must(t, s.DB().Model(&models.Topic{}).Count(&n).Error, "count topics")
		if n != 1 {
			t.Errorf("%d topics stored; want 1 (the second rolled back)", n)
		}
	})
}

// TestRepeatReporters: the citizens with two reports or more in the week,
// cases opened and repeats linked together, most first, by alias; one
// report in the week is not enough, whatever came before or after it.
func TestRepeatReporters(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		week := models.Period{From: modeltest.At(2026, 11, 23, 0, 0), To: modeltest.At(2026, 11, 30, 0, 0)}
		clock := modeltest.NewClock(week.From.Add(-time.Hour))
		s.Now = clock.Now
		repeat := func(k *models.Case, openid string) {
			t.Helper()
			_, err := s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: fmt.Sprint(time.Now().UnixNano()), OpenID: openid, MsgType: "text", Content: k.Content},
				func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
					return models.Receipt{Outcome: "repeat", CaseID: k.ID}, tx.LinkRepeat(k, c, "mp", k.Content)
				})
			modeltest.Must(t, err, "repeat %s", k.No)
		}
		before := opened(t, s, "oE", "上周反映的路灯") // the week before
		clock.Set(week.From.Add(9 * time.Hour))
		a := opened(t, s, "oA", "解放路路灯不亮")
		opened(t, s, "oA", "解放路井盖丢失")
		b := opened(t, s, "oB", "幸福小区垃圾未清运")
		repeat(b, "oB")
		c := opened(t, s, "oC", "建设街占道经营")
		opened(t, s, "oC", "建设街夜间施工")
		opened(t, s, "oC", "建设街积水")
		opened(t, s, "oD", "人民路公交站牌损坏")
		opened(t, s, "oE", "这周反映的井盖")
		f := opened(t, s, "oF", "滨河公园排污异味")
		// An information officer's 舆情 are not a citizen's reports.
		for i, text := range []string{"解放路夜市噪音", "解放路夜市油烟"} {
			_, err := s.Receive(ctx, models.Inbound{Platform: "wecom", DedupKey: fmt.Sprint("officer-", i), OpenID: models.InformantOpenID(99), MsgType: "text", Content: text},
				func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
					k, err := tx.OpenCase(c, models.NewCase{Content: text, Kind: "一般", AckWithin: time.Hour, Platform: "wecom", Informant: &models.Member{ID: 99}})
					if err != nil {
						return models.Receipt{}, err
					}
					return models.Receipt{Outcome: "case", CaseID: k.ID}, nil
				})
			modeltest.Must(t, err, "舆情 %d", i)
		}
		clock.Set(week.To.Add(time.Hour)) // the week after
		repeat(f, "oF")
		repeat(before, "oE")

		alias := func(k *models.Case) string { return models.CitizenAlias(k.CitizenID) }
		first2 := []models.RepeatReporter{{Alias: alias(a), Reports: 2}, {Alias: alias(b), Reports: 2}}
		if a.CitizenID > b.CitizenID {
			first2[0], first2[1] = first2[1], first2[0]
		}
		tests := []struct {
			limit int
			want  []models.RepeatReporter
		}{
			{10, append([]models.RepeatReporter{{Alias: alias(c), Reports: 3}}, first2...)},
			{2, []models.RepeatReporter{{Alias: alias(c), Reports: 3}, first2[0]}},
			{0, nil},
		}
		for _, tt := range tests {
			got, err := s.RepeatReporters(ctx, week, tt.limit)
			modeltest.Must(t, err, "repeat reporters")
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("RepeatReporters(limit %d) = %v; want %v", tt.limit, got, tt.want)
			}
		}
	})
}
