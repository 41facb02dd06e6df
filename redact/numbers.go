package redact

import (
	"strings"
	"time"
)

// group is a stretch of digits written together: units [i, j), read as the
// ASCII digits of digits. code is set when a Latin letter touches it (LD0457,
// B2, a credit code): it is part of a code, not a number of its own.
type group struct {
	i, j   int
	digits string
	code   bool
}

// numRun is a sequence of groups with only separators between them (at most
// maxGap spaces, dots, slashes, dashes or brackets): one number as a person
// writes it, 138 1234 5678, 138.1234.5678, (0755)26893410.
type numRun struct {
	groups []group
	masked bool
}

// maxGap is the most separator characters between two groups of a number.
const maxGap = 3

// maxWindow is the most digits a number can have (a card of 19 digits after
// a +86-like prefix is less); longer windows are not tried.
const maxWindow = 22

// digitGroups finds the groups of the text. A group is a stretch of digits
// (any script) and Chinese numerals; one of Chinese numerals only must be at
// least three long, so 一一, 三五成群 and 七八个 are words, not numbers.
func (d *doc) digitGroups() []group {
	var gs []group
	for k := 0; k < len(d.u); {
		if d.marker[k] || !(isASCIIDigit(d.u[k].r) || cnDigit(d.u[k].r) >= 0) {
			k++
			continue
		}
		start := k
		var b strings.Builder
		ascii := false
		for k < len(d.u) && !d.marker[k] {
			r := d.u[k].r
			if isASCIIDigit(r) {
				ascii = true
				b.WriteRune(r)
			} else if v := cnDigit(r); v >= 0 {
				b.WriteByte(byte('0' + v))
			} else {
				break
			}
			k++
		}
		if !ascii && k-start < 3 {
			continue
		}
		g := group{i: start, j: k, digits: b.String()}
		before, after := d.r(start-1), d.r(k)
		g.code = isLetter(before) || (isLetter(after) && !(after == 'x' && !isLetter(d.r(k+1)) && !isASCIIDigit(d.r(k+1))))
		gs = append(gs, g)
	}
	return gs
}

// numRuns joins the groups into runs.
func (d *doc) numRuns(gs []group) []*numRun {
	var runs []*numRun
	for n, g := range gs {
		if n > 0 {
			prev := gs[n-1]
			gap := g.i - prev.j
			if gap >= 1 && gap <= maxGap && d.allSep(prev.j, g.i) {
				last := runs[len(runs)-1]
				last.groups = append(last.groups, g)
				continue
			}
		}
		runs = append(runs, &numRun{groups: []group{g}})
	}
	return runs
}

func (d *doc) allSep(i, j int) bool {
	for k := i; k < j; k++ {
		if !isSep(d.u[k].r) || d.marker[k] {
			return false
		}
	}
	return true
}

// numberKind is what a string of digits is.
type numberKind int

const (
	kindNone     numberKind = iota
	kindKeep                // a case or work-order number, a 400/800 line: stays
	kindMobile              // 1[3-9] and nine digits, after +86, 86 or 0086
	kindLandline            // 0, area code and local number: 10 to 12 digits
	kindID                  // an ID-card number: 18 digits (or 17 and X), old 15
	kindCard                // 16 to 19 digits: a bank card
)

// classify names what digits is; x is set when an X follows the digits.
func classify(digits string, x bool) numberKind {
	n := len(digits)
	switch {
	case x && n == 17 && digits[0] != '0':
		return kindID
	case n == 18 && idShape(digits, 4):
		return kindID
	case n == 15 && idShape(digits, 2):
		return kindID
	case isMobile(digits):
		return kindMobile
	case n == 10 && (strings.HasPrefix(digits, "400") || strings.HasPrefix(digits, "800")):
		return kindKeep
	case isCaseNo(digits):
		return kindKeep
	case n >= 10 && n <= 12 && digits[0] == '0' && digits[1] != '0':
		return kindLandline
	case n >= 16 && n <= 19:
		return kindCard
	}
	return kindNone
}

// isMobile reports whether digits is a mainland mobile number, with or
// without the country code.
func isMobile(digits string) bool {
	for _, p := range []string{"0086", "86", ""} {
		rest, ok := strings.CutPrefix(digits, p)
		if ok && len(rest) == 11 && rest[0] == '1' && rest[1] >= '3' && rest[1] <= '9' {
			return true
		}
	}
	return false
}

// idShape reports whether digits looks like an ID number: an area code that
// does not start with 0, then a birth date (year of yearLen digits; 18xx to
// 20xx for the 18-digit number). Check digits are not checked: people
// mistype them and the number still identifies them.
func idShape(digits string, yearLen int) bool {
	if digits[0] == '0' {
		return false
	}
	date := digits[6:]
	if yearLen == 4 {
		if y := date[:2]; y != "18" && y != "19" && y != "20" {
			return false
		}
	}
	m := (date[yearLen]-'0')*10 + date[yearLen+1] - '0'
	day := (date[yearLen+2]-'0')*10 + date[yearLen+3] - '0'
	return m >= 1 && m <= 12 && day >= 1 && day <= 31
}

