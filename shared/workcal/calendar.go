// Package workcal counts working days the way Chinese administrative
// deadlines are counted, identically on a station offline and at central.
//
// A working day is Monday to Friday, minus public holidays, plus the make-up
// working days (调休) that fall on weekends. The State Council publishes each
// year's schedule in November, so the schedule is data (Calendar), never code:
// 2025 and 2026 are built in, and central ships later years to stations with
// the catalog. A year the calendar does not cover falls back to plain
// Monday–Friday; Covers tells callers when that happens so they can warn.
//
// Day 1 of a limit is the day after acceptance (民法典 art. 201).
package workcal

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/bianmin/bianmin/shared/bmerr"
)

//go:embed data/calendar.json
var builtinJSON []byte

// File is the on-disk and on-wire form of a calendar.
type File struct {
	Years []Year `json:"years"`
}

// Year is one year's official schedule. A notice may reach into the
// neighbouring years: the 2019 notice gave 30 Dec 2018 – 1 Jan 2019 off and
// made Saturday 29 Dec 2018 a working day. So a holiday need only start or
// end in the year, and a make-up working day may fall in the December before
// or the January after it.
type Year struct {
	Year     int       `json:"year"`
	Source   string    `json:"source,omitempty"` // the notice it was taken from
	Holidays []Holiday `json:"holidays"`
	Workdays []Date    `json:"workdays"` // make-up working days on weekends
}

// Holiday is an inclusive range of days off.
type Holiday struct {
	Name string `json:"name"`
	From Date   `json:"from"`
	To   Date   `json:"to"`
}

// Calendar answers whether a date is a working day. It is immutable and safe
// for concurrent use.
type Calendar struct {
	file   File
	off    map[Date]string // public holidays, by name
	makeup map[Date]bool   // make-up working days
	years  map[int]bool    // years with a published schedule
	digest string
}

// Builtin returns the calendar compiled into the program (2025 and 2026).
func Builtin() *Calendar {
	c, err := Parse(builtinJSON)
	if err != nil {
		panic("workcal: built-in calendar is invalid: " + err.Error())
	}
	return c
}

// BuiltinJSON returns the built-in calendar file.
func BuiltinJSON() []byte { return bytes.Clone(builtinJSON) }

// Parse reads and validates a calendar file.
func Parse(data []byte) (*Calendar, error) {
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, bmerr.Newf(bmerr.Invalid, "calendar_syntax",
			"工作日历文件无法读取：%v", "the working-day calendar file cannot be read: %v", err)
	}
	// A second value after the file means it was truncated, concatenated or
	// edited by hand; loading only the first part would hide that.
	if _, err := dec.Token(); err != io.EOF {
		return nil, bmerr.New(bmerr.Invalid, "calendar_syntax",
			"工作日历文件在结尾处有多余内容。", "the working-day calendar file has extra data after its end.")
	}
	return New(f)
}

// New builds a calendar from f after checking it: each year appears once,
// every holiday starts or ends in its year and runs forwards, and make-up
// working days fall on weekends in or next to their year (see Year) and are
// not also holidays, whichever year lists the holiday. The result does not
// share memory with f.
func New(f File) (*Calendar, error) {
	f = cloneFile(f)
	// Sort first, so validity and the digest do not depend on the order the
	// years were listed in: JSON() writes them sorted, and a file must load
	// again from its own JSON().
	slices.SortStableFunc(f.Years, func(a, b Year) int { return a.Year - b.Year })
	c := &Calendar{off: map[Date]string{}, makeup: map[Date]bool{}, years: map[int]bool{}}
	bad := func(y int, zh, en string, args ...any) error {
		e := bmerr.Newf(bmerr.Invalid, "calendar_invalid", zh, en, args...)
		e.Field = fmt.Sprintf("years[%d]", y)
		return e
	}
	for _, y := range f.Years {
		if y.Year < 1990 || y.Year > 2200 {
			return nil, bad(y.Year, "年份 %d 不在合理范围内。", "year %d is out of range.", y.Year)
		}
		if c.years[y.Year] {
			return nil, bad(y.Year, "%d 年出现了两次。", "year %d appears twice.", y.Year)
		}
		c.years[y.Year] = true
		for _, h := range y.Holidays {
			if h.From.Year != y.Year && h.To.Year != y.Year {
				return nil, bad(y.Year, "假期“%s”（%s 至 %s）不在 %d 年内。", "holiday %q (%s to %s) is not in year %d.", h.Name, h.From, h.To, y.Year)
			}
			if h.To.Before(h.From) {
				return nil, bad(y.Year, "假期“%s”的结束日 %s 早于开始日 %s。", "holiday %q ends (%s) before it starts (%s).", h.Name, h.To, h.From)
			}
			if h.From.DaysUntil(h.To) > 31 {
				return nil, bad(y.Year, "假期“%s”超过 31 天，请检查日期。", "holiday %q is longer than 31 days; check the dates.", h.Name)
			}
			for d := h.From; !d.After(h.To); d = d.AddDays(1) {
				c.off[d] = h.Name
			}
		}
	}
	// Make-up days only after every year's holidays are known: a holiday
	// listed under one year may cover a weekend another year calls a working day.
	for _, y := range f.Years {
		for _, w := range y.Workdays {
			if !nearYear(w, y.Year) {
				return nil, bad(y.Year, "调休上班日 %s 不在 %d 年内。", "make-up working day %s is not in year %d.", w, y.Year)
			}
			if wd := w.Weekday(); wd != time.Saturday && wd != time.Sunday {
				return nil, bad(y.Year, "调休上班日 %s 不是周末。", "make-up working day %s is not a weekend day.", w)
			}
			if _, isOff := c.off[w]; isOff {
				return nil, bad(y.Year, "%s 既是假期又是调休上班日。", "%s is both a holiday and a make-up working day.", w)
			}
			c.makeup[w] = true
		}
	}
	c.file = f
	canon, _ := json.Marshal(f)
	sum := sha256.Sum256(canon)
	c.digest = hex.EncodeToString(sum[:8])
	return c, nil
}

