package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"minsheng/models"
	"minsheng/redact"
)

// seriousBatch bounds how many serious cases one round of ChaseSerious chases.
const seriousBatch = 100

// reportUpWithin is the report-up clock of severity s; ok is false for a
// severity that is not reported to the leaders (一般, and 较大 without
// deadlines.report_up_large).
func (b *Bot) reportUpWithin(s models.Severity) (within time.Duration, ok bool) {
	switch s {
	case models.SeverityCritical:
		return b.Settings.ReportUpCritical, true
	case models.SeverityMajor:
		return b.Settings.ReportUpMajor, true
	case models.SeverityLarge:
		return b.Settings.ReportUpLarge, b.Settings.ReportUpLarge > 0
	}
	return 0, false
}

// seriousCard is the card a leader gets for a serious case, first and when chased.
func (b *Bot) seriousCard(k *models.Case, title string, due time.Time, extra ...Field) Outgoing {
	fields := append([]Field{{"编号", k.No}, {"等级", string(k.Severity)}, {"报送时限", dateTime(due.In(b.Location()))}}, extra...)
	return Outgoing{Kind: KindCard, Title: title, CaseNo: k.No, URL: b.caseURL(k.No),
		Text:    mdEscape(summary(redact.Identity(k.Content), 300)),
		Fields:  fields,
		Buttons: []Button{verbButton(VerbAck, k.No)}}
}

// gradeAtIntake applies the keyword rule (serious.keywords in config) to a
// case just opened: a match grades it 特别重大 or 重大 on the record and
// reports it up at once, as a dispatcher's 定级 would.
func (b *Bot) gradeAtIntake(tx *models.Tx, k *models.Case) error {
	sev, word := models.Severity(""), ""
	for _, w := range b.Settings.Leaders.CriticalWords {
		if w != "" && strings.Contains(k.Content, w) {
			sev, word = models.SeverityCritical, w
			break
		}
	}
	if sev == "" {
		for _, w := range b.Settings.Leaders.MajorWords {
			if w != "" && strings.Contains(k.Content, w) {
				sev, word = models.SeverityMajor, w
				break
			}
		}
	}
	if sev == "" {
		return nil
	}
	if err := tx.Update(k, map[string]any{"severity": sev}); err != nil {
		return err
	}
	k.Severity = sev
	if err := tx.Record(k, models.SystemActor, models.EventSeverity, "", "", fmt.Sprintf("%s（受理时含关键词“%s”）", sev, word)); err != nil {
		return err
	}
	return b.notifySerious(tx, k)
}

// ChaseSerious pushes every 重大/特别重大 case no leader has acknowledged
// (知悉) again to the leaders who may see it and to the joint-meeting group,
// once per serious.chase_every, until one does or the case is no longer open.
// It is a scheduler job: Job{Name: "serious_chase", Run: bot.ChaseSerious}.
// Each case is chased in its own transaction, compare-and-set on its chase
// count, so two instances running it at once chase a case once.
func (b *Bot) ChaseSerious(ctx context.Context, now time.Time) error {
	every := b.Settings.Leaders.ChaseEvery
	if every <= 0 {
		return nil
	}
	var due []models.SeriousAlert
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		var err error
		due, err = tx.AlertsToChase(now.Add(-every), seriousBatch)
		return err
	})
	if err != nil {
		return fmt.Errorf("chase serious cases: %w", err)
	}
	var errs []error
	chased := 0
	for i := range due {
		al := due[i]
		err := b.Store.Act(ctx, func(tx *models.Tx) error { return b.chase(tx, &al, now) })
		switch {
		case err == nil:
			chased++
		case errors.Is(err, models.ErrConflict):
			// another instance chased it this round
		default:
			errs = append(errs, fmt.Errorf("chase alert %d: %w", al.ID, err))
		}
	}
	if chased > 0 {
		b.log().InfoContext(ctx, "serious cases chased", "count", chased)
		b.queued()
	}
	return errors.Join(errs...)
}

// chase is one round for one alert.
func (b *Bot) chase(tx *models.Tx, al *models.SeriousAlert, now time.Time) error {
	k, err := tx.CaseByID(al.CaseID)
	if err != nil {
		return err
	}
	if !k.Status.Open() {
		return nil
	}
	if err := tx.MarkChased(al, now.Truncate(time.Second)); err != nil {
		return err
	}
	late := ""
	if now.After(al.ReportDueAt) {
		late = "（已超过报送时限）"
	}
	leaders, err := b.leadersForCase(tx, k)
	if err != nil {
		return err
	}
	card := b.seriousCard(k, fmt.Sprintf("催报 %s %s", k.Severity, k.No), al.ReportDueAt, Field{"催报", fmt.Sprintf("第%d次%s", al.Chases, late)})
	for i := range leaders {
		if err := toMember(tx, &leaders[i], k.ID, "serious_chase", card); err != nil {
			return err
		}
	}
	md := fmt.Sprintf("**催报：%s事项 %s 尚无领导知悉**%s\n> 报送时限：%s\n> 第%d次催报\n\n领导请在应用中发送：知悉 %s",
		k.Severity, k.No, late, dateTime(al.ReportDueAt.In(b.Location())), al.Chases, k.No)
	if err := enqueue(tx, b.JointPlatform(), models.JointTarget(), k.ID, "serious_chase_joint", Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}); err != nil {
		return err
	}
	return tx.Record(k, models.SystemActor, models.EventChased, "", "", fmt.Sprintf("第%d次催报%s事项：尚无领导知悉%s", al.Chases, k.Severity, late))
}
