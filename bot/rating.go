package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"minsheng/models"
	"minsheng/redact"
)

// The citizen's rating of an answer (评价) and what follows it: 满意 and
// 基本满意 close and archive the case (办结归档); 不满意 asks for a reason,
// then reopens the case for a second handling (重办) or puts it before the
// dispatcher (rating.unsatisfied). The rating job (rating_job.go) reminds
// citizens who do not rate and closes the case unrated after that; appeals of
// a 不满意 are in appeal.go.

// RatingSettings are config.yaml's rating.*.
type RatingSettings struct {
	// Unsatisfied is what a 不满意 leads to: UnsatisfiedReopen (the
	// default when empty) or UnsatisfiedDispatcher.
	Unsatisfied string
	// ReasonWithin is how long after a bare 不满意 the citizen's next text
	// is its reason; zero or less: the 不满意 goes ahead at once.
	ReasonWithin time.Duration
	// RemindAfterWorkdays: an answer not rated after this many working days
	// gets one reminder; CloseAfterWorkdays after the reminder the case
	// closes unrated.
	RemindAfterWorkdays int
	CloseAfterWorkdays  int
	// ReopenWorkdays is the deadline of a 重办 in working days; zero or
	// less: the deadline of the case's kind.
	ReopenWorkdays int
	// AppealDeciders are the roles that decide an appeal (申诉):
	// dispatcher and/or leader; empty means the dispatchers.
	AppealDeciders []models.Role
}

// What a 不满意 leads to (RatingSettings.Unsatisfied).
const (
	UnsatisfiedReopen     = "reopen"     // 重办 by the lead unit with a new deadline
	UnsatisfiedDispatcher = "dispatcher" // a card to the dispatchers, who reopen or close
)

// RatePrompt ends every answer sent to a citizen: it asks for the rating.
const RatePrompt = "请回复 1 满意、2 基本满意、3 不满意 对本次答复进行评价"

// RateHint is the rating request as a template message's field.
const RateHint = "回复1满意、2基本满意、3不满意"

// PurposeAnswer is the outbox purpose of an answer sent to the citizen.
const PurposeAnswer = "citizen_answer"

// OutcomeRating is the outcome of a citizen's message that rated a case or
// gave the reason of a 不满意.
const OutcomeRating = "rating"

// Outbox purposes of the rating's messages.
const (
	purposeReopenGroup   = "reopen_group"
	purposeReopen        = "reopen"
	purposeRatingReview  = "rating_review" // a 不满意 before the dispatchers: buttons 重办 / 办结
	purposeCitizenReopen = "citizen_reopened"
	purposeCitizenClosed = "citizen_closed"
)

