package triage

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Similar reports are about the same place and the same problem, whatever
// the words: “A3区潇楚南路洋湖段路面塌陷” and “洋湖段的潇楚南路有个大坑” name the
// same road and the same damage. A report's Profile holds the places it
// names (roads, communities, villages, sites, coarse areas), the problem
// classes its words belong to, and its character bigrams without the place
// names; Compare scores two profiles.

// PlaceKind says what a named place is.
type PlaceKind int

// The kinds of places. Area and Town are coarse (a district names
// thousands of reports); the rest are fine enough to say two reports are
// about one place.
const (
	Area      PlaceKind = iota // 省, 市, 区, 县
	Town                       // 镇, 乡, 街道
	Road                       // 路, 街, 大道, 巷
	Segment                    // 段: a stretch of a road
	Community                  // 小区, 社区, 村, 花园, 苑 …
	Site                       // 学校, 医院, 公园, 市场, 桥, 站 …
)

// Fine reports whether places of kind k identify a place by themselves.
func (k PlaceKind) Fine() bool { return k >= Road }

// Place is a place a report names.
type Place struct {
	// Name is the place as written: 潇楚南路, 魅力之城小区.
	Name string
	// Key is the name compared and indexed: the name without a generic
	// 小区 (魅力之城小区 and 魅力之城 are one community).
	Key  string
	Kind PlaceKind
}

// suffix is a word that ends a place's name.
type suffix struct {
	word string
	kind PlaceKind
	// minCore and maxCore bound the runes of the name before the word.
	minCore, maxCore int
	// notBefore are characters after the word that make it another word
	// (路灯 is no road, 村民 no village).
	notBefore string
}

// suffixes, longest first where one begins another.
var suffixes = func() []suffix {
	s := []suffix{
		{"省", Area, 2, 3, "份级委内外会钱长"},
		{"市", Area, 2, 3, "民场政区里内面值容长委级级"},
		{"区", Area, 2, 3, "域别间委内外长级"},
		{"县", Area, 2, 3, "城委里级长内"},
		{"街道", Town, 2, 4, "办"},
		{"镇", Town, 2, 4, "上里长委"},
		{"乡", Town, 2, 4, "村下里长亲镇"},
		{"大道", Road, 2, 5, ""},
		{"大街", Road, 2, 5, ""},
		{"公路", Road, 2, 5, "局"},
		{"路", Road, 2, 5, "灯面况线人费由途程径子过边段上"},
		{"街", Road, 2, 5, "坊头面"},
		{"巷", Road, 2, 5, "子"},
		{"段", Segment, 2, 3, "时落"},
		{"小区", Community, 2, 6, ""},
		{"社区", Community, 2, 6, "医卫服"},
		{"新村", Community, 2, 6, ""},
		{"花园", Community, 2, 6, ""},
		{"家园", Community, 2, 6, ""},
		{"公寓", Community, 2, 6, ""},
		{"山庄", Community, 2, 6, ""},
		{"庄园", Community, 2, 6, ""},
		{"大厦", Community, 2, 6, ""},
		{"公馆", Community, 2, 6, ""},
		{"苑", Community, 2, 6, ""},
		{"村", Community, 2, 6, "民里委干医级组庄部口"},
		{"学院", Site, 2, 5, "生"},
		{"大学", Site, 2, 5, "生"},
		{"中学", Site, 2, 5, "生"},
		{"小学", Site, 2, 5, "生"},
		{"学校", Site, 2, 5, ""},
		{"幼儿园", Site, 2, 5, ""},
		{"医院", Site, 2, 5, ""},
		{"卫生院", Site, 2, 5, ""},
		{"卫生室", Site, 2, 5, ""},
		{"公园", Site, 2, 5, ""},
		{"广场", Site, 2, 5, "舞"},
		{"菜市场", Site, 2, 5, ""},
		{"市场", Site, 2, 5, "监经化价"},
		{"超市", Site, 2, 5, ""},
		{"商场", Site, 2, 5, ""},
		{"车站", Site, 2, 5, ""},
		{"大桥", Site, 2, 5, ""},
		{"桥", Site, 2, 5, "梁"},
		{"隧道", Site, 2, 5, ""},
		{"立交", Site, 2, 5, ""},
		{"码头", Site, 2, 5, ""},
		{"水库", Site, 2, 5, ""},
		{"工业园", Site, 2, 5, ""},
		{"站", Site, 2, 5, "长点在起岗台"},
		{"河", Site, 2, 4, "南北道"},
	}
	slices.SortStableFunc(s, func(a, b suffix) int { return cmp.Compare(len([]rune(b.word)), len([]rune(a.word))) })
	return s
}()

