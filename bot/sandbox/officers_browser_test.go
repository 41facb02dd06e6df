//go:build browser

// The officers' phones of the sandbox page in a real headless Chromium: a
// case from the citizen's phone to the dispatcher's card, the officer's
// card, the answer and its approval, and back to the citizen; then a unit
// moved to DingTalk. Run with scripts/browser-check.sh.
package sandbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minsheng/internal/browsertest"
	"minsheng/models/modeltest"
)

// deliverEvery runs the delivery job in the background as main.go does,
// with a short interval so that messages reach the phones at once.
func (h *sandboxOffice) deliverEvery(t *testing.T, every time.Duration) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.deliver.Run(ctx, every)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// setSelect chooses value in the select sel as a person would.
func setSelect(sel, value string) chromedp.Action {
	return chromedp.Evaluate(fmt.Sprintf(`(() => {
  const s = document.querySelector(%q);
  s.value = %q;
  s.dispatchEvent(new Event('change'));
  return s.value;
})()`, sel, value), nil)
}

// hasText waits until an element matching sel holds text.
func hasText(sel, text string) chromedp.Action {
	return pollJS(fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.textContent.includes(%q))`, sel, text))
}

// exists waits until an element matches sel.
func exists(sel string) chromedp.Action {
	return pollJS(fmt.Sprintf(`!!document.querySelector(%q)`, sel))
}

// offscreenOfJS lists the controls of the phone n that stick out past the
// right edge of the screen.
const offscreenOfJS = `['#p%[1]d-text', '#p%[1]d-go', '#p%[1]d-who']
  .filter(sel => document.querySelector(sel).getBoundingClientRect().right > window.innerWidth)`

func TestBrowserSandboxOfficers(t *testing.T) {
	ctx := browsertest.New(t)
	h := newSandboxOffice(t, modeltest.Open(t, "sqlite"))
	h.deliverEvery(t, 200*time.Millisecond)

	// Card text comes from citizens: markup in it must stay text.
	const problem = `幸福小区东门路灯坏了一周，晚上很黑<img src=x onerror="window.xss=1">`
	var replies []string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(h.srv.URL+"/sandbox"),
		chromedp.WaitVisible("#text", chromedp.ByQuery),
		pollJS(`document.body.dataset.ready === '1'`),
		chromedp.SendKeys("#text", problem, chromedp.ByQuery),
		chromedp.Click("#go", chromedp.ByQuery),
		hasText("#chat .msg.them .bubble", "编号："),
		chromedp.Evaluate(bubblesJS, &replies),
	)
	if err != nil {
		t.Fatalf("citizen reports: %v", err)
	}
	m := caseNo.FindStringSubmatch(strings.Join(replies, "\n"))
	if m == nil {
		t.Fatalf("citizen replies %q have no case number", replies)
	}
	no := m[1]

	steps := []struct {
		name    string
		actions []chromedp.Action
	}{
		{"the dispatcher's phone shows the new case card and 交办 works", []chromedp.Action{
			exists(`#p1-chat button[data-key="交办:` + no + `:cg"]`),
			chromedp.Click(`#p1-chat button[data-key="交办:`+no+`:cg"]`, chromedp.ByQuery),
			hasText("#p1-chat .card .label", "已交办"),
		}},
		{"the officer's phone shows the 签收 card and 签收 works", []chromedp.Action{
			exists(`#p2-chat button[data-key="签收:` + no + `"]`),
			chromedp.Click(`#p2-chat button[data-key="签收:`+no+`"]`, chromedp.ByQuery),
			hasText("#p2-chat .card .label", "已签收"),
			hasText("#p2-chat .msg.them .bubble", "已签收 "+no),
		}},
		{"the officer types 答复", []chromedp.Action{
			chromedp.SendKeys("#p2-text", "答复 "+no+" 已安排维修人员更换东门路灯的灯泡和线路，现已恢复夜间照明。", chromedp.ByQuery),
			chromedp.Click("#p2-go", chromedp.ByQuery),
			hasText("#p2-chat .msg.them .bubble", "已提交"),
		}},
		{"the head, on the same phone, types 同意", []chromedp.Action{
			setSelect("#p2-who", "cg-head"),
			exists(`#p2-chat button[data-key="同意:` + no + `"]`),
			chromedp.SendKeys("#p2-text", "同意 "+no, chromedp.ByQuery),
			chromedp.Click("#p2-go", chromedp.ByQuery),
			hasText("#p2-chat .msg.them .bubble", "已同意"),
		}},
		{"the citizen's phone shows the answer", []chromedp.Action{
			hasText("#chat .msg.push .bubble", "恢复夜间照明"),
		}},
		{"the unit's group shows the assignment", []chromedp.Action{
			hasText(`#groups [data-group="县城市管理局"] .gmsg`, "新交办 "+no),
		}},
	}
	for _, s := range steps {
		if err := chromedp.Run(ctx, s.actions...); err != nil {
			var chats []string
			chromedp.Run(ctx, chromedp.Evaluate(`['#chat', '#p1-chat', '#p2-chat'].map(s => s + ': ' + document.querySelector(s).innerText)`, &chats))
			t.Fatalf("%s: %v\nthe phones show:\n%s", s.name, err, strings.Join(chats, "\n\n"))
		}
	}

	var xss bool
	var imgs, overflow int
	var desktop []byte
	err = chromedp.Run(ctx,
		chromedp.Evaluate(`window.xss === 1`, &xss),
		chromedp.Evaluate(`[...document.images].filter(i => !i.src.includes('/sandbox/api/groups/image')).length`, &imgs),
		chromedp.Evaluate(browsertest.OverflowJS, &overflow),
		// Scroll through the page once so that Chromium paints the
		// scrolling panels below the fold before the full-page shot.
		chromedp.Evaluate(`window.scrollTo(0, document.body.scrollHeight)`, nil),
		chromedp.Sleep(100*time.Millisecond),
		chromedp.Evaluate(`window.scrollTo(0, 0)`, nil),
		chromedp.FullScreenshot(&desktop, 100),
	)
	if err != nil {
		t.Fatalf("desktop checks: %v", err)
	}
	if xss || imgs > 0 {
		t.Errorf("the citizen's markup ran in the page (xss=%v, %d img elements); want it shown as text", xss, imgs)
	}
	if overflow > 0 {
		t.Errorf("page is %d px wider than a 1280-px screen", overflow)
	}
	browsertest.Save(t, "sandbox-officers-desktop.png", desktop)

	// On a phone the page is one phone at a time, behind tabs.
	var phone []byte
	var offscreen []string
	var visible bool
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Sleep(200*time.Millisecond),
		chromedp.Click(`#tabs button[data-tab="m2"]`, chromedp.ByQuery),
		chromedp.WaitVisible("#p2-text", chromedp.ByQuery),
		chromedp.Evaluate(`getComputedStyle(document.querySelector('#chat')).display !== 'none' && document.querySelector('#chat').offsetParent !== null`, &visible),
		chromedp.Evaluate(browsertest.OverflowJS, &overflow),
		chromedp.Evaluate(fmt.Sprintf(offscreenOfJS, 2), &offscreen),
		chromedp.Evaluate(`document.querySelector('#p2-chat').scrollTop = 1e6`, nil),
		chromedp.FullScreenshot(&phone, 100),
	)
	if err != nil {
		t.Fatalf("phone checks: %v", err)
	}
	if visible {
		t.Errorf("on a 375-px screen the citizen's phone is shown beside the officer's; want one phone per tab")
	}
	if overflow > 0 {
		t.Errorf("page is %d px wider than a 375-px phone", overflow)
	}
	if len(offscreen) > 0 {
		t.Errorf("controls %q stick out past the right edge of a 375-px screen", offscreen)
	}
	browsertest.Save(t, "sandbox-officers-phone.png", phone)
}

