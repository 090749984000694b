package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshot saves a PNG of the page to $MINGBAI_SCREENSHOTS (or the
// test's temporary directory) and fails when the capture fails.
func screenshot(t *testing.T, ctx context.Context, name string) string {
	t.Helper()
	dir := os.Getenv("MINGBAI_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if len(png) < 1000 {
		t.Fatalf("screenshot %s: %d bytes", name, len(png))
	}
	file := filepath.Join(dir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestBrowserConsoleClerk: the console at 1366×768 shows item names, not
// codes; every action (call, recall, transfer, pause) confirms itself in a
// toast in the clerk's wording; the pause button is labelled; 受理办件
// opens the case form with the ticket's item and ticket filled in.
func TestBrowserConsoleClerk(t *testing.T) {
	e := newHall(t)
	ctx := browser(t)
	first := e.issue("", map[string]any{"item": itemA})
	e.issue("", map[string]any{"item": "RS-E-001"})
	if err := login(ctx, e, "w01"); err != nil {
		t.Fatal(err)
	}
	toast := func(want string) chromedp.Action[chromedp.Void] {
		return poll(`(function(){var el=document.getElementById('c-toast');return !el.hidden && el.textContent.indexOf(` + jsString(want) + `)>=0;})()`)
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(e.HTTP.URL+"/console?lang=zh-CN"),
		chromedp.WaitVisible(`#c-signin`),
		chromedp.Click(`#c-signin`),
		toast("已在1 号窗口签到"),
		poll(`document.getElementById('c-queue').textContent.indexOf('就业登记') >= 0`),
		chromedp.KeyEvent("n"),
		toast("已叫号 "+first.Number),
		poll(`document.getElementById('c-item').textContent === '就业登记'`),
		chromedp.KeyEvent("r"),
		toast("已重呼 "+first.Number+"（第 1 次）"),
	); err != nil {
		t.Fatalf("call and recall: %v", err)
	}
	screenshot(t, ctx, "console-1366x768-called")
	body, _ := chromedp.Run(ctx, chromedp.Text(`#console`))
	if strings.Contains(body, "RS-A-001") || strings.Contains(body, "RS-E-001") || strings.Contains(body, "❚❚") {
		t.Errorf("console shows codes or a bare pause glyph:\n%s", body)
	}
	for _, want := range []string{"暂停服务", "已叫号，等候群众到窗口", "个人权益记录查询打印"} {
		if !strings.Contains(body, want) {
			t.Errorf("console lacks %q:\n%s", want, body)
		}
	}
	href, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('c-accept').getAttribute('href')`))
	if !strings.Contains(href, "item=RS-A-001") || !strings.Contains(href, "ticket=") {
		t.Errorf("accept link %q", href)
	}
	// Start, transfer to another item, pause and resume: each is confirmed.
	if err := chromedp.Do(ctx,
		chromedp.KeyEvent("s"),
		toast(first.Number+" 开始办理"),
		chromedp.SetValue(`#c-transfer-item`, "RS-E-001"),
		chromedp.KeyEvent("t"),
		toast("已转办到“个人权益记录查询打印”"),
		chromedp.KeyEvent("p"),
		toast("已暂停服务"),
		poll(`document.getElementById('c-pause-label').textContent === '恢复服务'`),
	); err != nil {
		t.Fatalf("transfer and pause: %v", err)
	}
	screenshot(t, ctx, "console-1366x768-paused")
	if err := chromedp.Do(ctx,
		chromedp.KeyEvent("p"),
		toast("已恢复服务"),
		chromedp.KeyEvent("n"),
		poll(`!document.getElementById('c-accept').hidden`),
		chromedp.KeyEvent("s"),
		chromedp.Click(`#c-accept`),
		chromedp.WaitVisible(`form[action="/cases/new"]`),
	); err != nil {
		t.Fatalf("accept a case: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search`))
	if !strings.Contains(loc, "ticket=") || !strings.Contains(loc, "item=RS-") {
		t.Errorf("case form opened with %q", loc)
	}
	item, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('[name=item_code]')||{}).value||''`))
	ticket, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('[name=ticket_id]')||{}).value||''`))
	if !strings.HasPrefix(item, "RS-") || ticket == "" {
		t.Errorf("case form not pre-filled: item %q ticket %q", item, ticket)
	}
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
