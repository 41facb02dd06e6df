package models_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// row reads one row of table as column → value, for comparing rows.
func row(t *testing.T, s *models.Store, table string, id uint64) map[string]any {
	t.Helper()
	var m map[string]any
	modeltest.Must(t, s.DB().Table(table).Where("id = ?", id).Take(&m).Error, "read %s %d", table, id)
	return m
}

// sameRow reports the columns where got and want differ, skipping skip.
func sameRow(t *testing.T, what string, got, want map[string]any, skip ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d columns; want %d", what, len(got), len(want))
	}
	for col, w := range want {
		if contains(skip, col) {
			continue
		}
		if g := got[col]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s.%s = %#v; gorm writes %#v", what, col, g, w)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The intake writes its rows with plain SQL (it runs while the day's case
// number is held); each row must be the one gorm's Create writes for the
// same values: no column missed, NULL where gorm writes NULL and an empty
// string where it writes one. A field added to Case, CaseEvent, Outbox or InboundMessage
// without its column in those statements fails here.
func TestIntakeRowsAsGormWritesThem(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0))
		s.Now = clock.Now
		const text = "解放路的路灯不亮了好几天"
		var (
			k      *models.Case
			c      *models.Citizen
			events [2]uint64
		)
		r, err := s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: "m1", OpenID: "oRaw", MsgType: "text", Content: text},
			func(tx *models.Tx, cz *models.Citizen) (models.Receipt, error) {
				var err error
				if k, err = tx.OpenCase(cz, models.NewCase{Content: text, Kind: "一般", AckWithin: 24 * time.Hour, Platform: "mp"}); err != nil {
					return models.Receipt{}, err
				}
				c = cz
				// The same entry through gorm (Record), to compare with OpenCase's.
				if err := tx.Record(k, models.CitizenActor(cz, "mp"), models.EventReceived, "", models.StatusReceived, text); err != nil {
					return models.Receipt{}, err
				}
				// The same card through EnqueueAll (plain SQL) and Enqueue (gorm).
				for _, key := range []string{"raw", "gorm"} {
					o := &models.Outbox{Platform: "wecom", Target: "member:1", Kind: "new_case", Payload: `{"kind":"card"}`,
						CaseID: k.ID, DedupKey: key, Ref: "new_case-1-abc", ResponseCode: "rc", LastError: "le"}
					if key == "raw" {
						err = tx.EnqueueAll([]*models.Outbox{o})
					} else {
						err = tx.Enqueue(o)
					}
					if err != nil {
						return models.Receipt{}, err
					}
				}
				return models.Receipt{Reply: "编号" + k.No, Outcome: "case", CaseID: k.ID}, nil
			})
		modeltest.Must(t, err, "receive")
		if r.Reply != "编号20261123001" {
			t.Fatalf("reply %q; want 编号20261123001", r.Reply)
		}

		twin := models.Case{No: "twin", CitizenID: k.CitizenID, Content: k.Content, ContentHash: k.ContentHash, Status: k.Status,
			Severity: k.Severity, Kind: k.Kind, ReceivedAt: k.ReceivedAt, AckDueAt: k.AckDueAt, CreatedAt: k.CreatedAt, UpdatedAt: k.UpdatedAt}
		modeltest.Must(t, s.DB().Create(&twin).Error, "gorm case")
		got := row(t, s, "cases", k.ID)
		if got["no"] == nil || fmt.Sprintf("%s", got["no"]) != "20261123001" {
			t.Errorf("cases.no = %#v; want 20261123001", got["no"])
		}
		sameRow(t, "cases", got, row(t, s, "cases", twin.ID), "id", "no")

		evs, err := s.Events(ctx, k.ID)
		modeltest.Must(t, err, "events")
		if len(evs) != 2 {
			t.Fatalf("%d events; want OpenCase's and Record's", len(evs))
		}
		events[0], events[1] = evs[0].ID, evs[1].ID
		sameRow(t, "case_events", row(t, s, "case_events", events[0]), row(t, s, "case_events", events[1]), "id")
		if evs[0].ActorName != c.Alias || c.Alias != models.CitizenAlias(c.ID) {
			t.Errorf("event by %q; want the citizen's alias %q", evs[0].ActorName, models.CitizenAlias(c.ID))
		}

		out, err := s.OutboxByCase(ctx, k.ID)
		modeltest.Must(t, err, "outbox")
		if len(out) != 2 {
			t.Fatalf("%d outbox rows; want 2", len(out))
		}
		sameRow(t, "outboxes", row(t, s, "outboxes", out[0].ID), row(t, s, "outboxes", out[1].ID), "id", "dedup_key")

		var in models.InboundMessage
		modeltest.Must(t, s.DB().Where("dedup_key = ?", "m1").Take(&in).Error, "inbound")
		in2 := models.InboundMessage{Platform: "mp", DedupKey: "twin", CitizenID: c.ID, MsgType: "text", Content: text,
			Outcome: "case", CaseID: k.ID, Reply: r.Reply, CreatedAt: in.CreatedAt}
		modeltest.Must(t, s.DB().Create(&in2).Error, "gorm inbound")
		sameRow(t, "inbound_messages", row(t, s, "inbound_messages", in.ID), row(t, s, "inbound_messages", in2.ID), "id", "dedup_key")
		if in.Outcome != "case" || in.CitizenID != c.ID || in.CaseID != k.ID || in.Reply != r.Reply {
			t.Errorf("inbound = %+v; want outcome case, citizen %d, case %d, the reply", in, c.ID, k.ID)
		}
	})
}

