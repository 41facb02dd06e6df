// Package redact takes personal data out of a citizen's text before anyone
// but the dispatcher sees it: Mask for what is published (the reply board,
// open data, the dashboard's exports), Identity for what a unit or a leader
// reads (the address stays, the unit must find the place). It imports only
// the standard library, so that everything that shows text can use it.
package redact

import (
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Mask removes personal data from a text that is published: the problem and
// the answer on the public reply board (部门回应), the open data and the
// dashboard's exports. It is stricter than Identity, which keeps the address
// because the unit must find the place. Rules, in the order they run:
//
//  1. Full-width digits and Latin letters (１３９, ＡＢ) are read as ASCII,
//     so a number typed on a Chinese keyboard is found like any other.
//  2. Known identities: each string of known (the reporter's name and phone
//     as recorded) is replaced wherever it stands, [姓名已隐去] for words and
//     [电话已隐去] for numbers.
//  3. E-mail addresses → [邮箱已隐去].
//  4. Accounts after 微信 / 微信号 / QQ / QQ号 → [账号已隐去].
//  5. Numbers. A run of digits, which may be split by single spaces or
//     dashes and start with +, is cut into the longest pieces that are:
//     an 18-digit ID number (6-digit area, birth date 18xx–20xx, 3 digits
//     and a check digit or X) or a 15-digit old one (area, YYMMDD, 3
//     digits) → [身份证号已隐去]; a mobile number (1[3-9] and 9 digits,
//     after an optional +86, 86 or 0086) or a landline with its area code
//     (0 and 9 to 11 digits: 010-12345678, 0571 8888 8888) → [电话已隐去].
//     Any other number of 10 digits or more written without separators
//     (a mistyped phone, a bank card), and any run of 15 digits or more in
//     all (a landline with its extension) → [号码已隐去]. Case numbers
//     (20261121007) stay, and so do shorter numbers: dates, amounts, 12345.
//  6. A number of 7 digits or more right after 电话 / 手机 / 联系方式 / 座机
//     / 号码 / tel (a local number without area code: 电话：6688123) →
//     [电话已隐去]; 12345 and case numbers stay.
//  7. Licence plates (苏A12345, 京A·D12345) → [车牌已隐去].
//  8. Names. After 我叫, 名叫, 姓名, 联系人, 本人叫 the next name (two to
//     four Chinese characters, shorter when a word such as 家住 or 反映
//     follows) → [姓名已隐去]. After 我是 and 本人 only a name that starts
//     with a common surname and is followed by punctuation or such a word
//     (我是王小明，…) is masked, so 我是幸福小区业主 stays. After 我姓 the
//     surname goes. A surname, with up to two more characters, before 先生,
//     女士, 同志, 师傅, 阿姨, 大爷, 大妈, 老师 becomes 某 (王先生 → 某先生).
//  9. Addresses down to the household: the community, road and building
//     stay, the unit, floor and room numbers become * — 幸福小区3栋2单元501室
//     → 幸福小区3栋*单元*室, 3号楼502 → 3号楼*, 幸福小区2-501 → 幸福小区*-*,
//     501室 → *室 (but 2室1厅 stays). A house number after a road, street,
//     lane or village becomes * — 人民路12号 → 人民路*号 (人民路12号楼 is a
//     building and stays).
//
// Mask is meant to over-mask rather than under-mask; a name with nothing
// around it to show it is a name (a signature alone at the end) cannot be
// found by rule, which is why the known identities of rule 2 are passed in.
func Mask(text string, known ...string) string {
	return maskAddresses(maskIdentity(text, known))
}

// Identity masks what would identify a reporter inside a text shown to a
// unit or a leader: the identity rules of Mask (phones in every writing, ID
// and card numbers, e-mail and chat accounts, plates, names), keeping the
// address, which the unit needs to handle the problem.
func Identity(text string) string { return maskIdentity(text, nil) }

// maskIdentity applies every rule of Mask but the addresses (rule 9): what
// names, reaches or identifies a person. Units get the text through
// Identity, which is this: they need the address of the problem, never the
// reporter.
func maskIdentity(text string, known []string) string {
	if !utf8.ValidString(text) {
		text = strings.ToValidUTF8(text, "")
	}
	text = widthFold(text)
	text = maskKnown(text, known)
	text = emailRe.ReplaceAllString(text, "[邮箱已隐去]")
	text = accountRe.ReplaceAllString(text, "$1$2[账号已隐去]")
	text = maskNumbers(text)
	text = maskAfterPhoneWord(text)
	text = plateRe.ReplaceAllString(text, "[车牌已隐去]")
	text = maskNames(text, nil)
	return text
}

// MaskCase masks a case's problem and answer for publication (Mask) as one:
// a name the reporter introduced in the problem (我叫王小明) is also taken
// out of the answer, where the unit may address them by it with nothing
// around it to show it is a name (王小明，您好).
func MaskCase(problem, answer string, known ...string) (string, string) {
	var names []string
	maskNames(widthFold(strings.ToValidUTF8(problem, "")), &names)
	known = append(append([]string(nil), known...), names...)
	return Mask(problem, known...), Mask(answer, known...)
}

// widthFold reads full-width digits, Latin letters, ＋, － and ＠ as ASCII;
// full-width Chinese punctuation (，：) is left as it is.
func widthFold(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ', r == '＋', r == '－', r == '＠':
			return r - '！' + '!'
		}
		return r
	}, s)
}

