package redact

// isAccountChar reports whether r may be part of an e-mail's local part or a
// chat account.
func isAccountChar(r rune) bool {
	return isLetter(r) || isASCIIDigit(r) || r == '_' || r == '-' || r == '.'
}

// accountLabels are the everyday names of WeChat and QQ; an account written
// after one is masked.
var accountLabels = newWordSet(
	"微信号", "微信", "威信号", "威信", "薇信号", "薇信", "维信", "徽信", "v信号", "v信", "vx号", "vx", "v x", "wx号", "wx",
	"weixin", "wechat", "绿泡泡", "绿色泡泡", "小绿书", "加v", "+v",
	"qq号码", "qq号", "qq", "扣扣号", "扣扣", "企鹅号", "球球", "q号",
	"v❤", "v♥", "微❤", "薇❤", "威❤", "vx❤", "抖音号", "抖音", "快手号", "快手", "微博", "小红书号", "小红书", "支付宝账号", "支付宝",
	"钉钉号", "whatsapp", "telegram", "skype", "line")

// accountGap may stand between a label and the account.
func accountGap(r rune) bool {
	switch r {
	case ' ', ':', '：', '是', '为', '号', '码', '-', '—', '~', '(', ')', '（', '）', '"', '“', '”', '\'', 'i', 'd', '加', '搜', '发', '给', '到':
		return true
	}
	return false
}

// accounts masks e-mail addresses and WeChat and QQ accounts.
func (d *doc) accounts() {
	d.emails()
	for k := 0; k < len(d.u); k++ {
		n := accountLabels.at(d, k)
		if n == 0 || isLetter(d.r(k-1)) && isLetter(d.u[k].r) {
			continue
		}
		j := k + n
		// Up to five characters of gap, shortest first: the account is the
		// first run of account characters.
		for g := 0; g <= 5 && j+g < len(d.u); g++ {
			if g > 0 && !accountGap(d.u[j+g-1].r) {
				break
			}
			if end := d.accountAt(j + g); end > 0 {
				d.add(j+g, end, markAccount)
				k = end - 1
				break
			}
		}
	}
	// A WeChat internal id needs no label.
	for k := 0; k+5 <= len(d.u); k++ {
		if d.u[k].r == 'w' && d.str(k, k+5) == "wxid_" && !isAccountChar(d.r(k-1)) {
			end := k
			for end < len(d.u) && isAccountChar(d.u[end].r) {
				end++
			}
			d.add(k, end, markAccount)
			k = end
		}
	}
}

// accountAt returns the end of the account starting at unit k, 0 when none
// starts there: five to thirty letters, digits, _ - or ., at least one of
// them a digit or _ (so a word such as 公众号 or "group" is not taken), or
// a number in Chinese numerals.
func (d *doc) accountAt(k int) int {
	if d.masked(k) {
		return 0
	}
	end := k
	special := false
	for end < len(d.u) && end-k <= maxAccount && isAccountChar(d.u[end].r) {
		if !isLetter(d.u[end].r) {
			special = true
		}
		end++
	}
	for end > k && (d.u[end-1].r == '.' || d.u[end-1].r == '-') {
		end--
	}
	if end-k >= 5 && end-k <= maxAccount && (special || end-k >= 6) && isAccountStart(d.u[k].r) {
		return end
	}
	end = k
	if cnDigit(d.r(k)) < 0 && !isASCIIDigit(d.r(k)) {
		return 0
	}
	for end < len(d.u) && (cnDigit(d.u[end].r) >= 0 || isASCIIDigit(d.u[end].r) || d.u[end].r == ' ') {
		end++
	}
	for end > k && d.u[end-1].r == ' ' {
		end--
	}
	if end-k >= 5 {
		return end
	}
	return 0
}

// maxAccount is the longest account: a longer run of letters and digits is
// something else (a link, a code), not one account to cut in pieces.
const maxAccount = 32

func isAccountStart(r rune) bool { return isLetter(r) || isASCIIDigit(r) || r == '_' }

// emails masks e-mail addresses.
func (d *doc) emails() {
	for k := 0; k < len(d.u); k++ {
		at := 0
		switch {
		case d.u[k].r == '@' || d.u[k].r == '#':
			at = 1
		case d.str(k, k+2) == "艾特":
			at = 2
		default:
			continue
		}
		i := k
		for i > 0 && isAccountChar(d.u[i-1].r) || i > 0 && (d.u[i-1].r == '+' || d.u[i-1].r == '%') {
			i--
		}
		j, dot := k+at, false
		for j < len(d.u) && (isLetter(d.u[j].r) || isASCIIDigit(d.u[j].r) || d.u[j].r == '-' || d.u[j].r == '.') {
			if d.u[j].r == '.' {
				dot = true
			}
			j++
		}
		for j > k+at && d.u[j-1].r == '.' {
			j--
		}
		if i < k && dot && j > k+at+2 && d.tld(j) {
			d.add(i, j, markEmail)
			k = j - 1
		}
	}
}

// tld reports whether the domain that ends at unit j ends in two or more
// letters after a dot (qq.com, 163.com.cn), as an e-mail's does.
func (d *doc) tld(j int) bool {
	n := 0
	for j-n-1 >= 0 && isLetter(d.u[j-n-1].r) {
		n++
	}
	return n >= 2 && d.r(j-n-1) == '.'
}

// provinces are the first characters of mainland car plates.
const provinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

// publicVehicle before a plate shows a taxi or a bus, whose plate stays.
var publicVehicle = newWordSet("出租车", "出租", "的士", "计程车", "公交车", "公交", "巴士", "客车", "校车", "警车", "渣土车")

// plates masks the plates of private cars: 湘A·6K3D8, 粤B 5H72Q, 湘AD36952.
// A taxi's or a bus's plate (出租车湘A·T5821) stays.
func (d *doc) plates() {
	for k := 0; k+6 < len(d.u)+1; k++ {
		if !provinceSet[d.u[k].r] {
			continue
		}
		j := k + 1
		if d.r(j) == ' ' && isLetter(d.r(j+1)) {
			j++ // 湘 A 12345
		}
		if !isLetter(d.r(j)) {
			continue
		}
		j++
		for g := 0; g < 2 && j < len(d.u); g++ {
			if r := d.u[j].r; r == ' ' || r == '·' || r == '•' || r == '・' || r == '.' || r == '-' || r == '‧' {
				j++
			}
		}
		end, digit := j, false
		for end < len(d.u) && end-j < 7 && (isLetter(d.u[end].r) || isASCIIDigit(d.u[end].r)) {
			if isASCIIDigit(d.u[end].r) {
				digit = true
			}
			end++
		}
		n := end - j
		if n < 5 || n > 6 || !digit || isLetter(d.r(end)) || isASCIIDigit(d.r(end)) {
			continue
		}
		if r := d.r(end); r == '学' || r == '警' || r == '挂' || r == '领' {
			end++
		}
		from := max(0, k-6)
		if publicVehicle.within(d, from, k) {
			k = end - 1
			continue
		}
		d.add(k, end, markPlate)
		k = end - 1
	}
}

// provinceSet holds the runes of provinces.
var provinceSet = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range provinces {
		m[r] = true
	}
	return m
}()
