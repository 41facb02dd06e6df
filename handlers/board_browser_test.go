//go:build browser

// The public reply board and the dispatcher's dashboard in a real headless
// Chromium, at a desktop's 1280 px and a phone's 375 px. Run with
//
//	go test -tags browser ./handlers/ -run Browser -count=1 -v
//
// or scripts/browser-check.sh. Screenshots go to testdata/board-*.png and
// testdata/admin-*.png.
package handlers_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minsheng/internal/browsertest"
	"minsheng/models"
	"minsheng/models/modeltest"
)

// history adds ten weeks of cases to the seeded site, so the board has pages
// and the chart has weeks: problems as people write them, answers as units do.
func history(t *testing.T, st *site) {
	t.Helper()
	problems := []struct{ unit, text, answer, rating string }{
		{"zj", "幸福小区5号楼1单元302楼道灯坏了两周，晚上老人上下楼很不方便。", "经核查，该楼道灯线路老化，物业已更换线路和灯具，恢复正常照明。", "满意"},
		{"cg", "人民路与解放路交叉口红绿灯时间太短，行人过马路来不及，尤其是老人和孩子。", "经与交警部门会商，已将该路口行人绿灯时间由25秒延长至35秒。", "满意"},
		{"cg", "东门菜市场周边占道经营严重，早高峰车辆无法通行。", "我局已在东门菜市场周边设置临时疏导点，早高峰安排专人值守，占道经营已明显减少。", "基本满意"},
		{"hb", "城南污水处理厂附近夜间有刺鼻异味，我叫刘建国，电话13811112222。", "经监测，异味来自污泥临时堆放点，已督促企业加盖密闭并转运，后续每周抽测。", "满意"},
		{"cg", "解放街18号门前的下水道井盖松动，车辆经过声音很大，晚上吵得睡不着。", "已对该井盖进行加固并加装防震垫圈，噪声问题已解决。", ""},
		{"zj", "锦绣花园小区物业长期不清理垃圾，楼道堆满杂物存在消防隐患。", "已约谈锦绣花园物业公司，责令其三日内清理楼道杂物，并纳入季度考核。", "不满意"},
		{"cg", "县医院门口违规停车严重，车牌浙A88888的车辆天天停在出口。", "已联合交警在县医院出口设置禁停标志并加强巡查，违停车辆已依法处理。", "满意"},
		{"hb", "城北建筑工地夜间施工噪音扰民，晚上十一点后还在打桩。", "经查该工地未办理夜间施工许可，已责令停止夜间施工并处以罚款。", "满意"},
	}
	var cases []modeltest.SeedCase
	answers := map[string]string{}
	start := modeltest.At(2026, 9, 14, 9, 0)
	for i := 0; i < 40; i++ {
		p := problems[i%len(problems)]
		at := start.Add(time.Duration(i) * 41 * time.Hour)
		no := fmt.Sprintf("%s%03d", at.Format("20060102"), 100+i)
		c := modeltest.SeedCase{No: no, Received: at, Lead: p.unit, Content: p.text, Due: modeltest.P(at.Add(7 * 24 * time.Hour))}
		switch {
		case i%9 == 4: // still in hand, some overdue by now
			c.Status = models.StatusHandling
		default:
			c.Status, c.Answered, c.Rating = models.StatusAnswered, modeltest.P(at.Add(time.Duration(20+i%5*30)*time.Hour)), p.rating
			answers[no] = p.answer
		}
		cases = append(cases, c)
	}
	modeltest.SeedCases(t, st.store, cases...)
	for no, a := range answers {
		modeltest.Must(t, st.store.DB().Model(&models.Case{}).Where("no = ?", no).Update("answer", a).Error, "answer %s", no)
	}
	failedDelivery(t, st.store, 0)
}