// rate is 评价: the citizen rates the answer of case cmd.No, or of their
// newest answered case not rated yet.
func (b *Bot) rate(tx *models.Tx, c *models.Citizen, platform string, cmd CitizenCommand, original string) (decision, error) {
	var k *models.Case
	var err error
	if cmd.No != "" {
		k, err = tx.CitizenCase(c, cmd.No)
		if errors.Is(err, models.ErrNotFound) {
			return decision{Reply: Reply{Text: notYours(cmd.No), Outcome: OutcomeRating}}, nil
		}
	} else {
		k, err = tx.AwaitingRating(c)
		if errors.Is(err, models.ErrNotFound) {
			// "不满意物业乱收费……" from a citizen with nothing to rate is a report.
			if text := strings.TrimSpace(strings.ToValidUTF8(original, "")); cmd.Rating == 3 && cmd.Text != "" && utf8.RuneCountInString(text) >= b.Settings.MinLength {
				return b.report(tx, c, platform, text, nil)
			}
			return decision{Reply: Reply{
				Text:    "您目前没有待评价的答复。答复送达后，回复 1 满意、2 基本满意、3 不满意 即可评价。发送“我的”可查看您反映的问题。",
				Outcome: OutcomeRating,
			}}, nil
		}
	}
	if err != nil {
		return decision{}, err
	}
	// The case row is held until commit: one rating per answer.
	if k, err = tx.CaseIDForUpdate(k.ID); err != nil {
		return decision{}, err
	}
	d := decision{Reply: Reply{Outcome: OutcomeRating, CaseNo: k.No}, caseID: k.ID}
	switch k.Status {
	case models.StatusAnswered:
	case models.StatusClosed:
		d.Text = fmt.Sprintf("编号 %s 已办结归档，无需再评价。如仍有问题，请重新描述后反映。", k.No)
		return d, nil
	default:
		d.Text = fmt.Sprintf("编号 %s 尚未答复（当前状态：%s），答复送达后再请您评价。", k.No, k.Status.Label())
		return d, nil
	}
	prev, err := tx.RatingOf(k, k.Round())
	if err == nil {
		d.Text = fmt.Sprintf("您已对编号 %s 的答复作出评价（%s），感谢您的反馈。", k.No, prev.Value)
		return d, nil
	}
	if !errors.Is(err, models.ErrNotFound) {
		return decision{}, err
	}
	value := models.RatingValue(cmd.Rating)
	if value == "" || k.LeadDeptID == nil {
		d.Text = usage(CitizenCommand{Word: RateWord})
		return d, nil
	}
	text := cmd.Text
	if r := []rune(text); len(r) > b.Settings.MaxLength {
		text = string(r[:b.Settings.MaxLength])
	}
	r := &models.Rating{DepartmentID: *k.LeadDeptID, Value: value, Reason: text}
	wait := b.Settings.Rating.ReasonWithin
	if value == models.RatingUnsatisfied && text == "" && wait > 0 {
		due := tx.Now().Add(wait)
		r.ReasonDueAt = &due
	}
	actor := models.CitizenActor(c, platform)
	if err := tx.AddRating(k, r, actor); err != nil {
		return decision{}, err
	}
	if models.Satisfied(value) {
		if err := tx.Archive(k, actor, "群众评价“"+value+"”，办结归档"); err != nil {
			return decision{}, err
		}
		d.Text = fmt.Sprintf("感谢您的评价（%s）！编号 %s 已办结归档。如有新的问题，欢迎随时反映。", value, k.No)
		return d, nil
	}
	if r.ReasonDueAt != nil {
		d.Text = fmt.Sprintf("很抱歉编号 %s 的答复未能让您满意。请直接回复不满意的原因（例如问题哪里还没有解决），我们将据此跟进。", k.No)
		return d, nil
	}
	d.Text, err = b.unsatisfied(tx, k, r, actor, false)
	return d, err
}

// ratingReason takes text as the reason of the citizen's 不满意 that waits
// for one; ok is false when none waits, and the text is read as usual.
func (b *Bot) ratingReason(tx *models.Tx, c *models.Citizen, platform, text string) (d decision, ok bool, err error) {
	r, err := tx.PendingReason(c, tx.Now())
	if errors.Is(err, models.ErrNotFound) {
		return d, false, nil
	}
	if err != nil {
		return d, false, err
	}
	k, err := tx.CaseIDForUpdate(r.CaseID)
	if err != nil {
		return d, false, err
	}
	if rs := []rune(text); len(rs) > b.Settings.MaxLength {
		text = string(rs[:b.Settings.MaxLength])
	}
	if err := tx.GiveReason(r, text); errors.Is(err, models.ErrConflict) {
		return d, false, nil
	} else if err != nil {
		return d, false, err
	}
	actor := models.CitizenActor(c, platform)
	if err := tx.Record(k, actor, models.EventRatingReason, "", "", "不满意的原因："+text); err != nil {
		return d, false, err
	}
	d = decision{Reply: Reply{Outcome: OutcomeRating, CaseNo: k.No}, caseID: k.ID}
	if k.Status != models.StatusAnswered || k.Round() != r.Round {
		d.Text = fmt.Sprintf("已将您的意见记入编号 %s。", k.No)
		return d, true, nil
	}
	d.Text, err = b.unsatisfied(tx, k, r, actor, false)
	return d, true, err
}

