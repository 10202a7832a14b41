package workcal

import (
	"fmt"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
)

// Shanghai is China Standard Time, UTC+8. China has kept no daylight saving
// since 1991, so a fixed zone is exact for every date this product handles
// and, unlike time.LoadLocation, works on a Windows desktop without tzdata.
var Shanghai = time.FixedZone("CST", 8*60*60)

// Date is a civil date in China, with no time of day and no zone. Deadlines
// are counted in whole days, so every computation in this package works on
// Dates; time.Time values are converted with DateOf, whatever the machine's
// own zone is.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// D is shorthand for Date{y, m, d}, normalised (D(2026, 2, 30) is 2 Mar).
func D(y int, m time.Month, d int) Date { return dateOfUTC(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) }

// DateOf returns the date t falls on in China.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Shanghai).Date()
	return Date{y, m, d}
}

func dateOfUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, bmerr.Newf(bmerr.Invalid, "bad_date",
			"日期“%s”格式不正确，应为 年-月-日，例如 2026-02-12。",
			"date %q is not valid; write it as year-month-day, e.g. 2026-02-12.", s)
	}
	return dateOfUTC(t), nil
}

// MustDate is ParseDate for literals in tests and tables; it panics on error.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Time returns midnight at the start of d in China.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, Shanghai) }

// IsZero reports whether d is the zero Date (no date).
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as "2006-01-02".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// AddDays returns d moved by n calendar days.
func (d Date) AddDays(n int) Date { return dateOfUTC(d.utc().AddDate(0, 0, n)) }

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.utc().Compare(e.utc()) }

// Before reports whether d is strictly before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is strictly after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// DaysUntil returns the number of calendar days from d to e (negative if e is earlier).
func (d Date) DaysUntil(e Date) int {
	// Whole seconds, not time.Time.Sub: a Duration saturates at about 292
	// years, which a fuzzed or mistyped date easily exceeds.
	return int((e.utc().Unix() - d.utc().Unix()) / (24 * 60 * 60))
}

// MarshalText implements encoding.TextMarshaler ("2006-01-02"; the zero Date is "").
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
