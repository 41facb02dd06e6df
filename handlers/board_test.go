package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"minsheng/handlers"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// testPublic is config.yaml's board.* and open311.*.
var testPublic = handlers.PublicConfig{
	PageSize: 20, RateMonths: 12, SearchScan: 2000, QueryMax: 50, StatsCache: time.Minute,
	ReplyTarget: 0.9, SatisfactionTarget: 0.9,
	Open311: handlers.Open311Config{PageSize: 50, MaxPageSize: 200, DefaultDays: 90},
}

// reporter is a citizen of the seeded data set with everything that would
// identify them; unit "" leaves the case with hb, unaccepted; "invalid"
// has the dispatcher mark it invalid; withhold keeps it off the board.
type reporter struct {
	openid, name, phone, idNo string
	text                      string
	unit, answer              string
	withhold                  bool
}

// reporters are the data set: names, phone numbers in several writings, ID
// numbers, addresses down to the room and a plate, in the ways people write
// them.
var reporters = []reporter{
	{openid: "oCitizenWang001", name: "王小明", phone: "13912345678", idNo: "110101199003074518",
		text: "我叫王小明，电话13912345678，身份证110101199003074518。幸福小区3栋2单元501室楼上漏水一个月了，物业不管。",
		unit: "zj", answer: "王小明，您好！经核查，幸福小区3栋2单元601室卫生间防水层老化，物业已于11月25日完成维修，漏水已解决。"},
	{openid: "oCitizenLi002", name: "李秀英", phone: "0571-88886666", idNo: "33010619850101123X",
		text: "本人李秀英，身份证33010619850101123X，人民路12号门口的井盖丢失两天了，很危险。联系电话 0571-8888 6666",
		unit: "cg", answer: "经现场核查，人民路12号门口井盖被盗，我局已于11月24日补装防盗井盖，并加强夜间巡查。"},
	{openid: "oCitizenZhao003", name: "赵大海", phone: "15887654321", idNo: "",
		text: "姓名：赵大海 手机+86 158 8765 4321。解放街3-5号旁的路灯不亮，车牌苏A12345的货车长期占用人行道。",
		unit: "cg", answer: "赵大海同志：解放街路灯已于11月26日修复，占道货车已通知车主挪走，并纳入日常巡查。"},
	{openid: "oCitizenChen004", name: "陈静", phone: "13588889999", idNo: "330102199212120021",
		text: "我是陈静，手机13588889999，幸福花园2-1203楼上夜里装修噪音扰民，身份证330102199212120021",
		unit: "zj", answer: "经核查，该户装修已办理备案，物业已督促其严格遵守施工时间，夜间不再施工。", withhold: true},
	{openid: "oCitizenSun005", name: "孙丽", phone: "13700001111",
		text: "我叫孙丽，电话13700001111，东门菜市场占道经营严重，早上堵车"},
	{openid: "oCitizenZhou006", name: "周强", phone: "13122223333",
		text: "我叫周强，电话13122223333，咨询一下明星八卦新闻", unit: "invalid"},
}

// site is a deployment with the public board, the open data and the
// dashboard mounted, on the office's store and bot.
type site struct {
	*office
	pub *httptest.Server
	// nos are the reporters' case numbers, by openid.
	nos map[string]string
	// aliases are the reporters' aliases, by openid.
	aliases map[string]string
}

