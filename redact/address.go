package redact

// cnCount reports whether r is a Chinese numeral as counted (三栋, 十二楼).
func cnCount(r rune) bool {
	return cnDigit(r) >= 0 || r == '十' || r == '百' || r == '两'
}

// numEnd returns the end of the number (digits, or Chinese numerals)
// starting at unit k, or -1 when none starts there.
func (d *doc) numEnd(k int) int {
	j := k
	switch {
	case isASCIIDigit(d.r(k)):
		for isASCIIDigit(d.r(j)) {
			j++
		}
	case cnCount(d.r(k)):
		for cnCount(d.r(j)) {
			j++
		}
	default:
		return -1
	}
	return j
}

// suffixAt returns the length of the first of words at unit k, 0 for none.
func (d *doc) suffixAt(k int, words *wordSet) int { return words.at(d, k) }

var (
	buildingWords = newWordSet("号楼", "栋楼", "栋", "幢", "座")
	unitWords     = newWordSet("单元")
	floorWords    = newWordSet("楼", "层")
	roomWords     = newWordSet("室", "号房", "房间", "房", "户", "号")
	// estateWords end the name of a residential compound.
	estateWords = newWordSet("小区", "花园", "家园", "新村", "公寓", "大厦", "社区", "宿舍", "苑", "园", "府", "城", "湾", "庭", "居", "里", "公馆", "华庭", "名都", "广场",
		"房号", "门牌", "门牌号", "住址", "地址", "室号")
	// roadWords end the name of a street or village, before a house number.
	roadWords = newWordSet("路", "街", "巷", "弄", "胡同", "大道", "大街", "道", "村", "组", "屯", "庄", "里", "坊")
	// homeWords near a house number show it is someone's home.
	homeWords = newWordSet("我家", "我住", "家住", "住在", "住址", "居住", "我们家", "自家", "本人住", "老家", "家门口",
		"家就在", "家在", "我们住", "门牌", "租住", "住户", "住的", "我的房子", "我的住", "家属楼", "寓所", "住宅")
	// shopWords right after a house number show it is a shop's or an
	// office's (解放路126号那家湘菜馆).
	shopWords = newWordSet("那家", "这家", "的店", "店", "门面", "商铺", "门店", "超市", "饭店", "酒店", "餐馆", "餐厅",
		"宾馆", "网吧", "酒吧", "公司", "银行", "医院", "诊所", "药店", "学校", "幼儿园", "工地", "市场", "商场", "大厦",
		"写字楼", "厂", "仓库", "加油站", "停车场", "菜馆", "馆", "的门店", "的商", "的饭", "的餐", "的超市", "一楼的", "门口的商")
)

// homes masks a private home: the unit, floor and room of a flat (with its
// building when publishing), building-unit-room written with dashes
// (7-2-301), and a street number that is someone's home.
func (d *doc) homes() {
	for k := 0; k < len(d.u); k++ {
		if isLetter(d.r(k)) && !isLetter(d.r(k-1)) && !isASCIIDigit(d.r(k-1)) && buildingWords.at(d, k+1) > 0 && !d.masked(k) {
			// A座1203, B栋2单元
			n := buildingWords.at(d, k+1)
			next := skipSpace(d, k+1+n)
			if end := d.flatDetail(next, true); end > next {
				from := next
				if d.publish {
					from = k
				}
				d.add(from, end, markHome)
				k = end - 1
			}
			continue
		}
		if d.masked(k) || d.numEnd(k) < 0 {
			continue
		}
		if isASCIIDigit(d.r(k-1)) || cnCount(d.r(k-1)) && cnCount(d.r(k)) || isLetter(d.r(k-1)) {
			continue // inside a number, or part of a code (B2, A3)
		}
		if end := d.homeAt(k); end > k {
			k = end - 1
		}
	}
}

// homeAt masks the home address whose first number starts at unit k and
// returns where it ends, or k when there is none.
func (d *doc) homeAt(k int) int {
	e := d.numEnd(k)
	// a-b-c: building, unit, room.
	if b, c, end := d.dashParts(k); b > 0 {
		if c > 0 || d.afterEstate(k) {
			d.add(k, end, markHome)
			return end
		}
	}
	if n := d.suffixAt(e, buildingWords); n > 0 && !d.houseNumberFloor(k, e) {
		if e == k+1 && (d.r(k) == '一' || d.r(k) == '两') {
			return e + n // 一栋三层楼房: a building, counted
		}
		next := skipSpace(d, e+n)
		if end := d.flatDetail(next, true); end > next {
			from := next
			if d.publish {
				from = k
			}
			d.add(from, end, markHome)
			return end
		}
		return e + n
	}
	if end := d.flatDetail(k, false); end > k {
		d.add(k, end, markHome)
		return end
	}
	if roadWords.endingAt(d, k) > 0 {
		return d.houseNumber(k, e)
	}
	return k
}

// houseNumberFloor reports whether 号楼 after the number at [k, e) is a
// house number and then 楼下/楼上 (和平路88号楼下), not a building.
func (d *doc) houseNumberFloor(k, e int) bool {
	if d.str(e, e+3) != "号楼下" && d.str(e, e+3) != "号楼上" {
		return false
	}
	return roadWords.endingAt(d, k) > 0
}

func skipSpace(d *doc, k int) int {
	for d.r(k) == ' ' {
		k++
	}
	return k
}

