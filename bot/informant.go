package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"minsheng/models"
)

// Information officers (舆情信息员, models.RoleInformant) report from their
// village, community or enforcement brigade in WeCom or DingTalk:
//
//   - 舆情 <内容> files a report into the same intake as a citizen's
//     (models.Store.Receive, then report): the same duplicate window and
//     hourly limit, the same number, the same card to the dispatchers, who
//     read 来源：信息员 with the officer's name and unit, and the same masking
//     of personal data wherever units see it. What the citizen would be told
//     (交办, 答复, 办结) goes to the officer in their chat (toInformant).
//   - 报平安 [说明] says there is nothing to report this week; it is recorded,
//     not a case.
//   - Each week an officer who has filed neither by the informant_remind job
//     is reminded (RemindInformants), and the weekly summary counts both per
//     officer and unit (reports.Weekly).
//
// Officers handle no case: the verb table refuses them every other verb.

// informantDuty closes an information officer's help text.
const informantDuty = "每周至少报送一次：发现情况发送“舆情 内容”（写明地点和情况）；本周没有情况，发送“报平安”。"

// memberIntake runs an intake verb (舆情) of member message m in the
// intake's own transaction, as a citizen's report is run: the sender's
// reporter row found or made there, the message recorded once there. ok is
// false when the sender is no member allowed the verb, whose refusal
// HandleMember gives as for any verb.
func (b *Bot) memberIntake(ctx context.Context, m MemberMessage, cmd MemberCommand, v *memberVerb) (MemberReply, bool, error) {
	var who *models.Member
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		var err error
		who, err = tx.Member(m.Platform, m.UserID)
		return err
	})
	if errors.Is(err, models.ErrNotFound) {
		return MemberReply{}, false, nil
	}
	if err != nil {
		return MemberReply{}, false, fmt.Errorf("member %s %s: %w", m.UserID, cmd.Verb, err)
	}
	if Authorize(who.Role, v.verb, RelNone) != nil {
		return MemberReply{}, false, nil
	}
	key := "msg:" + m.MsgID
	if m.MsgID == "" {
		key = "msg:" + m.UserID + ":" + randomHex(8)
	}
	text := cmd.Text
	if r := []rune(text); b.Settings.MaxLength > 0 && len(r) > b.Settings.MaxLength {
		text = string(r[:b.Settings.MaxLength])
	}
	in := models.Inbound{Platform: string(m.Platform), DedupKey: key, OpenID: models.InformantOpenID(who.ID), MsgType: "text", Content: text}
	r, err := b.Store.Receive(ctx, in, func(tx *models.Tx, c *models.Citizen) (models.Receipt, error) {
		c.ReportAs(who) // the intake's entries are the officer's
		a := &action{b: b, tx: tx, who: who, cmd: cmd, reporter: c}
		reply, err := v.run(a)
		var r models.Receipt
		if a.k != nil {
			r.CaseID = a.k.ID
		}
		r.Reply, r.Outcome = reply, a.outcome
		return r, err
	})
	if err != nil {
		return MemberReply{}, true, fmt.Errorf("member %s %s: %w", m.UserID, cmd.Verb, err)
	}
	b.queued()
	b.log().InfoContext(ctx, "informant report", "platform", m.Platform, "member", who.ID, "outcome", r.Outcome, "case_no", r.CaseNo, "retry", r.Retry)
	return MemberReply{Text: r.Reply, Retry: r.Retry}, true, nil
}

// fileReport is 舆情: the officer's text is reported as a citizen's is
// (report), marked 信息员, and counted as their report of the week.
func (a *action) fileReport() (string, error) {
	if a.reporter == nil {
		return "", errors.New("舆情 outside the intake")
	}
	text := a.cmd.Text
	if utf8.RuneCountInString(text) < a.b.Settings.MinLength {
		a.outcome = OutcomeHelp
		return "请写明舆情的地点和情况，例如：舆情 潇楚南路洋湖段路面塌陷，已有车辆陷入", nil
	}
	d, err := a.b.report(a.tx, a.reporter, string(a.who.Platform), text, a.who)
	if err != nil {
		return "", err
	}
	a.outcome = d.Outcome
	if d.caseID != 0 {
		a.k = &models.Case{ID: d.caseID, No: d.CaseNo}
	}
	var reply string
	switch d.Outcome {
	case OutcomeCase:
		reply = fmt.Sprintf("舆情已受理，编号：%s。已转问政办分办，交办和办理结果会发送给您。", d.CaseNo)
		if max := a.b.Settings.MaxLength; utf8.RuneCountInString(text) > max {
			reply += fmt.Sprintf("\n（内容超过%d字，已截取前%d字。）", max, max)
		}
	case OutcomeRepeat:
		reply = fmt.Sprintf("您报送的情况已在编号 %s 中受理，本次按重复报送并入办理。", d.CaseNo)
	default: // the hourly limit: the text is on record, no case
		return fmt.Sprintf("您在一小时内已报送%d条舆情，本条已记录在案，请稍后再报送新的情况。紧急情况请直接电话联系问政办。", a.b.Settings.MaxCasesPerHour), nil
	}
	if err := a.tx.AddInformantReport(&models.InformantReport{MemberID: a.who.ID, Kind: models.DutyReport, CaseID: d.caseID}); err != nil {
		return "", err
	}
	return reply, nil
}

