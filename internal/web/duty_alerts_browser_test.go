package web_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserHelpCall: the clerk at window 1 presses "呼叫值班领导" on the
// console; once the duty leader answers "on my way", the console says so
// within a second, without a reload, through the window's help stream —
// the console made no request for the call besides its own press.
func TestBrowserHelpCall(t *testing.T) {
	e := newHall(t)
	ctx := browser(t)
	if err := login(ctx, e, "w01"); err != nil {
		t.Fatal(err)
	}
	state := func(want string) chromedp.Action[chromedp.Void] {
		return poll(`document.getElementById('c-help-state').textContent.indexOf(` + jsString(want) + `) >= 0`)
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(e.HTTP.URL+"/console?lang=zh-CN"),
		chromedp.WaitVisible(`#c-signin`),
		chromedp.Click(`#c-signin`),
		poll(`document.getElementById('c-toast').textContent.indexOf('签到') >= 0`),
		poll(`document.getElementById('c-help-state').dataset.live === '1'`),
		chromedp.Click(`#c-help`),
		state("已呼叫值班领导"),
	); err != nil {
		t.Fatalf("help call: %v", err)
	}
	leader := e.tokenOf(e.People.Leader)
	r := e.request("GET", fmt.Sprintf("/api/v1/halls/%d/duty/alerts", e.Hall), bearer(leader))
	var list []struct {
		ID   int64  `json:"id"`
		Kind string `json:"kind"`
	}
	if err := json.Unmarshal([]byte(r.Body), &list); err != nil || len(list) == 0 || list[0].Kind != "help_call" {
		t.Fatalf("leader's list: %s %v", r.Body, err)
	}
	if a := e.request("POST", fmt.Sprintf("/api/v1/halls/%d/duty/alerts/%d/ack", e.Hall, list[0].ID), bearer(leader), jsonBody(`{"answer":"on_my_way"}`)); a.Status != 200 {
		t.Fatalf("ack: %d %s", a.Status, a.Body)
	}
	start := time.Now()
	if err := chromedp.Do(ctx, state("马上到")); err != nil {
		t.Fatalf("the clerk does not see the answer: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("the answer took %v to reach the console", d)
	}
	fetched, err := chromedp.Run(ctx, chromedp.Evaluate[int](`performance.getEntriesByType('resource').filter(function (e) { return /\/help$/.test(e.name); }).length`))
	if err != nil {
		t.Fatal(err)
	}
	if fetched != 1 {
		t.Fatalf("%d requests for the help call: the console polls", fetched)
	}
}