// nearYear reports whether d lies in year y, the December before it or the
// January after it.
func nearYear(d Date, y int) bool {
	return d.Year == y ||
		d.Year == y-1 && d.Month == time.December ||
		d.Year == y+1 && d.Month == time.January
}

func cloneFile(f File) File {
	years := make([]Year, len(f.Years))
	for i, y := range f.Years {
		y.Holidays = slices.Clone(y.Holidays)
		y.Workdays = slices.Clone(y.Workdays)
		years[i] = y
	}
	return File{Years: years}
}

// Extend returns a calendar holding c's years with other's years added;
// where both have a year, other's schedule replaces c's. It fails when the
// result would be inconsistent, which two valid calendars can be: one year's
// holiday may reach into a neighbouring year that the other calendar makes a
// make-up working day.
func (c *Calendar) Extend(other *Calendar) (*Calendar, error) {
	var f File
	for _, y := range c.file.Years {
		if !other.years[y.Year] {
			f.Years = append(f.Years, y)
		}
	}
	f.Years = append(f.Years, other.file.Years...)
	return New(f)
}

// File returns a copy of the calendar's data, years in order.
func (c *Calendar) File() File { return cloneFile(c.file) }

// JSON returns the calendar in its file form.
func (c *Calendar) JSON() []byte {
	b, _ := json.MarshalIndent(c.file, "", "  ")
	return b
}

// Digest identifies the calendar's content: two calendars with the same digest
// compute the same deadlines. Stations send it with their changes so central
// can tell when a station counted with a stale calendar.
func (c *Calendar) Digest() string { return c.digest }

// Covers reports whether the official schedule for d's year is known.
func (c *Calendar) Covers(d Date) bool { return c.years[d.Year] }

// Years returns the years with a published schedule, in order.
func (c *Calendar) Years() []int {
	ys := make([]int, 0, len(c.file.Years))
	for _, y := range c.file.Years {
		ys = append(ys, y.Year)
	}
	return ys
}

// IsWorkday reports whether d is a working day.
func (c *Calendar) IsWorkday(d Date) bool {
	if _, off := c.off[d]; off {
		return false
	}
	if c.makeup[d] {
		return true
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// HolidayName returns the holiday d belongs to, or "".
func (c *Calendar) HolidayName(d Date) string { return c.off[d] }

// IsMakeupWorkday reports whether d is a weekend day worked in exchange for a holiday.
func (c *Calendar) IsMakeupWorkday(d Date) bool { return c.makeup[d] }

// AddWorkdays returns the n-th working day after d (n > 0), the n-th working
// day before d (n < 0), or d itself (n == 0). d need not be a working day.
func (c *Calendar) AddWorkdays(d Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.IsWorkday(d) {
			n--
		}
	}
	return d
}

// WorkdaysBetween counts the working days passed when walking from from to
// to, the way AddWorkdays walks: the days in (from, to] when to is after
// from, and minus the days in [to, from) when to is before it. It is the
// inverse of AddWorkdays in both directions: WorkdaysBetween(d,
// AddWorkdays(d, n)) == n for every n, and AddWorkdays(d, WorkdaysBetween(d,
// e)) == e for every working day e. (Swapping the arguments negates the
// result only when both are working days.)
func (c *Calendar) WorkdaysBetween(from, to Date) int {
	n := 0
	if to.Before(from) {
		for d := from.AddDays(-1); !d.Before(to); d = d.AddDays(-1) {
			if c.IsWorkday(d) {
				n--
			}
		}
		return n
	}
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}

// NextWorkday returns d if it is a working day, else the first working day after it.
func (c *Calendar) NextWorkday(d Date) Date {
	for !c.IsWorkday(d) {
		d = d.AddDays(1)
	}
	return d
}
