package bot

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
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
	n, _ := normalize(s, false)
	return n
}

// normalize is Normalize; with at it also returns, for every byte of the
// result, the offset in s (made valid UTF-8) of the character it came from.
func normalize(s string, at bool) (string, []int) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	var b strings.Builder
	var offs []int
	space, spaceAt := false, 0
	for i, r := range s {
		switch {
		case r == '\u3000':
			r = ' '
		case r >= '！' && r <= '～': // full-width ASCII block
			r = r - '！' + '!'
		}
		if unicode.IsSpace(r) {
			if b.Len() > 0 && !space {
				space, spaceAt = true, i
			}
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			if at {
				offs = append(offs, spaceAt)
			}
			space = false
		}
		b.WriteRune(r)
		if at {
			for range utf8.RuneLen(r) {
				offs = append(offs, i)
			}
		}
	}
	return b.String(), offs
}

// isSep reports whether r may stand between a command word and its arguments.
func isSep(r rune) bool {
	return r == ' ' || r == ':' || r == ',' || r == '、' || r == '，' || r == '：' || r == '#' || r == '.' || r == '。'
}

// ParseCitizen reads a citizen's text message: the first verb of the verb
// table that recognises it, or else a report.
func ParseCitizen(text string) CitizenCommand {
	s, offs := normalize(text, true)
	bare := strings.TrimFunc(s, func(r rune) bool { return isSep(r) || unicode.IsPunct(r) })
	for i := range verbs().citizen {
		v := &verbs().citizen[i]
		if c, ok := v.read(v, s, bare); ok {
			if c.Verb == VerbSupplement && strings.HasSuffix(s, c.Text) {
				// The words after the number (补充) are the citizen's own
				// characters, full-width punctuation and all: c.Text
				// is the end of s, taken from the same place in text.
				c.Text = strings.TrimSpace(strings.ToValidUTF8(text, "")[offs[len(s)-len(c.Text)]:])
			}
			return c
		}
	}
	// A report keeps the citizen's own characters; only the ends are trimmed.
	return CitizenCommand{Verb: VerbReport, Text: strings.TrimSpace(strings.ToValidUTF8(text, ""))}
}

// readWhole recognises a verb whose word, or an alias, is the whole message
// (我的, 帮助), in any case.
func readWhole(v *citizenVerb, _, bare string) (CitizenCommand, bool) {
	if w := strings.ToLower(bare); w == v.name || slices.Contains(v.aliases, w) {
		return CitizenCommand{Verb: v.verb, Word: v.name}, true
	}
	return CitizenCommand{}, false
}

// readRating recognises a rating (rating_command.go).
func readRating(_ *citizenVerb, s, bare string) (CitizenCommand, bool) { return parseRating(s, bare) }

// readNumbered recognises the verb's word or an alias followed by a case
// number, and with text the words after it (补充). The word without a number
// asks for a usage hint; followed by other words it is a report (“查询不到社保
// 记录”).
func readNumbered(text bool) func(v *citizenVerb, s, bare string) (CitizenCommand, bool) {
	return func(v *citizenVerb, s, _ string) (CitizenCommand, bool) {
		for _, w := range append([]string{v.name}, v.aliases...) {
			rest, ok := strings.CutPrefix(s, w)
			if !ok {
				continue
			}
			rest = strings.TrimLeftFunc(rest, isSep)
			rest = strings.TrimPrefix(rest, "编号")
			rest = strings.TrimLeftFunc(rest, isSep)
			digits := leadingDigits(rest)
			if digits == "" {
				if strings.TrimFunc(rest, func(r rune) bool { return isSep(r) || unicode.IsPunct(r) }) == "" {
					return CitizenCommand{Verb: VerbUsage, Word: w}, true
				}
				return CitizenCommand{}, false
			}
			c := CitizenCommand{Verb: v.verb, Word: w}
			if !ValidCaseNo(digits) {
				c.Verb, c.BadNo = VerbUsage, digits
				return c, true
			}
			c.No = digits
			if text {
				c.Text = strings.TrimLeftFunc(rest[len(digits):], isSep)
				if c.Text == "" {
					c.Verb = VerbUsage
				}
			}
			return c, true
		}
		return CitizenCommand{}, false
	}
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
