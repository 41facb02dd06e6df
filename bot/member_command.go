package bot

import (
	"strconv"
	"strings"
	"unicode"

	"minsheng/models"
)

// Verb is what a member's command or button asks for.
type Verb string

// The members' verbs (DOMAIN.md roles; issue "Departments handle cases inside WeCom").
const (
	VerbAssign     Verb = "交办"
	VerbInvalid    Verb = "无效"
	VerbDuplicate  Verb = "重复"
	VerbGrade      Verb = "定级"
	VerbSupervise  Verb = "督办"
	VerbView       Verb = "查"
	VerbTodo       Verb = "待办"
	VerbAccept     Verb = "签收"
	VerbReturn     Verb = "退回"
	VerbProgress   Verb = "进展"
	VerbAnswer     Verb = "答复"
	VerbApprove    Verb = "同意"
	VerbExtend     Verb = "延期"
	VerbMemberHelp Verb = "帮助"
)

// memberVerbs lists the verbs in the order help shows them.
var memberVerbs = []Verb{
	VerbAssign, VerbInvalid, VerbDuplicate, VerbGrade, VerbSupervise, VerbView, VerbTodo,
	VerbAccept, VerbReturn, VerbProgress, VerbAnswer, VerbApprove, VerbExtend, VerbMemberHelp,
	// Ratings and appeals (rating_command.go): 申诉成立/申诉驳回 before 申诉.
	VerbAppealUphold, VerbAppealReject, VerbAppeal, VerbReopen, VerbClose,
	// The public reply board (board.go).
	VerbWithhold, VerbPublish,
}

// MemberCommand is a parsed member command (typed or from a card button).
type MemberCommand struct {
	Verb Verb
	No   string
	// Text is the free text: reason, progress note, answer, requirement.
	Text string
	// Lead and Co are the units named by 交办 (code or name).
	Lead string
	Co   []string
	// Kind is the case type 交办 may set: 即办, 一般 or 复杂; empty for
	// the default (config, or 复杂 for several units).
	Kind string
	// Orig is the earlier case of 重复.
	Orig string
	// Severity is the grade of 定级.
	Severity models.Severity
	// Days is the extension asked by 延期.
	Days int
	// Err explains what is wrong with the command, in Chinese; empty if valid.
	Err string
}

// commandSyntax is the usage line of each verb.
var commandSyntax = map[Verb]string{
	VerbAssign:     "交办 编号 牵头单位 [协办 单位…] [即办|一般|复杂]",
	VerbInvalid:    "无效 编号 理由",
	VerbDuplicate:  "重复 编号 原编号",
	VerbGrade:      "定级 编号 一般|较大|重大|特别重大",
	VerbSupervise:  "督办 编号 要求",
	VerbView:       "查 编号",
	VerbTodo:       "待办",
	VerbAccept:     "签收 编号",
	VerbReturn:     "退回 编号 理由",
	VerbProgress:   "进展 编号 内容",
	VerbAnswer:     "答复 编号 内容",
	VerbApprove:    "同意 编号",
	VerbExtend:     "延期 编号 工作日数 理由",
	VerbMemberHelp: "帮助",
}

