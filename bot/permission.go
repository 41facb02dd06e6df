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
var triageVerbs = map[Verb]bool{VerbAssign: true, VerbInvalid: true, VerbDuplicate: true, VerbGrade: true}

// Authorize decides whether a member with role, whose unit stands to the case
// as rel, may do v. It is the whole permission table of the product.
func Authorize(role models.Role, v Verb, rel Relation) error {
	if handled, err := authorizeLeaderVerb(role, v, rel); handled {
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
