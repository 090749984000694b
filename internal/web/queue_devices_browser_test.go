package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"mingbai/internal/store"
)

// The public devices at their real sizes: the kiosk in portrait (1080×1920)
// and landscape (1920×1080), the hall display (1920×1080), the phone page
// (390×844), and the kiosk's ticket printed to PDF. Screenshots go to
// $MINGBAI_SCREENSHOTS when set (to look at them), else to a temporary
// directory.

func artifacts(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("MINGBAI_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func viewport(w, h int64, opts ...chromedp.EmulateViewportOption) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(w, h, opts...)
}

// timezone makes the browser believe it runs in another zone: what the
// pages show must not change (times come from the server, in the hall's).
func timezone(tz string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: tz})
		return err
	})
}

// minHeight returns the smallest rendered height of the visible elements
// matching sel.
func minHeight(ctx context.Context, t *testing.T, sel string) float64 {
	t.Helper()
	h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Math.min.apply(null, Array.prototype.map.call(document.querySelectorAll(`+strconv.Quote(sel)+`),
		function (e) { var r = e.getBoundingClientRect(); return r.height > 0 ? r.height : 1e9; }))`))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// onScreen reports whether the element is entirely inside the viewport.
func onScreen(ctx context.Context, t *testing.T, sel string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var e=document.querySelector(`+strconv.Quote(sel)+`); if(!e) return false;
		var r=e.getBoundingClientRect(); return r.height>0 && r.top>=0 && r.bottom<=window.innerHeight && r.left>=0 && r.right<=window.innerWidth;})()`))
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// TestBrowserKioskPortraitTicket80mm: on a 1080×1920 kiosk whose browser
// runs in UTC, a citizen picks a zone, pages through its 26 items with 返回
// always on screen, takes a ticket; the ticket shows the server's time in
// the hall's zone; printed to PDF it is one page 80 mm wide with the hall
// name and the number each on one line.
func TestBrowserKioskPortraitTicket80mm(t *testing.T) {
	e := newHall(t)
	e.signIn(5)
	ctx := browser(t)
	dir := artifacts(t)
	if err := chromedp.Do(ctx, viewport(1080, 1920, chromedp.EmulatePortrait), timezone("America/Los_Angeles"),
		chromedp.Navigate(e.HTTP.URL+"/kiosk?lang=zh-CN"), chromedp.WaitVisible(`#k-home`), poll(`document.getElementById("k-clock").textContent.length > 0`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, dir, "kiosk-portrait-home")
	if h := minHeight(ctx, t, ".k-zone, .k-tile"); h < 120 {
		t.Errorf("home buttons %v px high, want at least 120", h)
	}
	// The kiosk's clock is the hall's (Asia/Shanghai), not the browser's.
	clock, err := chromedp.Run(ctx, chromedp.Text(`#k-clock`))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Now().In(mustShanghai(t)).Format("2006-01-02"); !strings.HasPrefix(clock, want) {
		t.Errorf("kiosk clock %q, want the hall's date %s", clock, want)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`.k-zone[data-zone="social_insurance"]`), chromedp.WaitVisible(`.k-items[data-zone="social_insurance"]`),
		poll(`!document.getElementById("k-next").hidden`)); err != nil {
		t.Fatalf("social insurance items: %v", err)
	}
	shot(t, ctx, dir, "kiosk-portrait-items")
	if h := minHeight(ctx, t, `.k-items[data-zone="social_insurance"] .k-pick`); h < 120 {
		t.Errorf("item buttons %v px high, want at least 120", h)
	}
	if !onScreen(ctx, t, "#k-back") || !onScreen(ctx, t, "#k-next") {
		t.Fatal("返回 or 下一页 is off screen with the long item list")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#k-next`), poll(`document.getElementById("k-prev").disabled === false`)); err != nil {
		t.Fatal(err)
	}
	if !onScreen(ctx, t, "#k-back") {
		t.Fatal("返回 scrolled away on page 2")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#k-back`), chromedp.WaitVisible(`#k-home`),
		chromedp.Click(`.k-zone[data-zone="social_insurance"]`), chromedp.WaitVisible(`.k-pick[data-item="RS-B-001"]`),
		chromedp.Click(`.k-pick[data-item="RS-B-001"]`), chromedp.WaitVisible(`#k-green`)); err != nil {
		t.Fatal(err)
	}
	if h := minHeight(ctx, t, "#k-green .k-prio"); h < 120 {
		t.Errorf("green-channel buttons %v px high", h)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`.k-prio[data-prio=""]`), chromedp.WaitVisible(`#t-number`),
		poll(`document.getElementById("t-qr").complete && document.getElementById("t-qr").naturalWidth > 0`)); err != nil {
		t.Fatalf("ticket: %v", err)
	}
	shot(t, ctx, dir, "kiosk-portrait-ticket")
	number, _ := chromedp.Run(ctx, chromedp.Text(`#t-number`))
	printed, _ := chromedp.Run(ctx, chromedp.Text(`#t-time`))
	tk, err := e.ticketByNumber(number)
	if err != nil {
		t.Fatal(err)
	}
	wantTime := time.UnixMilli(tk.IssuedAt).In(mustShanghai(t)).Format("2006-01-02 15:04")
	if !strings.Contains(printed, wantTime) {
		t.Errorf("ticket time %q, want the hall's %s (browser in Los Angeles)", printed, wantTime)
	}
	note, _ := chromedp.Run(ctx, chromedp.Text(`#k-printnote`))
	if strings.Contains(note, "已打印") || note == "" {
		t.Errorf("print note %q: must never claim a ticket was printed", note)
	}

	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ticket.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	info, err := exec.Command("pdfinfo", path).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(string(info))
	if m == nil {
		t.Fatalf("pdfinfo: %s", info)
	}
	w, _ := strconv.ParseFloat(m[1], 64)
	h, _ := strconv.ParseFloat(m[2], 64)
	if mm := w / 72 * 25.4; mm < 79.5 || mm > 80.5 {
		t.Errorf("ticket page %.1f mm wide, want 80", mm)
	}
	if mm := h / 72 * 25.4; mm < 60 || mm > 200 {
		t.Errorf("ticket page %.1f mm long", mm)
	}
	if !strings.Contains(string(info), "Pages:           1") {
		t.Errorf("ticket prints on more than one page:\n%s", info)
	}
	txt, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	lines := map[string]bool{}
	for _, l := range strings.Split(string(txt), "\n") {
		lines[strings.TrimSpace(l)] = true
	}
	hallName := "示范区人力资源和社会保障局综合服务大厅"
	if !lines[hallName] {
		t.Errorf("the hall name is not on one line of the ticket:\n%s", txt)
	}
	if !lines[number] {
		t.Errorf("the number %s is not on a line of its own:\n%s", number, txt)
	}
	if !strings.Contains(string(txt), wantTime) {
		t.Errorf("printed time missing (%s):\n%s", wantTime, txt)
	}
}

