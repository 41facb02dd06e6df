package bot

import (
	"fmt"

	"minsheng/models"
)

// Relation is how a member's unit stands to a case.
type Relation int

// Relations of a member's unit to a case.
const (
	RelNone Relation = iota // the unit has no part in the case
	RelLead                 // the member's unit leads (牵头)
	RelCo                   // the member's unit co-handles (协办)
)

// Refusal is an action a member may not take, with the sentence they read.
type Refusal struct{ Msg string }

func (r *Refusal) Error() string { return r.Msg }

// Unwrap makes a refusal models.ErrForbidden.
func (r *Refusal) Unwrap() error { return models.ErrForbidden }

func refuse(format string, args ...any) error { return &Refusal{Msg: fmt.Sprintf(format, args...)} }

// triageVerbs are the dispatcher's alone.
var triageVerbs = map[Verb]bool{VerbAssign: true, VerbInvalid: true, VerbDuplicate: true, VerbGrade: true,
	VerbWithhold: true, VerbPublish: true}

// Authorize decides whether a member with role, whose unit stands to the case
// as rel, may do v. It is the whole permission table of the product.
func Authorize(role models.Role, v Verb, rel Relation) error {
	if handled, err := authorizeLeaderVerb(role, v, rel); handled {
		return err
	}
	if handled, err := authorizeRatingVerb(role, v, rel); handled {
		return err
	}
	switch v {
	case VerbMemberHelp, VerbTodo:
		return nil
	}
	if triageVerbs[v] {
		if role == models.RoleDispatcher {
			return nil
		}
		return refuse("只有问政办可以%s。", v)
	}
	switch role {
	case models.RoleDispatcher:
		switch v {
		case VerbSupervise, VerbView:
			return nil
		}
		return refuse("问政办不能代替承办单位%s，请交办或督办。", v)
	case models.RoleLeader:
		switch v {
		case VerbSupervise, VerbView, VerbApprove:
			return nil
		}
		return refuse("领导不能%s，请由承办单位办理。", v)
	case models.RoleOfficer, models.RoleHead:
		if rel == RelNone {
			return refuse("此件未交办给您的单位，不能%s。", v)
		}
		switch v {
		case VerbView, VerbAccept, VerbReturn, VerbProgress:
			return nil
		case VerbAnswer, VerbExtend:
			if rel == RelLead {
				return nil
			}
			return refuse("协办单位请用“进展 编号 内容”提交意见，由牵头单位%s。", v)
		case VerbApprove:
			if role != models.RoleHead {
				return refuse("只有部门负责人可以同意答复。")
			}
			if rel == RelLead {
				return nil
			}
			return refuse("只有牵头单位负责人可以同意答复。")
		case VerbSupervise:
			return refuse("只有问政办和领导可以督办。")
		}
	}
	return refuse("您没有权限%s。", v)
}

// authorizeRatingVerb is the permission table of the verbs of ratings and
// appeals (rating_command.go): the lead unit appeals a 不满意; the
// dispatcher or a leader decides the appeal (rating.appeal_deciders narrows
// it further, see action.decideAppeal); the dispatcher alone reopens (重办)
// or closes (办结) an answered case. handled is false for other verbs.
func authorizeRatingVerb(role models.Role, v Verb, rel Relation) (handled bool, err error) {
	switch v {
	case VerbAppeal:
		switch {
		case role != models.RoleOfficer && role != models.RoleHead:
			return true, refuse("申诉由承办单位提出。")
		case rel == RelLead:
			return true, nil
		case rel == RelCo:
			return true, refuse("只有牵头单位可以申诉。")
		}
		return true, refuse("此件未交办给您的单位，不能申诉。")
	case VerbAppealUphold, VerbAppealReject:
		if role == models.RoleDispatcher || role == models.RoleLeader {
			return true, nil
		}
		return true, refuse("申诉由问政办或联席会议裁定。")
	case VerbReopen, VerbClose:
		if role == models.RoleDispatcher {
			return true, nil
		}
		return true, refuse("只有问政办可以%s。", v)
	}
	return false, nil
}