// stopRunes never belong to a place's name: a name starts after the last
// of them.
const stopRunes = "的了在是我你他她它们这那有和与及到从向对把被给让请能要会说就都也还又很太个条些么吗呢啊吧着为因但而或如若已将于自以其该此各每某几不没无非里修走住去来回进出坏堵建反映投诉位近过距致内"

// stopWords never belong to a place's name: it starts after the last of
// them (楼下潇楚南路 is 潇楚南路, 请管一下潇楚南路 too).
var stopWords = []string{"一下", "楼下", "门口", "门前", "对面", "旁边", "附近", "周边", "经过", "路过", "家住", "就在", "位于", "所在", "本人", "关于", "目前", "现在", "今天", "昨天", "最近"}

// genericCores are names before a suffix that name no place.
var genericCores = map[string]bool{
	"这个": true, "那个": true, "一个": true, "我们": true, "我家": true, "城市": true, "农村": true, "乡村": true,
	"当地": true, "全市": true, "全县": true, "全区": true, "时间": true, "马路": true, "道路": true, "公共": true,
	"周边": true, "附近": true, "本地": true, "外地": true, "老家": true, "所在": true, "该地": true, "各个": true,
}

// fold makes full-width ASCII half-width and letters lower-case.
func fold(r rune) rune { return unicode.ToLower(halfWidth(r)) }

// halfWidth makes full-width ASCII (and the ideographic space) half-width.
func halfWidth(r rune) rune {
	switch {
	case r == '\u3000':
		return ' '
	case r >= '！' && r <= '～':
		return r - '！' + '!'
	}
	return r
}

func nameRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// Places returns the places text names, in order, each once (by Key).
func Places(text string) []Place {
	rs := []rune(strings.Map(halfWidth, text))
	var out []Place
	seen := map[string]bool{}
	last := 0 // the end of the last place found: a name starts after it
	for j := 0; j < len(rs); j++ {
		for _, s := range suffixes {
			w := []rune(s.word)
			if j+len(w) > len(rs) || string(rs[j:j+len(w)]) != s.word {
				continue
			}
			end := j + len(w)
			if end < len(rs) && strings.ContainsRune(s.notBefore, rs[end]) {
				continue
			}
			core, ok := placeCore(rs, last, j, s)
			if !ok {
				// The word stands, without a name: 本小区 is no place,
				// and its 区 none either.
				last = end
				j = end - 1
				break
			}
			p := Place{Name: core + s.word, Key: strings.ToLower(core) + s.word, Kind: s.kind}
			if s.word == "小区" {
				p.Key = strings.ToLower(core)
			}
			if !seen[p.Key] {
				seen[p.Key] = true
				out = append(out, p)
			}
			last = end
			j = end - 1
			break
		}
	}
	return out
}

// placeCore is the name before a suffix at j: from the last stop rune,
// stop word or place end (last) on, between s.minCore and s.maxCore runes.
func placeCore(rs []rune, last, j int, s suffix) (string, bool) {
	start := max(last, j-s.maxCore-4)
	for i := j - 1; i >= start; i-- {
		if !nameRune(rs[i]) || strings.ContainsRune(stopRunes, rs[i]) {
			start = i + 1
			break
		}
	}
	core := string(rs[start:j])
	for _, w := range stopWords {
		if i := strings.LastIndex(core, w); i >= 0 {
			core = core[i+len(w):]
		}
	}
	n := len([]rune(core))
	min := s.minCore
	if s.kind == Area {
		// A市, K3县 (the renamed places of the sample): the letters and
		// digits before the word are the name.
		rs := []rune(core)
		i := len(rs)
		for i > 0 && rs[i-1] <= unicode.MaxASCII && nameRune(rs[i-1]) {
			i--
		}
		if i < len(rs) {
			core, n, min = string(rs[i:]), len(rs)-i, 1
		}
	}
	// A longer run before the word is a sentence without punctuation, not
	// a name (南塘城轨公交站).
	if n < min || n > s.maxCore || genericCores[core] {
		return "", false
	}
	if s.kind == Segment && strings.ContainsRune("时阶手片地路", lastRune(core)) {
		return "", false // 用餐时段, 该路段
	}
	return core, true
}

