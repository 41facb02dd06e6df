package bot

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"minsheng/models"
	"minsheng/redact"
)

// The mobile case page (/case/<no>): what one member may see of a case and
// which buttons they may press. Its actions go through HandleMember like a
// typed command, so permissions and the record are the same.

// CaseView is a case as one member may see it on the case page.
type CaseView struct {
	No, Status, Severity, Kind string
	Received, Due              string
	Overdue                    bool
	// Content is the report; redacted for everyone but the dispatcher.
	Content string
	// Reporter is the citizen's alias and contact details: dispatchers only.
	Reporter string
	// Source names the information officer who reported the case (来源：
	// 信息员 刘信息（潇楚街道洋湖社区）), shown to all; empty for a citizen's.
	Source      string
	Units       []UnitView
	Timeline    []EventView
	Attachments []AttachmentView
	// Draft is the answer draft under review, if any; Drafts the earlier ones.
	Draft  *DraftView
	Drafts []DraftView
	// Extension is the request waiting for a leader, if any; Extensions the decided ones.
	Extension    *ExtensionView
	Extensions   []ExtensionView
	Instructions []InstructionView
	Alert        *AlertView
	Actions      []PageAction
	// Viewer names who is looking: name and role.
	Viewer string
}

// UnitView is one unit on the case.
type UnitView struct{ Name, Role, State string }

// EventView is one entry of the record.
type EventView struct{ At, Who, What, Body string }

// AttachmentView is one thing the citizen attached.
type AttachmentView struct{ Kind, Text, URL string }

// DraftView is one answer draft with its review.
type DraftView struct {
	At, Author, Body, State, Comment string
	Pending                          bool
	Steps                            []StepView
}

// StepView is one approver's turn on a draft.
type StepView struct{ Label, State, By, At, Comment string }

// ExtensionView is one extension request.
type ExtensionView struct {
	Days                                  int
	Reason, State, OldDue, NewDue, By, At string
	Pending                               bool
}

// InstructionView is one 批示.
type InstructionView struct {
	At, Leader, Body string
	Acted            bool
}

// AlertView is the report-up of a serious case.
type AlertView struct {
	Severity, Due, State string
	Open                 bool
	// ReportedUp is when the case was reported to the upper level ("" if
	// not); Late says 迟报 with how late.
	ReportedUp, Late string
}

// PageAction is a button of the case page: Verb is the command it sends.
type PageAction struct {
	Verb  Verb
	Label string
	// Text asks for a comment, reason or content first; Placeholder says what.
	Text        bool
	Placeholder string
	// Primary is the main action; Danger a refusal.
	Primary, Danger bool
}

// Viewer returns the active member with id (from a signed link or session);
// models.ErrNotFound if there is none.
func (b *Bot) Viewer(ctx context.Context, id uint64) (*models.Member, error) {
	var m *models.Member
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		var err error
		m, err = tx.MemberByIDActive(id)
		return err
	})
	return m, err
}

// ViewerByUserID returns the active member with the platform user id (from
// WeCom OAuth); models.ErrNotFound if there is none.
func (b *Bot) ViewerByUserID(ctx context.Context, platform models.Platform, userID string) (*models.Member, error) {
	var m *models.Member
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		var err error
		m, err = tx.Member(platform, userID)
		return err
	})
	return m, err
}

// relate fills the action's case-side fields and returns how the member's
// unit stands to the case, as HandleMember does.
func (a *action) relate(k *models.Case) (Relation, error) {
	a.k = k
	var err error
	if a.units, err = a.tx.Units(k); err != nil {
		return RelNone, err
	}
	rel := RelNone
	for i, u := range a.units {
		if a.who.DepartmentID != nil && u.DepartmentID == *a.who.DepartmentID {
			a.mine = &a.units[i]
			rel = RelCo
			if u.Role == models.UnitLead {
				rel = RelLead
			}
		}
	}
	return rel, nil
}