func newSite(t *testing.T, s *models.Store, admin *handlers.AdminConfig) *site {
	t.Helper()
	o := newOffice(t, s)
	pub := testPublic
	router := handlers.New(handlers.Deps{Store: s, Bot: o.bot, Metrics: handlers.NewMetrics(s), Now: o.clock.Now, Public: &pub, Admin: admin,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	srv := httptest.NewServer(router)
	t.Cleanup(srv.Close)
	return &site{office: o, pub: srv, nos: map[string]string{}, aliases: map[string]string{}}
}

// officers are who accepts and approves for a unit.
var officers = map[string][2]string{"cg": {"cg-officer1", "cg-head"}, "zj": {"zj-officer1", "zj-head"}}

// seed runs every reporter's case through the product as people would: the
// citizen reports, the dispatcher triages, the unit accepts and answers, the
// head approves.
func (st *site) seed(t *testing.T) {
	t.Helper()
	for _, r := range reporters {
		no := st.citizen(t, r.openid, r.text)
		st.nos[r.openid] = no
		st.clock.Add(10 * time.Minute)
		switch r.unit {
		case "invalid":
			st.mustSay(t, "dispatcher1", "无效 "+no+" 与政务无关", "标为无效")
		case "":
			st.mustSay(t, "dispatcher1", "交办 "+no+" hb", "已将")
		default:
			who := officers[r.unit]
			st.mustSay(t, "dispatcher1", "交办 "+no+" "+r.unit, "已将")
			st.mustSay(t, who[0], "签收 "+no, "已签收")
			st.mustSay(t, who[0], "答复 "+no+" "+r.answer, "")
			st.mustSay(t, who[1], "同意 "+no, "已同意")
		}
		if r.withhold {
			st.mustSay(t, "dispatcher1", "不公开 "+no+" 涉及邻里纠纷，当事人要求不公开", "已将 "+no+" 从部门回应公开栏撤下")
		}
		st.clock.Add(time.Hour)
	}
	st.flush(t)
	var cits []models.Citizen
	modeltest.Must(t, st.store.DB().Find(&cits).Error, "citizens")
	for _, c := range cits {
		st.aliases[c.OpenID] = c.Alias
	}
}

func (st *site) mustSay(t *testing.T, user, text, want string) {
	t.Helper()
	if got := st.say(t, user, text); !strings.Contains(got, want) {
		t.Fatalf("%s: %q → %q; want %q", user, text, got, want)
	}
}

// get fetches path from the public server.
func (st *site) get(t *testing.T, path string) (int, string, http.Header) {
	t.Helper()
	return fetch(t, http.DefaultClient, http.MethodGet, st.pub.URL+path, nil)
}

// identities lists what would identify reporter r, in every writing it was
// given in.
func (st *site) identities(r reporter) []string {
	out := []string{r.openid, r.name, st.aliases[r.openid]}
	for _, v := range []string{r.phone, r.idNo} {
		if v != "" {
			out = append(out, v, strings.ReplaceAll(v, "-", ""))
		}
	}
	return out
}

// separators are dropped before numbers are looked for, so that a phone
// written 158 8765 4321 is found as 15887654321.
var separators = strings.NewReplacer(" ", "", "-", "", "\u00a0", "")

// leaks returns each identity of any reporter found in text.
func (st *site) leaks(text string) []string {
	flat := separators.Replace(text)
	var out []string
	for _, r := range reporters {
		for _, id := range st.identities(r) {
			if id == "" {
				continue
			}
			if strings.Contains(text, id) || (isNumber(id) && strings.Contains(flat, separators.Replace(id))) {
				out = append(out, id)
			}
		}
	}
	return out
}

var numberish = regexp.MustCompile(`^[0-9Xx +\-]+$`)

func isNumber(s string) bool { return numberish.MatchString(s) }

// markRe is a placeholder as the board draws it.
var markRe = regexp.MustCompile(`<span class="mask">([^<]*)</span>`)

// unmark writes the board's placeholder marks back as Mask wrote them.
func unmark(html string) string { return markRe.ReplaceAllString(html, "[$1]") }

// cardNos lists the case numbers of the board's cards in page order.
var cardRe = regexp.MustCompile(`id="case-(\d+)"`)

func cardNos(html string) []string {
	var out []string
	for _, m := range cardRe.FindAllStringSubmatch(html, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestBoardShowsAnsweredCasesMasked(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, nil)
		st.seed(t)
		wang, li, zhao, chen, sun, zhou := st.nos["oCitizenWang001"], st.nos["oCitizenLi002"], st.nos["oCitizenZhao003"],
			st.nos["oCitizenChen004"], st.nos["oCitizenSun005"], st.nos["oCitizenZhou006"]

		code, html, hdr := st.get(t, "/board")
		html = unmark(html)
		if code != http.StatusOK || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") {
			t.Fatalf("GET /board = %d %s", code, hdr.Get("Content-Type"))
		}
		// Answered cases only, newest answer first; not the withheld, open or invalid ones.
		if got, want := cardNos(html), []string{zhao, li, wang}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("board cards = %v; want %v (newest answer first, no withheld %s, open %s or invalid %s)", got, want, chen, sun, zhou)
		}
		for _, want := range []string{
			"部门回应", "县住房和城乡建设局", "县城市管理局",
			"我叫[姓名已隐去]，电话[电话已隐去]，身份证[身份证号已隐去]。幸福小区[门牌已隐去]楼上漏水",
			"[姓名已隐去]，您好！经核查，幸福小区[门牌已隐去]卫生间",
			"本人[姓名已隐去]，身份证[身份证号已隐去]，人民路12号门口的井盖丢失",
			"联系电话 [电话已隐去]",
			"姓名：[姓名已隐去] 手机[电话已隐去]。解放街3-5号旁的路灯不亮，车牌[车牌已隐去]的货车",
			"[姓名已隐去]同志：解放街路灯已于11月26日修复",
			"答复于 2026-11-23",
		} {
			if !strings.Contains(html, want) {
				t.Errorf("board lacks %q", want)
			}
		}
		if l := st.leaks(html); len(l) > 0 {
			t.Errorf("board carries identities %q", l)
		}
		// The units' rates beside the list.
		for _, want := range []string{`id="rates"`, "回复率", "满意率", "未到期", "不计入", "100.0%"} {
			if !strings.Contains(html, want) {
				t.Errorf("board rates lack %q", want)
			}
		}
	})
}