// markFor is the marker of a kind.
func markFor(k numberKind) string {
	switch k {
	case kindMobile, kindLandline:
		return markPhone
	case kindID:
		return markID
	}
	return markNumber
}

// numbers masks the numbers of the text: phones, ID and card numbers in any
// writing, local numbers after a word for a phone, and numbers told in
// parts.
func (d *doc) numbers() {
	runs := d.numRuns(d.digitGroups())
	for _, r := range runs {
		d.maskRun(r)
	}
	for _, r := range runs {
		if !r.masked && d.afterPhoneWord(r) {
			d.maskWhole(r, markPhone)
		}
	}
	d.splitNumbers(runs)
	for _, r := range runs {
		if r.masked {
			continue
		}
		all := r.digits(0, len(r.groups)-1)
		for _, k := range d.knownNumbers {
			if strings.Contains(all, k) {
				d.maskWhole(r, markPhone)
				break
			}
		}
	}
}

// digits is the digits of groups [a, b] of the run.
func (r *numRun) digits(a, b int) string {
	var s strings.Builder
	for k := a; k <= b; k++ {
		s.WriteString(r.groups[k].digits)
	}
	return s.String()
}

func (r *numRun) total() int {
	n := 0
	for _, g := range r.groups {
		n += len(g.digits)
	}
	return n
}

// trailingX reports whether an X (of an ID number) follows the run.
func (d *doc) trailingX(r *numRun) bool {
	k := r.groups[len(r.groups)-1].j
	return d.r(k) == 'x' && !isLetter(d.r(k+1)) && !isASCIIDigit(d.r(k+1))
}

// maskGroups masks groups [a, b] of the run, with a + or an opening bracket
// before them and the X after them.
func (d *doc) maskGroups(r *numRun, a, b int, x bool, mark string) {
	i, j := r.groups[a].i, r.groups[b].j
	if x {
		j++
	}
	if d.r(i-1) == '+' {
		i--
	} else if d.r(i-1) == '(' || d.r(i-1) == '[' {
		for k := i; k < j; k++ {
			if d.r(k) == ')' || d.r(k) == ']' {
				i--
				break
			}
		}
	}
	d.add(i, j, mark)
	r.masked = true
}

func (d *doc) maskWhole(r *numRun, mark string) {
	d.maskGroups(r, 0, len(r.groups)-1, d.trailingX(r) && r.total() == 17, mark)
}

// maskRun masks what the run holds: the run as one number, or, cut at its
// separators, the longest pieces that are phone or ID numbers. A run of
// short groups (6222 0219 0300 4817 296) that is no ID number is a card.
func (d *doc) maskRun(r *numRun) {
	last := len(r.groups) - 1
	total, widest := r.total(), 0
	for _, g := range r.groups {
		widest = max(widest, len(g.digits))
	}
	x := d.trailingX(r)
	if last > 0 && widest <= 4 && total >= 15 && total <= 19 && !d.codeBefore(r.groups[0].i) {
		k := classify(r.digits(0, last), x)
		if k != kindMobile && k != kindLandline && k != kindKeep {
			d.foundID = d.foundID || k == kindID
			d.maskGroups(r, 0, last, x && k == kindID, markFor(max(k, kindCard)))
			return
		}
	}
	for a := 0; a <= last; {
		found := false
		// The longest window from a is at most maxWindow digits: a run of
		// a thousand groups costs a thousand short tries, not a million.
		top, n := a, len(r.groups[a].digits)
		for top < last && n+len(r.groups[top+1].digits) <= maxWindow {
			top++
			n += len(r.groups[top].digits)
		}
		for b := top; b >= a; b-- {
			digits := r.digits(a, b)
			if len(digits) > maxWindow {
				continue
			}
			withX := x && b == last
			k := classify(digits, withX)
			if k == kindNone {
				continue
			}
			if k != kindMobile && k != kindID && (r.groups[a].code && r.groups[b].code || d.codeBefore(r.groups[a].i)) {
				continue // part of a code, not a number
			}
			if (k == kindLandline || k == kindCard && digits[0] == '0') && d.publicNumber(r.groups[a].i, r.groups[b].j) {
				k = kindKeep
			}
			if k != kindKeep {
				d.foundMobile = d.foundMobile || k == kindMobile
				d.foundID = d.foundID || k == kindID
				d.maskGroups(r, a, b, withX && k == kindID, markFor(k))
			} else {
				for n := r.groups[a].i; n < r.groups[b].j; n++ {
					d.kept[n] = true
				}
			}
			a, found = b+1, true
			break
		}
		if found {
			continue
		}
		if g := r.groups[a]; !g.code && len(g.digits) >= 10 && !d.codeBefore(g.i) && !(g.digits[0] == '0' && d.publicNumber(g.i, g.j)) {
			d.maskGroups(r, a, a, false, markNumber) // a mistyped phone, an account, a card
		}
		a++
	}
	if !r.masked && total >= 15 && !r.groups[0].code && !d.codeBefore(r.groups[0].i) && !r.groups[last].code && classify(r.digits(0, last), x) != kindKeep &&
		!(r.groups[0].digits[0] == '0' && d.publicNumber(r.groups[0].i, r.groups[last].j)) {
		d.maskWhole(r, markNumber)
	}
}

