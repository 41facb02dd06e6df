package bot

import (
	"fmt"
	"strings"
	"time"

	"minsheng/models"
	"minsheng/redact"
)

// Reporting up (002: "及时报告党组、上级部门和县xx办"): a 重大/特别重大 case
// goes, besides the leaders and the joint meeting, to the configured
// upper-level recipients, with its grade, the facts (masked as for the
// leaders) and its deadlines. Each report is an event on the case; one that
// leaves after the report-up clock (counted from the citizen's report, like
// every clock) is 迟报, on the record, the case page and the monthly figures.

// Recipient is one upper-level recipient (serious.report_up) or one
// recipient of the written feedback (feedback.recipients): a group robot
// and/or members.
type Recipient struct {
	Name    string
	Group   GroupAddress
	Members []MemberRef
}

// MemberRef names a member by platform and user id.
type MemberRef struct {
	Platform models.Platform
	UserID   string
}

// upperAddress resolves the group of a recipient (serious.report_up or
// feedback.recipients) by name.
func (b *Bot) upperAddress(name string) (Address, error) {
	for _, r := range append(append([]Recipient(nil), b.Settings.Leaders.ReportUp...), b.Settings.Feedback...) {
		if r.Name == name {
			g := r.Group
			return Address{Kind: AddrGroup, RobotKey: g.RobotKey, Webhook: g.Webhook, Secret: g.Secret}, nil
		}
	}
	return Address{}, fmt.Errorf("%w: no recipient named %q in serious.report_up or feedback.recipients", ErrUndeliverable, name)
}

// reportsUp reports whether severity s is reported to the upper level.
func reportsUp(s models.Severity) bool {
	return s == models.SeverityMajor || s == models.SeverityCritical
}

// reportUp sends case k's report to every upper-level recipient and records
// it on the case and on alert al (迟报 when late). Without recipients it
// does nothing.
func (b *Bot) reportUp(tx *models.Tx, k *models.Case, al *models.SeriousAlert) error {
	rs := b.Settings.Leaders.ReportUp
	if len(rs) == 0 || !reportsUp(k.Severity) {
		return nil
	}
	now, loc := tx.Now(), b.Location()
	handling := "待交办（" + b.caseDue(k, k.Kind).Label() + "）"
	if k.DueAt != nil {
		handling = b.dueText(k)
	}
	text := mdEscape(summary(redact.Identity(k.Content), 500))
	md := fmt.Sprintf("**%s事项报告 %s**\n> 等级：%s\n> 受理：%s\n> 报送时限：%s\n> 办理时限：%s\n\n%s",
		k.Severity, k.No, k.Severity, dateTime(k.ReceivedAt.In(loc)), dateTime(al.ReportDueAt.In(loc)), handling, text)
	card := Outgoing{Kind: KindCard, Title: string(k.Severity) + "事项报告 " + k.No, CaseNo: k.No, URL: b.caseURL(k.No), Text: text,
		Fields: []Field{{"编号", k.No}, {"等级", string(k.Severity)}, {"受理", dateTime(k.ReceivedAt.In(loc))},
			{"报送时限", dateTime(al.ReportDueAt.In(loc))}, {"办理时限", handling}}}
	var names []string
	for _, r := range rs {
		reached, err := b.toRecipient(tx, r, k.ID, "report_up", Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}, card)
		if err != nil {
			return err
		}
		if reached {
			names = append(names, r.Name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	if err := tx.MarkReportedUp(al, now); err != nil {
		return err
	}
	body := fmt.Sprintf("%s事项报送%s，报送时限 %s", k.Severity, strings.Join(names, "、"), dateTime(al.ReportDueAt.In(loc)))
	if al.Late {
		body += "；迟报 " + span(now.Sub(al.ReportDueAt).Round(time.Minute))
	}
	return tx.Record(k, models.SystemActor, models.EventReportedUp, "", "", body)
}
