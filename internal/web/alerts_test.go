package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"mingbai/internal/store"
)

// TestAlertsInTheReadersLanguage: an alert is stored as kind and
// parameters and read in the reader's language on the API and the page.
func TestAlertsInTheReadersLanguage(t *testing.T) {
	e := newHall(t)
	err := e.DB.Write(t.Context(), func(tx *store.Tx) error {
		if err := tx.RaiseAlert(store.Alert{HallID: e.Hall, Kind: store.AlertOutOfTurn, Ref: "ticket:1", Actor: "w01",
			Params: map[string]string{"ticket": "A001", "window": "3", "reason": "行动不便"}}); err != nil {
			return err
		}
		return tx.RaiseAlert(store.Alert{HallID: e.Hall, Kind: store.AlertExtraMaterial, Ref: "case:DEMO-1",
			Params: map[string]string{"material": "户口本", "reason": "核对地址"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	auditor := e.tokenOf(e.People.Auditor)
	for _, c := range []struct {
		lang, path string
		want       []string
	}{
		{"en", "/api/v1/integrity-alerts", []string{"Called out of turn", "Window 3 called A001 out of turn; reason: 行动不便", `Asked for \"户口本\"`}},
		{"zh-CN", fmt.Sprintf("/api/v1/halls/%d/integrity-alerts", e.Hall), []string{"不按顺序叫号", "3 号窗口不按顺序叫了 A001 号", "要求了办事指南未列明的材料“户口本”"}},
		{"zh-TW", "/cases/alerts", []string{"不按順序叫號", "3 號窗口不按順序叫了 A001 號", "要求了辦事指南未列明的材料「户口本」"}},
	} {
		r := e.request("GET", c.path, bearer(auditor), header("Accept-Language", c.lang))
		if r.Status != 200 {
			t.Fatalf("%s %s: %d %s", c.lang, c.path, r.Status, r.Body)
		}
		for _, w := range c.want {
			if !strings.Contains(r.Body, w) {
				t.Errorf("%s %s: %q missing in %s", c.lang, c.path, w, r.Body)
			}
		}
		if strings.Contains(c.path, "/api/") {
			var list []store.IntegrityAlert
			if err := json.Unmarshal([]byte(r.Body), &list); err != nil || len(list) != 2 || list[1].Params["ticket"] != "A001" { // newest first
				t.Errorf("%s: %v %+v", c.path, err, list)
			}
		} else if strings.Contains(r.Body, "queue.out_of_turn") || strings.Contains(r.Body, "alert.") {
			t.Errorf("page shows a raw code: %s", r.Body)
		}
	}
}
