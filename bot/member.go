package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"minsheng/models"
	"minsheng/redact"
)

// MemberMessage is a command typed by a member, or a card button they pressed.
type MemberMessage struct {
	Platform models.Platform
	UserID   string
	// MsgID identifies the message on its platform, for deduplication.
	MsgID string
	Text  string
	// EventKey is set for a button click, with the card's TaskID.
	EventKey string
	TaskID   string
}

// MemberReply is the answer to a member.
type MemberReply struct {
	// Text is the reply in the chat.
	Text string
	// Button is the new label of the pressed button (card clicks only).
	Button string
	Retry  bool
}

// HandleMember runs a member's command or button: authorised by role and
// unit, applied as compare-and-set, recorded, and with every message it
// causes queued in the same transaction.
func (b *Bot) HandleMember(ctx context.Context, m MemberMessage) (MemberReply, error) {
	var cmd MemberCommand
	click := m.EventKey != ""
	if click {
		cmd = ParseButton(m.EventKey)
	} else {
		cmd = ParseMember(m.Text)
	}
	if v := verbs().memberVerb(cmd.Verb); v != nil && v.intake && !click && cmd.Err == "" {
		// 舆情 enters the citizens' intake (informant.go).
		if r, ok, err := b.memberIntake(ctx, m, cmd, v); ok || err != nil {
			return r, err
		}
	}
	key := "msg:" + m.MsgID
	if click {
		key = "click:" + m.UserID + ":" + m.TaskID + ":" + m.EventKey
	}
	if m.MsgID == "" && !click {
		key = "msg:" + m.UserID + ":" + randomHex(8)
	}
	var button string
	text, retry, err := b.Store.Once(ctx, m.Platform, key, "command", summary(redact.Identity(m.Text+m.EventKey), 200), func(tx *models.Tx) (string, error) {
		who, err := tx.Member(m.Platform, m.UserID)
		if errors.Is(err, models.ErrNotFound) {
			return "您还不是本系统的成员，请联系问政办在配置中添加您。", nil
		}
		if err != nil {
			return "", err
		}
		act := &action{b: b, tx: tx, who: who, cmd: cmd, click: click}
		reply, err := act.run()
		button = act.button
		var r *Refusal
		if errors.As(err, &r) {
			if act.k != nil {
				if e := tx.Record(act.k, models.MemberActor(who), models.EventRefused, "", "", fmt.Sprintf("%s：%s", cmd.Verb, r.Msg)); e != nil {
					return "", e
				}
			}
			b.log().InfoContext(ctx, "member action refused", "platform", m.Platform, "member", who.ID, "verb", string(cmd.Verb), "case_no", cmd.No)
			if button == "" && click {
				button = "无权操作"
			}
			reply, err = r.Msg, nil
		}
		if err != nil {
			return "", err
		}
		// A click's answer in the chat: the card itself only shows the new label.
		if click && reply != "" {
			var caseID uint64
			if act.k != nil {
				caseID = act.k.ID
			}
			if err := toMember(tx, who, caseID, "click_reply", Outgoing{Kind: KindText, Text: reply}); err != nil {
				return "", err
			}
		}
		return reply, nil
	})
	if err != nil {
		return MemberReply{}, fmt.Errorf("member %s command %s %s: %w", m.UserID, cmd.Verb, cmd.No, err)
	}
	b.queued()
	return MemberReply{Text: text, Button: button, Retry: retry}, nil
}

// action is one member command being carried out.
type action struct {
	b      *Bot
	tx     *models.Tx
	who    *models.Member
	cmd    MemberCommand
	click  bool
	k      *models.Case
	units  []models.CaseUnit
	mine   *models.CaseUnit // the member's unit on the case
	button string
	// reporter is the information officer as the intake's reporter, and
	// outcome what their report became, for a verb of the intake (舆情).
	reporter *models.Citizen
	outcome  string
}

func (a *action) actor() models.Actor { return models.MemberActor(a.who) }

