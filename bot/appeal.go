package bot

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"minsheng/models"
	"minsheng/redact"
)

// Appeals (申诉): the lead unit may appeal a 不满意 it considers
// unreasonable; the dispatcher (or the joint meeting's leaders, by
// rating.appeal_deciders) decides. An upheld appeal takes that rating out of
// the unit's satisfaction rate (models.Stats, UnitFigures.AppealsUpheld);
// every report says how many were taken out.

// Outbox purposes of the appeals' messages.
const (
	purposeAppeal       = "appeal"        // the deciders' cards: buttons 申诉成立 / 申诉驳回
	purposeAppealJoint  = "appeal_joint"  // the appeal in the joint-meeting group
	purposeAppealResult = "appeal_result" // the decision to the unit
)

// appealDeciders are the roles that decide appeals (dispatchers when none
// are configured).
func (b *Bot) appealDeciders() []models.Role {
	if len(b.Settings.Rating.AppealDeciders) == 0 {
		return []models.Role{models.RoleDispatcher}
	}
	return b.Settings.Rating.AppealDeciders
}

// decidersLabel names the deciders in Chinese: 问政办, 联席会议 or both.
func (b *Bot) decidersLabel() string {
	var names []string
	for _, r := range b.appealDeciders() {
		if r == models.RoleLeader {
			names = append(names, "联席会议（领导）")
		} else {
			names = append(names, r.Label())
		}
	}
	return strings.Join(names, "或")
}

// appeal is 申诉: the lead unit appeals the newest 不满意 of its answer.
func (a *action) appeal() (string, error) {
	k, dept := a.k, a.mine.DepartmentID
	r, err := a.tx.AppealableRating(k, dept)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Sprintf("编号 %s 没有对本单位答复的“不满意”评价，无需申诉。", k.No), nil
	}
	if err != nil {
		return "", err
	}
	switch r.AppealState {
	case models.AppealFiled:
		return fmt.Sprintf("编号 %s 的申诉已提交，正待%s裁定。", k.No, a.b.decidersLabel()), nil
	case models.AppealUpheld, models.AppealRejected:
		return fmt.Sprintf("编号 %s 的申诉已裁定（%s），不能再次申诉。", k.No, models.AppealLabel(r.AppealState)), nil
	}
	if err := a.tx.FileAppeal(r, a.who, a.cmd.Text); err != nil {
		return "", a.conflict(err)
	}
	d, err := a.tx.DepartmentByID(dept)
	if err != nil {
		return "", err
	}
	if err := a.tx.Record(k, a.actor(), models.EventAppealFiled, "", "", fmt.Sprintf("%s对第%d次答复的“不满意”申诉：%s", d.Name, r.Round, a.cmd.Text)); err != nil {
		return "", err
	}
	told, err := a.b.notifyAppeal(a.tx, k, d, r, a.who)
	if err != nil {
		return "", err
	}
	if told == 0 {
		return fmt.Sprintf("已提交 %s 的申诉，但未配置裁定人（%s），请联系问政办。", k.No, a.b.decidersLabel()), nil
	}
	return fmt.Sprintf("已提交 %s 的申诉，待%s裁定。", k.No, a.b.decidersLabel()), nil
}

