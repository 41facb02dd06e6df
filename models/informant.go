package models

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/go-gormigrate/gormigrate/v2"
	"gorm.io/gorm"
)

// Information officers (舆情信息员, RoleInformant) are members of a
// village, community or enforcement brigade who report what they see and
// hear in WeCom or DingTalk: a 舆情 enters the intake like a citizen's
// report (as the reporter InformantOpenID, the case marked SourceInformant
// with the officer on it), and once a week each owes a report, a 报平安
// (nothing to report) counting as one. Each report and each 报平安 is an
// InformantReport row, which the weekly reminder and the weekly summary
// count.

// Sources of a case (Case.Source).
const (
	SourceCitizen   = ""          // a citizen, through the Official Account
	SourceInformant = "informant" // an information officer's 舆情
)

// SourceLabel is where case k came from, in Chinese: 群众 or 信息员.
func (k *Case) SourceLabel() string {
	if k.Source == SourceInformant {
		return "信息员"
	}
	return "群众"
}

// InformantOpenID is the reporter key under which member id's 舆情 enter
// the intake: one reporter row per information officer, which no Official
// Account openid can be (theirs have no colon).
func InformantOpenID(memberID uint64) string { return fmt.Sprintf("member:%d", memberID) }

// Kinds of InformantReport.
const (
	DutyReport = "report" // a 舆情 that opened or joined a case
	DutySafe   = "safe"   // 报平安: nothing to report this week
)

// InformantReport is one weekly-duty entry of an information officer: a
// 舆情 (with the case it opened or was linked to) or a 报平安.
type InformantReport struct {
	ID       uint64 `gorm:"primaryKey"`
	MemberID uint64 `gorm:"not null;index:idx_informant_report,priority:1"`
	// Kind is DutyReport or DutySafe.
	Kind   string `gorm:"size:16;not null"`
	CaseID uint64 `gorm:"not null;default:0"`
	// Note is what the officer wrote after 报平安, if anything.
	Note      string    `gorm:"size:255"`
	CreatedAt time.Time `gorm:"not null;index:idx_informant_report,priority:2"`
}

func init() {
	register(&gormigrate.Migration{
		ID: "202612170002_informants",
		Migrate: func(tx *gorm.DB) error {
			if err := tx.AutoMigrate(&InformantReport{}); err != nil {
				return fmt.Errorf("create informant_reports: %w", err)
			}
			for _, c := range []struct {
				model any
				col   string
			}{{&Member{}, "Unit"}, {&Case{}, "Source"}, {&Case{}, "InformantID"}} {
				if tx.Migrator().HasColumn(c.model, c.col) {
					continue
				}
				if err := tx.Migrator().AddColumn(c.model, c.col); err != nil {
					return fmt.Errorf("add column %s: %w", c.col, err)
				}
			}
			return nil
		},
	})
}

// AddInformantReport records an entry of the weekly duty, at the store's
// clock.
func (tx *Tx) AddInformantReport(r *InformantReport) error {
	r.ID, r.CreatedAt = 0, tx.Now()
	if err := tx.db.Create(r).Error; err != nil {
		return fmt.Errorf("record %s of informant %d: %w", r.Kind, r.MemberID, translate(err))
	}
	return nil
}

// InformantsSilentSince lists the active information officers with no
// report and no 报平安 at or after since, by id.
func (tx *Tx) InformantsSilentSince(since time.Time) ([]Member, error) {
	var out []Member
	err := tx.db.Where("role = ? AND active = ?", RoleInformant, true).
		Where("NOT EXISTS (SELECT 1 FROM informant_reports r WHERE r.member_id = members.id AND r.created_at >= ?)", since.UTC()).
		Order("id").Find(&out).Error
	if err != nil {
		return nil, fmt.Errorf("informants silent since %s: %w", since.Format(time.RFC3339), err)
	}
	return out, nil
}

// InformantFigures is one information officer's duty in a period.
type InformantFigures struct {
	MemberID   uint64
	Name, Unit string
	// Reports counts the 舆情 filed, Safe the 报平安.
	Reports, Safe int64
}

// Silent reports whether the officer filed nothing in the period.
func (f InformantFigures) Silent() bool { return f.Reports == 0 && f.Safe == 0 }

// InformantDuty lists every active information officer with what they
// filed in p, by unit and name.
func (s *Store) InformantDuty(ctx context.Context, p Period) ([]InformantFigures, error) {
	db := s.db.WithContext(ctx)
	var ms []Member
	if err := db.Where("role = ? AND active = ?", RoleInformant, true).Order("id").Find(&ms).Error; err != nil {
		return nil, fmt.Errorf("informants: %w", err)
	}
	// By unit and name in Go: the databases' collations order Chinese
	// differently.
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Unit != ms[j].Unit {
			return ms[i].Unit < ms[j].Unit
		}
		return ms[i].Name < ms[j].Name
	})
	if len(ms) == 0 {
		return nil, nil
	}
	var counts []struct {
		MemberID uint64
		Kind     string
		N        int64
	}
	err := db.Model(&InformantReport{}).Select("member_id, kind, COUNT(*) AS n").
		Where("created_at >= ? AND created_at < ?", p.From.UTC(), p.To.UTC()).
		Group("member_id, kind").Scan(&counts).Error
	if err != nil {
		return nil, fmt.Errorf("informant reports %s: %w", p.ISOWeek(), err)
	}
	at := make(map[uint64]int, len(ms))
	out := make([]InformantFigures, len(ms))
	for i, m := range ms {
		at[m.ID] = i
		out[i] = InformantFigures{MemberID: m.ID, Name: m.Name, Unit: m.Unit}
	}
	for _, c := range counts {
		i, ok := at[c.MemberID]
		if !ok {
			continue // an officer no longer listed
		}
		switch c.Kind {
		case DutyReport:
			out[i].Reports += c.N
		case DutySafe:
			out[i].Safe += c.N
		}
	}
	return out, nil
}