func TestBrowserBoard(t *testing.T) {
	ctx := browsertest.New(t)
	st := newSite(t, modeltest.Open(t, "sqlite"), nil)
	st.seed(t)
	history(t, st)
	for _, v := range []struct {
		name          string
		width, height int
		mobile        bool
	}{{"desktop", 1280, 900, false}, {"phone", 375, 812, true}} {
		t.Run(v.name, func(t *testing.T) {
			var png []byte
			var overflow, cards int
			opts := []chromedp.EmulateViewportOption{}
			if v.mobile {
				opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
			}
			err := chromedp.Run(ctx,
				chromedp.EmulateViewport(int64(v.width), int64(v.height), opts...),
				chromedp.Navigate(st.pub.URL+"/board"),
				chromedp.WaitVisible("article.item", chromedp.ByQuery),
				chromedp.Sleep(200*time.Millisecond),
				chromedp.Evaluate(browsertest.OverflowJS, &overflow),
				chromedp.Evaluate(`document.querySelectorAll('article.item').length`, &cards),
				chromedp.FullScreenshot(&png, 100),
			)
			if err != nil {
				t.Fatalf("board at %d px: %v", v.width, err)
			}
			if overflow > 0 {
				t.Errorf("board is %d px wider than a %d-px screen", overflow, v.width)
			}
			if cards != testPublic.PageSize {
				t.Errorf("board shows %d cases; want a page of %d", cards, testPublic.PageSize)
			}
			browsertest.Save(t, "board-"+v.name+".png", png)
		})
	}
	// A search on the phone: type, submit, see the result.
	var found int
	var png []byte
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(st.pub.URL+"/board"),
		chromedp.WaitVisible(`input[name=q]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=q]`, "井盖", chromedp.ByQuery),
		chromedp.Submit(`input[name=q]`, chromedp.ByQuery),
		chromedp.WaitVisible("#result", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('article.item').length`, &found),
		chromedp.FullScreenshot(&png, 100),
	)
	if err != nil {
		t.Fatalf("search on the phone: %v", err)
	}
	if found == 0 {
		t.Errorf("search for 井盖 found nothing")
	}
	browsertest.Save(t, "board-phone-search.png", png)
}

func TestBrowserDashboard(t *testing.T) {
	ctx := browsertest.New(t)
	st := newSite(t, modeltest.Open(t, "sqlite"), testAdmin(t))
	st.seed(t)
	history(t, st)
	var title string
	var login []byte
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(st.pub.URL+"/admin"),
		chromedp.WaitVisible("#password-form", chromedp.ByQuery),
		chromedp.FullScreenshot(&login, 100),
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(st.pub.URL+"/admin"),
		chromedp.WaitVisible("#password-form", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, adminName, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, adminPassword, chromedp.ByQuery),
		chromedp.Click("#login", chromedp.ByQuery),
		chromedp.WaitVisible("#status", chromedp.ByQuery),
		chromedp.Title(&title),
	)
	if err != nil {
		t.Fatalf("sign in through the form: %v", err)
	}
	browsertest.Save(t, "admin-login-phone.png", login)
	if title != "概览 · 问政办工作台" {
		t.Errorf("after sign-in the page is %q", title)
	}
	pages := []struct{ name, path, ready string }{
		{"dashboard", "/admin?from=2026-09-01&to=2026-11-30", "#units"},
		{"cases", "/admin/cases?from=2026-11-01&to=2026-11-30", "#cases"},
	}
	for _, v := range []struct {
		name          string
		width, height int
		mobile        bool
	}{{"desktop", 1280, 900, false}, {"phone", 375, 812, true}} {
		for _, p := range pages {
			t.Run(p.name+"/"+v.name, func(t *testing.T) {
				var png []byte
				var overflow int
				opts := []chromedp.EmulateViewportOption{}
				if v.mobile {
					opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
				}
				err := chromedp.Run(ctx,
					chromedp.EmulateViewport(int64(v.width), int64(v.height), opts...),
					chromedp.Navigate(st.pub.URL+p.path),
					chromedp.WaitVisible(p.ready, chromedp.ByQuery),
					chromedp.Sleep(200*time.Millisecond),
					chromedp.Evaluate(browsertest.OverflowJS, &overflow),
					chromedp.FullScreenshot(&png, 100),
				)
				if err != nil {
					t.Fatalf("%s at %d px: %v", p.path, v.width, err)
				}
				if overflow > 0 {
					t.Errorf("%s is %d px wider than a %d-px screen (wide tables must scroll inside their card)", p.path, overflow, v.width)
				}
				var page struct {
					Hidden      int     // px of a table hidden right of its card
					Label       float64 // height of the smallest chart label shown, px
					Dates       []string
					Times       []string
					Rows, Links int
					Legend      string
					DateTypes   []string
				}
				err = chromedp.Run(ctx, chromedp.Evaluate(`(() => {
					const all = s => [...document.querySelectorAll(s)];
					const labels = all('svg.trend text').map(e => e.getBoundingClientRect().height).filter(h => h > 0);
					return {
						Hidden: Math.max(0, ...all('#units .scroll, #cases .scroll').map(e => e.scrollWidth - e.clientWidth)),
						Label: labels.length ? Math.min(...labels) : 99,
						Dates: all('input[name=from], input[name=to]').map(e => e.value),
						DateTypes: all('input[name=from], input[name=to]').map(e => e.type),
						Times: all('#cases tr[id^=case-] td.no:nth-child(2), #failed td.no:nth-child(2)').map(e => e.innerText.trim()),
						Rows: all('#cases tr[id^=case-], #overdue tbody tr').length,
						Links: all('#cases tr[id^=case-] td.no a[href^="/case/"], #overdue tbody td.no a[href^="/case/"]').length,
						Legend: (document.querySelector('#units-legend') || {}).innerText || '',
					}; })()`, &page))
				if err != nil {
					t.Fatalf("%s at %d px: %v", p.path, v.width, err)
				}
				if page.Hidden > 0 {
					t.Errorf("%s at %d px: a table has %d px hidden right of its card", p.path, v.width, page.Hidden)
				}
				if page.Label < 9 {
					t.Errorf("%s at %d px: chart labels %.1f px high; want them readable (9 px or more)", p.path, v.width, page.Label)
				}
				for i, d := range page.Dates {
					if !regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(d) || page.DateTypes[i] != "text" {
						t.Errorf("%s: a date field (%s) holds %q; want 2006-01-02, not the browser's format", p.path, page.DateTypes[i], d)
					}
				}
				for _, at := range page.Times {
					if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(at) {
						t.Errorf("%s: a time shows %q; want 2006-01-02 15:04", p.path, at)
					}
				}
				if page.Rows == 0 || page.Links != page.Rows {
					t.Errorf("%s: %d of %d case numbers link to the case page", p.path, page.Links, page.Rows)
				}
				if p.name == "dashboard" && !v.mobile && !strings.Contains(page.Legend, "延期 “1/2” = 批准 1 次 / 申请 2 次") {
					t.Errorf("%s: the legend %q does not explain 延期", p.path, page.Legend)
				}
				suffix := v.name
				if p.name != "dashboard" {
					suffix = p.name + "-" + v.name
				}
				browsertest.Save(t, "admin-"+suffix+".png", png)
			})
		}
	}
	// The retry button works from the browser: the failed message leaves the list.
	var left int
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(st.pub.URL+"/admin"),
		chromedp.WaitVisible("#failed form button", chromedp.ByQuery),
		chromedp.Click("#failed form button", chromedp.ByQuery),
		chromedp.WaitVisible("#flash", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('#failed tr[id^=outbox-]').length`, &left),
	)
	if err != nil {
		t.Fatalf("retry from the browser: %v", err)
	}
	if left != 0 {
		t.Errorf("after retry %d failed messages are still listed", left)
	}
}

