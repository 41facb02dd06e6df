package bot

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"minsheng/models"
)

// The verb table: every command a citizen types on the Official Account and
// every command a member (officer, department head, dispatcher, leader,
// information officer) types or presses in WeCom or DingTalk, one row each. Parsing (ParseCitizen,
// ParseMember, ParseButton), permissions (Authorize), help texts (welcome,
// memberHelp), card buttons (verbButton) and the case page (PageAct) all read
// it. Adding a verb is one row in buildVerbs, its run function and its test.

// Verb is what a member's command or button asks for: its command word.
type Verb string

// The members' verbs (DOMAIN.md roles), one row each in buildVerbs.
//
// 退回 has two meanings, told apart by who sends it and the case's state:
// while a case is 审核中, a head or a leader who sends “退回 编号 意见” sends
// the draft back for changes (the same as “退回修改 编号 意见”); in every
// other case, and always for officers, 退回 is a unit giving the case back to
// the dispatcher (action.run).
const (
	VerbAssign       Verb = "交办"   // the dispatcher assigns a case to a lead unit and co-handlers
	VerbInvalid      Verb = "无效"   // the dispatcher refuses a case, with a reason for the citizen
	VerbDuplicate    Verb = "重复"   // the dispatcher merges a case into an earlier one
	VerbGrade        Verb = "定级"   // the dispatcher sets a case's severity
	VerbSupervise    Verb = "督办"   // the dispatcher or a leader presses the units
	VerbView         Verb = "查"    // anyone with a part in the case looks at it
	VerbTodo         Verb = "待办"   // the member's open cases
	VerbAccept       Verb = "签收"   // a unit takes the case
	VerbReturn       Verb = "退回"   // a unit gives it back to the dispatcher, with a reason
	VerbProgress     Verb = "进展"   // a unit records progress
	VerbAnswer       Verb = "答复"   // the lead unit submits its answer draft
	VerbApprove      Verb = "同意"   // an approver passes the draft
	VerbExtend       Verb = "延期"   // the lead unit asks for more working days
	VerbMemberHelp   Verb = "帮助"   // the commands the member may use
	VerbRevise       Verb = "退回修改" // an approver sends a draft back with a comment
	VerbExtApprove   Verb = "批准延期" // a leader approves the pending extension
	VerbExtReject    Verb = "驳回延期" // a leader rejects it, with a reason
	VerbInstruct     Verb = "批示"   // a leader's instruction to the units
	VerbAck          Verb = "知悉"   // a leader takes note of a serious case
	VerbAppeal       Verb = "申诉"   // the lead unit appeals a 不满意
	VerbAppealUphold Verb = "申诉成立" // the appeal is upheld: the rating no longer counts
	VerbAppealReject Verb = "申诉驳回" // the appeal is rejected, with a reason
	VerbReopen       Verb = "重办"   // the dispatcher reopens an answered case
	VerbClose        Verb = "办结"   // the dispatcher closes and archives an answered case
	VerbWithhold     Verb = "不公开"  // keep a case off the public board, with a reason (board.go)
	VerbPublish      Verb = "恢复公开" // put it back
	VerbOpinion      Verb = "舆情"   // an information officer files a report (informant.go)
	VerbSafe         Verb = "报平安"  // an information officer has nothing to report this week
)

// CitizenVerb is what a citizen's text asks for.
type CitizenVerb int

// The citizen's commands, one row each in buildVerbs but VerbReport and
// VerbUsage. Anything that is not a command is a report.
const (
	VerbReport     CitizenVerb = iota // a description of a problem
	VerbQuery                         // 查询 / 进度 <编号>
	VerbSupplement                    // 补充 <编号> <内容>
	VerbMine                          // 我的
	VerbHelp                          // 帮助
	VerbUsage                         // a command word without what it needs
	VerbRate                          // 1 / 2 / 3, 满意 / 基本满意 / 不满意, 评价 <编号> <1-3> (rating_command.go)
)