// maskKnown replaces the known identities, longest first. A known number
// is also found when written with spaces or dashes (rule 5 finds the usual
// ones; this catches any other the reporter gave).
func maskKnown(text string, known []string) string {
	var ks []string
	for _, k := range known {
		k = strings.TrimSpace(widthFold(k))
		if utf8.RuneCountInString(k) >= 2 {
			ks = append(ks, k)
		}
	}
	sort.Slice(ks, func(i, j int) bool { return len(ks[i]) > len(ks[j]) })
	for _, k := range ks {
		repl := "[姓名已隐去]"
		if digitsOnly(strings.NewReplacer("+", "", "-", "", " ", "").Replace(k)) {
			repl = "[电话已隐去]"
		}
		text = strings.ReplaceAll(text, k, repl)
	}
	return text
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

// HasMobile reports whether text holds a mobile phone number (11 digits,
// perhaps +86 before and split 3-4-4 by spaces or dashes): review's check of
// an answer draft, which must carry no citizen's phone (an office landline
// may stay).
func HasMobile(text string) bool { return mobileInRe.MatchString(text) }

// HasIDNumber reports whether text holds an 18-digit ID number: review's
// check of an answer draft.
func HasIDNumber(text string) bool { return idInRe.MatchString(text) }

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

var (
	emailRe   = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	accountRe = regexp.MustCompile(`(微信号|微信|QQ号|qq号|QQ|qq)(\s*[:：是为]?\s*)[A-Za-z0-9_\-]{5,20}`)
	// numberRunRe is a run of digit groups split by single spaces or dashes,
	// with an optional + in front and an optional X behind (ID numbers).
	numberRunRe = regexp.MustCompile(`\+?\d+(?:[ \-]\d+)*[Xx]?`)
	mobileRe    = regexp.MustCompile(`^(?:\+?86|0086)?1[3-9]\d{9}$`)
	landlineRe  = regexp.MustCompile(`^0\d{9,11}$`)
	id18Re      = regexp.MustCompile(`^[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]$`)
	id15Re      = regexp.MustCompile(`^[1-9]\d{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}$`)
	phoneWordRe = regexp.MustCompile(`(联系电话|联系方式|电话号码|手机号码|手机号|电话|手机|座机|号码|[Tt][Ee][Ll])(\s*[:：是为]?\s*)(\d[\d \-]{3,}\d)`)
	// mobileInRe and idInRe spot a mobile number and an 18-digit ID number
	// anywhere in a text (HasMobile, HasIDNumber).
	mobileInRe = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}`)
	idInRe     = regexp.MustCompile(`[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]`)
	plateRe    = regexp.MustCompile(`[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Za-z]\s?[·•.]?\s?[A-Za-z0-9]{5,6}`)
)

// numberGroup is one group of digits of a run: its byte span in the text.
type numberGroup struct{ start, end int }

// classifyNumber names what a run of digits (no separators; a leading + and
// a trailing X allowed) is: its placeholder, or "" for an ordinary number.
func classifyNumber(d string) string {
	switch {
	case id18Re.MatchString(d) || id15Re.MatchString(d):
		return "[身份证号已隐去]"
	case mobileRe.MatchString(d) || landlineRe.MatchString(d):
		return "[电话已隐去]"
	}
	return ""
}

// longNumber is the digit count from which any number is masked.
const longNumber = 15

// longSingle reports whether a group of digits written without separators
// is masked although it is no phone or ID number: 15 digits or more, or 10
// to 14 that are not a case number (a mistyped phone, a card, an account).
func longSingle(d string) bool {
	return len(d) >= longNumber || (len(d) >= 10 && !caseNo(d))
}

// maskNumbers applies rule 5 to every run of digits.
func maskNumbers(text string) string {
	locs := numberRunRe.FindAllStringIndex(text, -1)
	if locs == nil {
		return text
	}
	var b strings.Builder
	last := 0
	for _, loc := range locs {
		b.WriteString(text[last:loc[0]])
		b.WriteString(maskRun(text[loc[0]:loc[1]]))
		last = loc[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// maskRun masks the phone and ID numbers inside one run of digit groups.
func maskRun(run string) string {
	plus := strings.HasPrefix(run, "+")
	x := strings.HasSuffix(run, "X") || strings.HasSuffix(run, "x")
	body := run
	if plus {
		body = body[1:]
	}
	if x {
		body = body[:len(body)-1]
	}
	off := len(run) - len(strings.TrimPrefix(run, "+"))
	var groups []numberGroup
	start := -1
	for i := 0; i <= len(body); i++ {
		if i < len(body) && body[i] >= '0' && body[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			groups = append(groups, numberGroup{off + start, off + i})
			start = -1
		}
	}
	digits := func(i, j int) string {
		var sb strings.Builder
		if i == 0 && plus {
			sb.WriteByte('+')
		}
		for k := i; k <= j; k++ {
			sb.WriteString(run[groups[k].start:groups[k].end])
		}
		return sb.String()
	}
	total, widest := 0, 0
	for _, g := range groups {
		total += g.end - g.start
		widest = max(widest, g.end-g.start)
	}
	if len(groups) > 1 && total >= longNumber && widest <= 4 {
		if ph := classifyNumber(digits(0, len(groups)-1)); ph == "" {
			// Written in fours like a bank card: the whole of it goes.
			return "[号码已隐去]"
		}
	}
	var out strings.Builder
	pos, matched := 0, false
	for i := 0; i < len(groups); {
		found := false
		for j := len(groups) - 1; j >= i; j-- {
			d := digits(i, j)
			withX := x && j == len(groups)-1
			ph := ""
			if withX {
				ph = classifyNumber(d + "X")
				if ph == "" {
					withX = false
				}
			}
			if ph == "" {
				ph = classifyNumber(d)
			}
			if ph == "" {
				continue
			}
			from := groups[i].start
			if i == 0 && plus {
				from = 0
			}
			to := groups[j].end
			if withX {
				to = len(run)
			}
			out.WriteString(run[pos:from])
			out.WriteString(ph)
			pos, i, found, matched = to, j+1, true, true
			break
		}
		if !found {
			if g := groups[i]; longSingle(run[g.start:g.end]) {
				out.WriteString(run[pos:g.start])
				out.WriteString("[号码已隐去]")
				pos, matched = g.end, true
			}
			i++
		}
	}
	if !matched && total >= longNumber {
		return "[号码已隐去]"
	}
	out.WriteString(run[pos:])
	return out.String()
}

// maskAfterPhoneWord applies rule 6.
func maskAfterPhoneWord(text string) string {
	return phoneWordRe.ReplaceAllStringFunc(text, func(m string) string {
		sub := phoneWordRe.FindStringSubmatch(m)
		n := 0
		for _, r := range sub[3] {
			if r >= '0' && r <= '9' {
				n++
			}
		}
		if n < 7 || caseNo(strings.NewReplacer(" ", "", "-", "").Replace(sub[3])) {
			return m
		}
		return sub[1] + sub[2] + "[电话已隐去]"
	})
}

// surnames are the common Chinese surnames names are recognised by.
var surnames = func() map[string]bool {
	single := "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
	m := map[string]bool{}
	for _, r := range single {
		m[string(r)] = true
	}
	for _, s := range []string{"欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "宇文", "长孙", "夏侯", "端木", "轩辕", "司徒", "西门", "独孤"} {
		m[s] = true
	}
	return m
}()

// nameEnds are words that end a name when they follow it directly.
var nameEnds = []string{
	"反映", "投诉", "举报", "家住", "住在", "居住", "现住", "来自", "今年", "电话", "手机", "联系", "身份证",
	"是", "在", "想", "要", "向", "住", "的", "家", "于", "和", "与", "及", "同志", "先生", "女士", "男", "女", "系", "为", "，",
}

// notNameChars are characters no given name is made of here: pronouns and
// particles (本人向你们反映 names nobody).
const notNameChars = "你我他她它们这那的了是在有不也都和与向对把被从给让等们啊吗呢吧"

// nameTriggers introduce a name; strong ones always, weak ones only when
// what follows looks like a name.
var (
	strongNameTriggers = []string{"本人姓名", "我的名字叫", "我的名字是", "我叫", "名叫", "姓名", "联系人", "本人叫"}
	weakNameTriggers   = []string{"本人是", "我是", "本人"}
	honorificRe        = regexp.MustCompile(`(\p{Han}{1,4}?)(先生|女士|同志|师傅|阿姨|大爷|大妈|老师)`)
)

// hanPrefix returns up to n Chinese characters at the start of s.
func hanPrefix(s string, n int) []rune {
	var out []rune
	for _, r := range s {
		if len(out) == n || !unicode.Is(unicode.Han, r) {
			break
		}
		out = append(out, r)
	}
	return out
}

// endsName reports whether rest (what follows a candidate name) closes it:
// no more Chinese characters, or a word of nameEnds.
func endsName(rest string) bool {
	r, _ := utf8.DecodeRuneInString(rest)
	if rest == "" || !unicode.Is(unicode.Han, r) {
		return true
	}
	for _, w := range nameEnds {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// surnameLen returns the length in runes of the surname name starts with, 0
// if it starts with none.
func surnameLen(name []rune) int {
	if len(name) >= 2 && surnames[string(name[:2])] {
		return 2
	}
	if len(name) >= 1 && surnames[string(name[:1])] {
		return 1
	}
	return 0
}

// nameAt returns the byte length of the name at the start of s, 0 for none.
func nameAt(s string, strong bool) int {
	han := hanPrefix(s, 4)
	if sl := surnameLen(han); sl > 0 {
		for n := min(len(han), sl+2); n > sl; n-- {
			name := string(han[:n])
			if !strings.ContainsAny(string(han[sl:n]), notNameChars) && endsName(s[len(name):]) {
				return len(name)
			}
		}
	}
	if !strong {
		return 0
	}
	// An unknown surname after a strong trigger: up to three characters,
	// stopping where a word of nameEnds begins.
	n := 0
	for i, r := range han {
		if i >= 3 || (i >= 1 && endsName(s[len(string(han[:i])):])) || strings.ContainsRune(notNameChars, r) {
			break
		}
		n = i + 1
	}
	return len(string(han[:n]))
}

// maskNames applies rule 8; the names it masks are added to found when
// found is not nil.
func maskNames(text string, found *[]string) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		if n := placeholderAt(text[i:]); n > 0 {
			b.WriteString(text[i : i+n])
			i += n
			continue
		}
		matched := false
		for _, group := range []struct {
			words  []string
			strong bool
		}{{strongNameTriggers, true}, {weakNameTriggers, false}} {
			for _, w := range group.words {
				if !strings.HasPrefix(text[i:], w) {
					continue
				}
				j := i + len(w)
				rest := strings.TrimLeft(text[j:], " :：　")
				k := len(text) - len(rest)
				if n := nameAt(rest, group.strong); n > 0 {
					if found != nil {
						*found = append(*found, rest[:n])
					}
					b.WriteString(text[i:k])
					b.WriteString("[姓名已隐去]")
					i, matched = k+n, true
				}
				break
			}
			if matched {
				break
			}
		}
		if matched {
			continue
		}
		if strings.HasPrefix(text[i:], "我姓") {
			rest := text[i+len("我姓"):]
			if sl := surnameLen(hanPrefix(rest, 2)); sl > 0 {
				b.WriteString("我姓[姓名已隐去]")
				i += len("我姓") + len(string(hanPrefix(rest, sl)))
				continue
			}
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		b.WriteString(text[i : i+size])
		i += size
	}
	return maskHonorifics(b.String())
}

// placeholderAt returns the length of the placeholder ([姓名已隐去] and the
// like) s starts with, 0 if none: what Mask wrote is not masked again.
func placeholderAt(s string) int {
	if !strings.HasPrefix(s, "[") {
		return 0
	}
	end := strings.IndexByte(s, ']')
	if end < 0 || !strings.HasSuffix(s[:end], "已隐去") {
		return 0
	}
	return end + 1
}

// maskHonorifics turns a surname (and given name) before 先生, 女士… into 某.
func maskHonorifics(text string) string {
	var b strings.Builder
	last := 0
	for _, m := range honorificRe.FindAllStringSubmatchIndex(text, -1) {
		head := []rune(text[m[2]:m[3]])
		// The name is the longest tail of head, up to three characters,
		// that starts with a surname: over-masking 周末李先生 as 某先生 is
		// better than leaving 张 of 张华先生.
		cut := -1
		for k := len(head) - 1; k >= 0 && len(head)-k <= 3; k-- {
			if surnameLen(head[k:]) > 0 && !strings.ContainsAny(string(head[k+surnameLen(head[k:]):]), notNameChars) {
				cut = k
			}
		}
		if cut < 0 {
			continue
		}
		from := m[2] + len(string(head[:cut]))
		b.WriteString(text[last:from])
		b.WriteString("某")
		b.WriteString(text[m[4]:m[5]])
		last = m[5]
	}
	b.WriteString(text[last:])
	return b.String()
}

// Address patterns of rule 9. num is a number in digits or Chinese numerals.
const num = `(?:\d+|[一二三四五六七八九十百零〇两]+)`

var (
	// building, then unit, floor and room; at least unit or room.
	householdRe = regexp.MustCompile(
		`((?:\d+|[A-Za-z]|[一二三四五六七八九十]+)\s*(?:号楼|栋|幢|座)\s*)?` + // building (kept)
			`(?:(` + num + `\s*单元\s*(?:` + num + `\s*(?:楼|层)\s*)?(?:` + num + `\s*(?:室|号房|号|房|户)?)?)` + // unit [floor] [room]
			`|(` + num + `\s*(?:楼|层)\s*(?:\d{3,4}|` + num + `\s*(?:室|号房|房|户)))` + // floor room
			`|(\d+\s*(?:室|号房)))`) // room
	// bareRoomRe is a room number straight after a building: 3号楼502, 3栋2-501.
	bareRoomRe = regexp.MustCompile(`((?:\d+|[A-Za-z])\s*(?:号楼|栋|幢|座)\s*)(\d{3,4}|\d+\s*-\s*\d{3,4})`)
	// estateRoomRe is building-room after an estate's name: 幸福小区2-501.
	estateRoomRe = regexp.MustCompile(`(小区|花园|家园|新村|公寓|大厦|社区|苑|园|府|城|湾|庭|居)(\s*)(\d+\s*-\s*\d+(?:\s*-\s*\d+)?)(\s*(?:室|号)?)`)
	// houseNoRe is a house number after a road, street, lane or village.
	houseNoRe = regexp.MustCompile(`(路|街|巷|弄|胡同|大道|村|屯|庄)(\s*)(\d+(?:\s*-\s*\d+)?|[一二三四五六七八九十百]+)(\s*号)`)
	numRe     = regexp.MustCompile(num)
	// layoutRe follows 室 in a flat's layout: 2室1厅.
	layoutRe = regexp.MustCompile(`^\s*(?:\d+|[一二三四五六七八九十两])\s*厅`)
)

// starNumbers writes each number of s as *.
func starNumbers(s string) string { return numRe.ReplaceAllString(s, "*") }

// maskAddresses applies rule 9.
func maskAddresses(text string) string {
	text = replaceSubmatch(householdRe, text, func(s string, m []int) string {
		end := m[1]
		if strings.HasSuffix(s[m[0]:end], "室") && layoutRe.MatchString(s[end:]) {
			return s[m[0]:end] // 2室1厅 is a flat's layout
		}
		var b strings.Builder
		if m[2] >= 0 {
			b.WriteString(s[m[2]:m[3]])
		}
		for _, g := range []int{4, 6, 8} {
			if m[g] >= 0 {
				b.WriteString(starNumbers(s[m[g]:m[g+1]]))
			}
		}
		return b.String()
	})
	text = replaceSubmatch(bareRoomRe, text, func(s string, m []int) string {
		return s[m[2]:m[3]] + starNumbers(s[m[4]:m[5]])
	})
	text = replaceSubmatch(estateRoomRe, text, func(s string, m []int) string {
		parts := strings.Split(s[m[6]:m[7]], "-")
		if len(strings.TrimSpace(parts[len(parts)-1])) < 3 {
			return s[m[0]:m[1]] // 11-24 is a date, not a room
		}
		return s[m[2]:m[5]] + starNumbers(s[m[6]:m[7]]) + s[m[8]:m[9]]
	})
	text = replaceSubmatch(houseNoRe, text, func(s string, m []int) string {
		if strings.HasPrefix(s[m[1]:], "楼") {
			return s[m[0]:m[1]] // 人民路12号楼 is a building
		}
		return s[m[2]:m[5]] + starNumbers(s[m[6]:m[7]]) + s[m[8]:m[9]]
	})
	return text
}

// replaceSubmatch replaces each match of re in s with what fn makes of it;
// fn gets s and the match's submatch indexes.
func replaceSubmatch(re *regexp.Regexp, s string, fn func(s string, m []int) string) string {
	ms := re.FindAllStringSubmatchIndex(s, -1)
	if ms == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m[0]])
		b.WriteString(fn(s, m))
		last = m[1]
	}
	b.WriteString(s[last:])
	return b.String()
}
