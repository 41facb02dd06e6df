package bot

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"minsheng/models"
	"minsheng/redact"
)

// ReviewSettings are config.yaml's review.*: the automatic check an answer
// draft passes before any person sees it, and who approves it after.
type ReviewSettings struct {
	// Default is the approval chain of a unit without its own: head (the
	// unit's 部门负责人), leader (a 分管领导 whose scope covers the unit), or
	// both, in order. Empty means [head].
	Default []models.Role
	// Units holds a unit's own chain by department code.
	Units map[string][]models.Role
	// MinAnswerRunes is the shortest draft, in characters without spaces.
	MinAnswerRunes int
	// MinConcreteRunes is how much must be left of a draft once the
	// boilerplate phrases and punctuation are taken out.
	MinConcreteRunes int
	// Sensitive are words no answer may carry.
	Sensitive []string
	// Boilerplate are 应付式、程序化 phrases: a draft made only of them says nothing.
	Boilerplate []string
}

// CheckDraft returns why an answer draft may not go to an approver, in the
// words the officer reads, or "" when it passes. It checks, in order: length,
// sensitive words, a mobile phone or ID number inside (a citizen's personal
// data must never be in an answer; office landlines are allowed), and
// boilerplate without concrete content.
func (r ReviewSettings) CheckDraft(body string) string {
	n := utf8.RuneCountInString(strings.Join(strings.Fields(body), ""))
	if r.MinAnswerRunes > 0 && n < r.MinAnswerRunes {
		return fmt.Sprintf("答复太短（%d字，至少%d字），请写明办理情况和结果。", n, r.MinAnswerRunes)
	}
	for _, w := range r.Sensitive {
		if w = strings.TrimSpace(w); w != "" && strings.Contains(body, w) {
			return fmt.Sprintf("答复含有不当用语“%s”，请修改后重新提交。", w)
		}
	}
	if redact.HasIDNumber(body) {
		return "答复含有身份证号码。群众的个人信息不得写入答复，请删除后重新提交。"
	}
	if redact.HasMobile(body) {
		return "答复含有手机号码。群众的个人信息不得写入答复，请删除后重新提交（单位办公电话可以保留）。"
	}
	rest, found := body, []string(nil)
	for _, p := range r.Boilerplate {
		if p = strings.TrimSpace(p); p != "" && strings.Contains(rest, p) {
			rest = strings.ReplaceAll(rest, p, "")
			found = append(found, p)
		}
	}
	if len(found) > 0 {
		left := utf8.RuneCountInString(strings.Map(func(c rune) rune {
			if unicode.IsSpace(c) || unicode.IsPunct(c) || unicode.IsSymbol(c) {
				return -1
			}
			return c
		}, rest))
		if left < r.MinConcreteRunes {
			if len(found) > 3 {
				found = found[:3]
			}
			return fmt.Sprintf("答复只有“%s”等程序化语言，没有具体的办理情况和结果。请写明核查了什么、怎么处理、结果如何、何时办结。", strings.Join(found, "”“"))
		}
	}
	return ""
}

// chainFor is the approval chain of unit d.
func (b *Bot) chainFor(d *models.Department) []models.Role {
	if c, ok := b.Settings.Review.Units[d.Code]; ok && len(c) > 0 {
		return c
	}
	if len(b.Settings.Review.Default) > 0 {
		return b.Settings.Review.Default
	}
	return []models.Role{models.RoleHead}
}

// approverLabel names who decides a step.
func approverLabel(r models.Role) string {
	if r == models.RoleLeader {
		return "分管领导"
	}
	return "部门负责人"
}

// approvers lists who may decide a step of role r on a draft of unit dept.
func (b *Bot) approvers(tx *models.Tx, r models.Role, dept uint64) ([]models.Member, error) {
	if r == models.RoleLeader {
		return b.leadersCovering(tx, dept)
	}
	return tx.MembersWithRole(dept, models.RoleHead)
}

// reviewPurpose names the outbox rows of the cards of one step, so that a
// decision updates the cards of that step only.
func reviewPurpose(step int) string { return fmt.Sprintf("review%d", step) }