// memberVerb is one row of the members' part of the verb table.
type memberVerb struct {
	verb Verb
	// aliases are whole messages, in any case, that mean the verb too.
	aliases []string
	// syntax is the usage line: the help text lists it and a malformed
	// command gets it back after “格式：”.
	syntax string
	// args is how the words after the verb are read.
	args argSpec
	// may lists who may use the verb. A leader acts only on the cases of
	// their scope (action.inScope).
	may []grant
	// refuse is what those who may not read, the first that applies; then
	// refusalTail.
	refuse []refusal
	// run carries the command out on a.k (unless args.noCase), authorised.
	run func(a *action) (string, error)
	// button is the verb's button on cards; nil when it has none.
	button *cardButton
	// page is set when the case page (h5.go) may send the verb.
	page bool
	// inHelp narrows the help text of a role the verb is granted to; nil
	// shows it to all of them.
	inHelp func(b *Bot, r models.Role) bool
	// intake is set for a verb that files a report (舆情): HandleMember runs
	// it in the intake's transaction (models.Store.Receive), as a citizen's
	// report is, with the reporter in action.reporter.
	intake bool
}

// argSpec is how the words after a member's verb are read.
type argSpec struct {
	// noCase is set for verbs without a case number; what follows the verb
	// is ignored, unless free is set: then it is the verb's text
	// (MemberCommand.Text), which need makes required.
	noCase, free, need bool
	// read takes the words after the case number (and orig, the message as
	// typed, for free text) into c; false when they do not fit the syntax.
	read func(c *MemberCommand, args []string, orig string) bool
}

// grant lets members of roles (nil: every member) use a verb when their
// unit stands to the case as on says.
type grant struct {
	roles []models.Role
	on    relSet
}

// refusal is the sentence a member of roles (nil: every role) reads when
// their unit stands to the case as on says (0: however it stands) and they
// may not use the verb; %s in msg stands for the verb.
type refusal struct {
	roles []models.Role
	on    relSet
	msg   string
}

// relSet is a set of Relations.
type relSet uint8

// Sets of relations of a member's unit to a case.
const (
	onNone relSet = 1 << RelNone
	onLead relSet = 1 << RelLead
	onCo   relSet = 1 << RelCo
	onUnit        = onLead | onCo // the unit handles the case
	onAny         = onUnit | onNone
)

func (s relSet) has(r Relation) bool { return s&(1<<r) != 0 }

// cardButton is a verb's button on a card. Its key, verb:编号[:unit code],
// comes back with the click (ParseButton).
type cardButton struct {
	label string
	// style is Button.Style: 1 the primary colour, 2 the secondary.
	style int
	// unit is set when the key carries the unit the button acts on (its
	// code, read into MemberCommand.Lead) and the label its name.
	unit bool
	// orig is set when the key may carry an earlier case (read into
	// MemberCommand.Orig): 重复 into a similar case, in one tap
	// (origButton). Without it the click asks for the number.
	orig bool
}

// citizenVerb is one row of the citizens' part of the verb table.
// Citizens act on their own cases only: the run functions look cases up
// with tx.CitizenCase.
type citizenVerb struct {
	verb CitizenVerb
	// name is the command word; aliases are other words for it.
	name    string
	aliases []string
	// syntax and help make the verb's line of the welcome text.
	syntax, help string
	// usage is the hint when the word comes without what it needs; empty
	// for the common one (usage).
	usage string
	// read recognises the verb in s, the normalised text; bare is s
	// without separators and punctuation around it.
	read func(v *citizenVerb, s, bare string) (CitizenCommand, bool)
	run  func(t citizenTurn) (decision, error)
}

// citizenTurn is a citizen's command being carried out.
type citizenTurn struct {
	b   *Bot
	tx  *models.Tx
	c   *models.Citizen
	m   CitizenMessage
	cmd CitizenCommand
}

// verbTable is the verb table, with its indexes.
type verbTable struct {
	citizen []citizenVerb // in the order of the welcome text
	member  []memberVerb  // in the order of the help text
	byVerb  map[Verb]*memberVerb
	// longestFirst is member in the order ParseMember tries the command
	// words: 退回修改 before 退回.
	longestFirst []*memberVerb
}

var (
	theVerbs  *verbTable
	verbsOnce sync.Once
)

// verbs returns the verb table. It is built on first use: the run functions
// read the table (help, syntax), so it cannot be a package-level initialiser.
func verbs() *verbTable {
	verbsOnce.Do(func() { theVerbs = buildVerbs() })
	return theVerbs
}

