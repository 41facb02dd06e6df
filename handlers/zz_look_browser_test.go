//go:build browser

package handlers_test

import (
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func TestBrowserZZLook(t *testing.T) {
	base := os.Getenv("LOOK_URL")
	if base == "" {
		t.Skip("no LOOK_URL")
	}
	ctx := newBrowser(t)
	shot := func(name string) {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.Sleep(300*time.Millisecond), chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Fatal(err)
		}
		os.WriteFile("/tmp/sbx/"+name+".png", png, 0o644)
	}
	err := chromedp.Run(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/sandbox"),
		pollJS(`document.body.dataset.ready === '1'`),
		setSelect("#p2-who", "zj-officer1"),
		chromedp.Sleep(2500*time.Millisecond),
	)
	if err != nil {
		t.Fatal(err)
	}
	shot("desk")
	chromedp.Run(ctx, chromedp.EmulateViewport(1600, 900), chromedp.Sleep(300*time.Millisecond))
	shot("desk1600")
	chromedp.Run(ctx, chromedp.EmulateViewport(900, 900), chromedp.Sleep(300*time.Millisecond))
	shot("desk900")
	chromedp.Run(ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	for _, tab := range []string{"citizen", "m1", "m2", "groups", "guide"} {
		chromedp.Run(ctx, chromedp.Click(`#tabs button[data-tab="`+tab+`"]`, chromedp.ByQuery))
		shot("m-" + tab)
	}
}