// submitDraft is 答复: the automatic check, then the chain's first approver.
func (a *action) submitDraft() (string, error) {
	k := a.k
	if k.Status != models.StatusHandling {
		if k.Status == models.StatusAssigned {
			return fmt.Sprintf("请先签收 %s 再答复：签收 %s", k.No, k.No), nil
		}
		return stateSentence(k, VerbAnswer), nil
	}
	body := strings.TrimSpace(a.cmd.Text)
	if why := a.b.Settings.Review.CheckDraft(body); why != "" {
		ans := &models.Answer{CaseID: k.ID, DepartmentID: a.mine.DepartmentID, AuthorID: a.who.ID, Body: body}
		if err := a.tx.AddRejectedDraft(ans, "自动审核："+why); err != nil {
			return "", err
		}
		if err := a.tx.Record(k, models.SystemActor, models.EventRejected, "", "", a.who.Name+"提交的答复稿未通过自动审核："+why); err != nil {
			return "", err
		}
		return fmt.Sprintf("答复未通过自动审核：%s\n编号 %s 仍在办理中，请修改后重新发送：答复 %s 内容", why, k.No, k.No), nil
	}
	dept, err := a.tx.DepartmentByID(a.mine.DepartmentID)
	if err != nil {
		return "", err
	}
	ans := &models.Answer{CaseID: k.ID, DepartmentID: dept.ID, AuthorID: a.who.ID, Body: body}
	if err := a.tx.AddAnswer(ans); err != nil {
		return "", err
	}
	if err := a.tx.Move(k, models.StatusReviewing, a.actor(), models.EventDraft, body, nil); err != nil {
		return "", a.conflict(err)
	}
	// A step nobody can take (no head configured, no leader covers the unit)
	// is left out, and the officer told.
	var roles []models.Role
	var labels, missing []string
	for _, r := range a.b.chainFor(dept) {
		ms, err := a.b.approvers(a.tx, r, dept.ID)
		if err != nil {
			return "", err
		}
		if len(ms) == 0 {
			missing = append(missing, approverLabel(r))
			continue
		}
		roles = append(roles, r)
		labels = append(labels, approverLabel(r))
	}
	if len(roles) == 0 {
		return fmt.Sprintf("已提交 %s 的答复稿，但本单位未配置审核人（%s），请联系问政办。", k.No, strings.Join(missing, "、")), nil
	}
	steps, err := a.tx.AddReviewSteps(ans, roles)
	if err != nil {
		return "", err
	}
	if err := a.b.sendReviewCards(a.tx, k, ans, dept, &steps[0], len(steps)); err != nil {
		return "", err
	}
	order := "同意"
	if len(labels) > 1 {
		order = "依次同意"
	}
	reply := fmt.Sprintf("已提交 %s 的答复稿，待%s%s后发送给群众。", k.No, strings.Join(labels, "、"), order)
	if len(missing) > 0 {
		reply += fmt.Sprintf("（本单位未配置%s，该级审核已跳过。）", strings.Join(missing, "、"))
	}
	return reply, nil
}

// reviewProblemRunes is how much of the problem an approval card shows
// before the draft: enough to judge the answer by, while the draft keeps
// most of a WeCom card's 160 characters.
const reviewProblemRunes = 50

// sendReviewCards gives each approver of step s a card with what the
// citizen asked (personal data masked, cut to reviewProblemRunes) above the
// draft, and the buttons 同意 / 退回修改; the card links to the case page,
// where the whole text is whatever the card can show.
func (b *Bot) sendReviewCards(tx *models.Tx, k *models.Case, ans *models.Answer, dept *models.Department, s *models.ReviewStep, total int) error {
	ms, err := b.approvers(tx, s.Role, dept.ID)
	if err != nil {
		return err
	}
	author, _ := tx.MemberByID(ans.AuthorID)
	level := approverLabel(s.Role)
	if total > 1 {
		level = fmt.Sprintf("第%d/%d级 %s", s.Step, total, level)
	}
	card := Outgoing{
		Kind: KindCard, Title: "答复待审核 " + k.No, CaseNo: k.No, URL: b.caseURL(k.No),
		Text:   "问题：" + summary(redact.Identity(k.Content), reviewProblemRunes) + "\n答复稿：" + ans.Body,
		Fields: []Field{{"编号", k.No}, {"单位", dept.Name}, {"拟稿", nameOf(author)}, {"审核", level}},
		Buttons: []Button{
			verbButton(VerbApprove, k.No),
			verbButton(VerbRevise, k.No),
		},
	}
	for i := range ms {
		if err := toMember(tx, &ms[i], k.ID, reviewPurpose(s.Step), card); err != nil {
			return err
		}
	}
	return nil
}