// ViewCase builds the case page of case no for member m, with 查's
// permissions: a unit sees its own cases without the reporter, a leader the
// cases of their scope, a dispatcher everything including who reported it
// (each such look is on the record). It returns models.ErrNotFound when there
// is no such case and a *Refusal (models.ErrForbidden) when m may not see it;
// a refusal is on the record too.
func (b *Bot) ViewCase(ctx context.Context, m *models.Member, no string) (*CaseView, error) {
	var v *CaseView
	var refusal *Refusal
	err := b.Store.Act(ctx, func(tx *models.Tx) error {
		k, err := tx.Case(no)
		if err != nil {
			return err
		}
		a := &action{b: b, tx: tx, who: m, cmd: MemberCommand{Verb: VerbView, No: no}}
		rel, err := a.relate(k)
		if err != nil {
			return err
		}
		err = Authorize(m.Role, VerbView, rel)
		if err == nil {
			err = a.inScope()
		}
		if errors.As(err, &refusal) {
			return tx.Record(k, a.actor(), models.EventRefused, "", "", "查看案件页面："+refusal.Msg)
		}
		if err != nil {
			return err
		}
		v, err = a.page(rel)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("case page %s for member %d: %w", no, m.ID, err)
	}
	if refusal != nil {
		return nil, refusal
	}
	return v, nil
}

// page builds the view; a.k and a.units are set.
func (a *action) page(rel Relation) (*CaseView, error) {
	k, tx, loc := a.k, a.tx, a.b.Location()
	dispatcher := a.who.Role == models.RoleDispatcher
	v := &CaseView{
		No: k.No, Status: k.Status.Label(), Severity: string(k.Severity), Kind: k.Kind,
		Received: dateTime(k.ReceivedAt.In(loc)), Due: a.b.dueText(k), Overdue: k.Overdue(tx.Now()),
		Content: redact.Identity(k.Content), Viewer: a.who.Name + "（" + a.who.Role.Label() + "）",
	}
	if k.InformantID != nil {
		s, err := informantLabel(tx, k)
		if err != nil {
			return nil, err
		}
		v.Source = s
	}
	if dispatcher {
		v.Content = k.Content
	}
	if dispatcher && k.InformantID == nil {
		c, err := tx.Citizen(k.CitizenID)
		if err != nil {
			return nil, err
		}
		v.Reporter = c.Alias
		if c.Name != "" || c.Phone != "" {
			v.Reporter += "（" + strings.TrimSpace(c.Name+" "+c.Phone) + "）"
		}
		if err := tx.Record(k, a.actor(), models.EventIdentity, "", "", "在案件页面查看反映人信息"); err != nil {
			return nil, err
		}
	}
	for _, u := range a.units {
		d, err := tx.DepartmentByID(u.DepartmentID)
		if err != nil {
			return nil, err
		}
		v.Units = append(v.Units, UnitView{Name: d.Name, Role: u.RoleLabel(), State: unitStateLabel(u.State)})
	}
	events, err := tx.Events(k)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		body := e.Body
		if !dispatcher {
			body = redact.Identity(body)
		}
		v.Timeline = append(v.Timeline, EventView{At: e.CreatedAt.In(loc).Format("01-02 15:04"), Who: actorLabel(e), What: eventLabel(e.Kind), Body: body})
	}
	atts, err := tx.CaseAttachments(k)
	if err != nil {
		return nil, err
	}
	for _, at := range atts {
		av := AttachmentView{Kind: kindLabel(at.Kind), URL: at.URL}
		switch at.Kind {
		case "voice":
			av.Text = at.Recognition
		case "location":
			av.Text = at.Label
		}
		if !dispatcher {
			av.Text = redact.Identity(av.Text)
		}
		v.Attachments = append(v.Attachments, av)
	}
	if err := a.pageDrafts(v); err != nil {
		return nil, err
	}
	exts, err := tx.Extensions(k)
	if err != nil {
		return nil, err
	}
	for _, e := range exts {
		ev := ExtensionView{Days: e.Workdays, Reason: e.Reason, At: e.CreatedAt.In(loc).Format("01-02 15:04"), Pending: e.State == models.ExtensionRequested}
		ev.State = map[string]string{models.ExtensionRequested: "待领导审批", models.ExtensionApproved: "已批准", models.ExtensionRejected: "未批准"}[e.State]
		if e.OldDueAt != nil {
			ev.OldDue = dateTime(e.OldDueAt.In(loc))
		}
		if e.NewDueAt != nil {
			ev.NewDue = dateTime(e.NewDueAt.In(loc))
		}
		if e.DecidedBy != 0 {
			by, _ := tx.MemberByID(e.DecidedBy)
			ev.By = nameOf(by)
		}
		if ev.Pending {
			v.Extension = &ev
			continue
		}
		v.Extensions = append(v.Extensions, ev)
	}
	ins, err := tx.Instructions(k)
	if err != nil {
		return nil, err
	}
	for i := range ins {
		acted, err := tx.InstructionActed(&ins[i])
		if err != nil {
			return nil, err
		}
		by, _ := tx.MemberByID(ins[i].LeaderID)
		v.Instructions = append(v.Instructions, InstructionView{At: ins[i].CreatedAt.In(loc).Format("01-02 15:04"), Leader: nameOf(by), Body: ins[i].Body, Acted: acted})
	}
	if al, err := tx.LatestAlert(k); err == nil {
		av := &AlertView{Severity: string(al.Severity), Due: dateTime(al.ReportDueAt.In(loc)), Open: al.State == models.AlertOpen, State: "尚无领导知悉"}
		switch al.State {
		case models.AlertAcked:
			by, _ := tx.MemberByID(al.AckedBy)
			av.State = "已由" + nameOf(by) + "知悉"
		case models.AlertEnded:
			av.State = "已改定为" + string(k.Severity) + "，不再催报"
		}
		if al.ReportedUpAt != nil {
			av.ReportedUp = dateTime(al.ReportedUpAt.In(loc))
			if al.Late {
				av.Late = "迟报 " + span(al.ReportedUpAt.Sub(al.ReportDueAt))
			}
		}
		v.Alert = av
	} else if !errors.Is(err, models.ErrNotFound) {
		return nil, err
	}
	acts, err := a.pageActions(rel)
	if err != nil {
		return nil, err
	}
	v.Actions = acts
	return v, nil
}

