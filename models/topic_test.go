package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// placed opens a case of citizen openid naming places, received at the
// store clock; the case.
func placed(t *testing.T, s *models.Store, openid, text string, places ...string) *models.Case {
	t.Helper()
	var k *models.Case
	_, err := s.Receive(context.Background(), models.Inbound{Platform: "mp", DedupKey: fmt.Sprint(time.Now().UnixNano()), OpenID: openid, MsgType: "text", Content: text},
		func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
			var err error
			k, err = tx.OpenCase(c, models.NewCase{Content: text, Kind: "一般", AckWithin: 24 * time.Hour, Platform: "mp"})
			if err == nil {
				err = tx.AddPlacesForTest(k, places)
			}
			if err != nil {
				return models.Receipt{}, err
			}
			return models.Receipt{Outcome: "case", CaseID: k.ID}, nil
		})
	modeltest.Must(t, err, "open %q", text)
	return k
}

// TestSimilarCandidates: the cases naming a place, recent or still open,
// newest first; not the old closed ones, not the invalid ones, not another
// place's. And a case goes into one topic only.
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
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			if err := tx.Move(oldClosed, models.StatusInvalid, models.SystemActor, models.EventInvalid, "", nil); err != nil {
				return err
			}
			return tx.Move(invalid, models.StatusInvalid, models.SystemActor, models.EventInvalid, "", nil)
		}), "close")
		var got []models.Candidate
		modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
			var err error
			got, err = tx.SimilarCandidates([]string{"潇楚南路", "洋湖段"}, clock.Now().Add(-30*24*time.Hour), 10)
			return err
		}), "candidates")
		var nos []string
		for _, c := range got {
			nos = append(nos, c.No)
		}
		if len(got) != 2 || got[0].ID != recent.ID || got[1].ID != oldOpen.ID {
			t.Errorf("SimilarCandidates = %v; want %s (recent, named twice, listed once) then %s (old but open); not %s, %s or %s",
				nos, recent.No, oldOpen.No, oldClosed.No, invalid.No, other.No)
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
