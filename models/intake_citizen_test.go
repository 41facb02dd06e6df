package models_test

import (
	"context"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// The intake finds a citizen who wrote before, in the one round trip of the
// upsert: the same id and alias, the contact details they gave, their
// cases (for the hourly limit and repeated reports); a new citizen has none.
func TestReceiveKnowsAReturningCitizen(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		first := openCase(t, s, "m1", "o-return", "解放路路灯不亮")
		var id uint64
		modeltest.Must(t, s.DB().Raw("SELECT citizen_id FROM cases WHERE id = ?", first.CaseID).Scan(&id).Error, "citizen of case")
		modeltest.Must(t, s.DB().Exec("UPDATE citizens SET name = ?, phone = ? WHERE id = ?", "张三", "13800001111", id).Error, "contact")

		type seen struct {
			id            uint64
			alias         string
			name, phone   string
			opened        int64
			sameText      bool
			lastMessageAt time.Time
		}
		look := func(key, openid string) seen {
			var got seen
			_, err := s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: key, OpenID: openid, MsgType: "text", Content: "解放路路灯不亮"},
				func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
					n, err := tx.CasesOpenedSince(c, s.Now().Add(-time.Hour))
					if err != nil {
						return models.Receipt{}, err
					}
					_, err = tx.SameTextSince(c, "解放路路灯不亮", s.Now().Add(-time.Hour))
					got = seen{c.ID, c.Alias, c.Name, c.Phone, n, err == nil, c.LastMessageAt}
					return models.Receipt{Reply: "ok", Outcome: "query"}, nil
				})
			modeltest.Must(t, err, "receive %s", key)
			return got
		}
		again := look("m2", "o-return")
		if again.id != id || again.alias != models.CitizenAlias(id) || again.name != "张三" || again.phone != "13800001111" {
			t.Errorf("returning citizen = %+v; want id %d, alias %s, 张三, 13800001111", again, id, models.CitizenAlias(id))
		}
		if again.opened != 1 || !again.sameText {
			t.Errorf("returning citizen: %d cases in the hour, same text found %v; want 1 and true", again.opened, again.sameText)
		}
		if again.lastMessageAt.IsZero() {
			t.Error("returning citizen: last message time not set")
		}
		fresh := look("m3", "o-new")
		if fresh.id == id || fresh.opened != 0 || fresh.sameText || fresh.name != "" {
			t.Errorf("new citizen = %+v; want another id, no cases, no contact", fresh)
		}
		var last time.Time
		modeltest.Must(t, s.DB().Raw("SELECT last_message_at FROM citizens WHERE id = ?", id).Scan(&last).Error, "last message")
		if last.Before(s.Now().Add(-time.Minute)) {
			t.Errorf("citizens.last_message_at = %v; want the second message's time", last)
		}
	})
}
