package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"minsheng/models"
	"minsheng/redact"
)

// LeaderSettings are the leaders' part of config.yaml: their scopes
// (org.members[].scope) and the chase of serious cases (serious.*).
type LeaderSettings struct {
	// Scopes holds a leader's departments (codes) by ScopeKey(member). A
	// leader not listed, or listed with none, covers every unit.
	Scopes map[string][]string
	// ChaseEvery is how often a 重大/特别重大 case is pushed again to the
	// leaders and the joint meeting until a leader sends 知悉; 0 never.
	ChaseEvery time.Duration
	// CriticalWords and MajorWords grade a new case at intake: a report
	// holding one of CriticalWords is 特别重大, else one of MajorWords 重大.
	CriticalWords, MajorWords []string
	// ReportUp are the upper-level recipients of 重大/特别重大 cases
	// (serious.report_up; bot/reportup.go).
	ReportUp []Recipient
}

// ScopeKey is how LeaderSettings.Scopes names a member: platform:userid.
func ScopeKey(platform, userID string) string { return platform + ":" + userID }

// scopeOf returns the department ids leader m covers; all is true for a
// leader without a scope.
func (b *Bot) scopeOf(tx *models.Tx, m *models.Member) (all bool, ids map[uint64]bool, err error) {
	codes := b.Settings.Leaders.Scopes[ScopeKey(string(m.Platform), m.UserID)]
	if len(codes) == 0 {
		return true, nil, nil
	}
	deps, err := tx.ActiveDepartments()
	if err != nil {
		return false, nil, err
	}
	ids = map[uint64]bool{}
	for _, d := range deps {
		for _, c := range codes {
			if d.Code == c {
				ids[d.ID] = true
			}
		}
	}
	return false, ids, nil
}

// covers reports whether leader m's scope includes unit dept.
func (b *Bot) covers(tx *models.Tx, m *models.Member, dept uint64) (bool, error) {
	all, ids, err := b.scopeOf(tx, m)
	return all || ids[dept], err
}

// coversCase reports whether leader m may see case k with its active units:
// a leader without scope sees every case; a leader with one sees the cases
// where one of their units takes part (so not a case still waiting for
// assignment).
func (b *Bot) coversCase(tx *models.Tx, m *models.Member, units []models.CaseUnit) (bool, error) {
	all, ids, err := b.scopeOf(tx, m)
	if err != nil || all {
		return all, err
	}
	for _, u := range units {
		if ids[u.DepartmentID] {
			return true, nil
		}
	}
	return false, nil
}

// leadersCovering lists the leaders whose scope includes unit dept.
func (b *Bot) leadersCovering(tx *models.Tx, dept uint64) ([]models.Member, error) {
	all, err := tx.MembersWithRole(0, models.RoleLeader)
	if err != nil {
		return nil, err
	}
	var out []models.Member
	for i := range all {
		ok, err := b.covers(tx, &all[i], dept)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// leadersForCase lists the leaders who may see case k.
func (b *Bot) leadersForCase(tx *models.Tx, k *models.Case) ([]models.Member, error) {
	units, err := tx.Units(k)
	if err != nil {
		return nil, err
	}
	all, err := tx.MembersWithRole(0, models.RoleLeader)
	if err != nil {
		return nil, err
	}
	var out []models.Member
	for i := range all {
		ok, err := b.coversCase(tx, &all[i], units)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, all[i])
		}
	}
	return out, nil
}

// inScope refuses a leader the cases outside their scope: they can neither
// see nor decide them.
func (a *action) inScope() error {
	if a.who.Role != models.RoleLeader {
		return nil
	}
	ok, err := a.b.coversCase(a.tx, a.who, a.units)
	if err != nil {
		return err
	}
	if !ok {
		return refuse("编号 %s 不在您分管的范围内。", a.k.No)
	}
	return nil
}

