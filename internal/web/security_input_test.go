package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"mingbai/internal/hall"
)

// TestBodiesRefuseForeignImmutableAndOutOfRange: numbers outside their
// documented range, a changed hall code, another hall's staff or hall id,
// an id that is not the path's, and unknown item codes in a window's item
// set are refused with a localised message naming the field, and nothing
// is written (issue 9: they used to be accepted or silently dropped).
func TestBodiesRefuseForeignImmutableAndOutOfRange(t *testing.T) {
	e := newHall(t)
	mgr := e.tokenOf(e.People.Manager)
	ctx := t.Context()
	before, err := e.DB.QueueSettings(ctx, e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := e.DB.ListWindows(ctx, e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	w1 := ws[0]
	staff, err := e.DB.ListStaff(ctx, e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	win := func(mod func(*hall.Window)) hall.Window {
		w := w1
		w.Items = append([]string(nil), w1.Items...)
		mod(&w)
		return w
	}
	settings := func(mod func(map[string]any)) map[string]any {
		b, _ := json.Marshal(before)
		var m map[string]any
		json.Unmarshal(b, &m)
		mod(m)
		return m
	}
	hallPath := fmt.Sprintf("/api/v1/halls/%d", e.Hall)
	winPath := fmt.Sprintf("%s/windows/%d", hallPath, w1.ID)
	for _, tc := range []struct {
		name, method, path string
		body               any
		field              string
	}{
		{"negative green_k", "PUT", hallPath + "/queue-settings", settings(func(m map[string]any) { m["green_k"] = -5 }), "green_k"},
		{"huge green_k", "PUT", hallPath + "/queue-settings", `{"policy":"mingbai","green_k":9223372036854775807,"max_recalls":2,"near_ahead":3,"default_cap":5000,"appt_capacity":4,"noshow_limit":3,"noshow_days":90,"noshow_ban_days":30}`, "green_k"},
		{"huge ban days", "PUT", hallPath + "/queue-settings", settings(func(m map[string]any) { m["noshow_ban_days"] = 9223372036854775807 }), "noshow_ban_days"},
		{"huge max_recalls", "PUT", hallPath + "/queue-settings", settings(func(m map[string]any) { m["max_recalls"] = 1000000 }), "max_recalls"},
		{"huge default_cap", "PUT", hallPath + "/queue-settings", settings(func(m map[string]any) { m["default_cap"] = 9223372036854775807 }), "default_cap"},
		{"huge daily cap", "PUT", hallPath + "/item-caps/" + itemA, map[string]any{"daily_cap": 9223372036854775807}, "daily_cap"},
		{"changed hall code", "PUT", hallPath, map[string]any{"code": "renamed", "name": "x", "timezone": "Asia/Shanghai"}, "code"},
		{"another hall's id", "PUT", hallPath, map[string]any{"id": e.Other.ID, "name": "x", "timezone": "Asia/Shanghai"}, "id"},
		{"unknown item code", "PUT", winPath, win(func(w *hall.Window) { w.Items = append(w.Items, "NO-SUCH-ITEM") }), "items"},
		{"another hall's staff", "PUT", winPath, win(func(w *hall.Window) { w.StaffID = e.Other.Clerk.Staff }), "staff_id"},
		{"another hall in the body", "PUT", winPath, win(func(w *hall.Window) { w.HallID = e.Other.ID }), "hall_id"},
		{"another window's id", "PUT", winPath, win(func(w *hall.Window) { w.ID = ws[1].ID }), "id"},
		{"another staff id", "PUT", fmt.Sprintf("%s/staff/%d", hallPath, staff[0].ID), map[string]any{"id": staff[1].ID, "staff_no": "X1", "name": "某人"}, "id"},
		{"zone of another hall", "POST", hallPath + "/zones", map[string]any{"hall_id": e.Other.ID, "code": "z9", "name": "区", "prefix": "Z"}, "hall_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.request(tc.method, tc.path, bearer(mgr), jsonBody(tc.body), header("Accept-Language", "zh-CN"))
			var eb struct {
				Error struct{ Code, Message, Field string }
			}
			json.Unmarshal([]byte(r.Body), &eb)
			if r.Status != 400 || eb.Error.Field != tc.field || !hasHan(eb.Error.Message) {
				t.Errorf("%d %s, want 400 on %s with a Chinese message", r.Status, r.Body, tc.field)
			}
		})
	}
	after, _ := e.DB.QueueSettings(ctx, e.Hall)
	if after != before {
		t.Errorf("settings changed: %+v → %+v", before, after)
	}
	h, _ := e.DB.Hall(ctx, e.Hall)
	if h.Code == "renamed" || h.Name == "x" {
		t.Errorf("hall changed: %+v", h)
	}
	ws2, _ := e.DB.ListWindows(ctx, e.Hall)
	if ws2[0].StaffID != w1.StaffID || len(ws2[0].Items) != len(w1.Items) || ws2[0].HallID != e.Hall {
		t.Errorf("window changed: %+v → %+v", w1, ws2[0])
	}
	// A value inside the range is still accepted, and the description
	// declares the bounds the decoder applies.
	r := e.request("PUT", hallPath+"/queue-settings", bearer(mgr), jsonBody(settings(func(m map[string]any) { m["green_k"] = 3 })))
	if r.Status != 200 {
		t.Fatalf("green_k 3: %d %s", r.Status, r.Body)
	}
	doc := e.request("GET", "/api/v1/openapi.json").Body
	for _, want := range []string{`"green_k":{"maximum":20,"minimum":0,"type":"integer"}`, `"noshow_ban_days":{"maximum":365,"minimum":0,"type":"integer"}`} {
		if !strings.Contains(doc, want) {
			t.Errorf("description lacks %s", want)
		}
	}
}

// TestURLValuesAreClean: a NUL or a text-direction override in a path
// value or a query parameter is refused before it reaches the store (on
// PostgreSQL a NUL in a text parameter was a 500), on reads as on writes.
func TestURLValuesAreClean(t *testing.T) {
	e := newHall(t)
	admin := e.tokenOf(e.People.Admin)
	for _, p := range []string{"/api/v1/items?q=a%00b", "/api/v1/items/a%00b", "/api/v1/track/a%E2%80%AEb", "/api/v1/audit?actor=a%00b", "/api/v1/audit?limit=-5", "/guides?q=" + strings.Repeat("x", 1001)} {
		r := e.request("GET", p, bearer(admin), header("Accept", "application/json"))
		if r.Status != 400 || !strings.Contains(r.Body, `"invalid"`) {
			t.Errorf("GET %s: %d %.200s, want 400", p, r.Status, r.Body)
		}
	}
	if r := e.request("GET", "/api/v1/items?q=%E5%A4%B1%E4%B8%9A", bearer(admin)); r.Status != 200 {
		t.Errorf("a clean search: %d", r.Status)
	}
}