// run carries out a.cmd by its row of the verb table: the case locked, the
// member's relation to it found, the verb authorised (and a leader's scope
// checked), then the row's run function.
func (a *action) run() (string, error) {
	c := a.cmd
	if c.Err != "" {
		return c.Err, nil
	}
	v := verbs().memberVerb(c.Verb)
	if v == nil { // no command: the answer is help
		return a.b.memberHelp(a.who), nil
	}
	if v.args.noCase {
		if err := Authorize(a.who.Role, v.verb, RelNone); err != nil {
			return "", err
		}
		return v.run(a)
	}
	k, err := a.tx.CaseForUpdate(c.No)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Sprintf("没有编号为 %s 的问题，请核对编号。", c.No), nil
	}
	if err != nil {
		return "", err
	}
	rel, err := a.relate(k)
	if err != nil {
		return "", err
	}
	// 退回 from an approver while the case is 审核中 sends the draft back
	// for changes (退回修改); otherwise it is a unit's return.
	if c.Verb == VerbReturn && k.Status == models.StatusReviewing && (a.who.Role == models.RoleHead || a.who.Role == models.RoleLeader) {
		a.cmd.Verb = VerbRevise
		v = verbs().memberVerb(VerbRevise)
	}
	if err := Authorize(a.who.Role, v.verb, rel); err != nil {
		return "", err
	}
	if err := a.inScope(); err != nil {
		return "", err
	}
	return v.run(a)
}

// stateSentence explains why a command does not fit the case's state.
func stateSentence(k *models.Case, v Verb) string {
	return fmt.Sprintf("编号 %s 当前状态为“%s”，不能%s。", k.No, k.Status.Label(), v)
}

func (a *action) assign() (string, error) {
	k, c := a.k, a.cmd
	if k.Status != models.StatusReceived {
		a.button = "已" + k.Status.Label()
		return stateSentence(k, VerbAssign), nil
	}
	lead, notFound, err := a.b.findUnit(a.tx, c.Lead, "单位")
	if err != nil || notFound != "" {
		return notFound, err
	}
	var co []*models.Department
	var coIDs []uint64
	for _, name := range c.Co {
		d, notFound, err := a.b.findUnit(a.tx, name, "协办单位")
		if err != nil || notFound != "" {
			return notFound, err
		}
		if d.ID == lead.ID {
			return fmt.Sprintf("%s 已是牵头单位，不必再列为协办。", d.Name), nil
		}
		co, coIDs = append(co, d), append(coIDs, d.ID)
	}
	kind := a.b.Settings.DefaultKind
	if len(co) > 0 {
		kind = "复杂"
	}
	if c.Kind != "" {
		kind = c.Kind // the dispatcher's choice at triage
	}
	// The clock runs from the citizen's report, not from now (bot/due.go).
	due := a.b.caseDue(k, kind)
	names := []string{lead.Name + "（牵头）"}
	for _, d := range co {
		names = append(names, d.Name+"（协办）")
	}
	body := strings.Join(names, "、") + "，办理时限 " + due.Label()
	if err := a.tx.Assign(k, a.actor(), lead.ID, coIDs, kind, due.At, body); err != nil {
		return "", a.conflict(err)
	}
	received := dateTime(k.ReceivedAt.In(a.b.Location()))
	if err := a.tx.Record(k, a.actor(), models.EventDeadline, "", "", kind+"件，办理时限 "+due.Label()+"（自受理 "+received+" 起算）"); err != nil {
		return "", err
	}
	if err := a.b.notifyAssigned(a.tx, k, lead, co); err != nil {
		return "", err
	}
	a.button = "已交办" + lead.Name
	return fmt.Sprintf("已将 %s 交办：%s，%s（自受理 %s 起算）。", k.No, body, a.b.timeLeft(a.tx.Now(), due.At), received), nil
}

// conflict turns a lost compare-and-set into a sentence.
func (a *action) conflict(err error) error {
	if errors.Is(err, models.ErrConflict) || errors.Is(err, models.ErrInvalidTransition) {
		return refuse("编号 %s 刚被他人处理过，请发送“查 %s”看最新状态。", a.k.No, a.k.No)
	}
	return err
}

