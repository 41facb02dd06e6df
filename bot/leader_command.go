package bot

import "minsheng/models"

// The leaders' verbs (issue "Leaders decide from their phone").
//
// 退回 has two meanings, told apart by who sends it and the case's state:
// while a case is 审核中, a head or a leader who sends “退回 编号 意见” sends
// the draft back for changes (the same as “退回修改 编号 意见”); in every
// other case, and always for officers, 退回 is a unit giving the case back to
// the dispatcher.
const (
	VerbRevise     Verb = "退回修改" // an approver sends a draft back with a comment
	VerbExtApprove Verb = "批准延期" // a leader approves the pending extension
	VerbExtReject  Verb = "驳回延期" // a leader rejects it, with a reason
	VerbInstruct   Verb = "批示"   // a leader's instruction to the units
	VerbAck        Verb = "知悉"   // a leader takes note of a serious case
)

// leaderVerbs are matched before memberVerbs: 退回修改 must win over 退回.
var leaderVerbs = []Verb{VerbRevise, VerbExtApprove, VerbExtReject, VerbInstruct, VerbAck}

// allVerbs is every verb ParseMember knows, longest-prefix first.
func allVerbs() []Verb { return append(append([]Verb(nil), leaderVerbs...), memberVerbs...) }

func init() {
	commandSyntax[VerbRevise] = "退回修改 编号 意见"
	commandSyntax[VerbExtApprove] = "批准延期 编号"
	commandSyntax[VerbExtReject] = "驳回延期 编号 理由"
	commandSyntax[VerbInstruct] = "批示 编号 内容"
	commandSyntax[VerbAck] = "知悉 编号"
}

// authorizeLeaderVerb is the permission table of the leaders' verbs. Leaders' scopes and the approval chain's order
// are checked on the case itself (see action.inScope and the review steps).
// handled is false for the verbs of permission.go.
func authorizeLeaderVerb(role models.Role, v Verb, rel Relation) (handled bool, err error) {
	switch v {
	case VerbRevise:
		switch {
		case role == models.RoleLeader:
			return true, nil
		case role == models.RoleHead && rel == RelLead:
			return true, nil
		case role == models.RoleHead:
			return true, refuse("只有牵头单位负责人可以审核答复。")
		}
		return true, refuse("只有审核人（部门负责人或领导）可以退回修改答复。")
	case VerbExtApprove, VerbExtReject:
		if role == models.RoleLeader {
			return true, nil
		}
		return true, refuse("只有领导可以审批延期申请。")
	case VerbInstruct:
		if role == models.RoleLeader {
			return true, nil
		}
		return true, refuse("只有领导可以批示。")
	case VerbAck:
		if role == models.RoleLeader {
			return true, nil
		}
		return true, refuse("只有领导可以知悉报送的重大事项。")
	}
	return false, nil
}