// unsatisfied carries out a 不满意 whose reason is known (or will not
// come): 重办 by the lead unit, or a card to the dispatchers. It returns the
// sentence that tells the citizen what happens; with tell it also queues
// that sentence for them (the rating job: the citizen is not in a chat).
func (b *Bot) unsatisfied(tx *models.Tx, k *models.Case, r *models.Rating, a models.Actor, tell bool) (string, error) {
	reason := r.Reason
	if reason == "" {
		reason = "（群众未说明理由）"
	}
	var msg string
	if b.Settings.Rating.Unsatisfied == UnsatisfiedDispatcher {
		if err := b.toDispatcherReview(tx, k, reason); err != nil {
			return "", err
		}
		msg = fmt.Sprintf("您对编号 %s 答复的意见已收到，问政办将审核并决定是否重新办理，结果会告知您。", k.No)
	} else {
		due, dept, err := b.reopen(tx, k, a, "群众不满意："+reason)
		if err != nil {
			return "", err
		}
		msg = fmt.Sprintf("您对编号 %s 答复的意见已收到，已交由%s重新办理，办理时限 %s。办结后我们会再次答复您。", k.No, dept.Name, dateTime(due.In(b.Location())))
	}
	if !tell {
		return msg, nil
	}
	key := fmt.Sprintf("rating_unsatisfied:%s:r%d", k.No, r.Round)
	row, err := reporterRow(tx, k, purposeCitizenReopen, key,
		Outgoing{Kind: KindText, Text: msg, CaseNo: k.No, Fields: []Field{{"编号", k.No}, {"进展", "您的意见已收到"}}})
	if err != nil {
		return "", err
	}
	if err := tx.Enqueue(row); err != nil {
		return "", fmt.Errorf("queue %s message: %w", purposeCitizenReopen, err)
	}
	return msg, nil
}

// reopen is 重办: answered case k goes back to its lead unit for a second
// handling with a new deadline, and the unit (its group, officers and heads)
// is told why. why is recorded as said and shown to the unit with personal
// data masked.
func (b *Bot) reopen(tx *models.Tx, k *models.Case, a models.Actor, why string) (time.Time, *models.Department, error) {
	if k.LeadDeptID == nil {
		return time.Time{}, nil, fmt.Errorf("reopen case %s: no lead unit: %w", k.No, models.ErrInvalidTransition)
	}
	if err := tx.Reopen(k, a, "重办："+why); err != nil {
		return time.Time{}, nil, err
	}
	// A 重办 is a second handling the citizen asked for now: its clock
	// starts at the reopening, not at the first receipt (bot/due.go).
	now := tx.Now().In(b.Location())
	due := b.dueFrom(now, k.Kind).At
	if n := b.Settings.Rating.ReopenWorkdays; n > 0 {
		due = b.dueIn(now, n)
	}
	if err := tx.SetDeadline(k, a, due, fmt.Sprintf("重办（第%d次），办理时限 %s", k.Reopens, dateTime(due.In(b.Location())))); err != nil {
		return time.Time{}, nil, err
	}
	dept, err := tx.DepartmentByID(*k.LeadDeptID)
	if err != nil {
		return time.Time{}, nil, err
	}
	dueText := dateTime(due.In(b.Location()))
	shown := mdEscape(summary(redact.Identity(why), 300))
	md := fmt.Sprintf("**重办 %s**（第%d次）\n> 时限：%s\n\n%s\n\n请重新办理，办结后发送：答复 %s 内容", k.No, k.Reopens, dueText, shown, k.No)
	if err := toGroup(tx, dept, k.ID, purposeReopenGroup, Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}); err != nil {
		return time.Time{}, nil, err
	}
	members, err := tx.MembersWithRole(dept.ID, models.RoleOfficer, models.RoleHead)
	if err != nil {
		return time.Time{}, nil, err
	}
	card := Outgoing{
		Kind: KindCard, Title: "重办 " + k.No, CaseNo: k.No, URL: b.caseURL(k.No),
		Text:   shown + "\n\n请重新办理，办结后发送：答复 " + k.No + " 内容",
		Fields: []Field{{"编号", k.No}, {"单位", dept.Name + "（牵头）"}, {"时限", dueText}, {"重办", fmt.Sprintf("第%d次", k.Reopens)}},
	}
	for i := range members {
		if err := toMember(tx, &members[i], k.ID, purposeReopen, card); err != nil {
			return time.Time{}, nil, err
		}
	}
	return due, dept, nil
}