func (a *action) invalid() (string, error) {
	k := a.k
	if a.click {
		if k.Status != models.StatusReceived {
			a.button = "已" + k.Status.Label()
			return stateSentence(k, VerbInvalid), nil
		}
		a.button = "请发送无效理由"
		return fmt.Sprintf("标为无效需要写明理由（会告知群众），请发送：无效 %s 理由", k.No), nil
	}
	if err := a.tx.Move(k, models.StatusInvalid, a.actor(), models.EventInvalid, a.cmd.Text, map[string]any{"closed_at": a.tx.Now()}); err != nil {
		if errors.Is(err, models.ErrInvalidTransition) {
			return stateSentence(k, VerbInvalid), nil
		}
		return "", a.conflict(err)
	}
	msg := fmt.Sprintf("您反映的问题（编号 %s）经审核不属于受理范围：%s\n如有疑问，可重新描述问题后再次反映。", k.No, a.cmd.Text)
	if err := toCitizen(a.tx, k, "citizen_invalid", msg, Field{"编号", k.No}, Field{"结果", "不予受理"}); err != nil {
		return "", err
	}
	return fmt.Sprintf("已将 %s 标为无效，理由已告知群众。", k.No), nil
}

func (a *action) duplicate() (string, error) {
	k := a.k
	if a.click {
		if k.Status != models.StatusReceived {
			a.button = "已" + k.Status.Label()
			return stateSentence(k, VerbDuplicate), nil
		}
		if a.cmd.Orig == "" { // the plain 重复 button; a similar case's carries it
			a.button = "请发送原编号"
			return fmt.Sprintf("请发送：重复 %s 原编号（并入先前反映的同一问题）", k.No), nil
		}
	}
	orig, err := a.tx.Case(a.cmd.Orig)
	if errors.Is(err, models.ErrNotFound) {
		return fmt.Sprintf("没有原编号 %s。", a.cmd.Orig), nil
	}
	if err != nil {
		return "", err
	}
	if err := a.tx.Move(k, models.StatusDuplicate, a.actor(), models.EventDuplicate, "并入 "+orig.No,
		map[string]any{"duplicate_of_id": orig.ID, "closed_at": a.tx.Now()}); err != nil {
		if errors.Is(err, models.ErrInvalidTransition) {
			return stateSentence(k, VerbDuplicate), nil
		}
		return "", a.conflict(err)
	}
	if err := a.tx.Update(orig, map[string]any{"repeats": orig.Repeats + 1}); err != nil {
		return "", err
	}
	if err := a.tx.Record(orig, a.actor(), models.EventRepeat, "", "", "重复反映 "+k.No+" 并入，请加强核查"); err != nil {
		return "", err
	}
	msg := fmt.Sprintf("您反映的问题（编号 %s）与编号 %s 为同一问题，已合并办理，我们会加强核查。", k.No, orig.No)
	if err := toCitizen(a.tx, k, "citizen_duplicate", msg, Field{"编号", k.No}, Field{"结果", "合并至 " + orig.No}); err != nil {
		return "", err
	}
	if a.click {
		a.button = "已并入" + orig.No[min(4, len(orig.No)):]
	}
	return fmt.Sprintf("已将 %s 并入 %s（重复反映，原件已标记加强核查）。", k.No, orig.No), nil
}

func (a *action) grade() (string, error) {
	k, sev := a.k, a.cmd.Severity
	if !k.Status.Open() {
		return stateSentence(k, VerbGrade), nil
	}
	old := k.Severity
	if err := a.tx.Update(k, map[string]any{"severity": sev}); err != nil {
		return "", err
	}
	k.Severity = sev
	// A new grade ends the old grade's alert: a higher or equal one raises
	// its own (RaiseAlert supersedes the old), a lower one stops the chase.
	if _, chased := a.b.reportUpWithin(sev); chased {
		if err := a.tx.Record(k, a.actor(), models.EventSeverity, "", "", string(sev)); err != nil {
			return "", err
		}
		if err := a.b.notifySerious(a.tx, k); err != nil {
			return "", err
		}
		return fmt.Sprintf("已将 %s 定为%s，已报送领导和联席会议群。", k.No, sev), nil
	}
	ended, err := a.tx.EndAlerts(k)
	if err != nil {
		return "", err
	}
	body, reply := string(sev), fmt.Sprintf("已将 %s 定为%s。", k.No, sev)
	if ended > 0 {
		body = fmt.Sprintf("%s（原%s事项不再催报）", sev, old)
		reply = fmt.Sprintf("已将 %s 定为%s，原%s事项的报送催办已结束。", k.No, sev, old)
	}
	if err := a.tx.Record(k, a.actor(), models.EventSeverity, "", "", body); err != nil {
		return "", err
	}
	return reply, nil
}