func TestBrowserSandboxDingTalkUnit(t *testing.T) {
	ctx := browsertest.New(t)
	h := newSandboxOffice(t, modeltest.Open(t, "sqlite"))
	h.deliverEvery(t, 200*time.Millisecond)

	var replies []string
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(h.srv.URL+"/sandbox"),
		pollJS(`document.body.dataset.ready === '1'`),
		exists("#plat-zj"),
		setSelect("#plat-zj", "dingtalk"),
		hasText("#plat-status", "已切换到钉钉"),
		setSelect("#p2-who", "zj-officer1"),
		hasText("#p2-app", "钉钉"),
		chromedp.SendKeys("#text", "和平小区物业不管，电梯坏了一个月", chromedp.ByQuery),
		chromedp.Click("#go", chromedp.ByQuery),
		hasText("#chat .msg.them .bubble", "编号："),
		chromedp.Evaluate(bubblesJS, &replies),
	)
	if err != nil {
		t.Fatalf("move 住建局 to DingTalk and report: %v", err)
	}
	m := caseNo.FindStringSubmatch(strings.Join(replies, "\n"))
	if m == nil {
		t.Fatalf("citizen replies %q have no case number", replies)
	}
	no := m[1]
	err = chromedp.Run(ctx,
		exists(`#p1-chat button[data-key="交办:`+no+`:zj"]`),
		chromedp.Click(`#p1-chat button[data-key="交办:`+no+`:zj"]`, chromedp.ByQuery),
		exists(`#p2-chat .dtcard button[data-key="签收:`+no+`"]`),
		chromedp.Click(`#p2-chat .dtcard button[data-key="签收:`+no+`"]`, chromedp.ByQuery),
		hasText("#p2-chat .msg.them .bubble", "已签收 "+no),
		hasText(`#groups [data-group="县住房和城乡建设局"] .gmsg`, no),
		exists(`#groups [data-group="县住房和城乡建设局"] .gmeta .dingtalk`),
	)
	if err != nil {
		var chats []string
		chromedp.Run(ctx, chromedp.Evaluate(`['#p1-chat', '#p2-chat', '#groups'].map(s => s + ': ' + document.querySelector(s).innerText)`, &chats))
		t.Fatalf("DingTalk 签收 from the page: %v\n%s", err, strings.Join(chats, "\n\n"))
	}
	if got := h.status(t, no); got != "handling" {
		t.Errorf("case %s is %s after 签收 on DingTalk; want handling", no, got)
	}
}