// requestExtension is 延期: the request goes to the leaders covering the
// lead unit as a card with the reason, the days asked and both deadlines.
func (a *action) requestExtension() (string, error) {
	k, c := a.k, a.cmd
	if !k.Status.Open() || k.DueAt == nil {
		return stateSentence(k, VerbExtend), nil
	}
	if _, err := a.tx.PendingExtension(k); err == nil {
		return fmt.Sprintf("编号 %s 已有延期申请待领导审批，请等待审批结果。", k.No), nil
	} else if !errors.Is(err, models.ErrNotFound) {
		return "", err
	}
	// deadlines.extension_workdays is the total of a case, however many
	// requests ("办理时限最长不得超过5个工作日"): a request beyond what is
	// left never reaches a leader.
	used, err := a.extendedDays(k)
	if err != nil {
		return "", err
	}
	total := a.b.Settings.ExtensionWorkdays
	if left := max(total-used, 0); c.Days > left {
		return fmt.Sprintf("编号 %s 已延期%d个工作日，每件合计不超过%d个工作日，剩余可延期 %d 个工作日。", k.No, used, total, left), nil
	}
	loc := a.b.Location()
	newDue := a.b.dueIn(k.DueAt.In(loc), c.Days)
	e := &models.Extension{CaseID: k.ID, DepartmentID: a.mine.DepartmentID, RequestedBy: a.who.ID, Workdays: c.Days, Reason: c.Text, OldDueAt: k.DueAt, NewDueAt: &newDue}
	if err := a.tx.AddExtension(e); err != nil {
		return "", err
	}
	body := fmt.Sprintf("申请延期%d个工作日至 %s：%s", c.Days, dateTime(newDue.In(loc)), c.Text)
	if err := a.tx.Record(k, a.actor(), models.EventExtension, "", "", body); err != nil {
		return "", err
	}
	leaders, err := a.b.leadersCovering(a.tx, a.mine.DepartmentID)
	if err != nil {
		return "", err
	}
	dept, err := a.tx.DepartmentByID(a.mine.DepartmentID)
	if err != nil {
		return "", err
	}
	card := Outgoing{
		Kind: KindCard, Title: "延期申请 " + k.No, CaseNo: k.No, URL: a.b.caseURL(k.No),
		Text: "延期理由：" + c.Text,
		Fields: []Field{{"编号", k.No}, {"单位", dept.Name}, {"申请", fmt.Sprintf("%d个工作日", c.Days)},
			{"原时限", dateTime(k.DueAt.In(loc))}, {"拟延至", dateTime(newDue.In(loc))}},
		Buttons: []Button{
			verbButton(VerbExtApprove, k.No),
			verbButton(VerbExtReject, k.No),
		},
	}
	for i := range leaders {
		if err := toMember(a.tx, &leaders[i], k.ID, "extension", card); err != nil {
			return "", err
		}
	}
	if len(leaders) == 0 {
		return fmt.Sprintf("已记录 %s 的延期申请（%d个工作日，拟延至 %s），但没有分管本单位的领导，请联系问政办。", k.No, c.Days, date(newDue.In(loc))), nil
	}
	return fmt.Sprintf("已提交 %s 的延期申请（%d个工作日，拟延至 %s），待领导审批。", k.No, c.Days, date(newDue.In(loc))), nil
}

// extendedDays is the working days of case k's approved extensions.
func (a *action) extendedDays(k *models.Case) (int, error) {
	list, err := a.tx.Extensions(k)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range list {
		if e.State == models.ExtensionApproved {
			n += e.Workdays
		}
	}
	return n, nil
}

// pendingExtension finds the request a leader decides, checking that the
// leader covers the unit that asked.
func (a *action) pendingExtension(v Verb) (*models.Extension, string, error) {
	k := a.k
	if !k.Status.Open() {
		a.button = "已处理"
		return nil, stateSentence(k, v), nil
	}
	e, err := a.tx.PendingExtension(k)
	if errors.Is(err, models.ErrNotFound) {
		a.button = "已处理"
		return nil, fmt.Sprintf("编号 %s 没有待审批的延期申请。", k.No), nil
	}
	if err != nil {
		return nil, "", err
	}
	ok, err := a.b.covers(a.tx, a.who, e.DepartmentID)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", refuse("编号 %s 不在您分管的范围内。", k.No)
	}
	return e, "", nil
}

