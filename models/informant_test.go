package models_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minsheng/models"
	"minsheng/models/modeltest"
)

// informants syncs an organisation of a dispatcher and three information
// officers (two in 洋湖社区, one in 执法一中队) and returns the officers by
// user id.
func informants(t *testing.T, s *models.Store) map[string]*models.Member {
	t.Helper()
	ctx := context.Background()
	modeltest.Must(t, s.SyncOrg(ctx, nil, []models.Member{
		{Name: "王问政", UserID: "d1", Platform: "wecom", Role: models.RoleDispatcher},
		{Name: "刘信息", UserID: "i1", Platform: "wecom", Role: models.RoleInformant, Unit: "潇楚街道洋湖社区"},
		{Name: "陈信息", UserID: "i2", Platform: "dingtalk", Role: models.RoleInformant, Unit: "潇楚街道洋湖社区"},
		{Name: "马信息", UserID: "i3", Platform: "wecom", Role: models.RoleInformant, Unit: "城管执法一中队"},
	}, nil), "org")
	out := map[string]*models.Member{}
	modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
		for _, u := range []struct {
			p  models.Platform
			id string
		}{{"wecom", "i1"}, {"dingtalk", "i2"}, {"wecom", "i3"}} {
			m, err := tx.Member(u.p, u.id)
			if err != nil {
				return err
			}
			out[u.id] = m
		}
		return nil
	}), "members")
	return out
}

// An information officer's 舆情 opens a case through the one intake, marked
// 信息员 with the officer on it and their name on its first entry; the
// reporter row is the officer's own, not a citizen's.
func TestInformantCaseThroughTheIntake(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		s.Now = modeltest.NewClock(modeltest.At(2026, 11, 23, 9, 0)).Now
		m := informants(t, s)["i1"]
		const text = "潇楚南路洋湖段路面塌陷，已有车辆陷入"
		r, err := s.Receive(ctx, models.Inbound{Platform: "wecom", DedupKey: "msg:1", OpenID: models.InformantOpenID(m.ID), MsgType: "text", Content: text},
			func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
				c.ReportAs(m)
				k, err := tx.OpenCase(c, models.NewCase{Content: text, Kind: "一般", AckWithin: 24 * time.Hour, Platform: "wecom", Informant: m})
				if err != nil {
					return models.Receipt{}, err
				}
				if err := tx.AddInformantReport(&models.InformantReport{MemberID: m.ID, Kind: models.DutyReport, CaseID: k.ID}); err != nil {
					return models.Receipt{}, err
				}
				return models.Receipt{Reply: "编号" + k.No, Outcome: "case", CaseID: k.ID}, nil
			})
		modeltest.Must(t, err, "receive")
		k, err := s.CaseByNo(ctx, r.CaseNo)
		modeltest.Must(t, err, "case %s", r.CaseNo)
		if k.Source != models.SourceInformant || k.InformantID == nil || *k.InformantID != m.ID || k.SourceLabel() != "信息员" {
			t.Errorf("case source %q, informant %v, label %q; want informant %d, 信息员", k.Source, k.InformantID, k.SourceLabel(), m.ID)
		}
		ev, err := s.Events(ctx, k.ID)
		modeltest.Must(t, err, "events")
		if len(ev) != 1 || ev[0].ActorKind != models.ActorMember || ev[0].ActorID != m.ID || ev[0].ActorName != "刘信息" {
			t.Errorf("first entries %+v; want one by the member 刘信息", ev)
		}
		var c models.Citizen
		modeltest.Must(t, s.DB().First(&c, k.CitizenID).Error, "reporter")
		if c.OpenID != fmt.Sprintf("member:%d", m.ID) {
			t.Errorf("reporter key %q; want member:%d", c.OpenID, m.ID)
		}

		// A citizen's case is marked as before.
		no := openCase(t, s, "m2", "oCitizen", "人民路井盖丢了").CaseNo
		k2, err := s.CaseByNo(ctx, no)
		modeltest.Must(t, err, "case %s", no)
		if k2.Source != models.SourceCitizen || k2.InformantID != nil || k2.SourceLabel() != "群众" {
			t.Errorf("citizen's case source %q, informant %v; want none", k2.Source, k2.InformantID)
		}
	})
}

