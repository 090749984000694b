package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mingbai/internal/feedback"
	"mingbai/internal/hall"
	"mingbai/internal/store"
)

// fbClock gives the server a clock the test moves: a Tuesday 10:00 in the
// hall's zone, after today.
func fbClock(e *hallEnv) *time.Time {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	d := time.Now().In(loc).AddDate(0, 0, 1)
	for d.Weekday() != time.Tuesday {
		d = d.AddDate(0, 0, 1)
	}
	now := time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, loc)
	e.DB.SetClock(func() time.Time { return now })
	return &now
}

// calledTicket issues a ticket for window 1 and calls and starts it there,
// signed in as its clerk; the test finishes it.
func calledTicket(t *testing.T, e *hallEnv) store.Ticket {
	t.Helper()
	ctx := context.Background()
	who := store.Staffer{Username: e.People.Clerk.Username, StaffID: e.People.Clerk.Staff}
	if _, err := e.DB.SignInWindow(ctx, e.Hall, e.People.Clerk.Window, who); err != nil {
		t.Fatal(err)
	}
	iss, err := e.DB.IssueTicket(ctx, store.IssueRequest{HallID: e.Hall, Item: "RS-A-004", Zone: hall.ZoneEmployment, Channel: store.ChannelKiosk})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.CallNext(ctx, store.CallRequest{HallID: e.Hall, WindowID: e.People.Clerk.Window, By: who, TicketID: iss.Ticket.ID, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.ActOnTicket(ctx, store.ActRequest{HallID: e.Hall, TicketID: iss.Ticket.ID, By: who, Action: store.ActStart}); err != nil {
		t.Fatal(err)
	}
	return iss.Ticket
}

// TestBrowserPadRatingToOverdueRectification is the done-when of the
// feedback area: a ticket finished at window 1 makes the window-1 pad ask
// for a rating; a 不满意 opens a rectification that the manager sees as
// overdue after its deadline; the rated staff member sees the rating
// without the rater.
func TestBrowserPadRatingToOverdueRectification(t *testing.T) {
	e := newHall(t)
	now := fbClock(e)
	tk := calledTicket(t, e)
	ctx := browser(t)

	pad := e.Devices["1号窗口评价器"]
	if pad == "" {
		t.Fatal("the demo has no rating pad")
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800), chromedp.Navigate(e.HTTP.URL+"/pad?device="+pad),
		chromedp.WaitVisible(`#pad-idle`), chromedp.WaitVisible(`#pad-name`)); err != nil {
		t.Fatal(err)
	}
	// The page follows the hall stream: wait until it is connected before
	// the ticket is finished, then the pad must ask without a reload.
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#pad-name").textContent.length > 0 && document.body.dataset.live === "1"`)); err != nil {
		t.Fatal(err)
	}
	if st, body := e.do("POST", fmt.Sprintf("/api/v1/tickets/%d/finish", tk.ID), e.tokenOf(e.People.Clerk), map[string]any{}); st != 200 {
		t.Fatalf("finish: %d %s", st, body)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`#pad-ask`)); err != nil {
		t.Fatal(err)
	}
	number, err := chromedp.Run(ctx, chromedp.Text(`#pad-number`))
	if err != nil {
		t.Fatal(err)
	}
	if number != tk.Number {
		t.Errorf("pad asks for %q, want %q", number, tk.Number)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(`.pad-level[data-dim="overall"][data-level="2"]`),
		chromedp.WaitVisible(`#pad-reasons`),
		chromedp.Click(`.pad-reason[data-reason="attitude"]`),
		chromedp.SendKeys(`#pad-text`, "态度生硬"),
		chromedp.Click(`#pad-send`),
		chromedp.WaitVisible(`#pad-thanks`)); err != nil {
		t.Fatal(err)
	}
	xs, err := e.DB.ListRectifications(context.Background(), store.RectFilter{HallID: e.Hall, Open: true})
	if err != nil || len(xs) != 1 || xs[0].Rating.Overall != feedback.Dissatisfied || xs[0].Rating.Channel != feedback.ChannelPad {
		t.Fatalf("rectifications = %+v, %v", xs, err)
	}

	// Before the deadline the manager sees it open, after it overdue.
	if err := login(ctx, e, e.People.Manager.Username); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/feedback/rectifications?lang=zh-CN")); err != nil {
		t.Fatal(err)
	}
	row, err := chromedp.Run(ctx, chromedp.Text(`#fb-rects tbody`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row, "已逾期") || !strings.Contains(row, "不满意") {
		t.Errorf("before the deadline: %q", row)
	}
	// Five working days and a weekend later; the session has expired by
	// then, so the manager signs in again.
	*now = now.AddDate(0, 0, 8)
	if err := login(ctx, e, e.People.Manager.Username); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/feedback/rectifications?lang=zh-CN")); err != nil {
		t.Fatal(err)
	}
	if row, err = chromedp.Run(ctx, chromedp.Text(`#fb-rects tbody`)); err != nil {
		t.Fatal(err)
	}
	overdue, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#fb-rects tr.overdue").length`))
	if err != nil {
		t.Fatal(err)
	}
	if overdue != 1 || !strings.Contains(row, "已逾期") {
		t.Errorf("after the deadline: %d overdue rows, %q", overdue, row)
	}

	// The rated staff member sees the rating and the rectification, never
	// the ticket that would identify the rater.
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if err := login(ctx, e, e.People.Clerk.Username); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/feedback/mine?lang=zh-CN")); err != nil {
		t.Fatal(err)
	}
	mine, err := chromedp.Run(ctx, chromedp.Text(`#fb-mine tbody`))
	if err != nil {
		t.Fatal(err)
	}
	page, err := chromedp.Run(ctx, chromedp.OuterHTML(`main`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mine, "不满意") || !strings.Contains(mine, "态度生硬") {
		t.Errorf("my ratings: %q", mine)
	}
	if strings.Contains(page, tk.Number) || strings.Contains(page, tk.TrackToken) {
		t.Errorf("the staff page identifies the rater: %q", page)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#fb-mine a[href^="/feedback/rectifications/"]`), chromedp.WaitVisible(`#fb-rect-state`)); err != nil {
		t.Fatal(err)
	}
	if page, err = chromedp.Run(ctx, chromedp.OuterHTML(`main`)); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page, tk.Number) || !strings.Contains(page, "已逾期") {
		t.Errorf("the staff member's rectification page: %.400q", page)
	}
}
