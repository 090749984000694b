package web_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"mingbai/internal/cases"
	"mingbai/internal/store"
)

// TestBrowserAcceptanceReceipt: at the window a case with a required
// material missing opens as the one-time notice by default (not 已受理,
// no receipt); chosen as 容缺受理 with a promised date it is accepted, and
// its acceptance receipt, printed to PDF in headless Chromium, shows the
// case number, the applicant's full name and the progress QR code.
func TestBrowserAcceptanceReceipt(t *testing.T) {
	e := newHall(t)
	ctx := browser(t)
	if err := login(ctx, e, "w01"); err != nil {
		t.Fatal(err)
	}
	const item = "RS-A-008" // allows 容缺受理 in the demo catalogue
	fill := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(e.HTTP.URL+"/cases/new?lang=zh-CN&item="+item),
			chromedp.WaitVisible(`form[action="/cases/new"] input[name=name]`),
			chromedp.SetValue(`input[name=name]`, name),
			chromedp.SetValue(`input[name=id_number]`, "11010519491231002X"),
			chromedp.SetValue(`input[name=phone]`, "13812345678"),
			chromedp.SetValue(`select[name="m.社会保障卡"]`, "missing"),
		)
	}
	// The default: the one-time notice, not accepted.
	if err := chromedp.Do(ctx, fill("王小菲"), chromedp.Click(`form[action="/cases/new"] button.primary`), chromedp.WaitVisible(`#notice-link`)); err != nil {
		t.Fatalf("notice: %v", err)
	}
	list, err := e.DB.ListCases(context.Background(), store.CaseFilter{HallID: e.Hall, ItemCode: item})
	if err != nil || len(list) != 1 || list[0].State != cases.Correction {
		t.Fatalf("default with a material missing: %v %+v", err, list)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#receipt-link').length`)); n != 0 {
		t.Error("a case that was not accepted offers a receipt")
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#notice-link`), chromedp.WaitVisible(`.signatures`)); err != nil {
		t.Fatal(err)
	}
	notice, _ := chromedp.Run(ctx, chromedp.Text(`article`))
	if !strings.Contains(notice, "王小菲") || !strings.Contains(notice, "社会保障卡") || !strings.Contains(notice, "申请人（签字）") {
		t.Errorf("notice:\n%s", notice)
	}

	// 容缺受理 with the promised date: accepted, with a receipt.
	if err := chromedp.Do(ctx, fill("李大同"),
		chromedp.Click(`input[name=decision][value=accept_missing]`),
		chromedp.SetValue(`input[name=supply_by]`, e.DB.Now().AddDate(0, 0, 7).Format("2006-01-02")),
		chromedp.Click(`form[action="/cases/new"] button.primary`),
		chromedp.WaitVisible(`#receipt-link`),
		chromedp.Click(`#receipt-link`),
		chromedp.WaitVisible(`#receipt`),
	); err != nil {
		t.Fatalf("accept with missing materials: %v", err)
	}
	list, _ = e.DB.ListCases(context.Background(), store.CaseFilter{HallID: e.Hall, ItemCode: item})
	var accepted store.CaseView
	for _, v := range list {
		if v.State == cases.Accepted {
			accepted = v
		}
	}
	if !accepted.DeferredAccept || accepted.Number == "" {
		t.Fatalf("容缺受理 case: %+v", list)
	}
	qr, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(function(){var i=document.getElementById('progress-qr');return [i.getAttribute('src').slice(0,22), String(i.naturalWidth), i.getAttribute('data-url')];})()`))
	if err != nil || qr[0] != "data:image/png;base64," || qr[1] == "0" || !strings.HasSuffix(qr[2], "/progress?number="+accepted.Number) {
		t.Fatalf("progress QR: %v %v", qr, err)
	}
	res, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (page.PrintToPDFResult, error) {
		return cdp.Call(ctx, tg, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptr(true), PrintBackground: ptr(true)})
	})
	if err != nil || !bytes.HasPrefix(res.Data, []byte("%PDF")) {
		t.Fatalf("print to PDF: %v", err)
	}
	file := filepath.Join(t.TempDir(), "receipt.pdf")
	if err := os.WriteFile(file, res.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	if keep := os.Getenv("MINGBAI_KEEP_PDF"); keep != "" {
		_ = os.WriteFile(keep, res.Data, 0o600)
	}
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed")
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`\s+`).ReplaceAllString(string(out), "")
	for _, want := range []string{accepted.Number, "受理回执", "李大同", "一次性创业补贴申领", "居民身份证", "社会保障卡", accepted.PledgedDue, "/progress", "申请人（签字）"} {
		if !strings.Contains(text, want) {
			t.Errorf("receipt PDF lacks %q", want)
		}
	}
	if info, err := exec.Command("pdfinfo", file).Output(); err == nil {
		if !regexp.MustCompile(`Page size:\s+59[45]`).Match(info) || !regexp.MustCompile(`Pages:\s+1\n`).Match(info) {
			t.Errorf("receipt is not one A4 page:\n%s", info)
		}
	}
	if t.Failed() {
		t.Logf("PDF text:\n%s", out)
	}
}