// reportSafe is 报平安: nothing to report this week, recorded as the
// officer's report of the week.
func (a *action) reportSafe() (string, error) {
	note := a.cmd.Text
	if r := []rune(note); len(r) > 200 {
		note = string(r[:200])
	}
	if err := a.tx.AddInformantReport(&models.InformantReport{MemberID: a.who.ID, Kind: models.DutySafe, Note: note}); err != nil {
		return "", err
	}
	week := models.WeekPeriod(a.tx.Now(), a.b.Location())
	return fmt.Sprintf("已记录%s的报平安（%s—%s）。发现情况请随时发送“舆情 内容”。", a.who.Name,
		week.From.Format("1月2日"), week.To.AddDate(0, 0, -1).Format("1月2日")), nil
}

// reporterField is the card's line on who reported case k: a citizen by
// alias (反映人), an information officer by name and unit (来源), since
// officers are officials and not protected reporters.
func reporterField(tx *models.Tx, k *models.Case, c *models.Citizen) (Field, error) {
	if k.InformantID == nil {
		return Field{"反映人", c.Alias}, nil
	}
	s, err := informantLabel(tx, k)
	return Field{"来源", s}, err
}

// informantLabel names the information officer who reported case k:
// 信息员 刘信息（潇楚街道洋湖社区）.
func informantLabel(tx *models.Tx, k *models.Case) (string, error) {
	m, err := tx.MemberByID(*k.InformantID)
	if err != nil {
		return "", fmt.Errorf("informant of case %s: %w", k.No, err)
	}
	s := k.SourceLabel() + " " + m.Name
	if m.Unit != "" {
		s += "（" + m.Unit + "）"
	}
	return s, nil
}

// reporterRow is the outbox row that tells case k's reporter o under dedup
// key: a citizen in the Official Account, an information officer in their
// chat (as text, without the template's fields).
func reporterRow(tx *models.Tx, k *models.Case, purpose, key string, o Outgoing) (*models.Outbox, error) {
	if k.InformantID == nil {
		return keyedRow(models.PlatformMP, citizenTarget(k.CitizenID), k.ID, purpose, key, o)
	}
	m, err := tx.MemberByID(*k.InformantID)
	if err != nil {
		return nil, fmt.Errorf("informant of case %s: %w", k.No, err)
	}
	o.Fields = nil
	return keyedRow(m.Platform, memberTarget(m), k.ID, purpose, key, o)
}

// toInformant tells the information officer who reported case k what
// toCitizen would tell a citizen: in their chat, without the request to
// rate an answer (the rating is the public's).
func toInformant(tx *models.Tx, k *models.Case, purpose, text string) error {
	m, err := tx.MemberByID(*k.InformantID)
	if err != nil {
		return fmt.Errorf("informant of case %s: %w", k.No, err)
	}
	return toMember(tx, m, k.ID, purpose, Outgoing{Kind: KindText, Text: text, CaseNo: k.No})
}

// InformantReminder says what one RemindInformants did.
type InformantReminder struct {
	// Week names the week, e.g. 2026-W48; Reminded counts the officers
	// reminded now (not those reminded by an earlier run of the week).
	Week     string
	Reminded int
}

// RemindInformants reminds every information officer who has filed no 舆情
// and no 报平安 in the week of now, up to now, in their chat. Each officer
// gets one reminder a week however often it runs: the message's dedup key
// is informant_remind:<ISO week>:<member id>.
func (b *Bot) RemindInformants(ctx context.Context, now time.Time) (InformantReminder, error) {
	week := models.WeekPeriod(now, b.Location())
	out := InformantReminder{Week: week.ISOWeek()}
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		out.Reminded = 0
		silent, err := tx.InformantsSilentSince(week.From)
		if err != nil {
			return err
		}
		for i := range silent {
			m := &silent[i]
			text := fmt.Sprintf("%s，您好：本周（%s—%s）您还没有报送舆情。有情况请发送“舆情 内容”（写明地点和情况）；没有情况请发送“报平安”。",
				m.Name, week.From.Format("1月2日"), week.To.AddDate(0, 0, -1).Format("1月2日"))
			key := fmt.Sprintf("informant_remind:%s:%d", out.Week, m.ID)
			row, err := keyedRow(m.Platform, memberTarget(m), 0, "informant_remind", key, Outgoing{Kind: KindText, Text: text})
			if err != nil {
				return err
			}
			if err := tx.Enqueue(row); err != nil {
				return fmt.Errorf("queue reminder of informant %d: %w", m.ID, err)
			}
			if row.ID != 0 {
				out.Reminded++
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("remind informants %s: %w", out.Week, err)
	}
	if out.Reminded > 0 {
		b.queued()
	}
	b.log().InfoContext(ctx, "informants reminded", "week", out.Week, "reminded", out.Reminded)
	return out, nil
}
