package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"minsheng/models"
)

// MissingCalendarYears lists the years whose holiday notice the deadlines
// will soon need and the calendar lacks: the year of now always, and the
// next year from month/day on (1 November: the State Council publishes the
// notice in November).
func (b *Bot) MissingCalendarYears(now time.Time, month time.Month, day int) []int {
	now = now.In(b.Location())
	var out []int
	if !b.Calendar.HasYear(now.Year()) {
		out = append(out, now.Year())
	}
	if int(now.Month())*100+now.Day() >= int(month)*100+day && !b.Calendar.HasYear(now.Year()+1) {
		out = append(out, now.Year()+1)
	}
	return out
}

// WarnCalendar tells the dispatchers, with one card each per day, that the
// holiday notice of a year the deadlines need is missing (see
// MissingCalendarYears) and must be added to calendar.years in config.yaml.
// Run twice on one day it queues nothing more. It returns the missing years.
func (b *Bot) WarnCalendar(ctx context.Context, now time.Time, month time.Month, day int) ([]int, error) {
	missing := b.MissingCalendarYears(now, month, day)
	if len(missing) == 0 {
		return nil, nil
	}
	years := make([]string, len(missing))
	for i, y := range missing {
		years[i] = fmt.Sprint(y)
	}
	list := strings.Join(years, "、")
	b.log().WarnContext(ctx, "holiday calendar missing: deadlines in these years count weekends only; add the State Council notice to calendar.years in config.yaml",
		"years", list)
	today := now.In(b.Location()).Format("2006-01-02")
	queued := 0
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		dispatchers, err := tx.MembersWithRole(0, models.RoleDispatcher)
		if err != nil {
			return err
		}
		card := Outgoing{Kind: KindCard, Title: "节假日安排数据缺失",
			Text: fmt.Sprintf("系统尚无 %s 年的国务院节假日安排，办理时限只能按周末计算，调休和节假日会算错。"+
				"请在国务院办公厅发布通知后，将其加入 config.yaml 的 calendar.years 并重启服务。", list),
			Fields: []Field{{"缺少年份", list}}}
		for i := range dispatchers {
			m := &dispatchers[i]
			row, err := keyedRow(m.Platform, memberTarget(m), 0, "calendar_missing",
				fmt.Sprintf("calendar_missing:%s:%s:%s", memberTarget(m), list, today), card)
			if err != nil {
				return err
			}
			if err := tx.Enqueue(row); err != nil {
				return fmt.Errorf("queue calendar warning to %s: %w", row.Target, err)
			}
			if row.ID != 0 {
				queued++
			}
		}
		return nil
	})
	if err != nil {
		return missing, fmt.Errorf("warn of missing calendar %s: %w", list, err)
	}
	if queued > 0 {
		b.queued()
	}
	return missing, nil
}