// ticketByNumber finds one of today's few test tickets by its number.
func (e *hallEnv) ticketByNumber(number string) (store.Ticket, error) {
	for id := int64(1); id < 500; id++ {
		tk, err := e.DB.Ticket(context.Background(), e.Hall, id)
		if err == nil && tk.HallID == e.Hall && tk.Number == number {
			return tk, nil
		}
	}
	return store.Ticket{}, fmt.Errorf("no ticket %s", number)
}

func mustShanghai(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestBrowserKioskLandscapeSearchAndGuide: on a 1920×1080 kiosk, search by
// pinyin initials on the on-screen keyboard, open a guide inside the kiosk
// and take a ticket from its big 取号; a wrong check-in code says so in
// words.
func TestBrowserKioskLandscapeSearchAndGuide(t *testing.T) {
	e := newHall(t)
	e.signIn(17)
	ctx := browser(t)
	dir := artifacts(t)
	if err := chromedp.Do(ctx, viewport(1920, 1080, chromedp.EmulateLandscape),
		chromedp.Navigate(e.HTTP.URL+"/kiosk?lang=zh-CN"), chromedp.WaitVisible(`#k-home`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, dir, "kiosk-landscape-home")
	if err := chromedp.Do(ctx, chromedp.Click(`.k-zone[data-zone="social_insurance"]`), chromedp.WaitVisible(`.k-items[data-zone="social_insurance"]`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, dir, "kiosk-landscape-items")
	if !onScreen(ctx, t, "#k-back") {
		t.Fatal("返回 off screen in landscape")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#k-back`), chromedp.Click(`#k-go-search`), chromedp.WaitVisible(`#k-search`),
		chromedp.Click(`#k-search .k-key[data-key="S"]`), chromedp.Click(`#k-search .k-key[data-key="B"]`), chromedp.Click(`#k-search .k-key[data-key="K"]`),
		poll(`document.querySelectorAll("#k-results .k-pick").length > 0`)); err != nil {
		t.Fatalf("search SBK: %v", err)
	}
	shot(t, ctx, dir, "kiosk-landscape-search")
	names, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.prototype.map.call(document.querySelectorAll("#k-results .k-pick"), function(b){return b.textContent;}).join("|")`))
	if err != nil || !strings.Contains(names, "社会保障卡") {
		t.Fatalf("SBK found %q %v", names, err)
	}
	// The guide opens in the kiosk; its 取号 comes back with the item chosen.
	if err := chromedp.Do(ctx, chromedp.Click(`#k-results .k-guide`), chromedp.WaitVisible(`.k-take`)); err != nil {
		t.Fatalf("guide in the kiosk: %v", err)
	}
	shot(t, ctx, dir, "kiosk-landscape-guide")
	if h := minHeight(ctx, t, ".k-take"); h < 120 {
		t.Errorf("取号 on the guide is %v px high", h)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`.k-take`), chromedp.WaitVisible(`#k-green`)); err != nil {
		t.Fatalf("取号 from the guide: %v", err)
	}
	item, _ := chromedp.Run(ctx, chromedp.Text(`#k-green-item`))
	if !strings.Contains(item, "社会保障卡") {
		t.Errorf("item after 取号: %q", item)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#k-back`), chromedp.WaitVisible(`#k-home`), chromedp.Click(`#k-go-checkin`), chromedp.WaitVisible(`#k-checkin`),
		chromedp.Click(`#k-checkin .k-key[data-key="A"]`), chromedp.Click(`#k-checkin .k-key[data-key="7"]`),
		chromedp.Click(`#k-checkin-go`), chromedp.WaitVisible(`#k-error`)); err != nil {
		t.Fatalf("check-in: %v", err)
	}
	msg, _ := chromedp.Run(ctx, chromedp.Text(`#k-error`))
	if msg == "" || strings.Contains(msg, "queue.") || strings.Contains(msg, "err.") {
		t.Errorf("wrong check-in code: %q", msg)
	}
	shot(t, ctx, dir, "kiosk-landscape-checkin")
}

// TestBrowserHallDisplayFillsTheScreen: the 1920×1080 hall display shows
// the latest call large and the seven before it, a recall marked, waiting
// per zone and the duty-leader slot; the voice overlay appears while sound
// is blocked and goes with one click. A window screen says closed while
// nobody is signed in, and shows the clerk once someone is.
func TestBrowserHallDisplayFillsTheScreen(t *testing.T) {
	e := newHall(t)
	toks := map[int]string{}
	for _, n := range []int{1, 5, 6, 7, 8, 10, 11, 17} {
		toks[n] = e.signIn(n)
	}
	for i := 0; i < 12; i++ {
		item := []string{itemA, "RS-B-001", "RS-E-001"}[i%3]
		e.issue("", map[string]any{"item": item, "hall": e.Hall, "idempotency_key": fmt.Sprint("d", i)})
	}
	var last ticketJSON
	prev := int64(0)
	for _, n := range []int{1, 5, 6, 7, 8, 10, 11, 17} {
		// The display orders calls by their time in milliseconds (ties by
		// ticket id): each call is made in a later millisecond than the one
		// before, as calls at different windows are in a hall.
		for time.Now().UnixMilli() <= prev {
			time.Sleep(100 * time.Microsecond)
		}
		status, tk, body := e.call(n, toks[n])
		prev = time.Now().UnixMilli()
		if status != 200 {
			t.Fatalf("call at %d: %d %s", n, status, body)
		}
		last = tk
	}
	if status, b := e.act(toks[17], last.ID, "recall", nil); status != 200 {
		t.Fatalf("recall: %d %s", status, b)
	}
	ctx := browser(t)
	dir := artifacts(t)
	if err := chromedp.Do(ctx, viewport(1920, 1080, chromedp.EmulateLandscape), timezone("UTC"),
		chromedp.Navigate(fmt.Sprintf("%s/screens/hall/%d?lang=zh-CN", e.HTTP.URL, e.Hall)),
		poll(`document.querySelectorAll("#calls li").length === 7 && document.querySelectorAll("#zones tr").length === 5`)); err != nil {
		t.Fatalf("hall display: %v", err)
	}
	blocked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.mingbaiQ.audioCtx().state === "suspended"`))
	if err != nil {
		t.Fatal(err)
	}
	overlay, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("s-voice").hidden`))
	if overlay != blocked {
		t.Fatalf("voice overlay shown %v while sound blocked %v", overlay, blocked)
	}
	if overlay {
		shot(t, ctx, dir, "display-voice-overlay")
		if err := chromedp.Do(ctx, chromedp.Click(`#s-voice-on`), poll(`document.getElementById("s-voice").hidden`)); err != nil {
			t.Fatalf("voice overlay did not go: %v", err)
		}
	}
	shot(t, ctx, dir, "display-hall")
	latest, _ := chromedp.Run(ctx, chromedp.Text(`#s-latest-num`))
	if latest != last.Number {
		t.Errorf("latest call %q, want %s", latest, last.Number)
	}
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.getElementById("s-latest-recall").hidden`)); !ok {
		t.Error("the recall of the latest call is not marked")
	}
	if !onScreen(ctx, t, "#calls li:last-child") || !onScreen(ctx, t, ".leader") {
		t.Error("the call list or the duty-leader slot does not fit the screen")
	}
	clock, _ := chromedp.Run(ctx, chromedp.Text(`#s-clock`))
	if want := time.Now().In(mustShanghai(t)).Format("15:04"); clock != want && clock != time.Now().Add(-time.Minute).In(mustShanghai(t)).Format("15:04") {
		t.Errorf("display clock %q, want the hall's %s (browser in UTC)", clock, want)
	}

	// Window 2: nobody signed in. Window 1: 李明 serving.
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/screens/window/%d", e.HTTP.URL, e.windowID(2))), chromedp.WaitVisible(`#w-closed`)); err != nil {
		t.Fatalf("closed window screen: %v", err)
	}
	if err := chromedp.Do(ctx, poll(`document.getElementById("w-staff").hidden`)); err != nil {
		t.Fatal("a closed window shows a clerk")
	}
	dismissVoice(ctx, t)
	shot(t, ctx, dir, "display-window-closed")
	if err := chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/screens/window/%d", e.HTTP.URL, e.windowID(1))), chromedp.WaitVisible(`#w-staff`),
		poll(`document.getElementById("w-name").textContent.length > 0 && document.getElementById("w-closed").hidden`)); err != nil {
		t.Fatalf("open window screen: %v", err)
	}
	dismissVoice(ctx, t)
	shot(t, ctx, dir, "display-window-open")
}