// problemClasses are the kinds of problems citizens report, each with the
// words that name it. A report may belong to several.
var problemClasses = []struct {
	label string
	words []string
}{
	{"路面破损", []string{"坑洼", "大坑", "有坑", "坑", "塌陷", "破损", "开裂", "裂缝", "凹陷", "沉降", "烂路", "路面坏", "路坏", "破烂", "坑坑洼洼"}},
	{"路灯", []string{"路灯"}},
	{"井盖", []string{"井盖"}},
	{"积水排水", []string{"积水", "内涝", "下水道", "排水", "污水", "化粪池", "漫水", "淹"}},
	{"供水", []string{"停水", "没水", "水压", "自来水", "供水", "水质"}},
	{"供电", []string{"停电", "断电", "没电", "供电", "电压", "跳闸"}},
	{"燃气", []string{"燃气", "天然气", "煤气"}},
	{"噪音", []string{"噪音", "噪声", "嗓声", "吵闹", "吵得", "吆喝", "喧哗", "睡不着", "无法入睡", "休息"}},
	{"油烟", []string{"油烟", "排烟", "烟道", "烧烤", "炭火", "熏"}},
	{"垃圾", []string{"垃圾", "清运", "脏乱"}},
	{"违建", []string{"违建", "违章建筑", "违法建设", "违规搭建", "乱搭", "加建"}},
	{"占道经营", []string{"占道", "摆摊", "摊贩", "夜宵摊", "流动摊"}},
	{"停车", []string{"停车", "乱停", "车位"}},
	{"交通", []string{"红绿灯", "信号灯", "拥堵", "堵车", "斑马线", "限速"}},
	{"公交地铁", []string{"公交", "地铁", "城轨", "站点", "班次"}},
	{"拖欠工资", []string{"欠薪", "拖欠工资", "讨薪", "农民工工资", "工资未发", "不发工资"}},
	{"物业", []string{"物业"}},
	{"房屋质量", []string{"漏水", "渗水", "房屋质量", "交房", "开发商", "安全隐患"}},
	{"环境污染", []string{"污染", "排污", "臭味", "异味", "粉尘", "扬尘", "黑烟", "难闻"}},
	{"实习就业", []string{"实习", "实训", "顶岗", "外出打工", "组织学生"}},
	{"社保医保", []string{"社保", "医保", "养老保险", "报销", "参保"}},
	{"流浪动物", []string{"流浪狗", "流浪猫", "恶犬", "狗咬"}},
	{"绿化", []string{"树木", "绿化", "砍伐", "草坪"}},
	{"通信网络", []string{"信号", "宽带", "5g", "基站"}},
	{"拆迁征收", []string{"拆迁", "征收", "征地", "安置"}},
	{"施工扰民", []string{"施工", "工地", "渣土", "夜间作业"}},
	{"无证经营", []string{"无证经营", "非法经营", "违法经营", "营业到凌晨", "深夜经营"}},
}

// Problems returns the problem classes text's words belong to, in the order
// of the classes.
func Problems(text string) []string {
	t := strings.Map(fold, text)
	var out []string
	for _, c := range problemClasses {
		for _, w := range c.words {
			if strings.Contains(t, w) {
				out = append(out, c.label)
				break
			}
		}
	}
	return out
}

// Profile is what Compare reads of a report. Encode keeps it in a string
// and DecodeProfile reads it back, so that a report is read once and
// compared from what was stored (models.CaseProfile).
type Profile struct {
	Places   []Place
	Problems []string
	grams    []gram // by text
	norm     float64
}

// gram is a character bigram of a report and its weight: 1 + ln(count).
type gram struct {
	text  string
	count int
	w     float64
}

