package workcal_test

import (
	"testing"
	"time"
	_ "time/tzdata" // America/New_York on machines without a zone database

	"github.com/bianmin/bianmin/shared/workcal"
)

func TestDateOf(t *testing.T) {
	tests := []struct {
		utc  string
		want string
	}{
		{"2026-02-12T15:59:59Z", "2026-02-12"}, // 23:59:59 in China
		{"2026-02-12T16:00:00Z", "2026-02-13"}, // midnight in China
		{"2026-02-12T17:30:00Z", "2026-02-13"}, // 01:30 in China
		{"2025-12-31T16:00:00Z", "2026-01-01"}, // the new year starts in China first
	}
	for _, tt := range tests {
		tm, err := time.Parse(time.RFC3339, tt.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := workcal.DateOf(tm); got != d(tt.want) {
			t.Errorf("DateOf(%s) = %s, want %s", tt.utc, got, tt.want)
		}
	}
}

// The machine's zone must not matter: a station's clock may be set to any
// zone, and deadlines follow the date in China. Not parallel: it sets time.Local.
func TestDateOfIgnoresLocalZone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	saved := time.Local
	time.Local = ny
	t.Cleanup(func() { time.Local = saved })

	// 12:30 on 12 Feb in New York (EST, UTC−5) is 17:30Z, 01:30 on 13 Feb in China.
	local := time.Date(2026, 2, 12, 12, 30, 0, 0, time.Local)
	if got := workcal.DateOf(local); got != d("2026-02-13") {
		t.Errorf("DateOf(%s) = %s, want 2026-02-13", local, got)
	}
	// And the same instant read in any zone gives the same date.
	if got := workcal.DateOf(local.UTC()); got != d("2026-02-13") {
		t.Errorf("DateOf(%s) = %s, want 2026-02-13", local.UTC(), got)
	}
	// Midnight of a date in China is 16:00 UTC the day before, and its date
	// is the date itself, wherever the program runs.
	mid := d("2026-02-13").Time()
	if got, want := mid.UTC(), time.Date(2026, 2, 12, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Time() = %s, want %s", got, want)
	}
	if got := workcal.DateOf(mid.In(time.Local)); got != d("2026-02-13") {
		t.Errorf("DateOf(Time()) = %s, want 2026-02-13", got)
	}
	// The package uses a fixed +8 zone, not the tz database.
	if _, off := mid.Zone(); off != 8*3600 {
		t.Errorf("Shanghai offset = %d s, want 28800", off)
	}
}

func TestParseDate(t *testing.T) {
	for _, s := range []string{"", "2026-2-12", "2026-02-30", "12/02/2026", "2026-02-12T00:00:00Z"} {
		if _, err := workcal.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) succeeded", s)
		}
	}
	got, err := workcal.ParseDate("2026-02-12")
	if err != nil || got != (workcal.Date{Year: 2026, Month: time.February, Day: 12}) {
		t.Errorf("ParseDate = %v, %v", got, err)
	}
}

func TestDateArithmetic(t *testing.T) {
	if got := workcal.D(2026, 2, 30); got != d("2026-03-02") {
		t.Errorf("D(2026, 2, 30) = %s, want 2026-03-02", got)
	}
	if got := d("2025-12-31").AddDays(1); got != d("2026-01-01") {
		t.Errorf("AddDays across the year = %s", got)
	}
	if got := d("2026-03-01").AddDays(-1); got != d("2026-02-28") {
		t.Errorf("AddDays(-1) = %s", got)
	}
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-02-12", "2026-02-26", 14},
		{"2026-02-26", "2026-02-12", -14},
		{"2025-01-01", "2026-01-01", 365},
		{"2026-03-08", "2026-03-08", 0},
		{"0001-01-01", "2500-01-01", 912741}, // past the 292 years a time.Duration holds
		{"2500-01-01", "0001-01-01", -912741},
	}
	for _, tt := range tests {
		if got := d(tt.from).DaysUntil(d(tt.to)); got != tt.want {
			t.Errorf("DaysUntil(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
		}
	}
	a, b := d("2026-02-12"), d("2026-02-13")
	if !a.Before(b) || a.After(b) || a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Error("Before/After/Compare disagree")
	}
	if a.Weekday() != time.Thursday {
		t.Errorf("Weekday(2026-02-12) = %s, want Thursday", a.Weekday())
	}
}

func TestDateText(t *testing.T) {
	b, err := d("2026-02-12").MarshalText()
	if err != nil || string(b) != "2026-02-12" {
		t.Errorf("MarshalText = %q, %v", b, err)
	}
	b, err = workcal.Date{}.MarshalText()
	if err != nil || len(b) != 0 {
		t.Errorf("zero MarshalText = %q, %v", b, err)
	}
	var x workcal.Date
	if err := x.UnmarshalText([]byte("2026-02-12")); err != nil || x != d("2026-02-12") {
		t.Errorf("UnmarshalText = %s, %v", x, err)
	}
	if err := x.UnmarshalText(nil); err != nil || !x.IsZero() {
		t.Errorf("UnmarshalText(empty) = %s, %v", x, err)
	}
	if err := x.UnmarshalText([]byte("bad")); err == nil {
		t.Error("UnmarshalText(bad) succeeded")
	}
}