// dismissVoice clicks the "turn on voice" overlay away when it is there.
func dismissVoice(ctx context.Context, t *testing.T) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`(function(){var o=document.getElementById("s-voice"); if (o && !o.hidden) document.getElementById("s-voice-on").click();})()`),
		poll(`document.getElementById("s-voice").hidden`)); err != nil {
		t.Fatalf("voice overlay: %v", err)
	}
}

// TestBrowserPhoneTracking: on a 390×844 phone the tracking page shows the
// item, hall and address, does not scroll sideways, turns into a strong
// "轮到您了" (vibrating where allowed) when called, and cancels only after a
// confirmation.
func TestBrowserPhoneTracking(t *testing.T) {
	e := newHall(t)
	tok := e.signIn(1)
	first := e.issue("", map[string]any{"item": itemA, "hall": e.Hall, "idempotency_key": "p1"})
	mine := e.issue("", map[string]any{"item": itemA, "hall": e.Hall, "idempotency_key": "p2"})
	ctx := browser(t)
	dir := artifacts(t)
	phone := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1), chromedp.EmulatePortrait, chromedp.EmulateMobile, chromedp.EmulateTouch}
	if err := chromedp.Do(ctx, viewport(390, 844, phone...), chromedp.Navigate(mine.TrackURL+"?lang=zh-CN"), chromedp.WaitVisible(`#tr-number`),
		poll(`document.getElementById("tr-ahead").textContent.length > 0`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, dir, "phone-waiting")
	page, _ := chromedp.Run(ctx, chromedp.Text(`main`))
	for _, want := range []string{"就业登记", "示范区人力资源和社会保障局综合服务大厅", "人民路 88 号"} {
		if !strings.Contains(page, want) {
			t.Errorf("tracking page lacks %q:\n%s", want, page)
		}
	}
	if wide, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); wide {
		t.Error("the tracking page scrolls sideways on a 390 px phone")
	}
	// Called: the page changes colour, says so, and vibrates.
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`navigator.vibrate = function (p) { window.vibrated = p; return true; }`)); err != nil {
		t.Fatal(err)
	}
	if status, _, b := e.call(1, tok); status != 200 || !strings.Contains(b, first.Number) {
		t.Fatalf("call: %d %s", status, b)
	}
	if status, b := e.act(tok, first.ID, "finish", nil); status != 200 {
		t.Fatalf("finish: %d %s", status, b)
	}
	if status, _, b := e.call(1, tok); status != 200 || !strings.Contains(b, mine.Number) {
		t.Fatalf("call mine: %d %s", status, b)
	}
	if err := chromedp.Do(ctx, poll(`document.body.classList.contains("tr-called") && !!window.vibrated`)); err != nil {
		t.Fatalf("not shown as called: %v", err)
	}
	state, _ := chromedp.Run(ctx, chromedp.Text(`#tr-state`))
	ahead, _ := chromedp.Run(ctx, chromedp.Text(`#tr-ahead`))
	if !strings.Contains(state, "轮到您了") || !strings.Contains(ahead, "1 号窗口") {
		t.Errorf("called state %q / %q", state, ahead)
	}
	shot(t, ctx, dir, "phone-called")

	// Cancel asks first; "keep my place" keeps it.
	other := e.issue("", map[string]any{"item": itemA, "hall": e.Hall, "idempotency_key": "p3"})
	if err := chromedp.Do(ctx, chromedp.Navigate(other.TrackURL+"?lang=zh-CN"), chromedp.WaitVisible(`#tr-cancel`), chromedp.Click(`#tr-cancel`), chromedp.WaitVisible(`#tr-confirm`)); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, dir, "phone-cancel-confirm")
	if err := chromedp.Do(ctx, chromedp.Click(`#tr-cancel-no`), poll(`document.getElementById("tr-confirm").hidden`)); err != nil {
		t.Fatal(err)
	}
	if tk, _ := e.ticketByNumber(other.Number); tk.State != "waiting" {
		t.Fatalf("kept ticket is %s", tk.State)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#tr-cancel`), chromedp.WaitVisible(`#tr-cancel-yes`), chromedp.Click(`#tr-cancel-yes`),
		poll(`document.getElementById("tr-cancel").hidden`)); err != nil {
		t.Fatal(err)
	}
	if tk, _ := e.ticketByNumber(other.Number); tk.State != "cancelled" {
		t.Fatalf("cancelled ticket is %s", tk.State)
	}
}