func (a *action) supervise() (string, error) {
	k := a.k
	if !k.Status.Open() {
		return stateSentence(k, VerbSupervise), nil
	}
	if len(a.units) == 0 {
		return fmt.Sprintf("编号 %s 尚未交办，无法督办。", k.No), nil
	}
	for _, u := range a.units {
		s := &models.Supervision{CaseID: k.ID, DepartmentID: u.DepartmentID, ByKind: models.ActorMember, ByID: a.who.ID, Level: "manual", Note: a.cmd.Text}
		if err := a.tx.AddSupervision(s); err != nil {
			return "", err
		}
		if err := a.b.notifySupervision(a.tx, k, u, a.who, a.cmd.Text); err != nil {
			return "", err
		}
	}
	if err := a.tx.Record(k, a.actor(), models.EventSupervise, "", "", a.cmd.Text); err != nil {
		return "", err
	}
	return fmt.Sprintf("已督办 %s，已推送承办单位及其负责人。", k.No), nil
}

func (a *action) view() (string, error) {
	k := a.k
	loc := a.b.Location()
	var sb strings.Builder
	fmt.Fprintf(&sb, "编号：%s\n状态：%s\n等级：%s  类型：%s\n受理：%s", k.No, k.Status.Label(), k.Severity, k.Kind, dateTime(k.ReceivedAt.In(loc)))
	if k.DueAt != nil {
		fmt.Fprintf(&sb, "\n时限：%s", dateTime(k.DueAt.In(loc)))
		if k.Overdue(a.tx.Now()) {
			sb.WriteString("（已超期）")
		}
	}
	for _, u := range a.units {
		d, err := a.tx.DepartmentByID(u.DepartmentID)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&sb, "\n%s单位：%s（%s）", u.RoleLabel(), d.Name, unitStateLabel(u.State))
	}
	if k.InformantID != nil {
		// An information officer is an official, named to everyone who sees the case.
		s, err := informantLabel(a.tx, k)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&sb, "\n来源：%s", s)
	}
	if a.who.Role == models.RoleDispatcher {
		if k.InformantID == nil {
			if err := a.viewReporter(&sb); err != nil {
				return "", err
			}
		}
		fmt.Fprintf(&sb, "\n内容：%s", k.Content)
	} else {
		fmt.Fprintf(&sb, "\n内容：%s", redact.Identity(k.Content))
	}
	if k.Repeats > 0 {
		fmt.Fprintf(&sb, "\n重复反映：%d 次", k.Repeats)
	}
	events, err := a.tx.Events(k)
	if err != nil {
		return "", err
	}
	sb.WriteString("\n—— 记录 ——")
	for _, e := range lastEvents(events, 8) {
		body := e.Body
		if a.who.Role != models.RoleDispatcher {
			body = redact.Identity(body)
		}
		fmt.Fprintf(&sb, "\n%s %s %s %s", e.CreatedAt.In(loc).Format("01-02 15:04"), actorLabel(e), eventLabel(e.Kind), summary(body, 40))
	}
	return sb.String(), nil
}