var stepStateLabel = map[string]string{
	models.StepWaiting: "未开始", models.StepPending: "待审核", models.StepApproved: "同意", models.StepRejected: "退回修改",
}

func (a *action) pageDrafts(v *CaseView) error {
	tx, loc := a.tx, a.b.Location()
	answers, err := tx.Answers(a.k)
	if err != nil {
		return err
	}
	for _, ans := range answers {
		author, _ := tx.MemberByID(ans.AuthorID)
		d := DraftView{At: ans.CreatedAt.In(loc).Format("01-02 15:04"), Author: nameOf(author), Body: ans.Body, Comment: ans.Comment, Pending: ans.State == models.AnswerPending}
		switch {
		case ans.State == models.AnswerPending:
			d.State = "审核中"
		case ans.State == models.AnswerApproved:
			d.State = "已通过，已发送群众"
		case ans.DecidedBy == 0:
			d.State = "未通过自动审核"
		default:
			d.State = "已退回修改"
		}
		steps, err := tx.ReviewSteps(ans.ID)
		if err != nil {
			return err
		}
		for _, s := range steps {
			sv := StepView{Label: fmt.Sprintf("第%d级 %s", s.Step, approverLabel(s.Role)), State: stepStateLabel[s.State], Comment: s.Comment}
			if s.DecidedBy != 0 {
				by, _ := tx.MemberByID(s.DecidedBy)
				sv.By = nameOf(by)
			}
			if s.DecidedAt != nil {
				sv.At = s.DecidedAt.In(loc).Format("01-02 15:04")
			}
			d.Steps = append(d.Steps, sv)
		}
		if d.Pending {
			v.Draft = &d
			continue
		}
		v.Drafts = append(v.Drafts, d)
	}
	return nil
}