// TestBrowserHome: the site's root is a short Chinese page leading to the
// public board, readable at a desk's and a phone's width.
func TestBrowserHome(t *testing.T) {
	ctx := browsertest.New(t)
	st := newSite(t, modeltest.Open(t, "sqlite"), testAdmin(t))
	for _, v := range []struct {
		name   string
		width  int64
		mobile bool
	}{{"desktop", 1280, false}, {"phone", 375, true}} {
		var png []byte
		var overflow int
		var board string
		opts := []chromedp.EmulateViewportOption{}
		if v.mobile {
			opts = append(opts, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		err := chromedp.Run(ctx,
			chromedp.EmulateViewport(v.width, 812, opts...),
			chromedp.Navigate(st.pub.URL+"/"),
			chromedp.WaitVisible(`a[href="/board"]`, chromedp.ByQuery),
			chromedp.Text(`a[href="/board"]`, &board, chromedp.ByQuery),
			chromedp.Evaluate(browsertest.OverflowJS, &overflow),
			chromedp.FullScreenshot(&png, 100),
		)
		if err != nil {
			t.Fatalf("GET / at %d px: %v", v.width, err)
		}
		if board != "部门回应" || overflow > 0 {
			t.Errorf("GET / at %d px: the board's link reads %q, page %d px too wide", v.width, board, overflow)
		}
		browsertest.Save(t, "home-"+v.name+".png", png)
	}
}
