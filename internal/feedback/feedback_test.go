package feedback

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"mingbai/internal/apperr"
	"mingbai/internal/workday"
)

func TestOrderDoneWhen(t *testing.T) {
	var ids []string
	for i := 1; i <= 10; i++ {
		ids = append(ids, fmt.Sprintf("L%04d", i))
	}
	got := Order("demo-seed-2024", ids)
	if want := []string{"L0008", "L0003", "L0009"}; strings.Join(got[:3], ",") != strings.Join(want, ",") {
		t.Fatalf("first three = %v, want %v (full order %v)", got[:3], want, got)
	}
	// Reordering the input changes nothing; another seed gives another order.
	rev := append([]string(nil), ids...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	if a, b := strings.Join(Order("demo-seed-2024", rev), ","), strings.Join(got, ","); a != b {
		t.Errorf("order depends on input order: %s vs %s", a, b)
	}
	if a := strings.Join(Order("demo-seed-2025", ids), ","); a == strings.Join(got, ",") {
		t.Errorf("another seed gives the same order %s", a)
	}
}

func TestAllocate(t *testing.T) {
	for _, c := range []struct {
		n      int
		sizes  []int
		method Allocation
		min    int
		want   string
		err    string
	}{
		{385, []int{1200, 500, 180, 40}, ProportionalWithMin, 30, "227/94/34/30", ""},
		{385, []int{1200, 500, 180, 40}, Proportional, 0, "241/100/36/8", ""},
		{385, []int{1200, 500, 180, 40}, Equal, 0, "115/115/115/40", ""},
		{10, []int{3, 3, 3}, Equal, 0, "", "fb.err.n_too_large"},
		{9, []int{3, 3, 3}, Equal, 0, "3/3/3", ""},
		{7, []int{5, 5, 5}, Equal, 0, "3/2/2", ""},
		{50, []int{100, 100}, ProportionalWithMin, 20, "25/25", ""},
		{50, []int{100, 100, 100}, ProportionalWithMin, 20, "", "fb.err.min_unmet"},
		{30, []int{100, 5, 100}, ProportionalWithMin, 10, "13/5/12", ""}, // tie 12.5/12.5: the earlier stratum,
		{0, []int{1}, Proportional, 0, "", "fb.err.n_positive"},
		{1, []int{1}, "random", 0, "", "fb.err.allocation"},
	} {
		got, err := Allocate(c.n, c.sizes, c.method, c.min)
		if c.err != "" {
			if e := apperr.As(err); e == nil || e.Key != c.err {
				t.Errorf("Allocate(%d, %v, %s, %d) err = %v, want %s", c.n, c.sizes, c.method, c.min, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Allocate(%d, %v, %s) error %v", c.n, c.sizes, c.method, err)
			continue
		}
		var parts []string
		sum := 0
		for _, g := range got {
			parts = append(parts, fmt.Sprint(g))
			sum += g
		}
		if s := strings.Join(parts, "/"); s != c.want || sum != c.n {
			t.Errorf("Allocate(%d, %v, %s, %d) = %s (sum %d), want %s", c.n, c.sizes, c.method, c.min, s, sum, c.want)
		}
	}
}

func TestSize(t *testing.T) {
	for _, c := range []struct {
		s                         SampleSpec
		inf, completed, drawCount int
	}{
		{SampleSpec{Margin: 0.05, Confidence: 0.95}, 385, 385, 385},
		{SampleSpec{Margin: 0.05, Confidence: 0.95, Population: 1920}, 385, 321, 321},
		{SampleSpec{Margin: 0.05, Confidence: 0.95, Population: 1920, ResponseRate: 0.6}, 385, 321, 534},
		{SampleSpec{Margin: 0.05, Confidence: 0.95, Population: 100, ResponseRate: 0.5}, 385, 80, 100},
		{SampleSpec{Margin: 0.03, Confidence: 0.99}, 1844, 1844, 1844},
	} {
		got, err := Size(c.s)
		if err != nil {
			t.Fatalf("Size(%+v): %v", c.s, err)
		}
		if got.Infinite != c.inf || got.Completed != c.completed || got.Draw != c.drawCount {
			t.Errorf("Size(%+v) = %+v, want %d/%d/%d", c.s, got, c.inf, c.completed, c.drawCount)
		}
	}
	if _, err := Size(SampleSpec{Margin: 0.05, Confidence: 0.8}); apperr.CodeOf(err) != apperr.Invalid {
		t.Errorf("confidence 0.8 accepted: %v", err)
	}
}

func TestWilson(t *testing.T) {
	for _, c := range []struct {
		x, n      int
		low, high float64
	}{
		{9, 10, 0.5958, 0.9821},
		{10, 10, 0.7225, 1},
		{0, 10, 0, 0.2775},
		{50, 100, 0.4038, 0.5962},
	} {
		got := Wilson(c.x, c.n)
		if math.Abs(got.Low-c.low) > 5e-5 || math.Abs(got.High-c.high) > 5e-5 {
			t.Errorf("Wilson(%d, %d) = [%.4f, %.4f], want [%.4f, %.4f]", c.x, c.n, got.Low, got.High, c.low, c.high)
		}
	}
}

func TestWeighted(t *testing.T) {
	// Equal samples from unequal strata: the big stratum's rate dominates.
	got := Weighted([]StratumResult{{Population: 900, Satisfied: 45, Answered: 50}, {Population: 100, Satisfied: 25, Answered: 50}})
	if want := 0.9*0.9 + 0.1*0.5; math.Abs(got.Rate-want) > 1e-12 {
		t.Errorf("weighted rate = %v, want %v", got.Rate, want)
	}
	if !(got.Low < got.Rate && got.Rate < got.High) {
		t.Errorf("interval [%v, %v] does not hold %v", got.Low, got.High, got.Rate)
	}
	// Proportional allocation gives the plain rate and the plain Wilson.
	p := Weighted([]StratumResult{{Population: 200, Satisfied: 18, Answered: 20}, {Population: 100, Satisfied: 9, Answered: 10}})
	w := Wilson(27, 30)
	if math.Abs(p.Rate-w.Rate) > 1e-12 || math.Abs(p.Low-w.Low) > 1e-9 {
		t.Errorf("proportional weighted %+v, plain %+v", p, w)
	}
}

func TestDrawAndVerify(t *testing.T) {
	var recs []Record
	for i := 1; i <= 40; i++ {
		st := "employment"
		if i%4 == 0 {
			st = "arbitration"
		}
		r := Record{ID: fmt.Sprintf("L%04d", i), Stratum: st}
		if i == 8 {
			r.Excluded = ExcludedOptOut
		}
		recs = append(recs, r)
	}
	p := DrawParams{N: 12, Allocation: ProportionalWithMin, Min: 5}
	strata, err := Draw(recs, "demo-seed-2024", p)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string][]string{}
	for _, s := range strata {
		stored[s.Key] = s.Sample()
		for _, id := range s.Order {
			if id == "L0008" {
				t.Errorf("opted-out L0008 in the order of %s", s.Key)
			}
		}
	}
	if strata[0].Key != "arbitration" || strata[0].Excluded[ExcludedOptOut] != 1 || strata[0].Population != 9 || strata[0].Allocated != 5 {
		t.Errorf("arbitration stratum = %+v", strata[0])
	}
	hash := SnapshotHash(recs)
	if err := Verify(recs, hash, "demo-seed-2024", p, stored); err != nil {
		t.Fatalf("genuine draw rejected: %v", err)
	}
	// The same snapshot and parameters give the same list.
	again, _ := Draw(recs, "demo-seed-2024", p)
	if fmt.Sprint(again) != fmt.Sprint(strata) {
		t.Error("the same draw differs")
	}
	// One changed ledger row changes the hash; a tampered list is rejected.
	changed := append([]Record(nil), recs...)
	changed[3].Stratum = "employment"
	if SnapshotHash(changed) == hash {
		t.Error("changing a row kept the hash")
	}
	if err := Verify(changed, hash, "demo-seed-2024", p, stored); err == nil {
		t.Error("tampered snapshot verified")
	}
	bad := map[string][]string{}
	for k, v := range stored {
		bad[k] = append([]string(nil), v...)
	}
	bad["employment"][0] = "L0001"
	if bad["employment"][0] == stored["employment"][0] {
		bad["employment"][0] = "L0002"
	}
	if err := Verify(recs, hash, "demo-seed-2024", p, bad); err == nil {
		t.Error("tampered list verified")
	}
	if err := Verify(recs, hash, "another-seed", p, stored); err == nil {
		t.Error("other seed verified")
	}
}

func TestRatingValidate(t *testing.T) {
	for _, c := range []struct {
		r   Rating
		key string
	}{
		{Rating{Overall: 5}, ""},
		{Rating{}, "fb.err.level_required"},
		{Rating{Overall: 4, Attitude: 7}, "fb.err.level_invalid"},
		{Rating{Overall: 2}, "fb.err.reason_required"},
		{Rating{Overall: 1, Reason: "slow", Text: "等了很久"}, ""},
		{Rating{Overall: 1, Reason: "bogus"}, "fb.err.reason_invalid"},
		{Rating{Overall: 5, Text: strings.Repeat("字", MaxText+1)}, "fb.err.text_long"},
	} {
		err := c.r.Validate()
		got := ""
		if e := apperr.As(err); e != nil {
			got = e.Key
		}
		if got != c.key {
			t.Errorf("Validate(%+v) = %q, want %q", c.r, got, c.key)
		}
	}
}

func TestRectification(t *testing.T) {
	s := RectOpen
	for _, a := range RectActions {
		next, err := Step(s, a)
		if err != nil {
			t.Fatalf("Step(%s, %s): %v", s, a, err)
		}
		s = next
	}
	if s != RectClosed {
		t.Fatalf("ended in %s", s)
	}
	if _, err := Step(RectOpen, ActReply); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("reply before assign: %v", err)
	}
	if _, err := Step(RectClosed, ActClose); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("closing twice: %v", err)
	}
	cal := workday.Official()
	// Opened on Friday 2024-09-27: five working days skip the weekend and
	// the National Day holiday (1–7 October, with make-up Sunday 29 Sept and
	// Saturday 12 Oct).
	d, err := Deadline(cal, workday.MustParse("2024-09-27"), 5)
	if err != nil {
		t.Fatal(err)
	}
	if d.String() != "2024-10-10" {
		t.Errorf("deadline = %s", d)
	}
	if Overdue(RectAssigned, d, d) || !Overdue(RectAssigned, d, d.AddDays(1)) || Overdue(RectClosed, d, d.AddDays(1)) {
		t.Error("overdue flags wrong")
	}
}

func TestAttemptAllowed(t *testing.T) {
	prev := [][2]string{{"2024-05-06", "morning"}}
	if err := AttemptAllowed(prev, "2024-05-06", "morning"); err == nil {
		t.Error("same day and time accepted")
	}
	if err := AttemptAllowed(prev, "2024-05-06", "afternoon"); err != nil {
		t.Error(err)
	}
	prev = append(prev, [2]string{"2024-05-07", "morning"}, [2]string{"2024-05-08", "evening"})
	if err := AttemptAllowed(prev, "2024-05-09", "morning"); err == nil {
		t.Error("fourth attempt accepted")
	}
}