// The weekly duty: the silent officers since a time, and each officer's
// reports and 报平安 in a week (the week's bounds in the store's zone).
func TestInformantDuty(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		ctx := context.Background()
		clock := modeltest.NewClock(modeltest.At(2026, 11, 22, 23, 30)) // the Sunday before
		s.Now = clock.Now
		ms := informants(t, s)
		add := func(id, kind string) {
			t.Helper()
			modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) error {
				return tx.AddInformantReport(&models.InformantReport{MemberID: ms[id].ID, Kind: kind})
			}), "add %s of %s", kind, id)
		}
		add("i3", models.DutySafe) // last week's
		clock.Set(modeltest.At(2026, 11, 23, 0, 0))
		add("i1", models.DutyReport)
		clock.Add(time.Hour)
		add("i1", models.DutyReport)
		add("i2", models.DutySafe)
		clock.Set(modeltest.At(2026, 11, 30, 0, 0)) // next week's
		add("i2", models.DutyReport)

		week := models.WeekPeriod(modeltest.At(2026, 11, 25, 12, 0), modeltest.Shanghai)
		silent := func(since time.Time) string {
			t.Helper()
			var ms []models.Member
			modeltest.Must(t, s.Act(ctx, func(tx *models.Tx) (err error) {
				ms, err = tx.InformantsSilentSince(since)
				return err
			}), "silent")
			var names []string
			for _, m := range ms {
				names = append(names, m.Name)
			}
			return fmt.Sprint(names)
		}
		if got := silent(week.From); got != "[马信息]" {
			t.Errorf("silent since Monday 00:00: %s; want [马信息] (his 报平安 was the Sunday before)", got)
		}
		if got := silent(modeltest.At(2026, 11, 23, 1, 30)); got != "[刘信息 马信息]" {
			t.Errorf("silent since Monday 01:30: %s; want [刘信息 马信息] (陈信息 reported the next Monday)", got)
		}

		got, err := s.InformantDuty(ctx, week)
		modeltest.Must(t, err, "duty")
		want := []models.InformantFigures{
			{MemberID: ms["i3"].ID, Name: "马信息", Unit: "城管执法一中队"},
			{MemberID: ms["i1"].ID, Name: "刘信息", Unit: "潇楚街道洋湖社区", Reports: 2},
			{MemberID: ms["i2"].ID, Name: "陈信息", Unit: "潇楚街道洋湖社区", Safe: 1},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("InformantDuty(%s) = %+v; want %+v", week.ISOWeek(), got, want)
		}
		if !got[0].Silent() || got[1].Silent() || got[2].Silent() {
			t.Errorf("silent = %v %v %v; want only 马信息", got[0].Silent(), got[1].Silent(), got[2].Silent())
		}
	})
}

// TestInformantsMigrationOnAnOlderDatabase undoes what
// 202612170002_informants adds, as on a database made before it, and
// migrates again.
func TestInformantsMigrationOnAnOlderDatabase(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		m := s.DB().Migrator()
		modeltest.Must(t, m.DropTable(&models.InformantReport{}), "drop informant_reports")
		for _, c := range []struct {
			model any
			col   string
		}{{&models.Member{}, "Unit"}, {&models.Case{}, "Source"}, {&models.Case{}, "InformantID"}} {
			modeltest.Must(t, m.DropColumn(c.model, c.col), "drop %s", c.col)
		}
		modeltest.Must(t, s.DB().Exec("DELETE FROM migrations WHERE id = ?", "202612170002_informants").Error, "forget the migration")
		modeltest.Must(t, s.Migrate(context.Background()), "migrate again")
		if !m.HasTable(&models.InformantReport{}) || !m.HasColumn(&models.Member{}, "Unit") ||
			!m.HasColumn(&models.Case{}, "Source") || !m.HasColumn(&models.Case{}, "InformantID") {
			t.Errorf("after migrating: informant_reports %v, members.unit %v, cases.source %v, cases.informant_id %v",
				m.HasTable(&models.InformantReport{}), m.HasColumn(&models.Member{}, "Unit"),
				m.HasColumn(&models.Case{}, "Source"), m.HasColumn(&models.Case{}, "InformantID"))
		}
		// A citizen's case still opens, its source empty.
		no := openCase(t, s, "m1", "oCitizen", "人民路井盖丢了").CaseNo
		k, err := s.CaseByNo(context.Background(), no)
		modeltest.Must(t, err, "case")
		if k.Source != models.SourceCitizen {
			t.Errorf("source %q after migrating; want empty", k.Source)
		}
	})
}
