package workcal_test

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
	"github.com/bianmin/bianmin/shared/workcal"
)

var d = workcal.MustDate

// officialOff and officialMakeup are copied by hand from domain.md §4 (the
// State Council notices), not from data/calendar.json, so the tests check
// the data file against its source.
var officialOff = []struct{ from, to string }{
	// 2025 (国办发明电〔2024〕12号)
	{"2025-01-01", "2025-01-01"},
	{"2025-01-28", "2025-02-04"},
	{"2025-04-04", "2025-04-06"},
	{"2025-05-01", "2025-05-05"},
	{"2025-05-31", "2025-06-02"},
	{"2025-10-01", "2025-10-08"},
	// 2026 (notice of 4 Nov 2025)
	{"2026-01-01", "2026-01-03"},
	{"2026-02-15", "2026-02-23"},
	{"2026-04-04", "2026-04-06"},
	{"2026-05-01", "2026-05-05"},
	{"2026-06-19", "2026-06-21"},
	{"2026-09-25", "2026-09-27"},
	{"2026-10-01", "2026-10-07"},
}

var officialMakeup = []string{
	"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
	"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
}

func TestBuiltinMatchesOfficialSchedule(t *testing.T) {
	cal := workcal.Builtin()
	wantOff := map[workcal.Date]bool{}
	for _, r := range officialOff {
		for x := d(r.from); !x.After(d(r.to)); x = x.AddDays(1) {
			wantOff[x] = true
		}
	}
	wantMakeup := map[workcal.Date]bool{}
	for _, s := range officialMakeup {
		wantMakeup[d(s)] = true
	}
	// Every day of both years: off exactly on the official holidays, worked
	// exactly on weekdays and the official make-up days.
	for x := d("2025-01-01"); x.Year <= 2026; x = x.AddDays(1) {
		weekend := x.Weekday() == time.Saturday || x.Weekday() == time.Sunday
		want := !wantOff[x] && (!weekend || wantMakeup[x])
		if got := cal.IsWorkday(x); got != want {
			t.Errorf("IsWorkday(%s, %s) = %v, want %v", x, x.Weekday(), got, want)
		}
		if got := cal.IsMakeupWorkday(x); got != wantMakeup[x] {
			t.Errorf("IsMakeupWorkday(%s) = %v, want %v", x, got, wantMakeup[x])
		}
		if got := cal.HolidayName(x) != ""; got != wantOff[x] {
			t.Errorf("HolidayName(%s) = %q, want a name: %v", x, cal.HolidayName(x), wantOff[x])
		}
	}
	// Statutory count, by hand: both years start on a weekday with 365 days,
	// so 261 weekdays. 2025 has 18 holidays on weekdays (1+6+1+3+1+6) and 5
	// make-up days: 248. 2026 has 19 (2+6+1+3+1+1+5) and 6 make-up days: 248.
	// Both equal 365 − 104 weekend days − 13 statutory holidays.
	if got := cal.WorkdaysBetween(d("2024-12-31"), d("2025-12-31")); got != 248 {
		t.Errorf("working days in 2025 = %d, want 248", got)
	}
	if got := cal.WorkdaysBetween(d("2025-12-31"), d("2026-12-31")); got != 248 {
		t.Errorf("working days in 2026 = %d, want 248", got)
	}
}

