// Package redact takes personal data out of a citizen's text before anyone
// but the dispatcher sees it: Mask for what is published (the reply board,
// open data, the dashboard's exports), Identity for what a unit, a leader or
// a group reads and what is logged. It imports only the standard library, so
// that everything that shows text can use it.
//
// Numbers are found in any writing a keyboard allows: full-width and
// mathematical digits, Chinese numerals (一三八, 幺, 〇, 壹贰叁), spaces of
// every width, zero-width characters, dots, slashes, dashes and brackets
// between the groups, and a number told in parts (135开头，后面是2690 4813).
// The text is matched in that folded form and masked in the original, so
// everything that is not masked is left exactly as it was written.
//
// Every mask is a marker of one style, an ASCII-bracketed phrase ending in
// 已隐去: [姓名已隐去], [电话已隐去], [身份证号已隐去], [号码已隐去],
// [邮箱已隐去], [账号已隐去], [车牌已隐去], [门牌已隐去]. A marker already
// in the text (also the older ［姓名已隐去］) is left alone, so masking twice
// gives what masking once gave.
package redact

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// The markers that stand where personal data was.
const (
	markName    = "[姓名已隐去]"
	markPhone   = "[电话已隐去]"
	markID      = "[身份证号已隐去]"
	markNumber  = "[号码已隐去]"
	markEmail   = "[邮箱已隐去]"
	markAccount = "[账号已隐去]"
	markPlate   = "[车牌已隐去]"
	markHome    = "[门牌已隐去]"
)

// Mask removes personal data from a text that is published: the problem and
// the answer on the public reply board, the open data and the exports. It
// masks what Identity masks and, in an address, the residential building
// together with the unit, floor and room (幸福小区3栋2单元501室 →
// 幸福小区[门牌已隐去]), where Identity keeps the building for the unit that
// must find it. known are identities recorded for the case (the reporter's
// name and phone): they are masked wherever they stand.
func Mask(text string, known ...string) string {
	out, _ := run(text, known, true, false)
	return out
}

// Identity removes what identifies a person from a text shown to a unit, a
// leader or a group: names (with or without 我叫 before them, compound
// surnames, names with a middle dot, a surname before 先生/女士/师傅…),
// mobile and landline numbers, ID and bank-card numbers, e-mail addresses,
// WeChat and QQ accounts, private car plates, and a private home down to the
// unit, floor and room or its street number. It keeps what the unit needs:
// streets, communities, buildings, businesses, officials acting in office,
// dates, amounts, counts, hotlines, codes and case numbers.
func Identity(text string, known ...string) string {
	out, _ := run(text, known, false, false)
	return out
}

// Names are the names of people Identity finds in text (我叫李娜 → 李娜),
// for masking a piece of the text that holds one with nothing around it to
// show it is a name (a place read from the text: 李娜小区).
func Names(text string) []string {
	_, names := run(text, nil, false, false)
	return names
}

// HasMobile reports whether text holds a mobile phone number in any writing
// Mask reads (full-width, Chinese numerals, separators, +86, told in
// parts), or 11 digits that read as one inside a longer number (an ID
// number): review's check of an answer draft, which must carry no citizen's
// phone (an office landline may stay).
func HasMobile(text string) bool {
	if mobileInRe.MatchString(text) {
		return true
	}
	d := newDoc(strings.ToValidUTF8(text, ""), false)
	d.numbers()
	return d.foundMobile
}

// HasIDNumber reports whether text holds an ID-card number in any writing
// Mask reads: review's check of an answer draft.
func HasIDNumber(text string) bool {
	if idInRe.MatchString(text) {
		return true
	}
	d := newDoc(strings.ToValidUTF8(text, ""), false)
	d.numbers()
	return d.foundID
}

