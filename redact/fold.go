package redact

import (
	"unicode"
	"unicode/utf8"
)

// unit is one visible character of the text as it is matched: r is the
// character folded (full-width and mathematical forms read as ASCII, Latin
// letters in lower case, every space as ' ') and s, e its byte span in the
// original text. Invisible characters (zero-width spaces and joiners, word
// joiners, variation selectors, soft hyphens) get no unit of their own: they
// lie between two units, so a number with them inside is one number, and a
// masked span covers them.
type unit struct {
	r    rune
	s, e int
}

// foldText splits text into units.
func foldText(text string) []unit {
	us := make([]unit, 0, utf8.RuneCountInString(text))
	for i, r := range text {
		size := utf8.RuneLen(r)
		if size < 0 {
			size = 1 // utf8.RuneError from an invalid byte: the caller cleans the text first
		}
		if invisible(r) {
			continue
		}
		us = append(us, unit{r: foldRune(r), s: i, e: i + size})
	}
	return us
}

// invisible reports whether r is a character a reader does not see: a
// format character (U+200B–U+200F, U+2060–U+2064, U+FEFF, U+00AD…) or a
// mark that combines with the character before it.
func invisible(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Mn, unicode.Me)
}

// foldRune reads r the way a person means it.
func foldRune(r rune) rune {
	switch {
	case r < 0x80:
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		if r == '\t' {
			return ' '
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
		return foldRune(r - 0xFEE0)
	case unicode.Is(unicode.Zs, r):
		return ' '
	case r >= '①' && r <= '⑨':
		return '1' + r - '①'
	case r >= '❶' && r <= '❾':
		return '1' + r - '❶'
	case r >= '➀' && r <= '➈':
		return '1' + r - '➀'
	case r >= '➊' && r <= '➒':
		return '1' + r - '➊'
	case r == '⓪' || r == '⓿' || r == '⁰' || r == '₀':
		return '0'
	case r == '¹':
		return '1'
	case r == '²' || r == '³':
		return '2' + r - '²'
	case r >= '⁴' && r <= '⁹':
		return '4' + r - '⁴'
	case r >= '₁' && r <= '₉':
		return '1' + r - '₁'
	case r >= '⑴' && r <= '⑼':
		return '1' + r - '⑴'
	case r >= '⒈' && r <= '⒐':
		return '1' + r - '⒈'
	case unicode.IsDigit(r):
		return '0' + digitValue(r)
	}
	return r
}

// digitValue is the value of a decimal digit of any script: digits come in
// blocks of ten that start at zero (ASCII, Arabic-Indic, full-width, the
// five mathematical blocks 𝟎𝟘𝟢𝟬𝟶 side by side).
func digitValue(r rune) rune {
	start := r
	for start > 0 && r-start < 60 && unicode.IsDigit(start-1) {
		start--
	}
	return (r - start) % 10
}

// cnDigit is the digit a Chinese numeral stands for in a number read out
// digit by digit (一三八, 幺三八, 壹叁捌, 〇 and 零 for 0), -1 for any other
// character. 十, 百 and 两 count, they do not spell digits, so they are not
// here.
func cnDigit(r rune) int {
	switch r {
	case '〇', '零', '○', '洞':
		return 0
	case '一', '幺', '壹':
		return 1
	case '二', '贰', '貳':
		return 2
	case '三', '叁', '參', '叄':
		return 3
	case '四', '肆':
		return 4
	case '五', '伍':
		return 5
	case '六', '陆', '陸':
		return 6
	case '七', '柒', '拐':
		return 7
	case '八', '捌':
		return 8
	case '九', '玖':
		return 9
	}
	return -1
}

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' }

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// isSep reports whether r may stand between two groups of one number:
// spaces, dots, slashes, dashes and brackets.
func isSep(r rune) bool {
	switch r {
	case ' ', '.', '·', '•', '・', '‧', '･', '∙', '/', '\\', '-', '_', '‐', '‑', '‒', '–', '—', '―', '−',
		'(', ')', '[', ']', '（', '）', '【', '】', '〔', '〕', '{', '}':
		return true
	}
	return false
}

// isPunct reports whether r ends a clause: what stands between two
// sentences or two items, not inside a name or a number.
func isPunct(r rune) bool {
	switch r {
	case '，', ',', '。', '.', '！', '!', '？', '?', '；', ';', '：', ':', '、', '\n', '\r', ' ',
		'“', '”', '"', '\'', '‘', '’', '（', '）', '(', ')', '《', '》', '【', '】', '[', ']', '…', '~', '—', '-':
		return true
	}
	return false
}

// isSentenceEnd reports whether r ends a sentence.
func isSentenceEnd(r rune) bool {
	switch r {
	case '。', '！', '!', '？', '?', '；', ';', '\n', '\r':
		return true
	}
	return false
}