// currentStep returns the draft under review, its chain and the step waiting
// for a decision (nil for a draft submitted before chains existed).
func (a *action) currentStep() (*models.Answer, []models.ReviewStep, *models.ReviewStep, error) {
	ans, err := a.tx.PendingAnswer(a.k)
	if err != nil {
		return nil, nil, nil, err
	}
	steps, err := a.tx.ReviewSteps(ans.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	for i := range steps {
		if steps[i].State == models.StepPending {
			return ans, steps, &steps[i], nil
		}
	}
	if len(steps) > 0 {
		return nil, nil, nil, a.conflict(models.ErrConflict)
	}
	return ans, nil, nil, nil
}

// mayDecide refuses a member who is not the approver of step s of draft ans.
func (a *action) mayDecide(ans *models.Answer, s *models.ReviewStep) error {
	if s == nil {
		return nil // an old draft: Authorize already allowed heads of the lead unit and leaders
	}
	who := a.who
	switch s.Role {
	case models.RoleHead:
		if who.Role == models.RoleHead && who.DepartmentID != nil && *who.DepartmentID == ans.DepartmentID {
			return nil
		}
		if who.Role == models.RoleLeader {
			return refuse("编号 %s 的答复稿正待部门负责人审核，同意后再由领导审核。", a.k.No)
		}
		return refuse("编号 %s 的答复稿正待承办单位负责人审核。", a.k.No)
	case models.RoleLeader:
		if who.Role == models.RoleLeader {
			ok, err := a.b.covers(a.tx, who, ans.DepartmentID)
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
			return refuse("编号 %s 不在您分管的范围内。", a.k.No)
		}
		return refuse("编号 %s 的答复稿已由部门负责人同意，正待分管领导审核。", a.k.No)
	}
	return refuse("您不是编号 %s 答复稿的审核人。", a.k.No)
}

// approveDraft is 同意: one step of the chain; after the last one the answer
// goes to the citizen.
func (a *action) approveDraft() (string, error) {
	k := a.k
	if k.Status != models.StatusReviewing {
		a.button = "已处理"
		return stateSentence(k, VerbApprove), nil
	}
	ans, steps, cur, err := a.currentStep()
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Sprintf("%s 没有待审核的答复稿。", k.No), nil
	}
	if err != nil {
		return "", err
	}
	if err := a.mayDecide(ans, cur); err != nil {
		return "", err
	}
	if cur != nil {
		if err := a.tx.DecideStep(cur, a.who, models.StepApproved, ""); err != nil {
			return "", a.conflict(err)
		}
		if err := a.b.updateCards(a.tx, k, reviewPurpose(cur.Step), a.who, "已由"+a.who.Name+"同意"); err != nil {
			return "", err
		}
		if cur.Step < len(steps) {
			next := &steps[cur.Step]
			body := fmt.Sprintf("%s审核同意（第%d/%d级），转%s审核", approverLabel(cur.Role), cur.Step, len(steps), approverLabel(next.Role))
			if err := a.tx.Record(k, a.actor(), models.EventReviewed, "", "", body); err != nil {
				return "", err
			}
			if err := a.tx.OpenStep(next); err != nil {
				return "", a.conflict(err)
			}
			dept, err := a.tx.DepartmentByID(ans.DepartmentID)
			if err != nil {
				return "", err
			}
			if err := a.b.sendReviewCards(a.tx, k, ans, dept, next, len(steps)); err != nil {
				return "", err
			}
			a.button = "已同意"
			return fmt.Sprintf("已同意 %s 的答复稿，已转%s审核。", k.No, approverLabel(next.Role)), nil
		}
	}
	if err := a.tx.DecideAnswer(ans, a.who, models.AnswerApproved, ""); err != nil {
		return "", a.conflict(err)
	}
	now := a.tx.Now()
	if err := a.tx.Move(k, models.StatusAnswered, a.actor(), models.EventApproved, ans.Body,
		map[string]any{"answer": ans.Body, "answered_at": now}); err != nil {
		return "", a.conflict(err)
	}
	dept, err := a.tx.DepartmentByID(ans.DepartmentID)
	if err != nil {
		return "", err
	}
	msg := fmt.Sprintf("您反映的问题（编号 %s）已由%s答复：\n%s", k.No, dept.Name, ans.Body)
	if err := toCitizen(a.tx, k, "citizen_answer", msg,
		Field{"编号", k.No}, Field{"承办单位", dept.Name}, Field{"答复", summary(ans.Body, 100)}); err != nil {
		return "", err
	}
	if cur == nil {
		if err := a.b.updateCards(a.tx, k, "review", a.who, "已由"+a.who.Name+"同意"); err != nil {
			return "", err
		}
	}
	a.button = "已同意"
	return fmt.Sprintf("已同意 %s 的答复，正在发送给群众。", k.No), nil
}