// publicWords in the clause before a number show it is an office's
// published one (区住建局公布的咨询电话0731-85216630, 请致电…).
var publicWords = newWordSet("公布", "公示", "咨询电话", "咨询热线", "致电", "服务电话", "服务热线", "热线", "办公电话", "值班电话",
	"举报电话", "投诉电话", "监督电话", "客服电话", "客服热线", "官方电话", "办公室电话", "受理电话", "预约电话", "报名电话", "总机", "传真")

// officeWords right before a number (a few characters such as 的, （ or
// 电话： between) show whose it is: an office's.
var officeWords = newWordSet("局", "室", "委", "办", "科", "股", "处", "中心", "政府", "街道", "社区", "居委会", "村委会", "协会",
	"公司", "医院", "学校", "窗口", "服务台", "派出所", "法院", "检察院", "大队", "中队", "所", "站", "厅", "部门", "单位", "银行", "营业厅")

// privateWords near a number show it is a person's own.
var privateWords = newWordSet("我的", "我家", "我电话", "我手机", "我座机", "我号码", "联系我", "找我", "打我", "本人", "家里",
	"留电话", "我留", "回电", "回我", "给我", "我们的", "我们家",
	"家中", "私人", "个人", "住宅", "家庭", "联系人", "我爸", "我妈", "我父亲", "我母亲", "老人", "孩子")

// publicNumber reports whether the number in units [i, j) is an office's
// published number: a public word in the clause before it or an office's
// name right before it, and no word for a person's own number around it.
func (d *doc) publicNumber(i, j int) bool {
	if d.official {
		return !privateWords.within(d, max(0, i-6), min(len(d.u), j+6))
	}
	from := i
	for from > 0 && i-from < 14 && !isSentenceEnd(d.r(from-1)) {
		from--
	}
	to := j
	for to < len(d.u) && to-j < 8 && !isSentenceEnd(d.r(to)) {
		to++
	}
	if privateWords.within(d, from, to) {
		return false
	}
	if publicWords.within(d, from, i) {
		return true
	}
	// an office's name right before: 人社局（联系电话：, 政策法规科（
	k := i
	for n := 0; n < 8 && k > 0; n++ {
		if officeWords.endingAt(d, k) > 0 {
			return true
		}
		c := d.r(k - 1)
		if c == '(' || c == ':' || c == '：' || c == '的' || c == ' ' || c == '电' || c == '话' || c == '联' || c == '系' || c == '，' || c == ',' {
			k--
			continue
		}
		break
	}
	// or after it in brackets: 0731-12345678（C4市发改局）
	if d.r(j) == '(' {
		for k := j + 1; k < to+6 && k < len(d.u) && d.r(k) != ')'; k++ {
			if officeWords.at(d, k) > 0 {
				return true
			}
		}
	}
	return false
}

// phoneWords introduce a phone number; a local number (7 or 8 digits,
// 电话：6688123) after one is masked.
var phoneWords = newWordSet("电话", "手机", "座机", "号码", "联系方式", "tel", "phone", "打", "拨", "联系", "手机号", "电话号", "固话", "家里电话", "小灵通", "同号")

// notPhoneBefore are words before 号码 that make it no phone's number.
var notPhoneBefore = newWordSet("工单", "订单", "编", "单", "快递", "发票", "车牌", "门牌", "卡", "账", "证件", "身份证", "合同", "文件", "批次")

// afterPhoneWord reports whether the run is a local number of 7 or 8 digits
// right after a word for a phone (a few characters such as ：, 是 or 为 may
// stand between).
func (d *doc) afterPhoneWord(r *numRun) bool {
	if n := r.total(); n < 7 || n > 8 || r.groups[0].code {
		return false
	}
	k := r.groups[0].i
	for n := 0; n < 4 && k > 0; n++ {
		c := d.r(k - 1)
		if c == ' ' || c == ':' || c == '：' || c == '是' || c == '为' || c == '(' || c == '（' {
			k--
			continue
		}
		break
	}
	w := phoneWords.endingAt(d, k)
	if w == 0 {
		return false
	}
	if notPhoneBefore.endingAt(d, k-w) > 0 || d.publicNumber(r.groups[0].i, r.groups[len(r.groups)-1].j) {
		return false
	}
	return true
}

