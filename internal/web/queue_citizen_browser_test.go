package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

func poll(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second))
}

// click clicks an element of a list the console may re-render meanwhile.
func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`document.querySelector(` + strconv.Quote(sel) + `).click()`)
}

// TestBrowserRemoteTicket: on the phone page a citizen chooses zone and
// item, sends the code, types the code read from the outbox and lands on
// the tracking page showing the number.
func TestBrowserRemoteTicket(t *testing.T) {
	e := newHall(t)
	ctx := browser(t)
	const phone = "13900000042"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/remote?lang=en"),
		chromedp.Click(`a[data-zone="employment"]`),
		chromedp.WaitVisible(`a[data-item="`+itemA+`"]`),
		chromedp.Click(`a[data-item="`+itemA+`"]`),
		chromedp.WaitVisible(`#r-phone`),
		chromedp.SendKeys(`#r-phone`, phone),
		chromedp.Click(`#r-send`),
		chromedp.WaitVisible(`#r-sent`),
	); err != nil {
		t.Fatalf("remote page: %v", err)
	}
	sent, err := chromedp.Run(ctx, chromedp.Text(`#r-sent`))
	if err != nil || !strings.Contains(sent, "139****0042") {
		t.Fatalf("code sent message %q %v", sent, err)
	}
	// A wrong code first: a clear message, still on the form.
	code := e.outboxCode(phone)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`#r-code`, wrong),
		chromedp.Click(`#r-take`),
		chromedp.WaitVisible(`#r-error`),
	); err != nil {
		t.Fatalf("wrong code: %v", err)
	}
	if msg, _ := chromedp.Run(ctx, chromedp.Text(`#r-error`)); !strings.Contains(msg, "SMS code is wrong") {
		t.Fatalf("wrong code message %q", msg)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`#r-code`, code),
		chromedp.Click(`#r-take`),
		chromedp.WaitVisible(`#tr-number`),
	); err != nil {
		t.Fatalf("take ticket: %v", err)
	}
	number, err := chromedp.Run(ctx, chromedp.Text(`#tr-number`))
	if err != nil || number != "A001" {
		t.Fatalf("tracking page number %q %v", number, err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/t/") {
		t.Fatalf("not on the tracking page: %s", loc)
	}
	if html, _ := chromedp.Run(ctx, chromedp.OuterHTML(`body`)); strings.Contains(html, phone) {
		t.Errorf("tracking page shows the phone")
	}
}

// TestBrowserConsoleOutOfTurn: calling a ticket that is not next asks for
// a reason, then calls it and raises an integrity alert; hold and return
// work from the console.
func TestBrowserConsoleOutOfTurn(t *testing.T) {
	e := newHall(t)
	admin := e.token("admin")
	e.issue(admin, map[string]any{"item": itemA})
	second := e.issue(admin, map[string]any{"item": itemA})
	ctx := browser(t)
	if err := login(ctx, e, "w01"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/console?lang=en"),
		chromedp.WaitVisible(`#c-signin`),
		chromedp.Click(`#c-signin`),
		// Signed in (the console shows "open") before anything is called.
		poll(`document.getElementById("c-state").textContent === JSON.parse(document.getElementById("mingbai-msg").textContent)["queue.open"]`),
		poll(`document.querySelectorAll("#c-queue li").length === 2`),
		poll(`document.querySelector("#c-queue li.next") && document.querySelector("#c-queue li.next").textContent.indexOf("A001") === 0`),
		click(`#c-queue li[data-ticket="`+strconv.FormatInt(second.ID, 10)+`"] .c-call-this`),
		chromedp.WaitVisible(`#c-oot`),
	); err != nil {
		t.Fatalf("console: %v", err)
	}
	m, _ := chromedp.Run(ctx, chromedp.Text(`#c-oot-msg`))
	if !strings.Contains(m, "requires a reason") {
		t.Fatalf("out-of-turn message %q", m)
	}
	if cur, _ := chromedp.Run(ctx, chromedp.Text(`#c-number`)); cur != "—" {
		t.Fatalf("called without a reason: %q", cur)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(`#c-oot-reason`, "citizen with a sick child"),
		chromedp.Click(`#c-oot-go`),
		poll(`document.getElementById("c-number").textContent === "A002"`),
		poll(`document.getElementById("c-oot").hidden`),
	); err != nil {
		t.Fatalf("call with reason: %v", err)
	}
	alerts, err := e.DB.ListIntegrityAlerts(context.Background(), e.Hall, true)
	if err != nil || len(alerts) != 1 || !strings.Contains(alerts[0].Detail, "sick child") {
		t.Fatalf("integrity alerts %+v %v", alerts, err)
	}
	// Hold (H), then return from the held list.
	if err := chromedp.Do(ctx,
		chromedp.KeyEvent("h"),
		poll(`document.querySelectorAll("#c-held .c-return").length === 1`),
		click(`#c-held .c-return`),
		poll(`document.querySelectorAll("#c-held li").length === 0 && document.querySelectorAll("#c-queue li").length === 2`),
	); err != nil {
		t.Fatalf("hold and return: %v", err)
	}
	tk, err := e.DB.Ticket(context.Background(), e.Hall, second.ID)
	if err != nil || tk.State != "waiting" {
		t.Fatalf("returned ticket %+v %v", tk, err)
	}
}
