// Package browsertest starts the headless Chromium of the pages' browser
// checks (build tag browser: the board, the dashboard, the case page, the
// sandbox) and keeps their screenshots. Tests only; run them with
// scripts/browser-check.sh, which installs Chromium first.
package browsertest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package puts the browser.
const ChromiumPath = "/usr/bin/chromium"

// New starts a headless Chromium with a fresh profile, or skips t when there
// is none. The flags keep it from reaching for the network on its own: the
// build machines have none. chromedp owns the profile directory and removes
// it once the browser has exited (t.TempDir's cleanup races Chromium's last
// writes and fails the test with "directory not empty").
func New(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skipf("no Chromium at %s (apt-get install chromium fonts-noto-cjk, or run scripts/browser-check.sh): %v", ChromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
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

// Save writes a screenshot into Dir and logs where.
func Save(t *testing.T, name string, png []byte) {
	t.Helper()
	path := filepath.Join(Dir(t), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatalf("save %s: %v", path, err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, len(png))
}

// Dir is where screenshots go: the test package's testdata/ (committed) when
// UPDATE_SCREENSHOTS=1, else MINSHENG_SCREENSHOTS (scripts/browser-check.sh
// sets a temporary folder), else a folder of the system's temporary one; so
// a check leaves the checkout as it was.
func Dir(t *testing.T) string {
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

// OverflowJS reports how far the page is wider than the screen: 0 when
// nothing sticks out to the right.
const OverflowJS = `document.documentElement.scrollWidth - window.innerWidth`