// splitNumbers masks a phone number told in parts across words: 135开头，
// 后面是2690 4813; 前三位一八六，后八位二四七九三一五〇; 前七位1397412，后四位
// 5863; 区号0746，号码8235 1647. The parts are runs that stand close, in one
// sentence, with no other number of three digits or more between them, each
// of a phone part's length (3 and 8, 7 and 4, 3, 4 and 4; an area code and
// 7 or 8) and none a decimal (1.8, 99459.54).
func (d *doc) splitNumbers(runs []*numRun) {
	var parts []*numRun
	for _, r := range runs {
		if n := r.total(); n >= 3 && n <= 8 && !r.groups[0].code && !d.decimal(r) {
			parts = append(parts, r)
		} else if n >= 3 {
			parts = append(parts, nil) // a number between breaks a phone in parts
		}
	}
	near := func(a, b *numRun) bool {
		if a == nil || b == nil {
			return false
		}
		from, to := a.groups[len(a.groups)-1].j, b.groups[0].i
		if to-from > 14 {
			return false
		}
		for k := from; k < to; k++ {
			if d.marker[k] || isSentenceEnd(d.u[k].r) && to-from > 1 {
				return false // but 138。1234。5678 is one number typed with 。
			}
		}
		return true
	}
	digits := func(r *numRun) string { return r.digits(0, len(r.groups)-1) }
	for n := 0; n+1 < len(parts); n++ {
		a, b := parts[n], parts[n+1]
		if !near(a, b) || a.masked && b.masked {
			continue
		}
		da, db := digits(a), digits(b)
		switch {
		case (len(da) == 3 && len(db) == 8 || len(da) == 7 && len(db) == 4) && isMobile(da+db):
			d.foundMobile = true
			d.maskWhole(a, markPhone)
			d.maskWhole(b, markPhone)
		case len(da) >= 3 && len(da) <= 4 && da[0] == '0' && da[1] != '0' && len(db) >= 7 && len(db) <= 8 && db[0] != '0':
			d.maskWhole(a, markPhone)
			d.maskWhole(b, markPhone)
		case n+2 < len(parts) && near(b, parts[n+2]) && len(da) == 3 && len(db) == 4 && len(digits(parts[n+2])) == 4 &&
			isMobile(da+db+digits(parts[n+2])):
			d.maskWhole(a, markPhone)
			d.maskWhole(b, markPhone)
			d.maskWhole(parts[n+2], markPhone)
		}
	}
}

// decimal reports whether the run is a decimal number: a dot between two
// groups, with one or two digits after it, or with the run in a sum.
func (d *doc) decimal(r *numRun) bool {
	for n := 1; n < len(r.groups); n++ {
		if d.r(r.groups[n].i-1) == '.' && r.groups[n].i-r.groups[n-1].j == 1 && len(r.groups[n].digits) <= 3 {
			return true
		}
	}
	return false
}

// isCaseNo reports whether digits is a case or work-order number: a date of
// this century and a serial (20261121007). A card number can start with
// what reads as a date of a later century (6222 02 19…): it is no case.
func isCaseNo(digits string) bool {
	return strings.HasPrefix(digits, "20") && caseNo(digits)
}

// caseNo reports whether s has the shape of a case number (bot.ValidCaseNo):
// a real date YYYYMMDD followed by a daily sequence of at least three
// digits. Case numbers are not personal data and stay.
func caseNo(s string) bool {
	if len(s) < 11 || len(s) > 20 || !digitsOnly(s) {
		return false
	}
	d, err := time.Parse("20060102", s[:8])
	return err == nil && d.Year() >= 2000
}

// digitsOnly reports whether s is one or more ASCII digits.
func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// codeWords before a number show it is a code, not a card or an account:
// it is masked only when it is a phone or ID number.
var codeWords = newWordSet("编码", "编号", "代码", "单号", "工单", "订单", "批号", "型号", "序列号", "设备号", "合同号", "文号",
	"案号", "运单", "快递单", "发票号", "票号", "流水号", "车次", "航班", "证书号", "许可证号", "备案号", "登记号", "注册号")

// codeBefore reports whether a code word stands just before unit k.
func (d *doc) codeBefore(k int) bool {
	for n := 0; n < 5 && k > 0; n++ {
		if codeWords.endingAt(d, k) > 0 {
			return true
		}
		if c := d.r(k - 1); c == ' ' || c == ':' || c == '：' || c == '是' || c == '为' || c == '(' || c == '号' || c == '码' {
			k--
			continue
		}
		break
	}
	return false
}
