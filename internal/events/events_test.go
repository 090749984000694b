package events

import "testing"

func TestPublishFansOutAndDropsSlow(t *testing.T) {
	b := NewBroker(2)
	fast := b.Subscribe(1)
	all := b.Subscribe(0)
	other := b.Subscribe(2)
	slow := b.Subscribe(1)
	for i := int64(1); i <= 2; i++ {
		b.Publish(Event{ID: i, HallID: 1})
		if e := <-fast.C; e.ID != i {
			t.Fatalf("fast got %d, want %d", e.ID, i)
		}
		if e := <-all.C; e.ID != i {
			t.Fatalf("all-halls subscriber got %d, want %d", e.ID, i)
		}
	}
	b.Publish(Event{ID: 3, HallID: 1}) // slow has 2 buffered: dropped now
	if _, ok := <-slow.C; !ok {
		t.Fatal("slow channel closed before its buffered events were read")
	}
	<-slow.C
	if _, ok := <-slow.C; ok {
		t.Fatal("slow subscriber was not dropped")
	}
	if e := <-fast.C; e.ID != 3 {
		t.Fatalf("fast subscriber missed event 3")
	}
	select {
	case e := <-other.C:
		t.Fatalf("hall 2 received hall 1 event %d", e.ID)
	default:
	}
	if n, _, dropped := b.Stats(); n != 3 || dropped != 1 {
		t.Fatalf("stats: %d subscribers, %d dropped", n, dropped)
	}
	b.Close()
	if _, ok := <-fast.C; ok {
		t.Fatal("Close left a stream open")
	}
}

func TestTapReceivesEveryHallUntilUntapped(t *testing.T) {
	b := NewBroker(1)
	var got []int64
	untap := b.Tap(func(e *Event) { got = append(got, e.ID) })
	b.Publish(Event{ID: 1, HallID: 1})
	b.Publish(Event{ID: 2, HallID: 2})
	b.Publish(Event{ID: 3, HallID: 1}) // a tap has no buffer to overflow
	untap()
	b.Publish(Event{ID: 4, HallID: 1})
	if len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 3 {
		t.Fatalf("tap received %v, want [1 2 3]", got)
	}
	if n, _, dropped := b.Stats(); n != 0 || dropped != 0 {
		t.Fatalf("a tap counted as a subscriber: %d, dropped %d", n, dropped)
	}
}