// unitRoles are the roles of a handling unit's members.
var unitRoles = []models.Role{models.RoleOfficer, models.RoleHead}

// refusalHead is what a member reads before any refusal of the verb's row:
// an information officer handles no case, whatever the verb.
var refusalHead = []refusal{
	{roles: []models.Role{models.RoleInformant}, msg: "舆情信息员只能报送舆情和报平安（发送“帮助”查看用法），不能使用“%s”。"},
}

// refusalTail is what a member reads when no refusal of the verb's row
// applies.
var refusalTail = []refusal{
	{roles: []models.Role{models.RoleDispatcher}, msg: "问政办不能代替承办单位%s，请交办或督办。"},
	{roles: []models.Role{models.RoleLeader}, msg: "领导不能%s，请由承办单位办理。"},
	{roles: unitRoles, on: onNone, msg: "此件未交办给您的单位，不能%s。"},
	{msg: "您没有权限%s。"},
}

// buildVerbs is the verb table.
func buildVerbs() *verbTable {
	D, L, H, O, I := models.RoleDispatcher, models.RoleLeader, models.RoleHead, models.RoleOfficer, models.RoleInformant
	dispatcher := []grant{{roles: []models.Role{D}, on: onAny}}
	dispatcherOnly := []refusal{{msg: "只有问政办可以%s。"}}
	leader := []grant{{roles: []models.Role{L}, on: onAny}}
	leadUnit := []grant{{roles: unitRoles, on: onLead}}
	unit := []grant{{roles: unitRoles, on: onUnit}}
	deciders := []grant{{roles: []models.Role{D, L}, on: onAny}}
	approvers := []grant{{roles: []models.Role{L}, on: onAny}, {roles: []models.Role{H}, on: onLead}}
	everyone := []grant{{on: onAny}}
	staff := []grant{{roles: []models.Role{D, L, H, O}, on: onAny}} // all but information officers
	informant := []grant{{roles: []models.Role{I}, on: onAny}}
	informantOnly := []refusal{{msg: "舆情和报平安由各村（社区）、单位的舆情信息员报送。"}}
	coUseProgress := []refusal{{roles: unitRoles, on: onCo, msg: "协办单位请用“进展 编号 内容”提交意见，由牵头单位%s。"}}
	// The appeal's deciders are narrowed by rating.appeal_deciders
	// (action.decideAppeal); leaders see the verbs only when named there.
	leaderDecides := func(b *Bot, r models.Role) bool {
		return r != L || slices.Contains(b.appealDeciders(), L)
	}

	t := &verbTable{
		citizen: []citizenVerb{
			{verb: VerbQuery, name: "查询", aliases: []string{"进度"}, syntax: "查询 编号", help: "查看办理进度和答复",
				read: readNumbered(false),
				run:  func(t citizenTurn) (decision, error) { return t.b.query(t.tx, t.c, t.cmd.No) }},
			{verb: VerbSupplement, name: "补充", syntax: "补充 编号 内容", help: "补充情况",
				usage: "补充内容请发送：补充 编号 内容\n例如：补充 20261121007 路灯在小区东门",
				read:  readNumbered(true),
				run: func(t citizenTurn) (decision, error) {
					return t.b.supplement(t.tx, t.c, t.m.Platform, t.cmd.No, t.cmd.Text)
				}},
			{verb: VerbMine, name: "我的", aliases: []string{"我的问题", "我的工单"}, syntax: "我的", help: "查看您反映过的问题",
				read: readWhole,
				run:  func(t citizenTurn) (decision, error) { return t.b.mine(t.tx, t.c) }},
			// Besides 评价 <编号> <1-3>, a bare 1, 2 or 3 and the rating
			// words (ratingWords) rate the latest answer.
			{verb: VerbRate, name: RateWord, syntax: "评价 编号 1-3", help: "评价答复（1 满意、2 基本满意、3 不满意）",
				usage: "评价请发送：评价 编号 1、2 或 3（1 满意、2 基本满意、3 不满意）\n例如：评价 20261121007 1\n对最近一次答复评价，直接回复 1、2 或 3 即可。",
				read:  readRating,
				run: func(t citizenTurn) (decision, error) {
					return t.b.rate(t.tx, t.c, t.m.Platform, t.cmd, t.m.Content) // rating.go
				}},
			// An empty message, or punctuation alone, asks for help too.
			{verb: VerbHelp, name: "帮助", aliases: []string{"help", "?", "菜单", ""}, syntax: "帮助", help: "显示本说明",
				read: readWhole,
				run: func(t citizenTurn) (decision, error) {
					return decision{Reply: Reply{Text: t.b.welcome(), Outcome: OutcomeHelp}}, nil
				}},
		},
		// The order is the help text's: each role's verbs in this order.
		member: []memberVerb{
			{verb: VerbAssign, syntax: "交办 编号 牵头单位 [协办 单位…] [即办|一般|复杂]", args: argsAssign,
				may: dispatcher, refuse: dispatcherOnly, run: (*action).assign,
				button: &cardButton{label: "交办", style: 1, unit: true}},
			{verb: VerbInvalid, syntax: "无效 编号 理由", args: argsText,
				may: dispatcher, refuse: dispatcherOnly, run: (*action).invalid,
				button: &cardButton{label: "无效", style: 2}}, // the click asks for the reason
			{verb: VerbDuplicate, syntax: "重复 编号 原编号", args: argsOrig,
				may: dispatcher, refuse: dispatcherOnly, run: (*action).duplicate,
				button: &cardButton{label: "重复", style: 2, orig: true}}, // without an original the click asks for it
			{verb: VerbGrade, syntax: "定级 编号 一般|较大|重大|特别重大", args: argsSeverity,
				may: dispatcher, refuse: dispatcherOnly, run: (*action).grade},
			{verb: VerbAccept, syntax: "签收 编号", args: argsCase,
				may: unit, run: (*action).accept,
				button: &cardButton{label: "签收", style: 1}, page: true},
			{verb: VerbReturn, syntax: "退回 编号 理由", args: argsText,
				may: unit, run: (*action).giveBack,
				button: &cardButton{label: "退回", style: 2}}, // the click asks for the reason
			{verb: VerbProgress, syntax: "进展 编号 内容", args: argsText,
				may: unit, run: (*action).progress, page: true},
			{verb: VerbAnswer, syntax: "答复 编号 内容", args: argsText,
				may: leadUnit, refuse: coUseProgress, run: (*action).submitDraft, page: true}, // review.go
			{verb: VerbApprove, syntax: "同意 编号", args: argsCase,
				may: approvers, refuse: []refusal{
					{roles: []models.Role{O}, on: onUnit, msg: "只有部门负责人可以同意答复。"},
					{roles: []models.Role{H}, on: onCo, msg: "只有牵头单位负责人可以同意答复。"},
				}, run: (*action).approveDraft, // review.go
				button: &cardButton{label: "同意", style: 1}, page: true},
			{verb: VerbRevise, syntax: "退回修改 编号 意见", args: argsText,
				may: approvers, refuse: []refusal{
					{roles: []models.Role{H}, msg: "只有牵头单位负责人可以审核答复。"},
					{msg: "只有审核人（部门负责人或领导）可以退回修改答复。"},
				}, run: (*action).reviseDraft, // review.go
				button: &cardButton{label: "退回修改", style: 2}, page: true},
			{verb: VerbExtend, syntax: "延期 编号 工作日数 理由", args: argsExtend,
				may: leadUnit, refuse: coUseProgress, run: (*action).requestExtension}, // leader.go
			{verb: VerbExtApprove, syntax: "批准延期 编号", args: argsCase,
				may: leader, refuse: []refusal{{msg: "只有领导可以审批延期申请。"}}, run: (*action).approveExtension,
				button: &cardButton{label: "同意", style: 1}, page: true},
			{verb: VerbExtReject, syntax: "驳回延期 编号 理由", args: argsText,
				may: leader, refuse: []refusal{{msg: "只有领导可以审批延期申请。"}}, run: (*action).rejectExtension,
				button: &cardButton{label: "不同意", style: 2}, page: true},
			{verb: VerbInstruct, syntax: "批示 编号 内容", args: argsText,
				may: leader, refuse: []refusal{{msg: "只有领导可以批示。"}}, run: (*action).instruct, page: true},
			{verb: VerbAck, syntax: "知悉 编号", args: argsCase,
				may: leader, refuse: []refusal{{msg: "只有领导可以知悉报送的重大事项。"}}, run: (*action).acknowledge,
				button: &cardButton{label: "知悉", style: 1}, page: true},
			{verb: VerbSupervise, syntax: "督办 编号 要求", args: argsText,
				may: deciders, refuse: []refusal{{roles: unitRoles, on: onUnit, msg: "只有问政办和领导可以督办。"}},
				run: (*action).supervise, page: true},
			{verb: VerbView, syntax: "查 编号", args: argsCase,
				may: append([]grant{{roles: []models.Role{D, L}, on: onAny}}, unit...), run: (*action).viewLeaders}, // leader.go
			{verb: VerbTodo, syntax: "待办", args: argsNone,
				may: staff, run: (*action).todoLeaders}, // leader.go
			{verb: VerbWithhold, syntax: "不公开 编号 理由", args: argsText,
				may: dispatcher, refuse: dispatcherOnly, run: (*action).withhold}, // board.go
			{verb: VerbPublish, syntax: "恢复公开 编号", args: argsCase,
				may: dispatcher, refuse: dispatcherOnly, run: (*action).publish},
			{verb: VerbReopen, syntax: "重办 编号 [要求]", args: argsOptText,
				may: dispatcher, refuse: dispatcherOnly, run: (*action).reopenCase, // rating.go
				button: &cardButton{label: "重办", style: 1}},
			{verb: VerbClose, syntax: "办结 编号 [说明]", args: argsOptText,
				may: dispatcher, refuse: dispatcherOnly, run: (*action).closeCase,
				button: &cardButton{label: "办结", style: 2}},
			{verb: VerbAppealUphold, syntax: "申诉成立 编号 [说明]", args: argsOptText,
				may: deciders, refuse: []refusal{{msg: "申诉由问政办或联席会议裁定。"}}, inHelp: leaderDecides,
				run:    func(a *action) (string, error) { return a.decideAppeal(true) }, // appeal.go
				button: &cardButton{label: "申诉成立", style: 1}},
			{verb: VerbAppealReject, syntax: "申诉驳回 编号 理由", args: argsText,
				may: deciders, refuse: []refusal{{msg: "申诉由问政办或联席会议裁定。"}}, inHelp: leaderDecides,
				run:    func(a *action) (string, error) { return a.decideAppeal(false) },
				button: &cardButton{label: "申诉驳回", style: 2}}, // the click asks for the reason
			{verb: VerbAppeal, syntax: "申诉 编号 理由", args: argsText,
				may: leadUnit, refuse: []refusal{
					{roles: unitRoles, on: onCo, msg: "只有牵头单位可以申诉。"},
					{roles: unitRoles, on: onNone, msg: "此件未交办给您的单位，不能申诉。"},
					{msg: "申诉由承办单位提出。"},
				}, run: (*action).appeal}, // appeal.go
			// An information officer's weekly duty (informant.go): 舆情 files a
			// report into the citizens' intake, 报平安 says there is none.
			{verb: VerbOpinion, syntax: "舆情 内容", args: argsReport,
				may: informant, refuse: informantOnly, run: (*action).fileReport, intake: true},
			{verb: VerbSafe, syntax: "报平安 [说明]", args: argsSafe,
				may: informant, refuse: informantOnly, run: (*action).reportSafe},
			// 帮助 answers with the help text and is not listed in it.
			{verb: VerbMemberHelp, aliases: []string{"help"}, syntax: "帮助", args: argsNone,
				may: everyone, inHelp: func(*Bot, models.Role) bool { return false },
				run: func(a *action) (string, error) { return a.b.memberHelp(a.who), nil }},
		},
	}
	t.byVerb = make(map[Verb]*memberVerb, len(t.member))
	for i := range t.member {
		v := &t.member[i]
		t.byVerb[v.verb] = v
		t.longestFirst = append(t.longestFirst, v)
	}
	sort.SliceStable(t.longestFirst, func(i, j int) bool {
		return len(t.longestFirst[i].verb) > len(t.longestFirst[j].verb)
	})
	return t
}

