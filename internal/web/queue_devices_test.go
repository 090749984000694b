package web_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestKioskClosedHallScreen: outside the hours of ticket issue the kiosk
// shows the closed-hall screen with the hours, and no buttons.
func TestKioskClosedHallScreen(t *testing.T) {
	e := newHall(t)
	ctx := context.Background()
	h, err := e.DB.Hall(ctx, e.Hall)
	if err != nil {
		t.Fatal(err)
	}
	h.Hours.AlwaysOpen = false
	if _, err := e.DB.UpdateHall(ctx, h); err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	e.DB.SetClock(func() time.Time { return time.Date(2026, 3, 4, 3, 0, 0, 0, loc) }) // a Wednesday, 03:00
	status, body := e.do("GET", "/kiosk?lang=zh-CN", "", nil)
	if status != 200 || !strings.Contains(string(body), "大厅现在不取号") || !strings.Contains(string(body), "08:30") || strings.Contains(string(body), `id="k-home"`) {
		t.Fatalf("closed kiosk: %d\n%s", status, body)
	}
	e.DB.SetClock(func() time.Time { return time.Date(2026, 3, 4, 10, 0, 0, 0, loc) })
	if _, body := e.do("GET", "/kiosk?lang=zh-CN", "", nil); !strings.Contains(string(body), `id="k-home"`) {
		t.Fatal("open kiosk shows no zones")
	}
}

// TestTicketAndTrackCarryHallTime: what the ticket and the tracking page
// print comes from the server in the hall's time zone, with the item's
// name, the hall and its address, and no personal data.
func TestTicketAndTrackCarryHallTime(t *testing.T) {
	e := newHall(t)
	e.signIn(1)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	// 23:30 UTC is 07:30 the next day in the hall.
	e.DB.SetClock(func() time.Time { return time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC) })
	status, b := e.do("POST", "/api/v1/tickets?lang=zh-CN", "", map[string]any{"item": itemA, "hall": e.Hall, "phone": "", "idempotency_key": "ht"})
	if status != 201 {
		t.Fatalf("issue: %d %s", status, b)
	}
	var tk struct {
		IssuedAtText string `json:"issued_at_text"`
		Hall         string `json:"hall"`
		TrackURL     string `json:"track_url"`
	}
	if err := json.Unmarshal(b, &tk); err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 4, 23, 30, 0, 0, time.UTC).In(loc).Format("2006-01-02 15:04"); tk.IssuedAtText != want || tk.IssuedAtText != "2026-03-05 07:30" {
		t.Errorf("issued_at_text %q, want %q", tk.IssuedAtText, want)
	}
	if tk.Hall == "" {
		t.Error("no hall name on the ticket")
	}
	token := tk.TrackURL[strings.Index(tk.TrackURL, "/t/")+3:]
	status, b = e.do("GET", "/api/v1/track/"+token, "", nil)
	if status != 200 {
		t.Fatalf("track: %d %s", status, b)
	}
	var tr map[string]any
	_ = json.Unmarshal(b, &tr)
	for _, k := range []string{"item_name", "hall", "address", "issued_at_text"} {
		if s, _ := tr[k].(string); s == "" {
			t.Errorf("tracking view lacks %s: %s", k, b)
		}
	}
	if tr["issued_at_text"] != "2026-03-05 07:30" {
		t.Errorf("tracking time %v", tr["issued_at_text"])
	}
}

// TestDevicePagesHaveNoInlineScript: the kiosk, screens and tracking page
// run under a strict Content-Security-Policy: no inline script, no inline
// handler, no javascript: links; data reaches the scripts in JSON blocks.
func TestDevicePagesHaveNoInlineScript(t *testing.T) {
	handler := regexp.MustCompile(`\son[a-z]+\s*=`)
	err := fs.WalkDir(os.DirFS("templates"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch p {
		case "kiosk.html", "kiosk_guides.html", "screen_hall.html", "screen_window.html", "track.html", "guide.html":
		default:
			return nil
		}
		b, err := os.ReadFile(filepath.Join("templates", p))
		if err != nil {
			return err
		}
		s := string(b)
		for _, m := range regexp.MustCompile(`<script[^>]*>`).FindAllString(s, -1) {
			if !strings.Contains(m, "src=") && !strings.Contains(m, `type="application/json"`) {
				t.Errorf("%s: inline script %s", p, m)
			}
		}
		if handler.MatchString(s) || strings.Contains(s, "javascript:") {
			t.Errorf("%s: inline handler or javascript: link", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