// ParseMember reads a member's command. Text that is no command gives
// Verb "" (the caller answers with help).
func ParseMember(text string) MemberCommand {
	// orig keeps what the member typed, less invisible characters.
	orig := strings.Map(func(r rune) rune {
		if (unicode.IsControl(r) && !unicode.IsSpace(r)) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(text, ""))
	s := Normalize(text)
	s = strings.TrimLeft(s, "/")
	var c MemberCommand
	for _, v := range allVerbs() {
		if strings.HasPrefix(s, string(v)) {
			c.Verb = v
			s = s[len(v):]
			break
		}
	}
	if c.Verb == "" {
		if strings.EqualFold(strings.TrimSpace(s), "help") {
			c.Verb = VerbMemberHelp
		}
		return c
	}
	args := splitArgs(s)
	bad := func() MemberCommand {
		c.Err = "格式：" + commandSyntax[c.Verb]
		return c
	}
	switch c.Verb {
	case VerbTodo, VerbMemberHelp:
		return c
	}
	if len(args) == 0 || !ValidCaseNo(args[0]) {
		return bad()
	}
	c.No, args = args[0], args[1:]
	rest := strings.Join(args, " ")
	switch c.Verb {
	case VerbView, VerbAccept, VerbApprove, VerbExtApprove, VerbAck, VerbPublish:
		if len(args) > 0 {
			return bad()
		}
	case VerbInvalid, VerbReturn, VerbProgress, VerbAnswer, VerbSupervise, VerbRevise, VerbExtReject, VerbInstruct,
		VerbAppeal, VerbAppealReject, VerbWithhold:
		if rest == "" {
			return bad()
		}
		if c.Text = freeText(orig, c.No, 0); c.Text == "" {
			return bad()
		}
	case VerbAppealUphold, VerbReopen, VerbClose: // the text is optional
		c.Text = freeText(orig, c.No, 0)
	case VerbDuplicate:
		if len(args) != 1 || !ValidCaseNo(args[0]) || args[0] == c.No {
			return bad()
		}
		c.Orig = args[0]
	case VerbGrade:
		if len(args) != 1 {
			return bad()
		}
		switch sev := models.Severity(args[0]); sev {
		case models.SeverityGeneral, models.SeverityLarge, models.SeverityMajor, models.SeverityCritical:
			c.Severity = sev
		default:
			return bad()
		}
	case VerbExtend:
		if len(args) < 2 {
			return bad()
		}
		d, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(args[0], "天"), "个工作日"))
		if err != nil || d < 1 || d > 365 {
			return bad()
		}
		c.Days = d
		if c.Text = freeText(orig, c.No, 1); c.Text == "" {
			return bad()
		}
	case VerbAssign:
		if len(args) == 0 {
			return bad()
		}
		if n := len(args); n >= 2 && isCaseKind(args[n-1]) {
			c.Kind, args = args[n-1], args[:n-1]
		}
		c.Lead = args[0]
		co := false
		for _, a := range args[1:] {
			if a == "协办" {
				co = true
				continue
			}
			if !co {
				return bad()
			}
			c.Co = append(c.Co, a)
		}
		if co && len(c.Co) == 0 {
			return bad()
		}
	}
	return c
}

// splitArgs splits on spaces and the separators people type between words.
func splitArgs(s string) []string {
	return strings.FieldsFunc(s, isArgSep)
}

// freeText returns the text the member typed after the case number and skip
// more words, with their own characters (full-width punctuation kept).
func freeText(orig, no string, skip int) string {
	rs := []rune(orig)
	// Find the number, whatever width its digits were typed in.
	start := -1
	for i := 0; i+len(no) <= len(rs) && start < 0; i++ {
		j := 0
		for ; j < len(no); j++ {
			r := rs[i+j]
			if r >= '０' && r <= '９' {
				r = r - '０' + '0'
			}
			if r != rune(no[j]) {
				break
			}
		}
		if j == len(no) {
			start = i + len(no)
		}
	}
	if start < 0 {
		return ""
	}
	rest := string(rs[start:])
	for ; skip > 0; skip-- {
		rest = strings.TrimLeftFunc(rest, isArgSep)
		i := strings.IndexFunc(rest, isArgSep)
		if i < 0 {
			return ""
		}
		rest = rest[i:]
	}
	return strings.TrimSpace(strings.TrimLeftFunc(rest, isArgSep))
}

func isArgSep(r rune) bool {
	return unicode.IsSpace(r) || isSep(r) || r == '、' || r == ';' || r == '；'
}

// Button keys carry a command on a card: verb:case[:arg].
func buttonKey(v Verb, no string, arg ...string) string {
	k := string(v) + ":" + no
	for _, a := range arg {
		k += ":" + a
	}
	return k
}

// ParseButton reads a card button's key into a command.
func ParseButton(key string) MemberCommand {
	parts := strings.Split(key, ":")
	if len(parts) < 2 || !ValidCaseNo(parts[1]) {
		return MemberCommand{Err: "无法识别的按钮"}
	}
	c := MemberCommand{Verb: Verb(parts[0]), No: parts[1]}
	switch c.Verb {
	case VerbAccept, VerbApprove, VerbExtApprove, VerbAck:
		if len(parts) != 2 {
			return MemberCommand{Err: "无法识别的按钮"}
		}
	case VerbAppealUphold, VerbAppealReject, VerbReopen, VerbClose: // rating_command.go; 驳回 asks for its reason
		if len(parts) != 2 {
			return MemberCommand{Err: "无法识别的按钮"}
		}
	case VerbAssign:
		if len(parts) != 3 || parts[2] == "" {
			return MemberCommand{Err: "无法识别的按钮"}
		}
		c.Lead = parts[2]
	case VerbReturn, VerbRevise, VerbExtReject:
		// A return needs a reason: the button only asks for it.
		if len(parts) != 2 {
			return MemberCommand{Err: "无法识别的按钮"}
		}
	default:
		return MemberCommand{Err: "无法识别的按钮"}
	}
	return c
}

// isCaseKind reports whether s is a case type: 即办, 一般 or 复杂.
func isCaseKind(s string) bool { return s == "即办" || s == "一般" || s == "复杂" }
