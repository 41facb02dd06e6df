//go:build browser

// The case page in a real headless Chromium at a phone's size: a leader
// opens it from the signed link of their review card, approves, and the
// answer reaches the citizen at the fake Official Account. Run it with
//
//	go test -tags browser ./handlers/ -run BrowserCasePage -count=1 -v
//
// It saves testdata/h5-leader.png (the page as the leader first sees it),
// h5-leader-revise.png (the 退回修改 box open) and h5-leader-done.png (after
// approving) for reviewers to look at.
package handlers_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"minsheng/internal/browsertest"
	"minsheng/models"
	"minsheng/models/modeltest"
)

func TestBrowserCasePage(t *testing.T) {
	ctx := browsertest.New(t)
	l := newLeaders(t, modeltest.Open(t, "sqlite"))
	no := l.handling(t, citizenOpenID, report, "cg", "cg-officer1")
	l.say(t, "cg-officer1", "答复 "+no+" "+goodAnswer)
	l.say(t, "cg-head", "同意 "+no)
	l.say(t, "leader1", "批示 "+no+" 请举一反三，排查全县老旧小区路灯线路。")
	l.flush(t)
	link := l.cardURL(t, "leader1", no)

	var draft, status string
	var overflow int
	var before []byte
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(link),
		chromedp.WaitVisible("#approve", chromedp.ByQuery),
		chromedp.Text("#draft .draft", &draft, chromedp.ByQuery),
		chromedp.Text("#status", &status, chromedp.ByQuery),
		chromedp.Evaluate(browsertest.OverflowJS, &overflow),
		chromedp.FullScreenshot(&before, 100),
	)
	if err != nil {
		t.Fatalf("open the case page from the signed link: %v", err)
	}
	if draft != goodAnswer || status != "审核中" {
		t.Errorf("page shows draft %q, status %q; want the whole draft under review", draft, status)
	}
	if overflow > 0 {
		t.Errorf("page is %d px wider than a 375-px phone: it scrolls sideways", overflow)
	}
	browsertest.Save(t, "h5-leader.png", before)

	// On a desk the page is two columns, what to decide beside the records,
	// not a phone's column under a full-width header; on a phone it is one
	// column, the records under the case.
	var desk struct {
		Main, DecideRight, RecordsLeft, DecideTop, RecordsTop float64
		HeaderPad                                             float64
	}
	var deskPNG []byte
	layoutJS := `(() => { const r = s => document.querySelector(s).getBoundingClientRect();
		return {Main: r('main').width, DecideRight: r('.decide').right, RecordsLeft: r('.records').left,
			DecideTop: r('.decide').top, RecordsTop: r('.records').top,
			HeaderPad: parseFloat(getComputedStyle(document.querySelector('header')).paddingLeft)}; })()`
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Reload(),
		chromedp.WaitVisible("#approve", chromedp.ByQuery),
		chromedp.Evaluate(layoutJS, &desk),
		chromedp.FullScreenshot(&deskPNG, 100),
	)
	if err != nil {
		t.Fatalf("the case page at 1280 px: %v", err)
	}
	if desk.Main < 1000 || desk.RecordsLeft < desk.DecideRight || desk.RecordsTop != desk.DecideTop || desk.HeaderPad < 40 {
		t.Errorf("case page at 1280 px: %+v; want main over 1000 px, the records beside the decision, the header aligned with them", desk)
	}
	browsertest.Save(t, "h5-leader-desktop.png", deskPNG)
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Reload(),
		chromedp.WaitVisible("#approve", chromedp.ByQuery),
		chromedp.Evaluate(layoutJS, &desk),
	)
	if err != nil {
		t.Fatalf("the case page at 375 px: %v", err)
	}
	if desk.RecordsTop < desk.DecideTop+100 || desk.Main > 375 {
		t.Errorf("case page at 375 px: %+v; want one column, the records under the decision", desk)
	}

	// 退回修改 opens a comment box in place; it must fit the phone too.
	var revise []byte
	err = chromedp.Run(ctx,
		chromedp.Click("#revise summary", chromedp.ByQuery),
		chromedp.WaitVisible("#revise textarea", chromedp.ByQuery),
		chromedp.Evaluate(browsertest.OverflowJS, &overflow),
		chromedp.FullScreenshot(&revise, 100),
		chromedp.Reload(), // closes the box again
		chromedp.WaitVisible("#approve", chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("open the 退回修改 box: %v", err)
	}
	if overflow > 0 {
		t.Errorf("with the comment box open the page is %d px wider than the phone", overflow)
	}
	browsertest.Save(t, "h5-leader-revise.png", revise)

	var flash string
	var after []byte
	err = chromedp.Run(ctx,
		chromedp.Click("#approve", chromedp.ByQuery),
		chromedp.WaitVisible("#flash", chromedp.ByQuery),
		chromedp.Text("#flash", &flash, chromedp.ByQuery),
		chromedp.Text("#status", &status, chromedp.ByQuery),
		chromedp.Evaluate(browsertest.OverflowJS, &overflow),
		chromedp.FullScreenshot(&after, 100),
	)
	if err != nil {
		t.Fatalf("approve on the page: %v", err)
	}
	if !strings.Contains(flash, "已同意 "+no) || status != "已答复" {
		t.Errorf("after 同意 the page says %q with status %q; want the approval and 已答复", flash, status)
	}
	if overflow > 0 {
		t.Errorf("page after approving is %d px wider than the phone", overflow)
	}
	browsertest.Save(t, "h5-leader-done.png", after)

	l.flush(t)
	got := l.citizenGot()
	if len(got) != 2 || !strings.Contains(got[1], goodAnswer) {
		t.Fatalf("citizen got %q at the fake Official Account; want the approved answer", got)
	}
	if k := l.caseRow(t, no); k.Status != models.StatusAnswered {
		t.Errorf("case is %s; want answered", k.Status)
	}
}