func TestBoardSearchAndUnitFilter(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, nil)
		st.seed(t)
		wang, li, zhao := st.nos["oCitizenWang001"], st.nos["oCitizenLi002"], st.nos["oCitizenZhao003"]
		tests := []struct {
			name, query string
			want        []string
		}{
			{"problem text", "q=" + url.QueryEscape("井盖"), []string{li}},
			{"answer text", "q=" + url.QueryEscape("防水层"), []string{wang}},
			{"both units", "q=" + url.QueryEscape("已于11月"), []string{zhao, li, wang}},
			{"unit", "unit=zj", []string{wang}},
			{"unit and text", "unit=cg&q=" + url.QueryEscape("路灯"), []string{zhao}},
			{"unit and text of another unit", "unit=zj&q=" + url.QueryEscape("井盖"), nil},
			{"unknown unit means all", "unit=nope", []string{zhao, li, wang}},
			{"a reporter's name finds nothing", "q=" + url.QueryEscape("王小明"), nil},
			{"a phone number finds nothing", "q=13912345678", nil},
			{"an ID number finds nothing", "q=110101199003074518", nil},
			{"a room finds nothing", "q=" + url.QueryEscape("2单元501"), nil},
			{"a withheld case's text finds nothing", "q=" + url.QueryEscape("装修"), nil},
			{"LIKE wildcards are text", "q=" + url.QueryEscape("%"), nil},
			{"underscore is text", "q=_", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				code, html, _ := st.get(t, "/board?"+tt.query)
				if code != http.StatusOK {
					t.Fatalf("GET /board?%s = %d", tt.query, code)
				}
				if got := cardNos(html); fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("GET /board?%s lists %v; want %v", tt.query, got, tt.want)
				}
				if len(tt.want) == 0 && !strings.Contains(html, "没有找到符合条件的答复") {
					t.Errorf("GET /board?%s does not say nothing was found", tt.query)
				}
				// The search box shows what the visitor typed; nothing else may.
				v, _ := url.ParseQuery(tt.query)
				if l := st.leaks(strings.ReplaceAll(html, v.Get("q"), "")); len(l) > 0 {
					t.Errorf("GET /board?%s carries identities %q", tt.query, l)
				}
			})
		}
		// The search box keeps what was typed, escaped.
		_, html, _ := st.get(t, "/board?q="+url.QueryEscape(`"><script>alert(1)</script>`))
		if strings.Contains(html, "<script>alert(1)") || !strings.Contains(html, "&lt;script&gt;") {
			t.Errorf("search text is not escaped on the page")
		}
	})
}

