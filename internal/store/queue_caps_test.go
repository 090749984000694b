package store_test

import (
	"sync"
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/store"
)

// TestDailyCapsHoldInGroups issues two capped items at once, so that the
// grouped issues first pass on the bound of the day's counters (below the
// caps) and then count every item in one read, and checks that exactly
// the cap's number of tickets came out for each; then a transfer moves a
// ticket from one item to the other, and the caps count it where it went.
func TestDailyCapsHoldInGroups(t *testing.T) {
	db, _, hallID, w0 := etaHall(t)
	windows, err := db.ListWindows(ctx, hallID)
	if err != nil {
		t.Fatal(err)
	}
	itemA := w0.Items[0]
	var itemB string
	var zoneB string
	for _, w := range windows {
		for _, it := range w.Items {
			if it != itemA && itemB == "" {
				itemB, zoneB = it, w.Zone
			}
		}
	}
	if itemB == "" {
		t.Fatal("the demo hall offers one item only")
	}
	const capA, capB = 6, 4
	if err := db.SetItemCap(ctx, hallID, itemA, capA); err != nil {
		t.Fatal(err)
	}
	if err := db.SetItemCap(ctx, hallID, itemB, capB); err != nil {
		t.Fatal(err)
	}
	issueOf := func(item, zone string) (store.Issued, error) {
		return db.IssueTicket(ctx, store.IssueRequest{HallID: hallID, Item: item, Zone: zone, Channel: store.ChannelKiosk})
	}
	var mu sync.Mutex
	got := map[string][]store.Issued{}
	var wg sync.WaitGroup
	for i := 0; i < 40; i++ {
		item, zone := itemA, w0.Zone
		if i%2 == 1 {
			item, zone = itemB, zoneB
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := issueOf(item, zone)
			switch {
			case err == nil:
				mu.Lock()
				got[item] = append(got[item], res)
				mu.Unlock()
			case apperr.As(err) == nil || apperr.As(err).Key != "queue.cap_reached":
				t.Errorf("issue %s: %v", item, err)
			}
		}()
	}
	wg.Wait()
	if len(got[itemA]) != capA || len(got[itemB]) != capB {
		t.Fatalf("issued %d of %s (cap %d) and %d of %s (cap %d)", len(got[itemA]), itemA, capA, len(got[itemB]), itemB, capB)
	}
	wantCap := func(item, zone string) {
		t.Helper()
		if _, err := issueOf(item, zone); apperr.As(err) == nil || apperr.As(err).Key != "queue.cap_reached" {
			t.Fatalf("issue of %s at its cap: %v", item, err)
		}
	}
	wantCap(itemA, w0.Zone)
	wantCap(itemB, zoneB)

	// One ticket of A goes to B: A has room for one more, B none.
	by := store.Staffer{Username: "tester", StaffID: w0.StaffID}
	moved := got[itemA][0].Ticket
	if _, err := db.CallNext(ctx, store.CallRequest{HallID: hallID, WindowID: w0.ID, By: by, TicketID: moved.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ActOnTicket(ctx, store.ActRequest{HallID: hallID, TicketID: moved.ID, By: by, Action: store.ActTransfer, Item: itemB, Zone: zoneB}); err != nil {
		t.Fatal(err)
	}
	if _, err := issueOf(itemA, w0.Zone); err != nil {
		t.Fatalf("issue of %s after a transfer out: %v", itemA, err)
	}
	wantCap(itemA, w0.Zone)
	wantCap(itemB, zoneB)
}
