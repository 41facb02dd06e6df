package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"minsheng/bot"
	"minsheng/models"
	"minsheng/reports"
)

// reportAttachMax is the largest workbook sent as a file message: WeCom takes
// files up to 20 MB, but the outbox row carries it in base64 (MEDIUMTEXT,
// 16 MB on MySQL). A larger one stays on disk and the note says where.
const reportAttachMax = 10 << 20

// Monthly is the monthly report job (monthly_report, 月报): the workbook of
// the month before, made once by Workbook, goes to every dispatcher as a
// file message with a note of the totals.
type Monthly struct {
	// Workbook makes and records the report; a report on demand (minsheng
	// report) uses it too.
	Workbook *reports.Monthly
}

func (m *Monthly) log() *slog.Logger {
	if m.Workbook.Logger != nil {
		return m.Workbook.Logger
	}
	return slog.Default()
}

// Run makes the report of the month before now — once: a rerun finds the
// recorded workbook and sends nothing twice (dedup keys
// monthly:<YYYY-MM>:member:<id>[:file]).
func (m *Monthly) Run(ctx context.Context, now time.Time) error {
	r := m.Workbook
	is, err := r.Scheduled(ctx, now)
	if err != nil {
		return err
	}
	month := is.Report.Month
	fits := len(is.Data) <= reportAttachMax
	queued := 0
	err = r.Store.Act(ctx, func(tx *models.Tx) error {
		dispatchers, err := tx.MembersWithRole(0, models.RoleDispatcher)
		if err != nil {
			return err
		}
		for _, d := range dispatchers {
			key := fmt.Sprintf("monthly:%s:member:%d", month, d.ID)
			target := models.MemberTarget(d.ID)
			attach := d.Platform.Files() && fits // where files cannot go, the note says where it is
			ok, err := queueMessage(tx, d.Platform, target, "monthly_report", key, bot.Outgoing{Kind: bot.KindMarkdown, Text: r.Note(is, attach)})
			if err != nil {
				return err
			}
			if ok {
				queued++
			}
			if !attach {
				continue
			}
			ok, err = queueMessage(tx, d.Platform, target, "monthly_report_file", key+":file",
				bot.Outgoing{Kind: bot.KindFile, File: &bot.File{Name: reports.FileName(month), Data: is.Data}})
			if err != nil {
				return err
			}
			if ok {
				queued++
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("monthly report %s: %w", month, err)
	}
	m.log().InfoContext(ctx, "monthly report", "month", month, "path", is.Report.Path, "queued", queued)
	return nil
}