// toDispatcherReview puts a 不满意 before the dispatchers: a card with the
// reason and the buttons 重办 and 办结.
func (b *Bot) toDispatcherReview(tx *models.Tx, k *models.Case, reason string) error {
	dispatchers, err := tx.MembersWithRole(0, models.RoleDispatcher)
	if err != nil {
		return err
	}
	unit := tx.DepartmentName(k.LeadDeptID)
	card := Outgoing{
		Kind: KindCard, Title: "群众不满意 " + k.No, CaseNo: k.No, URL: b.caseURL(k.No),
		Text: fmt.Sprintf("群众对%s的答复不满意：%s\n\n重新办理：重办 %s [要求]；办结归档：办结 %s [说明]",
			unit, mdEscape(summary(reason, 300)), k.No, k.No),
		Fields: []Field{{"编号", k.No}, {"承办单位", unit}, {"评价", models.RatingUnsatisfied}},
		Buttons: []Button{
			verbButton(VerbReopen, k.No),
			verbButton(VerbClose, k.No),
		},
	}
	for i := range dispatchers {
		if err := toMember(tx, &dispatchers[i], k.ID, purposeRatingReview, card); err != nil {
			return err
		}
	}
	return tx.Record(k, models.SystemActor, models.EventRatingReview, "", "", "群众不满意，已提交问政办决定重办或办结")
}

// reopenCase is the dispatcher's 重办: an answered case goes back to its
// lead unit, with the dispatcher's requirement or the citizen's reason.
func (a *action) reopenCase() (string, error) {
	k := a.k
	if k.Status != models.StatusAnswered {
		a.button = "已" + k.Status.Label()
		return stateSentence(k, VerbReopen), nil
	}
	why := a.cmd.Text
	if why == "" {
		why = "问政办决定重办"
		if r, err := a.tx.RatingOf(k, k.Round()); err == nil && r.Value == models.RatingUnsatisfied {
			why = "群众不满意：" + r.Reason
			if r.Reason == "" {
				why = "群众不满意（未说明理由）"
			}
		} else if err != nil && !errors.Is(err, models.ErrNotFound) {
			return "", err
		}
	}
	due, dept, err := a.b.reopen(a.tx, k, a.actor(), why)
	if err != nil {
		return "", a.conflict(err)
	}
	dueText := dateTime(due.In(a.b.Location()))
	msg := fmt.Sprintf("您反映的问题（编号 %s）已交由%s重新办理，办理时限 %s。办结后我们会再次答复您。", k.No, dept.Name, dueText)
	if err := toCitizen(a.tx, k, purposeCitizenReopen, msg, Field{"编号", k.No}, Field{"承办单位", dept.Name}, Field{"时限", dueText}); err != nil {
		return "", err
	}
	if err := a.b.updateCards(a.tx, k, purposeRatingReview, a.who, "已由"+a.who.Name+"决定重办"); err != nil {
		return "", err
	}
	a.button = "已重办"
	return fmt.Sprintf("已将 %s 交由%s重办，办理时限 %s。", k.No, dept.Name, dueText), nil
}

// closeCase is the dispatcher's 办结: an answered case is closed and
// archived as it stands, and the citizen told.
func (a *action) closeCase() (string, error) {
	k := a.k
	if k.Status != models.StatusAnswered {
		a.button = "已" + k.Status.Label()
		return stateSentence(k, VerbClose), nil
	}
	body := "问政办办结归档"
	if a.cmd.Text != "" {
		body += "：" + a.cmd.Text
	}
	if err := a.tx.Archive(k, a.actor(), body); err != nil {
		return "", a.conflict(err)
	}
	msg := fmt.Sprintf("您反映的问题（编号 %s）经问政办审核，已办结归档。", k.No)
	if a.cmd.Text != "" {
		msg += "\n说明：" + a.cmd.Text
	}
	if err := toCitizen(a.tx, k, purposeCitizenClosed, msg, Field{"编号", k.No}, Field{"结果", "已办结归档"}); err != nil {
		return "", err
	}
	if err := a.b.updateCards(a.tx, k, purposeRatingReview, a.who, "已由"+a.who.Name+"办结"); err != nil {
		return "", err
	}
	a.button = "已办结"
	return fmt.Sprintf("已将 %s 办结归档，已告知群众。", k.No), nil
}