// memberVerb returns v's row; nil if v is no verb.
func (t *verbTable) memberVerb(v Verb) *memberVerb { return t.byVerb[v] }

// citizenVerb returns v's row; nil for a report or a usage hint.
func (t *verbTable) citizenVerb(v CitizenVerb) *citizenVerb {
	for i := range t.citizen {
		if t.citizen[i].verb == v {
			return &t.citizen[i]
		}
	}
	return nil
}

// citizenWord returns the row whose name or alias is w.
func (t *verbTable) citizenWord(w string) *citizenVerb {
	for i := range t.citizen {
		if v := &t.citizen[i]; v.name == w || slices.Contains(v.aliases, w) {
			return v
		}
	}
	return nil
}

// grants reports whether role may use the verb on a case its unit stands
// to as rel.
func (v *memberVerb) grants(role models.Role, rel Relation) bool {
	for _, g := range v.may {
		if (g.roles == nil || slices.Contains(g.roles, role)) && g.on.has(rel) {
			return true
		}
	}
	return false
}

// grantedTo reports whether role may use the verb on some case.
func (v *memberVerb) grantedTo(role models.Role) bool {
	for _, g := range v.may {
		if g.roles == nil || slices.Contains(g.roles, role) {
			return true
		}
	}
	return false
}