// tellUnit sends text to the unit's group and to the member who asked.
func (a *action) tellUnit(dept uint64, asker uint64, purpose, title, text string) error {
	d, err := a.tx.DepartmentByID(dept)
	if err != nil {
		return err
	}
	k := a.k
	if err := toGroup(a.tx, d, k.ID, purpose, Outgoing{Kind: KindMarkdown, Text: "**" + title + "**\n" + mdEscape(text), CaseNo: k.No}); err != nil {
		return err
	}
	if asker == 0 {
		return nil
	}
	m, err := a.tx.MemberByID(asker)
	if err != nil {
		return err
	}
	return toMember(a.tx, m, k.ID, purpose, Outgoing{Kind: KindCard, Title: title, Text: text, CaseNo: k.No, URL: a.b.caseURL(k.No)})
}

// approveExtension is 批准延期: the deadline moves by the working days asked,
// counted from the deadline as it stands now; the citizen is told the reason
// and the new date, the unit the new deadline.
func (a *action) approveExtension() (string, error) {
	e, msg, err := a.pendingExtension(VerbExtApprove)
	if e == nil || err != nil {
		return msg, err
	}
	k, loc := a.k, a.b.Location()
	from := k.DueAt
	if from == nil {
		from = e.OldDueAt
	}
	if from == nil {
		return stateSentence(k, VerbExtApprove), nil
	}
	newDue := a.b.dueIn(from.In(loc), e.Workdays)
	if err := a.tx.DecideExtension(e, a.who, models.ExtensionApproved, &newDue); err != nil {
		return "", a.conflict(err)
	}
	if err := a.tx.Update(k, map[string]any{"due_at": newDue.UTC()}); err != nil {
		return "", err
	}
	due := dateTime(newDue.In(loc))
	if err := a.tx.Record(k, a.actor(), models.EventExtensionApproved, "", "", fmt.Sprintf("批准延期%d个工作日：%s", e.Workdays, e.Reason)); err != nil {
		return "", err
	}
	if err := a.tx.Record(k, a.actor(), models.EventDeadline, "", "", fmt.Sprintf("办理时限由 %s 延至 %s", dateTime(from.In(loc)), due)); err != nil {
		return "", err
	}
	cit := fmt.Sprintf("您反映的问题（编号 %s）需要延期办理，已经批准。\n延期理由：%s\n新的答复时限：%s\n我们会抓紧办理，感谢您的理解。", k.No, e.Reason, due)
	if err := toCitizen(a.tx, k, "citizen_extension", cit, Field{"编号", k.No}, Field{"结果", "延期办理"}, Field{"时限", due}); err != nil {
		return "", err
	}
	text := fmt.Sprintf("编号 %s 的延期申请已由%s同意：延期%d个工作日，新的办理时限 %s。", k.No, a.who.Name, e.Workdays, due)
	if err := a.tellUnit(e.DepartmentID, e.RequestedBy, "extension_decided", "延期已批准 "+k.No, text); err != nil {
		return "", err
	}
	if err := a.b.updateCards(a.tx, k, "extension", a.who, "已由"+a.who.Name+"同意"); err != nil {
		return "", err
	}
	a.button = "已同意延期"
	return fmt.Sprintf("已批准 %s 延期%d个工作日，新时限 %s；已告知承办单位和群众。", k.No, e.Workdays, due), nil
}