var (
	// mobileInRe and idInRe spot a mobile number and an 18-digit ID number
	// written plainly, also inside a longer run of digits.
	mobileInRe = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}`)
	idInRe     = regexp.MustCompile(`[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]`)
)

// MaskCase masks a case's problem and answer for publication (Mask) as one:
// a name the problem shows (我叫王小明, 王小明反映) is also taken out of the
// answer, where the unit may address the reporter by it with nothing around
// it to show it is a name (王小明，您好).
func MaskCase(problem, answer string, known ...string) (string, string) {
	p, names := run(problem, known, true, false)
	all := append(append([]string(nil), known...), names...)
	a, _ := run(answer, all, true, true)
	return p, a
}

// maxPasses bounds the passes of run. A pass can only turn unmasked text
// into markers, which are never matched again, so the passes end; text in
// which a second pass finds something new is rare (a marker that makes two
// pieces of a number meet).
const maxPasses = 3

// run masks text, publishing or not, an official answer or not, and returns
// the names it found.
func run(text string, known []string, publish, official bool) (string, []string) {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "")
	}
	var names []string
	for pass := 0; pass < maxPasses; pass++ {
		d := newDoc(text, publish)
		d.official = official
		d.known(known)
		d.numbers()
		d.accounts()
		d.plates()
		d.homes()
		d.names()
		if pass == 0 {
			names = d.found
		}
		out := d.render()
		if out == text {
			break
		}
		text = out
	}
	return text, names
}

// span is a part of the text to mask: units [i, j) become mark.
type span struct {
	i, j int
	mark string
}

// doc is one text being masked.
type doc struct {
	text    string
	u       []unit
	marker  []bool // the unit belongs to a marker already in the text
	covered []bool // the unit is in a span
	kept    []bool // the unit is in a number found to stay (a case number, a 400 line)
	spans   []span
	publish bool
	// official is set for an official answer: a landline in it is the
	// office's, unless it is a known one.
	official bool
	found    []string // names recognised, for MaskCase
	// knownNumbers are the digits of the numbers recorded for the case.
	knownNumbers []string
	// foundMobile and foundID are set when a mobile or an ID number was
	// masked (HasMobile, HasIDNumber).
	foundMobile, foundID bool
}

func newDoc(text string, publish bool) *doc {
	d := &doc{text: text, u: foldText(text), publish: publish}
	d.marker = make([]bool, len(d.u))
	d.covered = make([]bool, len(d.u))
	d.kept = make([]bool, len(d.u))
	d.findMarkers()
	return d
}

// findMarkers flags the markers already in the text: [ then up to twelve
// characters ending in 已隐去, then ] (full-width brackets read as ASCII).
func (d *doc) findMarkers() {
	for i := 0; i < len(d.u); i++ {
		if d.u[i].r != '[' {
			continue
		}
		for j := i + 1; j < len(d.u) && j <= i+14; j++ {
			if d.u[j].r == '[' {
				break
			}
			if d.u[j].r == ']' {
				if j-i >= 4 && d.str(j-3, j) == "已隐去" {
					for k := i; k <= j; k++ {
						d.marker[k] = true
					}
					i = j
				}
				break
			}
		}
	}
}

// str is the folded text of units [i, j).
func (d *doc) str(i, j int) string {
	var b strings.Builder
	for k := max(i, 0); k < j && k < len(d.u); k++ {
		b.WriteRune(d.u[k].r)
	}
	return b.String()
}

// orig is the original text of units [i, j).
func (d *doc) orig(i, j int) string {
	if i >= j {
		return ""
	}
	return d.text[d.u[i].s:d.u[j-1].e]
}

// r is the folded character at k, 0 outside the text.
func (d *doc) r(k int) rune {
	if k < 0 || k >= len(d.u) {
		return 0
	}
	return d.u[k].r
}

// add masks units [i, j) with mark; parts that are markers already stay.
func (d *doc) add(i, j int, mark string) {
	i, j = max(i, 0), min(j, len(d.u))
	for i < j {
		for i < j && d.marker[i] {
			i++
		}
		k := i
		for k < j && !d.marker[k] {
			k++
		}
		if i < k {
			d.spans = append(d.spans, span{i, k, mark})
			for n := i; n < k; n++ {
				d.covered[n] = true
			}
		}
		i = k
	}
}

// masked reports whether unit k is masked already or is a marker.
func (d *doc) masked(k int) bool {
	if k < 0 || k >= len(d.u) {
		return false
	}
	return d.marker[k] || d.covered[k]
}

// render writes the text with every span replaced by its marker; spans that
// overlap, or touch with the same marker, become one. A marker written in
// full-width brackets (［姓名已隐去］) is written in ASCII ones.
func (d *doc) render() string {
	for k, u := range d.u {
		if d.marker[k] && (u.r == '[' || u.r == ']') && d.text[u.s] != byte(u.r) {
			d.spans = append(d.spans, span{k, k + 1, string(u.r)})
		}
	}
	if len(d.spans) == 0 {
		return d.text
	}
	sort.SliceStable(d.spans, func(a, b int) bool { return d.spans[a].i < d.spans[b].i })
	var merged []span
	for _, s := range d.spans {
		if n := len(merged); n > 0 && (s.i < merged[n-1].j || s.i == merged[n-1].j && s.mark == merged[n-1].mark && s.mark[0] == '[' && len(s.mark) > 1) {
			merged[n-1].j = max(merged[n-1].j, s.j)
			continue
		}
		merged = append(merged, s)
	}
	var b strings.Builder
	b.Grow(len(d.text) + 16*len(merged))
	last := 0
	for _, s := range merged {
		b.WriteString(d.text[last:d.u[s.i].s])
		b.WriteString(s.mark)
		last = d.u[s.j-1].e
	}
	b.WriteString(d.text[last:])
	return b.String()
}

// wordSet is a set of words matched on folded text.
type wordSet struct {
	byFirst map[rune][][]rune
	byLast  map[rune][][]rune
}

func newWordSet(words ...string) *wordSet {
	w := &wordSet{byFirst: map[rune][][]rune{}, byLast: map[rune][][]rune{}}
	for _, s := range words {
		rs := []rune(s)
		if len(rs) == 0 {
			continue
		}
		w.byFirst[rs[0]] = append(w.byFirst[rs[0]], rs)
		w.byLast[rs[len(rs)-1]] = append(w.byLast[rs[len(rs)-1]], rs)
	}
	for _, m := range []map[rune][][]rune{w.byFirst, w.byLast} {
		for k := range m {
			sort.Slice(m[k], func(a, b int) bool { return len(m[k][a]) > len(m[k][b]) })
		}
	}
	return w
}

// at returns the length in units of the longest word starting at unit k, 0
// for none.
func (w *wordSet) at(d *doc, k int) int {
	if k < 0 || k >= len(d.u) {
		return 0
	}
	for _, word := range w.byFirst[d.u[k].r] {
		if k+len(word) <= len(d.u) && d.matches(k, word) {
			return len(word)
		}
	}
	return 0
}

// endingAt returns the length of the longest word that ends just before
// unit k (covers units [k-n, k)), 0 for none.
func (w *wordSet) endingAt(d *doc, k int) int {
	if k <= 0 || k > len(d.u) {
		return 0
	}
	for _, word := range w.byLast[d.u[k-1].r] {
		if k-len(word) >= 0 && d.matches(k-len(word), word) {
			return len(word)
		}
	}
	return 0
}

// within reports whether a word of w starts in units [from, to).
func (w *wordSet) within(d *doc, from, to int) bool {
	for k := max(from, 0); k < to && k < len(d.u); k++ {
		if w.at(d, k) > 0 {
			return true
		}
	}
	return false
}

func (d *doc) matches(k int, word []rune) bool {
	for n, r := range word {
		if d.u[k+n].r != r {
			return false
		}
	}
	return true
}

// known masks the identities recorded for the case: a name wherever it
// stands, a number in any writing.
func (d *doc) known(known []string) {
	for _, k := range known {
		ku := foldText(strings.ToValidUTF8(k, ""))
		var digits []rune
		var word []rune
		for _, u := range ku {
			switch {
			case isASCIIDigit(u.r):
				digits = append(digits, u.r)
			case u.r == ' ' || isSep(u.r) || u.r == '+':
			default:
				word = append(word, u.r)
			}
		}
		switch {
		case len(word) == 0 && len(digits) >= 5:
			d.knownNumbers = append(d.knownNumbers, string(digits))
		case len(word) >= 2 || (len(word) >= 1 && len(word)+len(digits) >= 2):
			all := []rune{}
			for _, u := range ku {
				if u.r != ' ' {
					all = append(all, u.r)
				}
			}
			for i := 0; i+len(all) <= len(d.u); i++ {
				if d.matches(i, all) {
					d.add(i, i+len(all), markName)
				}
			}
		}
	}
}
