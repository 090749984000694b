package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// logout signs out through the header's button.
func logout(ctx context.Context) error {

	return chromedp.Do(ctx, chromedp.Click(`form[action="/logout"] button`), chromedp.WaitVisible(`a[href="/login"]`))
}

// TestBrowserGuideEditorReview: a new guide written entirely through the
// editor's form (the live check flags a missing field next to it), returned
// once by the reviewer with a comment that the author sees, corrected and
// published; the history shows both versions and the comment.
func TestBrowserGuideEditorReview(t *testing.T) {
	e := newHall(t)
	ctx := browser(t)
	const code = "RS-E-099"
	const comment = "请补充中心的咨询电话，并写明办理地点的楼层。"
	if err := login(ctx, e, "editor"); err != nil {
		t.Fatal(err)
	}
	set := func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SetValue(sel, v) }
	if err := doSteps(t, ctx,
		chromedp.Navigate(e.HTTP.URL+"/editor/guides/"+code+"?lang=zh-CN"),
		chromedp.WaitVisible(`#guide-form`),
		// Typing in the department while the name is empty: the live check
		// puts the problem under the name field.
		chromedp.SendKeys(`input[name=department]`, "区社会保险事业中心"),
		poll(`(function(){var f=document.querySelector('input[name=name]').parentNode.querySelector('.ferr');return !!f && f.textContent.indexOf('必填')>=0;})()`),
		chromedp.SendKeys(`input[name=name]`, "社保卡照片更换"),
		set(`input[name=name_en]`, "Changing the photo of a social security card"),
		set(`input[name=aliases]`, "换照片、社保卡换照"),
		chromedp.SetValue(`select[name=zone]`, "general"),
		chromedp.SetValue(`select[name=category]`, "public_service"),
		chromedp.SetValue(`select[name=handling]`, "pledged"),
		set(`textarea[name=target_group]`, "持有本市社会保障卡的参保人员"),
		set(`textarea[name=conditions]`, "社会保障卡状态正常\n照片符合制卡要求"),
		// Materials: the first row, then one more through the add button.
		set(`input[name="materials[0].name"]`, "居民身份证"),
		chromedp.Click(`button[data-add=materials]`),
		poll(`!!document.querySelector('input[name="materials[1].name"]')`),
		set(`input[name="materials[1].name"]`, "近期免冠证件照"),
		chromedp.SetValue(`select[name="materials[1].form"]`, "electronic"),
		set(`input[name="materials[1].count"]`, "2"),
		chromedp.SetValue(`select[name="materials[1].requirement"]`, "required"),
		set(`input[name="materials[1].note"]`, "白色背景"),
		chromedp.Click(`input[name=deferred_acceptance]`),
		// Steps: two, the second moved above the first and back.
		set(`input[name="steps[0].title"]`, "受理"),
		set(`textarea[name="steps[0].detail"]`, "窗口核对身份并采集照片"),
		chromedp.Click(`button[data-add=steps]`),
		poll(`!!document.querySelector('input[name="steps[1].title"]')`),
		set(`input[name="steps[1].title"]`, "制卡"),
		chromedp.Click(`ol[data-rows=steps] li:nth-child(2) button[data-up]`),
		poll(`document.querySelector('input[name="steps[0].title"]').value === '制卡'`),
		chromedp.Click(`ol[data-rows=steps] li:nth-child(1) button[data-down]`),
		poll(`document.querySelector('input[name="steps[0].title"]').value === '受理'`),
		set(`input[name="pledged_limit.value"]`, "5"),
		chromedp.Click(`button[data-add=legal_basis]`),
		poll(`!!document.querySelector('input[name="legal_basis[0].title"]')`),
		set(`input[name="legal_basis[0].title"]`, "《社会保障卡管理办法》"),
		set(`input[name="legal_basis[0].article"]`, "第十二条"),
		set(`input[name=location]`, "综合受理区"),
		set(`input[name=hours]`, "工作日 9:00—17:00"),
		set(`input[name=complaint_phones]`, "12345"),
		set(`input[name=consult_phones]`, "12333"),
		chromedp.Click(`input[name=delivery][value=pickup]`),
		chromedp.Click(`button[data-add=faq]`),
		poll(`!!document.querySelector('input[name="faq[0].q"]')`),
		set(`input[name="faq[0].q"]`, "可以委托他人办理吗？"),
		set(`textarea[name="faq[0].a"]`, "可以，受托人携带双方身份证。"),
		set(`input[name=effective_date]`, "2026-12-01"),
		set(`#guide-form input[name=reason]`, "新增事项"),
		// The live preview follows the form.
		chromedp.SendKeys(`input[name=hours]`, " "),
		poll(`document.getElementById('preview').textContent.indexOf('近期免冠证件照') >= 0`),
		chromedp.Click(`#save-form`),
		chromedp.WaitVisible(`#state, main > p.error`),
	); err != nil {
		t.Fatalf("write v1: %v", err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#state').length`)); n == 0 {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll('.error, .ferr')).map(function(e){return (e.previousElementSibling && e.previousElementSibling.name || '') + ': ' + e.textContent}).join('\n')`))
		t.Fatalf("save failed:\n%s", body)
	}
	flash, _ := chromedp.Run(ctx, chromedp.Text(`.flash`))
	if !strings.Contains(flash, "草稿已保存") {
		t.Fatalf("after save: flash %q", flash)
	}
	g, err := e.DB.GuideVersion(context.Background(), code, 1)
	if err != nil {
		t.Fatal(err)
	}
	if it := g.Item; len(it.Materials) != 2 || it.Materials[1].Count != 2 || it.Materials[1].Form != "electronic" || !it.DeferredAcceptance ||
		len(it.Steps) != 2 || it.Steps[0].Title != "受理" || len(it.Conditions) != 2 || len(it.Aliases) != 2 || len(it.FAQ) != 1 || it.PledgedLimit.Value != 5 {
		t.Fatalf("v1 content: %+v", it)
	}

	// The reviewer returns it with a comment.
	if err := logout(ctx); err != nil {
		t.Fatal(err)
	}
	if err := login(ctx, e, "manager"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/editor/guides/"+code+"/versions/1?lang=zh-CN"),
		chromedp.WaitVisible(`#return-form`),
		chromedp.SendKeys(`#return-form textarea[name=comment]`, comment),
		chromedp.Click(`#return`),
		chromedp.WaitVisible(`#returned`),
	); err != nil {
		t.Fatalf("return: %v", err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#publish').length`)); n != 0 {
		t.Fatal("a returned draft still offers publishing")
	}

	// The author sees the comment and corrects the draft through the form.
	if err := logout(ctx); err != nil {
		t.Fatal(err)
	}
	if err := login(ctx, e, "editor"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/editor/guides/"+code+"?lang=zh-CN"),
		chromedp.WaitVisible(`#returned`),
	); err != nil {
		t.Fatal(err)
	}
	seen, _ := chromedp.Run(ctx, chromedp.Text(`#returned`))
	if !strings.Contains(seen, comment) {
		t.Fatalf("author does not see the comment: %q", seen)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(`input[name=consult_phones]`, "12333、0531-87212300"),
		chromedp.SetValue(`input[name=location]`, "综合受理区一楼"),
		chromedp.SetValue(`#guide-form input[name=reason]`, "按审核意见补充咨询电话和楼层"),
		chromedp.Click(`#save-form`),
		chromedp.WaitVisible(`#state`),
	); err != nil {
		t.Fatalf("correct: %v", err)
	}

	// The reviewer publishes the corrected version.
	if err := logout(ctx); err != nil {
		t.Fatal(err)
	}
	if err := login(ctx, e, "manager"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/editor/guides/"+code+"/versions/2?lang=zh-CN"),
		chromedp.WaitVisible(`#publish`),
		chromedp.Evaluate[chromedp.Void](`window.confirm = function(){ return true; }`),
		chromedp.Click(`#publish`),
		chromedp.WaitVisible(`.flash`),
		chromedp.Navigate(e.HTTP.URL+"/editor/guides/"+code+"?lang=zh-CN"),
		chromedp.WaitVisible(`#history`),
	); err != nil {
		t.Fatalf("publish: %v", err)
	}
	history, _ := chromedp.Run(ctx, chromedp.Text(`#history`))
	for _, want := range []string{"v1", "v2", "已退回", "已发布", comment, "manager"} {
		if !strings.Contains(history, want) {
			t.Errorf("history lacks %q:\n%s", want, history)
		}
	}
	pub, err := e.DB.PublishedGuide(context.Background(), code)
	if err != nil || pub.Version.Number != 2 || pub.Item.Location != "综合受理区一楼" || len(pub.Item.ConsultPhones) != 2 {
		t.Fatalf("published %+v %v", pub.Version, err)
	}
}

// doSteps runs actions one by one and names the one that failed.
func doSteps(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) error {
	t.Helper()
	for i, st := range steps {
		if err := chromedp.Do(ctx, st); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
	}
	return nil
}
