//go:build browser

// Shared helpers of the pages' tests in a real headless Chromium (board,
// dashboard, case page). Kept out of the ordinary test run because they need
// /usr/bin/chromium; run them with
//
//	go test -tags browser ./handlers/ ./bot/sandbox/ -run Browser -count=1 -v
//
// or scripts/browser-check.sh, which installs Chromium first. They save
// screenshots to testdata/ for reviewers to look at.
package handlers_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// overflowJS reports how far the page is wider than the screen.
const overflowJS = `document.documentElement.scrollWidth - window.innerWidth`

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