// viewReporter adds the citizen who reported a.k to a dispatcher's 查, and
// records the look.
func (a *action) viewReporter(sb *strings.Builder) error {
	c, err := a.tx.Citizen(a.k.CitizenID)
	if err != nil {
		return err
	}
	fmt.Fprintf(sb, "\n反映人：%s", c.Alias)
	if c.Name != "" || c.Phone != "" {
		fmt.Fprintf(sb, "（%s %s）", c.Name, c.Phone)
	}
	// Each look at a reporter's identity is on the record.
	return a.tx.Record(a.k, a.actor(), models.EventIdentity, "", "", "查看反映人信息")
}

func lastEvents(ev []models.CaseEvent, n int) []models.CaseEvent {
	if len(ev) > n {
		return ev[len(ev)-n:]
	}
	return ev
}

func actorLabel(e models.CaseEvent) string {
	if e.ActorKind == models.ActorCitizen {
		return "群众"
	}
	return e.ActorName
}

func unitStateLabel(s string) string {
	switch s {
	case models.UnitAssigned:
		return "待签收"
	case models.UnitAccepted:
		return "已签收"
	case models.UnitReturned:
		return "已退回"
	}
	return s
}

func eventLabel(k models.EventKind) string {
	labels := map[models.EventKind]string{
		models.EventReceived: "受理", models.EventRepeat: "重复反映", models.EventSupplement: "补充",
		models.EventAttachment: "附件", models.EventAssigned: "交办", models.EventAccepted: "签收",
		models.EventReturned: "退回", models.EventProgress: "进展", models.EventDraft: "答复稿",
		models.EventApproved: "答复通过", models.EventRejected: "答复退回", models.EventExtension: "申请延期",
		models.EventInvalid: "无效", models.EventDuplicate: "重复", models.EventSeverity: "定级",
		models.EventSupervise: "督办", models.EventUnreached: "无法送达", models.EventDelivered: "已送达",
		models.EventRefused: "越权被拒", models.EventDeadline: "时限", models.EventIdentity: "查看身份",
		models.EventInstructed: "批示",
		models.EventReviewed:   "审核同意", models.EventExtensionApproved: "批准延期", models.EventExtensionRejected: "驳回延期",
		models.EventAcknowledged: "知悉", models.EventChased: "催报", models.EventStatus: "状态",
		models.EventRated: "评价", models.EventRatingReason: "不满意原因", models.EventRatingReminded: "提醒评价",
		models.EventRatingReview: "提交问政办", models.EventReopened: "重办", models.EventArchived: "办结归档",
		models.EventAppealFiled: "申诉", models.EventAppealDecided: "申诉裁定",
		models.EventWithheld: "不公开", models.EventPublished: "恢复公开",
		models.EventHotTopic: "舆情热点",
	}
	if l, ok := labels[k]; ok {
		return l
	}
	return string(k)
}

func (a *action) accept() (string, error) {
	k, u := a.k, a.mine
	if u.State == models.UnitAccepted {
		by, _ := a.tx.MemberByID(u.AcceptedBy)
		a.button = "已由" + nameOf(by) + "签收"
		return fmt.Sprintf("%s 已由 %s 签收。", k.No, nameOf(by)), nil
	}
	if !k.Status.Open() {
		return stateSentence(k, VerbAccept), nil
	}
	if _, err := a.tx.AcceptUnit(u, a.who); errors.Is(err, models.ErrConflict) {
		return a.acceptedBy(u)
	} else if err != nil {
		return "", err
	}
	if err := a.tx.Record(k, a.actor(), models.EventAccepted, "", "", unitRoleOf(u)+"单位签收"); err != nil {
		return "", err
	}
	if u.Role == models.UnitLead && k.Status == models.StatusAssigned {
		if err := a.tx.Move(k, models.StatusHandling, a.actor(), models.EventStatus, "牵头单位签收，开始办理", nil); err != nil {
			return "", a.conflict(err)
		}
	}
	if err := a.b.updateCards(a.tx, k, "accept", a.who, "已由"+a.who.Name+"签收"); err != nil {
		return "", err
	}
	a.button = "已签收"
	return fmt.Sprintf("已签收 %s。办理进展请发送“进展 %s 内容”。", k.No, k.No), nil
}

