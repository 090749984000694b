package web_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRegistryImport: a manager uploads a registry with a bad row
// and sees it listed with its row number (nothing imported), then a good
// one and sees the import finish with its counts.
func TestBrowserRegistryImport(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test")
	}
	e := newHall(t)
	ctx := browser(t)
	if err := login(ctx, e, "manager"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "bad.csv"), filepath.Join(dir, "good.csv")
	os.WriteFile(bad, registryCSV(t, 5, true), 0o600)
	os.WriteFile(good, registryCSV(t, 600, false), 0o600)
	page := fmt.Sprintf("%s/notify/registry?hall=%d&lang=zh-CN", e.HTTP.URL, e.Hall)
	if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitVisible(`#registry-form`),
		chromedp.SetUploadFiles(`#registry-form input[type=file]`, []string{bad}), chromedp.Click(`#registry-form button`),
		chromedp.WaitVisible(`#registry-errors`)); err != nil {
		t.Fatalf("bad registry: %v", err)
	}
	rows, _ := chromedp.Run(ctx, chromedp.Text(`#registry-errors tbody`))
	status, _ := chromedp.Run(ctx, chromedp.Text(`#registry-status`))
	if !strings.Contains(rows, "4") || !strings.Contains(status, "未导入") {
		t.Fatalf("bad rows: %q / %q", rows, status)
	}
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(`#registry-form input[type=file]`, []string{good}), chromedp.Click(`#registry-form button`),
		chromedp.Poll[chromedp.Void](`document.getElementById("registry-status").textContent.indexOf("导入完成") >= 0`)); err != nil {
		t.Fatalf("good registry: %v", err)
	}
	status, _ = chromedp.Run(ctx, chromedp.Text(`#registry-status`))
	if !strings.Contains(status, "600") {
		t.Fatalf("status: %q", status)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.getElementById("registry-progress").value`)); v != 600 {
		t.Fatalf("progress bar at %v", v)
	}
}
