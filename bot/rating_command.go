package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The commands of rating, 重办 and appeals (issue "Closing the loop").

// ratingWords are what citizens type to rate, longest first so that 不满意
// is not read as 满意; each with its score (models.RatingValue).
var ratingWords = []struct {
	word  string
	score int
}{
	{"非常不满意", 3}, {"很不满意", 3}, {"不满意", 3},
	{"基本满意", 2}, {"比较满意", 2},
	{"非常满意", 1}, {"很满意", 1}, {"满意", 1},
}

// RateWord is the command word of a rating with a number: 评价 <编号> <1-3>.
const RateWord = "评价"

// parseRating reads a rating: a bare 1, 2 or 3; a rating word, alone or
// followed by a reason (不满意 理由); or 评价 <编号> <1-3|word> [理由]. s is
// the normalised text and bare s without the separators and punctuation
// around it. ok is false when the text is no rating.
func parseRating(s, bare string) (CitizenCommand, bool) {
	switch bare {
	case "1", "2", "3":
		return CitizenCommand{Verb: VerbRate, Word: RateWord, Rating: int(bare[0] - '0')}, true
	}
	if rest, ok := strings.CutPrefix(s, RateWord); ok {
		return parseRateCommand(rest)
	}
	score, text, ok := ratingWord(s)
	if !ok {
		return CitizenCommand{}, false
	}
	return CitizenCommand{Verb: VerbRate, Word: RateWord, Rating: score, Text: text}, true
}

// ratingWord reads a rating word at the start of s and what follows it.
// 满意 and 基本满意 must stand alone or be followed by a separator (满意度…
// is no rating); after 不满意 anything is its reason.
func ratingWord(s string) (score int, text string, ok bool) {
	for _, w := range ratingWords {
		rest, found := strings.CutPrefix(s, w.word)
		if !found {
			continue
		}
		trimmed := strings.TrimFunc(rest, isRateSep)
		if trimmed == "" {
			return w.score, "", true
		}
		r, _ := utf8.DecodeRuneInString(rest)
		if isRateSep(r) || w.score == 3 {
			return w.score, strings.TrimRightFunc(strings.TrimLeftFunc(rest, isRateSep), unicode.IsSpace), true
		}
		return 0, "", false
	}
	return 0, "", false
}

// isRateSep is what may stand between a rating and its reason.
func isRateSep(r rune) bool { return isSep(r) || unicode.IsPunct(r) || unicode.IsSpace(r) }

// parseRateCommand reads what follows 评价: <编号> <1-3|word> [理由].
func parseRateCommand(rest string) (CitizenCommand, bool) {
	c := CitizenCommand{Verb: VerbUsage, Word: RateWord}
	rest = strings.TrimLeftFunc(rest, isSep)
	rest = strings.TrimLeftFunc(strings.TrimPrefix(rest, "编号"), isSep)
	digits := leadingDigits(rest)
	if digits == "" {
		if strings.TrimFunc(rest, isRateSep) == "" {
			return c, true
		}
		// "评价一下这个政策" is a report that starts with the command word.
		return CitizenCommand{}, false
	}
	if !ValidCaseNo(digits) {
		c.BadNo = digits
		return c, true
	}
	c.No = digits
	rest = strings.TrimLeftFunc(rest[len(digits):], isRateSep)
	switch {
	case rest == "":
		return c, true
	case rest[0] >= '1' && rest[0] <= '3':
		after := rest[1:]
		if r, _ := utf8.DecodeRuneInString(after); after != "" && !isRateSep(r) {
			return c, true // 评价 编号 12: no score
		}
		c.Verb, c.Rating = VerbRate, int(rest[0]-'0')
		c.Text = strings.TrimSpace(strings.TrimLeftFunc(after, isRateSep))
		return c, true
	}
	if score, text, ok := ratingWord(rest); ok {
		c.Verb, c.Rating, c.Text = VerbRate, score, text
	}
	return c, true
}
