package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserDashboardFollowsACallWithinASecond is the done-when of the
// dashboard: signed in as the duty leader, the desktop dashboard shows a
// call at window 1 within one second of it, without reloading; the wall
// screen shows the same hall at 1920×1080.
func TestBrowserDashboardFollowsACallWithinASecond(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	w1 := e.signIn(1)
	tk := e.issue(admin, map[string]any{"item": itemA})
	ctx := browser(t)
	if err := login(ctx, e, "leader"); err != nil {
		t.Fatal(err)
	}
	row := `#dash-root tr[data-window="1"]`
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/halls/%d/dashboard", e.HTTP.URL, e.Hall)), chromedp.WaitVisible(row)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.body.dataset.live === "1"`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`)); err != nil {
		t.Fatal(err)
	}
	before, err := chromedp.Run(ctx, chromedp.Text(row+" td.cur"))
	if err != nil {
		t.Fatal(err)
	}
	if before == tk.Number {
		t.Fatalf("window 1 shows %s before the call", before)
	}
	start := time.Now()
	if st, _, b := e.call(1, w1); st != 200 {
		t.Fatalf("call: %s", b)
	}
	check := fmt.Sprintf(`(function(){ var r = document.querySelector(%q); return !!r && r.querySelector("td.cur").textContent === %q && r.className === "w-calling"; })()`, row, tk.Number)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](check, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		t.Fatalf("the dashboard did not show the call: %v", err)
	}
	took := time.Since(start)
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Fatalf("the page reloaded (%v)", err)
	}
	t.Logf("dashboard showed the call after %v", took)
	if took > time.Second {
		t.Fatalf("the dashboard showed the call after %v, want within one second", took)
	}

	// The wall screen: the same figures at 1920×1080, no page scroll.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1920, 1080),
		chromedp.Navigate(fmt.Sprintf("%s/halls/%d/dashboard/wall", e.HTTP.URL, e.Hall)), chromedp.WaitVisible(row)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](check, chromedp.WithPollingTimeout(3*time.Second))); err != nil {
		t.Fatal(err)
	}
	scroll, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > 1920`))
	if err != nil {
		t.Fatal(err)
	}
	if scroll {
		t.Fatal("the wall screen is wider than 1920 pixels")
	}
	// An administrator's /dashboard shows both halls on one page.
	if err := login(ctx, e, "admin"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1366, 900), chromedp.Navigate(e.HTTP.URL+"/dashboard"), chromedp.WaitVisible("#dash-root")); err != nil {
		t.Fatal(err)
	}
	twoHalls := `document.querySelectorAll("#dash-root section.dash .dash-name").length === 2 &&
		Array.from(document.querySelectorAll("#dash-root .dash-name")).every(function (a) { return a.textContent.length > 0; })`
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](twoHalls, chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil && strings.Contains(err.Error(), "Cannot find context") {
		// The page's document was replaced while the poll ran (the
		// navigation settling): poll the new document.
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](twoHalls, chromedp.WithPollingTimeout(5*time.Second)))
	}
	if err != nil {
		t.Fatalf("district page: %v", err)
	}
}