// pageActions lists the buttons member a.who may press on the case now.
func (a *action) pageActions(rel Relation) ([]PageAction, error) {
	k, who := a.k, a.who
	allowed := func(v Verb) bool { return Authorize(who.Role, v, rel) == nil }
	var out []PageAction
	if k.Status == models.StatusReviewing && allowed(VerbApprove) {
		ans, _, cur, err := a.currentStep()
		if err != nil && !errors.Is(err, models.ErrNotFound) && !errors.Is(err, models.ErrForbidden) {
			return nil, err
		}
		if ans != nil {
			err := a.mayDecide(ans, cur)
			var r *Refusal
			if err != nil && !errors.As(err, &r) {
				return nil, err
			}
			if err == nil {
				out = append(out,
					PageAction{Verb: VerbApprove, Label: "同意", Primary: true},
					PageAction{Verb: VerbRevise, Label: "退回修改", Text: true, Placeholder: "修改意见（必填）", Danger: true})
			}
		}
	}
	if k.Status.Open() && who.Role == models.RoleLeader {
		if e, err := a.tx.PendingExtension(k); err == nil {
			ok, err := a.b.covers(a.tx, who, e.DepartmentID)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out,
					PageAction{Verb: VerbExtApprove, Label: fmt.Sprintf("同意延期%d个工作日", e.Workdays), Primary: true},
					PageAction{Verb: VerbExtReject, Label: "不同意延期", Text: true, Placeholder: "不同意的理由（必填）", Danger: true})
			}
		} else if !errors.Is(err, models.ErrNotFound) {
			return nil, err
		}
		if al, err := a.tx.LatestAlert(k); err == nil && al.State == models.AlertOpen {
			out = append(out, PageAction{Verb: VerbAck, Label: "知悉", Primary: true})
		}
		out = append(out, PageAction{Verb: VerbInstruct, Label: "批示", Text: true, Placeholder: "批示内容"})
	}
	if k.Status.Open() && who.Role == models.RoleDispatcher {
		out = append(out, PageAction{Verb: VerbSupervise, Label: "督办", Text: true, Placeholder: "督办要求"})
	}
	if a.mine != nil && k.Status.Open() {
		switch {
		case a.mine.State == models.UnitAssigned:
			out = append(out, PageAction{Verb: VerbAccept, Label: "签收", Primary: true})
		case a.mine.State == models.UnitAccepted:
			if rel == RelLead && k.Status == models.StatusHandling {
				out = append(out, PageAction{Verb: VerbAnswer, Label: "提交答复稿", Text: true, Placeholder: "答复内容：核查情况、处理结果、办结时间"})
			}
			out = append(out, PageAction{Verb: VerbProgress, Label: "报送进展", Text: true, Placeholder: "办理进展"})
		}
	}
	return out, nil
}

// nonceRe is what a page form's idempotency nonce looks like.
var nonceRe = regexp.MustCompile(`^[0-9a-f]{16,64}$`)

// PageAct carries out a button of the case page for member m: the same
// command the member could type, through HandleMember, so permissions, the
// record and every message are identical. nonce, from the form, makes a
// double submission count once. It returns the reply to show on the page.
func (b *Bot) PageAct(ctx context.Context, m *models.Member, no string, verb Verb, text, nonce string) (string, error) {
	if !pageVerb(verb) || !ValidCaseNo(no) {
		return "无法识别的操作。", nil
	}
	cmd := string(verb) + " " + no
	if t := strings.TrimSpace(text); t != "" {
		cmd += " " + t
	}
	msgID := ""
	if nonceRe.MatchString(nonce) {
		msgID = "h5-" + nonce
	}
	r, err := b.HandleMember(ctx, MemberMessage{Platform: m.Platform, UserID: m.UserID, MsgID: msgID, Text: cmd})
	if err != nil {
		return "", err
	}
	return r.Text, nil
}