// notifyAppeal gives each decider a card with the citizen's reason, the
// unit's and the buttons 申诉成立 / 申诉驳回; when leaders decide, the appeal
// is posted in the joint-meeting group too. It returns how many deciders
// were told. Nothing in it names the citizen.
func (b *Bot) notifyAppeal(tx *models.Tx, k *models.Case, d *models.Department, r *models.Rating, by *models.Member) (int, error) {
	citizen := r.Reason
	if citizen == "" {
		citizen = "（未说明理由）"
	}
	text := fmt.Sprintf("%s对群众的“不满意”评价提出申诉。\n群众的理由：%s\n申诉理由：%s\n\n成立：申诉成立 %s；驳回：申诉驳回 %s 理由",
		d.Name, mdEscape(summary(redact.Identity(citizen), 200)), mdEscape(summary(redact.Identity(r.AppealReason), 300)), k.No, k.No)
	card := Outgoing{
		Kind: KindCard, Title: "申诉待裁定 " + k.No, CaseNo: k.No, URL: b.caseURL(k.No), Text: text,
		Fields: []Field{{"编号", k.No}, {"申诉单位", d.Name}, {"申诉人", by.Name}, {"评价", fmt.Sprintf("不满意（第%d次答复）", r.Round)}},
		Buttons: []Button{
			verbButton(VerbAppealUphold, k.No),
			verbButton(VerbAppealReject, k.No),
		},
	}
	told := 0
	for _, role := range b.appealDeciders() {
		var ms []models.Member
		var err error
		if role == models.RoleLeader {
			ms, err = b.leadersCovering(tx, d.ID)
		} else {
			ms, err = tx.MembersWithRole(0, role)
		}
		if err != nil {
			return 0, err
		}
		for i := range ms {
			if err := toMember(tx, &ms[i], k.ID, purposeAppeal, card); err != nil {
				return 0, err
			}
			told++
		}
		if role == models.RoleLeader {
			md := fmt.Sprintf("**申诉待裁定 %s**\n> 申诉单位：%s\n\n%s", k.No, d.Name, text)
			if err := enqueue(tx, b.JointPlatform(), models.JointTarget(), k.ID, purposeAppealJoint, Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}); err != nil {
				return 0, err
			}
		}
	}
	return told, nil
}

// decideAppeal is 申诉成立 / 申诉驳回: a decider settles the appeal waiting on
// the case; the unit's group and the member who appealed are told.
func (a *action) decideAppeal(upheld bool) (string, error) {
	k := a.k
	if !slices.Contains(a.b.appealDeciders(), a.who.Role) {
		return "", refuse("申诉由%s裁定。", a.b.decidersLabel())
	}
	r, err := a.tx.FiledAppeal(k)
	if errors.Is(err, models.ErrNotFound) {
		a.button = "已处理"
		return fmt.Sprintf("编号 %s 没有待裁定的申诉。", k.No), nil
	}
	if err != nil {
		return "", err
	}
	if !upheld && a.click {
		a.button = "请发送驳回理由"
		return fmt.Sprintf("驳回申诉需要写明理由，请发送：申诉驳回 %s 理由", k.No), nil
	}
	if err := a.tx.DecideAppeal(r, a.who, upheld, a.cmd.Text); err != nil {
		return "", a.conflict(err)
	}
	d, err := a.tx.DepartmentByID(r.DepartmentID)
	if err != nil {
		return "", err
	}
	label, effect := "申诉驳回", "仍计入"
	if upheld {
		label, effect = "申诉成立", "不再计入"
	}
	result := label
	if a.cmd.Text != "" {
		result += "：" + a.cmd.Text
	}
	body := fmt.Sprintf("%s（%s第%d次答复的“不满意”评价%s满意率）", result, d.Name, r.Round, effect)
	if err := a.tx.Record(k, a.actor(), models.EventAppealDecided, "", "", body); err != nil {
		return "", err
	}
	if err := a.b.updateCards(a.tx, k, purposeAppeal, a.who, "已由"+a.who.Name+"裁定："+label); err != nil {
		return "", err
	}
	md := fmt.Sprintf("**申诉结果 %s**\n> %s\n> 裁定人：%s\n\n该“不满意”评价%s本单位满意率。", k.No, mdEscape(result), a.who.Name, effect)
	if err := toGroup(a.tx, d, k.ID, purposeAppealResult, Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}); err != nil {
		return "", err
	}
	if by, err := a.tx.MemberByID(r.AppealBy); err == nil && by.Active {
		msg := fmt.Sprintf("编号 %s 的申诉已裁定：%s。该“不满意”评价%s本单位满意率。", k.No, result, effect)
		if err := toMember(a.tx, by, k.ID, purposeAppealResult, Outgoing{Kind: KindText, Text: msg, CaseNo: k.No}); err != nil {
			return "", err
		}
	} else if err != nil && !errors.Is(err, models.ErrNotFound) {
		return "", err
	}
	a.button = label
	return fmt.Sprintf("已裁定 %s：%s。该“不满意”评价%s%s满意率。", k.No, label, effect, d.Name), nil
}