// EnqueueAll writes several messages in one statement; one whose dedup key
// is already queued is skipped, as Enqueue skips it, and the rest still go.
func TestEnqueueAll(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		msg := func(key string) *models.Outbox {
			return &models.Outbox{Platform: "wecom", Target: "member:" + key, Kind: "new_case", Payload: "{}", CaseID: 7, DedupKey: key}
		}
		tests := []struct {
			name  string
			batch []string
			want  []string // dedup keys in the outbox afterwards
		}{
			{"three at once", []string{"a", "b", "c"}, []string{"a", "b", "c"}},
			{"one already queued", []string{"d", "b", "e"}, []string{"a", "b", "c", "d", "e"}},
			{"none", nil, []string{"a", "b", "c", "d", "e"}},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := s.Once(ctx, "wecom", fmt.Sprint("batch-", i), "command", "", func(tx *models.Tx) (string, error) {
					var msgs []*models.Outbox
					for _, k := range tt.batch {
						msgs = append(msgs, msg(k))
					}
					return "", tx.EnqueueAll(msgs)
				})
				modeltest.Must(t, err, "enqueue %v", tt.batch)
				out, err := s.OutboxByCase(ctx, 7)
				modeltest.Must(t, err, "outbox")
				var keys []string
				for _, o := range out {
					keys = append(keys, o.DedupKey)
					if o.Status != models.OutboxPending || o.Attempts != 0 || !o.NextAttemptAt.Equal(o.CreatedAt) {
						t.Errorf("message %s: status %s, %d attempts, due %v; want pending, 0, due at once", o.DedupKey, o.Status, o.Attempts, o.NextAttemptAt)
					}
				}
				if fmt.Sprint(keys) != fmt.Sprint(tt.want) {
					t.Errorf("outbox = %v; want %v", keys, tt.want)
				}
			})
		}
	})
}

// The dispatchers and units a new case reads are kept between changes of
// the organisation; every change through the store is seen by the next
// intake: a new dispatcher, one gone, a unit moved to DingTalk.
func TestDirectoryFollowsOrgChanges(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		deps := []models.Department{{Code: "cg", Name: "县城市管理局", Platform: "wecom"}}
		d1 := models.Member{Name: "王问政", UserID: "d1", Platform: "wecom", Role: models.RoleDispatcher}
		d2 := models.Member{Name: "李问政", UserID: "d2", Platform: "wecom", Role: models.RoleDispatcher}
		officer := models.Member{Name: "赵承办", UserID: "o1", Platform: "wecom", Role: models.RoleOfficer}
		seen := func(key string) string {
			t.Helper()
			var got string
			_, err := s.Receive(ctx, models.Inbound{Platform: "mp", DedupKey: key, OpenID: "oDir", MsgType: "text", Content: "x"},
				func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
					d, err := tx.Directory()
					if err != nil {
						return models.Receipt{}, err
					}
					for _, m := range d.Dispatchers {
						got += m.UserID + "@" + string(m.Platform) + " "
					}
					for _, u := range d.Departments {
						got += u.Code + "@" + string(u.Platform) + " "
					}
					return models.Receipt{Outcome: "help"}, nil
				})
			modeltest.Must(t, err, "receive %s", key)
			return got
		}
		steps := []struct {
			name   string
			change func() error
			want   string
		}{
			{"first read", func() error {
				return s.SyncOrg(ctx, deps, []models.Member{d1, officer}, []string{"", "cg"})
			}, "d1@wecom cg@wecom "},
			{"unchanged", func() error { return nil }, "d1@wecom cg@wecom "},
			{"dispatcher added", func() error {
				return s.SyncOrg(ctx, deps, []models.Member{d1, d2, officer}, []string{"", "", "cg"})
			}, "d1@wecom d2@wecom cg@wecom "},
			{"dispatcher moved", func() error { return s.SetMemberPlatform(ctx, "d2", models.PlatformDingTalk) }, "d1@wecom d2@dingtalk cg@wecom "},
			{"unit moved", func() error {
				_, err := s.SetUnitPlatform(ctx, "cg", models.PlatformDingTalk, "", "")
				return err
			}, "d1@wecom d2@dingtalk cg@dingtalk "},
			{"dispatcher gone", func() error {
				return s.SyncOrg(ctx, deps, []models.Member{d2, officer}, []string{"", "cg"})
			}, "d2@wecom cg@wecom "},
		}
		for i, st := range steps {
			modeltest.Must(t, st.change(), "%s", st.name)
			if got := seen(fmt.Sprint("dir-", i)); got != st.want {
				t.Errorf("%s: directory %q; want %q", st.name, got, st.want)
			}
		}
	})
}