// applies reports whether the refusal is the one role reads for rel.
func (r refusal) applies(role models.Role, rel Relation) bool {
	return (r.roles == nil || slices.Contains(r.roles, role)) && (r.on == 0 || r.on.has(rel))
}

// syntaxOf is verb v's usage line.
func syntaxOf(v Verb) string {
	if row := verbs().memberVerb(v); row != nil {
		return row.syntax
	}
	return ""
}

// pageVerb reports whether the case page may send v.
func pageVerb(v Verb) bool {
	row := verbs().memberVerb(v)
	return row != nil && row.page
}

// verbButton is verb v's button on a card about case no, as the verb table
// has it.
func verbButton(v Verb, no string) Button {
	b := Button{Key: buttonKey(v, no), Text: string(v), Style: 1}
	if row := verbs().memberVerb(v); row != nil && row.button != nil {
		b.Text, b.Style = row.button.label, row.button.style
	}
	return b
}

// unitButton is verb v's button on a card about case no that acts on unit
// d (交办 to the suggested unit): the key carries its code, the label its
// name.
func unitButton(v Verb, no string, d *models.Department) Button {
	b := verbButton(v, no)
	b.Key = buttonKey(v, no, d.Code)
	b.Text += d.Name
	return b
}

// origButton is verb v's button on a card about case no that acts with
// the earlier case orig (重复 into a similar case): the key carries orig's
// number, the label the verb and orig's number without its year.
func origButton(v Verb, no, orig string) Button {
	b := verbButton(v, no)
	b.Key = buttonKey(v, no, orig)
	b.Text += "→" + orig[min(4, len(orig)):]
	return b
}

