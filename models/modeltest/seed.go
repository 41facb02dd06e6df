package modeltest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minsheng/models"
)

// SeedCase is a case written straight into the tables, as it would stand
// after its history, for tests of statistics and reports.
type SeedCase struct {
	No       string
	Received time.Time
	Status   models.Status
	// Lead is the code of the unit that leads the case now ("" for none);
	// it was given the case an hour after it was received.
	Lead string
	// Returned are codes of units that led the case before and returned it.
	Returned []string
	// Due and Answered are the deadline and when the answer was given.
	Due, Answered *time.Time
	// Rating is 满意, 基本满意 or 不满意 ("" for not rated).
	Rating string
	// Content is the problem text; a placeholder when empty.
	Content    string
	Extensions []SeedExtension
}

// SeedExtension is an extension request on a seeded case.
type SeedExtension struct {
	Dept  string // the requesting unit's code
	State string // models.ExtensionRequested, …Approved or …Rejected
}

// P returns a pointer to t.
func P(t time.Time) *time.Time { return &t }

// SeedCases writes cases and their units, extensions and one citizen (the
// reporter of them all) into s. The departments must exist already (SyncOrg).
func SeedCases(t testing.TB, s *models.Store, cases ...SeedCase) {
	t.Helper()
	ctx := context.Background()
	deps, err := s.Departments(ctx)
	Must(t, err, "departments")
	ids := map[string]uint64{}
	for _, d := range deps {
		ids[d.Code] = d.ID
	}
	dept := func(code string) uint64 {
		id, ok := ids[code]
		if !ok {
			t.Fatalf("seed: no department %q", code)
		}
		return id
	}
	db := s.DB().WithContext(ctx)
	cit := models.Citizen{OpenID: "o-seed-reporter", Alias: "群众SEED0", Name: "张三", Phone: "13800138000"}
	Must(t, db.Where("open_id = ?", cit.OpenID).FirstOrCreate(&cit).Error, "seed citizen")
	for _, c := range cases {
		content := c.Content
		if content == "" {
			content = "测试问题：路灯不亮，请尽快维修"
		}
		k := models.Case{
			No: c.No, CitizenID: cit.ID, Content: content, ContentHash: models.TextHash(content),
			Status: c.Status, Severity: models.SeverityGeneral, Kind: "一般",
			ReceivedAt: c.Received.UTC(), AckDueAt: c.Received.UTC().Add(24 * time.Hour),
			DueAt: utc(c.Due), AnsweredAt: utc(c.Answered), Rating: c.Rating,
			CreatedAt: c.Received.UTC(), UpdatedAt: c.Received.UTC(),
		}
		if c.Rating != "" && c.Answered != nil {
			k.RatedAt = P(c.Answered.UTC().Add(time.Hour))
		}
		if c.Lead != "" {
			id := dept(c.Lead)
			k.LeadDeptID = &id
		}
		Must(t, db.Create(&k).Error, "seed case %s", c.No)
		at := c.Received.UTC().Add(time.Hour)
		for _, r := range c.Returned {
			u := models.CaseUnit{CaseID: k.ID, DepartmentID: dept(r), Role: models.UnitLead, State: models.UnitReturned, CreatedAt: at, UpdatedAt: at}
			Must(t, db.Create(&u).Error, "seed returned unit of %s", c.No)
			at = at.Add(time.Hour)
		}
		if c.Lead != "" {
			u := models.CaseUnit{CaseID: k.ID, DepartmentID: dept(c.Lead), Role: models.UnitLead, State: models.UnitAccepted, Active: true, CreatedAt: at, UpdatedAt: at}
			Must(t, db.Create(&u).Error, "seed lead unit of %s", c.No)
		}
		for _, e := range c.Extensions {
			x := models.Extension{CaseID: k.ID, DepartmentID: dept(e.Dept), Workdays: 3, Reason: "需要现场核实", State: e.State, CreatedAt: at}
			Must(t, db.Create(&x).Error, "seed extension of %s", c.No)
		}
	}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// SeedOrg writes the three units the seeded months use (cg 县城市管理局, zj
// 县住房和城乡建设局, hb 县生态环境分局, all on WeCom with robots key-cg,
// key-zj, key-hb), a dispatcher (dispatcher1), the heads of cg and zj and a
// leader.
func SeedOrg(t testing.TB, s *models.Store) {
	t.Helper()
	deps := []models.Department{
		{Code: "cg", Name: "县城市管理局", Platform: models.PlatformWeCom, WeComRobotKey: "key-cg"},
		{Code: "zj", Name: "县住房和城乡建设局", Platform: models.PlatformWeCom, WeComRobotKey: "key-zj"},
		{Code: "hb", Name: "县生态环境分局", Platform: models.PlatformWeCom, WeComRobotKey: "key-hb"},
	}
	members := []models.Member{
		{Name: "王问政", UserID: "dispatcher1", Platform: models.PlatformWeCom, Role: models.RoleDispatcher},
		{Name: "赵局长", UserID: "cg-head", Platform: models.PlatformWeCom, Role: models.RoleHead},
		{Name: "周局长", UserID: "zj-head", Platform: models.PlatformWeCom, Role: models.RoleHead},
		{Name: "陈县长", UserID: "leader1", Platform: models.PlatformWeCom, Role: models.RoleLeader},
	}
	Must(t, s.SyncOrg(context.Background(), deps, members, []string{"", "cg", "zj", ""}), "seed org")
}

// SeedNovember2026 writes November 2026 (Asia/Shanghai) after SeedOrg: 18
// cases received in the month, two October cases and one of 1 December.
// Seen at 2026-12-01 09:00 the month stands, by hand:
//
//	cg: received 12 (10 it leads + 2 it returned), valid 11 (one returned
//	    case was then marked invalid), assigned 10, answered 9 (one late,
//	    answered 1 Dec 08:00), on time 8, overdue now 2 (one November case,
//	    one October case), extensions requested 2 (one approved; a request by
//	    hb on a cg case is hb's, not cg's), rated 6, satisfied 5
//	    (4 满意, 1 基本满意, 1 不满意); answers given in November 9 (8 of the
//	    month's cases and the October case 20261025001).
//	zj: received 4, valid 4, assigned 4 (one returned by cg), answered 4,
//	    on time 4, overdue 0, rated 0; answers given in November 4.
//	hb: nothing.
//	intake: received 18 = valid 14 + invalid 2 + duplicate 1 + waiting 1.
//
// The longest overdue cases at that moment: 20261020001 (cg, due 30 Oct),
// then 20261102010 (cg, due 25 Nov).
func SeedNovember2026(t testing.TB, s *models.Store) {
	t.Helper()
	day := func(d, h int) time.Time { return At(2026, 11, d, h, 0) }
	var cases []SeedCase
	// cg's ten: eight answered on time (the first six rated), one late, one open.
	ratings := []string{"满意", "满意", "满意", "满意", "基本满意", "不满意", "", ""}
	for i := 0; i < 8; i++ {
		cases = append(cases, SeedCase{
			No: fmt.Sprintf("202611%02d%03d", 2+i%7, i+1), Received: day(2+i%7, 10), Status: models.StatusAnswered,
			Lead: "cg", Due: P(day(20, 17)), Answered: P(day(10+i, 15)), Rating: ratings[i],
		})
	}
	cases = append(cases,
		SeedCase{No: "20261102009", Received: day(2, 11), Status: models.StatusAnswered, Lead: "cg",
			Due: P(day(24, 17)), Answered: P(At(2026, 12, 1, 8, 0)),
			Extensions: []SeedExtension{{Dept: "cg", State: models.ExtensionApproved}, {Dept: "hb", State: models.ExtensionApproved}}},
		SeedCase{No: "20261102010", Received: day(2, 12), Status: models.StatusHandling, Lead: "cg",
			Due: P(day(25, 17)), Extensions: []SeedExtension{{Dept: "cg", State: models.ExtensionRejected}}},
	)
	// zj's three, and one cg returned to the dispatcher who gave it to zj.
	for i := 1; i <= 3; i++ {
		cases = append(cases, SeedCase{
			No: fmt.Sprintf("20261112%03d", i), Received: day(12, 9+i), Status: models.StatusClosed,
			Lead: "zj", Due: P(day(23, 17)), Answered: P(day(16, 10+i)),
		})
	}
	cases = append(cases,
		SeedCase{No: "20261110001", Received: day(10, 9), Status: models.StatusAnswered, Lead: "zj", Returned: []string{"cg"},
			Due: P(day(20, 17)), Answered: P(day(19, 9))},
		// cg returned it; the dispatcher then found it invalid.
		SeedCase{No: "20261111001", Received: day(11, 9), Status: models.StatusInvalid, Returned: []string{"cg"}},
		SeedCase{No: "20261113001", Received: day(13, 9), Status: models.StatusDuplicate},
		SeedCase{No: "20261114001", Received: day(14, 9), Status: models.StatusInvalid},
		SeedCase{No: "20261130001", Received: day(30, 22), Status: models.StatusReceived},
		// October: one still open, one answered in November.
		SeedCase{No: "20261020001", Received: At(2026, 10, 20, 9, 0), Status: models.StatusHandling, Lead: "cg",
			Due: P(At(2026, 10, 30, 17, 30))},
		SeedCase{No: "20261025001", Received: At(2026, 10, 25, 9, 0), Status: models.StatusAnswered, Lead: "cg",
			Due: P(At(2026, 11, 5, 17, 30)), Answered: P(day(3, 10))},
		// December: not November's, not overdue.
		SeedCase{No: "20261201001", Received: At(2026, 12, 1, 8, 30), Status: models.StatusAssigned, Lead: "cg",
			Due: P(At(2026, 12, 10, 17, 30))},
	)
	SeedCases(t, s, cases...)
}
