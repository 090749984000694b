package workday

import (
	"errors"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Date
		wantErr bool
	}{
		{in: "2026-02-12", want: Date{2026, time.February, 12}},
		{in: "2024-02-29", want: Date{2024, time.February, 29}},
		{in: "2002-01-01", want: Date{2002, time.January, 1}},
		{in: "2026-02-29", wantErr: true},
		{in: "2026-13-01", wantErr: true},
		{in: "2026-2-3", wantErr: true},
		{in: "20260203", wantErr: true},
		{in: "2026-02-03T00:00:00Z", wantErr: true},
		{in: " 2026-02-03", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr {
				if !errors.Is(err, ErrInvalidDate) {
					t.Fatalf("Parse(%q) error = %v, want ErrInvalidDate", tt.in, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
			if got, want := got.String(), tt.in; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
		})
	}
}

func TestDateMethods(t *testing.T) {
	d := MustParse("2026-02-12")
	t.Run("weekday", func(t *testing.T) {
		if got, want := d.Weekday(), time.Thursday; got != want {
			t.Errorf("Weekday() = %v, want %v", got, want)
		}
	})
	t.Run("add days across month and year", func(t *testing.T) {
		if got, want := d.AddDays(17), MustParse("2026-03-01"); got != want {
			t.Errorf("AddDays(17) = %v, want %v", got, want)
		}
		if got, want := MustParse("2025-12-31").AddDays(1), MustParse("2026-01-01"); got != want {
			t.Errorf("AddDays(1) = %v, want %v", got, want)
		}
		if got, want := d.AddDays(-12), MustParse("2026-01-31"); got != want {
			t.Errorf("AddDays(-12) = %v, want %v", got, want)
		}
	})
	t.Run("days since", func(t *testing.T) {
		if got, want := MustParse("2026-03-11").DaysSince(d), 27; got != want {
			t.Errorf("DaysSince = %d, want %d", got, want)
		}
		if got, want := d.DaysSince(MustParse("2026-03-11")), -27; got != want {
			t.Errorf("DaysSince = %d, want %d", got, want)
		}
		// A span over a daylight-saving change elsewhere must not matter:
		// dates have no zone.
		if got, want := MustParse("2027-01-01").DaysSince(MustParse("2026-01-01")), 365; got != want {
			t.Errorf("DaysSince over a year = %d, want %d", got, want)
		}
	})
	t.Run("compare", func(t *testing.T) {
		tests := []struct {
			a, b string
			want int
		}{
			{"2026-02-12", "2026-02-12", 0},
			{"2026-02-12", "2026-02-13", -1},
			{"2026-03-01", "2026-02-28", 1},
			{"2025-12-31", "2026-01-01", -1},
		}
		for _, tt := range tests {
			a, b := MustParse(tt.a), MustParse(tt.b)
			if got := a.Compare(b); got != tt.want {
				t.Errorf("%s.Compare(%s) = %d, want %d", a, b, got, tt.want)
			}
			if got, want := a.Before(b), tt.want < 0; got != want {
				t.Errorf("%s.Before(%s) = %v, want %v", a, b, got, want)
			}
			if got, want := a.After(b), tt.want > 0; got != want {
				t.Errorf("%s.After(%s) = %v, want %v", a, b, got, want)
			}
		}
	})
	t.Run("validity", func(t *testing.T) {
		tests := []struct {
			d    Date
			want bool
		}{
			{Date{2026, time.February, 28}, true},
			{Date{2026, time.February, 29}, false},
			{Date{2026, 0, 1}, false},
			{Date{}, false},
			{Date{10000, time.January, 1}, false},
		}
		for _, tt := range tests {
			if got := tt.d.IsValid(); got != tt.want {
				t.Errorf("%#v.IsValid() = %v, want %v", tt.d, got, tt.want)
			}
		}
		if got, want := NewDate(2026, time.February, 30), MustParse("2026-03-02"); got != want {
			t.Errorf("NewDate normalises: got %v, want %v", got, want)
		}
	})
	t.Run("date of a time in the hall's zone", func(t *testing.T) {
		sh := time.FixedZone("CST", 8*3600)
		// 2026-02-12 17:30 UTC is already 2026-02-13 in Shanghai.
		tm := time.Date(2026, time.February, 12, 17, 30, 0, 0, time.UTC)
		if got, want := DateOf(tm.In(sh)), MustParse("2026-02-13"); got != want {
			t.Errorf("DateOf(in Shanghai) = %v, want %v", got, want)
		}
		if got, want := DateOf(tm), MustParse("2026-02-12"); got != want {
			t.Errorf("DateOf(UTC) = %v, want %v", got, want)
		}
		if got, want := d.Time(sh), time.Date(2026, 2, 12, 0, 0, 0, 0, sh); !got.Equal(want) {
			t.Errorf("Time(sh) = %v, want %v", got, want)
		}
	})
	t.Run("text", func(t *testing.T) {
		b, err := d.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), "2026-02-12"; got != want {
			t.Errorf("MarshalText = %q, want %q", got, want)
		}
		var back Date
		if err := back.UnmarshalText(b); err != nil {
			t.Fatal(err)
		}
		if back != d {
			t.Errorf("UnmarshalText = %v, want %v", back, d)
		}
		if err := back.UnmarshalText(nil); err != nil || !back.IsZero() {
			t.Errorf("UnmarshalText(empty) = %v, %v; want zero, nil", back, err)
		}
		if err := back.UnmarshalText([]byte("2026-02-30")); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("UnmarshalText(bad) error = %v, want ErrInvalidDate", err)
		}
		if got := (Date{}).String(); got != "" {
			t.Errorf("zero Date String() = %q, want empty", got)
		}
	})
}

func TestMustParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustParse(bad) did not panic")
		}
	}()
	MustParse("not a date")
}