// acceptedBy tells a member who pressed 签收 too late who got there first.
func (a *action) acceptedBy(u *models.CaseUnit) (string, error) {
	units, err := a.tx.Units(a.k)
	if err != nil {
		return "", err
	}
	for _, x := range units {
		if x.ID == u.ID {
			by, _ := a.tx.MemberByID(x.AcceptedBy)
			a.button = "已由" + nameOf(by) + "签收"
			return fmt.Sprintf("%s 已由 %s 签收。", a.k.No, nameOf(by)), nil
		}
	}
	return stateSentence(a.k, VerbAccept), nil
}

func nameOf(m *models.Member) string {
	if m == nil {
		return "他人"
	}
	return m.Name
}

func unitRoleOf(u *models.CaseUnit) string { return u.RoleLabel() }

func (a *action) giveBack() (string, error) {
	k, u := a.k, a.mine
	if a.click {
		a.button = "请发送退回理由"
		return fmt.Sprintf("退回需要写明理由，请发送：退回 %s 理由", k.No), nil
	}
	if !k.Status.Open() || k.Status == models.StatusReviewing {
		return stateSentence(k, VerbReturn), nil
	}
	if err := a.tx.ReturnUnit(u); err != nil {
		return "", a.conflict(err)
	}
	if u.Role == models.UnitLead {
		if err := a.tx.Move(k, models.StatusReceived, a.actor(), models.EventReturned, a.cmd.Text, map[string]any{"lead_dept_id": nil, "due_at": nil}); err != nil {
			return "", a.conflict(err)
		}
	} else if err := a.tx.Record(k, a.actor(), models.EventReturned, "", "", "协办单位退回："+a.cmd.Text); err != nil {
		return "", err
	}
	dept, err := a.tx.DepartmentByID(u.DepartmentID)
	if err != nil {
		return "", err
	}
	if err := a.b.notifyReturned(a.tx, k, dept, u, a.cmd.Text); err != nil {
		return "", err
	}
	return fmt.Sprintf("已退回 %s，问政办将重新交办。", k.No), nil
}

func (a *action) progress() (string, error) {
	k := a.k
	if !k.Status.Open() {
		return stateSentence(k, VerbProgress), nil
	}
	if a.mine.State != models.UnitAccepted {
		return fmt.Sprintf("请先签收 %s 再报进展：签收 %s", k.No, k.No), nil
	}
	if err := a.tx.Record(k, a.actor(), models.EventProgress, "", "", unitRoleOf(a.mine)+"："+a.cmd.Text); err != nil {
		return "", err
	}
	if a.mine.Role == models.UnitLead {
		return fmt.Sprintf("已记录 %s 的办理进展；群众查询时可以看到（个人信息已隐去）。", k.No), nil
	}
	return fmt.Sprintf("已记录 %s 的办理进展。", k.No), nil
}

// todoLimit is how many cases 待办 lists.
const todoLimit = 20

func (a *action) todo() (string, error) {
	var dept uint64
	switch a.who.Role {
	case models.RoleOfficer, models.RoleHead:
		if a.who.DepartmentID == nil {
			return "您未归属任何单位。", nil
		}
		dept = *a.who.DepartmentID
	}
	list, err := a.tx.OpenCases(dept, todoLimit)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "暂无待办。", nil
	}
	now := a.tx.Now()
	var sb strings.Builder
	fmt.Fprintf(&sb, "待办（%d件，时限近的在前）：", len(list))
	for _, k := range list {
		due := "待交办"
		if k.DueAt == nil && k.Status == models.StatusReceived {
			// The clock has run since receipt (bot/due.go): triage is late too.
			due += "（" + a.b.timeLeft(now, a.b.caseDue(&k, k.Kind).At) + "）"
		}
		if k.DueAt != nil {
			due = "时限 " + k.DueAt.In(a.b.Location()).Format("01-02 15:04")
			if k.Overdue(now) {
				due += " 已超期"
			}
		}
		fmt.Fprintf(&sb, "\n%s %s %s %s", k.No, k.Status.Label(), due, summary(redact.Identity(k.Content), 14))
	}
	return sb.String(), nil
}