// reviseDraft is 退回修改: the approver of the current step sends the draft
// back with a comment; the case is 办理中 again and the author is told.
func (a *action) reviseDraft() (string, error) {
	k := a.k
	if a.click {
		a.button = "请填写修改意见"
		return fmt.Sprintf("退回修改需要写明意见，请发送：退回修改 %s 意见\n也可打开案件页面填写。", k.No), nil
	}
	if k.Status != models.StatusReviewing {
		return stateSentence(k, VerbRevise), nil
	}
	ans, _, cur, err := a.currentStep()
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Sprintf("%s 没有待审核的答复稿。", k.No), nil
	}
	if err != nil {
		return "", err
	}
	if err := a.mayDecide(ans, cur); err != nil {
		return "", err
	}
	comment := a.cmd.Text
	purpose := "review"
	if cur != nil {
		if err := a.tx.DecideStep(cur, a.who, models.StepRejected, comment); err != nil {
			return "", a.conflict(err)
		}
		purpose = reviewPurpose(cur.Step)
	}
	if err := a.tx.DecideAnswer(ans, a.who, models.AnswerRejected, comment); err != nil {
		return "", a.conflict(err)
	}
	if err := a.tx.Move(k, models.StatusHandling, a.actor(), models.EventRejected, "退回修改："+comment, nil); err != nil {
		return "", a.conflict(err)
	}
	if err := a.b.updateCards(a.tx, k, purpose, a.who, "已由"+a.who.Name+"退回修改"); err != nil {
		return "", err
	}
	// The author, and whoever approved an earlier step, learn why.
	tell := map[uint64]bool{ans.AuthorID: true}
	steps, err := a.tx.ReviewSteps(ans.ID)
	if err != nil {
		return "", err
	}
	for _, s := range steps {
		if s.State == models.StepApproved {
			tell[s.DecidedBy] = true
		}
	}
	delete(tell, a.who.ID)
	card := Outgoing{
		Kind: KindCard, Title: "答复稿退回修改 " + k.No, CaseNo: k.No, URL: a.b.caseURL(k.No),
		Text:   "修改意见：" + comment + "\n\n请修改后重新发送：答复 " + k.No + " 内容",
		Fields: []Field{{"编号", k.No}, {"审核人", a.who.Name}},
	}
	var names []string
	for _, s := range append([]models.ReviewStep{{DecidedBy: ans.AuthorID}}, steps...) {
		if !tell[s.DecidedBy] {
			continue
		}
		delete(tell, s.DecidedBy)
		m, err := a.tx.MemberByID(s.DecidedBy)
		if err != nil {
			return "", err
		}
		if err := toMember(a.tx, m, k.ID, "revise", card); err != nil {
			return "", err
		}
		names = append(names, m.Name)
	}
	a.button = "已退回修改"
	if len(names) == 0 {
		return fmt.Sprintf("已将 %s 的答复稿退回修改。", k.No), nil
	}
	return fmt.Sprintf("已将 %s 的答复稿退回修改，意见已告知%s。", k.No, strings.Join(names, "、")), nil
}