// buttonKey is a button's key: verb:case[:arg].
func buttonKey(v Verb, no string, arg ...string) string {
	k := string(v) + ":" + no
	for _, a := range arg {
		k += ":" + a
	}
	return k
}

// memberHelp lists the commands member m may use, in the table's order.
func (b *Bot) memberHelp(m *models.Member) string {
	role := m.Role
	switch role {
	case models.RoleDispatcher, models.RoleLeader, models.RoleHead, models.RoleOfficer, models.RoleInformant:
	default:
		role = models.RoleOfficer // any other role is shown an officer's commands
	}
	var sb strings.Builder
	sb.WriteString(m.Name + "（" + m.Role.Label() + "）可用的命令：")
	for i := range verbs().member {
		v := &verbs().member[i]
		if !v.grantedTo(role) || (v.inHelp != nil && !v.inHelp(b, role)) {
			continue
		}
		sb.WriteString("\n" + v.syntax)
	}
	if role == models.RoleInformant {
		sb.WriteString("\n" + informantDuty)
	}
	return sb.String()
}

// welcome is the citizens' help text: a line for each of their verbs.
func (b *Bot) welcome() string {
	var sb strings.Builder
	sb.WriteString("欢迎使用网络问政平台。直接发送文字即可反映问题（可附图片、语音、位置），我们受理后会回复编号。\n" +
		"常用命令：\n")
	for _, v := range verbs().citizen {
		sb.WriteString(v.syntax + " —— " + v.help + "\n")
	}
	sb.WriteString("您的个人信息仅问政办可见，不会提供给承办单位。")
	return sb.String()
}