// dashParts reads a-b[-c] at unit k: a and b of one to three digits, the
// last part of three or four (a room). It returns the ends of b and c (0
// when absent) and the end of the whole; b is 0 when it is not such a
// thing. Dates (2026-03-02, 11-24) are not: their last part is short or
// their first part long.
func (d *doc) dashParts(k int) (int, int, int) {
	a := d.numEnd(k)
	if !isASCIIDigit(d.r(k)) || a-k > 3 || !isDash(d.r(a)) {
		return 0, 0, 0
	}
	b := d.numEnd(a + 1)
	if b < 0 || !isASCIIDigit(d.r(a+1)) || b-a-1 > 4 || d.kept[k] {
		return 0, 0, 0
	}
	if isDash(d.r(b)) && isASCIIDigit(d.r(b+1)) {
		c := d.numEnd(b + 1)
		if c-b-1 >= 2 && c-b-1 <= 4 && b-a-1 <= 2 && !isDash(d.r(c)) && !isASCIIDigit(d.r(c)) {
			end := c
			if n := d.suffixAt(c, roomWords); n > 0 {
				end += n
			}
			return b, c, end
		}
		return 0, 0, 0
	}
	if b-a-1 >= 3 && b-a-1 <= 4 && !isASCIIDigit(d.r(b)) {
		end := b
		if n := d.suffixAt(b, roomWords); n > 0 {
			end += n
		}
		return b, 0, end
	}
	return 0, 0, 0
}

func isDash(r rune) bool { return r == '-' || r == '—' || r == '–' || r == '－' || r == '‐' }

// afterEstate reports whether the number at k follows the name of a
// residential compound or a building (幸福小区2-501, 3栋2-501).
func (d *doc) afterEstate(k int) bool {
	j := k
	for j > 0 && (d.r(j-1) == ' ' || d.r(j-1) == ':' || d.r(j-1) == '：' || d.r(j-1) == '是') {
		j--
	}
	return estateWords.endingAt(d, j) > 0 || buildingWords.endingAt(d, j) > 0 || d.r(j-1) == '栋'
}

// flatDetail reads the unit, floor and room of a flat at unit k and returns
// where they end, k when there are none. afterBuilding says a building came
// just before (3栋18楼, 5号楼1402: a floor or a bare number is then part of a
// home; alone, 5楼的窗户 is a public building's floor and stays).
func (d *doc) flatDetail(k int, afterBuilding bool) int {
	pos := k
	parts := 0
	// unit
	if e := d.numEnd(pos); e > pos {
		if n := d.suffixAt(e, unitWords); n > 0 {
			pos = skipSpace(d, e+n)
			parts++
		}
	}
	// floor
	floorAt := -1
	if e := d.numEnd(pos); e > pos {
		if n := d.suffixAt(e, floorWords); n > 0 && !(d.r(e) == '楼' && (d.r(e+1) == '下' || d.r(e+1) == '上' || d.r(e+1) == '道' || d.r(e+1) == '梯')) {
			floorAt = pos
			pos = skipSpace(d, e+n)
		}
	}
	// room
	if e := d.numEnd(pos); e > pos {
		n := d.suffixAt(e, roomWords)
		suffix := d.str(e, e+n)
		digits := e - pos
		settled := parts > 0 || floorAt >= 0 || afterBuilding
		switch {
		case (suffix == "室" || suffix == "房") && (d.r(e+1) == '厅' || cnCount(d.r(e+1)) || isASCIIDigit(d.r(e+1))):
			// 2室1厅 is a layout
		case (suffix == "号" || suffix == "户") && !(parts > 0 || afterBuilding):
			// 5号, 一户, 二楼4号窗口 are no room
		case n > 0 && (settled || digits >= 3):
			return e + n
		case n == 0 && settled && digits >= 3 && d.numEnd(e) < 0 && floorWords.at(d, e) == 0 && unitWords.at(d, e) == 0 && !isLetter(d.r(e)):
			return e
		}
	}
	if parts > 0 {
		return pos
	}
	if floorAt >= 0 && afterBuilding && !(d.numEnd(floorAt) == floorAt+1 && (d.r(floorAt) == '一' || d.r(floorAt) == '1')) {
		return pos // 12栋18楼; not 一楼, where the shops are
	}
	return k
}

// houseNumber masks the street number at [k, e) after a road or village
// when it is a home: a word for a home near it in the sentence, or 楼上 or
// 楼下 right after it; not when a shop or an office follows it.
func (d *doc) houseNumber(k, e int) int {
	end := e
	if isDash(d.r(end)) && d.numEnd(end+1) > end+1 {
		end = d.numEnd(end + 1)
	}
	if d.r(end) != '号' {
		return k
	}
	end++
	if shopWords.at(d, end) > 0 {
		return end
	}
	home := d.str(end, end+2) == "楼下" || d.str(end, end+2) == "楼上" || d.r(end) == '家'
	if !home {
		from, to := k, end
		for n := 0; n < 16 && from > 0 && !isSentenceEnd(d.r(from-1)); n++ {
			from--
		}
		for n := 0; n < 30 && to < len(d.u) && !isSentenceEnd(d.r(to)); n++ {
			to++
		}
		home = homeWords.within(d, from, to)
	}
	if home {
		d.add(k, end, markHome)
	}
	return end
}
