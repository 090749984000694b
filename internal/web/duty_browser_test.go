package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mingbai/internal/store"
)

// TestBrowserDutyLeaderOnHallDisplay: the hall display shows today's duty
// leader from the published roster (name, post, picture) in place of
// "值班安排待公布", and shows the new leader within a second of a roster
// change, without a reload (the duty.roster event on the hall's stream).
func TestBrowserDutyLeaderOnHallDisplay(t *testing.T) {
	d := newDutyWeb(t)
	ctx := browser(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/screens/hall/%d?lang=zh-CN", d.HTTP.URL, d.Hall)),
		chromedp.WaitVisible(`#zones tr`),
	); err != nil {
		t.Fatalf("hall display: %v", err)
	}
	pending, err := chromedp.Run(ctx, chromedp.Text(`#leader`))
	if err != nil || !strings.Contains(pending, "值班安排待公布") {
		t.Fatalf("before the roster: %q %v", pending, err)
	}
	st, b := d.do("POST", d.path("/shifts"), d.tokMgr, map[string]any{"day": "2026-12-02", "half": "am", "post": "guide", "leader_id": d.leader1})
	if st != 201 {
		t.Fatalf("create: %d %s", st, b)
	}
	sh := decodeAs[store.Shift](t, b)
	if st, b := d.do("POST", d.path("/roster/2026-12/publish"), d.tokMgr, nil); st != 200 {
		t.Fatalf("publish: %d %s", st, b)
	}
	show := func(name string, within time.Duration) time.Duration {
		t.Helper()
		start := time.Now()
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`(function(){var b=document.querySelector("#leader .duty-leader b");return !!b && b.textContent === %q;})()`, name),
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(within))); err != nil {
			got, _ := chromedp.Run(ctx, chromedp.Text(`#leader`))
			t.Fatalf("the display did not show %s within %v: %q", name, within, got)
		}
		return time.Since(start)
	}
	took := show("副局长 孙立平", time.Second)
	slot, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(function(){var r=document.querySelector("#leader .duty-leader");
		return r.querySelector("img").getAttribute("src") + "|" + r.querySelector("small").textContent;})()`))
	if err != nil || !strings.HasPrefix(slot, fmt.Sprintf("/avatars/duty/%d.svg|", d.leader1)) || !strings.Contains(slot, "引导员") || !strings.Contains(slot, "08:30–12:00") {
		t.Fatalf("leader slot %q %v", slot, err)
	}
	if res := d.request("GET", fmt.Sprintf("/avatars/duty/%d.svg", d.leader1)); res.Status != 200 || !strings.Contains(res.Body, "孙") {
		t.Fatalf("avatar: %d %s", res.Status, res.Body)
	}
	// The manager hands the shift to another leader: the display follows
	// without reloading (the marker set on the page survives).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.dutyMarker = true`)); err != nil {
		t.Fatal(err)
	}
	if st, b := d.do("PUT", d.path(fmt.Sprintf("/shifts/%d", sh.ID)), d.tokMgr, map[string]any{"day": "2026-12-02", "half": "am", "post": "guide", "leader_id": d.leader2}); st != 200 {
		t.Fatalf("change: %d %s", st, b)
	}
	took2 := show("副局长 赵明", time.Second)
	if kept, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.dutyMarker === true`)); err != nil || !kept {
		t.Fatal("the display reloaded")
	}
	t.Logf("display followed the publish in %v and the change in %v", took, took2)
}

// TestBrowserDutyConsole: on the 1280×800 console a leader checks in, taps
// a zone once per visitor guided, and cannot check out without a handover
// note (the refusal is shown, the shift stays open).
func TestBrowserDutyConsole(t *testing.T) {
	d := newDutyWeb(t)
	if st, b := d.do("POST", d.path("/shifts"), d.tokMgr, map[string]any{"day": "2026-12-02", "half": "am", "post": "guide", "leader_id": d.leader1}); st != 201 {
		t.Fatalf("create: %d %s", st, b)
	}
	if st, b := d.do("POST", d.path("/roster/2026-12/publish"), d.tokMgr, nil); st != 200 {
		t.Fatalf("publish: %d %s", st, b)
	}
	ctx := browser(t)
	if err := login(ctx, d.hallEnv, d.People.Leader.Username); err != nil {
		t.Fatal(err)
	}
	poll := func(js string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(30*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 800),
		chromedp.Navigate(d.HTTP.URL+"/duty?lang=zh-CN"),
		chromedp.WaitVisible(`#dc-checkin`),
		chromedp.Click(`#dc-checkin`),
		chromedp.WaitVisible(`#dc-checkout`),
		chromedp.Click(`.zonebtn[data-zone="employment"]`),
		poll(`document.querySelector('[data-count="employment"]').textContent === "1"`),
		chromedp.Click(`.zonebtn[data-zone="employment"]`),
		poll(`document.getElementById("n-guide").textContent === "2"`),
		chromedp.Click(`#o-form button[type=submit]`),
		poll(`!document.getElementById("dc-err").hidden && document.getElementById("dc-err").textContent.indexOf("交接事项") >= 0`),
	); err != nil {
		t.Fatalf("console: %v", err)
	}
	// The zone buttons are touch-sized.
	h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector(".zonebtn").getBoundingClientRect().height`))
	if err != nil || h < 56 {
		t.Fatalf("zone button %vpx high, %v", h, err)
	}
	st, b := d.do("GET", d.path("/console"), d.tok1, nil)
	if c := decodeAs[store.DutyConsole](t, b); st != 200 || c.Shift == nil || c.Shift.CheckedOutAt != 0 || c.Counts["guide"] != 2 {
		t.Fatalf("after the refused check-out: %d %s", st, b)
	}
}