// TestBoardWithholdAndPublish: the dispatcher takes a case off the board and
// puts it back; only the dispatcher may; each is on the record.
func TestBoardWithholdAndPublish(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		st := newSite(t, s, nil)
		st.seed(t)
		li := st.nos["oCitizenLi002"]
		steps := []struct{ user, say, want string }{
			{"cg-officer1", "不公开 " + li + " 不想公开", "只有问政办"},
			{"leader1", "不公开 " + li + " 不想公开", "只有问政办"},
			{"dispatcher1", "不公开 " + li, "格式：不公开 编号 理由"},
			{"dispatcher1", "不公开 " + li + " 涉及未成年人", "已将 " + li + " 从部门回应公开栏撤下"},
			{"dispatcher1", "不公开 " + li + " 再撤一次", "已不公开（王问政"},
			{"dispatcher1", "帮助", "不公开 编号 理由"},
		}
		for i, sp := range steps {
			if got := st.say(t, sp.user, sp.say); !strings.Contains(got, sp.want) {
				t.Errorf("step %d: %s: %q → %q; want %q", i, sp.user, sp.say, got, sp.want)
			}
		}
		_, html, _ := st.get(t, "/board")
		if strings.Contains(html, li) {
			t.Errorf("withheld case %s is on the board", li)
		}
		if code, _, _ := st.get(t, "/open311/v2/requests/"+li+".json"); code != http.StatusNotFound {
			t.Errorf("withheld case in open data: %d; want 404", code)
		}
		if got := st.say(t, "dispatcher1", "恢复公开 "+li); !strings.Contains(got, "已恢复 "+li) {
			t.Errorf("恢复公开 → %q", got)
		}
		if got := st.say(t, "dispatcher1", "恢复公开 "+li); !strings.Contains(got, "未被撤下") {
			t.Errorf("second 恢复公开 → %q", got)
		}
		_, html, _ = st.get(t, "/board")
		if !strings.Contains(html, `id="case-`+li+`"`) {
			t.Errorf("case %s is not back on the board", li)
		}
		k, err := s.CaseByNo(context.Background(), li)
		modeltest.Must(t, err, "case")
		ev, err := s.Events(context.Background(), k.ID)
		modeltest.Must(t, err, "events")
		var trail []string
		for _, e := range ev {
			switch e.Kind {
			case models.EventWithheld, models.EventPublished, models.EventRefused:
				trail = append(trail, string(e.Kind)+"/"+e.ActorName+"/"+e.Body)
			}
		}
		want := []string{"refused/李承办/不公开：只有问政办可以不公开。", "refused/陈县长/不公开：只有问政办可以不公开。",
			"withheld/王问政/涉及未成年人", "published/王问政/恢复在部门回应栏公开"}
		if fmt.Sprint(trail) != fmt.Sprint(want) {
			t.Errorf("record = %q; want %q", trail, want)
		}
		var rows []models.BoardWithhold
		modeltest.Must(t, s.DB().Where("case_id = ?", k.ID).Find(&rows).Error, "withholds")
		if len(rows) != 1 || rows[0].Active || rows[0].LiftedAt == nil || rows[0].Reason != "涉及未成年人" {
			t.Errorf("withhold rows = %+v; want one, lifted, with its reason", rows)
		}
	})
}

