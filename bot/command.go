package bot

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// CitizenVerb is what a citizen's text asks for.
type CitizenVerb int

// The citizen's commands. Anything that is not a command is a report.
const (
	VerbReport     CitizenVerb = iota // a description of a problem
	VerbQuery                         // 查询 / 进度 <编号>
	VerbSupplement                    // 补充 <编号> <内容>
	VerbMine                          // 我的
	VerbHelp                          // 帮助
	VerbUsage                         // a command word without what it needs
	VerbRate                          // 1 / 2 / 3, 满意 / 基本满意 / 不满意, 评价 <编号> <1-3> (rate_command.go)
)

// CitizenCommand is a parsed citizen message.
type CitizenCommand struct {
	Verb CitizenVerb
	// Word is the command word as typed (for usage hints).
	Word string
	// No is the case number, already checked for shape.
	No string
	// Text is the report, or the supplement's content.
	Text string
	// BadNo is set when the command carried digits that are not a case number.
	BadNo string
	// Rating is the score of 评价: 1 满意, 2 基本满意, 3 不满意 (models.RatingValue).
	Rating int
}

// Normalize folds what phones type into what the parser reads: full-width
// letters, digits and spaces become half-width, and runs of white space one
// space. It also drops characters that have no place in a message (control
// and format characters such as zero-width spaces).
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == '\u3000':
			r = ' '
		case r >= '！' && r <= '～': // full-width ASCII block
			r = r - '！' + '!'
		}
		if unicode.IsSpace(r) {
			if b.Len() > 0 {
				space = true
			}
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

var citizenVerbs = []struct {
	word string
	verb CitizenVerb
}{
	{"查询", VerbQuery}, {"进度", VerbQuery}, {"补充", VerbSupplement},
}

// isSep reports whether r may stand between a command word and its arguments.
func isSep(r rune) bool {
	return r == ' ' || r == ':' || r == ',' || r == '、' || r == '，' || r == '：' || r == '#' || r == '.' || r == '。'
}

// ParseCitizen reads a citizen's text message.
func ParseCitizen(text string) CitizenCommand {
	s := Normalize(text)
	bare := strings.TrimFunc(s, func(r rune) bool { return isSep(r) || unicode.IsPunct(r) })
	switch strings.ToLower(bare) {
	case "我的", "我的问题", "我的工单":
		return CitizenCommand{Verb: VerbMine, Word: "我的"}
	case "帮助", "help", "?", "菜单", "":
		return CitizenCommand{Verb: VerbHelp, Word: "帮助"}
	}
	if s == "?" || s == "？" {
		return CitizenCommand{Verb: VerbHelp, Word: "帮助"}
	}
	// Ratings are read before anything else: "1" or "满意" is shorter than
	// any report (rate_command.go).
	if c, ok := parseRating(s, bare); ok {
		return c
	}
	for _, v := range citizenVerbs {
		if !strings.HasPrefix(s, v.word) {
			continue
		}
		rest := strings.TrimLeftFunc(s[len(v.word):], isSep)
		rest = strings.TrimPrefix(rest, "编号")
		rest = strings.TrimLeftFunc(rest, isSep)
		digits := leadingDigits(rest)
		if digits == "" {
			if strings.TrimFunc(rest, func(r rune) bool { return isSep(r) || unicode.IsPunct(r) }) == "" {
				return CitizenCommand{Verb: VerbUsage, Word: v.word}
			}
			// "查询不到社保记录" is a report that starts with a command word.
			break
		}
		c := CitizenCommand{Verb: v.verb, Word: v.word}
		if !ValidCaseNo(digits) {
			c.Verb, c.BadNo = VerbUsage, digits
			return c
		}
		c.No = digits
		if v.verb == VerbSupplement {
			c.Text = strings.TrimLeftFunc(rest[len(digits):], isSep)
			if c.Text == "" {
				c.Verb = VerbUsage
			}
		}
		return c
	}
	// A report keeps the citizen's own characters; only the ends are trimmed.
	return CitizenCommand{Verb: VerbReport, Text: strings.TrimSpace(strings.ToValidUTF8(text, ""))}
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}

// ValidCaseNo reports whether no has the shape of a case number: a real date
// YYYYMMDD followed by a daily sequence of at least three digits.
func ValidCaseNo(no string) bool {
	if len(no) < 11 || len(no) > 20 || leadingDigits(no) != no {
		return false
	}
	d, err := time.Parse("20060102", no[:8])
	return err == nil && d.Year() >= 2000
}