// rejectExtension is 驳回延期: the unit is told why and that the deadline stands.
func (a *action) rejectExtension() (string, error) {
	k := a.k
	if a.click {
		a.button = "请填写理由"
		return fmt.Sprintf("不同意延期需要写明理由，请发送：驳回延期 %s 理由\n也可打开案件页面填写。", k.No), nil
	}
	e, msg, err := a.pendingExtension(VerbExtReject)
	if e == nil || err != nil {
		return msg, err
	}
	if err := a.tx.DecideExtension(e, a.who, models.ExtensionRejected, nil); err != nil {
		return "", a.conflict(err)
	}
	if err := a.tx.Record(k, a.actor(), models.EventExtensionRejected, "", "", "不同意延期："+a.cmd.Text); err != nil {
		return "", err
	}
	text := fmt.Sprintf("编号 %s 的延期申请未获%s同意。\n理由：%s\n请在原时限 %s 前办结。", k.No, a.who.Name, a.cmd.Text, dueLabel(a.b, k))
	if err := a.tellUnit(e.DepartmentID, e.RequestedBy, "extension_decided", "延期未获批准 "+k.No, text); err != nil {
		return "", err
	}
	if err := a.b.updateCards(a.tx, k, "extension", a.who, "已由"+a.who.Name+"驳回"); err != nil {
		return "", err
	}
	a.button = "已驳回"
	return fmt.Sprintf("已驳回 %s 的延期申请，已告知承办单位。", k.No), nil
}

// instruct is 批示: on the record, to every unit's group and heads, and to
// the dispatchers, who track it until the lead unit acts.
func (a *action) instruct() (string, error) {
	k, text := a.k, a.cmd.Text
	if !k.Status.Open() {
		return stateSentence(k, VerbInstruct), nil
	}
	if _, err := a.tx.AddInstruction(k, a.who, text); err != nil {
		return "", err
	}
	if err := a.tx.Record(k, a.actor(), models.EventInstructed, "", "", text); err != nil {
		return "", err
	}
	title := "领导批示 " + k.No
	for _, u := range a.units {
		d, err := a.tx.DepartmentByID(u.DepartmentID)
		if err != nil {
			return "", err
		}
		md := fmt.Sprintf("**%s**（%s）\n> 批示人：%s\n\n%s\n\n请抓紧落实，并报送进展：进展 %s 内容", title, u.RoleLabel(), a.who.Name, mdEscape(text), k.No)
		if err := toGroup(a.tx, d, k.ID, "instruction", Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}); err != nil {
			return "", err
		}
		heads, err := a.tx.MembersWithRole(d.ID, models.RoleHead)
		if err != nil {
			return "", err
		}
		for i := range heads {
			card := Outgoing{Kind: KindCard, Title: title, CaseNo: k.No, URL: a.b.caseURL(k.No),
				Text:   text + "\n\n请抓紧落实，并报送进展：进展 " + k.No + " 内容",
				Fields: []Field{{"编号", k.No}, {"批示人", a.who.Name}, {"单位", d.Name + "（" + u.RoleLabel() + "）"}}}
			if err := toMember(a.tx, &heads[i], k.ID, "instruction", card); err != nil {
				return "", err
			}
		}
	}
	dispatchers, err := a.tx.MembersWithRole(0, models.RoleDispatcher)
	if err != nil {
		return "", err
	}
	for i := range dispatchers {
		card := Outgoing{Kind: KindCard, Title: title, CaseNo: k.No, URL: a.b.caseURL(k.No), Text: text,
			Fields: []Field{{"编号", k.No}, {"批示人", a.who.Name}, {"跟踪", "牵头单位报进展前列入待办"}}}
		if err := toMember(a.tx, &dispatchers[i], k.ID, "instruction", card); err != nil {
			return "", err
		}
	}
	if len(a.units) == 0 {
		return fmt.Sprintf("已批示 %s。此件尚未交办，批示已转问政办。", k.No), nil
	}
	return fmt.Sprintf("已批示 %s，已送达承办单位及其负责人，问政办跟踪落实。", k.No), nil
}

