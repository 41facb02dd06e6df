//go:build browser

// The sandbox page in a real headless Chromium. Kept out of the ordinary
// test run because it needs /usr/bin/chromium; run it with
//
//	go test -tags browser ./bot/sandbox/ -run Browser -count=1 -v
//
// or scripts/browser-check.sh, which installs Chromium first. Screenshots go
// where browsertest.Dir says (testdata/ with UPDATE_SCREENSHOTS=1).
package sandbox_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minsheng/internal/browsertest"
	"minsheng/models/modeltest"
)

// pollJS waits until the expression is truthy.
func pollJS(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))
}

// bubbles returns the text of the account's reply bubbles in order.
const bubblesJS = `[...document.querySelectorAll('#chat .msg.them .bubble')].map(b => b.textContent)`

// splitJS counts the places where a case number wraps onto two lines
// inside a bubble: a citizen copies it, so it must stay in one piece.
const splitJS = `(() => {
  const no = %q;
  let split = 0;
  for (const b of document.querySelectorAll('#chat .bubble')) {
    const n = b.firstChild;
    if (!n || n.nodeType !== Node.TEXT_NODE) continue;
    for (let i = n.data.indexOf(no); i >= 0; i = n.data.indexOf(no, i + 1)) {
      const r = document.createRange();
      r.setStart(n, i);
      r.setEnd(n, i + no.length);
      const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
      if (tops.size > 1) split++;
    }
  }
  return split;
})()`

// offscreenJS lists the controls that stick out past the right edge of the screen.
const offscreenJS = `['#text', '#go', '#follow', '#mine', '#image', '#loc']
  .filter(sel => document.querySelector(sel).getBoundingClientRect().right > window.innerWidth)`

func TestBrowserSandboxPhone(t *testing.T) {
	ctx := browsertest.New(t)
	h := newSandboxServer(t, modeltest.Open(t, "sqlite"))

	const problem = "XX小区东门路灯坏了一周，晚上很黑"
	var replies []string
	var overflow int
	var phone []byte
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(h.srv.URL+"/sandbox"),
		chromedp.WaitVisible("#text", chromedp.ByQuery),
		chromedp.SendKeys("#text", problem, chromedp.ByQuery),
		chromedp.Click("#go", chromedp.ByQuery),
		pollJS(`[...document.querySelectorAll('#chat .msg.them .bubble')].some(b => b.textContent.includes('编号：'))`),
		chromedp.Evaluate(bubblesJS, &replies),
	)
	if err != nil {
		t.Fatalf("send a problem: %v", err)
	}
	if len(replies) != 1 || !strings.Contains(replies[0], "编号：") || !strings.Contains(replies[0], "受理") {
		t.Fatalf("replies = %q; want one acknowledgement with a case number", replies)
	}
	no := caseNo.FindStringSubmatch(replies[0])
	if no == nil {
		t.Fatalf("reply %q has no 11-digit case number", replies[0])
	}
	if n := h.cases(t); n != 1 {
		t.Errorf("cases = %d; want 1", n)
	}
	var mine, offscreen []string
	var raw, field string
	var split int
	err = chromedp.Run(ctx,
		chromedp.Value("#text", &field, chromedp.ByQuery),
		chromedp.Text("#raw", &raw, chromedp.ByQuery),
		chromedp.Click("#mine", chromedp.ByQuery),
		pollJS(`document.querySelectorAll('#chat .msg.them .bubble').length >= 2`),
		chromedp.Evaluate(bubblesJS, &mine),
		chromedp.Evaluate(browsertest.OverflowJS, &overflow),
		chromedp.Evaluate(fmt.Sprintf(splitJS, no[1]), &split),
		chromedp.Evaluate(offscreenJS, &offscreen),
		chromedp.FullScreenshot(&phone, 100),
	)
	if err != nil {
		t.Fatalf("send 我的: %v", err)
	}
	if field != "" {
		t.Errorf("input after sending = %q; want it cleared", field)
	}
	if !strings.Contains(raw, "<Encrypt>") {
		t.Errorf("wire panel = %q; want the encrypted envelope", raw)
	}
	if last := mine[len(mine)-1]; !strings.Contains(last, "您反映的问题") || !strings.Contains(last, no[1]) {
		t.Errorf("我的 reply = %q; want the list with %s", last, no[1])
	}
	if overflow > 0 {
		t.Errorf("page is %d px wider than a 375-px phone: it scrolls sideways", overflow)
	}
	if split > 0 {
		t.Errorf("case number %s wraps across lines in %d place(s) at 375 px", no[1], split)
	}
	if len(offscreen) > 0 {
		t.Errorf("controls %q stick out past the right edge of a 375-px screen", offscreen)
	}
	browsertest.Save(t, "sandbox-phone.png", phone)

	// A reload keeps the citizen's conversation: both messages and both
	// answers are there again.
	var mineText []string
	var again []string
	err = chromedp.Run(ctx,
		chromedp.Reload(),
		chromedp.WaitVisible("#text", chromedp.ByQuery),
		pollJS(`document.querySelectorAll('#chat .msg.them .bubble').length >= 2`),
		chromedp.Evaluate(bubblesJS, &again),
		chromedp.Evaluate(`[...document.querySelectorAll('#chat .msg.me .bubble')].map(b => b.textContent)`, &mineText),
	)
	if err != nil {
		t.Fatalf("reload the page: %v", err)
	}
	if len(again) != len(mine) || again[0] != mine[0] || len(mineText) != 2 || mineText[0] != problem || mineText[1] != "我的" {
		t.Errorf("after a reload the phone shows answers %q and messages %q; want %q and the two messages", again, mineText, mine)
	}

	var desktop []byte
	err = chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Sleep(200*time.Millisecond), // let the layout settle at the new width
		chromedp.Evaluate(browsertest.OverflowJS, &overflow),
		chromedp.FullScreenshot(&desktop, 100),
	)
	if err != nil {
		t.Fatalf("desktop screenshot: %v", err)
	}
	if overflow > 0 {
		t.Errorf("page is %d px wider than a 1280-px screen", overflow)
	}
	browsertest.Save(t, "sandbox-desktop.png", desktop)
}