// fillerGrams are bigrams of the courtesies and pleas every report has:
// they say nothing about the problem.
var fillerGrams = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range []string{"您好", "你好", "尊敬", "领导", "请求", "希望", "相关", "部门", "有关", "解决", "处理", "问题", "反映", "严重",
		"影响", "我们", "政府", "谢谢", "尽快", "一下", "这个", "现在", "已经", "没有", "一直", "可以", "情况", "管理", "请问", "要求", "居民",
		"生活", "市民", "老百姓", "群众", "重视", "关注", "投诉", "多次", "长期", "无人", "帮助", "能否", "是否", "为什么", "怎么"} {
		rs := []rune(s)
		for i := 0; i+1 < len(rs); i++ {
			m[string(rs[i:i+2])] = true
		}
	}
	return m
}()

// NewProfile reads a report's text (its title, if any, first).
func NewProfile(text string) Profile {
	p := Profile{Places: Places(text), Problems: Problems(text)}
	t := strings.Map(halfWidth, text)
	for _, pl := range p.Places {
		t = strings.ReplaceAll(t, pl.Name, " ")
	}
	t = strings.ToLower(t)
	counts := map[string]int{}
	prev := rune(-1)
	for _, r := range t {
		if !gramRune(r) {
			prev = -1
			continue
		}
		if prev >= 0 {
			if g := string([]rune{prev, r}); !fillerGrams[g] {
				counts[g]++
			}
		}
		prev = r
	}
	p.grams = make([]gram, 0, len(counts))
	for g, c := range counts {
		p.grams = append(p.grams, gram{text: g, count: c})
	}
	slices.SortFunc(p.grams, func(a, b gram) int { return strings.Compare(a.text, b.text) })
	p.weigh()
	return p
}

// gramRune tells the characters of bigrams: Han characters and letters.
func gramRune(r rune) bool { return unicode.Is(unicode.Han, r) || unicode.IsLetter(r) }

// weigh sets the grams' weights from their counts, and the norm.
func (p *Profile) weigh() {
	var norm float64
	for i := range p.grams {
		w := 1 + math.Log(float64(p.grams[i].count))
		p.grams[i].w = w
		norm += w * w
	}
	p.norm = math.Sqrt(norm)
}

// Keys are the fine places' keys to look similar reports up by, with the
// shorter forms of a long community or site name (万科魅力之城 is also
// looked up as 魅力之城).
func (p Profile) Keys() []string {
	var out []string
	add := func(k string) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for _, pl := range p.Places {
		if !pl.Kind.Fine() {
			continue
		}
		add(pl.Key)
		if pl.Kind == Community || pl.Kind == Site {
			rs := []rune(pl.Key)
			for i := 1; len(rs)-i >= minShared; i++ {
				add(string(rs[i:]))
			}
		}
	}
	return out
}

// minShared is the shortest end of a community's or site's name that
// stands for it (魅力之城 in 万科魅力之城小区).
const minShared = 4

// Match is how alike two reports are.
type Match struct {
	// Score is between 0 and 1; Similar tells whether it is enough.
	Score float64
	// Place is the shared place (as the first report writes it), Problem
	// the shared problem class; either may be empty.
	Place, Problem string
	// PlaceScore and ProblemScore are the two halves of the score.
	PlaceScore, ProblemScore float64
}

// Thresholds of Similar: the same place (a fine place shared, or a
// segment of no differing road) and a problem alike enough. Measured on the
// real messages of hot-sample.csv (similar_test.go).
const (
	minPlaceScore   = 0.7
	minProblemScore = 0.2
)

// Similar reports whether the match makes two reports one problem at one
// place.
func (m Match) Similar() bool {
	return m.PlaceScore >= minPlaceScore && m.ProblemScore >= minProblemScore
}