func TestIsWorkday(t *testing.T) {
	cal := workcal.Builtin()
	tests := []struct {
		date string
		want bool
		why  string
	}{
		// 2025 holiday edges: the day before, first, last and day after.
		{"2024-12-31", true, "Tue, 2024 not covered: Mon–Fri"},
		{"2025-01-01", false, "元旦, Wed"},
		{"2025-01-02", true, "Thu after 元旦"},
		{"2025-01-27", true, "Mon before 春节"},
		{"2025-01-28", false, "春节 first day, Tue"},
		{"2025-02-04", false, "春节 last day, Tue"},
		{"2025-02-05", true, "Wed after 春节"},
		{"2025-04-03", true, "Thu before 清明"},
		{"2025-04-04", false, "清明 first, Fri"},
		{"2025-04-06", false, "清明 last, Sun"},
		{"2025-04-07", true, "Mon after 清明"},
		{"2025-04-30", true, "Wed before 劳动节"},
		{"2025-05-01", false, "劳动节 first, Thu"},
		{"2025-05-05", false, "劳动节 last, Mon"},
		{"2025-05-06", true, "Tue after 劳动节"},
		{"2025-05-30", true, "Fri before 端午"},
		{"2025-05-31", false, "端午 first, Sat"},
		{"2025-06-02", false, "端午 last, Mon"},
		{"2025-06-03", true, "Tue after 端午"},
		{"2025-09-30", true, "Tue before 国庆"},
		{"2025-10-01", false, "国庆 first, Wed"},
		{"2025-10-08", false, "国庆 last, Wed"},
		{"2025-10-09", true, "Thu after 国庆"},
		// 2025 make-up working days.
		{"2025-01-26", true, "make-up, Sun"},
		{"2025-02-08", true, "make-up, Sat"},
		{"2025-04-27", true, "make-up, Sun"},
		{"2025-09-28", true, "make-up, Sun"},
		{"2025-10-11", true, "make-up, Sat"},
		// 2026 holiday edges.
		{"2025-12-31", true, "Wed before 元旦"},
		{"2026-01-01", false, "元旦 first, Thu"},
		{"2026-01-03", false, "元旦 last, Sat"},
		{"2026-01-05", true, "Mon"},
		{"2026-02-13", true, "Fri before 春节"},
		{"2026-02-15", false, "春节 first, Sun"},
		{"2026-02-23", false, "春节 last, Mon"},
		{"2026-02-24", true, "Tue after 春节"},
		{"2026-04-03", true, "Fri before 清明"},
		{"2026-04-04", false, "清明 first, Sat"},
		{"2026-04-06", false, "清明 last, Mon"},
		{"2026-04-07", true, "Tue after 清明"},
		{"2026-04-30", true, "Thu before 劳动节"},
		{"2026-05-01", false, "劳动节 first, Fri"},
		{"2026-05-05", false, "劳动节 last, Tue"},
		{"2026-05-06", true, "Wed after 劳动节"},
		{"2026-06-18", true, "Thu before 端午"},
		{"2026-06-19", false, "端午 first, Fri"},
		{"2026-06-21", false, "端午 last, Sun"},
		{"2026-06-22", true, "Mon after 端午"},
		{"2026-09-24", true, "Thu before 中秋"},
		{"2026-09-25", false, "中秋 first, Fri"},
		{"2026-09-27", false, "中秋 last, Sun"},
		{"2026-09-28", true, "Mon after 中秋"},
		{"2026-09-30", true, "Wed before 国庆"},
		{"2026-10-01", false, "国庆 first, Thu"},
		{"2026-10-07", false, "国庆 last, Wed"},
		{"2026-10-08", true, "Thu after 国庆"},
		// 2026 make-up working days.
		{"2026-01-04", true, "make-up, Sun"},
		{"2026-02-14", true, "make-up, Sat"},
		{"2026-02-28", true, "make-up, Sat"},
		{"2026-05-09", true, "make-up, Sat"},
		{"2026-09-20", true, "make-up, Sun"},
		{"2026-10-10", true, "make-up, Sat"},
		// Plain weekends and weekdays.
		{"2026-03-07", false, "Sat"},
		{"2026-03-08", false, "Sun"},
		{"2026-03-09", true, "Mon"},
		// Years not covered fall back to Mon–Fri, even on real holidays.
		{"2024-02-12", true, "Mon in the 2024 Spring Festival, not covered"},
		{"2027-01-01", true, "Fri, 2027 not covered"},
		{"2027-01-02", false, "Sat, 2027 not covered"},
	}
	for _, tt := range tests {
		if got := cal.IsWorkday(d(tt.date)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v (%s)", tt.date, got, tt.want, tt.why)
		}
	}
}