// acknowledge is 知悉: a leader took note of a serious case; the chase stops.
func (a *action) acknowledge() (string, error) {
	k := a.k
	al, err := a.tx.LatestAlert(k)
	if errors.Is(err, models.ErrNotFound) {
		a.button = "无需知悉"
		return fmt.Sprintf("编号 %s 没有报送领导的重大事项。", k.No), nil
	}
	if err != nil {
		return "", err
	}
	if al.State == models.AlertEnded {
		a.button = "已改定等级"
		return fmt.Sprintf("编号 %s 已改定为%s，不再作为%s事项催报。", k.No, k.Severity, al.Severity), nil
	}
	acked := false
	if al.State == models.AlertOpen {
		switch err := a.tx.AckAlert(al, a.who); {
		case err == nil:
			acked = true
		case errors.Is(err, models.ErrConflict):
			if al, err = a.tx.LatestAlert(k); err != nil {
				return "", err
			}
		default:
			return "", err
		}
	}
	if !acked {
		if al.AckedBy == a.who.ID {
			a.button = "已知悉"
			return fmt.Sprintf("您已知悉 %s。", k.No), nil
		}
		by, _ := a.tx.MemberByID(al.AckedBy)
		a.button = "已由" + nameOf(by) + "知悉"
		return fmt.Sprintf("%s 已由 %s 知悉。", k.No, nameOf(by)), nil
	}
	if err := a.tx.Record(k, a.actor(), models.EventAcknowledged, "", "", fmt.Sprintf("知悉%s事项", al.Severity)); err != nil {
		return "", err
	}
	for _, p := range []string{"serious", "serious_chase"} {
		if err := a.b.updateCards(a.tx, k, p, a.who, "已由"+a.who.Name+"知悉"); err != nil {
			return "", err
		}
	}
	md := fmt.Sprintf("**%s事项 %s 已由%s知悉**", al.Severity, k.No, a.who.Name)
	if err := enqueue(a.tx, a.b.JointPlatform(), models.JointTarget(), k.ID, "serious_acked", Outgoing{Kind: KindMarkdown, Text: md, CaseNo: k.No}); err != nil {
		return "", err
	}
	a.button = "已知悉"
	return fmt.Sprintf("已知悉 %s（%s），已通报联席会议群。如需批示请发送：批示 %s 内容", k.No, al.Severity, k.No), nil
}

// todoLeaders is 待办 with the leaders' part: a leader sees what waits for
// them; a dispatcher also sees the 批示 not acted on yet.
func (a *action) todoLeaders() (string, error) {
	if a.who.Role == models.RoleLeader {
		return a.leaderTodo()
	}
	s, err := a.todo()
	if err != nil || a.who.Role != models.RoleDispatcher {
		return s, err
	}
	open, err := a.openInstructions(todoLimit)
	if err != nil || open == "" {
		return s, err
	}
	return s + "\n" + open, nil
}

// openInstructions lists the 批示 the lead unit has not acted on yet.
func (a *action) openInstructions(limit int) (string, error) {
	list, err := a.tx.OpenInstructions(limit)
	if err != nil || len(list) == 0 {
		return "", err
	}
	loc := a.b.Location()
	var sb strings.Builder
	fmt.Fprintf(&sb, "—— 未落实的领导批示（%d条，牵头单位报进展后消除）——", len(list))
	for _, in := range list {
		k, err := a.tx.CaseByID(in.CaseID)
		if err != nil {
			return "", err
		}
		by, _ := a.tx.MemberByID(in.LeaderID)
		fmt.Fprintf(&sb, "\n%s %s %s：%s", k.No, in.CreatedAt.In(loc).Format("01-02 15:04"), nameOf(by), summary(in.Body, 20))
	}
	return sb.String(), nil
}

