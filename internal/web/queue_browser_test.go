package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserKioskConsoleScreen: a ticket taken on the kiosk page is called
// on the window console and appears on the hall display through the
// stream, and the announcement queue is invoked with its number.
func TestBrowserKioskConsoleScreen(t *testing.T) {
	e := newHall(t)
	ctx := browser(t)
	// The hall display in its own tab.
	screen, cancelScreen := chromedp.NewContext(ctx)
	defer cancelScreen()
	if err := chromedp.Do(screen,
		chromedp.Navigate(fmt.Sprintf("%s/screens/hall/%d", e.HTTP.URL, e.Hall)),
		chromedp.WaitVisible(`#zones tr`),
	); err != nil {
		t.Fatalf("hall display: %v", err)
	}
	// The kiosk: zone → item → green-channel question → ticket.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/kiosk"),
		chromedp.Click(`.k-zone[data-zone="employment"]`),
		chromedp.Click(`.k-pick[data-item="`+itemA+`"]`),
		chromedp.WaitVisible(`#k-green`),
		chromedp.Click(`.k-prio[data-prio=""]`),
		chromedp.WaitVisible(`#t-number`),
	); err != nil {
		t.Fatalf("kiosk: %v", err)
	}
	number, err := chromedp.Run(ctx, chromedp.Text(`#t-number`))
	if err != nil || number != "A001" {
		t.Fatalf("kiosk ticket %q, %v", number, err)
	}
	qr, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("t-qr").getAttribute("src")`))
	if err != nil || !strings.HasPrefix(qr, "/t/") {
		t.Fatalf("qr %q %v", qr, err)
	}
	// The console: w01 signs in at window 1 and calls with the shortcut N.
	if err := login(ctx, e, "w01"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/console"),
		chromedp.WaitVisible(`#c-signin`),
		chromedp.Click(`#c-signin`),
		chromedp.Poll[chromedp.Void](`document.getElementById("c-state").textContent === JSON.parse(document.getElementById("mingbai-msg").textContent)["queue.open"]`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.KeyEvent("n"),
		chromedp.Poll[chromedp.Void](`document.getElementById("c-number").textContent === "A001"`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)),
	); err != nil {
		t.Fatalf("console: %v", err)
	}
	// The hall display shows the call and announced it.
	if _, err := chromedp.Run(screen, chromedp.Poll[bool](`(function(){var n=document.querySelector("#calls li.latest .num");
		return !!n && n.textContent === "A001" && (window.mingbaiAnnounced||[]).some(function(s){return s.indexOf("A001") >= 0 && s.indexOf("1 号窗口") >= 0;});})()`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		got, _ := chromedp.Run(screen, chromedp.Evaluate[[]string](`window.mingbaiAnnounced || []`))
		t.Fatalf("hall display did not show/announce A001: %v (announced %v)", err, got)
	}
	// A recall repeats the announcement.
	if err := chromedp.Do(ctx, chromedp.KeyEvent("r")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(screen, chromedp.Poll[bool](`(window.mingbaiAnnounced||[]).filter(function(s){return s.indexOf("A001") >= 0;}).length >= 2`,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("recall not announced: %v", err)
	}
}