func TestCoversAndYears(t *testing.T) {
	cal := workcal.Builtin()
	if got, want := cal.Years(), []int{2025, 2026}; !slices.Equal(got, want) {
		t.Errorf("Years() = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		date string
		want bool
	}{
		{"2024-12-31", false}, {"2025-01-01", true}, {"2026-12-31", true}, {"2027-01-01", false},
	} {
		if got := cal.Covers(d(tt.date)); got != tt.want {
			t.Errorf("Covers(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
}

func TestHolidayNameAndMakeup(t *testing.T) {
	cal := workcal.Builtin()
	if got := cal.HolidayName(d("2026-02-16")); got != "春节" {
		t.Errorf("HolidayName(2026-02-16) = %q, want 春节", got)
	}
	if got := cal.HolidayName(d("2026-02-24")); got != "" {
		t.Errorf("HolidayName(2026-02-24) = %q, want none", got)
	}
	if !cal.IsMakeupWorkday(d("2026-02-14")) || cal.IsMakeupWorkday(d("2026-02-13")) {
		t.Error("IsMakeupWorkday: want true on 2026-02-14 only")
	}
}

const file2026 = `{"years":[{"year":2026,"holidays":[{"name":"元旦","from":"2026-01-01","to":"2026-01-03"}],"workdays":["2026-01-04"]}]}`

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, json, reason, field string
	}{
		{"syntax", `{"years":[`, "calendar_syntax", ""},
		{"trailing data", file2026 + ` {"years":[]}`, "calendar_syntax", ""},
		{"unknown field", `{"years":[{"year":2026,"holidays":[],"workdays":[],"comment":"x"}]}`, "calendar_syntax", ""},
		{"unknown top-level field", `{"years":[],"version":3}`, "calendar_syntax", ""},
		{"bad date", `{"years":[{"year":2026,"holidays":[],"workdays":["2026-02-30"]}]}`, "calendar_syntax", ""},
		{"duplicate year", `{"years":[{"year":2026,"holidays":[],"workdays":[]},{"year":2026,"holidays":[],"workdays":[]}]}`, "calendar_invalid", "years[2026]"},
		{"year out of range", `{"years":[{"year":1900,"holidays":[],"workdays":[]}]}`, "calendar_invalid", "years[1900]"},
		{"make-up day on a weekday", `{"years":[{"year":2026,"holidays":[],"workdays":["2026-02-13"]}]}`, "calendar_invalid", "years[2026]"},
		{"make-up day far outside the year", `{"years":[{"year":2026,"holidays":[],"workdays":["2025-11-29"]}]}`, "calendar_invalid", "years[2026]"},
		{"make-up day is a holiday", `{"years":[{"year":2026,"holidays":[{"name":"x","from":"2026-01-03","to":"2026-01-04"}],"workdays":["2026-01-04"]}]}`, "calendar_invalid", "years[2026]"},
		{"holiday reversed", `{"years":[{"year":2026,"holidays":[{"name":"春节","from":"2026-02-23","to":"2026-02-15"}],"workdays":[]}]}`, "calendar_invalid", "years[2026]"},
		{"holiday in another year", `{"years":[{"year":2026,"holidays":[{"name":"x","from":"2027-02-01","to":"2027-02-02"}],"workdays":[]}]}`, "calendar_invalid", "years[2026]"},
		{"holiday too long", `{"years":[{"year":2026,"holidays":[{"name":"x","from":"2026-07-01","to":"2026-08-31"}],"workdays":[]}]}`, "calendar_invalid", "years[2026]"},
		// 2025's (made-up) holiday reaches into 2026 and covers a day 2026
		// makes a working day: invalid whichever order the years are listed in.
		{"cross-year conflict, earlier year first", `{"years":[
			{"year":2025,"holidays":[{"name":"x","from":"2025-12-31","to":"2026-01-04"}],"workdays":[]},
			{"year":2026,"holidays":[],"workdays":["2026-01-04"]}]}`, "calendar_invalid", "years[2026]"},
		{"cross-year conflict, later year first", `{"years":[
			{"year":2026,"holidays":[],"workdays":["2026-01-04"]},
			{"year":2025,"holidays":[{"name":"x","from":"2025-12-31","to":"2026-01-04"}],"workdays":[]}]}`, "calendar_invalid", "years[2026]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cal, err := workcal.Parse([]byte(tt.json))
			if err == nil {
				t.Fatalf("Parse succeeded (years %v), want error %s", cal.Years(), tt.reason)
			}
			e := bmerr.As(err)
			if e == nil {
				t.Fatalf("error %v is not a *bmerr.Error", err)
			}
			if e.Code != bmerr.Invalid || e.Reason != tt.reason || e.Field != tt.field {
				t.Errorf("error = {%s %s %q}, want {invalid %s %q}", e.Code, e.Reason, e.Field, tt.reason, tt.field)
			}
			if e.Zh == "" || e.En == "" {
				t.Errorf("error lacks a message: %+v", e)
			}
		})
	}
}

// The 2019 notice reached back into 2018: 30 Dec 2018 – 1 Jan 2019 off,
// Saturday 29 Dec 2018 worked. Such a schedule must load.
func TestParseScheduleReachingIntoPreviousYear(t *testing.T) {
	cal, err := workcal.Parse([]byte(`{"years":[{"year":2019,
		"holidays":[{"name":"元旦","from":"2018-12-30","to":"2019-01-01"}],
		"workdays":["2018-12-29"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		date   string
		want   bool
		covers bool
	}{
		{"2018-12-28", true, false},  // Fri
		{"2018-12-29", true, false},  // Sat, make-up
		{"2018-12-30", false, false}, // Sun, holiday
		{"2018-12-31", false, false}, // Mon, holiday
		{"2019-01-01", false, true},  // Tue, holiday
		{"2019-01-02", true, true},   // Wed
	} {
		if got := cal.IsWorkday(d(tt.date)); got != tt.want {
			t.Errorf("IsWorkday(%s) = %v, want %v", tt.date, got, tt.want)
		}
		if got := cal.Covers(d(tt.date)); got != tt.covers {
			t.Errorf("Covers(%s) = %v, want %v", tt.date, got, tt.covers)
		}
	}
	// Fri 28 Dec + 1 working day is Sat 29 Dec; + 2 is Wed 2 Jan.
	if got := cal.AddWorkdays(d("2018-12-28"), 2); got != d("2019-01-02") {
		t.Errorf("AddWorkdays(2018-12-28, 2) = %s, want 2019-01-02", got)
	}
}

// A hand-made 2027 schedule (not an official one): 元旦 Fri 1 – Sun 3 Jan,
// and a spring holiday Sat 6 – Sun 14 Feb with Sun 31 Jan worked.
const file2027 = `{"years":[{"year":2027,"source":"test",
	"holidays":[{"name":"元旦","from":"2027-01-01","to":"2027-01-03"},{"name":"春节","from":"2027-02-06","to":"2027-02-14"}],
	"workdays":["2027-01-31"]}]}`

func TestExtend(t *testing.T) {
	base := workcal.Builtin()
	next, err := workcal.Parse([]byte(file2027))
	if err != nil {
		t.Fatal(err)
	}
	// A corrected 2026 that drops the 14 Feb make-up day and the National Day holiday.
	fix2026, err := workcal.Parse([]byte(`{"years":[{"year":2026,"holidays":[{"name":"春节","from":"2026-02-15","to":"2026-02-23"}],"workdays":[]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ext, err := base.Extend(next)
	if err != nil {
		t.Fatal(err)
	}
	ext, err = ext.Extend(fix2026)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ext.Years(), []int{2025, 2026, 2027}; !slices.Equal(got, want) {
		t.Errorf("Years() = %v, want %v", got, want)
	}
	for _, tt := range []struct {
		date       string
		base, want bool
	}{
		{"2025-01-26", true, true},   // 2025 kept: make-up Sunday
		{"2026-02-14", true, false},  // 2026 replaced: Saturday no longer worked
		{"2026-10-01", false, true},  // 2026 replaced: no National Day in the fix
		{"2026-02-16", false, false}, // still 春节
		{"2027-01-01", true, false},  // 2027 added: 元旦 (base falls back to Mon–Fri)
		{"2027-01-31", false, true},  // 2027 make-up Sunday
		{"2027-02-08", true, false},  // Mon in 2027 春节
		{"2027-02-15", true, true},   // Mon after it
	} {
		if got := base.IsWorkday(d(tt.date)); got != tt.base {
			t.Errorf("base.IsWorkday(%s) = %v, want %v (Extend must not change its receiver)", tt.date, got, tt.base)
		}
		if got := ext.IsWorkday(d(tt.date)); got != tt.want {
			t.Errorf("extended.IsWorkday(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
	if !ext.Covers(d("2027-06-01")) || base.Covers(d("2027-06-01")) {
		t.Error("Covers(2027): want true for the extended calendar only")
	}
	if ext.Digest() == base.Digest() {
		t.Error("Extend left the digest unchanged")
	}
}

func TestExtendConflict(t *testing.T) {
	// Both calendars are valid alone, but this 2025 holiday covers Sunday
	// 4 Jan 2026, which the built-in 2026 makes a working day.
	other, err := workcal.Parse([]byte(`{"years":[{"year":2025,"holidays":[{"name":"x","from":"2025-12-29","to":"2026-01-04"}],"workdays":[]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := workcal.Builtin().Extend(other); bmerr.As(err) == nil || bmerr.As(err).Reason != "calendar_invalid" {
		t.Errorf("Extend = %v, want a calendar_invalid error", err)
	}
}

func TestDigest(t *testing.T) {
	a := workcal.Builtin()
	b, err := workcal.Parse(workcal.BuiltinJSON())
	if err != nil {
		t.Fatal(err)
	}
	c, err := workcal.Parse(a.JSON())
	if err != nil {
		t.Fatal(err)
	}
	if a.Digest() != b.Digest() || a.Digest() != c.Digest() {
		t.Errorf("equal data, different digests: %s %s %s", a.Digest(), b.Digest(), c.Digest())
	}
	if len(a.Digest()) != 16 {
		t.Errorf("Digest() = %q, want 16 hex digits", a.Digest())
	}

	// The order years are listed in does not matter.
	f := a.File()
	slices.Reverse(f.Years)
	rev, err := workcal.New(f)
	if err != nil {
		t.Fatal(err)
	}
	if rev.Digest() != a.Digest() {
		t.Error("digest depends on the order of years")
	}

	// Dropping one make-up day changes it.
	changed, err := workcal.Parse(bytes.Replace(workcal.BuiltinJSON(), []byte(`, "2026-10-10"`), nil, 1))
	if err != nil {
		t.Fatal(err)
	}
	if changed.IsWorkday(d("2026-10-10")) {
		t.Fatal("test edit did not remove the make-up day")
	}
	if changed.Digest() == a.Digest() {
		t.Error("digest unchanged after removing a make-up day")
	}
}

func TestCalendarIsImmutable(t *testing.T) {
	f := workcal.File{Years: []workcal.Year{
		{Year: 2026, Workdays: []workcal.Date{d("2026-02-14")}},
		{Year: 2025, Workdays: []workcal.Date{d("2025-02-08")}},
	}}
	cal, err := workcal.New(f)
	if err != nil {
		t.Fatal(err)
	}
	if f.Years[0].Year != 2026 {
		t.Error("New reordered its argument")
	}
	json, digest := string(cal.JSON()), cal.Digest()
	f.Years[0].Workdays[0] = d("2026-02-28")
	got := cal.File()
	got.Years[0].Workdays[0] = d("2025-04-27")
	got.Years = got.Years[:1]
	if string(cal.JSON()) != json || cal.Digest() != digest || len(cal.File().Years) != 2 {
		t.Error("changing New's argument or File's result changed the calendar")
	}
	if !strings.Contains(json, "2025-02-08") {
		t.Errorf("JSON() lost data: %s", json)
	}
}

func TestBuiltinJSONIsACopy(t *testing.T) {
	b := workcal.BuiltinJSON()
	b[0] = 'x'
	if _, err := workcal.Parse(workcal.BuiltinJSON()); err != nil {
		t.Errorf("changing BuiltinJSON's result changed the built-in: %v", err)
	}
}

func TestErrorIsBmerr(t *testing.T) {
	_, err := workcal.Parse([]byte(`nope`))
	var e *bmerr.Error
	if !errors.As(err, &e) {
		t.Fatalf("%T is not *bmerr.Error", err)
	}
}