// leaderTodo lists, for a leader, the drafts, extensions and serious cases
// waiting for them, then the open cases of their scope.
func (a *action) leaderTodo() (string, error) {
	all, ids, err := a.b.scopeOf(a.tx, a.who)
	if err != nil {
		return "", err
	}
	list, err := a.tx.OpenCases(0, 500)
	if err != nil {
		return "", err
	}
	now, loc := a.tx.Now(), a.b.Location()
	var wait, rest []string
	for i := range list {
		k := &list[i]
		units, err := a.tx.Units(k)
		if err != nil {
			return "", err
		}
		if !all {
			ok := false
			for _, u := range units {
				ok = ok || ids[u.DepartmentID]
			}
			if !ok {
				continue
			}
		}
		var what []string
		if k.Status == models.StatusReviewing {
			if ans, err := a.tx.PendingAnswer(k); err == nil {
				steps, err := a.tx.ReviewSteps(ans.ID)
				if err != nil {
					return "", err
				}
				for _, s := range steps {
					if s.State == models.StepPending && s.Role == models.RoleLeader {
						what = append(what, "答复待审核")
					}
				}
			}
		}
		if _, err := a.tx.PendingExtension(k); err == nil {
			what = append(what, "延期待审批")
		}
		if al, err := a.tx.LatestAlert(k); err == nil && al.State == models.AlertOpen {
			what = append(what, string(al.Severity)+"待知悉")
		}
		due := "待交办"
		if k.DueAt != nil {
			due = "时限 " + k.DueAt.In(loc).Format("01-02 15:04")
			if k.Overdue(now) {
				due += " 已超期"
			}
		}
		line := fmt.Sprintf("%s %s %s %s", k.No, k.Status.Label(), due, summary(redact.Identity(k.Content), 14))
		if len(what) > 0 {
			wait = append(wait, fmt.Sprintf("%s 【%s】 %s", k.No, strings.Join(what, "、"), summary(redact.Identity(k.Content), 14)))
		} else if len(rest) < todoLimit {
			rest = append(rest, line)
		}
	}
	if len(wait) == 0 && len(rest) == 0 {
		return "暂无待办。", nil
	}
	var sb strings.Builder
	if len(wait) > 0 {
		fmt.Fprintf(&sb, "待您处理（%d件）：\n%s", len(wait), strings.Join(wait, "\n"))
	}
	if len(rest) > 0 {
		if sb.Len() > 0 {
			sb.WriteString("\n")
		}
		fmt.Fprintf(&sb, "分管范围内在办（%d件，时限近的在前）：\n%s", len(rest), strings.Join(rest, "\n"))
	}
	return sb.String(), nil
}

// viewLeaders is 查 with the leaders' part: the 批示 and whether the lead
// unit acted on them, a pending extension, and the report-up state.
func (a *action) viewLeaders() (string, error) {
	s, err := a.view()
	if err != nil {
		return s, err
	}
	var sb strings.Builder
	sb.WriteString(s)
	k, loc := a.k, a.b.Location()
	ins, err := a.tx.Instructions(k)
	if err != nil {
		return "", err
	}
	for _, in := range ins {
		acted, err := a.tx.InstructionActed(&in)
		if err != nil {
			return "", err
		}
		state := "未落实"
		if acted {
			state = "已报进展"
		}
		by, _ := a.tx.MemberByID(in.LeaderID)
		fmt.Fprintf(&sb, "\n批示（%s %s，%s）：%s", nameOf(by), in.CreatedAt.In(loc).Format("01-02 15:04"), state, summary(in.Body, 40))
	}
	if e, err := a.tx.PendingExtension(k); err == nil {
		fmt.Fprintf(&sb, "\n延期申请：%d个工作日，待领导审批", e.Workdays)
	}
	if al, err := a.tx.LatestAlert(k); err == nil {
		if al.State == models.AlertOpen {
			fmt.Fprintf(&sb, "\n%s事项：报送时限 %s，尚无领导知悉", al.Severity, dateTime(al.ReportDueAt.In(loc)))
		} else {
			by, _ := a.tx.MemberByID(al.AckedBy)
			fmt.Fprintf(&sb, "\n%s事项：已由%s知悉", al.Severity, nameOf(by))
		}
	}
	return sb.String(), nil
}
