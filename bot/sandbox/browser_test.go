//go:build browser

// The sandbox page in a real headless Chromium. Kept out of the ordinary
// test run because it needs /usr/bin/chromium; run it with
//
//	go test -tags browser ./bot/sandbox/ -run Browser -count=1 -v
//
// or scripts/browser-check.sh, which installs Chromium first. It saves
// screenshots to testdata/ for reviewers to look at.
package sandbox_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"minsheng/models/modeltest"
)

const chromiumPath = "/usr/bin/chromium"

// newBrowser starts a headless Chromium with a fresh profile. The flags keep
// it from reaching for the network on its own: the build machines have none.
// chromedp owns the profile directory and removes it once the browser has
// exited (t.TempDir's cleanup races Chromium's last writes and fails the
// test with "directory not empty").
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("no Chromium at %s (apt-get install chromium, or run scripts/browser-check.sh): %v", chromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // root in a container
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(bcancel)
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return bctx
}

// pollJS waits until the expression is truthy.
func pollJS(expr string) chromedp.Action {
	return chromedp.Poll(expr, nil, chromedp.WithPollingTimeout(15*time.Second), chromedp.WithPollingInterval(100*time.Millisecond))
}

// bubbles returns the text of the account's reply bubbles in order.
const bubblesJS = `[...document.querySelectorAll('#chat .msg.them .bubble')].map(b => b.textContent)`

// overflowJS reports how far the page is wider than the screen.
const overflowJS = `document.documentElement.scrollWidth - window.innerWidth`

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

func saveScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := screenshotDir(t)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("save %s: %v", path, err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// screenshotDir is where screenshots go: testdata/ (committed) when
// UPDATE_SCREENSHOTS=1, else MINSHENG_SCREENSHOTS (scripts/browser-check.sh
// sets a temporary folder), else a folder of the system's temporary one; so
// a check leaves the checkout as it was.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("MINSHENG_SCREENSHOTS")
	switch {
	case os.Getenv("UPDATE_SCREENSHOTS") == "1":
		dir = "testdata"
	case dir == "":
		dir = filepath.Join(os.TempDir(), "minsheng-screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("screenshots: %v", err)
	}
	return dir
}

func TestBrowserSandboxPhone(t *testing.T) {
	ctx := newBrowser(t)
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
		chromedp.Evaluate(overflowJS, &overflow),
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
	saveScreenshot(t, "sandbox-phone.png", phone)

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
		chromedp.Evaluate(overflowJS, &overflow),
		chromedp.FullScreenshot(&desktop, 100),
	)
	if err != nil {
		t.Fatalf("desktop screenshot: %v", err)
	}
	if overflow > 0 {
		t.Errorf("page is %d px wider than a 1280-px screen", overflow)
	}
	saveScreenshot(t, "sandbox-desktop.png", desktop)
}