// TestBoardPaging seeds 45 answered cases straight into the tables.
func TestBoardPaging(t *testing.T) {
	modeltest.Each(t, func(t *testing.T, s *models.Store) {
		modeltest.SeedOrg(t, s)
		var cases []modeltest.SeedCase
		for i := 1; i <= 45; i++ {
			at := modeltest.At(2026, 11, 2, 9, 0).Add(time.Duration(i) * time.Hour)
			cases = append(cases, modeltest.SeedCase{
				No: fmt.Sprintf("20261102%03d", i), Received: at, Status: models.StatusAnswered, Lead: []string{"cg", "zj"}[i%2],
				Due: modeltest.P(at.Add(72 * time.Hour)), Answered: modeltest.P(at.Add(24 * time.Hour)),
				Content: fmt.Sprintf("第%d号问题：路面破损", i),
			})
		}
		modeltest.SeedCases(t, s, cases...)
		clock := modeltest.NewClock(modeltest.At(2026, 11, 30, 10, 0))
		s.Now = clock.Now
		pub := testPublic
		srv := httptest.NewServer(handlers.New(handlers.Deps{Store: s, Metrics: handlers.NewMetrics(s), Now: clock.Now, Public: &pub}))
		t.Cleanup(srv.Close)

		want := func(from, to int) []string {
			var out []string
			for i := from; i >= to; i-- {
				out = append(out, fmt.Sprintf("20261102%03d", i))
			}
			return out
		}
		pages := []struct {
			query    string
			want     []string
			prev     bool
			next     string
			position string
		}{
			{"", want(45, 26), false, "/board?page=2", "第 1 / 3 页"},
			{"?page=2", want(25, 6), true, "/board?page=3", "第 2 / 3 页"},
			{"?page=3", want(5, 1), true, "", "第 3 / 3 页"},
			{"?page=9", nil, true, "", "第 9 / 3 页"},
			{"?page=-1", want(45, 26), false, "/board?page=2", "第 1 / 3 页"},
			{"?page=9223372036854775807", nil, true, "", "第 100000 / 3 页"},
			{"?unit=zj", nil, false, "/board?page=2&amp;unit=zj", "第 1 / 2 页"},
		}
		// zj leads the odd-numbered cases: 23, the newest 20 on page 1.
		zj := &pages[len(pages)-1]
		for i := 45; len(zj.want) < 20; i -= 2 {
			zj.want = append(zj.want, fmt.Sprintf("20261102%03d", i))
		}
		for _, p := range pages {
			code, html, _ := fetch(t, http.DefaultClient, http.MethodGet, srv.URL+"/board"+p.query, nil)
			if code != http.StatusOK {
				t.Fatalf("GET /board%s = %d", p.query, code)
			}
			if got := cardNos(html); fmt.Sprint(got) != fmt.Sprint(p.want) {
				t.Errorf("GET /board%s lists %v; want %v", p.query, got, p.want)
			}
			if !strings.Contains(html, p.position) {
				t.Errorf("GET /board%s lacks %q", p.query, p.position)
			}
			if p.next != "" && !strings.Contains(html, `href="`+p.next+`" rel="next"`) {
				t.Errorf("GET /board%s has no next link %s", p.query, p.next)
			}
			if p.prev != strings.Contains(html, `rel="prev"`) {
				t.Errorf("GET /board%s prev link = %v; want %v", p.query, !p.prev, p.prev)
			}
		}
	})
}

// TestBoardEscapesText: a citizen's text is shown as text, never as markup.
func TestBoardEscapesText(t *testing.T) {
	s := modeltest.Open(t, "sqlite")
	modeltest.SeedOrg(t, s)
	at := modeltest.At(2026, 11, 2, 9, 0)
	modeltest.SeedCases(t, s, modeltest.SeedCase{No: "20261102001", Received: at, Status: models.StatusClosed, Lead: "cg",
		Answered: modeltest.P(at.Add(time.Hour)), Content: `<script>alert("x")</script><img src=x onerror=alert(1)> 路灯坏了`})
	clock := modeltest.NewClock(modeltest.At(2026, 11, 30, 10, 0))
	s.Now = clock.Now
	pub := testPublic
	srv := httptest.NewServer(handlers.New(handlers.Deps{Store: s, Metrics: handlers.NewMetrics(s), Now: clock.Now, Public: &pub}))
	t.Cleanup(srv.Close)
	_, html, hdr := fetch(t, http.DefaultClient, http.MethodGet, srv.URL+"/board", nil)
	if strings.Contains(html, "<script>alert") || strings.Contains(html, "<img src=x") {
		t.Errorf("the citizen's markup reached the page unescaped")
	}
	if !strings.Contains(html, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
		t.Errorf("the escaped text is missing from the page")
	}
	if csp := hdr.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q; want default-src 'none'", csp)
	}
}