// Compare scores how alike reports a and b are: the same place (Places)
// and the same problem (Problems, or failing those their words).
func Compare(a, b Profile) Match {
	var m Match
	m.PlaceScore, m.Place = placeScore(a, b)
	var shared []string
	for _, c := range a.Problems {
		if slices.Contains(b.Problems, c) {
			shared = append(shared, c)
		}
	}
	if len(shared) > 0 {
		m.Problem = shared[0]
	}
	words := cosine(a, b)
	m.ProblemScore = words
	if len(a.Problems) > 0 && len(b.Problems) > 0 {
		// The share of the shorter list's classes the other names too: a
		// long report names more problems, its main one among them.
		m.ProblemScore = max(words, float64(len(shared))/float64(min(len(a.Problems), len(b.Problems))))
	}
	m.Score = 0.4*m.PlaceScore + 0.6*m.ProblemScore
	return m
}

// placeScore is 1 when a and b share a road, community or site, 0.7 when
// they share only a segment and do not name different roads, halved when
// both name a district or county (区, 县) and those differ.
func placeScore(a, b Profile) (float64, string) {
	score, name := 0.0, ""
	roads := func(p Profile) bool {
		return slices.ContainsFunc(p.Places, func(x Place) bool { return x.Kind == Road })
	}
	for _, x := range a.Places {
		if !x.Kind.Fine() {
			continue
		}
		for _, y := range b.Places {
			if !y.Kind.Fine() || !samePlace(x, y) {
				continue
			}
			s := 1.0
			if x.Kind == Segment {
				s = 0.7
				if roads(a) && roads(b) {
					s = 0 // 学士路洋湖段 is not 潇楚南路洋湖段
				}
			}
			if s > score {
				score, name = s, x.Name
			}
		}
	}
	if score > 0 {
		for _, x := range a.Places {
			for _, y := range b.Places {
				if x.Kind == Area && y.Kind == Area && x.Key != y.Key && lastRune(x.Name) == lastRune(y.Name) &&
					(lastRune(x.Name) == '区' || lastRune(x.Name) == '县') {
					return score / 2, name
				}
			}
		}
	}
	return score, name
}

func lastRune(s string) rune {
	rs := []rune(s)
	if len(rs) == 0 {
		return 0
	}
	return rs[len(rs)-1]
}

// samePlace reports whether two fine places are one: the same key, or for
// communities and sites, one key the end of the other and long enough.
func samePlace(x, y Place) bool {
	if x.Key == y.Key {
		return true
	}
	if (x.Kind != Community && x.Kind != Site) || (y.Kind != Community && y.Kind != Site) {
		return false
	}
	short, long := x.Key, y.Key
	if len([]rune(short)) > len([]rune(long)) {
		short, long = long, short
	}
	return len([]rune(short)) >= minShared && strings.HasSuffix(long, short)
}

// cosine is the cosine of the two reports' bigram vectors.
func cosine(a, b Profile) float64 {
	if a.norm == 0 || b.norm == 0 {
		return 0
	}
	var dot float64
	for i, j := 0, 0; i < len(a.grams) && j < len(b.grams); {
		switch c := strings.Compare(a.grams[i].text, b.grams[j].text); {
		case c < 0:
			i++
		case c > 0:
			j++
		default:
			dot += a.grams[i].w * b.grams[j].w
			i++
			j++
		}
	}
	return dot / (a.norm * b.norm)
}

// Label names what a group of similar reports is about in a few words: the
// fine place most of them name and the problem class most of them share,
// e.g. “潇楚南路 路面破损”.
func Label(ps []Profile) (place, problem string) {
	places, problems := map[string]int{}, map[string]int{}
	firstPlace, firstProblem := map[string]int{}, map[string]int{}
	i := 0
	for _, p := range ps {
		for _, pl := range p.Places {
			if pl.Kind.Fine() && pl.Kind != Segment {
				places[pl.Name]++
				if _, ok := firstPlace[pl.Name]; !ok {
					firstPlace[pl.Name] = i
				}
				i++
			}
		}
		for _, c := range p.Problems {
			problems[c]++
			if _, ok := firstProblem[c]; !ok {
				firstProblem[c] = i
			}
			i++
		}
	}
	return most(places, firstPlace), most(problems, firstProblem)
}

// most is the key counted most often, the first seen among equals.
func most(n, first map[string]int) string {
	best := ""
	for k, c := range n {
		if best == "" || c > n[best] || c == n[best] && first[k] < first[best] {
			best = k
		}
	}
	return best
}
