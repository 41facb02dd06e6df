package bot

import (
	"strconv"
	"strings"
	"unicode"

	"minsheng/models"
)

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

// ParseMember reads a member's command: a verb of the verb table, the case
// number and the verb's arguments. Text that is no command gives Verb ""
// (the caller answers with help).
func ParseMember(text string) MemberCommand {
	// orig keeps what the member typed, less invisible characters.
	orig := strings.Map(func(r rune) rune {
		if (unicode.IsControl(r) && !unicode.IsSpace(r)) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(text, ""))
	s := strings.TrimLeft(Normalize(text), "/")
	v, rest := verbs().matchMember(s)
	if v == nil {
		return MemberCommand{}
	}
	c := MemberCommand{Verb: v.verb}
	if v.args.noCase {
		if v.args.free {
			c.Text = afterVerb(orig, v.verb)
			if c.Text == "" && v.args.need {
				c.Err = "格式：" + v.syntax
			}
		}
		return c
	}
	args := splitArgs(rest)
	if len(args) > 0 && ValidCaseNo(args[0]) {
		c.No = args[0]
		if v.args.read(&c, args[1:], orig) {
			return c
		}
	}
	c.Err = "格式：" + v.syntax
	return c
}

// matchMember finds the verb s starts with, the longest if several do, and
// returns what follows it; or the verb one of whose aliases s is.
func (t *verbTable) matchMember(s string) (*memberVerb, string) {
	for _, v := range t.longestFirst {
		if rest, ok := strings.CutPrefix(s, string(v.verb)); ok {
			return v, rest
		}
	}
	for _, v := range t.longestFirst {
		for _, a := range v.aliases {
			if strings.EqualFold(strings.TrimSpace(s), a) {
				return v, ""
			}
		}
	}
	return nil, ""
}

// The ways of reading a member verb's arguments (memberVerb.args).
var (
	// argsNone: no case number, nothing else (待办, 帮助).
	argsNone = argSpec{noCase: true}
	// argsReport: no case number, and the words after the verb, which are
	// required (舆情 内容).
	argsReport = argSpec{noCase: true, free: true, need: true}
	// argsSafe: no case number, and the words after the verb if any
	// (报平安 [说明]).
	argsSafe = argSpec{noCase: true, free: true}
	// argsCase: the case number alone.
	argsCase = argSpec{read: func(_ *MemberCommand, args []string, _ string) bool { return len(args) == 0 }}
	// argsText: the case number and free text, which is required.
	argsText = argSpec{read: func(c *MemberCommand, args []string, orig string) bool {
		if len(args) == 0 {
			return false
		}
		c.Text = freeText(orig, c.No, 0)
		return c.Text != ""
	}}
	// argsOptText: the case number and free text, which may be left out.
	argsOptText = argSpec{read: func(c *MemberCommand, _ []string, orig string) bool {
		c.Text = freeText(orig, c.No, 0)
		return true
	}}
	// argsOrig: the case number and the earlier case's (重复).
	argsOrig = argSpec{read: func(c *MemberCommand, args []string, _ string) bool {
		if len(args) != 1 || !ValidCaseNo(args[0]) || args[0] == c.No {
			return false
		}
		c.Orig = args[0]
		return true
	}}
	// argsSeverity: the case number and a severity (定级).
	argsSeverity = argSpec{read: func(c *MemberCommand, args []string, _ string) bool {
		if len(args) != 1 {
			return false
		}
		switch sev := models.Severity(args[0]); sev {
		case models.SeverityGeneral, models.SeverityLarge, models.SeverityMajor, models.SeverityCritical:
			c.Severity = sev
			return true
		}
		return false
	}}
	// argsExtend: the case number, working days and a reason (延期).
	argsExtend = argSpec{read: func(c *MemberCommand, args []string, orig string) bool {
		if len(args) < 2 {
			return false
		}
		d, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(args[0], "天"), "个工作日"))
		if err != nil || d < 1 || d > 365 {
			return false
		}
		c.Days = d
		c.Text = freeText(orig, c.No, 1)
		return c.Text != ""
	}}
	// argsAssign: the case number, the lead unit, 协办 and the co-handling
	// units, and the case type (交办).
	argsAssign = argSpec{read: func(c *MemberCommand, args []string, _ string) bool {
		if len(args) == 0 {
			return false
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
				return false
			}
			c.Co = append(c.Co, a)
		}
		return !co || len(c.Co) > 0
	}}
)

// splitArgs splits on spaces and the separators people type between words.
func splitArgs(s string) []string {
	return strings.FieldsFunc(s, isArgSep)
}

// afterVerb returns what the member typed after verb v, with their own
// characters (full-width punctuation kept): orig is the message less
// invisible characters, whose start ParseMember matched to v.
func afterVerb(orig string, v Verb) string {
	s := strings.TrimLeftFunc(orig, func(r rune) bool { return unicode.IsSpace(r) || r == '/' || r == '／' })
	rest, ok := strings.CutPrefix(s, string(v))
	if !ok { // the verb was typed in another form (full-width letters): take the normalised text
		rest, _ = strings.CutPrefix(strings.TrimLeft(Normalize(orig), "/"), string(v))
	}
	return strings.TrimSpace(strings.TrimLeftFunc(rest, isArgSep))
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

// ParseButton reads a card button's key (verbButton) into a command: only
// the verbs of the table with a button are accepted.
func ParseButton(key string) MemberCommand {
	bad := MemberCommand{Err: "无法识别的按钮"}
	parts := strings.Split(key, ":")
	if len(parts) < 2 || !ValidCaseNo(parts[1]) {
		return bad
	}
	v := verbs().memberVerb(Verb(parts[0]))
	if v == nil || v.button == nil {
		return bad
	}
	c := MemberCommand{Verb: v.verb, No: parts[1]}
	if v.button.orig && len(parts) == 3 {
		if !ValidCaseNo(parts[2]) || parts[2] == c.No {
			return bad
		}
		c.Orig = parts[2]
		return c
	}
	if !v.button.unit {
		if len(parts) != 2 {
			return bad
		}
		return c
	}
	if len(parts) != 3 || parts[2] == "" {
		return bad
	}
	c.Lead = parts[2]
	return c
}

// isCaseKind reports whether s is a case type: 即办, 一般 or 复杂.
func isCaseKind(s string) bool { return s == "即办" || s == "一般" || s == "复杂" }
